/**
 * Linting rule texts, one per line: what `fwadm lint` reports for a line.
 */
import { canonicalText } from './canonical';
import { AppError } from '../errors';
import { parseRule } from './parse';

export type LintResult = { readonly rule: string } | { readonly error: string };

/** Blank lines and `#` comments hold no rule. */
export function isRuleLine(line: string): boolean {
  const t = line.trim();
  return t !== '' && t[0] !== '#';
}

/** The canonical text of a rule, or why it is not one. */
export function lintRule(text: string): LintResult {
  try {
    return { rule: canonicalText(parseRule(text)) };
  } catch (err) {
    if (err instanceof AppError) return { error: err.message };
    throw err;
  }
}
