/**
 * Filters of `vmadm list` and `vmadm lookup` (docs/vmadm-cli.md §6.1 and §0):
 * exact and regex matches, nested keys, MAC padding, the canonical
 * compare of nics.*.ips / nics.*.gateways, and the key errors.
 */
import { strict as assert } from 'node:assert';
import { filterVms, isFilterKey, padMac, parseFilters, parseKeyValues } from '../../../src/core/vm/filter';
import { withListFields, type VmView } from '../../../src/core/vm/list';

const web: VmView = withListFields({
  uuid: '11111111-1111-4111-8111-111111111111',
  brand: 'joyent',
  alias: 'web01',
  state: 'running',
  max_physical_memory: 1024,
  firewall_enabled: true,
  autoboot: false,
  quota: 0,
  tags: { role: 'www', count: 3, flag: true },
  customer_metadata: { 'user-script': '#!/bin/sh' },
  internal_metadata: {},
  nics: [
    {
      interface: 'net0',
      mac: '02:08:20:0a:0b:01',
      vlan_id: 0,
      nic_tag: 'external',
      gateway: '198.51.100.1',
      gateways: ['198.51.100.1', 'fe80::1'],
      netmask: '255.255.255.0',
      ip: '198.51.100.10',
      ips: ['198.51.100.10/24', '2001:db8::10/64', 'addrconf'],
      primary: true,
    },
    { interface: 'net1', mac: '02:08:20:0a:0b:02', vlan_id: 42, nic_tag: 'internal', ips: ['fd00:42::10/64'] },
  ],
});

const db: VmView = withListFields({
  uuid: '22222222-2222-4222-8222-222222222222',
  brand: 'bhyve',
  state: 'stopped',
  ram: 2048,
  max_physical_memory: 3328,
  tags: { role: 'db' },
  nics: [{ interface: 'net0', mac: '02:08:20:0a:0b:03', nic_tag: 'external', ips: ['dhcp'], ip: 'dhcp' }],
  disks: [{ boot: true, size: 10240, model: 'virtio', media: 'disk' }],
});

const vms = [web, db];

function aliases(args: string[], kind: 'filter' | 'lookup' = 'filter'): unknown[] {
  return filterVms(vms, parseFilters(args, kind)).map((v) => v.alias ?? v.brand);
}

