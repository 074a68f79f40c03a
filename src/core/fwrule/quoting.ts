/**
 * Quoted tag names and values: reading `"..."` with its JSON-like escapes,
 * and writing the canonical quoted form, which escapes what the lexer
 * needs escaped plus every character that would not show on a terminal.
 */
import { excerpt, ruleError } from './errors';

/** Lone (unpaired) UTF-16 surrogates: in `u` mode a pair is one code point. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * A lone surrogate in `s` (`\ud800` without its pair: no Unicode
 * character, and no UTF-8 can carry it) as `\uD800`, or undefined when
 * `s` is well-formed.
 */
export function loneSurrogate(s: string): string | undefined {
  const m = LONE_SURROGATE.exec(s);
  return m === null ? undefined : '\\u' + m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
}

const UNESCAPE: Readonly<Record<string, string>> = {
  '"': '"', '\\': '\\', '/': '/', '(': '(', ')': ')',
  b: '\b', f: '\f', n: '\n', r: '\r', t: '\t',
};

/** The value of the 4 hex digits at `at` (the lexer checked them). */
function hexValue(s: string, at: number): number {
  let n = 0;
  for (let k = at; k < at + 4; k++) {
    const c = s.charCodeAt(k);
    n = n * 16 + (c <= 57 ? c - 48 : (c | 32) - 87);
  }
  return n;
}

/**
 * The text of a STRING token (quotes included), escapes resolved. A `\uXXXX`
 * escape that leaves a lone surrogate is refused: the text would print as
 * U+FFFD and two different tags would look the same.
 */
export function unquote(token: string): string {
  const body = token.slice(1, -1);
  if (!body.includes('\\')) return body;
  // a loop, escapes gathered as character codes: a replace() callback per
  // escape makes a megabyte of escapes slow
  let text = '';
  let codes: number[] = [];
  const flush = (): void => {
    if (codes.length > 0) text += String.fromCharCode(...codes);
    codes = [];
  };
  let i = 0;
  for (let bs = body.indexOf('\\'); bs >= 0; bs = body.indexOf('\\', i)) {
    if (bs - i > 64) {
      flush();
      text += body.slice(i, bs);
    } else {
      for (let k = i; k < bs; k++) codes.push(body.charCodeAt(k));
    }
    const e = body[bs + 1];
    if (e === 'u') {
      codes.push(hexValue(body, bs + 2));
      i = bs + 6;
    } else {
      codes.push((UNESCAPE[e] ?? e).charCodeAt(0));
      i = bs + 2;
    }
    if (codes.length >= 4096) flush();
  }
  flush();
  text += body.slice(i);
  const lone = loneSurrogate(text);
  if (lone !== undefined) {
    throw ruleError(`String ${excerpt(token)} is invalid: ${lone} is a lone surrogate, not a Unicode character`);
  }
  return text;
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
