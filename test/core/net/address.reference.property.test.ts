/**
 * The address parser against a reference: ipaddr.js (a dev dependency,
 * never run on input by src/). Where both accept a text they agree on
 * the address and its canonical text; what ipaddr.js accepts beyond
 * vm-network.md (short, octal and hex IPv4, such parts in an IPv6 dotted
 * tail, scope identifiers, IPv4-mapped IPv6) is refused, with its kind;
 * and nothing is accepted that ipaddr.js refuses.
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import ipaddr = require('ipaddr.js');
import { AddressError, tryParseAddress, type AddressErrorKind, type IPAddress } from '../../../src/core/net/address';

const byte = fc.integer({ min: 0, max: 255 });
const bytes = (n: number): fc.Arbitrary<number[]> => fc.array(byte, { minLength: n, maxLength: n });

function isMapped(b: readonly number[]): boolean {
  return b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
}

/**
 * One RFC 4291 spelling of 16 bytes: each group in either case and with
 * up to 4 digits (leading zeros or not), `::` over any run of one or more
 * zero groups or none, the last 32 bits as a dotted quad or not.
 */
const v6Text = fc
  .record({
    b: bytes(16).filter((b) => !isMapped(b)),
    upper: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
    pad: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 8, maxLength: 8 }),
    dotted: fc.boolean(),
    gapPick: fc.nat(),
  })
  .map(({ b, upper, pad, dotted, gapPick }) => {
    const groups = Array.from({ length: 8 }, (_, g) => {
      const hex = ((b[2 * g] << 8) | b[2 * g + 1]).toString(16);
      const padded = hex.padStart(Math.min(4, hex.length + pad[g]), '0');
      return upper[g] ? padded.toUpperCase() : padded;
    });
    const words: string[] = dotted ? [...groups.slice(0, 6), b.slice(12).join('.')] : groups;
    const zeroRuns: Array<[number, number]> = [];
    const last = dotted ? 6 : 8; // `::` never covers the dotted quad
    for (let s = 0; s < last; s++) {
      for (let e = s; e < last && Number.parseInt(groups[e], 16) === 0; e++) zeroRuns.push([s, e + 1]);
    }
    const choice = gapPick % (zeroRuns.length + 1);
    if (choice === zeroRuns.length) return words.join(':');
    const [s, e] = zeroRuns[choice];
    return `${words.slice(0, s).join(':')}::${words.slice(e).join(':')}`;
  });

const v4Text = bytes(4).map((b) => b.join('.'));

/**
 * ipaddr.js reads `::a.b.c.d` (and only that spelling) as IPv4-mapped,
 * where RFC 4291 reads the IPv4-compatible ::a.b.c.d; `::0:a.b.c.d` is
 * the same address in a spelling ipaddr.js reads as the RFC does.
 */
function referenceText(text: string): string {
  return /^::\d+\.\d+\.\d+\.\d+$/.test(text) ? `::0:${text.slice(2)}` : text;
}

function assertAgrees(text: string, ours: IPAddress): void {
  const ref = ipaddr.parse(referenceText(text));
  assert.deepEqual([...ours.bytes], ref.toByteArray(), text);
  assert.equal(ours.family, ref.kind() === 'ipv4' ? 4 : 6, text);
  const refText = ref.kind() === 'ipv4' ? ref.toString() : (ref as ipaddr.IPv6).toRFC5952String();
  assert.equal(ours.text, refText, text);
}

function refusedAs(text: string, kind: AddressErrorKind): void {
  const r = tryParseAddress(text);
  assert.ok(r instanceof AddressError, `${JSON.stringify(text)} accepted as ${(r as IPAddress).text}`);
  assert.equal(r.kind, kind, `${JSON.stringify(text)}: ${r.message}`);
}

/**
 * An IPv4 part as ipaddr.js reads it and vm-network.md does not: hex, or
 * with a leading zero (octal to ipaddr.js in IPv4, decimal in an IPv6
 * tail: at most 0177 so that both readings are a byte).
 */
