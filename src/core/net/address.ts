/**
 * The project's one address model: IPv4 and IPv6 addresses and CIDR
 * prefixes, parsed strictly, printed canonically (RFC 5952 for IPv6), and
 * ordered numerically. No other module parses an address.
 *
 * Pure: no I/O, and one parser of address text: IPv4 only as a strict
 * dotted quad (no leading zeros, no hex, octal or short forms), IPv6 in the
 * text forms of RFC 4291 with a strict dotted quad as its only IPv4 tail.
 * (No text reaches a second parser with other rules: ipaddr.js, for one,
 * reads `0x0a` and `012` as IPv4 parts and `::10.0.0.1` as IPv4-mapped.)
 */
import { AppError } from '../errors';

export type Family = 4 | 6;

/**
 * What is wrong with a rejected address: `scope` (a zone/scope identifier),
 * `mapped` (IPv4-mapped IPv6), `hostbits` (bits right of a CIDR prefix),
 * `prefix` (a bad prefix length), `invalid` (anything else).
 */
export type AddressErrorKind = 'invalid' | 'scope' | 'mapped' | 'hostbits' | 'prefix';

/** Why a text is not an acceptable address (bad input, exit 1). `reason` reads after the value. */
export class AddressError extends AppError {
  readonly input: string;
  readonly reason: string;
  readonly kind: AddressErrorKind;

  constructor(input: string, reason: string, kind: AddressErrorKind = 'invalid') {
    // A refused address is an answer, not a fault: no stack trace is taken
    // (capturing one was most of the cost of refusing 10,000 addresses).
    super(`${JSON.stringify(input)} ${reason}`, { stack: false });
    this.input = input;
    this.reason = reason;
    this.kind = kind;
  }
}

/** A parsed address; immutable; `text` is the canonical form. */
export interface IPAddress {
  readonly family: Family;
  /** Canonical text: dotted quad, or RFC 5952 IPv6. */
  readonly text: string;
  /** Network-order bytes: 4 for IPv4, 16 for IPv6. */
  readonly bytes: readonly number[];
  /**
   * 32 lowercase hex digits of the address as IPv6 (IPv4 as ::ffff:a.b.c.d):
   * comparing keys as strings orders addresses numerically.
   */
  readonly key: string;
}

/** An address with a prefix length. */
export interface Cidr {
  readonly address: IPAddress;
  readonly prefix: number;
  /** Canonical `addr/prefix`. */
  readonly text: string;
}

export type HostBits = 'allow' | 'reject';

const PREFIX = /^(?:0|[1-9]\d{0,2})$/;
const V4_KEY_PREFIX = '00000000000000000000ffff';

const HEX = Array.from({ length: 256 }, (_, i) => (i < 16 ? '0' : '') + i.toString(16));

function hexOf(bytes: readonly number[]): string {
  let out = '';
  for (const b of bytes) out += HEX[b];
  return out;
}

/**
 * RFC 5952 text of 16 bytes: lowercase hex, no leading zeros, the longest
 * run of two or more zero groups (the first of equal runs) as `::`.
 */
function v6Text(bytes: readonly number[]): string {
  const groups = new Array<number>(8);
  for (let g = 0; g < 8; g++) groups[g] = (bytes[2 * g] << 8) | bytes[2 * g + 1];
  let best = -1;
  let bestLength = 1;
  for (let g = 0; g < 8;) {
    if (groups[g] !== 0) {
      g++;
      continue;
    }
    const start = g;
    while (g < 8 && groups[g] === 0) g++;
    if (g - start > bestLength) {
      best = start;
      bestLength = g - start;
    }
  }
  let out = '';
  for (let g = 0; g < 8; g++) {
    if (g === best) {
      out += '::';
      g += bestLength - 1;
      continue;
    }
    if (g !== 0 && g !== best + bestLength) out += ':'; // none at the start or right after `::`
    out += groups[g].toString(16);
  }
  return out;
}

