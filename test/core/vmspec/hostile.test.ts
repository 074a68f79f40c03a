/**
 * Hostile payloads (issue 9): the checks stay linear and stop early, and a
 * report stays bounded however many problems the input holds. Speed is
 * measured by bench/hostile, not here: these tests assert what the user
 * sees (which names, how many sentences), and that the linear checks agree
 * with naive ones on small inputs.
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { parseAddress, parseCidr } from '../../../src/core/net/address';
import { checkNic, MAX_NIC_ADDRESSES } from '../../../src/core/vmspec/nic';
import { MAX_MESSAGES_PER_NAME, ReportBuilder } from '../../../src/core/vmspec/report';
import { MAX_ENTRIES, MAX_VALUES } from '../../../src/core/vmspec/size';
import { validateCreate, validateUpdate, type ValidationResult } from '../../../src/core/vmspec/validate';

type Payload = Record<string, unknown>;
const NIC = { nic_tag: 'external' };
const range = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));
const v4 = (i: number): string => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
const far = (i: number): string => `11.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
const zone = (nics: unknown[], extra: Payload = {}): Payload => ({ brand: 'joyent', image_uuid: '2b683a82-a066-11e3-97ab-2faa44701c5a', nics, ...extra });

/** Sentences per report name (the part before the first `: `). */
function perName(r: ValidationResult): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of r.messages) {
    const name = m.slice(0, m.indexOf(': '));
    const lines = out.get(name);
    if (lines) lines.push(m);
    else out.set(name, [m]);
  }
  return out;
}

/** Every name has a sentence, none more than the bound (+ one `... and N more` line), one line each. */
function assertBounded(r: ValidationResult): void {
  const byName = perName(r);
  for (const [name, lines] of byName) {
    assert.ok(lines.length <= MAX_MESSAGES_PER_NAME + 1, `${name}: ${lines.length} sentences`);
    if (lines.length === MAX_MESSAGES_PER_NAME + 1) assert.match(lines[MAX_MESSAGES_PER_NAME], /: \.\.\. and \d+ more$/);
  }
  for (const m of r.messages) {
    assert.ok(m.length <= 400, `a sentence of ${m.length} characters: ${m.slice(0, 100)}...`);
    assert.ok(!m.includes('\n'), m);
  }
  const names = [...(r.report.bad_values ?? []), ...(r.report.bad_properties ?? []), ...(r.report.missing_properties ?? [])];
  assert.equal(new Set(names).size, names.length, 'a name listed twice');
  for (const name of names) assert.ok(byName.has(name), `no sentence for ${name}`);
}