const loosePart = fc.oneof(
  fc.integer({ min: 0, max: 0o177 }).map((n) => `0${n.toString(8)}`),
  byte.map((n) => `0x${n.toString(16)}`),
  byte.map((n) => `0X${n.toString(16).toUpperCase()}`),
);
const strictPart = byte.map(String);

/** A dotted quad with at least one loose part. */
const looseQuad = fc
  .tuple(fc.array(fc.oneof(strictPart, loosePart), { minLength: 4, maxLength: 4 }), fc.nat(3), loosePart)
  .map(([parts, at, loose]) => parts.map((p, i) => (i === at ? loose : p)).join('.'));

describe('core/net/address against ipaddr.js', () => {
  it('where both accept: the same bytes and the same canonical text', () => {
    fc.assert(
      fc.property(fc.oneof(v4Text, v6Text), (text) => {
        const ours = tryParseAddress(text);
        assert.ok(!(ours instanceof AddressError), `${text}: ${(ours as AddressError).message}`);
        assert.ok(ipaddr.isValid(referenceText(text)), text);
        assertAgrees(text, ours);
      }),
      { numRuns: 5000 },
    );
  });

  it('the forms ipaddr.js accepts beyond vm-network.md are refused, each with its kind', () => {
    const forms: fc.Arbitrary<[string, AddressErrorKind]> = fc.oneof(
      // IPv4: octal, hex, a leading zero; short and 32-bit forms
      looseQuad.map((t): [string, AddressErrorKind] => [t, 'invalid']),
      fc.tuple(byte, fc.integer({ min: 0, max: 0xffffff })).map(([a, b]): [string, AddressErrorKind] => [`${a}.${b}`, 'invalid']),
      fc.integer({ min: 0, max: 0xffffffff }).chain((n) => fc.constantFrom(String(n), `0x${n.toString(16)}`)).map((t): [string, AddressErrorKind] => [t, 'invalid']),
      // IPv6 with such a dotted tail, after `::` or after groups
      fc.tuple(fc.constantFrom('::', '2001:db8::', '1:2:3:4:5:6:', '::1:', 'fe80::a:'), looseQuad).map(([head, quad]): [string, AddressErrorKind] => [head + quad, 'invalid']),
      // scope identifiers
      fc.tuple(v6Text, fc.stringMatching(/^[0-9a-z]{1,8}$/)).map(([t, zone]): [string, AddressErrorKind] => [`${t}%${zone}`, 'scope']),
      // IPv4-mapped, dotted or in hex groups, any case
      fc.tuple(bytes(4), fc.boolean(), fc.constantFrom('::ffff:', '::FFFF:', '0:0:0:0:0:ffff:', '::0:ffff:'))
        .map(([b, dotted, head]): [string, AddressErrorKind] => [
          head + (dotted ? b.join('.') : `${((b[0] << 8) | b[1]).toString(16)}:${((b[2] << 8) | b[3]).toString(16)}`),
          'mapped',
        ]),
    );
    fc.assert(
      fc.property(forms, ([text, kind]) => {
        assert.ok(ipaddr.isValid(text), `ipaddr.js refuses ${text}: not a form this test is about`);
        refusedAs(text, kind);
      }),
      { numRuns: 5000 },
    );
  });

  it('anything accepted is accepted by ipaddr.js as the same address (no other text gets through)', () => {
    const piece = fc.constantFrom(
      '0', '1', '9', 'a', 'F', 'ff', '00', '01', '10', '255', '256', '0x', 'x', 'ffff', '0000', '12345', ':', ':', '::', '.', '.', '%', '/', ' ', 'g', '\u0661',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 16 }).map((p) => p.join('')), (text) => {
        const ours = tryParseAddress(text);
        if (ours instanceof AddressError) return;
        assertAgrees(text, ours);
      }),
      { numRuns: 20000 },
    );
  });
});
