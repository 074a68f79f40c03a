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
    super(message);
    Error.stackTraceLimit = limit;
    this.name = 'FwruleError';
    this.field = field;
  }
}
