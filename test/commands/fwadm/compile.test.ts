/**
 * `fwadm compile` as an operator runs it on examples/compile/host.json (in
 * this process, as bin/fwadm runs it):
 * -f and stdin, text and -j, --event-log, SOURCE_DATE_EPOCH, and
 * one-line errors with nothing on stdout.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { examplePath, run } from '../../helpers/run-cli';

const HOST = examplePath('compile', 'host.json');
const WEB = '5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11';
const DB = '6a1d1b3f-1a4b-4c2d-8e7f-9a0b1c2d3e22';
const OTHER = '8c3f3d5b-3c6d-4e4f-a091-bc2d3e4f5a44';
const LEGACY = '7b2e2c4a-2b5c-4d3e-9f80-ab1c2d3e4f33';
const EPOCH0 = { SOURCE_DATE_EPOCH: '0', TZ: 'UTC' };

/** A firewall-enabled local VM with these nics[0].ips. */
function vmWith(ips: string[], tags: Record<string, unknown> = {}): object {
  return { uuid: WEB, nics: [{ ips }], state: 'running', tags, zonepath: '/z', firewall_enabled: true };
}

function globalRule(rule: string): object {
  return { uuid: 'a1000000-0000-4000-8000-0000000000aa', version: '1700000000000.000001', global: true, enabled: true, rule };
}

