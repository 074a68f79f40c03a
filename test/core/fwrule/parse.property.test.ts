/**
 * Properties of the rule model over generated rules: every rule built from
 * the grammar's parts parses; canonical text is a fixed point; reparsing
 * gives the same rule; mutated rules give a rule or an error, never a crash.
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { canonicalText } from '../../../src/core/fwrule/canonical';
import { AppError } from '../../../src/core/errors';
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

  it('mutated rules give a rule or a rule error (AppError), never anything else', () => {
    const mutation = fc.tuple(validRule, fc.nat(), fc.nat({ max: 12 }), fc.string({ maxLength: 6 }));
    fc.assert(
      fc.property(mutation, ([r, at, cut, insert]) => {
        const i = at % (r.length + 1);
        const mutated = r.slice(0, i) + insert + r.slice(i + cut);
        try {
          const c = canonicalText(parseRule(mutated));
          assert.equal(canonicalText(parseRule(c)), c);
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          assert.ok(!err.message.includes('\n'), `multi-line error: ${err.message}`);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('hostile text in a rule: an error message is one line with no control character', () => {
    // any UTF-16 code unit, controls and lone surrogates included, raw or as a \u escape
    const unit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
    const escape = fc.integer({ min: 0, max: 0xffff }).map((c) => '\\u' + c.toString(16).padStart(4, '0'));
    const junk = fc.array(fc.oneof(unit, escape, fc.constantFrom('"', '\\', ' ')), { maxLength: 8 }).map((a) => a.join(''));
    fc.assert(
      fc.property(validRule, fc.nat(), junk, (r, at, insert) => {
        const i = at % (r.length + 1);
        try {
          parseRule(r.slice(0, i) + insert + r.slice(i));
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          assert.doesNotMatch(err.message, /[\u0000-\u001f\u007f-\u009f]/, err.message);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('tags of any text: the canonical text of an accepted rule re-lints to itself and means the same', () => {
    const unit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
    const text = fc.array(fc.oneof(unit, fc.constantFrom('\ud83d\ude00', '"', '\\')), { maxLength: 6 }).map((a) => a.join(''));
    /** A tag string quoted with JSON's escapes, which fwrule reads too. */
    const quoted = text.map((t) => JSON.stringify(t).replace(/[()]/g, (c) => '\\' + c));
    fc.assert(
      fc.property(quoted, quoted, (name, value) => {
        let c: string;
        try {
          c = canonicalText(parseRule(`FROM any TO tag ${name} = ${value} ALLOW tcp PORT 22`));
        } catch (err) {
          assert.ok(err instanceof AppError && /lone surrogate/.test(err.message), String(err));
          assert.ok(/\\ud[89a-f]/i.test(name + value), `refused: ${name} ${value}`);
          return;
        }
        assert.equal(canonicalText(parseRule(c)), c);
        assert.deepEqual(plain(c), plain(`FROM any TO tag ${name} = ${value} ALLOW tcp PORT 22`));
      }),
      { numRuns: 3000 },
    );
  });
});
