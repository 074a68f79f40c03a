import { strict as assert } from 'node:assert';
import {
  parseAddress, parseCidr, compareAddresses, cidrContains, prefixFromNetmask,
  netmaskFromPrefix, isLinkLocal, AddressError, specialAddressKind, describeSpecialAddress, type SpecialAddressKind,
} from '../../../src/core/net/address';

describe('core/net/address', () => {
  describe('RFC 5952 canonical text', () => {
    const vectors: Array<[string, string]> = [
      ['2001:DB8::1', '2001:db8::1'],
      ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
      ['2001:db8::0:1', '2001:db8::1'],
      ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
      ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
      ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
      ['0:0:0:0:0:0:0:0', '::'],
      ['::1', '::1'],
      ['FE80::A:b:C:d', 'fe80::a:b:c:d'],
      ['::10.0.0.1', '::a00:1'],
      ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304'],
      ['2001:db8:aaaa:bbbb:cccc:dddd:0:1', '2001:db8:aaaa:bbbb:cccc:dddd:0:1'],
      ['1:0:0:2:0:0:3:4', '1::2:0:0:3:4'],
      ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
      ['0:1:0:0:0:0:0:0', '0:1::'],
      ['0:0:0:0:0:0:0:1', '::1'],
      ['1::', '1::'],
    ];
    for (const [input, want] of vectors) {
      it(`${input} -> ${want}`, () => assert.equal(parseAddress(input).text, want));
    }
  });

  describe('rejects', () => {
    const bad: Array<[string, RegExp]> = [
      ['010.0.0.1', /not a valid/],
      ['1.2.3', /not a valid/],
      ['256.1.1.1', /not a valid/],
      ['1::2::3', /not a valid/],
      ['12345::', /not a valid/],
      ['::1.2.3.04', /not a valid/],
      [' ::1', /not a valid/],
      ['', /not an IP address/],
      ['fe80::1%net0', /scope identifier \(%net0\).*local to one host/],
      ['::ffff:10.0.0.1', /IPv4-mapped.*write the IPv4 address 10\.0\.0\.1/],
      ['::FFFF:a00:1', /IPv4-mapped.*10\.0\.0\.1/],
      // a dotted IPv4 tail is a strict dotted quad too: no hex, octal or short parts
      ['2001:db8::0x0a.0.0.1', /not a valid/],
      ['::1:0X0A.0.0.1', /not a valid/],
      ['1::0xa.012.0.1', /not a valid/],
      ['::0x0a.0.0.1', /not a valid/],
      ['::ffff:0x0a.0.0.1', /not a valid/],
      ['::1:10.1', /not a valid/],
      ['::1:167772161', /not a valid/],
      ['1:2:3:4:5:6::1.2.3.4', /not a valid/],
      ['1.2.3.4::', /not a valid/],
      ['::1.2.3.4:1', /not a valid/],
      ['0x0a.0.0.1', /not a valid/],
      ['10.1', /not a valid/],
    ];
    for (const [input, re] of bad) {
      it(JSON.stringify(input), () => {
        assert.throws(() => parseAddress(input), (e: unknown) => e instanceof AddressError && re.test(e.message));
      });
    }
  });

  it('orders numerically with IPv4 before global IPv6', () => {
    const list = ['2001:db8::1', '10.0.0.2', '::1', '10.0.0.10', '9.255.255.255', 'fe80::1'].map(parseAddress);
    list.sort(compareAddresses);
    assert.deepEqual(list.map((a) => a.text), ['::1', '9.255.255.255', '10.0.0.2', '10.0.0.10', '2001:db8::1', 'fe80::1']);
  });

  it('parses CIDR with and without host bits', () => {
    assert.equal(parseCidr('10.0.0.5/24', 'allow').text, '10.0.0.5/24');
    assert.throws(() => parseCidr('10.0.0.5/24', 'reject'), /bits set to the right of the \/24 prefix/);
    assert.equal(parseCidr('2001:DB8::/32', 'reject').text, '2001:db8::/32');
    assert.throws(() => parseCidr('10.0.0.0/33', 'allow'), /prefix length "33"/);
    assert.throws(() => parseCidr('::/129', 'allow'), /0 to 128/);
    assert.throws(() => parseCidr('10.0.0.0', 'allow'), /no prefix length/);
    assert.equal(parseCidr('0.0.0.0/0', 'reject').prefix, 0);
  });

  it('tests containment within a family only', () => {
    const net = parseCidr('10.0.0.0/8', 'reject');
    assert.ok(cidrContains(net, parseAddress('10.255.0.1')));
    assert.ok(!cidrContains(net, parseAddress('11.0.0.1')));
    assert.ok(!cidrContains(parseCidr('::/0', 'reject'), parseAddress('10.0.0.1')));
    assert.ok(isLinkLocal(parseAddress('febf::1')));
    assert.ok(!isLinkLocal(parseAddress('fec0::1')));
  });

  it('converts netmasks', () => {
    assert.equal(prefixFromNetmask('255.255.255.0'), 24);
    assert.equal(prefixFromNetmask('0.0.0.0'), 0);
    assert.equal(prefixFromNetmask('255.255.255.255'), 32);
    assert.throws(() => prefixFromNetmask('255.0.255.0'), /contiguous/);
    assert.equal(netmaskFromPrefix(20), '255.255.240.0');
  });

  describe('addresses no interface can hold (specialAddressKind)', () => {
    const table: Array<[string, SpecialAddressKind | undefined]> = [
      ['0.0.0.0', 'unspecified'],
      ['::', 'unspecified'],
      ['0:0:0:0:0:0:0:0', 'unspecified'],
      ['127.0.0.1', 'loopback'],
      ['127.255.255.254', 'loopback'],
      ['::1', 'loopback'],
      ['224.0.0.1', 'multicast'],
      ['239.255.255.255', 'multicast'],
      ['ff02::1', 'multicast'],
      ['FF05::1:3', 'multicast'],
      ['255.255.255.255', 'broadcast'],
      // ordinary unicast addresses, and the edges next to the special ranges
      ['0.0.0.1', undefined],
      ['126.255.255.255', undefined],
      ['128.0.0.1', undefined],
      ['223.255.255.255', undefined],
      ['240.0.0.1', undefined],
      ['255.255.255.254', undefined],
      ['10.0.0.255', undefined],
      ['::2', undefined],
      ['::1:0', undefined],
      ['1::', undefined],
      ['fe80::1', undefined],
      ['feff::1', undefined],
      ['2001:db8::1', undefined],
    ];
    for (const [text, kind] of table) {
      it(`${text}: ${kind ?? 'unicast'}`, () => assert.equal(specialAddressKind(parseAddress(text)), kind));
    }
    it('names each kind for a sentence', () => {
      assert.deepEqual(
        (['unspecified', 'loopback', 'multicast', 'broadcast'] as const).map(describeSpecialAddress),
        ['the unspecified address', 'a loopback address', 'a multicast address', 'the broadcast address'],
      );
    });
  });

  it('quotes at most 40 characters of a bad prefix or scope in a reason', () => {
    const long = '1'.repeat(100_000);
    assert.throws(() => parseCidr(`10.0.0.0/${long}`, 'allow'), (e: unknown) => e instanceof AddressError && e.reason.length < 120);
    assert.throws(() => parseAddress(`fe80::1%${long}`), (e: unknown) => e instanceof AddressError && e.reason.length < 200);
  });
});
