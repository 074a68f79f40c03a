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
