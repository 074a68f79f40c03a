/**
 * A running VM's network on the linux host, planned from what the zone is
 * configured with (the nets zonecfg keeps, its resolvers) and its
 * routes.json: namespace, links, addresses, routes, resolvers and the
 * guard of each NIC's host end. Pure: the plan is data; hosts/linux/net.ts
 * makes it real, and keeps the plan it made to compare with the next one.
 *
 * Choices where the network contract is silent (man/vmadm.8 LINUX HOST):
 * - each NIC is a veth pair: the VM's end named by its interface (net0 ...)
 *   with its MAC and mtu in the VM's namespace, the host's end
 *   `vm<11 hex>` (a hash of namespace and interface) on its nic_tag's bridge;
 * - static addresses are added without duplicate address detection
 *   (usable at once); `dhcp` leaves IPv4 unconfigured (no DHCP client is
 *   run); `addrconf` lets the NIC take router advertisements (SLAAC),
 *   which the others do not;
 * - gateways become default routes of their family, the primary NIC's
 *   first (metric 100, 101, ...); a gateway on none of the NIC's subnets
 *   (one a `dhcp` or `addrconf` NIC would learn) is left out;
 * - routes.json: `nics[N]` is the VM's N-th NIC in interface order (net0,
 *   net1, ...), `macs[<mac>]` the NIC with that MAC: a route over the
 *   link; a gateway address goes through the NIC whose subnet holds it
 *   (an IPv6 link-local gateway through the primary NIC); a route no NIC
 *   can carry is left out.
 */
import { createHash } from 'node:crypto';
import { HostError } from '../../core/errors';
import { cidrContains, isLinkLocal, parseAddress, parseCidr, type Cidr, type Family, type IPAddress } from '../../core/net/address';
import { eui64Suffix, linkLocal, type PortGuard } from '../../core/nft/guard';
import type { ZoneConfig } from '../zonecfg-model';
import { IFNAME, type LinuxSettings, type Segment } from './config';

/** One NIC as the plan reads it: from the zone's net (host) or from a VM record (tests). */
export interface NicInput {
  readonly iface: string;
  /** Any case, octets with or without their leading zero. */
  readonly mac: string;
  readonly nicTag: string;
  readonly vlan: number;
  readonly mtu?: number;
  /** `addr/len`, `dhcp`, `addrconf`. */
  readonly ips: readonly string[];
  readonly gateways: readonly string[];
  readonly allowedIps: readonly string[];
  readonly primary: boolean;
  readonly allowIpSpoofing: boolean;
  readonly allowMacSpoofing: boolean;
  readonly allowDhcpSpoofing: boolean;
  readonly allowRestrictedTraffic: boolean;
  readonly blockedPorts: readonly number[];
}

export interface NicPlan {
  readonly iface: string;
  /** The host end's interface name. */
  readonly port: string;
  readonly mac: string;
  readonly mtu?: number;
  readonly segment: Segment;
  readonly vlan: number;
  /** Static addresses, `addr/len`. */
  readonly addrs: readonly string[];
  readonly addrconf: boolean;
  readonly dhcp: boolean;
  readonly guard: PortGuard;
}

export interface RoutePlan {
  /** `default` or a CIDR. */
  readonly dest: string;
  readonly family: Family;
  readonly via?: string;
  readonly dev: string;
  readonly metric?: number;
}

export interface NetPlan {
  /** The VM's namespace. */
  readonly ns: string;
  readonly nics: readonly NicPlan[];
  readonly routes: readonly RoutePlan[];
  readonly resolvers: readonly string[];
}

const MAC = /^[0-9a-f]{1,2}(:[0-9a-f]{1,2}){5}$/i;
const NIC_TAG = /^[a-zA-Z0-9_]{1,31}$/;

const hash = (s: string, n: number): string => createHash('sha256').update(s).digest('hex').slice(0, n);

/** The host end of a VM's NIC. */
export function portName(ns: string, iface: string): string {
  return `vm${hash(`${ns}/${iface}`, 11)}`;
}

/** The bridge of a nic_tag in vmadm's namespace: `br-<tag>`, or `bt-<hash>` for a tag too long for a link name. */
export function bridgeName(tag: string): string {
  return tag.length <= 12 ? `br-${tag}` : `bt-${hash(tag, 12)}`;
}

function fail(where: string, why: string): never {
  throw new HostError(`${where}: ${why}`);
}

/** `2:8:20:a:0:1` → `02:08:20:0a:00:01`. */
export function normalMac(mac: string, where: string): string {
  if (!MAC.test(mac)) fail(where, `${JSON.stringify(mac)} is not a MAC address`);
  return mac.toLowerCase().split(':').map((o) => o.padStart(2, '0')).join(':');
}

function ifaceOrder(a: { iface: string }, b: { iface: string }): number {
  const na = /^net(\d+)$/.exec(a.iface);
  const nb = /^net(\d+)$/.exec(b.iface);
  if (na && nb) return Number(na[1]) - Number(nb[1]);
  if (na || nb) return na ? -1 : 1;
  return a.iface < b.iface ? -1 : a.iface > b.iface ? 1 : 0;
}

