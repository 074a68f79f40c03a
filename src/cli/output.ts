/** Writing a command's results. */
import type { Io } from './io';

// DEL and the C1 controls: JSON may carry them raw, a terminal must not get them
const RAW_CONTROL = /[\u007f-\u009f]/g;

/**
 * Pretty JSON, one document, newline-terminated. Control
 * characters in strings are always written as \u escapes (JSON.stringify
 * escapes only those below U+0020): the same value, and nothing a terminal
 * would act on.
 */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(RAW_CONTROL, (c) => `\\u00${c.charCodeAt(0).toString(16)}`) + '\n';
}

/** jsonText on stdout. */
export function printJson(io: Pick<Io, 'stdout'>, value: unknown): void {
  io.stdout.write(jsonText(value));
}
