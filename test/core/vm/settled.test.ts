/**
 * docs/vmadm-cli.md §15 "Settled", rule by rule, on the VM model (create
 * and update alike): types, primary, unknown and unsupported keys, what
 * create requires, unset, VRRP, HVM NICs, the other checks, and the
 * merged VM an update is checked as. Each is what SmartOS's own vmadm
 * tests expect.
 */
import { strict as assert } from 'node:assert';
import { createVm } from '../../../src/core/vm/create';
import type { VmRecord } from '../../../src/core/vm/record';
import { updateVm } from '../../../src/core/vm/update';
import { getView } from '../../../src/core/vm/view';
import { validateUpdate } from '../../../src/core/vmspec/validate';
import { createScript, updateScript } from '../../../src/core/zonecfg/script';
import { testEnv } from './helpers';

type Payload = Record<string, unknown>;
const IMAGE = 'e75c9d82-3156-11ea-9220-c7a6bb9f41b6';
const MAC0 = '90:b8:d0:aa:bb:00';
const MAC1 = '90:b8:d0:aa:bb:01';

function created(payload: Payload): { record: VmRecord; notes: string[] } {
  const out = createVm(payload, testEnv());
  if (!out.ok) assert.fail(`refused: ${out.result.messages.join('; ')}`);
  return out;
}

function zone(extra: Payload = {}): VmRecord {
  return created({ brand: 'joyent', image_uuid: IMAGE, ...extra }).record;
}

function updated(record: VmRecord, payload: Payload): { record: VmRecord; notes: string[]; changed: boolean } {
  const out = updateVm(record, payload, testEnv());
  if (!out.ok) assert.fail(`refused: ${out.result.messages.join('; ')}`);
  return out;
}

/** The refusal: report and sentences. */
function refused(out: ReturnType<typeof createVm> | ReturnType<typeof updateVm>): { report: object; messages: readonly string[] } {
  if (out.ok) assert.fail('accepted');
  return { report: out.result.report, messages: out.result.messages };
}

describe('§15 Types: loose types for every property but the network ones, stored in canonical form with a note', () => {
  it('numeric strings for integers, on create and update', () => {
    const { record, notes } = created({ brand: 'joyent', image_uuid: IMAGE, max_physical_memory: '512', quota: '20', cpu_shares: '50' });
    assert.deepEqual([record.max_physical_memory, record.quota, record.cpu_shares], [512, 20, 50]);
    assert.ok(notes.includes('quota: "20" stored as 20'), notes.join('\n'));
    const up = updated(record, { cpu_shares: '70', ram: '1024' });
    assert.deepEqual([up.record.cpu_shares, up.record.max_physical_memory], [70, 1024]);
    assert.ok(up.notes.includes('cpu_shares: "70" stored as 70'), up.notes.join('\n'));
  });

  it('"true"/"false", 1/"1" and 0/"0" for booleans', () => {
    for (const [given, stored] of [['true', true], ['1', true], [1, true], ['false', false], ['0', false], [0, false]] as const) {
      const { record, notes } = created({ brand: 'joyent', image_uuid: IMAGE, autoboot: given });
      assert.equal(record.autoboot, stored, String(given));
      assert.ok(notes.includes(`autoboot: ${JSON.stringify(given)} stored as ${stored}`), notes.join('\n'));
    }
    assert.equal(updated(zone(), { autoboot: 'false' }).record.autoboot, false);
  });

  it('a comma string or an array for lists: fs_allowed and limit_priv kept as one string, internal_metadata_namespaces as an array', () => {
    const { record, notes } = created({
      brand: 'joyent', image_uuid: IMAGE, fs_allowed: ['ufs', 'pcfs'], limit_priv: 'default, -net_access', internal_metadata_namespaces: 'a,b',
    });
    assert.equal(record.fs_allowed, 'ufs,pcfs');
    assert.equal(record.limit_priv, 'default,-net_access');
    assert.deepEqual(record.internal_metadata_namespaces, ['a', 'b']);
    assert.ok(notes.includes('fs_allowed: ["ufs","pcfs"] stored as "ufs,pcfs"'), notes.join('\n'));
    assert.ok(notes.includes('internal_metadata_namespaces: "a,b" stored as ["a","b"]'), notes.join('\n'));
    assert.match(createScript(record, { nowMs: 0 }), /^set fs-allowed="ufs,pcfs"$/m);
    assert.equal(updated(record, { limit_priv: ['default', '-proc_fork'] }).record.limit_priv, 'default,-proc_fork');
  });

  it('billing_id is any string, stored as given', () => {
    assert.equal(zone({ billing_id: '9.99' }).billing_id, '9.99');
    assert.equal(updated(zone(), { billing_id: 'Gold Plan' }).record.billing_id, 'Gold Plan');
  });

  it('alias: null on create is no alias', () => {
    assert.equal('alias' in zone({ alias: null }), false);
  });

  it('vnc_port -1 (no VNC) and 0 (any port) are stored and written to the zone (-1 was an internal error)', () => {
    const { record } = created({ brand: 'kvm', vnc_port: -1 });
    assert.equal(record.vnc_port, -1);
    assert.match(createScript(record, { nowMs: 0 }), /^add attr; set name="vnc-port"; set type=string; set value="-1"; end$/m);
    const zero = updated(record, { vnc_port: 0 });
    assert.match(updateScript(record, zero.record), /set value="0"/);
  });

  it('network properties take JSON types only', () => {
    for (const [payload, name] of [
      [{ firewall_enabled: 'true' }, 'firewall_enabled'],
      [{ resolvers: '10.0.0.53' }, 'resolvers'],
      [{ nics: [{ nic_tag: 'a', vlan_id: '5' }] }, 'nics.0.vlan_id'],
      [{ nics: [{ nic_tag: 'a', ips: '10.0.0.5/24' }] }, 'nics.0.ips'],
    ] as const) {
      assert.deepEqual(refused(createVm({ brand: 'joyent', image_uuid: IMAGE, ...payload }, testEnv())).report, { bad_values: [name] });
    }
  });
});

