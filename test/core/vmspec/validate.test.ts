/**
 * docs/vm-network.md, line by line: each rule with payloads that pass and
 * payloads that fail, the report names they give and the sentence.
 */
import { strict as assert } from 'node:assert';
import { validateCreate, validateUpdate, type ValidationReport } from '../../../src/core/vmspec/validate';

type Payload = Record<string, unknown>;
const NIC = { nic_tag: 'external' };
const IMAGE = '2b683a82-a066-11e3-97ab-2faa44701c5a';

/** A joyent zone with these NICs (and other properties). */
function zone(nics: Payload[], extra: Payload = {}): Payload {
  return { brand: 'joyent', image_uuid: IMAGE, nics, ...extra };
}
function nic(props: Payload): Payload {
  return { ...NIC, ...props };
}

/** A value as the report shows it (80 characters at most). */
function shown(value: string): string {
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}..."` : text;
}

function escaped(text: string): string {
  return text.replace(/[.\\^$*+?()[\]{}|/]/g, '\\$&');
}

interface Case {
  what: string;
  payload: Payload;
  report?: ValidationReport;
  /** A sentence that must be among the messages. */
  says?: RegExp;
}

const VALID: Array<[string, Payload]> = [
  ['several IPv4 and IPv6 addresses with prefixes', zone([nic({ ips: ['10.0.0.5/24', '10.0.0.6/24', '2001:db8::5/64', 'fd00::5/64'] })])],
  ['dhcp and addrconf', zone([nic({ ips: ['dhcp', 'addrconf'] })])],
  ['dhcp next to a static IPv4, addrconf next to a static IPv6', zone([nic({ ips: ['dhcp', '10.0.0.5/24', 'addrconf', 'fd00::5/64'] })])],
  ['a /0 prefix in ips', zone([nic({ ips: ['10.0.0.5/0', '2001:db8::1/0'] })])],
  ['host bits set in ips', zone([nic({ ips: ['10.0.0.5/8'] })])],
  ['upper-case hex and any RFC 4291 form', zone([nic({ ips: ['2001:DB8:0:0:0:0:0:5/64', '::10.0.0.1/128'] })])],
  ['empty arrays', zone([nic({ ips: [], gateways: [], allowed_ips: [] })], { resolvers: [] })],
  ['no nics at all', { brand: 'joyent', image_uuid: IMAGE, nics: [] }],
  ['allowed_ips: addresses and ranges', zone([nic({ ips: ['10.0.0.5/24'], allowed_ips: ['10.0.0.9', '10.1.0.0/16', 'fd00::/64', 'fd00:1::1'] })])],
  ['32 entries: ips + allowed_ips + vrrp_primary_ip', zone([nic({ ips: Array.from({ length: 20 }, (_, i) => `10.0.0.${i + 1}/24`), allowed_ips: Array.from({ length: 11 }, (_, i) => `10.1.0.${i + 1}`), vrrp_vrid: 1, vrrp_primary_ip: '10.2.0.5' }), nic({ ips: ['10.2.0.5/24'] })])],
  ['gateways of both families inside their subnets', zone([nic({ ips: ['10.0.0.5/24', 'fd00::5/64'], gateways: ['10.0.0.1', 'fd00::1'] })])],
  ['an IPv6 link-local gateway', zone([nic({ ips: ['fd00::5/64'], gateways: ['fe80::1'] })])],
  ['an IPv4 gateway anywhere with dhcp', zone([nic({ ips: ['dhcp'], gateways: ['192.168.7.1'] })])],
  ['an IPv6 gateway anywhere with addrconf', zone([nic({ ips: ['10.0.0.5/24', 'addrconf'], gateways: ['2001:db8:9::1'] })])],
  ['network_uuids for some static addresses, compared canonically', zone([nic({ ips: ['2001:db8::5/64', '10.0.0.5/24'], network_uuids: { '2001:DB8:0::5': '1f2a3b4c-5d6e-4f70-8192-a3b4c5d6e7f8' } })])],
  ['deprecated ip/netmask/gateway', zone([nic({ ip: '10.0.0.5', netmask: '255.255.255.0', gateway: '10.0.0.1' })])],
  ['deprecated ip: dhcp', zone([nic({ ip: 'dhcp' })])],
  ['deprecated forms agreeing with new ones', zone([nic({ ip: '10.0.0.5', netmask: '255.255.0.0', ips: ['10.0.0.5/16', 'fd00::5/64'], gateway: '10.0.0.1', gateways: ['10.0.0.1', 'fd00::1'] })])],
  ['one primary', zone([nic({ primary: true }), nic({})])],
  ['MACs of any case, unique', zone([nic({ mac: '90:B8:D0:00:00:01' }), nic({ mac: '90:b8:d0:00:00:02' })])],
  ['nic_tag of 31 characters', zone([nic({ nic_tag: 'a'.repeat(31) })])],
  ['interfaces net<N>', zone([nic({ interface: 'net0' }), nic({ interface: 'net12' })])],
  ['lx interfaces eth<N>, as lx names its NICs', zone([nic({ interface: 'eth0' }), nic({ interface: 'eth1' })], { brand: 'lx', kernel_version: '4.3.0' })],
  ['vlan_id 0 and 4095, mtu 576 and 9000', zone([nic({ vlan_id: 0, mtu: 576 }), nic({ vlan_id: 4095, mtu: 9000 })])],
  ['20 DHCP client ids', zone([nic({ allowed_dhcp_cids: Array.from({ length: 20 }, (_, i) => `0x${(i + 16).toString(16)}AB`) })])],
  ['model on HVM', { brand: 'kvm', nics: [nic({ model: 'e1000', ips: ['10.0.0.5/24'] })] }],
  ['HVM: dhcp only', { brand: 'bhyve', nics: [nic({ ips: ['dhcp'], allowed_ips: ['fd00::5', '10.0.0.7'] })] }],
  ['resolvers of both families', zone([], { resolvers: ['10.0.0.53', '2001:DB8::53'] })],
  ['routes: same-family gateways, nics[N], macs[...]', zone([nic({ ips: ['10.0.0.5/24', 'addrconf'], mac: '90:b8:d0:00:00:01' })], { routes: { '10.2.0.0/16': '10.0.0.1', '10.3.0.1': '10.0.0.1', 'fd00:9::/48': 'fe80::1', '169.254.169.254': 'nics[0]', 'fd00:8::/64': 'macs[90:B8:D0:00:00:01]' } })],
  ['vrrp: the primary IP is another NIC\'s address', zone([nic({ vrrp_vrid: 255, vrrp_primary_ip: '10.0.0.9' }), nic({ ips: ['10.0.0.9/24'] })])],
  ['primary: "true", 1 and "1" mean primary (§15 "primary")', zone([nic({ primary: 'true' }), nic({})])],
  ['primary: 1', zone([nic({}), nic({ primary: 1 })])],
  ['primary: "1"', zone([nic({ primary: '1' })])],
  ['primary: false, "false" and 0 on create mean not primary', zone([nic({ primary: false }), nic({ primary: 'false' }), nic({ primary: 0 })])],
  ['allowed_ips and routes may name 0.0.0.0/0 and ::/0', zone([nic({ ips: ['10.0.0.5/24', 'fd00::5/64'], allowed_ips: ['0.0.0.0/0', '::/0'] })], { routes: { '0.0.0.0/0': '10.0.0.1', '::/0': 'fe80::1' } })],
  ['addresses next to the special ranges', zone([nic({ ips: ['0.0.0.1/8', '126.255.255.255/8', '223.255.255.254/8', '255.255.255.254/24', '::2/128', 'fe80::5/64'], gateways: ['0.0.0.2', 'fe80::1'] })])],
  // any ZFS pool name: letters, digits, _ - . :, up to 255 bytes; ZFS reserves its words in lower case, `log` only whole
  ...['zones', 'data_1.x:y-z', 'z'.repeat(255), 'Mirror', 'RAIDZ', 'logs', 'c', 'cache', 'C0', 'a0'].map((pool): [string, Payload] => [`zpool ${pool.slice(0, 20)}`, zone([], { zpool: pool })]),
  ['non-network properties of a real spec', zone([nic({ ips: ['dhcp'] })], { alias: 'a', uuid: '5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11', owner_uuid: '930896af-bf8c-48d4-885c-6573a94b1853', image_uuid: '2b683a82-a066-11e3-97ab-2faa44701c5a', max_physical_memory: 512, quota: 10, ram: 512, tags: { a: 'b', n: 1, t: true }, customer_metadata: { k: 'v' }, firewall_enabled: true, autoboot: false, cpu_cap: 100 })],
];

