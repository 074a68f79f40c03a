/**
 * Errors a command raises on purpose. The base command prints them as one
 * line on stderr (`<bin>: <message>`), without a stack, and exits with
 * their status: 1 for bad input, 2 for a usage error.
 */
export class InputError extends Error {
  readonly exitCode: number = 1;
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

export class UsageError extends InputError {
  override readonly exitCode: number = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
