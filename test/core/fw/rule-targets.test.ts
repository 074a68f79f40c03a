/**
 * What the rule store's cache keeps of a rule: its VM target keys and its
 * meaning as JSON, which must give back exactly what parsing the rule
 * text gives (the compiler's output depends on it).
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { canonicalText } from '../../../src/core/fwrule/canonical';
import { parseRule } from '../../../src/core/fwrule/parse';
import type { FwRule } from '../../../src/core/fwrule/types';
import { keysOf, lazyRule, meaningText, reviveMeaning, ruleKeys } from '../../../src/core/fw/rule-targets';
import { ruleToJson } from '../../../src/core/fw/rules';
import { validRule } from '../fwrule/arbitraries';

const plain = (x: unknown): unknown => JSON.parse(JSON.stringify(x));
const fail = (m: string): Error => new Error(m);

describe('core/fw/rule-targets', () => {
  it('a revived meaning is the parsed meaning: same data, same canonical text, same addresses', () => {
    fc.assert(
      fc.property(validRule, (text) => {
        const parsed = parseRule(text);
        const revived = reviveMeaning(meaningText(parsed));
        assert.deepEqual(plain(revived), plain(parsed));
        assert.equal(canonicalText(revived), canonicalText(parsed));
        for (const [a, b] of [[revived.from, parsed.from], [revived.to, parsed.to]] as const) {
          a.forEach((t, i) => {
            const u = b[i];
            if (t.kind === 'ip' && u.kind === 'ip') assert.equal(t.address.key, u.address.key);
            if (t.kind === 'subnet' && u.kind === 'subnet') assert.equal(t.cidr.address.key + t.cidr.prefix, u.cidr.address.key + u.cidr.prefix);
          });
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('a lazy rule is the stored rule, its meaning made on first use (from the meaning, or else the text)', () => {
    const text = canonicalText(parseRule('FROM (ip 2001:DB8::1 OR subnet 10.0.0.0/8) TO tag role = www ALLOW tcp PORTS 80, 443'));
    const rule: FwRule = { uuid: 'aaaaaaaa-0000-4000-8000-000000000001', version: '1.000001', enabled: true, owner_uuid: '930896af-bf8c-48d4-885c-6573a94b1853', log: false, rule: text, parsed: parseRule(text) };
    const keys = keysOf(rule.parsed);
    assert.deepEqual(keys, { from: [], to: ['trole\u0000www'] });
    for (const meaning of [meaningText(rule.parsed), undefined, '{"broken']) {
      const lazy = lazyRule(ruleToJson(rule), keys, 'x.json', fail, meaning);
      assert.deepEqual(ruleToJson(lazy), ruleToJson(rule));
      assert.deepEqual(plain(lazy.parsed), plain(rule.parsed));
      assert.equal(lazy.parsed, lazy.parsed, 'made once');
      assert.equal(ruleKeys(lazy), keys);
    }
    const bad = lazyRule({ ...ruleToJson(rule), rule: 'FROM nowhere' }, keys, '/r/x.json', fail);
    assert.throws(() => bad.parsed, /^Error: \/r\/x\.json: /);
  });
});
