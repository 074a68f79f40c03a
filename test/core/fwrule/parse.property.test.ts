/**
 * Properties of the rule model over generated rules: every rule built from
 * the grammar's parts parses; canonical text is a fixed point; reparsing
 * gives the same rule; mutated rules give a rule or an error, never a crash.
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { canonicalText } from '../../../src/core/fwrule/canonical';
import { FwruleError } from '../../../src/core/fwrule/errors';
import { parseRule } from '../../../src/core/fwrule/parse';
import { validRule } from './arbitraries';

/** The rule as plain data, for deep comparison. */
function plain(text: string): unknown {
  return JSON.parse(JSON.stringify(parseRule(text)));
}

describe('fwrule properties', () => {
  it('generated valid rules parse', () => {
    fc.assert(fc.property(validRule, (r) => void parseRule(r)), { numRuns: 2000 });
  });

  it('canonical text is stable: canon(parse(canon(r))) == canon(r)', () => {
    fc.assert(
      fc.property(validRule, (r) => {
        const c = canonicalText(parseRule(r));
        assert.equal(canonicalText(parseRule(c)), c);
      }),
      { numRuns: 2000 },
    );
  });

  it('reparsing the canonical text gives the same rule', () => {
    fc.assert(
      fc.property(validRule, (r) => {
        assert.deepEqual(plain(canonicalText(parseRule(r))), plain(r));
      }),
      { numRuns: 2000 },
    );
  });

  it('mutated rules give a rule or an FwruleError, never anything else', () => {
    const mutation = fc.tuple(validRule, fc.nat(), fc.nat({ max: 12 }), fc.string({ maxLength: 6 }));
    fc.assert(
      fc.property(mutation, ([r, at, cut, insert]) => {
        const i = at % (r.length + 1);
        const mutated = r.slice(0, i) + insert + r.slice(i + cut);
        try {
          const c = canonicalText(parseRule(mutated));
          assert.equal(canonicalText(parseRule(c)), c);
        } catch (err) {
          if (!(err instanceof FwruleError)) throw err;
          assert.ok(!err.message.includes('\n'), `multi-line error: ${err.message}`);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