describe('§15 primary', () => {
  it('true, "true", 1 and "1" mean primary, stored true with a note when not true', () => {
    for (const given of ['true', 1, '1']) {
      const { record, notes } = created({ brand: 'joyent', image_uuid: IMAGE, nics: [{ nic_tag: 'a' }, { nic_tag: 'b', primary: given }] });
      assert.deepEqual(record.nics.map((n) => n.primary), [undefined, true]);
      assert.ok(notes.includes(`nics.1.primary: ${JSON.stringify(given)} stored as true`), notes.join('\n'));
    }
  });

  it('false, "false" and 0 on create or add_nics mean not primary and are not stored', () => {
    const { record } = created({ brand: 'joyent', image_uuid: IMAGE, nics: [{ nic_tag: 'a', primary: 'false' }, { nic_tag: 'b', primary: 0 }] });
    assert.deepEqual(record.nics.map((n) => 'primary' in n && n.primary), [true, false]);
    const up = updated(record, { add_nics: [{ nic_tag: 'c', primary: false }] });
    assert.equal('primary' in up.record.nics[2], false);
    assert.equal(up.record.nics[0].primary, true);
  });

  it('in update_nics false is a bad value; anything else a bad value everywhere', () => {
    const vm = zone({ nics: [{ nic_tag: 'a', mac: MAC0 }, { nic_tag: 'b', mac: MAC1 }] });
    assert.deepEqual(refused(updateVm(vm, { update_nics: [{ mac: MAC0, primary: false }] }, testEnv())).report, { bad_values: ['update_nics.0.primary'] });
    assert.deepEqual(refused(updateVm(vm, { update_nics: [{ mac: MAC1, primary: 'blah' }] }, testEnv())).report, { bad_values: ['update_nics.0.primary'] });
    assert.deepEqual(refused(createVm({ image_uuid: IMAGE, nics: [{ nic_tag: 'a', primary: 'blah' }] }, testEnv())).messages, ['nics.0.primary: "blah" is not true or false']);
    assert.deepEqual(updated(vm, { update_nics: [{ mac: MAC1, primary: '1' }] }).record.nics.map((n) => n.primary), [undefined, true]);
  });
});

