import { AppError } from '../errors';
import { escapeControl } from '../text';

/**
 * Why a rule or rule object is refused: one line, in the words of SmartOS
 * fwadm where it has them ("Port number \"65537\" is invalid"), with any
 * control character escaped (nothing raw for a terminal to act on). `field`
 * is the payload field at fault: `rule` for anything in the rule text. No
 * stack is taken: a linter meets thousands of bad rules.
 */
export function ruleError(message: string, field = 'rule'): AppError {
  return new AppError(escapeControl(message), { field, stack: false });
}

/** Longest token shown whole in a message. */
const EXCERPT_LENGTH = 100;

/**
 * A token as a message shows it: whole when short, else its start and its
 * length (a megabyte-long tag name is not echoed back).
 */
export function excerpt(token: string): string {
  if (token.length <= EXCERPT_LENGTH) return token;
  let end = EXCERPT_LENGTH;
  // do not cut a surrogate pair in two
  if ((token.charCodeAt(end - 1) & 0xfc00) === 0xd800) end--;
  return `${token.slice(0, end)}... (${token.length} characters)`;
}
