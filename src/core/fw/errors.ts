/**
 * fwadm's errors: one or more one-line messages (SmartOS prints each
 * sub-error of a MultiError on its own line). Both extend the project's
 * AppError, so the CLI prints them without a stack, exit status 1.
 */
import { AppError, NotFoundError } from '../errors';

/** Bad input to fwadm (rule payloads, remote VMs, display fields). */
export class FwError extends AppError {
  /** Each problem, one line each, in input order. */
  readonly messages: readonly string[];
  constructor(messages: string | readonly string[]) {
    const list = typeof messages === 'string' ? [messages] : [...messages];
    super(list.join('\n'));
    this.messages = list;
  }
}

/** A rule or remote VM that does not exist. */
export class FwNotFoundError extends NotFoundError {
  readonly messages: readonly string[];
  constructor(messages: string | readonly string[]) {
    const list = typeof messages === 'string' ? [messages] : [...messages];
    super(list.join('\n'));
    this.messages = list;
  }
}
