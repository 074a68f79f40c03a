/**
 * Checking a compile payload (src/core/ipf/payload.ts) against hostile
 * input (issue 9): NIC prefixes, lines longer than ipf reads, lone
 * surrogates, control characters.
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { compileFirewall } from '../../../src/core/ipf/compile';
import { AppError } from '../../../src/core/errors';
import { parseCompilePayload } from '../../../src/core/ipf/payload';
import { DATE } from './fixtures';

const VM = '5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11';
const RULE = 'a1000000-0000-4000-8000-000000000001';

function localVm(ips: unknown[], tags: Record<string, unknown> = {}): object {
  return { uuid: VM, nics: [{ ips }], state: 'running', tags, zonepath: '/z', firewall_enabled: true };
}

function globalRule(rule: string, version = '1700000000000.000001'): object {
  return { uuid: RULE, version, global: true, enabled: true, rule };
}

function refusal(payload: unknown): string {
  try {
    parseCompilePayload(payload);
  } catch (err) {
    assert.ok(err instanceof AppError && err.exitCode === 1, String(err));
    return err.message;
  }
  assert.fail('accepted');
}

/** A tag string as rule text writes it (JSON's escapes, parentheses escaped). */
function quoted(text: string): string {
  return JSON.stringify(text).replace(/[()]/g, (c) => '\\' + c);
}

