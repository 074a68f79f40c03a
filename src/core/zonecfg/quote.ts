/**
 * The one way a value reaches zonecfg text. zonecfg's lexer (zonecfg(8),
 * illumos zonecfg_lex.l) has no escapes: a quoted string runs from `"` to
 * the next `"` or newline, so a value holding `"` or a newline cannot be
 * written at all, and an unquoted word ends at a blank, `"`, `;`, `=`,
 * `[`, `]`, `(` or `)` (a word spelling a keyword such as `net` is
 * still taken as that text where a value is expected). The zone's
 * configuration is then stored as XML, where control characters do not
 * survive. So:
 *
 * - a value is written bare only when the property is written bare by
 *   vmadm and the value is one word of `[A-Za-z0-9_.:/+-]`;
 * - any other value is written between double quotes;
 * - a value holding `"`, a control character (newline, tab, CR, NUL...),
 *   a lone surrogate or U+FFFE/U+FFFF is refused with an AppError naming
 *   the property: it cannot be carried, and no quoting could make it safe.
 *
 * Values that may hold anything (alias, passwords, qemu options) never come
 * here raw: they are base64-encoded first (see resources.ts).
 */
import { AppError } from '../errors';

/** How a value is written when it is safe bare: as zonecfg users and VM.js write each property. */
export type ValueStyle = 'bare' | 'quoted';

/** A value checked for zonecfg, with the text to print. Built only by `zval`. */
export interface ZValue {
  readonly text: string;
  readonly raw: string;
}

const BARE = /^[A-Za-z0-9_.:/+-]+$/;

function describe(ch: string): string {
  if (ch === '"') return 'a double quote';
  if (ch === '\n') return 'a newline';
  const cp = ch.codePointAt(0) ?? 0;
  return `the character U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Why `raw` cannot be written to zonecfg, or undefined when it can. */
export function uncarriable(raw: string): string | undefined {
  // Control characters (DEL excepted: XML keeps it) and the two XML non-characters.
  const m = /["\u0000-\u001f\ufffe\uffff]/.exec(raw);
  if (m) return describe(m[0]);
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = raw.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) { i++; continue; }
      return 'an unpaired UTF-16 surrogate';
    }
    if (c >= 0xdc00 && c <= 0xdfff) return 'an unpaired UTF-16 surrogate';
  }
  return undefined;
}

/**
 * The value `raw` of property `what` as zonecfg text: bare when `style` is
 * 'bare' and the value is one safe token, else double-quoted. Throws
 * AppError when zonecfg cannot carry the value.
 */
export function zval(raw: string, what: string, style: ValueStyle = 'quoted'): ZValue {
  if (typeof raw !== 'string') throw new AppError(`${what}: value for zonecfg must be a string`);
  const why = uncarriable(raw);
  if (why !== undefined) throw new AppError(`${what}: cannot be written to the zone configuration (it contains ${why})`);
  const bare = style === 'bare' && BARE.test(raw);
  return { raw, text: bare ? raw : `"${raw}"` };
}

/** A non-negative integer property (rctls, vlan-id, memory in MiB). */
export function zint(n: unknown, what: string, style: ValueStyle = 'bare'): ZValue {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw new AppError(`${what}: must be a non-negative integer to be written to the zone configuration, not ${JSON.stringify(n) ?? String(n)}`);
  }
  return zval(String(n), what, style);
}

/** Base64 of the UTF-8 bytes of `s` (how vmadm stores alias, passwords and qemu options). */
export function base64(s: string, what: string): ZValue {
  if (uncarriable(s) === 'an unpaired UTF-16 surrogate') {
    throw new AppError(`${what}: cannot be written to the zone configuration (it contains an unpaired UTF-16 surrogate)`);
  }
  return zval(Buffer.from(s, 'utf8').toString('base64'), what, 'quoted');
}
