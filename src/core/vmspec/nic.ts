/**
 * The relations within one NIC (docs/vm-network.md "nics.*"): its addresses,
 * gateways, network_uuids, the deprecated ip/netmask/gateway forms, the
 * 32-entry cap, and its own formats (mac, nic_tag, interface, DHCP client
 * ids). Types were checked by the schema; values of a wrong type are
 * skipped here.
 */
import {
  AddressError, cidrContains, describeSpecialAddress, isLinkLocal, parseAddress, parseCidr, prefixFromNetmask,
  sameAddress, specialAddressKind, type Cidr, type IPAddress,
} from '../net/address';
import { DHCP_CID, INTERFACE, LX_INTERFACE, NIC_TAG, macProblem } from './formats';
import { UUID_ANY_CASE } from '../uuid';
import { HVM_ONLY_NIC } from './brands';
import { looseBoolean } from './coerce';
import { ReportBuilder, clip, listSome, show } from './report';

/** The kernel's limit on a link's allowed-ips: ips + allowed_ips (+ vrrp_primary_ip). */
export const MAX_NIC_ADDRESSES = 32;

/** Lists up to this long are searched in place; longer ones get a map (linear). */
const SMALL = 8;

/** The most characters `allowed_dhcp_cids` may hold in all, joined by commas as the zone keeps them. */
export const MAX_DHCP_CIDS_LENGTH = 1024;

/** What the VM-wide checks need to know of a NIC. */
export interface NicFacts {
  readonly name: string;
  readonly mac?: string;
  readonly interface?: string;
  readonly primary: boolean;
  /** Static addresses of `ips` (or of the deprecated `ip`), with prefixes. */
  readonly subnets: readonly Cidr[];
  readonly dhcp: boolean;
  readonly addrconf: boolean;
  /** `vrrp_vrid`, when it is one. */
  readonly vrid?: number;
  /** `vrrp_primary_ip` when it is an address. */
  readonly vrrpPrimary?: IPAddress;
}

export interface NicContext {
  /** Brand rules apply: HVM NICs take only dhcp or one IPv4 address. */
  readonly hvm?: boolean;
  readonly brand?: string;
  /**
   * The NIC is a change of a stored NIC (update_nics), checked on its own
   * (docs/vmadm-cli.md §15 "One validator"): what it does not hold is the
   * stored NIC's, unknown here, so a relation to it (a gateway's family
   * and subnet, network_uuids keys) is checked only when the payload holds
   * both sides; and `primary: false` is refused (make another NIC primary).
   */
  readonly partial?: boolean;
}

type Nic = Record<string, unknown>;

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** The address model's reason, with the value shown short (`show`). */
function reason(err: unknown): string {
  return err instanceof AddressError ? `${show(err.input)} ${err.reason}` : String(err);
}

/**
 * Why an address cannot be a NIC's own address or a gateway (unspecified,
 * loopback, multicast, broadcast), or undefined.
 */
function specialProblem(a: IPAddress, shown: string, role: string): string | undefined {
  const kind = specialAddressKind(a);
  return kind && `${shown} is ${describeSpecialAddress(kind)}: ${role}`;
}

/**
 * `ips`: CIDR addresses, dhcp, addrconf; nothing twice (one map keyed by
 * canonical address: linear).
 */
function checkIps(items: readonly string[], name: string, report: ReportBuilder): { subnets: Cidr[]; dhcp: boolean; addrconf: boolean } {
  // The few addresses of a NIC are compared in a list; a map keyed by
  // canonical address is made only once there are more (still linear).
  const subnets: Cidr[] = [];
  let byKey: Map<string, Cidr> | undefined;
  const twinOf = (key: string): Cidr | undefined => {
    if (byKey !== undefined) return byKey.get(key);
    for (const s of subnets) if (s.address.key === key) return s;
    return undefined;
  };
  let dhcp = false;
  let addrconf = false;
  for (const item of items) {
    if (item === 'dhcp' || item === 'addrconf') {
      if (item === 'dhcp' ? dhcp : addrconf) report.badValue(name, `"${item}" is listed twice`);
      if (item === 'dhcp') dhcp = true;
      else addrconf = true;
      continue;
    }
    let cidr: Cidr;
    try {
      cidr = parseCidr(item, 'allow');
    } catch (err) {
      report.badValue(name, ipsItemProblem(item, err));
      continue;
    }
    const special = specialProblem(cidr.address, item, "a NIC's own address must be one a host can hold");
    if (special) report.badValue(name, special);
    const twin = twinOf(cidr.address.key);
    if (twin) report.badValue(name, `${item} repeats the address ${cidr.address.text} (already listed as ${twin.text})`);
    else {
      subnets.push(cidr);
      if (byKey !== undefined) byKey.set(cidr.address.key, cidr);
      else if (subnets.length > SMALL) byKey = new Map(subnets.map((s) => [s.address.key, s]));
    }
  }
  return { subnets, dhcp, addrconf };
}

