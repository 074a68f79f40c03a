import { escapeControl } from '../text';

/**
 * Why a rule or rule object is refused: one line, in the words of SmartOS
 * fwadm where it has them ("Port number \"65537\" is invalid").
 */
export class FwruleError extends Error {
  /** The payload field at fault: `rule` for anything in the rule text. */
  readonly field: string;

  constructor(message: string, field = 'rule') {
    // A user's mistake, not the program's: no stack to capture (it is
    // costly when a linter meets thousands of bad rules).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    // one line, nothing raw for a terminal to act on
    super(escapeControl(message));
    Error.stackTraceLimit = limit;
    this.name = 'FwruleError';
    this.field = field;
  }
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
