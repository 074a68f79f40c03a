/**
 * The one base of every error the project raises on purpose: the core, the
 * stores and the hosts throw these, and the CLI prints them as one line
 * (`<bin>: <message>`) with their exit status, never as internal errors.
 *
 * The kinds: AppError itself (bad input or a failed operation, exit 1),
 * UsageError (exit 2), NotFoundError and HostError (exit 1). Any of them
 * may carry several messages, one line each: fwadm prints each on its own
 * line, as SmartOS prints the sub-errors of a MultiError.
 */

export interface AppErrorOptions {
  /** The input field at fault, when one is (fwrule: `rule` for anything in the rule text). */
  readonly field?: string;
  /**
   * false: take no stack trace. A refusal is an answer, not a fault, and a
   * linter or a parser of addresses may give thousands: the stack was most
   * of their cost.
   */
  readonly stack?: false;
}

export class AppError extends Error {
  /** 1: bad input or a failed operation; 2: a usage error. */
  readonly exitCode: number = 1;
  /** Each problem, one line each, in input order; `message` is them joined by newlines. */
  readonly messages: readonly string[];
  readonly field?: string;

  constructor(messages: string | readonly string[], options: AppErrorOptions = {}) {
    const list = typeof messages === 'string' ? [messages] : [...messages];
    const limit = Error.stackTraceLimit;
    if (options.stack === false) Error.stackTraceLimit = 0;
    try {
      super(list.join('\n'));
    } finally {
      Error.stackTraceLimit = limit;
    }
    this.messages = list;
    if (options.field !== undefined) this.field = options.field;
    this.name = new.target.name;
  }
}

/** A command used wrongly (a missing argument, stdin a terminal): exit 2. */
export class UsageError extends AppError {
  override readonly exitCode: number = 2;
}

/** A VM, rule or remote VM that does not exist: exit 1. */
export class NotFoundError extends AppError {}

/** A program on the host (zonecfg, zoneadm, zfs, ipf, ipfstat) failed: exit 1, its stderr in the message. */
export class HostError extends AppError {}

/** The exit status of a command stopped by a signal: 128 + its number (SIGHUP 129, SIGINT 130, SIGTERM 143). */
export function signalExitCode(signal: string): number {
  return signal === 'SIGHUP' ? 129 : signal === 'SIGTERM' ? 143 : 130;
}

/** A change stopped by SIGINT, SIGTERM or SIGHUP before it was made: nothing changed. */
export class InterruptedError extends AppError {
  override readonly exitCode: number;
  constructor(readonly signal: string) {
    super('interrupted: nothing was changed');
    this.exitCode = signalExitCode(signal);
  }
}
