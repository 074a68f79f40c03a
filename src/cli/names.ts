/**
 * Names taken from the input (property, route, tag and NIC keys, a brand,
 * a file name) as messages print them: a plain name as it is, any other in
 * double quotes with its quotes, backslashes and control characters
 * escaped, so that a name can never print a line of its own nor read as
 * two names.
 */
import { escapeControl } from '../core/text';

// printable, no quote, backslash or comma, no white space at either end
const PLAIN = /^(?!\s)[^\u0000-\u001f\u007f-\u009f"\\,]*(?<!\s)$/;

/**
 * `text` in double quotes, its quotes, backslashes and control characters
 * escaped; longer than `max` characters, cut there and marked `..."`.
 */
export function quoteText(text: string, max = Infinity): string {
  const cut = text.length > max;
  const body = escapeControl((cut ? text.slice(0, max) : text).replace(/[\\"]/g, '\\$&'));
  return cut ? `"${body}..."` : `"${body}"`;
}

/** `name` for a message: as is when plain, otherwise quoted and escaped. */
export function showName(name: string): string {
  return name !== '' && PLAIN.test(name) ? name : quoteText(name);
}