describe('§15 Unknown and unsupported keys', () => {
  it('an unknown key is dropped with a note, on create and update alike', () => {
    assert.ok(created({ brand: 'joyent', image_uuid: IMAGE, colour: 'red' }).notes.some((n) => n.startsWith('"colour" is not a VM property')));
    const up = updated(zone(), { colour: 'red' });
    assert.equal(up.changed, false);
    assert.ok(up.notes.some((n) => n.startsWith('"colour" is not a VM property')));
  });

  it('a key known but not implemented is refused, never "unchanged" or success', () => {
    for (const [out, key] of [
      [updateVm(created({ brand: 'bhyve' }).record, { add_pci_devices: [{ path: '/devices/pci@0,0/x@1' }] }, testEnv()), 'add_pci_devices'],
    ] as const) {
      const { report, messages } = refused(out);
      assert.deepEqual(report, { bad_values: [key] });
      assert.deepEqual(messages, [`${key} is not supported by this vmadm`]);
    }
  });

  it('pci_devices (bhyve) are stored as given and written as passthru devices; their shape is checked', () => {
    const dev = { path: '/devices/pci@0,0/pci8086,6f08@3/display@0', pci_slot: '0:8:0' };
    const { record } = created({ brand: 'bhyve', pci_devices: [dev] });
    assert.deepEqual(record.pci_devices, [dev]);
    const script = createScript(record, { nowMs: 0 });
    assert.match(script, /^add device\nset match="\/devices\/pci@0,0\/pci8086,6f08@3\/display@0"\nadd property \(name=pci-slot, value="0:8:0"\)\nadd property \(name=model, value="passthru"\)\nend$/m);
    const bad = refused(createVm({ brand: 'bhyve', pci_devices: [{ path: 'pci0' }, { path: dev.path, pci_slot: '0:32:0' }, { pci_slot: '1:0' }] }, testEnv()));
    assert.deepEqual(bad.report, { bad_values: ['pci_devices.0.path', 'pci_devices.1.pci_slot'], missing_properties: ['pci_devices.2.path'] });
    assert.ok(created({ brand: 'kvm', pci_devices: [dev] }).notes.includes('"pci_devices" is not a property of kvm VMs and was ignored'));
  });
});

describe('§15 Required on create', () => {
  const table: Array<[Payload, string[] | undefined]> = [
    [{}, ['image_uuid']],
    [{ brand: 'joyent' }, ['image_uuid']],
    [{ brand: 'joyent-minimal' }, ['image_uuid']],
    [{ brand: 'builder' }, ['image_uuid']],
    [{ brand: 'lx', image_uuid: IMAGE }, ['kernel_version']],
    [{ brand: 'lx' }, ['image_uuid', 'kernel_version']],
    [{ brand: 'kvm' }, undefined],
    [{ brand: 'bhyve' }, undefined],
  ];
  for (const [payload, missing] of table) {
    it(`${JSON.stringify(payload)}: ${missing ? `missing ${missing.join(', ')}` : 'nothing required'}`, () => {
      const out = createVm(payload, testEnv());
      if (missing === undefined) assert.equal(out.ok, true);
      else assert.deepEqual(refused(out).report, { missing_properties: missing });
    });
  }
});

describe('§15 Unset', () => {
  it('null or "" removes a property; cpu_cap 0 too; the zone configuration follows', () => {
    const vm = zone({ alias: 'a', hostname: 'h', cpu_cap: 200, max_physical_memory: 1024 });
    const out = updated(vm, { alias: null, hostname: '', cpu_cap: 0, max_shm_memory: null, owner_uuid: null, zfs_io_priority: '' });
    for (const key of ['alias', 'hostname', 'cpu_cap', 'max_shm_memory', 'owner_uuid', 'zfs_io_priority']) assert.equal(key in out.record, false, key);
    const script = updateScript(vm, out.record);
    for (const line of ['clear max-shm-memory', 'clear zfs-io-priority', 'remove capped-cpu', 'remove attr name=owner-uuid', 'remove attr name=alias', 'remove attr name=hostname']) {
      assert.match(script, new RegExp(`^${line}$`, 'm'), script);
    }
  });

  it('owner_uuid: null leaves get without an owner_uuid, as SmartOS shows it', () => {
    assert.equal('owner_uuid' in getView(updated(zone(), { owner_uuid: null }).record), false);
  });

  it('a flag false by default set false is removed, not stored, on create and update', () => {
    const vm = zone({ indestructible_zoneroot: true, do_not_inventory: false });
    assert.equal('do_not_inventory' in vm, false);
    const out = updated(vm, { indestructible_zoneroot: false, archive_on_delete: 'false' });
    assert.equal('indestructible_zoneroot' in out.record, false);
    assert.equal('archive_on_delete' in out.record, false);
  });

  it('ram and max_physical_memory cannot be removed', () => {
    assert.deepEqual(refused(updateVm(zone(), { max_physical_memory: null }, testEnv())).report, { bad_values: ['max_physical_memory'] });
  });
});

