/**
 * Text taken from the input and shown to a user: made safe for one line
 * of a terminal.
 */

/** C0 controls, DEL and C1 controls. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

const SHORT: Readonly<Record<string, string>> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function escapeOne(c: string): string {
  return SHORT[c] ?? '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0');
}

/**
 * `s` with every C0/C1 control character and DEL written as a visible
 * escape (`\t`, `\n`, `\r`, otherwise `\xHH`, e.g. ESC as `\x1b`), so it
 * cannot break a line or drive a terminal. Other characters, printable
 * Unicode included, are left as they are.
 */
export function escapeControl(s: string): string {
  CONTROL.lastIndex = 0;
  return CONTROL.test(s) ? s.replace(CONTROL, escapeOne) : s;
}
