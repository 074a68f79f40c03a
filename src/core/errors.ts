/**
 * The one base of every error the project raises on purpose: the core, the
 * stores and the hosts throw these, and the CLI prints them as one line
 * (`<bin>: <message>`) with their exit status, never as internal errors.
 */
export class AppError extends Error {
  /** 1: bad input or a failed operation; 2: a usage error. */
  readonly exitCode: number = 1;
  constructor(message: string) {
    super(message);
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
