/**
 * Validated payload values into their stored form (docs/vmadm-cli.md §3.2,
 * docs/vm-network.md): canonical addresses, lower-case MACs, generated MACs,
 * `interface` names, the primary NIC, the deprecated ip/netmask/gateway
 * turned into ips/gateways. Every value stored in another form than typed
 * gets a note. Input here has passed the validator: parsing cannot fail.
 */
import { cidrContains, parseAddress, parseCidr, prefixFromNetmask, type IPAddress } from '../net/address';
import { checkNic, type NicFacts } from '../vmspec/nic';
import { checkNicList } from '../vmspec/nics';
import { checkRoutes } from '../vmspec/network';
import { ReportBuilder, type ValidationResult } from '../vmspec/report';
import type { VmEnv } from './env';
import type { NicRecord, VmRecord } from './record';
import { isHvm } from '../vmspec/brands';
import { looseBoolean } from '../vmspec/coerce';

type Obj = Record<string, unknown>;

/** `nics.0.ips: 2001:DB8::0:11/64 stored as 2001:db8::11/64` when the forms differ. */
function noteIfChanged(notes: string[], name: string, typed: string, stored: string): void {
  if (typed !== stored) notes.push(`${name}: ${typed} stored as ${stored}`);
}

function canonicalAddress(text: string): string {
  return parseAddress(text).text;
}

/** An `ips` item: CIDR with host bits kept, or dhcp/addrconf. */
function canonicalIp(text: string): string {
  return text === 'dhcp' || text === 'addrconf' ? text : parseCidr(text, 'allow').text;
}

/** An allowed_ips item or a route destination: address or network. */
export function canonicalRange(text: string): string {
  return text.includes('/') ? parseCidr(text, 'reject').text : parseAddress(text).text;
}

/** Lower-case, each octet two digits. */
export function canonicalMac(mac: string): string {
  return mac
    .split(':')
    .map((o) => o.toLowerCase().padStart(2, '0'))
    .join(':');
}

export function canonicalUuid(uuid: string): string {
  return uuid.toLowerCase();
}

function canonicalList(list: readonly string[], name: string, canon: (s: string) => string, notes: string[]): string[] {
  return list.map((item) => {
    const stored = canon(item);
    noteIfChanged(notes, name, item, stored);
    return stored;
  });
}

/** `resolvers` in canonical form. */
export function canonicalResolvers(list: readonly string[], name: string, notes: string[]): string[] {
  return canonicalList(list, name, canonicalAddress, notes);
}

/** A route's gateway: an address, `nics[N]`, or `macs[<mac>]` (MAC lower-cased). */
function canonicalRouteGateway(value: string): string {
  if (/^nics\[\d+\]$/.test(value)) return value;
  const m = /^macs\[(.*)\]$/.exec(value);
  if (m) return `macs[${canonicalMac(m[1])}]`;
  return canonicalAddress(value);
}

/**
 * `routes` / `set_routes` in canonical form, merged into `into`. Two keys
 * naming the same destination are reported in `report`.
 */
export function canonicalRoutes(routes: Record<string, string>, name: string, into: Record<string, string>, notes: string[], report: ReportBuilder): void {
  const seen = new Map<string, string>();
  for (const [key, value] of Object.entries(routes)) {
    const dest = canonicalRange(key);
    const gw = canonicalRouteGateway(value);
    const twin = seen.get(dest);
    if (twin !== undefined) {
      report.badValue(`${name}.${key}`, `destination ${key} is the same as ${twin}`);
      continue;
    }
    seen.set(dest, key);
    noteIfChanged(notes, `${name}`, key, dest);
    noteIfChanged(notes, `${name}.${dest}`, value, gw);
    into[dest] = gw;
  }
}