const INVALID: Case[] = [
  { what: 'interface: eth<N> is for lx only', payload: zone([nic({ interface: 'eth0' })]), report: { bad_values: ['nics.0.interface'] }, says: /^nics\.0\.interface: "eth0" is not net<N>$/ },
  { what: 'interface: eth<N> twice on lx', payload: zone([nic({ interface: 'eth0' }), nic({ interface: 'eth0' })], { brand: 'lx', kernel_version: '4.3.0' }), report: { bad_values: ['nics'] }, says: /^nics: interface "?eth0"? is used by nics\.0 and nics\.1$/ },
  // ips
  { what: 'ips: an address without a prefix', payload: zone([nic({ ips: ['10.0.0.5'] })]), report: { bad_values: ['nics.0.ips'] }, says: /^nics\.0\.ips: "10\.0\.0\.5" has no prefix length/ },
  { what: 'ips: not an address', payload: zone([nic({ ips: ['example'] })]), report: { bad_values: ['nics.0.ips'] }, says: /"example" is not an address with a prefix, "dhcp" or "addrconf"/ },
  { what: 'ips: leading zeros in IPv4', payload: zone([nic({ ips: ['010.0.0.1/24'] })]), report: { bad_values: ['nics.0.ips'] } },
  { what: 'ips: a hex part in the dotted tail of IPv6', payload: zone([nic({ ips: ['2001:db8::0x0a.0.0.1/64'] })]), report: { bad_values: ['nics.0.ips'] }, says: /^nics\.0\.ips: "2001:db8::0x0a\.0\.0\.1" is not a valid IPv4 or IPv6 address$/ },
  { what: 'ips: prefix too long for IPv4', payload: zone([nic({ ips: ['10.0.0.5/33'] })]), report: { bad_values: ['nics.0.ips'] }, says: /invalid prefix length "33"/ },
  { what: 'ips: prefix too long for IPv6', payload: zone([nic({ ips: ['fd00::5/129'] })]), report: { bad_values: ['nics.0.ips'] } },
  { what: 'ips: dhcp twice', payload: zone([nic({ ips: ['dhcp', 'dhcp'] })]), report: { bad_values: ['nics.0.ips'] }, says: /^nics\.0\.ips: "dhcp" is listed twice$/ },
  { what: 'ips: addrconf twice', payload: zone([nic({ ips: ['addrconf', 'fd00::5/64', 'addrconf'] })]), report: { bad_values: ['nics.0.ips'] }, says: /"addrconf" is listed twice/ },
  { what: 'ips: one address with two prefixes', payload: zone([nic({ ips: ['10.0.0.5/24', '10.0.0.5/16'] })]), report: { bad_values: ['nics.0.ips'] }, says: /10\.0\.0\.5\/16 repeats the address 10\.0\.0\.5/ },
  { what: 'ips: two spellings of one IPv6 address', payload: zone([nic({ ips: ['2001:db8::5/64', '2001:DB8:0:0::5/64'] })]), report: { bad_values: ['nics.0.ips'] } },
  { what: 'ips: a scope identifier', payload: zone([nic({ ips: ['fe80::1%net0/64'] })]), report: { bad_values: ['nics.0.ips'] }, says: /scope identifier.*local to one host/ },
  { what: 'ips: IPv4-mapped IPv6', payload: zone([nic({ ips: ['::ffff:10.0.0.1/128'] })]), report: { bad_values: ['nics.0.ips'] }, says: /IPv4-mapped.*write the IPv4 address 10\.0\.0\.1/ },
  { what: 'ips: a comma-separated string is not a list', payload: zone([nic({ ips: '10.0.0.5/24,10.0.0.6/24' })]), report: { bad_values: ['nics.0.ips'] }, says: /is not an array/ },
  { what: 'ips: a non-string item', payload: zone([nic({ ips: [5] })]), report: { bad_values: ['nics.0.ips'] } },
  // addresses a NIC cannot hold (unspecified, loopback, multicast, broadcast)
  ...(
    [
      ['::/128', 'the unspecified address'],
      ['::1/128', 'a loopback address'],
      ['ff02::1/64', 'a multicast address'],
      ['0.0.0.0/24', 'the unspecified address'],
      ['127.0.0.1/8', 'a loopback address'],
      ['224.0.0.5/4', 'a multicast address'],
      ['255.255.255.255/32', 'the broadcast address'],
    ] as const
  ).map(([ip, kind]): Case => ({
    what: `ips: ${ip} is ${kind}`,
    payload: zone([nic({ ips: ['10.0.0.5/24', ip] })]),
    report: { bad_values: ['nics.0.ips'] },
    says: new RegExp(`^nics\\.0\\.ips: ${ip.replace(/\./g, '\\.')} is ${kind}: a NIC's own address`),
  })),
  ...(
    [
      ['0.0.0.0', 'the unspecified address'],
      ['::', 'the unspecified address'],
      ['127.0.0.1', 'a loopback address'],
      ['::1', 'a loopback address'],
      ['ff02::1', 'a multicast address'],
      ['239.1.1.1', 'a multicast address'],
      ['255.255.255.255', 'the broadcast address'],
    ] as const
  ).map(([gw, kind]): Case => ({
    what: `gateways: ${gw} is ${kind}`,
    payload: zone([nic({ ips: ['dhcp', 'addrconf'], gateways: [gw] })]),
    report: { bad_values: ['nics.0.gateways'] },
    says: new RegExp(`^nics\\.0\\.gateways: ${gw.replace(/\./g, '\\.')} is ${kind}: a gateway`),
  })),
  { what: 'deprecated ip: a loopback address', payload: zone([nic({ ip: '127.0.0.1', netmask: '255.0.0.0' })]), report: { bad_values: ['nics.0.ip'] }, says: /^nics\.0\.ip: 127\.0\.0\.1\/8 is a loopback address/ },
  { what: 'deprecated ip: the unspecified address', payload: zone([nic({ ip: '0.0.0.0', netmask: '255.255.255.0' })]), report: { bad_values: ['nics.0.ip'] }, says: /unspecified/ },
  { what: 'deprecated gateway: the broadcast address', payload: zone([nic({ ips: ['dhcp'], gateway: '255.255.255.255' })]), report: { bad_values: ['nics.0.gateway'] }, says: /^nics\.0\.gateway: 255\.255\.255\.255 is the broadcast address/ },
  { what: 'vrrp_primary_ip: the unspecified address', payload: zone([nic({ vrrp_primary_ip: '0.0.0.0' })]), report: { bad_values: ['nics.0.vrrp_primary_ip'] }, says: /^nics\.0\.vrrp_primary_ip: 0\.0\.0\.0 is the unspecified address/ },
  { what: 'vrrp_primary_ip: a multicast address', payload: zone([nic({ vrrp_primary_ip: 'ff02::12' })]), report: { bad_values: ['nics.0.vrrp_primary_ip'] }, says: /multicast/ },
  { what: 'vrrp_primary_ip: a prefix', payload: zone([nic({ vrrp_primary_ip: '10.0.0.9/24' })]), report: { bad_values: ['nics.0.vrrp_primary_ip'] }, says: /has a prefix: vrrp_primary_ip is a single address/ },
  // allowed_ips
  { what: 'allowed_ips: host bits in a range', payload: zone([nic({ allowed_ips: ['10.0.0.5/24'] })]), report: { bad_values: ['nics.0.allowed_ips'] }, says: /bits set to the right of the \/24 prefix/ },
  { what: 'allowed_ips: not an address', payload: zone([nic({ allowed_ips: ['any'] })]), report: { bad_values: ['nics.0.allowed_ips'] } },
  // the cap
  { what: '33 entries, counting dhcp and vrrp_primary_ip', payload: zone([nic({ ips: ['dhcp', ...Array.from({ length: 20 }, (_, i) => `10.0.0.${i + 1}/24`)], allowed_ips: Array.from({ length: 11 }, (_, i) => `10.1.0.${i + 1}`), vrrp_primary_ip: '10.0.0.100' }), nic({ ips: ['10.0.0.100/24'] })]), report: { bad_values: ['nics.0'] }, says: /^nics\.0: has 33 entries.*at most 32/ },
  { what: 'an address in both ips and allowed_ips counts twice', payload: zone([nic({ ips: Array.from({ length: 17 }, (_, i) => `10.0.0.${i + 1}/24`), allowed_ips: Array.from({ length: 16 }, (_, i) => `10.0.0.${i + 1}`) })]), report: { bad_values: ['nics.0'] } },
  // gateways
  { what: 'an IPv6 gateway without IPv6 on the NIC', payload: zone([nic({ ips: ['10.0.0.5/24'] }), nic({ ips: ['10.1.0.5/24'], gateways: ['fd00::1'] })]), report: { bad_values: ['nics.1.gateways'] }, says: /^nics\.1\.gateways: fd00::1 is IPv6 but the NIC has no IPv6 address or addrconf$/ },
  { what: 'an IPv4 gateway without IPv4 on the NIC', payload: zone([nic({ ips: ['fd00::5/64'], gateways: ['10.0.0.1'] })]), report: { bad_values: ['nics.0.gateways'] }, says: /10\.0\.0\.1 is IPv4 but the NIC has no IPv4 address or dhcp/ },
  { what: 'allowed_ips do not count as an address of the family', payload: zone([nic({ ips: ['10.0.0.5/24'], allowed_ips: ['fd00::5'], gateways: ['fd00::1'] })]), report: { bad_values: ['nics.0.gateways'] } },
  { what: 'an IPv4 gateway outside the static subnets', payload: zone([nic({ ips: ['10.0.0.5/24'], gateways: ['10.0.1.1'] })]), report: { bad_values: ['nics.0.gateways'] }, says: /10\.0\.1\.1 is not inside any of the NIC's IPv4 subnets \(10\.0\.0\.5\/24\)/ },
  { what: 'an IPv6 gateway neither link-local nor inside', payload: zone([nic({ ips: ['fd00::5/64'], gateways: ['fd01::1'] })]), report: { bad_values: ['nics.0.gateways'] }, says: /fd01::1 is neither link-local nor inside/ },
  { what: 'a gateway with a prefix', payload: zone([nic({ ips: ['10.0.0.5/24'], gateways: ['10.0.0.1/24'] })]), report: { bad_values: ['nics.0.gateways'] }, says: /has a prefix/ },
  // network_uuids
  { what: 'network_uuids: a key that is not a static address of the NIC', payload: zone([nic({ ips: ['10.0.0.5/24', 'dhcp'], network_uuids: { '10.0.0.6': '1f2a3b4c-5d6e-4f70-8192-a3b4c5d6e7f8' } })]), report: { bad_values: ['nics.0.network_uuids'] } },
  { what: 'network_uuids: a value that is not a UUID', payload: zone([nic({ ips: ['10.0.0.5/24'], network_uuids: { '10.0.0.5': 'net' } })]), report: { bad_values: ['nics.0.network_uuids'] } },
  // deprecated forms
  { what: 'ip without netmask', payload: zone([nic({ ip: '10.0.0.5' })]), report: { missing_properties: ['nics.0.netmask'] } },
  { what: 'a non-contiguous netmask', payload: zone([nic({ ip: '10.0.0.5', netmask: '255.0.255.0' })]), report: { bad_values: ['nics.0.netmask'] }, says: /contiguous/ },
  { what: 'ip is IPv4 only', payload: zone([nic({ ip: 'fd00::5', netmask: '255.255.255.0' })]), report: { bad_values: ['nics.0.ip'] }, says: /IPv4 only/ },
  { what: 'gateway is IPv4 only', payload: zone([nic({ ips: ['fd00::5/64'], gateway: 'fd00::1' })]), report: { bad_values: ['nics.0.gateway'] } },
  { what: 'ip/netmask disagreeing with ips', payload: zone([nic({ ip: '10.0.0.5', netmask: '255.255.255.0', ips: ['10.0.0.6/24'] })]), report: { bad_values: ['nics.0'] }, says: /^nics\.0: ip 10\.0\.0\.5\/24 \(from ip and netmask\) disagrees with ips/ },
  { what: 'ip/netmask prefix disagreeing with ips', payload: zone([nic({ ip: '10.0.0.5', netmask: '255.255.0.0', ips: ['10.0.0.5/24'] })]), report: { bad_values: ['nics.0'] } },
  { what: 'ip: dhcp without dhcp in ips', payload: zone([nic({ ip: 'dhcp', ips: ['10.0.0.5/24'] })]), report: { bad_values: ['nics.0'] } },
  { what: 'gateway disagreeing with gateways', payload: zone([nic({ ips: ['10.0.0.5/24'], gateway: '10.0.0.1', gateways: ['10.0.0.2'] })]), report: { bad_values: ['nics.0'] } },
  { what: 'deprecated gateway outside the deprecated ip subnet', payload: zone([nic({ ip: '10.0.0.5', netmask: '255.255.255.0', gateway: '10.9.0.1' })]), report: { bad_values: ['nics.0.gateway'] } },
  // primary, mac, nic_tag, interface, vlan_id, mtu, cids, model
  { what: 'two primaries', payload: zone([nic({ primary: true }), nic({ primary: true })]), report: { bad_values: ['nics'] }, says: /^nics: 2 NICs are primary/ },
  { what: 'primary: "blah"', payload: zone([nic({ primary: 'blah' })]), report: { bad_values: ['nics.0.primary'] }, says: /^nics\.0\.primary: "blah" is not true or false$/ },
  { what: 'primary: 2', payload: zone([nic({ primary: 2 })]), report: { bad_values: ['nics.0.primary'] } },
  { what: 'primary: null', payload: zone([nic({ primary: null })]), report: { bad_values: ['nics.0.primary'] } },
  { what: 'vrrp_primary_ip that no other NIC holds', payload: zone([nic({ vrrp_vrid: 1, vrrp_primary_ip: '10.0.0.9' }), nic({ ips: ['10.0.0.8/24'] })]), report: { bad_values: ['nics.0.vrrp_primary_ip'] }, says: /^nics\.0\.vrrp_primary_ip: 10\.0\.0\.9 is not an address of another NIC of this VM$/ },
  { what: 'vrrp_primary_ip held by its own NIC only', payload: zone([nic({ ips: ['10.0.0.9/24'], vrrp_vrid: 1, vrrp_primary_ip: '10.0.0.9' })]), report: { bad_values: ['nics.0.vrrp_primary_ip'] } },
  { what: 'two NICs with one VRRP VRID', payload: zone([nic({ vrrp_vrid: 7 }), nic({ vrrp_vrid: 7 })]), report: { bad_values: ['nics'] }, says: /^nics: VRRP VRID 7 is used by nics\.0 and nics\.1$/ },
  { what: 'a multicast MAC', payload: zone([nic({ mac: '01:00:5e:00:00:01' })]), report: { bad_values: ['nics.0.mac'] }, says: /multicast/ },
  { what: 'the broadcast MAC', payload: zone([nic({ mac: 'ff:ff:ff:ff:ff:ff' })]), report: { bad_values: ['nics.0.mac'] }, says: /broadcast/ },
  { what: 'the all-zero MAC', payload: zone([nic({ mac: '00:00:00:00:00:00' })]), report: { bad_values: ['nics.0.mac'] } },
  { what: 'a malformed MAC', payload: zone([nic({ mac: '90:b8:d0:00:00' })]), report: { bad_values: ['nics.0.mac'] } },
  { what: 'one MAC on two NICs, any case', payload: zone([nic({ mac: '90:b8:d0:00:00:01' }), nic({ mac: '90:B8:D0:00:00:01' })]), report: { bad_values: ['nics'] }, says: /MAC 90:b8:d0:00:00:01 is used by nics\.0 and nics\.1/ },
  { what: 'nic_tag missing', payload: zone([{ ips: ['dhcp'] }]), report: { missing_properties: ['nics.0.nic_tag'] } },
  { what: 'nic_tag too long', payload: zone([nic({ nic_tag: 'a'.repeat(32) })]), report: { bad_values: ['nics.0.nic_tag'] } },
  { what: 'nic_tag with a newline cannot inject a line', payload: zone([nic({ nic_tag: 'ext\nadd net' })]), report: { bad_values: ['nics.0.nic_tag'] } },
  { what: 'interface not net<N>', payload: zone([nic({ interface: 'eth0' })]), report: { bad_values: ['nics.0.interface'] } },
  { what: 'one interface on two NICs', payload: zone([nic({ interface: 'net0' }), nic({ interface: 'net0' })]), report: { bad_values: ['nics'] } },
  { what: 'vlan_id 4096', payload: zone([nic({ vlan_id: 4096 })]), report: { bad_values: ['nics.0.vlan_id'] }, says: /4096 is out of range \(0 to 4095\)/ },
  { what: 'vlan_id "5" (a string)', payload: zone([nic({ vlan_id: '5' })]), report: { bad_values: ['nics.0.vlan_id'] } },
  { what: 'mtu 575', payload: zone([nic({ mtu: 575 })]), report: { bad_values: ['nics.0.mtu'] } },
  { what: 'mtu 9001', payload: zone([nic({ mtu: 9001 })]), report: { bad_values: ['nics.0.mtu'] } },
  { what: 'mtu 1500.5', payload: zone([nic({ mtu: 1500.5 })]), report: { bad_values: ['nics.0.mtu'] } },
  { what: '21 DHCP client ids', payload: zone([nic({ allowed_dhcp_cids: Array.from({ length: 21 }, () => '0x01') })]), report: { bad_values: ['nics.0.allowed_dhcp_cids'] } },
  { what: 'a DHCP client id with an odd number of digits', payload: zone([nic({ allowed_dhcp_cids: ['0x123'] })]), report: { bad_values: ['nics.0.allowed_dhcp_cids'] } },
  { what: 'a DHCP client id without 0x', payload: zone([nic({ allowed_dhcp_cids: ['0102'] })]), report: { bad_values: ['nics.0.allowed_dhcp_cids'] } },
  { what: 'model on a zone', payload: zone([nic({ model: 'virtio' })]), report: { bad_properties: ['nics.0.model'] } },
  { what: 'an unknown model on HVM', payload: { brand: 'kvm', nics: [nic({ model: 'ne2000' })] }, report: { bad_values: ['nics.0.model'] } },
  { what: 'HVM: two addresses in ips', payload: { brand: 'kvm', nics: [nic({ ips: ['10.0.0.5/24', '10.0.0.6/24'] })] }, report: { bad_values: ['nics.0.ips'] }, says: /only "dhcp" or a single IPv4 address/ },
  { what: 'HVM: an IPv6 address in ips', payload: { brand: 'bhyve', nics: [nic({ ips: ['fd00::5/64'] })] }, report: { bad_values: ['nics.0.ips'] } },
  { what: 'HVM: addrconf', payload: { brand: 'bhyve', nics: [nic({ ips: ['addrconf'] })] }, report: { bad_values: ['nics.0.ips'] } },
  { what: 'vrrp_vrid 256', payload: zone([nic({ vrrp_vrid: 256 })]), report: { bad_values: ['nics.0.vrrp_vrid'] } },
  { what: 'network_uuid not a UUID', payload: zone([nic({ network_uuid: 'net-1' })]), report: { bad_values: ['nics.0.network_uuid'] }, says: /^nics\.0\.network_uuid: "net-1" is not a UUID$/ },
  { what: 'allowed_dhcp_cids over 1024 characters in all', payload: zone([nic({ allowed_dhcp_cids: Array.from({ length: 4 }, () => `0x${'ab'.repeat(128)}`) })]), report: { bad_values: ['nics.0.allowed_dhcp_cids'] }, says: /^nics\.0\.allowed_dhcp_cids: holds 1035 characters in all \(joined by commas\); at most 1024 are allowed$/ },
  { what: 'allow_unfiltered_promisc on a zone', payload: zone([nic({ allow_unfiltered_promisc: true })]), report: { bad_properties: ['nics.0.allow_unfiltered_promisc'] } },
  { what: 'an unknown NIC property', payload: zone([nic({ colour: 'blue' })]), report: { bad_properties: ['nics.0.colour'] } },
  // addresses shared between NICs
  { what: 'one address on two NICs (two spellings)', payload: zone([nic({ ips: ['fd00::5/64'] }), nic({ ips: ['FD00:0::5/48'] })]), report: { bad_values: ['nics'] }, says: /address fd00::5 is used by nics\.0 and nics\.1/ },
  // resolvers and routes
  { what: 'a resolver with a prefix', payload: zone([], { resolvers: ['10.0.0.53/32'] }), report: { bad_values: ['resolvers'] } },
  { what: 'a resolver with a scope', payload: zone([], { resolvers: ['fe80::53%net0'] }), report: { bad_values: ['resolvers'] } },
  { what: 'a route with host bits in its destination', payload: zone([], { routes: { '10.2.0.1/16': '10.0.0.1' } }), report: { bad_values: ['routes.10.2.0.1/16'] } },
  { what: 'a route whose gateway family differs', payload: zone([], { routes: { 'fd00::/64': '10.0.0.1' } }), report: { bad_values: ['routes.fd00::/64'] }, says: /gateway 10\.0\.0\.1 is IPv4 but the destination is IPv6/ },
  { what: 'a route over a missing NIC', payload: zone([nic({ ips: ['10.0.0.5/24'] })], { routes: { '10.9.0.0/16': 'nics[1]' } }), report: { bad_values: ['routes.10.9.0.0/16'] } },
  { what: 'a route over a NIC without the family', payload: zone([nic({ ips: ['10.0.0.5/24'] })], { routes: { 'fd00:9::/48': 'nics[0]' } }), report: { bad_values: ['routes.fd00:9::/48'] } },
  { what: 'a route over an unknown MAC', payload: zone([nic({ ips: ['10.0.0.5/24'], mac: '90:b8:d0:00:00:01' })], { routes: { '10.9.0.0/16': 'macs[90:b8:d0:00:00:02]' } }), report: { bad_values: ['routes.10.9.0.0/16'] } },
  { what: 'a route to a non-address', payload: zone([], { routes: { default: '10.0.0.1' } }), report: { bad_values: ['routes.default'] } },
  // VM properties
  { what: 'no brand', payload: { nics: [] }, report: { missing_properties: ['brand'] } },
  { what: 'an unknown brand', payload: { brand: 'xen' }, report: { bad_brand: 'xen' } },
  { what: 'an unknown property', payload: zone([], { colour: 'blue' }), report: { bad_properties: ['colour'] } },
  { what: 'disks on a zone', payload: zone([], { disks: [] }), report: { bad_properties: ['disks'] } },
  { what: 'ram as a word', payload: zone([], { ram: 'lots' }), report: { bad_values: ['ram'] }, says: /^ram: "lots" is not an integer$/ },
  { what: 'firewall_enabled as a string', payload: zone([], { firewall_enabled: 'yes' }), report: { bad_values: ['firewall_enabled'] } },
  { what: 'a bad uuid', payload: zone([], { uuid: 'my-vm' }), report: { bad_values: ['uuid'] } },
  { what: 'tags with an object value', payload: zone([], { tags: { a: { b: 1 } } }), report: { bad_values: ['tags.a'] } },
  // zpool: a ZFS pool name, since the zonepath and datasets are made from it
  ...(
    [
      ['../../tmp/x', 'only letters, digits, "_", "-", "." and ":" may be used'],
      ['zones/x', 'only letters, digits, "_", "-", "." and ":" may be used'],
      ['zones ', 'only letters, digits, "_", "-", "." and ":" may be used'],
      ['z\u00f6nes', 'only letters, digits, "_", "-", "." and ":" may be used'],
      ['', 'it is empty'],
      ['1zones', 'it must begin with a letter'],
      ['_zones', 'it must begin with a letter'],
      ['.', 'it must begin with a letter'],
      ['z'.repeat(256), 'it is 256 bytes long, at most 255 are allowed'],
      ['mirror', '"mirror" is reserved by ZFS'],
      ['raidz', '"raidz" is reserved by ZFS'],
      ['draid', '"draid" is reserved by ZFS'],
      ['spare', '"spare" is reserved by ZFS'],
      ['log', '"log" is reserved by ZFS'],
      ['mirror-0', 'names beginning with "mirror" are reserved by ZFS'],
      ['raidz2', 'names beginning with "raidz" are reserved by ZFS'],
      ['draid1:4d', 'names beginning with "draid" are reserved by ZFS'],
      ['spares', 'names beginning with "spare" are reserved by ZFS'],
      ['c0t0d0', 'names of "c" and a digit are reserved by ZFS for disk devices'],
    ] as const
  ).map(([pool, why]): Case => ({
    what: `zpool ${JSON.stringify(pool.slice(0, 20))}: ${why}`,
    payload: zone([], { zpool: pool }),
    report: { bad_values: ['zpool'] },
    says: new RegExp(`^zpool: ${escaped(shown(pool))} is not a ZFS pool name: ${escaped(why)}$`),
  })),
  { what: 'a disk without an image needs a size', payload: { brand: 'kvm', disks: [{ model: 'virtio' }] }, report: { missing_properties: ['disks.0.size'] }, says: /^disks\.0\.size: is required for a disk without image_uuid$/ },
  { what: 'a disk block_size is a power of two', payload: { brand: 'kvm', disks: [{ size: 1024, block_size: 3000 }] }, report: { bad_values: ['disks.0.block_size'] }, says: /^disks\.0\.block_size: 3000 is not a power of two$/ },
  { what: 'nvme is not a kvm disk model', payload: { brand: 'kvm', disks: [{ size: 1024, model: 'nvme' }] }, report: { bad_values: ['disks.0.model'] } },
  { what: 'two boot disks', payload: { brand: 'bhyve', disks: [{ size: 1, boot: true }, { size: 1, boot: true }] }, report: { bad_values: ['disks'] } },
  { what: 'a filesystem needs type, source and target', payload: { brand: 'joyent', image_uuid: '2b683a82-a066-11e3-97ab-2faa44701c5a', filesystems: [{ source: '/a' }] }, report: { missing_properties: ['filesystems.0.type', 'filesystems.0.target'] } },
];

function check(c: Case, result: ReturnType<typeof validateCreate>): void {
  assert.equal(result.valid, false, 'accepted');
  if (c.report) assert.deepEqual(result.report, c.report, result.messages.join('\n'));
  if (c.says) assert.ok(result.messages.some((m) => c.says!.test(m)), `no message matches ${c.says}:\n${result.messages.join('\n')}`);
  for (const name of [...(result.report.bad_values ?? []), ...(result.report.bad_properties ?? []), ...(result.report.missing_properties ?? [])]) {
    assert.ok(result.messages.some((m) => m.startsWith(name + ': ') || m === `${name} is not supported by this vmadm`), `no sentence for ${name}`);
  }
}

describe('vmspec: validate create', () => {
  for (const [what, payload] of VALID) {
    it(`valid: ${what}`, () => {
      const r = validateCreate(payload);
      assert.deepEqual(r.messages, []);
      assert.deepEqual(r.report, {});
      assert.equal(r.valid, true);
    });
  }
  for (const c of INVALID) {
    it(`invalid: ${c.what}`, () => check(c, validateCreate(c.payload)));
  }
});

describe('vmspec: validate update', () => {
  const addNic = (props: Payload): Payload => ({ add_nics: [nic(props)] });

  it('add_nics, update_nics (by mac), remove_nics and set_*/remove_* pass', () => {
    const r = validateUpdate({
      add_nics: [nic({ ips: ['10.0.0.9/24', 'fd00::9/64'], gateways: ['10.0.0.1'] })],
      update_nics: [{ mac: '90:b8:d0:00:00:01', allowed_ips: ['10.0.0.0/24'] }],
      remove_nics: ['90:b8:d0:00:00:02'],
      set_tags: { role: 'db' },
      remove_tags: ['old'],
      set_customer_metadata: { k: 'v' },
      remove_customer_metadata: ['x'],
      set_routes: { '10.9.0.0/16': 'nics[0]' },
      remove_routes: ['10.8.0.0/16'],
      alias: 'renamed',
      firewall_enabled: true,
    });
    assert.deepEqual(r.messages, []);
  });

  const cases: Array<Case & { brand?: string }> = [
    { what: 'add_nics get the NIC checks, named add_nics.N', payload: addNic({ ips: ['dhcp', 'dhcp'] }), report: { bad_values: ['add_nics.0.ips'] } },
    { what: 'add_nics need nic_tag', payload: { add_nics: [{ ips: ['dhcp'] }] }, report: { missing_properties: ['add_nics.0.nic_tag'] } },
    { what: 'update_nics need mac', payload: { update_nics: [{ mtu: 1500 }] }, report: { missing_properties: ['update_nics.0.mac'] } },
    { what: 'update_nics gateways', payload: { update_nics: [{ mac: '90:b8:d0:00:00:01', ips: ['10.0.0.5/24'], gateways: ['fd00::1'] }, { mac: '90:b8:d0:00:00:02', ips: ['10.0.0.6/24'], gateways: ['fd00::1'] }] }, report: { bad_values: ['update_nics.0.gateways', 'update_nics.1.gateways'] } },
    { what: 'remove_nics holds MACs', payload: { remove_nics: ['net0'] }, report: { bad_values: ['remove_nics'] } },
    { what: 'set_routes family', payload: { set_routes: { 'fd00::/64': '10.0.0.1' } }, report: { bad_values: ['set_routes.fd00::/64'] } },
    { what: 'brand cannot change', payload: { brand: 'kvm' }, report: { bad_properties: ['brand'] } },
    { what: 'nics is not an update property', payload: { nics: [] }, report: { bad_properties: ['nics'] } },
    { what: 'HVM rules only with a brand', brand: 'kvm', payload: addNic({ ips: ['10.0.0.5/24', '10.0.0.6/24'] }), report: { bad_values: ['add_nics.0.ips'] } },
    { what: 'model refused on a zone brand', brand: 'joyent', payload: addNic({ model: 'virtio' }), report: { bad_properties: ['add_nics.0.model'] } },
    { what: 'an unknown brand', brand: 'xen', payload: {}, report: { bad_brand: 'xen' } },
    { what: 'zpool is a ZFS pool name', payload: { zpool: '../../tmp/x' }, report: { bad_values: ['zpool'] }, says: /^zpool: "\.\.\/\.\.\/tmp\/x" is not a ZFS pool name: only letters, digits, "_", "-", "\." and ":" may be used$/ },
    { what: 'add_disks: each disk\'s zpool is a ZFS pool name', brand: 'kvm', payload: { add_disks: [{ size: 1024, zpool: 'c1' }] }, report: { bad_values: ['add_disks.0.zpool'] } },
    { what: 'update_disks names its disk by path', brand: 'kvm', payload: { update_disks: [{ size: 2048 }] }, report: { missing_properties: ['update_disks.0.path'] } },
    { what: 'remove_filesystems takes absolute paths', payload: { remove_filesystems: ['data'] }, report: { bad_values: ['remove_filesystems'] } },
  ];
  for (const c of cases) {
    it(`invalid: ${c.what}`, () => check(c, validateUpdate(c.payload, c.brand)));
  }

  it('without a brand, HVM rules and model are not applied', () => {
    assert.equal(validateUpdate(addNic({ ips: ['10.0.0.5/24', 'fd00::5/64'], model: 'virtio' })).valid, true);
  });
});