describe('core/ipf payload: hostile input', () => {
  it('local VM NIC addresses are checked as vmadm validate checks them (the one VM model)', () => {
    for (const [ip, why] of [
      ['10.0.0.20/999', '"10.0.0.20/999" has an invalid prefix length "999" (IPv4 allows 0 to 32)'],
      ['10.0.0.20/33', '"10.0.0.20/33" has an invalid prefix length "33" (IPv4 allows 0 to 32)'],
      ['10.0.0.20/abc/def', '"10.0.0.20/abc" is not a valid IPv4 or IPv6 address'],
      ['fd00::20/-1', '"fd00::20/-1" has an invalid prefix length "-1" (IPv6 allows 0 to 128)'],
      ['fd00::20/', '"fd00::20/" has an invalid prefix length "" (IPv6 allows 0 to 128)'],
      ['fd00::20/064', '"fd00::20/064" has an invalid prefix length "064" (IPv6 allows 0 to 128)'],
    ]) {
      assert.equal(refusal({ vms: [localVm(['10.0.0.1/24', ip])] }), `VM ${VM}: nics.0.ips: ${why}`);
    }
    const ok = parseCompilePayload({ vms: [localVm(['10.0.0.20/24', 'fd00::20/128', '10.0.0.21/24', 'dhcp', 'addrconf'])] });
    assert.deepEqual(ok.vms[0].addresses.map((a) => a.text), ['10.0.0.20', '10.0.0.21', 'fd00::20']);
  });

  it('a local VM is read as vmadm reads it: an upper-case uuid is accepted (as validate accepts it) and lower-cased; a bare address in ips is refused', () => {
    const upper = { ...localVm(['10.0.0.20/24']), uuid: VM.toUpperCase() };
    assert.equal(parseCompilePayload({ vms: [upper] }).vms[0].uuid, VM);
    assert.equal(refusal({ vms: [localVm(['10.0.0.21'])] }), `VM ${VM}: nics.0.ips: "10.0.0.21" has no prefix length (expected address/length)`);
  });

  it('a rule whose comment line would be longer than ipf reads is refused, at exactly 8192 bytes', () => {
    // "# rule=<36>, version=<20>, tagValue=" is 84 bytes
    const at = (n: number): object => ({ rules: [globalRule(`FROM any TO tag "${'x'.repeat(n)}" = v ALLOW tcp PORT 22`)] });
    assert.equal(parseCompilePayload(at(8191 - 84)).rules.length, 1);
    assert.match(refusal(at(8192 - 84)), /^rules\[0\]: its version and tag name "x{100}\.\.\. \(8108 characters\)" make the ipf comment line "# rule=a1000000-0000-4000-8000-000000000001, \.\.\." 8192 bytes long; ipf reads at most 8191 bytes of a line$/);
    // control characters are written escaped (\u001b: 6 bytes), and UTF-8 counts bytes
    assert.match(refusal({ rules: [globalRule('FROM any TO all vms ALLOW tcp PORT 22', '\u001b'.repeat(1360))] }), / 8229 bytes long;/); // 55 + 6 * 1360 + "wildcard=vmall"
    const emoji = (n: number): object => ({ rules: [globalRule(`FROM any TO tag ${quoted('\u{1f600}'.repeat(n))} ALLOW tcp PORT 22`)] });
    assert.equal(parseCompilePayload(emoji(2028)).rules.length, 1); // 79 + 4 * 2028 = 8191
    assert.match(refusal(emoji(2029)), / 8195 bytes long;/);
  });

  it('lone surrogates are refused in VM tags, rule text and rule fields', () => {
    assert.equal(refusal({ vms: [localVm([], { '\ud800': 'x' })] }), `VM ${VM}: tag "\\ud800" holds \\uD800, a lone surrogate: not a Unicode character`);
    assert.equal(refusal({ vms: [localVm([], { role: 'a\udfffb' })] }), `VM ${VM}: tag "role" holds \\uDFFF, a lone surrogate: not a Unicode character`);
    assert.equal(refusal({ rules: [globalRule('FROM any TO tag "\ud800" ALLOW tcp PORT 22')] }), 'rules[0]: rule text holds \\uD800, a lone surrogate: not a Unicode character');
    assert.equal(refusal({ rules: [{ ...globalRule('FROM any TO all vms ALLOW tcp PORT 22'), description: '\udc00' }] }), 'rules[0]: description holds \\uDC00, a lone surrogate: not a Unicode character');
    // a pair is one character
    assert.equal(parseCompilePayload({ vms: [localVm([], { '\ud83d\ude00': 'x' })] }).vms[0].tags.get('\u{1f600}'), 'x');
  });

  it('control characters from the input never reach a message raw', () => {
    const message = refusal({ vms: [localVm(['10.0.0.1/24', '\u001b[2J\u009b\u007f/24'])] });
    assert.doesNotMatch(message, /[\u0000-\u001f\u007f-\u009f]/);
    assert.match(message, /\\x7f/);
  });

  it('property: an accepted payload gives no line longer than 8191 bytes; a refused one says why', () => {
    const piece = fc.string({ unit: 'binary', minLength: 1, maxLength: 3 });
    const name = fc.tuple(piece, fc.integer({ min: 2000, max: 8300 })).map(([p, n]) => p.repeat(Math.ceil(n / p.length)).slice(0, n).replace(/[\ud800-\udbff]$/, 'x'));
    const version = fc.string({ unit: 'binary', minLength: 1, maxLength: 200 });
    fc.assert(
      fc.property(name, version, fc.boolean(), (tag, v, withValue) => {
        const target = `tag ${quoted(tag)}${withValue ? ' = 1' : ''}`;
        const payload = {
          vms: [localVm(['10.0.0.1/24', 'fd00::1/64'], { [tag]: 1 })],
          rules: [globalRule(`FROM ${target} TO ${target} ALLOW tcp PORT 22 PRIORITY 1`, v)],
        };
        let input;
        try {
          input = parseCompilePayload(payload);
        } catch (err) {
          assert.ok(err instanceof AppError && err.exitCode === 1, String(err));
          const m = /(\d+) bytes long; ipf reads at most 8191 bytes of a line$/.exec(err.message);
          assert.ok(m && Number(m[1]) > 8191, err.message);
          return;
        }
        const [files] = compileFirewall(input, { eventLog: false, date: DATE });
        let longest = 0;
        for (const line of [...files.ipf.split('\n'), ...files.ipf6.split('\n')]) {
          longest = Math.max(longest, Buffer.byteLength(line));
        }
        assert.ok(longest <= 8191, `a line of ${longest} bytes`);
        assert.ok(files.ipf.includes(withValue ? ', tagValue=' : ', tag='));
      }),
      { numRuns: 300 },
    );
  });
});