function prop(net: ZoneConfig['nets'][number], name: string): string | undefined {
  return net.properties?.find((p) => p.name === name)?.value;
}

function list(v: string | undefined): string[] {
  return v === undefined || v === '' ? [] : v.split(',');
}

function bool(v: string | undefined, where: string): boolean {
  if (v === undefined) return false;
  if (v === 'true' || v === 'false') return v === 'true';
  return fail(where, `${JSON.stringify(v)} is not true or false`);
}

function int(v: string | undefined, min: number, max: number, where: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < min || n > max) fail(where, `${JSON.stringify(v)} is not an integer from ${min} to ${max}`);
  return n;
}

/** The NICs of a zone, from its nets (as zonecfg keeps them: properties as text). */
export function nicsFromZone(zonename: string, config: ZoneConfig): NicInput[] {
  return config.nets.map((net) => {
    const iface = net.physical;
    const where = `zone ${zonename}: net ${typeof iface === 'string' ? iface : '?'}`;
    if (typeof iface !== 'string') fail(where, 'no physical (interface) name');
    const mac = net['mac-addr'];
    const tag = net['global-nic'];
    if (typeof mac !== 'string') fail(where, 'no mac-addr');
    if (typeof tag !== 'string') fail(where, 'no global-nic (nic_tag)');
    const vlan = int(typeof net['vlan-id'] === 'string' ? net['vlan-id'] : undefined, 0, 4095, `${where}: vlan-id`) ?? 0;
    const mtu = int(prop(net, 'mtu'), 68, 65535, `${where}: mtu`);
    const ports = list(prop(net, 'blocked_outgoing_ports')).map((p) => int(p, 1, 65535, `${where}: blocked_outgoing_ports`) as number);
    return {
      iface,
      mac,
      nicTag: tag,
      vlan,
      ...(mtu !== undefined ? { mtu } : {}),
      ips: list(prop(net, 'ips') ?? (prop(net, 'ip') !== undefined ? `${prop(net, 'ip')}` : undefined)),
      gateways: list(prop(net, 'gateways') ?? prop(net, 'gateway')),
      allowedIps: list(prop(net, 'allowed_ips')),
      primary: prop(net, 'primary') === 'true',
      allowIpSpoofing: bool(prop(net, 'allow_ip_spoofing'), `${where}: allow_ip_spoofing`),
      allowMacSpoofing: bool(prop(net, 'allow_mac_spoofing'), `${where}: allow_mac_spoofing`),
      allowDhcpSpoofing: bool(prop(net, 'allow_dhcp_spoofing'), `${where}: allow_dhcp_spoofing`),
      allowRestrictedTraffic: bool(prop(net, 'allow_restricted_traffic'), `${where}: allow_restricted_traffic`),
      blockedPorts: ports,
    };
  });
}

/** The resolvers attr of a zone (`a,b`), or []. */
export function resolversFromZone(config: ZoneConfig): string[] {
  const a = config.attrs.find((x) => x.name === 'resolvers');
  return typeof a?.value === 'string' ? list(a.value) : [];
}

function address(text: string, where: string): IPAddress {
  try {
    return parseAddress(text);
  } catch {
    return fail(where, `${JSON.stringify(text.slice(0, 60))} is not an IP address`);
  }
}

function cidr(text: string, hostBits: 'allow' | 'reject', where: string): Cidr {
  try {
    return parseCidr(text, hostBits);
  } catch {
    return fail(where, `${JSON.stringify(text.slice(0, 60))} is not an address/length`);
  }
}

/** The segment (bridge and namespace) a nic_tag's NICs join. */
export function segmentOf(tag: string, settings: LinuxSettings): Segment {
  const m = settings.mapped.get(tag);
  if (m) return { tag, netns: m.netns, bridge: m.bridge, owned: false };
  return { tag, netns: settings.hostNetns, bridge: bridgeName(tag), owned: true };
}

/**
 * The network of a running VM whose namespace is `ns`. Every value that
 * reaches ip or nft is checked here (HostError, one line, naming it).
 */
