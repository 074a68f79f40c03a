/**
 * parseRule: fwrule text to its checked, normalised meaning. Runs the
 * parser jison generates from grammar/fwrule.jison with the actions of
 * actions.ts, and turns its errors into SmartOS's one-line messages.
 */
import { actions } from './actions';
import { excerpt, ruleError } from './errors';
import { ruleMeaning } from './meaning';
import { loneSurrogate } from './quoting';
import type { ParsedRule } from './types';

/** What parseRule uses of jison's lexer and parser. */
interface JisonLexer {
  pastInput(): string;
  upcomingInput(): string;
  parseError(str: string, hash: unknown): never;
}
interface SyntaxErrorHash {
  text: string;
  token: string | number | null;
  loc?: { last_column: number };
  expected?: string[];
}
interface JisonParser {
  yy: Record<string, unknown>;
  lexer: JisonLexer;
  table: Array<Record<number, unknown> | unknown[]>;
  parse(input: string): ParsedRule;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const parser = require('../../generated/fwrule-parser') as JisonParser;

/** Token names as SmartOS prints them: target keywords and WORD in lower case. */
const SHOWN_LOWER = new Set(['ALL', 'ANY', 'IP', 'SUBNET', 'TAG', 'VM']);

function expectedName(quoted: string): string {
  const name = quoted.slice(1, -1);
  return SHOWN_LOWER.has(name) ? quoted.toLowerCase() : quoted;
}

function foundName(token: SyntaxErrorHash['token']): string {
  return token === 'WORD' ? 'word' : String(token);
}

function syntaxError(_: string, hash: SyntaxErrorHash): never {
  const expected = (hash.expected ?? []).map(expectedName).join(', ');
  throw ruleError(
    `Error at character ${hash.loc?.last_column ?? 0}: '${excerpt(hash.text)}', expected: ${expected}, found: ${foundName(hash.token)}`,
  );
}

/**
 * jison writes each state's actions as an object keyed by symbol number;
 * as arrays the same lookups (`table[state][symbol]`, and `for...in` in
 * ascending order for the expected-token list) are several times faster.
 */
parser.table = parser.table.map((row) => {
  const dense: unknown[] = [];
  for (const [symbol, act] of Object.entries(row)) dense[Number(symbol)] = act;
  return dense;
});

parser.yy = { ...actions, rule: ruleMeaning, parseError: syntaxError };
// Text no token matches: say where, and show what follows.
parser.lexer.parseError = function (this: JisonLexer): never {
  throw ruleError(`Error at character ${this.pastInput().length}: '${this.upcomingInput()}', found: unexpected text`);
};

/**
 * Parse and check a rule. Throws an AppError (ruleError) with a one-line
 * message naming the offending token, or the character position and the
 * expected tokens.
 */
export function parseRule(text: string): ParsedRule {
  if (typeof text !== 'string') throw ruleError('rule must be a string');
  if (text === '') throw ruleError('No rule specified');
  const lone = loneSurrogate(text);
  if (lone !== undefined) {
    throw ruleError(`rule text holds ${lone}, a lone surrogate: not a Unicode character`);
  }
  return parser.parse(text);
}
