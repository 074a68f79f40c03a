/**
 * updateVm: every form of docs/vmadm-cli.md §8, the new primary, notes, the
 * same refusals as validate update, and the resulting VM re-checked.
 */
import { strict as assert } from 'node:assert';
import { AppError, UsageError } from '../../../src/core/errors';
import { createVm } from '../../../src/core/vm/create';
import type { VmRecord } from '../../../src/core/vm/record';
import { payloadFromKeyValues, updateVm } from '../../../src/core/vm/update';
import { validateUpdate } from '../../../src/core/vmspec/validate';
import { testEnv } from './helpers';

type Payload = Record<string, unknown>;
const IMAGE = 'e75c9d82-3156-11ea-9220-c7a6bb9f41b6';
const MAC0 = '90:b8:d0:aa:bb:00';
const MAC1 = '90:b8:d0:aa:bb:01';
const LATER = new Date('2025-02-02T00:00:00.000Z');

function vm(extra: Payload = {}): VmRecord {
  const out = createVm({
    image_uuid: IMAGE,
    tags: { role: 'db', env: 'prod' },
    customer_metadata: { a: '1' },
    routes: { '10.2.0.0/16': '10.0.0.1' },
    nics: [
      { nic_tag: 'internal', mac: MAC0, ips: ['10.0.0.5/24'], gateways: ['10.0.0.1'] },
      { nic_tag: 'external', mac: MAC1, ips: ['198.51.100.5/24', '2001:db8::5/64'] },
    ],
    ...extra,
  }, testEnv());
  if (!out.ok) assert.fail(out.result.messages.join('; '));
  return out.record;
}

function updated(record: VmRecord, payload: Payload): { record: VmRecord; notes: string[]; changed: boolean } {
  const out = updateVm(record, payload, testEnv(undefined, LATER));
  if (!out.ok) assert.fail(`refused: ${out.result.messages.join('; ')}`);
  return out;
}

describe('vm/update plain properties', () => {
  it('an empty payload changes nothing', () => {
    const before = vm();
    const out = updated(before, {});
    assert.equal(out.changed, false);
    assert.deepEqual(out.record, before);
  });

  it('sets a property and stamps last_modified', () => {
    const out = updated(vm(), { alias: 'db01', cpu_shares: 50 });
    assert.equal(out.changed, true);
    assert.equal(out.record.alias, 'db01');
    assert.equal(out.record.cpu_shares, 50);
    assert.equal(out.record.last_modified, LATER.toISOString());
  });

  it('setting a value it already has is no change', () => {
    assert.equal(updated(vm({ alias: 'x' }), { alias: 'x' }).changed, false);
  });

  it('unsets with "" or null: the property is removed, a defaulted one too; quota "" is 0 (§15 "Unset")', () => {
    const out = updated(vm({ alias: 'x', hostname: 'h', cpu_cap: 100, cpu_shares: 5 }), { alias: '', hostname: null, cpu_cap: null, quota: '', cpu_shares: '' });
    assert.equal(out.record.alias, undefined);
    assert.equal(out.record.hostname, undefined);
    assert.equal(out.record.cpu_cap, undefined);
    assert.equal(out.record.quota, 0);
    assert.equal('cpu_shares' in out.record, false);
  });

  it('replaces resolvers whole, canonically', () => {
    const out = updated(vm({ resolvers: ['10.0.0.53'] }), { resolvers: ['2001:DB8::53'] });
    assert.deepEqual(out.record.resolvers, ['2001:db8::53']);
    assert.ok(out.notes.includes('resolvers: 2001:DB8::53 stored as 2001:db8::53'));
  });

  it('keeps the memory deltas and the tmpfs ratio when max_physical_memory changes', () => {
    const out = updated(vm({ max_physical_memory: 1024, max_swap: 2048, tmpfs: 512 }), { max_physical_memory: 2048 });
    assert.equal(out.record.max_physical_memory, 2048);
    assert.equal(out.record.max_locked_memory, 2048);
    assert.equal(out.record.max_swap, 3072);
    assert.equal(out.record.tmpfs, 1024);
  });

  it('drops create-only and unknown properties with a note, and reports success', () => {
    const before = vm();
    const out = updated(before, { zpool: 'other', tags: {}, colour: 'red' });
    assert.equal(out.changed, false);
    assert.ok(out.notes.includes('"zpool" can only be set when the VM is created and was ignored'));
    assert.ok(out.notes.includes('"tags" can only be set when the VM is created and was ignored'));
    assert.ok(out.notes.some((n) => n.startsWith('"colour" is not a VM property and was ignored')));
  });

  it('refuses a bad value with the report validate update gives, changing nothing', () => {
    const before = vm();
    const payload = { cpu_shares: 'lots', add_nics: [{ nic_tag: 'x', ips: ['10.0.0.20/999'] }] };
    const out = updateVm(before, payload, testEnv());
    assert.equal(out.ok, false);
    if (!out.ok) assert.deepEqual(out.result, validateUpdate(payload, 'joyent'));
  });
});

