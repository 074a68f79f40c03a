/**
 * Text taken from input, made safe to print: control characters shown as
 * visible escapes, so a name can neither start a new line nor drive the
 * terminal.
 */

// C0 controls, DEL and C1 controls
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const HAS_CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function visible(c: string): string {
  const named = NAMED[c];
  if (named !== undefined) return named;
  const code = c.charCodeAt(0);
  const hex = code.toString(16).padStart(2, '0');
  // C0 and DEL as \xHH (\x1b, \x7f); C1 as \uHHHH (\u0085, \u009b)
  return code <= 0x7f ? `\\x${hex}` : `\\u00${hex}`;
}

/**
 * `s` with every C0/C1 control character and DEL turned into a visible
 * escape (`\n`, `\r`, `\t`, `\x1b`, `\x00`, `\x7f`, `\u0085`); any other
 * character, Unicode included, is left as it is.
 */
export function escapeControl(s: string): string {
  return HAS_CONTROL.test(s) ? s.replace(CONTROL, visible) : s;
}
