/**
 * Why a rule or rule object is refused: one line, in the words of SmartOS
 * fwadm where it has them ("Port number \"65537\" is invalid").
 */
export class FwruleError extends Error {
  /** The payload field at fault: `rule` for anything in the rule text. */
  readonly field: string;

  constructor(message: string, field = 'rule') {
    super(message);
    this.name = 'FwruleError';
    this.field = field;
  }
}