/**
 * An address value. Immutable by contract (readonly); IPv6 text is made on
 * first use, since comparisons and checks need only the key.
 */
class Address implements IPAddress {
  private canonical: string | undefined;

  constructor(
    readonly family: Family,
    readonly bytes: readonly number[],
    readonly key: string,
    text?: string,
  ) {
    this.canonical = text;
  }

  get text(): string {
    return (this.canonical ??= v6Text(this.bytes));
  }

  toJSON(): { family: Family; text: string } {
    return { family: this.family, text: this.text };
  }
}

class CidrValue implements Cidr {
  constructor(
    readonly address: IPAddress,
    readonly prefix: number,
  ) {}

  get text(): string {
    return `${this.address.text}/${this.prefix}`;
  }

  toJSON(): { address: IPAddress; prefix: number } {
    return { address: this.address, prefix: this.prefix };
  }
}

function makeV4(bytes: number[], text: string): IPAddress {
  return new Address(4, bytes, V4_KEY_PREFIX + hexOf(bytes), text);
}

function makeV6(bytes: number[]): IPAddress {
  return new Address(6, bytes, hexOf(bytes));
}

/**
 * The four bytes of the strict dotted quad `text[start..]` (four decimal
 * parts of 1 to 3 digits, each 0-255, no leading zero: no octal, hex or
 * short forms), or undefined.
 */
function parseQuad(text: string, start: number): number[] | undefined {
  const n = text.length;
  const bytes: number[] = [];
  let i = start;
  for (;;) {
    const first = i;
    let value = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) break;
      value = value * 10 + (c - 48);
      i++;
    }
    const digits = i - first;
    if (digits === 0 || digits > 3 || value > 255) return undefined;
    if (digits > 1 && text.charCodeAt(first) === 48) return undefined; // a leading zero
    bytes.push(value);
    if (bytes.length === 4) return i === n ? bytes : undefined;
    if (i === n || text.charCodeAt(i) !== 46) return undefined; // '.'
    i++;
  }
}

function parseV4(input: string): IPAddress | undefined {
  const bytes = parseQuad(input, 0);
  // strict text is canonical text
  return bytes === undefined ? undefined : makeV4(bytes, input);
}

/** The value of a hex digit's character code, or -1. */
function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  if (c >= 97 && c <= 102) return c - 87; // a-f
  if (c >= 65 && c <= 70) return c - 55; // A-F
  return -1;
}

/**
 * The 16 bytes of an IPv6 address in RFC 4291 text (section 2.2): eight
 * groups of 1 to 4 hex digits (any case) separated by colons, or fewer
 * around one `::` that stands for at least one group of zeros; the last
 * two groups may be written as a strict dotted quad (parseQuad). Undefined
 * for anything else. One pass, no strings made.
 */
function parseV6Bytes(text: string): number[] | undefined {
  const n = text.length;
  const groups: number[] = [];
  let gap = -1; // index in groups where `::` stands
  let i = 0;
  if (text.charCodeAt(0) === 58) { // a leading colon only as `::`
    if (text.charCodeAt(1) !== 58) return undefined;
    gap = 0;
    i = 2;
  }
  while (i < n) {
    const start = i;
    let value = 0;
    for (; i < n; i++) {
      const h = hexDigit(text.charCodeAt(i));
      if (h < 0) break;
      value = (value << 4) | h;
    }
    const digits = i - start;
    if (i < n && text.charCodeAt(i) === 46) { // '.': the rest is a dotted quad
      const quad = parseQuad(text, start);
      if (quad === undefined) return undefined;
      groups.push((quad[0] << 8) | quad[1], (quad[2] << 8) | quad[3]);
      break;
    }
    if (digits === 0 || digits > 4) return undefined; // `:::`, a stray character, a long group
    groups.push(value);
    if (i === n) break;
    if (text.charCodeAt(i) !== 58 || groups.length > 8) return undefined;
    i++;
    if (i < n && text.charCodeAt(i) === 58) {
      if (gap >= 0) return undefined; // a second `::`
      gap = groups.length;
      i++;
    } else if (i === n) return undefined; // a trailing single colon
  }
  const count = groups.length;
  if (gap < 0 ? count !== 8 : count > 7) return undefined;
  const bytes = new Array<number>(16).fill(0);
  const fill = 8 - count;
  for (let g = 0; g < count; g++) {
    const at = gap >= 0 && g >= gap ? g + fill : g;
    bytes[at * 2] = groups[g] >> 8;
    bytes[at * 2 + 1] = groups[g] & 0xff;
  }
  return bytes;
}