/** Why an `ips` item is refused: no prefix, not an address at all, or the address model's reason. */
function ipsItemProblem(item: string, err: unknown): string {
  if (item.includes('/')) return reason(err);
  try {
    parseAddress(item);
  } catch (addrErr) {
    if (addrErr instanceof AddressError && addrErr.kind === 'invalid') {
      return `${show(item)} is not an address with a prefix, "dhcp" or "addrconf"`;
    }
    return reason(addrErr);
  }
  return reason(err);
}

function isAddress(text: string): boolean {
  try {
    parseAddress(text);
    return true;
  } catch {
    return false;
  }
}

/** `allowed_ips`: addresses or CIDR ranges without host bits. */
function checkAllowedIps(items: readonly string[], name: string, report: ReportBuilder): void {
  for (const item of items) {
    try {
      if (item.includes('/')) parseCidr(item, 'reject');
      else parseAddress(item);
    } catch (err) {
      report.badValue(name, reason(err));
    }
  }
}

/**
 * A gateway: a unicast address of a family the NIC has, on one of its
 * subnets. `subnets` undefined: the NIC's addresses are not all known (it
 * is over the cap), so only the gateway itself is checked.
 */
function checkGateway(
  text: string,
  name: string,
  nic: { subnets?: readonly Cidr[]; dhcp: boolean; addrconf: boolean },
  report: ReportBuilder,
): void {
  let gw: IPAddress;
  try {
    gw = parseAddress(text);
  } catch (err) {
    report.badValue(name, text.includes('/') ? `${show(text)} has a prefix: a gateway is a single address` : reason(err));
    return;
  }
  const special = specialProblem(gw, text, 'a gateway must be a unicast address a host can hold');
  if (special) {
    report.badValue(name, special);
    return;
  }
  if (nic.subnets === undefined) return;
  const own = nic.subnets.filter((s) => s.address.family === gw.family);
  const dynamic = gw.family === 4 ? nic.dhcp : nic.addrconf;
  const family = `IPv${gw.family}`;
  if (own.length === 0 && !dynamic) {
    report.badValue(name, `${text} is ${family} but the NIC has no ${family} address or ${gw.family === 4 ? 'dhcp' : 'addrconf'}`);
    return;
  }
  if (dynamic || own.some((s) => cidrContains(s, gw)) || (gw.family === 6 && isLinkLocal(gw))) return;
  const nets = listSome(own.map((s) => s.text));
  report.badValue(
    name,
    gw.family === 4
      ? `${text} is not inside any of the NIC's IPv4 subnets (${nets})`
      : `${text} is neither link-local nor inside any of the NIC's IPv6 subnets (${nets})`,
  );
}

/**
 * `network_uuids`: each key one of this NIC's static addresses, each value
 * a UUID. `subnets` undefined: the NIC's addresses are not all known (it is
 * over the cap), so keys are checked only for being addresses.
 */
function checkNetworkUuids(map: Record<string, unknown>, name: string, subnets: readonly Cidr[] | undefined, report: ReportBuilder): void {
  const own = subnets && subnets.length > SMALL ? new Set(subnets.map((s) => s.address.key)) : undefined;
  const isOwn = (key: string): boolean => {
    if (subnets === undefined) return true;
    if (own !== undefined) return own.has(key);
    for (const s of subnets) if (s.address.key === key) return true;
    return false;
  };
  for (const [key, value] of Object.entries(map)) {
    let addr: IPAddress | undefined;
    try {
      addr = parseAddress(key);
    } catch {
      addr = undefined;
    }
    if (!addr || !isOwn(addr.key)) {
      report.badValue(name, `${show(key)} is not one of the NIC's static addresses in ips`);
    }
    if (typeof value === 'string' && !UUID_ANY_CASE.test(value)) report.badValue(name, `${show(value)} (for ${show(key)}) is not a UUID`);
  }
}

/**
 * The deprecated IPv4 forms: `ip` + `netmask` stand for `ips`, `gateway`
 * for `gateways`; given beside the new forms they must agree. Returns what
 * they stand for, when the new form is absent.
 */