describe('vm/update set_* and remove_*', () => {
  for (const which of ['tags', 'customer_metadata', 'internal_metadata'] as const) {
    it(`remove_${which} first, then set_${which} merged`, () => {
      const before = vm({ [which]: { a: '1', b: '2', c: '3' } });
      const out = updated(before, { [`remove_${which}`]: ['a', 'b', 'zz'], [`set_${which}`]: { b: 'new', d: 4 } });
      assert.deepEqual(out.record[which], { c: '3', b: 'new', d: 4 });
    });
  }

  it('remove_routes then set_routes, canonical, checked against the NICs', () => {
    const out = updated(vm(), { remove_routes: ['10.2.0.0/16'], set_routes: { 'FD00:1::/48': 'nics[1]', '10.3.0.0/16': '10.0.0.1' } });
    assert.deepEqual(out.record.routes, { 'fd00:1::/48': 'nics[1]', '10.3.0.0/16': '10.0.0.1' });
    const bad = updateVm(vm(), { set_routes: { 'fd00:1::/48': 'nics[0]' } }, testEnv());
    assert.equal(bad.ok, false, 'nics[0] has no IPv6 address');
    const gone = updateVm(vm(), { set_routes: { '10.9.0.0/16': 'nics[7]' } }, testEnv());
    assert.equal(gone.ok, false);
  });
});

