/**
 * The linux host's network plan (pure: no root needed): what a zone's
 * configuration and routes.json make of a VM's namespace, and the guard
 * of each NIC's host end (core/nft/guard.ts).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HostError } from '../../src/core/errors';
import { eui64Suffix, guardPutScript, guardRemoveScript, linkLocal } from '../../src/core/nft/guard';
import { createVm } from '../../src/core/vm/create';
import { createScript } from '../../src/core/zonecfg/script';
import { linuxSettings } from '../../src/hosts/linux/config';
import { bridgeName, netPlan, nicsFromZone, portName, resolversFromZone } from '../../src/hosts/linux/plan';
import { apply, parse } from '../../src/hosts/zonecfg-model';

const settings = linuxSettings('/nonexistent-root', { VMADM_LINUX_NETNS: 'vmadm-host' });

function zoneOf(payload: Record<string, unknown>): ReturnType<typeof apply> {
  const out = createVm({ brand: 'joyent', image_uuid: '2b683a82-a066-11e3-97ab-2faa44701c5a', ...payload }, {
    now: new Date(0),
    newUuid: () => '0b0e0e0e-0000-4000-8000-000000000001',
    randomBytes: (n) => new Uint8Array(n).fill(7),
    zonepathOf: (_z, u) => `/zones/${u}`,
  });
  assert.ok(out.ok, JSON.stringify(out));
  return apply(parse(createScript(out.record)));
}

describe('linux host: the network plan of a VM', () => {
  it('NICs as the zone keeps them: interface order, MAC, mtu, VLAN, addresses, gateways as default routes (primary first)', () => {
    const z = zoneOf({
      resolvers: ['192.0.2.53', '2001:db8::53'],
      nics: [
        { nic_tag: 'internal', interface: 'net1', mac: '02:08:20:00:00:01', vlan_id: 7, mtu: 9000, ips: ['203.0.113.5/24', 'addrconf'], gateways: ['203.0.113.1'] },
        { nic_tag: 'external', interface: 'net0', mac: '02:08:20:00:00:02', primary: true, ips: ['198.51.100.5/24', '2001:db8::5/64'], gateways: ['198.51.100.1', 'fe80::1'] },
      ],
    });
    const plan = netPlan('vm1', nicsFromZone('vm1', z), {}, resolversFromZone(z), settings);
    assert.deepEqual(plan.nics.map((n) => [n.iface, n.mac, n.mtu, n.vlan, n.segment.bridge, n.addrs, n.addrconf, n.port]), [
      ['net0', '02:08:20:00:00:02', undefined, 0, bridgeName('external'), ['198.51.100.5/24', '2001:db8::5/64'], false, portName('vm1', 'net0')],
      ['net1', '02:08:20:00:00:01', 9000, 7, bridgeName('internal'), ['203.0.113.5/24'], true, portName('vm1', 'net1')],
    ]);
    assert.deepEqual(plan.routes, [
      { dest: 'default', family: 4, via: '198.51.100.1', dev: 'net0', metric: 100 },
      { dest: 'default', family: 6, via: 'fe80::1', dev: 'net0', metric: 100 },
      { dest: 'default', family: 4, via: '203.0.113.1', dev: 'net1', metric: 101 },
    ]);
    assert.deepEqual(plan.resolvers, ['192.0.2.53', '2001:db8::53']);
    assert.match(portName('vm1', 'net0'), /^vm[0-9a-f]{11}$/);
    assert.equal(bridgeName('a_very_long_nic_tag'), `bt-${bridgeName('a_very_long_nic_tag').slice(3)}`);
  });

  it('routes.json: nics[N] in interface order, macs[...], a gateway through the NIC whose subnet holds it; what no NIC carries is left out', () => {
    const z = zoneOf({
      nics: [
        { nic_tag: 'external', mac: '02:08:20:00:00:0a', ips: ['198.51.100.5/24', '2001:db8::5/64'] },
        { nic_tag: 'internal', mac: '02:08:20:00:00:0b', ips: ['203.0.113.5/24'] },
      ],
    });
    const plan = netPlan('vm1', nicsFromZone('vm1', z), {
      '10.1.0.0/16': 'nics[1]',
      '10.2.0.0/16': 'macs[02:08:20:00:00:0A]',
      '192.0.2.0/24': '203.0.113.1',
      '2001:db8:9::/48': '2001:db8::1',
      '192.0.2.77': '198.51.100.1',
      '10.3.0.0/16': '10.9.9.9',
      '10.4.0.0/16': 'nics[5]',
    }, [], settings);
    assert.deepEqual(plan.routes, [
      { dest: '10.1.0.0/16', family: 4, dev: 'net1' },
      { dest: '10.2.0.0/16', family: 4, dev: 'net0' },
      { dest: '192.0.2.0/24', family: 4, via: '203.0.113.1', dev: 'net1' },
      { dest: '192.0.2.77/32', family: 4, via: '198.51.100.1', dev: 'net0' },
      { dest: '2001:db8:9::/48', family: 6, via: '2001:db8::1', dev: 'net0' },
    ]);
  });

  it('the guard: own MAC, own addresses, link-local and ::, SLAAC with addrconf, dhcp and the allow_* flags', () => {
    const z = zoneOf({
      nics: [
        { nic_tag: 'a', mac: '02:08:20:00:00:0a', ips: ['198.51.100.5/24', '2001:db8::5/64'], allowed_ips: ['198.51.100.64/26'], blocked_outgoing_ports: [25] },
        { nic_tag: 'b', mac: '02:08:20:00:00:0b', ips: ['dhcp', 'addrconf'], allow_mac_spoofing: true, allow_dhcp_spoofing: true, allow_restricted_traffic: true },
        { nic_tag: 'c', mac: '02:08:20:00:00:0c', ips: ['203.0.113.5/24'], allow_ip_spoofing: true },
      ],
    });
    const [a, b, c] = netPlan('vm1', nicsFromZone('vm1', z), {}, [], settings).nics.map((n) => n.guard);
    assert.deepEqual(a.ipv4, ['198.51.100.5', '198.51.100.64/26']);
    assert.deepEqual(a.ipv6, ['2001:db8::5', '::', 'fe80::8:20ff:fe00:a']);
    assert.equal(linkLocal('02:08:20:00:00:0a'), 'fe80::8:20ff:fe00:a');
    assert.equal(eui64Suffix('00:00:00:00:00:01'), '::200:ff:fe00:1');
    const put = guardPutScript('t', [a]);
    for (const want of [
      'add rule bridge t in_' + a.port + ' ether saddr != 02:08:20:00:00:0a counter drop',
      'add rule bridge t in_' + a.port + ' ether type != { ip, ip6, arp } counter drop',
      'add rule bridge t in_' + a.port + ' ip saddr != { 198.51.100.5, 198.51.100.64/26 } counter drop',
      'add rule bridge t in_' + a.port + ' udp sport 67 counter drop',
      'add rule bridge t in_' + a.port + ' tcp dport 25 counter drop',
      'add rule bridge t in_' + a.port + ' meta mark set 0x564d0000',
    ]) assert.ok(put.includes(want + '\n'), `${want}\nin\n${put}`);
    assert.equal(b.ipv4, 'any', 'dhcp: the address is the DHCP server\'s');
    assert.equal(b.slaacSuffix, eui64Suffix('02:08:20:00:00:0b'));
    const putB = guardPutScript('t', [b]);
    assert.ok(!/ether saddr|ether type !=|udp sport/.test(putB), putB);
    assert.match(putB, /ip6 saddr != \{ ::, fe80::8:20ff:fe00:b \} ip6 saddr & ::ffff:ffff:ffff:ffff != ::8:20ff:fe00:b counter drop/);
    assert.equal(c.ipv4, 'any');
    assert.equal(c.ipv6, 'any');
    assert.match(guardRemoveScript('t', [a.port]), new RegExp(`delete chain bridge t in_${a.port}\n`));
  });

  it('refuses, in one line, values no namespace can be given', () => {
    const nic = { iface: 'net0', mac: '02:08:20:00:00:0a', nicTag: 'external', vlan: 0, ips: [], gateways: [], allowedIps: [], primary: true, allowIpSpoofing: false, allowMacSpoofing: false, allowDhcpSpoofing: false, allowRestrictedTraffic: false, blockedPorts: [] };
    for (const [bad, why] of [
      [{ iface: 'net0; reboot' }, /net0; reboot: not an interface name/],
      [{ mac: 'zz:08:20:00:00:0a' }, /is not a MAC address/],
      [{ nicTag: 'ext ernal' }, /is not a nic_tag/],
      [{ ips: ['198.51.100.5/24 dev lo'] }, /is not an address\/length/],
      [{ vlan: 5000 }, /vlan_id 5000 is out of range/],
    ] as const) {
      assert.throws(() => netPlan('vm1', [{ ...nic, ...bad }], {}, [], settings), (e: Error) => e instanceof HostError && why.test(e.message) && !e.message.includes('\n'));
    }
  });

  it('linux.json: mapped nic_tags join a bridge named there; anything else in it is refused in one line', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'linux-json-'));
    try {
      fs.writeFileSync(path.join(root, 'linux.json'), JSON.stringify({ nic_tags: { external: 'br0', lab: { bridge: 'br1', netns: 'lab' } } }));
      const s = linuxSettings(root, {});
      assert.equal(s.hostNetns, 'vmadm-host');
      assert.deepEqual([...s.mapped], [['external', { bridge: 'br0', netns: null }], ['lab', { bridge: 'br1', netns: 'lab' }]]);
      for (const [doc, why] of [
        ['{', /linux\.json: not valid JSON/],
        [{ nic_tags: { external: 'eth0 up' } }, /nic_tags\.external\.bridge: "eth0 up" is not an interface name/],
        [{ nic_tags: { 'x-y': 'br0' } }, /"x-y" is not a nic_tag/],
        [{ nic_tags: { a: { bridge: 'br0', netns: 'vmadm-host' } } }, /vmadm's own namespace/],
        [{ tags: {} }, /unknown key "tags"/],
      ] as const) {
        fs.writeFileSync(path.join(root, 'linux.json'), typeof doc === 'string' ? doc : JSON.stringify(doc));
        assert.throws(() => linuxSettings(root, {}), (e: Error) => why.test(e.message) && !e.message.includes('\n'));
      }
      assert.throws(() => linuxSettings(root, { VMADM_LINUX_NETNS: '../etc' }), /VMADM_LINUX_NETNS: "..\/etc" is not a namespace name/);
      // tables loaded through libnftables unless told to run the nft program
      fs.rmSync(path.join(root, 'linux.json'));
      assert.equal(linuxSettings(root, {}).nft, 'library');
      assert.equal(linuxSettings(root, { VMADM_LINUX_NFT: 'program' }).nft, 'program');
      assert.throws(() => linuxSettings(root, { VMADM_LINUX_NFT: 'nft' }), /VMADM_LINUX_NFT: "nft" is not library or program/);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