function deprecatedForms(
  nic: Nic,
  prefix: string,
  report: ReportBuilder,
): { ips?: string[]; gateways?: string[]; gatewayName?: string } {
  const out: { ips?: string[]; gateways?: string[]; gatewayName?: string } = {};
  const ip = typeof nic.ip === 'string' ? nic.ip : undefined;
  if (ip !== undefined) {
    let implied: string | undefined;
    if (ip === 'dhcp') implied = 'dhcp';
    else {
      let addr: IPAddress | undefined;
      try {
        addr = parseAddress(ip);
        if (addr.family !== 4) report.badValue(`${prefix}.ip`, `${ip} is IPv6: ip is IPv4 only, use ips`);
      } catch (err) {
        report.badValue(`${prefix}.ip`, reason(err));
      }
      if (typeof nic.netmask !== 'string') {
        if (nic.netmask === undefined) report.missing(`${prefix}.netmask`, `is required with ip ${ip}`);
      } else {
        try {
          const len = prefixFromNetmask(nic.netmask);
          if (addr?.family === 4) implied = `${addr.text}/${len}`;
        } catch (err) {
          report.badValue(`${prefix}.netmask`, reason(err));
        }
      }
    }
    if (implied !== undefined) {
      if (!Array.isArray(nic.ips)) out.ips = [implied];
      else if (!agrees(implied, strings(nic.ips))) {
        report.badValue(prefix, `ip ${implied} (from ip and netmask) disagrees with ips [${listSome(strings(nic.ips).map(clip))}]`);
      }
    }
  }
  if (typeof nic.gateway === 'string') {
    const gw = nic.gateway;
    let ok = true;
    try {
      if (parseAddress(gw).family !== 4) {
        report.badValue(`${prefix}.gateway`, `${gw} is IPv6: gateway is IPv4 only, use gateways`);
        ok = false;
      }
    } catch (err) {
      report.badValue(`${prefix}.gateway`, reason(err));
      ok = false;
    }
    if (ok && !Array.isArray(nic.gateways)) {
      out.gateways = [gw];
      out.gatewayName = `${prefix}.gateway`;
    } else if (ok && !strings(nic.gateways).some((g) => isAddress(g) && sameAddress(parseAddress(g), parseAddress(gw)))) {
      report.badValue(prefix, `gateway ${gw} disagrees with gateways [${listSome(strings(nic.gateways).map(clip))}]`);
    }
  }
  return out;
}

/** Whether `ips` holds what a deprecated `ip`/`netmask` stands for. */
function agrees(implied: string, ips: readonly string[]): boolean {
  if (implied === 'dhcp') return ips.includes('dhcp');
  const want = parseCidr(implied, 'allow');
  return ips.some((item) => {
    try {
      const c = parseCidr(item, 'allow');
      return c.prefix === want.prefix && sameAddress(c.address, want.address);
    } catch {
      return false;
    }
  });
}

/** HVM NICs get their address by DHCPv4 from the host: dhcp, or one IPv4 address. */
function checkHvmIps(items: readonly string[], name: string, ctx: NicContext, report: ReportBuilder): void {
  const ok =
    items.length === 0 ||
    (items.length === 1 && (items[0] === 'dhcp' || (items[0] !== 'addrconf' && isCidr4(items[0]))));
  if (!ok) {
    report.badValue(name, `[${listSome(items.map(clip))}]: a ${ctx.brand} VM's NIC takes only "dhcp" or a single IPv4 address in ips (more go in allowed_ips)`);
  }
}

function isCidr4(text: string): boolean {
  try {
    return parseCidr(text, 'allow').address.family === 4;
  } catch {
    return true; // reported as a bad address already
  }
}

/**
 * `primary`: true (also "true", 1, "1"); false (also "false", 0, "0")
 * means not primary, except in update_nics, where it is refused.
 */
function checkPrimary(value: unknown, name: string, ctx: NicContext, report: ReportBuilder): void {
  if (value === undefined) return;
  const flag = looseBoolean(value);
  if (flag === undefined) report.badValue(name, `${show(value)} is not true or false`);
  else if (!flag && ctx.partial) {
    report.badValue(name, `${show(value)}: a NIC stops being primary when another is made primary (set primary on that NIC instead)`);
  }
}

