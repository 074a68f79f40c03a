/**
 * createVm: the defaults of docs/vmadm-cli.md §3.1 per brand, NIC normalisation
 * (§3.2, docs/vm-network.md), notes, and the same refusals as validate create.
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { createVm } from '../../../src/core/vm/create';
import type { VmRecord } from '../../../src/core/vm/record';
import { validateCreate } from '../../../src/core/vmspec/validate';
import { testEnv } from './helpers';

type Payload = Record<string, unknown>;
const IMAGE = 'e75c9d82-3156-11ea-9220-c7a6bb9f41b6';

function created(payload: Payload, env = testEnv()): { record: VmRecord; notes: string[] } {
  const out = createVm(payload, env);
  if (!out.ok) assert.fail(`refused: ${out.result.messages.join('; ')}`);
  return out;
}

describe('vm/create defaults per brand (§3.1)', () => {
  const HVM_PRIV = 'default,-file_link_any,-net_access,-proc_fork,-proc_info,-proc_session';
  const table: Array<[string, Payload, Payload]> = [
    ['joyent', { image_uuid: IMAGE }, { max_physical_memory: 256, max_locked_memory: 256, max_swap: 256, max_shm_memory: 256, tmpfs: 256, quota: 10, limit_priv: 'default', dns_domain: 'local', ram: undefined, vcpus: undefined }],
    ['joyent-minimal', { image_uuid: IMAGE }, { max_physical_memory: 256, tmpfs: 256, quota: 10, dns_domain: 'local' }],
    ['builder', { image_uuid: IMAGE }, { max_physical_memory: 256, quota: 10, dns_domain: 'local' }],
    ['lx', { image_uuid: IMAGE, kernel_version: '4.3.0' }, { max_physical_memory: 256, tmpfs: 256, quota: 10, limit_priv: 'default', dns_domain: 'local' }],
    ['kvm', {}, { ram: 256, max_physical_memory: 1280, max_locked_memory: 1280, max_swap: 1280, vcpus: 1, quota: 10, limit_priv: HVM_PRIV, dns_domain: undefined, tmpfs: undefined }],
    ['bhyve', {}, { ram: 256, max_physical_memory: 1536, vcpus: 1, quota: 1, limit_priv: HVM_PRIV, dns_domain: undefined, com1: '/dev/zconsole', com2: 'socket,/tmp/vm.ttyb' }],
  ];
  for (const [brand, extra, expected] of table) {
    it(`${brand}: ${Object.keys(expected).join(', ')}`, () => {
      const { record } = created({ brand, ...extra });
      for (const [k, v] of Object.entries(expected)) assert.deepEqual(record[k], v, k);
      assert.equal(record.brand, brand);
      assert.equal(record.zonename, record.uuid);
      assert.equal(record.owner_uuid, '00000000-0000-0000-0000-000000000000');
      assert.equal(record.billing_id, '00000000-0000-0000-0000-000000000000');
      assert.equal(record.autoboot, true);
      assert.equal(record.zpool, 'zones');
      assert.equal(record.zonepath, `/zones/${record.uuid}`);
      assert.equal(record.zfs_filesystem, `zones/${record.uuid}`);
      assert.equal(record.cpu_shares, 100);
      assert.equal(record.zfs_io_priority, 100);
      assert.equal(record.max_lwps, 2000);
      assert.deepEqual([record.max_msg_ids, record.max_sem_ids, record.max_shm_ids], [4096, 4096, 4096]);
      assert.equal(record.firewall_enabled, false);
      assert.deepEqual([record.resolvers, record.routes, record.tags, record.customer_metadata, record.internal_metadata], [[], {}, {}, {}, {}]);
      assert.equal(record.create_timestamp, '2025-01-01T00:00:00.000Z');
      assert.equal(record.last_modified, record.create_timestamp);
      assert.deepEqual([record.v, record.state, record.zone_state], [1, 'provisioning', 'configured']);
    });
  }

  it('uses brand joyent when none is given (validate create would report it missing)', () => {
    assert.equal(created({ image_uuid: IMAGE }).record.brand, 'joyent');
  });

  it('derives memory from max_physical_memory and turns an OS VM\'s ram into it, with a note', () => {
    const { record, notes } = created({ brand: 'joyent', image_uuid: IMAGE, ram: 1024 });
    assert.equal(record.max_physical_memory, 1024);
    assert.equal(record.tmpfs, 1024);
    assert.equal(record.ram, undefined);
    assert.ok(notes.some((n) => /^ram: 1024 stored as max_physical_memory 1024/.test(n)), notes.join('\n'));
  });

  it('clamps tmpfs to max_physical_memory, with a note', () => {
    const { record, notes } = created({ image_uuid: IMAGE, max_physical_memory: 512, tmpfs: 2048 });
    assert.equal(record.tmpfs, 512);
    assert.ok(notes.includes('tmpfs: 2048 stored as 512 (at most max_physical_memory)'));
  });

  it('keeps a given uuid, lower-cased with a note, and uses the zpool for zonepath', () => {
    const { record, notes } = created({ image_uuid: IMAGE, uuid: 'A3C1F0DE-6C1E-4B7A-9D2F-1C2B3A4D5E6F', zpool: 'data' });
    assert.equal(record.uuid, 'a3c1f0de-6c1e-4b7a-9d2f-1c2b3a4d5e6f');
    assert.equal(record.zonepath, '/data/a3c1f0de-6c1e-4b7a-9d2f-1c2b3a4d5e6f');
    assert.equal(record.zfs_filesystem, 'data/a3c1f0de-6c1e-4b7a-9d2f-1c2b3a4d5e6f');
    assert.ok(notes.includes('uuid: A3C1F0DE-6C1E-4B7A-9D2F-1C2B3A4D5E6F stored as a3c1f0de-6c1e-4b7a-9d2f-1c2b3a4d5e6f'));
  });
});

describe('vm/create dropped properties and refusals', () => {
  it('drops an unknown property with a note naming the nearest one', () => {
    const { record, notes } = created({ image_uuid: IMAGE, name: 'web', hostnme: 'x' });
    assert.equal(record.name, undefined);
    assert.ok(notes.includes('"name" is not a VM property and was ignored (did you mean "alias"?)'), notes.join('\n'));
    assert.ok(notes.includes('"hostnme" is not a VM property and was ignored (did you mean "hostname"?)'), notes.join('\n'));
  });

  it('drops a property the brand does not take, saying so', () => {
    const { record, notes } = created({ image_uuid: IMAGE, cpu_type: 'host', nics: [{ nic_tag: 'a', model: 'virtio' }] });
    assert.equal(record.cpu_type, undefined);
    assert.equal(record.nics[0].model, undefined);
    assert.ok(notes.includes('"cpu_type" is not a property of joyent VMs and was ignored'));
    assert.ok(notes.includes('"nics.0.model" is not a property of joyent VMs and was ignored'));
  });

  const BAD: Array<[string, Payload]> = [
    ['a bad prefix', { image_uuid: IMAGE, nics: [{ nic_tag: 'a', ips: ['10.0.0.20/999'] }] }],
    ['a missing nic_tag', { image_uuid: IMAGE, nics: [{ ips: ['10.0.0.20/24'] }] }],
    ['a wrong type beside an unknown key', { image_uuid: IMAGE, quota: 'ten', frob: 1 }],
    ['two primaries', { image_uuid: IMAGE, nics: [{ nic_tag: 'a', primary: true }, { nic_tag: 'b', primary: true }] }],
    ['a gateway off the subnet', { image_uuid: IMAGE, nics: [{ nic_tag: 'a', ips: ['10.0.0.5/24'], gateways: ['10.9.0.1'] }] }],
    ['an unknown brand', { brand: 'solaris', image_uuid: IMAGE }],
    ['a zpool that would put the zonepath outside the pool', { image_uuid: IMAGE, zpool: '../../tmp/x' }],
    ['a zpool ZFS reserves', { image_uuid: IMAGE, zpool: 'mirror' }],
  ];
  for (const [what, payload] of BAD) {
    it(`refuses ${what} with the report validate create gives`, () => {
      const out = createVm(payload, testEnv());
      assert.equal(out.ok, false);
      if (!out.ok) assert.deepEqual(out.result, validateCreate({ brand: 'joyent', ...payload }));
    });
  }

  it('refuses two NICs with the same VRID (the same generated MAC)', () => {
    const out = createVm({ image_uuid: IMAGE, nics: [{ nic_tag: 'a', vrrp_vrid: 7 }, { nic_tag: 'b', vrrp_vrid: 7 }] }, testEnv());
    assert.equal(out.ok, false);
    if (!out.ok) assert.deepEqual(out.result.report.bad_values, ['nics']);
  });

  it('keeps hostile values as data', () => {
    const hostile = 'x"; end\nadd net; set physical=evil\u0000 $(rm -rf /)';
    const { record } = created({ image_uuid: IMAGE, alias: hostile, hostname: hostile, tags: { [hostile]: hostile }, customer_metadata: { 'user-script': hostile } });
    assert.equal(record.alias, hostile);
    assert.equal(record.hostname, hostile);
    assert.equal(record.tags[hostile], hostile);
    assert.equal(record.customer_metadata['user-script'], hostile);
  });
});

describe('vm/create NICs (§3.2)', () => {
  it('makes the first NIC primary when none is, with a note', () => {
    const { record, notes } = created({ image_uuid: IMAGE, nics: [{ nic_tag: 'a', ips: ['10.0.0.5/24'] }, { nic_tag: 'b', ips: ['198.51.100.5/24'] }] });
    assert.deepEqual(record.nics.map((n) => n.primary), [true, undefined]);
    assert.ok(notes.some((n) => n.startsWith('nics.0.primary: set to true')));
  });

  it('keeps the given primary', () => {
    const { record, notes } = created({ image_uuid: IMAGE, nics: [{ nic_tag: 'a' }, { nic_tag: 'b', primary: true }] });
    assert.deepEqual(record.nics.map((n) => n.primary), [undefined, true]);
    assert.ok(!notes.some((n) => n.includes('primary')));
  });

  it('keeps a valid free interface and gives the others the lowest free index', () => {
    const { record } = created({ image_uuid: IMAGE, nics: [{ nic_tag: 'a' }, { nic_tag: 'b', interface: 'net0' }, { nic_tag: 'c', interface: 'net5' }, { nic_tag: 'd' }] });
    assert.deepEqual(record.nics.map((n) => n.interface), ['net1', 'net0', 'net5', 'net2']);
  });

  it('names lx interfaces eth<N>, replacing a net<N> with a note', () => {
    const { record, notes } = created({ brand: 'lx', image_uuid: IMAGE, kernel_version: '4.3.0', nics: [{ nic_tag: 'a', interface: 'net3' }, { nic_tag: 'b' }] });
    assert.deepEqual(record.nics.map((n) => n.interface), ['eth0', 'eth1']);
    assert.ok(notes.some((n) => n.startsWith('nics.0.interface: net3 stored as eth0')));
  });

  it('turns legacy ip/netmask/gateway into ips/gateways, with notes', () => {
    const { record, notes } = created({ image_uuid: IMAGE, nics: [{ nic_tag: 'a', ip: '10.0.0.5', netmask: '255.255.255.0', gateway: '10.0.0.1' }, { nic_tag: 'b', ip: 'dhcp' }] });
    assert.deepEqual(record.nics[0].ips, ['10.0.0.5/24']);
    assert.deepEqual(record.nics[0].gateways, ['10.0.0.1']);
    assert.equal('ip' in record.nics[0], false);
    assert.equal('netmask' in record.nics[0], false);
    assert.deepEqual(record.nics[1].ips, ['dhcp']);
    assert.ok(notes.includes('nics.0.ip: 10.0.0.5 with netmask 255.255.255.0 stored as ips ["10.0.0.5/24"]'));
    assert.ok(notes.includes('nics.0.gateway: 10.0.0.1 stored as gateways ["10.0.0.1"]'));
  });

  it('stores addresses, MACs, resolvers and routes canonically, one note per changed value', () => {
    const { record, notes } = created({
      image_uuid: IMAGE,
      resolvers: ['2001:DB8::0:53'],
      nics: [{ nic_tag: 'a', mac: '90:B8:D0:AA:BB:01', ips: ['2001:DB8::0:11/64', '10.0.0.5/24'], gateways: ['FE80::1'], allowed_ips: ['FD00:0::/64'] }],
      routes: { 'FD00:99::/48': 'fe80::0:1', '10.2.0.0/16': 'macs[90:B8:D0:AA:BB:01]' },
    });
    const nic = record.nics[0];
    assert.equal(nic.mac, '90:b8:d0:aa:bb:01');
    assert.deepEqual(nic.ips, ['2001:db8::11/64', '10.0.0.5/24']);
    assert.deepEqual(nic.gateways, ['fe80::1']);
    assert.deepEqual(nic.allowed_ips, ['fd00::/64']);
    assert.deepEqual(record.resolvers, ['2001:db8::53']);
    assert.deepEqual(record.routes, { 'fd00:99::/48': 'fe80::1', '10.2.0.0/16': 'macs[90:b8:d0:aa:bb:01]' });
    for (const n of [
      'nics.0.ips: 2001:DB8::0:11/64 stored as 2001:db8::11/64',
      'nics.0.mac: 90:B8:D0:AA:BB:01 stored as 90:b8:d0:aa:bb:01',
      'nics.0.gateways: FE80::1 stored as fe80::1',
      'resolvers: 2001:DB8::0:53 stored as 2001:db8::53',
    ]) assert.ok(notes.includes(n), `${n}\n in\n${notes.join('\n')}`);
    assert.ok(!notes.some((n) => n.startsWith('nics.0.ips: 10.0.0.5')));
  });

  it('gives a vrrp NIC the VRRP MAC', () => {
    assert.equal(created({ image_uuid: IMAGE, nics: [{ nic_tag: 'a', vrrp_vrid: 26 }] }).record.nics[0].mac, '00:00:5e:00:01:1a');
  });

  it('generates locally administered unicast MACs, distinct within the VM, whatever the random bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 8 }), (bytes, count) => {
        let i = 0;
        const env = testEnv(() => bytes[i++ % bytes.length]);
        const given = { nic_tag: 'x', mac: '12:01:01:01:01:01' };
        const { record } = created({ image_uuid: IMAGE, nics: [given, ...Array.from({ length: count }, () => ({ nic_tag: 'a' }))] }, env);
        const macs = record.nics.map((n) => n.mac);
        assert.equal(new Set(macs).size, macs.length);
        for (const mac of macs.slice(1)) assert.match(mac, /^[1-9a-f]2(?::(?:0[1-9a-f]|[1-9a-f][0-9a-f])){5}$/);
      }),
    );
  });
});