function parseV6(input: string): IPAddress | undefined {
  const bytes = parseV6Bytes(input);
  return bytes === undefined ? undefined : makeV6(bytes);
}

/**
 * Parse an IPv4 (strict dotted quad) or IPv6 (any RFC 4291 form, any hex
 * case) address. Throws AddressError for anything else, including scope
 * identifiers and IPv4-mapped IPv6 addresses, saying why.
 */
export function parseAddress(input: string): IPAddress {
  if (typeof input !== 'string' || input === '') {
    throw new AddressError(String(input), 'is not an IP address');
  }
  if (!input.includes(':')) {
    const v4 = parseV4(input);
    if (v4) return v4;
    throw new AddressError(input, 'is not a valid IPv4 or IPv6 address');
  }
  const pct = input.indexOf('%');
  if (pct >= 0) {
    throw new AddressError(
      input,
      `has a scope identifier (${clip(input.slice(pct))}): scope identifiers are local to one host and are not allowed`,
      'scope',
    );
  }
  const v6 = parseV6(input);
  if (!v6) throw new AddressError(input, 'is not a valid IPv4 or IPv6 address');
  if (isV4Mapped(v6)) {
    const v4 = v6.bytes.slice(12).join('.');
    throw new AddressError(
      input,
      `is an IPv4-mapped IPv6 address: write the IPv4 address ${v4} instead`,
      'mapped',
    );
  }
  return v6;
}

/** At most 40 characters of a part of the input quoted in a reason (a hostile input can be megabytes). */
function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** Parse, or return the error instead of throwing it. */
export function tryParseAddress(input: string): IPAddress | AddressError {
  try {
    return parseAddress(input);
  } catch (err) {
    if (err instanceof AddressError) return err;
    throw err;
  }
}

