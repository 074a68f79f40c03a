/**
 * The grammar's semantic actions (the `yy` of grammar/fwrule.jison): they
 * check each word, number and address where the parser meets it, so the
 * first bad token in the text is the one reported, and build the model's
 * values. Addresses go through the project's one address model.
 */
import { AddressError, parseAddress, parseCidr, type IPAddress } from '../net/address';
import { excerpt, ruleError } from './errors';
import { UUID_LOWER_CASE } from '../uuid';
import { ICMP_MAX, PORT_MAX, PORT_MIN, PRIORITY_MAX } from './limits';
import { unquote } from './quoting';
import type { IcmpType, Port, Protocol, Target } from './types';

/**
 * Keywords, each in its two spellings (all lower or all upper case), by
 * token name. A word that is not here is a WORD.
 */
const KEYWORDS = new Map<string, string>();
for (const kw of [
  'from', 'to', 'ip', 'subnet', 'any', 'all', 'tag', 'vm', 'vms', 'or', 'and', 'block', 'allow',
  'port', 'ports', 'tcp', 'udp', 'icmp', 'icmp6', 'ah', 'esp', 'type', 'code', 'priority',
]) {
  KEYWORDS.set(kw, kw.toUpperCase());
  KEYWORDS.set(kw.toUpperCase(), kw.toUpperCase());
}

/** The part of jison's lexer the word and string actions use. */
interface WordLexer {
  yytext: string;
  yyleng: number;
  yylineno: number;
  match: string;
  matched: string;
  _input: string;
  yylloc: { first_column: number; last_column: number; last_line: number };
  less(n: number): void;
  parseError(str: string, hash: unknown): never;
}

/** Drop the whitespace a token regex took in front of the token. */
function trimStart(lexer: WordLexer): string {
  let text = lexer.yytext;
  const first = text.charCodeAt(0);
  if (first <= 32 || (first > 127 && /^\s/.test(text))) {
    text = text.trimStart();
    lexer.yytext = text;
    lexer.match = text;
  }
  return text;
}