export function netPlan(
  ns: string,
  inputs: readonly NicInput[],
  routes: Readonly<Record<string, unknown>>,
  resolvers: readonly string[],
  settings: LinuxSettings,
): NetPlan {
  const nicsIn = [...inputs].sort(ifaceOrder);
  const seen = new Set<string>();
  const nics: NicPlan[] = [];
  const subnets = new Map<string, Cidr[]>();
  for (const n of nicsIn) {
    const where = `VM ${ns}: ${n.iface}`;
    if (!IFNAME.test(n.iface) || n.iface === 'lo') fail(where, 'not an interface name this host can give');
    if (seen.has(n.iface)) fail(where, 'two NICs with this interface');
    seen.add(n.iface);
    if (!NIC_TAG.test(n.nicTag)) fail(where, `nic_tag ${JSON.stringify(n.nicTag.slice(0, 40))} is not a nic_tag`);
    if (!Number.isInteger(n.vlan) || n.vlan < 0 || n.vlan > 4095) fail(where, `vlan_id ${n.vlan} is out of range`);
    if (n.mtu !== undefined && (!Number.isInteger(n.mtu) || n.mtu < 68 || n.mtu > 65535)) fail(where, `mtu ${n.mtu} is out of range`);
    const mac = normalMac(n.mac, where);
    const addrs: Cidr[] = [];
    let dhcp = false;
    let addrconf = false;
    for (const ip of n.ips) {
      if (ip === 'dhcp') dhcp = true;
      else if (ip === 'addrconf') addrconf = true;
      else addrs.push(cidr(ip, 'allow', `${where}: ips`));
    }
    subnets.set(n.iface, addrs);
    const allowed = n.allowedIps.map((a) => (a.includes('/') ? cidr(a, 'reject', `${where}: allowed_ips`).text : address(a, `${where}: allowed_ips`).text));
    const of = (f: Family): string[] => [
      ...addrs.filter((c) => c.address.family === f).map((c) => c.address.text),
      ...allowed.filter((a) => (a.includes(':') ? 6 : 4) === f),
    ];
    const ports = [...new Set(n.blockedPorts)].sort((a, b) => a - b);
    for (const p of ports) if (!Number.isInteger(p) || p < 1 || p > 65535) fail(where, `blocked port ${p} is out of range`);
    const port = portName(ns, n.iface);
    const guard: PortGuard = {
      port,
      owner: `${ns}/${n.iface}`,
      vlan: n.vlan,
      mac,
      macSpoofing: n.allowMacSpoofing,
      restricted: n.allowRestrictedTraffic,
      dhcpSpoofing: n.allowDhcpSpoofing,
      ipv4: n.allowIpSpoofing || dhcp ? 'any' : [...new Set(of(4))].sort(),
      ipv6: n.allowIpSpoofing ? 'any' : [...new Set(['::', linkLocal(mac), ...of(6)])].sort(),
      ...(addrconf && !n.allowIpSpoofing ? { slaacSuffix: eui64Suffix(mac) } : {}),
      blockedPorts: ports,
    };
    nics.push({
      iface: n.iface,
      port,
      mac,
      ...(n.mtu !== undefined ? { mtu: n.mtu } : {}),
      segment: segmentOf(n.nicTag, settings),
      vlan: n.vlan,
      addrs: addrs.map((c) => `${c.address.text}/${c.prefix}`),
      addrconf,
      dhcp,
      guard,
    });
  }

  const onSubnet = (iface: string, a: IPAddress): boolean => (subnets.get(iface) ?? []).some((c) => cidrContains(c, a));
  const primary = nicsIn.find((n) => n.primary) ?? nicsIn[0];
  const out: RoutePlan[] = [];
  // default routes: the primary NIC's gateways first
  const metric: Record<Family, number> = { 4: 100, 6: 100 };
  const gwSeen = new Set<string>();
  for (const n of primary ? [primary, ...nicsIn.filter((x) => x !== primary)] : []) {
    for (const g of n.gateways) {
      const a = address(g, `VM ${ns}: ${n.iface}: gateways`);
      const ll = isLinkLocal(a);
      if (!ll && !onSubnet(n.iface, a)) continue;
      if (gwSeen.has(a.text)) continue;
      gwSeen.add(a.text);
      out.push({ dest: 'default', family: a.family, via: a.text, dev: n.iface, metric: metric[a.family]++ });
    }
  }
  // routes.json
  for (const dest of Object.keys(routes).sort()) {
    const where = `VM ${ns}: routes ${JSON.stringify(dest.slice(0, 60))}`;
    const gw = routes[dest];
    if (typeof gw !== 'string') fail(where, 'the gateway is not a string');
    const d = dest.includes('/') ? cidr(dest, 'reject', where) : (() => { const a = address(dest, where); return cidr(`${a.text}/${a.family === 4 ? 32 : 128}`, 'reject', where); })();
    const family = d.address.family;
    const link = /^nics\[(\d+)\]$/.exec(gw);
    const byMac = /^macs\[([^\]]*)\]$/.exec(gw);
    if (link || byMac) {
      const n = link ? nicsIn[Number(link[1])] : nicsIn.find((x) => normalMac(x.mac, where) === normalMac(byMac?.[1] ?? '', where));
      if (!n) continue;
      out.push({ dest: d.text, family, dev: n.iface });
      continue;
    }
    const a = address(gw, where);
    if (a.family !== family) fail(where, `gateway ${a.text} is not IPv${family}`);
    const dev = isLinkLocal(a) ? primary?.iface : nicsIn.find((n) => onSubnet(n.iface, a))?.iface;
    if (dev === undefined) continue;
    out.push({ dest: d.text, family, via: a.text, dev });
  }
  return { ns, nics, routes: out, resolvers: resolvers.map((r) => address(r, `VM ${ns}: resolvers`).text) };
}
