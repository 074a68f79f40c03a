/**
 * SmartOS's anti-spoofing for the host end of each VM NIC, as one `bridge`
 * table in the namespace of the bridge the NIC joins (docs/vm-network.md;
 * vmadm(8) allow_*_spoofing), and the NIC's VLAN. Pure: text for `nft -f`.
 *
 *   table bridge <table>
 *     map ingress { ifname : verdict }   port → jump in_<port>
 *     map egress  { ifname : verdict }   port → jump out_<port>
 *     chain prerouting (hook prerouting)  iifname vmap @ingress
 *     chain forward (hook forward)        oifname vmap @egress; frames of a
 *                                         tagged VM NIC leave to no other port
 *     chain in_<port>    what the VM may send (below), then its VLAN as the
 *                        frame's mark (0x564d0000 | vlan)
 *     chain out_<port>   frames of another VLAN never reach it
 *
 * What a VM may send from a NIC, unless its flags say otherwise:
 * - only from its own MAC (Ethernet source and ARP sender): allow_mac_spoofing;
 * - only IPv4, IPv6 and ARP: allow_restricted_traffic;
 * - IPv4 (and ARP sender addresses) only from its `ips` and `allowed_ips`
 *   (and 0.0.0.0 in ARP probes); IPv6 only from its `ips` and
 *   `allowed_ips`, the link-local address of its MAC and `::` (duplicate
 *   address detection), and with `addrconf` any address ending in its
 *   MAC's interface identifier (SLAAC): allow_ip_spoofing lifts both;
 *   `dhcp` lifts the IPv4 one (the address is the DHCP server's to give);
 * - no DHCP server replies (UDP from port 67, DHCPv6 from 547):
 *   allow_dhcp_spoofing;
 * - nothing to the TCP and UDP ports of blocked_outgoing_ports.
 * What reaches the VM is not filtered by address.
 */
import { parseAddress } from '../net/address';

/** Marks frames that came in from a VM port: the high half of the mark; the low half is the port's VLAN. */
const MARK = 0x564d0000;

export interface PortGuard {
  /** The host end's interface name (validated by the caller). */
  readonly port: string;
  /** What the chains' comment says: `<vm namespace>/<interface>`. */
  readonly owner: string;
  /** 0 (untagged) to 4095. */
  readonly vlan: number;
  /** Lower-case, zero-padded. */
  readonly mac: string;
  readonly macSpoofing: boolean;
  readonly restricted: boolean;
  readonly dhcpSpoofing: boolean;
  /** Canonical addresses or CIDRs the NIC may send IPv4 from; 'any': not checked. */
  readonly ipv4: readonly string[] | 'any';
  /** The same for IPv6 ('any', or the list, `::` and the link-local address included). */
  readonly ipv6: readonly string[] | 'any';
  /** With addrconf: the MAC's interface identifier as `::xxxx:xxxx:xxxx:xxxx`. */
  readonly slaacSuffix?: string;
  readonly blockedPorts: readonly number[];
}

const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;

/** The table, maps and base chains, made if missing; their rules written again (idempotent). */
export function guardBaseScript(table: string): string {
  return [
    `add table bridge ${table}`,
    `add map bridge ${table} ingress { type ifname : verdict; }`,
    `add map bridge ${table} egress { type ifname : verdict; }`,
    `add chain bridge ${table} prerouting { type filter hook prerouting priority -200; policy accept; }`,
    `add chain bridge ${table} forward { type filter hook forward priority -200; policy accept; }`,
    `flush chain bridge ${table} prerouting`,
    `add rule bridge ${table} prerouting iifname vmap @ingress`,
    `flush chain bridge ${table} forward`,
    `add rule bridge ${table} forward oifname vmap @egress`,
    `add rule bridge ${table} forward meta mark & 0xffff0000 == ${hex(MARK)} meta mark != ${hex(MARK)} drop`,
    '',
  ].join('\n');
}

function set(items: readonly string[]): string {
  return items.length === 1 ? items[0] : `{ ${items.join(', ')} }`;
}