describe('vm/filter parsing', () => {
  it('splits on the first =; no = means an empty value; a repeated key keeps its last value', () => {
    assert.deepEqual([...parseKeyValues(['a=b=c', 'd', 'a=x'])], [['a', 'x'], ['d', '']]);
  });

  it('accepts list columns, disks/nics properties (ips and gateways too), tags and metadata keys', () => {
    for (const key of ['uuid', 'type', 'ram', 'alias', 'zonepath', 'nics.*.ip', 'nics.0.mac', 'nics.12.ips',
      'nics.*.gateways', 'disks.*.size', 'disks.0.image_uuid', 'tags.role', 'tags.a.b', 'customer_metadata.user-script',
      'internal_metadata.x']) {
      assert.ok(isFilterKey(key), key);
    }
    for (const key of ['resolvers', 'nics.*.allowed_ips', 'nics..ip', 'nics.*', 'disks.*.path', 'routes.x', 'tags.',
      '11111111-1111-4111-8111-111111111111']) {
      assert.ok(!isFilterKey(key), key);
    }
  });

  it('refuses an unknown key: Invalid filter key for list, Invalid lookup key for lookup', () => {
    assert.throws(() => parseFilters(['alias=x', 'bogus=1'], 'filter'), { message: 'Invalid filter key: "bogus"' });
    assert.throws(() => parseFilters(['nics.*.allowed_ips=1'], 'lookup'), { message: 'Invalid lookup key: "nics.*.allowed_ips"' });
  });

  it('refuses a bad regular expression in one line', () => {
    assert.throws(() => parseFilters(['alias=~(web'], 'filter'), (err: Error) => {
      assert.match(err.message, /^Invalid regular expression in filter alias=~\(web: /);
      assert.ok(!err.message.includes('\n'));
      return true;
    });
  });
});

describe('vm/filter matching', () => {
  it('no filters: every VM', () => assert.deepEqual(aliases([]), ['web01', 'bhyve']));

  it('key=value compares String(value) exactly', () => {
    assert.deepEqual(aliases(['alias=web01']), ['web01']);
    assert.deepEqual(aliases(['alias=web']), []);
    assert.deepEqual(aliases(['alias=WEB01']), []);
    assert.deepEqual(aliases(['firewall_enabled=true']), ['web01']);
    assert.deepEqual(aliases(['autoboot=false']), ['web01']);
    assert.deepEqual(aliases(['quota=0']), ['web01']);
    assert.deepEqual(aliases(['tags.count=3', 'tags.flag=true']), ['web01']);
  });

  it('the fake fields type and ram are filterable', () => {
    assert.deepEqual(aliases(['type=BHYV']), ['bhyve']);
    assert.deepEqual(aliases(['type=BHYVE']), []);
    assert.deepEqual(aliases(['ram=1024']), ['web01']);
    assert.deepEqual(aliases(['ram=2048']), ['bhyve']);
  });

  it('key=~regex is case-insensitive and unanchored', () => {
    assert.deepEqual(aliases(['alias=~EB0']), ['web01']);
    assert.deepEqual(aliases(['state=~^(running|stopped)$']), ['web01', 'bhyve']);
    assert.deepEqual(aliases(['ram=~^20']), ['bhyve']);
  });

  it('a missing property never matches, not even an empty value or a match-all regex', () => {
    assert.deepEqual(aliases(['alias=']), []);
    assert.deepEqual(aliases(['alias=~.*']), ['web01']);
    assert.deepEqual(aliases(['hostname=~']), []);
    assert.deepEqual(aliases(['tags.nope=~.*']), []);
  });

  it('filters are AND-ed', () => {
    assert.deepEqual(aliases(['tags.role=www', 'state=stopped']), []);
    assert.deepEqual(aliases(['tags.role=db', 'state=stopped']), ['bhyve']);
  });

  it('nics.*.<p> matches any NIC, nics.<N>.<p> one NIC', () => {
    assert.deepEqual(aliases(['nics.*.nic_tag=internal']), ['web01']);
    assert.deepEqual(aliases(['nics.0.nic_tag=internal']), []);
    assert.deepEqual(aliases(['nics.1.vlan_id=42']), ['web01']);
    assert.deepEqual(aliases(['nics.*.vlan_id=0']), ['web01']);
    assert.deepEqual(aliases(['nics.*.ip=198.51.100.10']), ['web01']);
    assert.deepEqual(aliases(['nics.0.ip=dhcp']), ['bhyve']);
    assert.deepEqual(aliases(['nics.*.gateway=198.51.100.1']), ['web01']);
    assert.deepEqual(aliases(['nics.*.netmask=~^255']), ['web01']);
  });

  it('disks.*.<p>', () => {
    assert.deepEqual(aliases(['disks.*.size=10240']), ['bhyve']);
    assert.deepEqual(aliases(['disks.0.boot=true']), ['bhyve']);
  });

  it('nics.*.mac compares zero-padded (and lower-cased) MACs; regexes are not padded', () => {
    assert.equal(padMac('2:8:20:A:b:1'), '02:08:20:0a:0b:01');
    assert.deepEqual(aliases(['nics.*.mac=2:8:20:a:b:1']), ['web01']);
    assert.deepEqual(aliases(['nics.*.mac=02:08:20:0A:0B:03']), ['bhyve']);
    assert.deepEqual(aliases(['nics.*.mac=~:0b:02$']), ['web01']);
  });

  it('nics.*.ips matches a NIC listing the entry, in canonical form whatever the case or spelling', () => {
    assert.deepEqual(aliases(['nics.*.ips=2001:db8::10/64']), ['web01']);
    assert.deepEqual(aliases(['nics.*.ips=2001:DB8:0:0:0:0:0:10/64']), ['web01']);
    assert.deepEqual(aliases(['nics.1.ips=FD00:42::10/64']), ['web01']);
    assert.deepEqual(aliases(['nics.0.ips=FD00:42::10/64']), []);
    assert.deepEqual(aliases(['nics.*.ips=198.51.100.10/24']), ['web01']);
    assert.deepEqual(aliases(['nics.*.ips=198.51.100.10/16']), []);
    assert.deepEqual(aliases(['nics.*.ips=198.51.100.10']), []);
    assert.deepEqual(aliases(['nics.*.ips=DHCP']), ['bhyve']);
    assert.deepEqual(aliases(['nics.*.ips=addrconf']), ['web01']);
    assert.deepEqual(aliases(['nics.0.ips=198.51.100.10/24,2001:DB8::10/64,addrconf']), ['web01']);
  });

  it('nics.*.ips=~regex matches any entry or the whole list', () => {
    assert.deepEqual(aliases(['nics.*.ips=~^2001:db8::']), ['web01']);
    assert.deepEqual(aliases(['nics.*.ips=~^fd00:']), ['web01']);
    assert.deepEqual(aliases(['nics.*.ips=~/24,2001']), ['web01']);
  });

  it('nics.*.gateways matches one gateway in canonical form', () => {
    assert.deepEqual(aliases(['nics.*.gateways=FE80:0::1']), ['web01']);
    assert.deepEqual(aliases(['nics.*.gateways=198.51.100.1']), ['web01']);
    assert.deepEqual(aliases(['nics.*.gateways=198.51.100.2']), []);
  });

  it('takes 5,000 VMs in one linear pass', () => {
    const many = Array.from({ length: 5000 }, (_, i) => ({ ...web, uuid: String(i), tags: { role: i % 2 ? 'db' : 'www' } }));
    assert.equal(filterVms(many, parseFilters(['tags.role=db', 'nics.*.ips=2001:DB8::10/64'], 'lookup')).length, 2500);
  });
});
