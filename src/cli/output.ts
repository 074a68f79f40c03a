/** Writing a command's results. */

/** Pretty JSON, one document, newline-terminated, on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** One line on stderr. */
export function printError(line: string): void {
  process.stderr.write(line + '\n');
}