/** The rules of in_<port>: what the VM may send. */
function ingressRules(g: PortGuard): string[] {
  const r: string[] = [];
  if (!g.macSpoofing) r.push(`ether saddr != ${g.mac} counter drop`);
  if (!g.restricted) r.push('ether type != { ip, ip6, arp } counter drop');
  if (!g.macSpoofing) r.push(`arp saddr ether != ${g.mac} counter drop`);
  if (g.ipv4 !== 'any') {
    if (g.ipv4.length === 0) {
      r.push('ether type { ip, arp } counter drop');
    } else {
      r.push(`arp saddr ip != ${set(['0.0.0.0', ...g.ipv4])} counter drop`);
      r.push(`ip saddr != ${set(g.ipv4)} counter drop`);
    }
  }
  if (g.ipv6 !== 'any') {
    const tail = g.slaacSuffix !== undefined ? ` ip6 saddr & ::ffff:ffff:ffff:ffff != ${g.slaacSuffix}` : '';
    r.push(`ip6 saddr != ${set(g.ipv6)}${tail} counter drop`);
  }
  if (!g.dhcpSpoofing) {
    r.push('udp sport 67 counter drop');
    r.push('udp sport 547 counter drop');
  }
  if (g.blockedPorts.length > 0) {
    const ports = set(g.blockedPorts.map(String));
    r.push(`tcp dport ${ports} counter drop`);
    r.push(`udp dport ${ports} counter drop`);
  }
  r.push(`meta mark set ${hex(MARK | g.vlan)}`);
  return r;
}

/** The rules of out_<port>: only frames of its VLAN reach it (frames from other ports count as VLAN 0). */
function egressRules(g: PortGuard): string[] {
  if (g.vlan === 0) return [`meta mark & 0xffff0000 == ${hex(MARK)} meta mark != ${hex(MARK)} drop`];
  return [`meta mark != ${hex(MARK | g.vlan)} drop`];
}

/** Put (or put again) the guard of each port: its chains written whole, its map entries. One transaction. */
export function guardPutScript(table: string, guards: readonly PortGuard[]): string {
  const out: string[] = [];
  for (const g of guards) {
    for (const [chain, rules] of [[`in_${g.port}`, ingressRules(g)], [`out_${g.port}`, egressRules(g)]] as const) {
      out.push(`add chain bridge ${table} ${chain} { comment "${g.owner}"; }`);
      out.push(`flush chain bridge ${table} ${chain}`);
      for (const rule of rules) out.push(`add rule bridge ${table} ${chain} ${rule}`);
    }
    out.push(`add element bridge ${table} ingress { "${g.port}" : jump in_${g.port} }`);
    out.push(`add element bridge ${table} egress { "${g.port}" : jump out_${g.port} }`);
  }
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}

/** Remove the guards of `ports` whether they are there or not (the table too). One transaction. */
export function guardRemoveScript(table: string, ports: readonly string[]): string {
  const out: string[] = [
    `add table bridge ${table}`,
    `add map bridge ${table} ingress { type ifname : verdict; }`,
    `add map bridge ${table} egress { type ifname : verdict; }`,
  ];
  for (const p of ports) {
    out.push(`add chain bridge ${table} in_${p}`, `add chain bridge ${table} out_${p}`);
    out.push(`add element bridge ${table} ingress { "${p}" : jump in_${p} }`, `add element bridge ${table} egress { "${p}" : jump out_${p} }`);
    out.push(`delete element bridge ${table} ingress { "${p}" }`, `delete element bridge ${table} egress { "${p}" }`);
    out.push(`flush chain bridge ${table} in_${p}`, `flush chain bridge ${table} out_${p}`);
    out.push(`delete chain bridge ${table} in_${p}`, `delete chain bridge ${table} out_${p}`);
  }
  return ports.length === 0 ? '' : `${out.join('\n')}\n`;
}

/** The four groups of a MAC's interface identifier (modified EUI-64). */
function eui64Groups(mac: string): string {
  const b = mac.split(':').map((x) => parseInt(x, 16));
  const id = [b[0] ^ 0x02, b[1], b[2], 0xff, 0xfe, b[3], b[4], b[5]];
  return [0, 2, 4, 6].map((i) => ((id[i] << 8) | id[i + 1]).toString(16)).join(':');
}

/** A MAC's interface identifier as an address `::xxxx:xxxx:xxxx:xxxx` (RFC 5952). */
export function eui64Suffix(mac: string): string {
  return parseAddress(`0:0:0:0:${eui64Groups(mac)}`).text;
}

/** The link-local address of a MAC: fe80:: and its interface identifier (RFC 5952). */
export function linkLocal(mac: string): string {
  return parseAddress(`fe80:0:0:0:${eui64Groups(mac)}`).text;
}
