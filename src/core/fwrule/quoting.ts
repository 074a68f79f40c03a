/**
 * Quoted tag names and values: reading `"..."` with its JSON-like escapes,
 * and writing the canonical quoted form, which escapes what the lexer
 * needs escaped plus every character that would not show on a terminal.
 */

const UNESCAPE: Readonly<Record<string, string>> = {
  '"': '"', '\\': '\\', '/': '/', '(': '(', ')': ')',
  b: '\b', f: '\f', n: '\n', r: '\r', t: '\t',
};

const ESCAPE_SEQUENCE = /\\(u[0-9a-fA-F]{4}|.)/g;

/** The text of a STRING token (quotes included), escapes resolved. */
export function unquote(token: string): string {
  const body = token.slice(1, -1);
  if (!body.includes('\\')) return body;
  return body.replace(ESCAPE_SEQUENCE, (_, e: string) =>
    e.length === 5 ? String.fromCharCode(parseInt(e.slice(1), 16)) : (UNESCAPE[e] ?? e),
  );
}

/** Short escapes; every other escaped character is written `\uXXXX`. */
const SHORT_ESCAPE: Readonly<Record<string, string>> = {
  '"': '\\"', '\\': '\\\\', '(': '\\(', ')': '\\)',
  '\b': '\\b', '\t': '\\t', '\n': '\\n', '\f': '\\f', '\r': '\\r',
};

/**
 * What canonical text escapes: the lexer's specials, C0 controls and DEL,
 * and the Unicode space, separator and invisible-joiner characters.
 */
const NEEDS_ESCAPE =
  /["\\()\u0000-\u001f\u007f\u0085\u00a0\u1680\u180e\u2000-\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff]/g;

function escapeChar(c: string): string {
  return SHORT_ESCAPE[c] ?? '\\u' + c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
}

/** `"<text>"` with the canonical escapes. */
export function quote(text: string): string {
  NEEDS_ESCAPE.lastIndex = 0;
  return '"' + (NEEDS_ESCAPE.test(text) ? text.replace(NEEDS_ESCAPE, escapeChar) : text) + '"';
}