describe('vm/update NICs', () => {
  it('add_nics normalises as create does and takes the lowest free interface', () => {
    const out = updated(vm(), { add_nics: [{ nic_tag: 'storage', ips: ['FD00:5::1/64'] }] });
    const nic = out.record.nics[2];
    assert.equal(nic.interface, 'net2');
    assert.deepEqual(nic.ips, ['fd00:5::1/64']);
    assert.match(nic.mac, /^[1-9a-f]2:/);
    assert.equal(nic.primary, undefined);
    assert.ok(out.notes.includes('add_nics.0.ips: FD00:5::1/64 stored as fd00:5::1/64'));
  });

  it('add_nics reuses a freed interface index (the lowest free one)', () => {
    const out = updated(updated(vm(), { remove_nics: [MAC0] }).record, { add_nics: [{ nic_tag: 'a' }] });
    assert.deepEqual(out.record.nics.map((n) => n.interface), ['net1', 'net0']);
  });

  it('add_nics with a primary takes the primary from the old one', () => {
    const out = updated(vm(), { add_nics: [{ nic_tag: 'a', primary: true }] });
    assert.deepEqual(out.record.nics.map((n) => n.primary), [undefined, undefined, true]);
  });

  it('refuses an added NIC with an address another NIC has, changing nothing', () => {
    const out = updateVm(vm(), { add_nics: [{ nic_tag: 'a', ips: ['10.0.0.5/16'] }] }, testEnv());
    assert.equal(out.ok, false);
    if (!out.ok) assert.deepEqual(out.result.report.bad_values, ['add_nics']);
  });

  it('update_nics by MAC (any case) changes the given properties, legacy forms converted', () => {
    const out = updated(vm(), { update_nics: [{ mac: MAC0.toUpperCase(), ip: '10.0.1.5', netmask: '255.255.255.0', gateway: '10.0.1.1', mtu: 9000 }] });
    const nic = out.record.nics[0];
    assert.deepEqual(nic.ips, ['10.0.1.5/24']);
    assert.deepEqual(nic.gateways, ['10.0.1.1']);
    assert.equal(nic.mtu, 9000);
    assert.equal(nic.interface, 'net0');
  });

  it('update_nics without a mac or with an unknown one fails, changing nothing', () => {
    const noMac = updateVm(vm(), { update_nics: [{ mtu: 9000 }] }, testEnv());
    assert.equal(noMac.ok, false);
    if (!noMac.ok) assert.deepEqual(noMac.result.report.missing_properties, ['update_nics.0.mac']);
    const unknown = updateVm(vm(), { update_nics: [{ mac: '02:00:00:00:00:09', mtu: 9000 }] }, testEnv());
    assert.equal(unknown.ok, false);
    if (!unknown.ok) assert.match(unknown.result.messages[0], /there is no existing NIC with that mac address/);
  });

  it('update_nics making a NIC primary takes it from the other', () => {
    const out = updated(vm(), { update_nics: [{ mac: MAC1, primary: true }] });
    assert.deepEqual(out.record.nics.map((n) => n.primary), [undefined, true]);
  });

  it('remove_nics by MAC; an unknown MAC is skipped with a note', () => {
    const out = updated(vm(), { remove_nics: [MAC1, '02:00:00:00:00:09'] });
    assert.deepEqual(out.record.nics.map((n) => n.mac), [MAC0]);
    assert.ok(out.notes.includes('remove_nics: no NIC has MAC 02:00:00:00:00:09; skipped'));
  });

  it('removing the primary picks the first NIC with a public address, else the first', () => {
    const three = vm({ nics: [{ nic_tag: 'a', mac: MAC0, ips: ['10.0.0.5/24'] }, { nic_tag: 'b', ips: ['192.168.1.5/24'] }, { nic_tag: 'c', ips: ['fd00::5/64', '2001:db8::5/64'] }] });
    const out = updated(three, { remove_nics: [MAC0] });
    assert.deepEqual(out.record.nics.map((n) => n.primary), [undefined, true]);
    const privateOnly = updated(vm({ nics: [{ nic_tag: 'a', mac: MAC0, ips: ['10.0.0.5/24'] }, { nic_tag: 'b', ips: ['192.168.0.5/24'] }, { nic_tag: 'c', ips: ['172.16.0.5/24'] }] }), { remove_nics: [MAC0] });
    assert.deepEqual(privateOnly.record.nics.map((n) => n.primary), [true, undefined]);
  });

  it('removing a NIC a route goes over fails, changing nothing', () => {
    const before = vm({ routes: { 'fd00:1::/48': 'nics[1]' } });
    const out = updateVm(before, { remove_nics: [MAC1] }, testEnv());
    assert.equal(out.ok, false);
  });
});

describe('vm/update payloadFromKeyValues', () => {
  it('coerces strings by property type', () => {
    assert.deepEqual(payloadFromKeyValues(['autoboot=false', 'firewall_enabled=1', 'cpu_shares=50', 'alias=a=b', 'resolvers=10.0.0.1,fd00::1', 'set_tags={"role":"db"}', 'quota=']), {
      autoboot: false, firewall_enabled: true, cpu_shares: 50, alias: 'a=b', resolvers: ['10.0.0.1', 'fd00::1'], set_tags: { role: 'db' }, quota: '',
    });
  });

  it('leaves what cannot be coerced for the validator to report; k=null is the string "null"', () => {
    const p = payloadFromKeyValues(['cpu_shares=lots', 'max_lwps=null']);
    assert.deepEqual(p, { cpu_shares: 'lots', max_lwps: 'null' });
    const out = updateVm(vm(), p, testEnv());
    assert.equal(out.ok, false);
    if (!out.ok) assert.deepEqual(out.result.report.bad_values, ['cpu_shares', 'max_lwps']);
  });

  it('splits as SmartOS does: a pair without "=" is the key with an empty value, a key given twice keeps the last', () => {
    assert.deepEqual(payloadFromKeyValues(['alias']), { alias: '' });
    assert.deepEqual(payloadFromKeyValues(['=x']), { '': 'x' });
    assert.deepEqual(payloadFromKeyValues(['alias=a', 'alias=b']), { alias: 'b' });
  });

  it('refuses bad JSON for an object property as a usage error', () => {
    assert.throws(() => payloadFromKeyValues(['set_tags={bad']), (e: unknown) => e instanceof UsageError && e instanceof AppError && !String((e as Error).message).includes('\n'));
  });
});
