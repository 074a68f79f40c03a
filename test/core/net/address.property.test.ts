import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import {
  parseAddress, parseCidr, compareAddresses, cidrContains, maskAddress, specialAddressKind, type IPAddress,
} from '../../../src/core/net/address';

/** 16 bytes of an IPv6 address that is not IPv4-mapped. */
const v6bytes = fc
  .array(fc.integer({ min: 0, max: 255 }), { minLength: 16, maxLength: 16 })
  .filter((b) => !(b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff));
const v4bytes = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 });

/** Uncompressed text of 16 bytes, with random hex case and leading zeros. */
function longForm(bytes: number[], upper: boolean[], pad: boolean[]): string {
  const groups: string[] = [];
  for (let i = 0; i < 8; i++) {
    let g = ((bytes[2 * i] << 8) | bytes[2 * i + 1]).toString(16);
    if (pad[i]) g = g.padStart(4, '0');
    groups.push(upper[i] ? g.toUpperCase() : g);
  }
  return groups.join(':');
}

function numeric(bytes: readonly number[]): bigint {
  const full = bytes.length === 4 ? [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...bytes] : bytes;
  return full.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
}

const anyAddress = fc.oneof(
  v4bytes.map((b) => b.join('.')),
  fc.tuple(v6bytes, fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }), fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }))
    .map(([b, u, p]) => longForm(b, u, p)),
);

describe('core/net/address properties', () => {
  it('canonical text parses back to the same address and prints the same', () => {
    fc.assert(
      fc.property(anyAddress, (text) => {
        const a = parseAddress(text);
        const again = parseAddress(a.text);
        assert.equal(again.text, a.text);
        assert.equal(again.key, a.key);
        assert.deepEqual([...again.bytes], [...a.bytes]);
      }),
      { numRuns: 2000 },
    );
  });

  it('IPv6 canonical text follows RFC 5952: lowercase, no leading zeros, one longest :: of 2+ groups', () => {
    fc.assert(
      fc.property(v6bytes, fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }), (b, u) => {
        const t = parseAddress(longForm(b, u, u)).text;
        assert.equal(t, t.toLowerCase());
        assert.ok(t.split('::').length <= 2, t);
        for (const g of t.split(':')) assert.ok(g === '' || g === '0' || !g.startsWith('0'), t);
        const groups = b.reduce<number[]>((acc, _, i) => (i % 2 ? acc : [...acc, (b[i] << 8) | b[i + 1]]), []);
        let best = 0;
        for (let i = 0, run = 0; i < 8; i++) {
          run = groups[i] === 0 ? run + 1 : 0;
          best = Math.max(best, run);
        }
        assert.equal(t.includes('::'), best >= 2, t);
      }),
      { numRuns: 2000 },
    );
  });

  it('compareAddresses is numeric order, IPv4 as ::ffff:a.b.c.d', () => {
    fc.assert(
      fc.property(anyAddress, anyAddress, (x, y) => {
        const a = parseAddress(x);
        const b = parseAddress(y);
        const na = numeric(a.bytes);
        const nb = numeric(b.bytes);
        assert.equal(Math.sign(compareAddresses(a, b)), na < nb ? -1 : na > nb ? 1 : 0);
      }),
      { numRuns: 2000 },
    );
  });

  it('a masked address is a network that contains the address', () => {
    fc.assert(
      fc.property(anyAddress, fc.integer({ min: 0, max: 128 }), (text, len) => {
        const a = parseAddress(text);
        const prefix = a.family === 4 ? len % 33 : len;
        const net = parseCidr(`${maskAddress(a, prefix).text}/${prefix}`, 'reject');
        assert.ok(cidrContains(net, a));
        assert.equal(parseCidr(`${a.text}/${prefix}`, 'allow').address.key, a.key);
      }),
      { numRuns: 1000 },
    );
  });

  it('cidrContains agrees with masking both addresses', () => {
    fc.assert(
      fc.property(anyAddress, anyAddress, fc.integer({ min: 0, max: 128 }), (x, y, len) => {
        const a = parseAddress(x);
        const b = parseAddress(y);
        const prefix = a.family === 4 ? len % 33 : len;
        const net = parseCidr(`${a.text}/${prefix}`, 'allow');
        const want = a.family === b.family && maskAddress(a, prefix).key === maskAddress(b, prefix).key;
        assert.equal(cidrContains(net, b), want);
      }),
      { numRuns: 2000 },
    );
  });

  it('specialAddressKind agrees with the ranges of vm-network.md', () => {
    const inside = (a: IPAddress, net: string): boolean => cidrContains(parseCidr(net, 'reject'), a);
    const reference = (a: IPAddress): string | undefined =>
      inside(a, '0.0.0.0/32') || inside(a, '::/128') ? 'unspecified'
        : inside(a, '127.0.0.0/8') || inside(a, '::1/128') ? 'loopback'
          : inside(a, '224.0.0.0/4') || inside(a, 'ff00::/8') ? 'multicast'
            : inside(a, '255.255.255.255/32') ? 'broadcast'
              : undefined;
    // bias towards the special ranges: first bytes 0, 127, 224-255 and IPv6 ff.. / ::x
    const nearSpecial = fc.oneof(
      anyAddress,
      fc.tuple(fc.constantFrom(0, 127, 224, 239, 240, 255), fc.constantFrom(0, 255), fc.constantFrom(0, 1, 255), fc.constantFrom(0, 1, 254, 255))
        .map((b) => b.join('.')),
      fc.constantFrom('::', '::1', '::2', 'ff00::', 'ff02::1', 'fe00::1', '1::'),
    );
    fc.assert(
      fc.property(nearSpecial, (text) => {
        const a = parseAddress(text);
        assert.equal(specialAddressKind(a), reference(a), text);
      }),
      { numRuns: 3000 },
    );
  });
});