function checkFormats(nic: Nic, prefix: string, ctx: NicContext, report: ReportBuilder): void {
  checkPrimary(nic.primary, `${prefix}.primary`, ctx, report);
  if (typeof nic.mac === 'string') {
    const why = macProblem(nic.mac);
    if (why) report.badValue(`${prefix}.mac`, `${show(nic.mac)} ${why}`);
  }
  if (typeof nic.nic_tag === 'string' && !NIC_TAG.test(nic.nic_tag)) {
    report.badValue(`${prefix}.nic_tag`, `${show(nic.nic_tag)} is not 1 to 31 letters, digits or underscores`);
  }
  if (typeof nic.interface === 'string' && !INTERFACE.test(nic.interface)) {
    // lx NICs are eth<N> (docs/vmadm-cli.md §0); without a brand either form may be meant
    const lx = ctx.brand === 'lx' || ctx.brand === undefined;
    if (!lx || !LX_INTERFACE.test(nic.interface)) {
      report.badValue(`${prefix}.interface`, `${show(nic.interface)} is not net<N>${lx ? ' or eth<N>' : ''}`);
    }
  }
  const cids = strings(nic.allowed_dhcp_cids);
  let cidsLength = cids.length > 0 ? cids.length - 1 : 0;
  for (const cid of cids) {
    cidsLength += cid.length;
    if (!DHCP_CID.test(cid)) report.badValue(`${prefix}.allowed_dhcp_cids`, `${show(cid)} is not 0x followed by an even number of hex digits`);
  }
  if (cidsLength > MAX_DHCP_CIDS_LENGTH) {
    report.badValue(`${prefix}.allowed_dhcp_cids`, `holds ${cidsLength} characters in all (joined by commas); at most ${MAX_DHCP_CIDS_LENGTH} are allowed`);
  }
  if (typeof nic.network_uuid === 'string' && !UUID_ANY_CASE.test(nic.network_uuid)) {
    report.badValue(`${prefix}.network_uuid`, `${show(nic.network_uuid)} is not a UUID`);
  }
  if (typeof nic.vrrp_primary_ip === 'string') {
    const text = nic.vrrp_primary_ip;
    const name = `${prefix}.vrrp_primary_ip`;
    try {
      const special = specialProblem(parseAddress(text), text, 'the VRRP primary address must be one a host can hold');
      if (special) report.badValue(name, special);
    } catch (err) {
      report.badValue(name, text.includes('/') ? `${show(text)} has a prefix: vrrp_primary_ip is a single address` : reason(err));
    }
  }
  if (ctx.brand !== undefined && !ctx.hvm) {
    for (const key of HVM_ONLY_NIC) {
      if (nic[key] !== undefined) report.badProperty(`${prefix}.${key}`, `is for HVM brands (kvm, bhyve) only, not ${ctx.brand}`);
    }
  }
}

function vrrpPrimaryAddress(value: unknown): IPAddress | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return parseAddress(value);
  } catch {
    return undefined; // reported by checkFormats
  }
}

/** Check one NIC (named `prefix`, e.g. `nics.0`); returns what the VM-wide checks need. */
export function checkNic(nic: Nic, prefix: string, ctx: NicContext, report: ReportBuilder): NicFacts {
  checkFormats(nic, prefix, ctx, report);
  const deprecated = deprecatedForms(nic, prefix, report);
  const ipsName = Array.isArray(nic.ips) ? `${prefix}.ips` : `${prefix}.ip`;
  const ipItems = deprecated.ips ?? strings(nic.ips);
  const allowed = strings(nic.allowed_ips);
  const count = (Array.isArray(nic.ips) ? nic.ips.length : ipItems.length) + allowed.length + (nic.vrrp_primary_ip !== undefined ? 1 : 0);
  // Over the cap the NIC is refused as a whole: its first MAX_NIC_ADDRESSES
  // items are still checked, the rest are not looked at.
  const overCap = count > MAX_NIC_ADDRESSES;
  if (overCap) {
    report.badValue(
      prefix,
      `has ${count} entries in ips, allowed_ips and vrrp_primary_ip together; at most ${MAX_NIC_ADDRESSES} are allowed`,
    );
  }
  const bounded = (items: string[]): string[] => (overCap ? items.slice(0, MAX_NIC_ADDRESSES) : items);
  const ips = checkIps(bounded(ipItems), ipsName, report);
  if (ctx.hvm && Array.isArray(nic.ips)) checkHvmIps(ipItems, ipsName, ctx, report);
  checkAllowedIps(bounded(allowed), `${prefix}.allowed_ips`, report);

  const gatewayName = deprecated.gatewayName ?? `${prefix}.gateways`;
  // a change of a stored NIC without addresses keeps the stored ones, unknown here
  const ownAddresses = !ctx.partial || Array.isArray(nic.ips) || typeof nic.ip === 'string';
  const known = { subnets: overCap || !ownAddresses ? undefined : ips.subnets, dhcp: ips.dhcp, addrconf: ips.addrconf };
  for (const gw of deprecated.gateways ?? strings(nic.gateways)) checkGateway(gw, gatewayName, known, report);

  if (nic.network_uuids !== null && typeof nic.network_uuids === 'object' && !Array.isArray(nic.network_uuids)) {
    checkNetworkUuids(nic.network_uuids as Record<string, unknown>, `${prefix}.network_uuids`, known.subnets, report);
  }
  return {
    name: prefix,
    mac: typeof nic.mac === 'string' ? nic.mac.toLowerCase() : undefined,
    interface: typeof nic.interface === 'string' ? nic.interface : undefined,
    primary: looseBoolean(nic.primary) === true,
    subnets: ips.subnets,
    dhcp: ips.dhcp,
    addrconf: ips.addrconf,
    vrid: typeof nic.vrrp_vrid === 'number' ? nic.vrrp_vrid : undefined,
    vrrpPrimary: vrrpPrimaryAddress(nic.vrrp_primary_ip),
  };
}