function isV4Mapped(a: IPAddress): boolean {
  if (a.family !== 6) return false;
  const b = a.bytes;
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

function maxPrefix(family: Family): number {
  return family === 4 ? 32 : 128;
}

/** The address with every bit right of `prefix` cleared. */
export function maskAddress(a: IPAddress, prefix: number): IPAddress {
  const bytes = a.bytes.map((b, i) => {
    const bits = Math.min(8, Math.max(0, prefix - i * 8));
    return b & ((0xff << (8 - bits)) & 0xff);
  });
  return a.family === 4 ? makeV4(bytes, bytes.join('.')) : makeV6(bytes);
}

/**
 * Parse `addr/len`. With hostBits 'reject' (routes, ranges, subnets), no
 * bit right of the prefix may be set; with 'allow' (an interface's own
 * address) it may.
 */
export function parseCidr(input: string, hostBits: HostBits): Cidr {
  if (typeof input !== 'string') throw new AddressError(String(input), 'is not a CIDR address');
  const slash = input.lastIndexOf('/');
  if (slash < 0) {
    throw new AddressError(input, 'has no prefix length (expected address/length)', 'prefix');
  }
  const address = parseAddress(input.slice(0, slash));
  const lenText = input.slice(slash + 1);
  const max = maxPrefix(address.family);
  if (!PREFIX.test(lenText) || Number(lenText) > max) {
    throw new AddressError(
      input,
      `has an invalid prefix length "${clip(lenText)}" (IPv${address.family} allows 0 to ${max})`,
      'prefix',
    );
  }
  const prefix = Number(lenText);
  if (hostBits === 'reject' && maskAddress(address, prefix).key !== address.key) {
    throw new AddressError(input, `has bits set to the right of the /${prefix} prefix`, 'hostbits');
  }
  return new CidrValue(address, prefix);
}

/** Numeric order; IPv4 sorts as its ::ffff: form, before any global IPv6. */
export function compareAddresses(a: IPAddress, b: IPAddress): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

export function sameAddress(a: IPAddress, b: IPAddress): boolean {
  return a.key === b.key && a.family === b.family;
}

/** Whether `a` lies inside the network `net` (families must match). */
export function cidrContains(net: Cidr, a: IPAddress): boolean {
  if (net.address.family !== a.family) return false;
  const x = net.address.bytes;
  const y = a.bytes;
  const whole = net.prefix >> 3;
  for (let i = 0; i < whole; i++) if (x[i] !== y[i]) return false;
  const bits = net.prefix & 7;
  if (bits === 0) return true;
  const mask = (0xff << (8 - bits)) & 0xff;
  return (x[whole] & mask) === (y[whole] & mask);
}

const LINK_LOCAL_V6 = parseCidr('fe80::/10', 'reject');

export function isLinkLocal(a: IPAddress): boolean {
  return cidrContains(LINK_LOCAL_V6, a);
}

/**
 * Prefix length of a dotted-quad IPv4 netmask; throws AddressError unless
 * the mask is a valid address with contiguous leading ones.
 */
export function prefixFromNetmask(mask: string): number {
  const a = parseAddress(mask);
  if (a.family !== 4) throw new AddressError(mask, 'is not an IPv4 netmask');
  const n = a.bytes.reduce((acc, b) => acc * 256 + b, 0);
  const inverted = 0xffffffff - n;
  // contiguous ones from the left <=> inverted+1 is a power of two
  if ((inverted & (inverted + 1)) !== 0) {
    throw new AddressError(mask, 'is not a contiguous netmask');
  }
  return 32 - Math.log2(inverted + 1);
}

/** Dotted-quad netmask of an IPv4 prefix length (0-32). */
export function netmaskFromPrefix(prefix: number): string {
  const bytes = [0, 0, 0, 0].map((_, i) => {
    const bits = Math.min(8, Math.max(0, prefix - i * 8));
    return (0xff << (8 - bits)) & 0xff;
  });
  return bytes.join('.');
}

/**
 * The addresses no interface can hold as its own or use as a gateway:
 * `unspecified` (0.0.0.0, ::), `loopback` (127.0.0.0/8, ::1), `multicast`
 * (224.0.0.0/4, ff00::/8) and `broadcast` (255.255.255.255).
 */
export type SpecialAddressKind = 'unspecified' | 'loopback' | 'multicast' | 'broadcast';

/** Which special address `a` is (see SpecialAddressKind), or undefined for an ordinary unicast address. */
export function specialAddressKind(a: IPAddress): SpecialAddressKind | undefined {
  const b = a.bytes;
  if (a.family === 4) {
    if (b[0] === 0 && b[1] === 0 && b[2] === 0 && b[3] === 0) return 'unspecified';
    if (b[0] === 127) return 'loopback';
    if (b[0] >= 224 && b[0] <= 239) return 'multicast';
    if (b[0] === 255 && b[1] === 255 && b[2] === 255 && b[3] === 255) return 'broadcast';
    return undefined;
  }
  if (b[0] === 0xff) return 'multicast';
  for (let i = 0; i < 15; i++) if (b[i] !== 0) return undefined;
  if (b[15] === 0) return 'unspecified';
  if (b[15] === 1) return 'loopback';
  return undefined;
}

const SPECIAL_WORDS: Record<SpecialAddressKind, string> = {
  unspecified: 'the unspecified address',
  loopback: 'a loopback address',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
};

/** `the unspecified address`, `a loopback address`, ...: the kind as a sentence names it. */
export function describeSpecialAddress(kind: SpecialAddressKind): string {
  return SPECIAL_WORDS[kind];
}