/** The interface name pattern of a brand: `eth<N>` for lx, `net<N>` otherwise. */
function interfacePattern(brand: string): { re: RegExp; stem: string } {
  return brand === 'lx' ? { re: /^eth(\d+)$/, stem: 'eth' } : { re: /^net(\d+)$/, stem: 'net' };
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/** The MAC of a VRRP NIC: `00:00:5e:00:01:<vrid>` (RFC 5798; docs/vmadm-cli.md §3.2, §15 "VRRP"). */
export function vrrpMac(vrid: number): string {
  return `00:00:5e:00:01:${hex2(vrid)}`;
}

/** A locally administered unicast MAC: first octet `<1-f>2`, five octets 01-ff. */
function randomMac(env: Pick<VmEnv, 'randomBytes'>): string {
  const b = env.randomBytes(6);
  const first = `${(1 + (b[0] % 15)).toString(16)}2`;
  const rest = Array.from(b.slice(1, 6), (x) => hex2(1 + (x % 255)));
  return [first, ...rest].join(':');
}

/** A MAC not in `taken`: random draws, then (should random bytes repeat) the next free one upwards. */
function freshMac(env: Pick<VmEnv, 'randomBytes'>, taken: ReadonlySet<string>): string {
  let mac = randomMac(env);
  for (let i = 0; i < 8 && taken.has(mac); i++) mac = randomMac(env);
  while (taken.has(mac)) {
    const octets = mac.split(':').map((o) => parseInt(o, 16));
    for (let i = 5; i >= 1; i--) {
      octets[i] = octets[i] >= 0xff ? 1 : octets[i] + 1;
      if (octets[i] !== 1) break;
    }
    mac = octets.map(hex2).join(':');
  }
  return mac;
}

/**
 * New NICs (create's `nics`, update's `add_nics`) in stored form, given the
 * VM's existing NICs. `listName` names them in notes (`nics`, `add_nics`).
 * An HVM NIC without a model gets `model` (nic_driver, or on add_nics the
 * first NIC's model: docs/vmadm-cli.md §15 "HVM NICs").
 */
export function normaliseNewNics(
  raw: readonly Obj[],
  existing: readonly NicRecord[],
  brand: string,
  listName: string,
  env: Pick<VmEnv, 'randomBytes'>,
  notes: string[],
  model?: string,
): NicRecord[] {
  const macs = new Set(existing.map((n) => n.mac));
  const { re, stem } = interfacePattern(brand);
  const usedIndexes = new Set<number>();
  for (const n of existing) {
    const m = re.exec(n.interface);
    if (m) usedIndexes.add(Number(m[1]));
  }
  // Given interfaces that are valid and free are kept first, so an automatic one never takes them.
  const kept: Array<string | undefined> = raw.map((nic) => {
    if (typeof nic.interface !== 'string') return undefined;
    const m = re.exec(nic.interface);
    if (!m || usedIndexes.has(Number(m[1]))) return undefined;
    usedIndexes.add(Number(m[1]));
    return nic.interface;
  });
  const nics = raw.map((nic, i) => normaliseNicFields(nic, `${listName}.${i}`, notes));
  // Given MACs are taken before any is generated.
  for (const n of nics) if (n.mac) macs.add(n.mac);
  nics.forEach((nic, i) => {
    const name = `${listName}.${i}`;
    let iface = kept[i];
    if (iface === undefined) {
      let index = 0;
      while (usedIndexes.has(index)) index++;
      usedIndexes.add(index);
      iface = `${stem}${index}`;
      if (typeof raw[i].interface === 'string') notes.push(`${name}.interface: ${raw[i].interface} stored as ${iface} (${re.test(raw[i].interface as string) ? 'already used by another NIC' : `${brand} interfaces are ${stem}<N>`})`);
    }
    nic.interface = iface;
    if (typeof nic.vrrp_vrid === 'number') {
      const mac = vrrpMac(nic.vrrp_vrid);
      if (nic.mac && nic.mac !== mac) notes.push(`${name}.mac: ${nic.mac} stored as ${mac} (the MAC of VRRP VRID ${nic.vrrp_vrid})`);
      nic.mac = mac;
    } else if (!nic.mac) {
      const mac = freshMac(env, macs);
      macs.add(mac);
      nic.mac = mac;
    }
    if (isHvm(brand) && nic.model === undefined && model !== undefined) nic.model = model;
  });
  return nics.map((n) => orderNic(n));
}

/** interface, mac, nic_tag, ips first (the record's own order); then the rest as given. */
function orderNic(n: Partial<NicRecord> & Obj): NicRecord {
  const { interface: iface, mac, nic_tag, ips, ...rest } = n;
  return { interface: iface!, mac: mac!, nic_tag: nic_tag!, ips: ips ?? [], ...rest } as NicRecord;
}

/**
 * The fields of one validated NIC object in stored form (no interface or
 * generated MAC yet): legacy ip/netmask/gateway folded into ips/gateways,
 * addresses canonical, MAC lower-case.
 */
export function normaliseNicFields(nic: Obj, name: string, notes: string[]): Partial<NicRecord> & Obj {
  const out: Obj = {};
  for (const [key, value] of Object.entries(nic)) {
    if (key === 'ip' || key === 'netmask' || key === 'gateway' || key === 'interface' || value === undefined) continue;
    out[key] = value;
  }
  if (typeof nic.ip === 'string' && !Array.isArray(nic.ips)) {
    const ips = nic.ip === 'dhcp' ? 'dhcp' : `${parseAddress(nic.ip).text}/${prefixFromNetmask(nic.netmask as string)}`;
    out.ips = [ips];
    notes.push(`${name}.ip: ${nic.ip}${nic.ip === 'dhcp' ? '' : ` with netmask ${String(nic.netmask)}`} stored as ips ["${ips}"]`);
  } else if (typeof nic.ip === 'string') {
    notes.push(`${name}.ip: ${nic.ip} dropped (the same as ips)`);
  }
  if (typeof nic.gateway === 'string' && !Array.isArray(nic.gateways)) {
    const gw = parseAddress(nic.gateway).text;
    out.gateways = [gw];
    notes.push(`${name}.gateway: ${nic.gateway} stored as gateways ["${gw}"]`);
  } else if (typeof nic.gateway === 'string') {
    notes.push(`${name}.gateway: ${nic.gateway} dropped (the same as gateways)`);
  }
  if (Array.isArray(out.ips)) out.ips = canonicalList(out.ips as string[], `${name}.ips`, canonicalIp, notes);
  if (Array.isArray(out.gateways)) out.gateways = canonicalList(out.gateways as string[], `${name}.gateways`, canonicalAddress, notes);
  if (Array.isArray(out.allowed_ips)) out.allowed_ips = canonicalList(out.allowed_ips as string[], `${name}.allowed_ips`, canonicalRange, notes);
  if (Array.isArray(out.allowed_dhcp_cids)) out.allowed_dhcp_cids = (out.allowed_dhcp_cids as string[]).map((c) => c.toLowerCase());
  if (typeof out.vrrp_primary_ip === 'string') {
    const v = canonicalAddress(out.vrrp_primary_ip);
    noteIfChanged(notes, `${name}.vrrp_primary_ip`, out.vrrp_primary_ip, v);
    out.vrrp_primary_ip = v;
  }
  if (typeof out.mac === 'string') {
    const mac = canonicalMac(out.mac);
    noteIfChanged(notes, `${name}.mac`, out.mac, mac);
    out.mac = mac;
  }
  if (typeof out.network_uuid === 'string') out.network_uuid = canonicalUuid(out.network_uuid);
  if (out.network_uuids !== null && typeof out.network_uuids === 'object') {
    const map: Record<string, string> = {};
    for (const [k, v] of Object.entries(out.network_uuids as Record<string, string>)) {
      const addr = canonicalAddress(k);
      noteIfChanged(notes, `${name}.network_uuids`, k, addr);
      map[addr] = canonicalUuid(v);
    }
    out.network_uuids = map;
  }
  // primary: true, "true", 1, "1" are stored as true; false and its forms are not stored
  if (looseBoolean(out.primary) === true) {
    if (out.primary !== true) notes.push(`${name}.primary: ${JSON.stringify(out.primary)} stored as true`);
    out.primary = true;
  } else delete out.primary;
  if (!Array.isArray(out.ips)) out.ips = [];
  return out as Partial<NicRecord> & Obj;
}

const RFC1918 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map((c) => parseCidr(c, 'reject'));
const NOT_GLOBAL_V6 = ['fc00::/7', 'fe80::/10'].map((c) => parseCidr(c, 'reject'));

function isPublic(a: IPAddress): boolean {
  const nets = a.family === 4 ? RFC1918 : NOT_GLOBAL_V6;
  return !nets.some((n) => cidrContains(n, a));
}

/**
 * Make sure a VM with NICs has a primary: none → the first NIC (create), or
 * (preferPublic: the primary was removed) the first NIC with a public
 * (non-RFC 1918 IPv4 or global IPv6) address, else the first.
 */
export function ensurePrimary(nics: NicRecord[], notes: string[], preferPublic = false): void {
  if (nics.length === 0 || nics.some((n) => n.primary === true)) return;
  let chosen = !preferPublic ? 0 : nics.findIndex((n) =>
    n.ips.some((ip) => ip !== 'dhcp' && ip !== 'addrconf' && isPublic(parseCidr(ip, 'allow').address)),
  );
  if (chosen < 0) chosen = 0;
  nics[chosen].primary = true;
  const why = nics.length === 1 ? 'the only NIC' : chosen === 0 ? 'the first NIC; none was primary' : 'the first NIC with a public address; none was primary';
  notes.push(`nics.${chosen}.primary: set to true (${why})`);
}

/** How a whole-VM check names what it finds: each NIC, the NIC list, a route's list. */
export interface CheckNames {
  /** The name of NIC `i` of the record (`nics.0`; an update: `update_nics.1`, `add_nics.0`). */
  nic(i: number): string;
  /** The name of the NIC list (`nics`; an update: `add_nics`, `update_nics`). */
  list: string;
  /** The list a route's destination is named in (`routes`; an update: `set_routes`). */
  route(dest: string): string;
}

const CREATE_NAMES: CheckNames = { nic: (i) => `nics.${i}`, list: 'nics', route: () => 'routes' };

/**
 * The VM as a whole checked as create checks it (docs/vmadm-cli.md §15
 * "One validator, the merged VM"), the resulting VM of an update
 * included: each NIC's addresses and gateways, no MAC, interface,
 * address or VRRP VRID twice, each vrrp_primary_ip another NIC's address,
 * routes over `nics[N]` / `macs[...]` naming a NIC with an address of the
 * family. `names` says what to call each part (an update names the
 * payload key that brings it).
 */
export function recheck(record: Pick<VmRecord, 'brand' | 'nics' | 'routes'>, report = new ReportBuilder(), names = CREATE_NAMES): ValidationResult {
  const ctx = { brand: record.brand, hvm: isHvm(record.brand) };
  const facts: NicFacts[] = record.nics.map((n, i) => checkNic(n as unknown as Obj, names.nic(i), ctx, report));
  checkNicList(facts, names.list, report, true);
  const byList = new Map<string, Record<string, string>>();
  for (const [dest, gw] of Object.entries(record.routes)) {
    const list = names.route(dest);
    let routes = byList.get(list);
    if (routes === undefined) byList.set(list, (routes = {}));
    routes[dest] = gw;
  }
  for (const [list, routes] of byList) checkRoutes(routes, list, facts, report);
  return report.result();
}