describe('vmspec: hostile payloads stay bounded (issue 9)', () => {
  describe('sizes beyond any vmadm payload are refused with one sentence', () => {
    const cases: Array<[string, Payload, string, RegExp]> = [
      ['one NIC with 60,000 ips', zone([{ ...NIC, ips: range(60000, (i) => `${v4(i)}/8`) }]), 'nics.0.ips', /^nics\.0\.ips: has 60000 items; no list or object in a vmadm payload may hold more than 10000$/],
      ['"nics": [0 x 600,000]', zone(range(600000, () => 0)), 'nics', /^nics: has 600000 items/],
      ['network_uuids with 30,000 keys', zone([{ ...NIC, ips: ['10.0.0.1/8'], network_uuids: Object.fromEntries(range(30000, (i) => [far(i), 'x'])) }]), 'nics.0.network_uuids', /has 30000 keys/],
      ['45,000 NICs sharing one address', zone(range(45000, () => ({ ...NIC, ips: ['10.0.0.1/8'] }))), 'nics', /^nics: has 45000 items/],
      ['60,000 unknown properties', { brand: 'joyent', ...Object.fromEntries(range(60000, (i) => [`k${i}`, 1])) }, 'payload', /^payload: has 60001 keys/],
      [`more than ${MAX_VALUES} values in all`, zone(range(10, () => ({ ...NIC, ips: range(MAX_ENTRIES - 1, () => 'dhcp') }))), 'nics', /^nics: the payload holds more than 20000 values/],
    ];
    for (const [what, payload, name, says] of cases) {
      it(what, () => {
        const r = validateCreate(payload);
        assert.deepEqual(r.report, { bad_values: [name] });
        assert.equal(r.messages.length, 1, r.messages.slice(0, 3).join('\n'));
        assert.match(r.messages[0], says);
      });
    }

    it('for update payloads too', () => {
      const r = validateUpdate({ add_nics: [{ ...NIC, ips: range(MAX_ENTRIES + 1, () => 'dhcp') }] });
      assert.deepEqual(r.report, { bad_values: ['add_nics.0.ips'] });
      assert.equal(r.messages.length, 1);
    });

    it('a list of exactly the limit is checked as usual; nesting below what the checks read is not counted', () => {
      const r = validateCreate(zone([], { resolvers: range(MAX_ENTRIES, (i) => v4(i)) }));
      assert.deepEqual([r.report, r.messages], [{}, []]);
      const deep = validateCreate(zone([], { tags: { a: JSON.parse('['.repeat(60000) + ']'.repeat(60000)) } }));
      assert.deepEqual(deep.report, { bad_values: ['tags.a'] });
    });
  });

  describe('class 1: over the 32-entry cap a NIC is refused without per-address work beyond the cap', () => {
    it('10,000 bad ips: the cap, then at most a bounded number of sentences', () => {
      const r = validateCreate(zone([{ ...NIC, ips: range(MAX_ENTRIES, (i) => `bad${i}`), gateways: ['10.0.0.1'], network_uuids: { '10.0.0.9': 'x' } }]));
      assertBounded(r);
      assert.match(r.messages[0], /^nics\.0: has 10000 entries in ips, allowed_ips and vrrp_primary_ip together; at most 32/);
      assert.ok(r.messages.length <= 1 + 2 * (MAX_MESSAGES_PER_NAME + 1), r.messages.join('\n'));
    });

    it('3,000 NICs sharing one address or one interface: one sentence each, naming the first few NICs', () => {
      const r = validateCreate(zone(range(3000, () => ({ ...NIC, interface: 'net0', ips: ['10.0.0.1/8'] }))));
      assert.deepEqual(r.report, { bad_values: ['nics'] });
      assert.deepEqual(r.messages, [
        'nics: interface net0 is used by nics.0, nics.1, nics.2 and 2997 more',
        'nics: address 10.0.0.1 is used by nics.0, nics.1, nics.2 and 2997 more',
      ]);
    });

    it('a shared MAC that is not a MAC is shown short', () => {
      const mac = 'x'.repeat(100_000);
      const r = validateCreate(zone([{ ...NIC, mac }, { ...NIC, mac }]));
      assertBounded(r);
      assert.ok(r.messages.some((m) => /^nics: MAC "x+\.\.\." is used by nics\.0 and nics\.1$/.test(m)), r.messages.join('\n'));
    });

    /** Spellings of a few addresses: duplicates in canonical form are the point. */
    const spelling = fc.constantFrom(
      '10.0.0.1/24', '10.0.0.1/16', '10.0.0.2/24', 'fd00::1/64', 'FD00:0::1/48', 'fd00:0:0:0:0:0:0:1/128', 'fd00::2/64', '2001:db8::1/64', 'dhcp', 'addrconf',
    );
    const canonical = (item: string): string => (item === 'dhcp' || item === 'addrconf' ? item : parseCidr(item, 'allow').address.key);

    it('duplicate detection in ips agrees with a naive pairwise check', () => {
      fc.assert(
        fc.property(fc.array(spelling, { maxLength: 12 }), (ips) => {
          const report = new ReportBuilder();
          checkNic({ ...NIC, ips }, 'nics.0', {}, report);
          const got = report.result().messages.filter((m) => / repeats the address | is listed twice$/.test(m)).length;
          // one sentence per distinct (item, first earlier item with its address)
          const repeats = new Set<string>();
          for (let i = 0; i < ips.length; i++) {
            const first = ips.slice(0, i).findIndex((earlier) => canonical(earlier) === canonical(ips[i]));
            if (first >= 0) repeats.add(`${ips[i]} ${first}`);
          }
          const want = repeats.size;
          assert.equal(got, Math.min(want, MAX_MESSAGES_PER_NAME));
          const more = report.result().messages.find((m) => /^nics\.0\.ips: \.\.\. and \d+ more$/.test(m));
          assert.equal(more !== undefined, want > MAX_MESSAGES_PER_NAME);
        }),
        { numRuns: 500 },
      );
    });

    it('addresses shared between NICs agree with a naive check over every pair of NICs', () => {
      fc.assert(
        fc.property(fc.array(fc.uniqueArray(spelling, { maxLength: 4, selector: canonical }), { maxLength: 7 }), (lists) => {
          const r = validateCreate(zone(lists.map((ips) => ({ ...NIC, ips }))));
          const statics = lists.map((ips) => new Set(ips.filter((i) => i !== 'dhcp' && i !== 'addrconf').map(canonical)));
          const shared = new Map<string, number[]>();
          statics.forEach((keys, n) => keys.forEach((k) => shared.set(k, [...(shared.get(k) ?? []), n])));
          const want = [...shared.values()]
            .filter((users) => users.length > 1)
            .map((users) => (users.length <= 3 ? users.map((u) => `nics.${u}`).join(' and ') : `nics.${users[0]}, nics.${users[1]}, nics.${users[2]} and ${users.length - 3} more`));
          const got = r.messages.filter((m) => m.startsWith('nics: address ')).map((m) => m.replace(/^nics: address \S+ is used by /, ''));
          assert.deepEqual(got, want.slice(0, MAX_MESSAGES_PER_NAME));
        }),
        { numRuns: 500 },
      );
    });

    it('network_uuids keys agree with a naive check against each static address', () => {
      const key = fc.constantFrom('10.0.0.1', '10.0.0.2', 'fd00::1', 'FD00:0::1', 'fd00::2', 'dhcp', 'x');
      fc.assert(
        fc.property(fc.uniqueArray(spelling, { maxLength: 6, selector: canonical }), fc.uniqueArray(key, { maxLength: 5 }), (ips, keys) => {
          const report = new ReportBuilder();
          const uuid = '1f2a3b4c-5d6e-4f70-8192-a3b4c5d6e7f8';
          checkNic({ ...NIC, ips, network_uuids: Object.fromEntries(keys.map((k) => [k, uuid])) }, 'nics.0', {}, report);
          const got = report.result().messages.filter((m) => m.startsWith('nics.0.network_uuids: ')).length;
          const own = ips.filter((i) => i !== 'dhcp' && i !== 'addrconf').map(canonical);
          const want = keys.filter((k) => !own.some((o) => o === keyOf(k))).length;
          assert.equal(got, want);
        }),
        { numRuns: 500 },
      );
    });
  });

  describe('class 2: sentences and reports stay bounded', () => {
    it('4,000 ips and 4,000 gateways outside them: a few lines, not hundreds of megabytes', () => {
      const r = validateCreate(zone([{ ...NIC, ips: range(4000, (i) => `${v4(i)}/32`), gateways: range(4000, far) }]));
      assertBounded(r);
      assert.ok(r.messages.join('\n').length < 2000, `${r.messages.join('\n').length} characters`);
    });

    it('32 subnets and 4,000 gateways outside them: each sentence lists 3 subnets, then one line for the rest', () => {
      const r = validateCreate(zone([{ ...NIC, ips: range(MAX_NIC_ADDRESSES, (i) => `${v4(i)}/32`), gateways: range(4000, far) }]));
      assertBounded(r);
      assert.deepEqual(r.report, { bad_values: ['nics.0.gateways'] });
      assert.equal(r.messages[0], "nics.0.gateways: 11.0.0.0 is not inside any of the NIC's IPv4 subnets (10.0.0.0/32, 10.0.0.1/32, 10.0.0.2/32, ... and 29 more)");
      assert.equal(r.messages[MAX_MESSAGES_PER_NAME], `nics.0.gateways: ... and ${4000 - MAX_MESSAGES_PER_NAME} more`);
      assert.equal(r.messages.length, MAX_MESSAGES_PER_NAME + 1);
    });

    it('"nics": 9,999 zeros: each NIC named once in the report, one sentence each', () => {
      const r = validateCreate(zone(range(9999, () => 0)));
      assertBounded(r);
      assert.equal(r.report.bad_values?.length, 9999);
      assert.equal(r.messages.length, 9999);
    });

    it('10,000 bad resolvers: one name, five sentences and a count', () => {
      const r = validateCreate(zone([], { resolvers: range(MAX_ENTRIES, (i) => `r${i}`) }));
      assert.deepEqual(r.report, { bad_values: ['resolvers'] });
      assert.equal(r.messages.length, MAX_MESSAGES_PER_NAME + 1);
      assert.equal(r.messages[MAX_MESSAGES_PER_NAME], `resolvers: ... and ${MAX_ENTRIES - MAX_MESSAGES_PER_NAME} more`);
    });

    it('HVM ips and deprecated forms that disagree list a few items, short', () => {
      const long = 'y'.repeat(10_000);
      const hvm = validateCreate({ brand: 'kvm', nics: [{ ...NIC, ips: [long, ...range(20, (i) => `${v4(i)}/8`)] }] });
      assertBounded(hvm);
      assert.ok(hvm.messages.some((m) => /^nics\.0\.ips: \[y{77}\.\.\., 10\.0\.0\.0\/8, 10\.0\.0\.1\/8, \.\.\. and 18 more\]: a kvm VM's NIC/.test(m)), hvm.messages.join('\n'));
      const gw = validateCreate(zone([{ ...NIC, ips: ['10.0.0.5/24'], gateway: '10.0.0.1', gateways: range(20, (i) => v4(i + 100)) }]));
      assertBounded(gw);
      assert.ok(gw.messages.some((m) => m.endsWith('disagrees with gateways [10.0.0.100, 10.0.0.101, 10.0.0.102, ... and 17 more]')), gw.messages.join('\n'));
    });

    it('a huge bad address is quoted short', () => {
      const r = validateCreate(zone([{ ...NIC, ips: [`10.0.0.1/${'9'.repeat(100_000)}`, `fe80::1%${'n'.repeat(100_000)}/64`], allowed_ips: ['z'.repeat(100_000)] }], { resolvers: ['q'.repeat(100_000)] }));
      assertBounded(r);
    });

    it('for any problems, at most a bounded number of sentences per name, and every name has one', () => {
      const item = fc.oneof(
        fc.constantFrom('10.0.0.1/24', '10.0.0.1', 'fd00::1/64', '::1/128', '0.0.0.0/8', 'dhcp', 'addrconf', '10.0.0.1/33', 'fe80::1%e0/64', 'x'),
        fc.string({ maxLength: 6 }),
      );
      const gw = fc.constantFrom('10.0.0.9', '11.0.0.1', 'fd00::9', 'fe80::1', '::', '255.255.255.255', 'x', '10.0.0.1/24');
      const nic = fc.record({ ips: fc.array(item, { maxLength: 40 }), gateways: fc.array(gw, { maxLength: 20 }), allowed_ips: fc.array(item, { maxLength: 10 }) });
      fc.assert(
        fc.property(fc.array(nic, { maxLength: 6 }), fc.array(gw, { maxLength: 20 }), (nics, resolvers) => {
          assertBounded(validateCreate(zone(nics.map((n) => ({ ...NIC, ...n })), { resolvers })));
        }),
        { numRuns: 300 },
      );
    });
  });

  describe('ReportBuilder', () => {
    it('keeps the first distinct sentences of each name in order and counts the rest in place of the first one left out', () => {
      fc.assert(
        fc.property(fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c.0'), fc.nat(99)), { maxLength: 60 }), (adds) => {
          const report = new ReportBuilder();
          for (const [name, n] of adds) report.badValue(name, `s${n}`);
          const r = report.result();
          // the contract, naively: a name's first MAX distinct sentences, then one line counting the
          // sentences given after them that repeat none of them
          const want: string[] = [];
          const kept = new Map<string, string[]>();
          const more = new Map<string, number>();
          for (const [name, n] of adds) {
            const mine = kept.get(name) ?? [];
            kept.set(name, mine);
            if (mine.includes(`s${n}`)) continue;
            if (mine.length < MAX_MESSAGES_PER_NAME) {
              mine.push(`s${n}`);
              want.push(`${name}: s${n}`);
            } else {
              if (!more.has(name)) want.push(`${name}: MORE`);
              more.set(name, (more.get(name) ?? 0) + 1);
            }
          }
          for (const [name, n] of more) want[want.indexOf(`${name}: MORE`)] = `${name}: ... and ${n} more`;
          assert.deepEqual(r.messages, want);
          assert.deepEqual(r.report.bad_values ?? [], [...kept.keys()]);
          assert.equal(r.valid, adds.length === 0);
        }),
        { numRuns: 500 },
      );
    });
  });
});

/** The canonical key of an address, or undefined. */
function keyOf(text: string): string | undefined {
  try {
    return parseAddress(text).key;
  } catch {
    return undefined;
  }
}