/** A run of characters that need no escape inside quotes. */
const PLAIN = /[^"\\]*/y;
/** One escape sequence (docs/fwrule.md: JSON-like, plus `\(` and `\)`). */
const ESCAPE = /\\(?:["bfnrt/()\\]|u[a-fA-F0-9]{4})/y;
/** jison's count of line breaks in a token (for its column numbers). */
const LINE_BREAKS = /(?:\r\n?|\n).*/g;

/**
 * Where the closing quote of a string ends (the index just past it) in
 * `input`, which starts right after the opening quote; -1 if the string
 * is unterminated or holds a bad escape. A loop over runs, not one regex:
 * a regex repeating a group once per character or escape overflows the
 * stack on a multi-megabyte string.
 */
function stringEnd(input: string): number {
  let i = 0;
  for (;;) {
    PLAIN.lastIndex = i;
    PLAIN.test(input);
    i = PLAIN.lastIndex;
    const c = input.charCodeAt(i);
    if (c === 34) return i + 1; // "
    if (c !== 92) return -1; // end of input
    ESCAPE.lastIndex = i;
    if (!ESCAPE.test(input)) return -1;
    i = ESCAPE.lastIndex;
  }
}

const DIGITS = /^\d+$/;

/** A decimal number within [min, max], or undefined. */
function decimal(text: string, min: number, max: number): number | undefined {
  if (!DIGITS.test(text)) return undefined;
  const n = Number(text);
  return n >= min && n <= max ? n : undefined;
}

function portNumber(text: string): number {
  const n = decimal(text, PORT_MIN, PORT_MAX);
  if (n === undefined) throw ruleError(`Port number "${excerpt(text)}" is invalid`);
  return n;
}

function portRange(startText: string, endText: string): Port {
  const start = portNumber(startText);
  const end = portNumber(endText);
  if (end < start) {
    throw ruleError(`The end of the range (${excerpt(endText)}) cannot be less than the start (${excerpt(startText)})`);
  }
  return { start, end };
}

/** Why an address the user wrote was refused, for scope ids and IPv4-mapped. */
function addressDetail(err: unknown): string {
  return err instanceof AddressError && (err.kind === 'scope' || err.kind === 'mapped') ? `: it ${err.reason}` : '';
}

const ANY: Target = Object.freeze({ kind: 'any' });
const ALL_VMS: Target = Object.freeze({ kind: 'allvms' });
const AH: Protocol = Object.freeze({ name: 'ah' });
const ESP: Protocol = Object.freeze({ name: 'esp' });

/** The actions, as the generated parser calls them (`yy.<name>`). */
export const actions = {
  ANY,
  ALL_VMS,
  AH,
  ESP,

  /**
   * A token with the whitespace before it: drop the whitespace from its
   * text. Punctuation is its own token name.
   */
  token(lexer: WordLexer, name?: string): string {
    const text = trimStart(lexer);
    return name ?? text;
  },

  /**
   * A run of word characters: a keyword or a WORD. Like the SmartOS lexer,
   * a keyword followed by `-` is still the keyword (`from-x` is FROM, `-`,
   * `x`), so the rest goes back to the input.
   */
  word(lexer: WordLexer): string {
    const text = trimStart(lexer);
    const kw = KEYWORDS.get(text);
    if (kw !== undefined) return kw;
    const dash = text.indexOf('-');
    if (dash > 0) {
      const head = KEYWORDS.get(text.slice(0, dash));
      if (head !== undefined) {
        const rest = text.length - dash;
        const end = lexer.yylloc.last_column - rest;
        lexer.less(dash);
        // jison's less() takes back one character of match/matched, not
        // the rest, and counts the leading whitespace into the column
        lexer.match = text.slice(0, dash);
        lexer.matched = lexer.matched.slice(0, lexer.matched.length - (rest - 1));
        lexer.yylloc.last_column = end;
        return head;
      }
    }
    return 'WORD';
  },

  /**
   * A double-quoted string: the lexer matched the whitespace and the
   * opening quote; this reads the rest and takes it into the token, as if
   * one regex had matched all of it. Text that is not a whole string is
   * left unmatched, so the lexer reports it as SmartOS's does.
   */
  string(lexer: WordLexer): string {
    const raw = lexer.match;
    trimStart(lexer);
    const input = lexer._input;
    const end = stringEnd(input);
    if (end < 0) {
      // as if no rule had matched at the quote (the whitespace before it was skipped)
      lexer.yytext = lexer.match = '';
      lexer.matched = lexer.matched.slice(0, -1);
      lexer._input = '"' + input;
      return lexer.parseError('', {});
    }
    const body = input.slice(0, end);
    lexer._input = input.slice(end);
    lexer.yytext = lexer.match = '"' + body;
    lexer.yyleng = lexer.yytext.length;
    lexer.matched += body;
    const whole = raw + body;
    if (/[\r\n]/.test(whole)) {
      // jison's line and column arithmetic over the whole token
      const all = whole.match(LINE_BREAKS) ?? [];
      const before = raw.match(LINE_BREAKS) ?? [];
      lexer.yylineno += all.length - before.length;
      lexer.yylloc.last_line = lexer.yylineno + 1;
      if (all.length > 0) {
        const last = all[all.length - 1];
        lexer.yylloc.last_column = last.length - (/^\r?\n?/.exec(last) as RegExpExecArray)[0].length;
      } else {
        lexer.yylloc.last_column = lexer.yylloc.first_column + whole.length;
      }
    } else {
      lexer.yylloc.last_column += body.length;
    }
    return 'STRING';
  },

  unquote,

  ip(text: string, family: 4 | 6): Target {
    let address: IPAddress;
    try {
      address = parseAddress(text);
    } catch (err) {
      throw ruleError(`IPv${family} address "${excerpt(text)}" is invalid${addressDetail(err)}`);
    }
    // as SmartOS: no host is ever 0.0.0.0 or the broadcast address
    if (family === 4 && (text === '0.0.0.0' || text === '255.255.255.255')) {
      throw ruleError(`IPv4 address "${text}" is invalid`);
    }
    return { kind: 'ip', address };
  },

  subnet(addressText: string, suffix: string): Target {
    const text = addressText + suffix;
    try {
      return { kind: 'subnet', cidr: parseCidr(text, 'reject') };
    } catch (err) {
      const kind = err instanceof AddressError ? err.kind : 'invalid';
      const why =
        kind === 'prefix'
          ? ' (bad prefix length)'
          : kind === 'hostbits'
            ? ' (bits set to right of mask)'
            : kind === 'invalid'
              ? ' (bad address component)'
              : `: ${(err as AddressError).message}`;
      throw ruleError(`Subnet "${excerpt(text)}" is invalid${why}`);
    }
  },

  vm(text: string): Target {
    if (!UUID_LOWER_CASE.test(text)) throw ruleError(`UUID "${excerpt(text)}" is invalid`);
    return { kind: 'vm', uuid: text };
  },

  tag(name: string, value?: string): Target {
    return value === undefined ? { kind: 'tag', name } : { kind: 'tag', name, value };
  },

  priority(text: string): number {
    const n = decimal(text, 0, PRIORITY_MAX);
    if (n === undefined) throw ruleError(`Priority level "${excerpt(text)}" is invalid`);
    return n;
  },

  /** `PORT n`: a single port. */
  port: portNumber,

  /** `PORTS a-b`: the lexer reads `a-b` as one word. */
  portOrRange(text: string): Port {
    const parts = text.split('-');
    if (parts.length === 1) return portNumber(text);
    if (parts.length === 2) return portRange(parts[0], parts[1]);
    throw ruleError(`"${excerpt(text)}" is not a valid port number or range`);
  },

  /** `PORTS a - b`. */
  range: portRange,

  icmpNumber(text: string, what: 'type' | 'code'): number {
    const n = decimal(text, 0, ICMP_MAX);
    if (n === undefined) throw ruleError(`ICMP ${what} "${excerpt(text)}" is invalid`);
    return n;
  },

  ports(name: 'tcp' | 'udp', ports: 'all' | Port[]): Protocol {
    return { name, ports };
  },

  types(name: 'icmp' | 'icmp6', types: 'all' | IcmpType[]): Protocol {
    return { name, types };
  },
};

