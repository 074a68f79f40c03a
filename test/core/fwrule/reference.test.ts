/**
 * Differential tests against SmartOS's own fwrule parser (the `fwrule`
 * package, a devDependency): the same canonical text and the same error
 * message, except where docs/fwrule.md deliberately goes further (upper-case
 * hex, RFC 5952 output, scope ids, IPv4-mapped) or where SmartOS's ICMP
 * type sort is order-dependent.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import fc from 'fast-check';
import { canonicalText } from '../../../src/core/fwrule/canonical';
import { parseRule } from '../../../src/core/fwrule/parse';
import { examplePath } from '../../helpers/run-cli';
import { validRule } from './arbitraries';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const reference = require('fwrule') as { create(p: object, o?: object): { text(): string } };

function theirs(rule: string): string {
  try {
    return reference.create({ rule, owner_uuid: '930896af-bf8c-48d4-885c-6573a94b1853' }, { enforceSubnetMask: true }).text();
  } catch (err) {
    return 'ERROR ' + (err as Error).message;
  }
}

function ours(rule: string): string {
  try {
    return canonicalText(parseRule(rule));
  } catch (err) {
    return 'ERROR ' + (err as Error).message;
  }
}

/**
 * Rules both parsers must read alike: lower-case, RFC 5952 IPv6 only, no
 * leading zeros in a subnet (SmartOS keeps `10.0.01.0/24` as typed; the one
 * address model refuses it, as docs/vm-network.md does), no lists of ICMP types
 * with codes.
 */
function comparable(rule: string): boolean {
  if (rule.includes('%')) return false;
  const dotted = rule.match(/\d+(\.\d+)+(\/\d+)?/g) ?? [];
  if (/\/0\d/.test(rule) || dotted.some((a) => a.split(/[./]/).some((c) => /^0\d/.test(c)))) return false;
  const v6 = rule.match(/[0-9a-fA-F]*:[0-9a-fA-F:.]*/g) ?? [];
  if (v6.some((a) => /[A-F]/.test(a) || ours(`from ip ${a} to all vms allow ah`) !== `FROM ip ${a} TO all vms ALLOW ah`)) return false;
  // SmartOS sorts a list of ICMP types with codes inconsistently
  return !(/\bcode\b/i.test(rule) && /\band\s+type\b/i.test(rule));
}

describe('fwrule against SmartOS fwrule', () => {
  for (const file of ['valid.txt', 'invalid.txt']) {
    it(`examples/rules/${file}: same canonical text or error`, () => {
      const rules = fs.readFileSync(examplePath('rules', file), 'utf8').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
      for (const r of rules.filter(comparable)) assert.equal(ours(r), theirs(r), r);
    });
  }

  it('generated rules: same canonical text', () => {
    fc.assert(
      fc.property(validRule.filter(comparable), (r) => {
        assert.equal(ours(r), theirs(r));
      }),
      { numRuns: 1500 },
    );
  });

  it('mutated rules: same result, rule or error message', () => {
    const mutation = fc.tuple(validRule, fc.nat(), fc.nat({ max: 8 }), fc.constantFrom('', ' ', '(', ')', 'x', '1', '-', ',', '"', 'or ', 'port ', 'all', '!', '=', '/'));
    fc.assert(
      fc.property(mutation, ([r, at, cut, insert]) => {
        const i = at % (r.length + 1);
        const m = r.slice(0, i) + insert + r.slice(i + cut);
        fc.pre(comparable(m) && !/\(\s*\)|""|\\/.test(m));
        assert.equal(ours(m), theirs(m), m);
      }),
      { numRuns: 1500 },
    );
  });
});
