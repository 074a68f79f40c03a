/**
 * The firewall's view of a VM: what vmadm stores is what fwadm reads, with
 * the same address rules as validate.
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { AppError } from '../../../src/core/errors';
import { createVm } from '../../../src/core/vm/create';
import { firewallVm, firewallVmFromObject } from '../../../src/core/vm/firewall';
import { getView } from '../../../src/core/vm/view';
import { testEnv } from './helpers';

const IMAGE = 'e75c9d82-3156-11ea-9220-c7a6bb9f41b6';
const UUID = 'a3c1f0de-6c1e-4b7a-9d2f-1c2b3a4d5e6f';

function base(nics: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { uuid: UUID, state: 'running', zonepath: `/zones/${UUID}`, tags: {}, nics, ...extra };
}

describe('vm/firewall', () => {
  it('reads a get-shaped VM: addresses sorted, once each; tag values as strings; upper-case uuid lower-cased', () => {
    const vm = firewallVmFromObject(base([{ nic_tag: 'a', ips: ['2001:DB8::5/64', '10.0.0.5/24', 'dhcp'] }, { nic_tag: 'b', ip: '10.0.0.7', netmask: '255.255.255.0' }], { uuid: UUID.toUpperCase(), tags: { n: 1, b: true }, firewall_enabled: true }), 'vms[0]');
    assert.equal(vm.uuid, UUID);
    assert.deepEqual(vm.addresses.map((a) => a.text), ['10.0.0.5', '10.0.0.7', '2001:db8::5']);
    assert.deepEqual([...vm.tags], [['n', '1'], ['b', 'true']]);
    assert.equal(vm.firewallEnabled, true);
  });

  const BAD: Array<[string, unknown, RegExp]> = [
    ['a bad prefix', base([{ ips: ['10.0.0.20/999'] }]), /^VM a3c1f0de-.*: nics\.0\.ips: .*prefix/],
    ['an IPv6 prefix too long', base([{ ips: ['fd00::1/999'] }]), /^VM a3c1f0de-.*nics\.0\.ips/],
    ['an address twice across NICs', base([{ ips: ['10.0.0.5/24'] }, { ips: ['10.0.0.5/16'] }]), /^VM a3c1f0de-.*: nics: address 10\.0\.0\.5/],
    ['a scope id', base([{ ips: ['fe80::1%net0/64'] }]), /scope/],
    ['ips not an array', base([{ ips: '10.0.0.5/24' }]), /nics\.0\.ips/],
    ['a missing field', { uuid: UUID, nics: [] }, /missing field\(s\) required for firewall: state, tags, zonepath/],
    ['a bad uuid', base([], { uuid: 'nope' }), /^vms\[3\]: invalid uuid "nope"/],
    ['an object tag', base([], { tags: { a: {} } }), /tag "a"/],
  ];
  for (const [what, raw, message] of BAD) {
    it(`refuses ${what} in one line naming the VM`, () => {
      assert.throws(() => firewallVmFromObject(raw, 'vms[3]'), (e: unknown) => e instanceof AppError && message.test((e as Error).message) && !(e as Error).message.includes('\n'));
    });
  }

  const octet = fc.integer({ min: 1, max: 254 });
  const v4 = fc.tuple(octet, octet, octet, octet).map((o) => o.join('.'));
  const v6 = fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }).map((g) => `2001:db8:${g.slice(2).map((x) => x.toString(16).toUpperCase()).join(':')}`);
  const ip = fc.oneof(fc.tuple(v4, fc.integer({ min: 8, max: 32 })).map(([a, p]) => `${a}/${p}`), fc.tuple(v6, fc.integer({ min: 48, max: 128 })).map(([a, p]) => `${a}/${p}`), fc.constantFrom('dhcp', 'addrconf'));
  const nic = fc.record({ nic_tag: fc.constantFrom('external', 'internal'), ips: fc.uniqueArray(ip, { maxLength: 4 }) });

  it('property: every VM createVm makes is read back from its get view with the same addresses', () => {
    fc.assert(
      fc.property(fc.array(nic, { maxLength: 4 }), fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.boolean())), (nics, tags) => {
        const out = createVm({ image_uuid: IMAGE, nics, tags }, testEnv());
        fc.pre(out.ok); // random NICs may share an address: refused, as validate refuses it
        if (!out.ok) return;
        const stored = firewallVm(out.record);
        const read = firewallVmFromObject(JSON.parse(JSON.stringify(getView(out.record))), 'vms[0]');
        assert.deepEqual(read.addresses.map((a) => a.text), stored.addresses.map((a) => a.text));
        assert.deepEqual([...read.tags], [...stored.tags]);
        assert.equal(read.uuid, stored.uuid);
      }),
    );
  });
});