describe('§15 VRRP', () => {
  const nics = [{ nic_tag: 'a', mac: MAC0, ips: ['10.0.0.5/24'] }, { nic_tag: 'a', vrrp_vrid: 5, vrrp_primary_ip: '10.0.0.5', ips: ['10.0.0.100/24'] }];

  it('a NIC with vrrp_vrid gets the MAC 00:00:5e:00:01:<vrid>, changed when the vrid changes', () => {
    const vm = zone({ nics });
    assert.equal(vm.nics[1].mac, '00:00:5e:00:01:05');
    const out = updated(vm, { update_nics: [{ mac: '00:00:5e:00:01:05', vrrp_vrid: 200 }] });
    assert.equal(out.record.nics[1].mac, '00:00:5e:00:01:c8');
    assert.ok(out.notes.includes('update_nics.0.mac: 00:00:5e:00:01:05 changed to 00:00:5e:00:01:c8 (the MAC of VRRP VRID 200)'), out.notes.join('\n'));
    assert.match(updateScript(vm, out.record), /^remove net mac-addr=0:0:5e:0:1:5$/m);
  });

  it('vrrp_primary_ip must be an address of another NIC of the VM, on create and in the updated VM', () => {
    assert.deepEqual(refused(createVm({ image_uuid: IMAGE, nics: [nics[1]] }, testEnv())).report, { bad_values: ['nics.0.vrrp_primary_ip'] });
    const vm = zone({ nics: [nics[0]] });
    assert.deepEqual(refused(updateVm(vm, { add_nics: [{ nic_tag: 'a', vrrp_vrid: 5, vrrp_primary_ip: '10.0.0.9' }] }, testEnv())).report, { bad_values: ['add_nics.0.vrrp_primary_ip'] });
    assert.equal(updated(vm, { add_nics: [nics[1]] }).record.nics[1].vrrp_primary_ip, '10.0.0.5');
  });

  it('the NIC holding a vrrp_primary_ip cannot be removed while the reference stands', () => {
    const vm = zone({ nics });
    const { report, messages } = refused(updateVm(vm, { remove_nics: [MAC0] }, testEnv()));
    assert.deepEqual(report, { bad_values: ['remove_nics'] });
    assert.deepEqual(messages, [`remove_nics: ${MAC0}: its address 10.0.0.5 is the vrrp_primary_ip of nics.1 (change that first)`]);
    assert.equal(updated(vm, { remove_nics: [MAC0, '00:00:5e:00:01:05'] }).record.nics.length, 0);
  });

  it('two NICs of one VM cannot share a vrid', () => {
    const vm = zone({ nics });
    assert.deepEqual(refused(updateVm(vm, { add_nics: [{ nic_tag: 'b', vrrp_vrid: 5 }] }, testEnv())).report, { bad_values: ['add_nics'] });
  });
});

describe('§15 HVM NICs', () => {
  it('add_nics without a model takes the first NIC\'s, else nic_driver', () => {
    const bhyve = created({ brand: 'bhyve', nic_driver: 'e1000', nics: [{ nic_tag: 'a', model: 'virtio' }] }).record;
    assert.equal(updated(bhyve, { add_nics: [{ nic_tag: 'b' }] }).record.nics[1].model, 'virtio');
    const kvm = created({ brand: 'kvm', nic_driver: 'e1000' }).record;
    assert.equal(updated(kvm, { add_nics: [{ nic_tag: 'b' }] }).record.nics[0].model, 'e1000');
    assert.equal(updated(kvm, { add_nics: [{ nic_tag: 'b', model: 'rtl8139' }] }).record.nics[0].model, 'rtl8139');
  });

  it('model and allow_unfiltered_promisc are HVM only: dropped with a note elsewhere', () => {
    const out = updated(zone(), { add_nics: [{ nic_tag: 'b', model: 'virtio', allow_unfiltered_promisc: true }] });
    assert.equal('model' in out.record.nics[0], false);
    assert.equal('allow_unfiltered_promisc' in out.record.nics[0], false);
    assert.ok(out.notes.includes('"add_nics.0.allow_unfiltered_promisc" is not a property of joyent VMs and was ignored'), out.notes.join('\n'));
    assert.equal(created({ brand: 'kvm', nics: [{ nic_tag: 'a', allow_unfiltered_promisc: true }] }).record.nics[0].allow_unfiltered_promisc, true);
  });
});