async function compileJson(args: string[] = []): Promise<Record<string, { ipf: string; ipf6: string }>> {
  const r = await run('fwadm', ['compile', '-j', '-f', HOST, ...args], { env: EPOCH0 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, { ipf: string; ipf6: string }>;
}

/** The lines of one entry (after its comment), up to the next blank line. */
function entry(text: string, comment: string): string[] {
  const lines = text.split('\n');
  const at = lines.indexOf(comment);
  assert.ok(at >= 0, `no entry ${comment}`);
  const end = lines.indexOf('', at);
  return lines.slice(at + 1, end);
}

describe('fwadm compile', () => {
  it('-j: an entry for every firewall-enabled VM, in input order', async () => {
    assert.deepEqual(Object.keys(await compileJson()), [WEB, DB, OTHER]);
    assert.ok(!(LEGACY in (await compileJson())));
  });

  it('owner-scoped rule: tag = value on the other side names local (even firewall-disabled) and remote VMs of the owner, keep state from the BLOCK rule', async () => {
    const db = (await compileJson())[DB];
    const c = '# rule=a1000000-0000-4000-8000-000000000002, version=1700000000000.000001, tagValue=role';
    assert.deepEqual(entry(db.ipf, c), [
      'pass in quick proto tcp from 10.0.0.10 to any port = 5432 keep frags keep state',
      'pass in quick proto tcp from 10.0.0.10 to any port 6000 : 6010 keep frags keep state',
      'pass in quick proto tcp from 198.51.100.10 to any port = 5432 keep frags keep state',
      'pass in quick proto tcp from 198.51.100.10 to any port 6000 : 6010 keep frags keep state',
    ]);
    assert.ok(db.ipf.includes('pass in quick proto tcp from 198.51.100.30 to any port = 5432 keep frags keep state'));
    assert.ok(db.ipf.includes('pass in quick proto tcp from 198.51.100.50 to any port = 5432 keep frags keep state'));
    assert.ok(!db.ipf.includes('203.0.113.40'), 'a VM of another owner');
    assert.ok(db.ipf6.includes('pass in quick proto tcp from 2001:db8::50 to any port 6000 : 6010 keep frags keep state'));
    assert.deepEqual(entry(db.ipf, '# rule=a1000000-0000-4000-8000-000000000006, version=1700000000000.000001, wildcard=any'), [
      'block out quick proto tcp from any to any port = 25 keep frags',
    ]);
  });

  it('global rules reach every owner; owner rules and disabled rules do not', async () => {
    const other = (await compileJson())[OTHER];
    assert.ok(other.ipf.includes('pass in quick proto tcp from 192.0.2.10 to any port = 22 keep frags\n'));
    assert.ok(other.ipf6.includes('pass in quick proto tcp from 2001:db8:ffff::/48 to any port = 22 keep frags\n'));
    assert.ok(!other.ipf.includes('a1000000-0000-4000-8000-000000000001'));
    for (const vm of Object.values(await compileJson())) assert.ok(!vm.ipf.includes('a1000000-0000-4000-8000-000000000007'));
  });

  it('icmp lines only in ipf.conf, icmp6 (ipv6-icmp) lines only in ipf6.conf', async () => {
    const web = (await compileJson())[WEB];
    assert.ok(web.ipf.includes('pass in quick proto icmp from any to any icmp-type 8 code 0 keep frags\n'));
    assert.ok(!web.ipf6.includes('proto icmp '));
    assert.ok(web.ipf6.includes('pass in quick proto ipv6-icmp from any to any icmp-type 135 keep frags\n'));
    assert.ok(!web.ipf.includes('ipv6-icmp from any to any icmp-type'));
  });

  it('text output: each file under ==> <uuid>/ipf.conf <==, dated by SOURCE_DATE_EPOCH', async () => {
    const r = await run('fwadm', ['compile'], { input: fs.readFileSync(HOST, 'utf8'), env: EPOCH0 });
    assert.equal(r.status, 0, r.stderr);
    const headers = r.stdout.split('\n').filter((l) => l.startsWith('==> '));
    assert.deepEqual(headers, [WEB, DB, OTHER].flatMap((u) => [`==> ${u}/ipf.conf <==`, `==> ${u}/ipf6.conf <==`]));
    assert.ok(r.stdout.includes('# File generated at Thu Jan 01 1970 00:00:00 GMT+0000 (Coordinated Universal Time)\n'));
    assert.equal(r.stdout, (await run('fwadm', ['compile', '-f', HOST], { env: EPOCH0 })).stdout, 'reproducible');
  });

  it('--event-log: version line, state and set-tag on every line, cfwlog for log: true', async () => {
    const db = (await compileJson(['--event-log']))[DB];
    assert.match(db.ipf, /^# DO NOT EDIT[^]*\n#\n# File generated at [^\n]*\n#\n# smartos_ipf_version 2\n#\n\n/);
    assert.ok(db.ipf.includes('pass in quick proto tcp from 10.0.0.10 to any port = 5432 keep frags keep state set-tag(uuid=a1000000-0000-4000-8000-000000000002, cfwlog)\n'));
    assert.ok(db.ipf.includes('block out quick proto tcp from any to any port = 25 keep frags keep state set-tag(uuid=a1000000-0000-4000-8000-000000000006)\n'));
    const body = db.ipf.slice(0, db.ipf.indexOf('# fwadm fallbacks'));
    const rules = body.split('\n').filter((l) => /^(pass|block) (in|out) quick/.test(l));
    assert.ok(rules.length > 5);
    assert.ok(rules.every((l) => /keep frags keep state set-tag\(uuid=[0-9a-f-]+(, cfwlog)?\)$/.test(l)));
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ['a bad rule', { vms: [], rules: [{ owner_uuid: WEB, rule: 'FROM any TO any ALLOW tcp PORT 1' }] }, /^fwadm: rules\[0\]: rule does not affect VMs$/],
    ['a rule without owner or global', { rules: [{ rule: 'FROM any TO all vms ALLOW tcp PORT 1' }] }, /^fwadm: rules\[0\]: owner_uuid required$/],
    ['a VM missing fields', { vms: [{ uuid: WEB, nics: [] }] }, new RegExp(`^fwadm: VM ${WEB}: missing field\\(s\\) required for firewall: state, tags, zonepath$`)],
    ['a remote VM without IPs', { remoteVMs: [{ uuid: WEB }] }, new RegExp(`^fwadm: Remote VM "${WEB}": missing IPs$`)],
    ['a remote VM with a local uuid', { vms: [{ uuid: WEB, nics: [], state: 'running', tags: {}, zonepath: '/z' }], remoteVMs: [{ uuid: WEB, ips: ['10.0.0.1'] }] }, /must not have the same UUID as a local VM$/],
    ['not an object', [], /^fwadm: expected a JSON object/],
    // issue 9, class 14: prefixes checked as vmadm validate checks them
    ['an IPv4 prefix out of range', { vms: [vmWith(['10.0.0.20/999'])] }, new RegExp(`^fwadm: VM ${WEB}: nics\\.0\\.ips: "10\\.0\\.0\\.20/999" has an invalid prefix length "999" \\(IPv4 allows 0 to 32\\)$`)],
    ['a prefix that is not a number', { vms: [vmWith(['10.0.0.20/24', '10.0.0.21/abc/def'])] }, /: nics\.0\.ips: "10\.0\.0\.21\/abc" is not a valid IPv4 or IPv6 address$/],
    ['a negative IPv6 prefix', { vms: [vmWith(['fd00::20/-1'])] }, /: nics\.0\.ips: "fd00::20\/-1" has an invalid prefix length "-1" \(IPv6 allows 0 to 128\)$/],
    ['an IPv6 prefix over 128', { remoteVMs: [{ uuid: OTHER, nics: [{ ips: ['fd00::20/129'] }] }] }, /^fwadm: Invalid IP address: fd00::20\/129$/],
    // class 4: no line longer than ipf reads
    ['a tag name too long for an ipf comment line', { rules: [globalRule(`FROM any TO tag "${'t'.repeat(8200)}" ALLOW tcp PORT 22`)] }, /^fwadm: rules\[0\]: its version and tag name "t{100}\.\.\. \(8200 characters\)" make the ipf comment line "# rule=a1000000-0000-4000-8000-0000000000aa, \.\.\." 8279 bytes long; ipf reads at most 8191 bytes of a line$/],
    ['a version too long for an ipf comment line', { rules: [{ ...globalRule('FROM any TO all vms ALLOW tcp PORT 22'), version: '1'.repeat(8150) }] }, /^fwadm: rules\[0\]: its version makes the ipf comment line "# rule=a1000000-0000-4000-8000-0000000000aa, \.\.\." 8219 bytes long; ipf reads at most 8191 bytes of a line$/],
    // class 11: lone surrogates
    ['a \\ud800 escape in a quoted tag', { rules: [globalRule('FROM any TO tag "\\ud800" ALLOW tcp PORT 22')] }, /^fwadm: rules\[0\]: String "\\ud800" is invalid: \\uD800 is a lone surrogate, not a Unicode character$/],
    ['a lone surrogate in a VM tag name', { vms: [vmWith(['10.0.0.20/24'], { 'r\udc00le': 'www' })] }, new RegExp(`^fwadm: VM ${WEB}: tag "r\\\\udc00le" holds \\\\uDC00, a lone surrogate: not a Unicode character$`)],
    ['a lone surrogate in a remote VM tag value', { remoteVMs: [{ uuid: OTHER, ips: ['10.0.0.9'], tags: { role: 'w\ud800' } }] }, /^fwadm: Remote VM "[-0-9a-f]+": tag "role" holds \\uD800, a lone surrogate: not a Unicode character$/],
    ['a lone surrogate in a rule\'s version', { rules: [{ ...globalRule('FROM any TO all vms ALLOW tcp PORT 22'), version: '1\ud800' }] }, /^fwadm: rules\[0\]: version holds \\uD800, a lone surrogate: not a Unicode character$/],
    // class 6: control characters escaped
    ['control characters in a rule', { rules: [globalRule('FROM "\x1b[2J\x07\r\x9b" TO all vms ALLOW tcp PORT 22')] }, /^fwadm: rules\[0\]: Error at character 4: '"\\x1b\[2J\\x07\\r\\u009b"', expected: /],
    ['control characters in a VM tag name', { vms: [vmWith(['10.0.0.20/24'], { '\x1b]0;x\x07\x7f': {} })] }, /^fwadm: VM [-0-9a-f]+: tag "\\u001b\]0;x\\u0007\\x7f" must be a string, number or boolean$/],
    // class 3: a multi-megabyte tag is read (and refused for its length), not a stack overflow
    ['a tag of 3 million \\u escapes', { rules: [globalRule(`FROM any TO tag "${'\\u0041'.repeat(3_000_000)}" ALLOW tcp PORT 22`)] }, /^fwadm: rules\[0\]: its version and tag name "A{100}\.\.\. \(3000000 characters\)" make the ipf comment line "# rule=a1000000-0000-4000-8000-0000000000aa, \.\.\." 3000079 bytes long; /],
  ];
  for (const [what, payload, message] of bad) {
    it(`${what}: one line, exit 1, nothing on stdout`, async () => {
      const r = await run('fwadm', ['compile'], { input: JSON.stringify(payload) });
      assert.equal(r.status, 1);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr.split('\n').length, 2, r.stderr);
      assert.match(r.stderr.trimEnd(), message);
    });
  }

  it('usage errors exit 2, a SOURCE_DATE_EPOCH that is no date among them (one line, nothing on stdout)', async () => {
    assert.equal((await run('fwadm', ['compile', '--frobnicate'])).status, 2);
    for (const epoch of ['yesterday', '-1', '1.5', '8640000000001', '99999999999999', '1e3', '\x1b[2J']) {
      const r = await run('fwadm', ['compile', '-f', HOST], { env: { SOURCE_DATE_EPOCH: epoch } });
      assert.equal(r.status, 2, epoch);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^fwadm: SOURCE_DATE_EPOCH must be a whole number of seconds from 0 to 8640000000000, got "[^\x00-\x1f]*"\n$/);
    }
    const last = await run('fwadm', ['compile', '-f', HOST], { env: { SOURCE_DATE_EPOCH: '8640000000000', TZ: 'UTC' } });
    assert.equal(last.status, 0, last.stderr);
    assert.ok(last.stdout.includes('# File generated at Sat Sep 13 275760 00:00:00 GMT+0000 (Coordinated Universal Time)\n'));
  });

  it('every line of every file is within what ipf reads (8191 bytes), at the longest tag name allowed', async () => {
    // 79 bytes of "# rule=<uuid>, version=<20 characters>, tag=" and 4056 two-byte characters
    const name = '\u00e9'.repeat(4056);
    const payload = {
      vms: [{ ...vmWith(['10.0.0.20/24', 'fd00::20/64']), tags: { [name]: 1 } }],
      rules: [globalRule(`FROM tag "${name}" TO all vms ALLOW tcp PORT 22`)],
    };
    const r = await run('fwadm', ['compile', '-j'], { input: JSON.stringify(payload) });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.stdout.includes(`, tag=${name}`));
    payload.rules = [globalRule(`FROM tag "${name}\u00e9" TO all vms ALLOW tcp PORT 22`)];
    const over = await run('fwadm', ['compile', '-j'], { input: JSON.stringify(payload) });
    assert.equal(over.status, 1);
    assert.match(over.stderr, /8193 bytes long; ipf reads at most 8191 bytes of a line\n$/);
    const files = JSON.parse(r.stdout) as Record<string, { ipf: string; ipf6: string }>;
    const lines = Object.values(files).flatMap((f) => [...f.ipf.split('\n'), ...f.ipf6.split('\n')]);
    assert.equal(Math.max(...lines.map((l) => Buffer.byteLength(l))), 8191);
  });
});
