/**
 * Node's system errors read by their code (`ENOENT`, `EEXIST`, ...): the
 * one copy of these checks for the stores and hosts. Pure: no I/O of its
 * own.
 */

/** Whether `err` is a system error with this code. */
export function isCode(err: unknown, code: string): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === code;
}

/** Whether `err` says a file or directory does not exist. */
export function isEnoent(err: unknown): boolean {
  return isCode(err, 'ENOENT');
}

/**
 * Wait for a file operation that may find nothing there (unlink, rename,
 * link of a file that may be gone): true when it was done, false when it
 * failed with ENOENT; any other failure is thrown.
 */
export async function ignoreENOENT(operation: Promise<unknown>): Promise<boolean> {
  try {
    await operation;
    return true;
  } catch (err) {
    if (!isEnoent(err)) throw err;
    return false;
  }
}