describe('§15 Other properties', () => {
  it('zfs_root_recsize / zfs_data_recsize: a power of two from 512 to 131072', () => {
    assert.equal(zone({ zfs_root_recsize: 65536, zfs_data_recsize: 512 }).zfs_root_recsize, 65536);
    for (const v of [1000, 256, 262144]) {
      assert.deepEqual(refused(createVm({ image_uuid: IMAGE, zfs_data_recsize: v }, testEnv())).report, { bad_values: ['zfs_data_recsize'] }, String(v));
    }
  });

  it('flexible_disk_size is bhyve only; bhyve_extra_opts is kept and written', () => {
    assert.ok(created({ brand: 'kvm', flexible_disk_size: 10240 }).notes.includes('"flexible_disk_size" is not a property of kvm VMs and was ignored'));
    const bhyve = created({ brand: 'bhyve', flexible_disk_size: 10240, bhyve_extra_opts: '-c sockets=1,cores=2' }).record;
    assert.deepEqual([bhyve.flexible_disk_size, bhyve.bhyve_extra_opts], [10240, '-c sockets=1,cores=2']);
    assert.match(createScript(bhyve, { nowMs: 0 }), /^add attr; set name="bhyve-extra-opts"; set type=string; set value="-c sockets=1,cores=2"; end$/m);
  });
});

describe('§15 One validator, the merged VM', () => {
  const vm = (): VmRecord =>
    zone({ nics: [{ nic_tag: 'a', mac: MAC0, ips: ['10.1.0.5/24'] }, { nic_tag: 'b', mac: MAC1, ips: ['fd00::5/64'] }] });

  it('a gateway for a NIC\'s stored address is valid: validate update (payload only) and update (the result) accept it', () => {
    const payload = { update_nics: [{ mac: MAC0, gateways: ['10.1.0.254'] }] };
    assert.deepEqual(validateUpdate(payload, 'joyent').messages, []);
    assert.deepEqual(updated(vm(), payload).record.nics[0].gateways, ['10.1.0.254']);
  });

  it('update refuses what the result makes invalid, naming the payload key', () => {
    for (const [payload, report, says] of [
      [{ update_nics: [{ mac: MAC0, gateways: ['10.9.0.1'] }] }, { bad_values: ['update_nics.0.gateways'] }, 'update_nics.0.gateways: 10.9.0.1 is not inside any of the NIC\'s IPv4 subnets (10.1.0.5/24)'],
      [{ update_nics: [{ mac: MAC1, gateways: ['10.1.0.254'] }] }, { bad_values: ['update_nics.0.gateways'] }, 'update_nics.0.gateways: 10.1.0.254 is IPv4 but the NIC has no IPv4 address or dhcp'],
      [{ set_routes: { '10.9.0.0/16': 'nics[1]' } }, { bad_values: ['set_routes.10.9.0.0/16'] }, 'set_routes.10.9.0.0/16: "nics[1]": nics.1 has no IPv4 address for an IPv4 route'],
      [{ add_nics: [{ nic_tag: 'c', ips: ['10.1.0.5/16'] }] }, { bad_values: ['add_nics'] }, 'add_nics: address 10.1.0.5 is used by nics.0 and add_nics.0'],
    ] as const) {
      assert.deepEqual(validateUpdate(payload, 'joyent').messages, [], JSON.stringify(payload));
      const out = refused(updateVm(vm(), payload, testEnv()));
      assert.deepEqual(out.report, report);
      assert.deepEqual(out.messages, [says]);
    }
  });

  it('a stored gateway the new ips leave outside: refused, named update_nics.N.gateways', () => {
    const withGw = updated(vm(), { update_nics: [{ mac: MAC0, gateways: ['10.1.0.254'] }] }).record;
    assert.deepEqual(refused(updateVm(withGw, { update_nics: [{ mac: MAC0, ips: ['10.2.0.5/24'] }] }, testEnv())).report, { bad_values: ['update_nics.0.gateways'] });
    assert.deepEqual(updated(withGw, { update_nics: [{ mac: MAC0, ips: ['10.2.0.5/24'], gateways: ['10.2.0.1'] }] }).record.nics[0].gateways, ['10.2.0.1']);
  });
});
