/**
 * The `key=value` and `key=~regex` filters of `vmadm list` and `vmadm
 * lookup` (docs/vmadm-cli.md §6.1), pure. A filter reads the VM as `get` shows
 * it plus the fake list fields (`type`, `ram`).
 *
 * `key=value` compares String(value) exactly (a list compares as its
 * comma-joined text); `key=~re` is a case-insensitive, unanchored regular
 * expression. Filters are AND-ed; a missing property never matches.
 * `nics.*.<p>` / `disks.*.<p>` match any element, `nics.<N>.<p>` one.
 * `nics.*.mac` values are compared zero-padded and lower-case.
 * Not in SmartOS (docs/vmadm-cli.md §0): `nics.*.ips` and `nics.*.gateways`
 * match a NIC listing the entry, compared in canonical form.
 */
import { AppError } from '../errors';
import { parseAddress, parseCidr } from '../net/address';
import { LIST_COLUMNS, type VmView } from './list';

export type FilterKind = 'filter' | 'lookup';

export interface Filter {
  key: string;
  /** The value as typed (after `=`, with the `~` of a regex). */
  value: string;
  matches(vm: VmView): boolean;
}

const DISK_KEY = /^disks\.(\*|\d+)\.(boot|image_name|image_size|image_uuid|size|media|model|zpool)$/;
const NIC_KEY = /^nics\.(\*|\d+)\.(dhcp_server|gateway|interface|ip|mac|model|netmask|nic_tag|vlan_id|ips|gateways)$/;
const HASH_KEY = /^(tags|customer_metadata|internal_metadata)\.(.+)$/s;

/** Whether `key` may be filtered on (list columns, disks/nics properties, tags/metadata keys). */
export function isFilterKey(key: string): boolean {
  return (
    Object.prototype.hasOwnProperty.call(LIST_COLUMNS, key) || DISK_KEY.test(key) || NIC_KEY.test(key) || HASH_KEY.test(key)
  );
}

/**
 * Split `key=value` arguments on the first `=` (an argument without one is
 * a key with an empty value); a key given twice keeps its last value.
 */
export function parseKeyValues(args: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq < 0) out.set(arg, '');
    else out.set(arg.slice(0, eq), arg.slice(eq + 1));
  }
  return out;
}

/** A MAC as stored: each octet two lower-case hex digits. */
export function padMac(mac: string): string {
  return mac
    .split(':')
    .map((octet) => (octet.length === 1 ? '0' + octet : octet).toLowerCase())
    .join(':');
}

/** One `ips` or `gateways` entry in canonical form; text that is no address is compared lower-cased (dhcp, addrconf). */
function canonicalEntry(text: string): string {
  try {
    return text.includes('/') ? parseCidr(text, 'allow').text : parseAddress(text).text;
  } catch {
    return text.toLowerCase();
  }
}

type Test = (value: unknown) => boolean;

function present(value: unknown): boolean {
  return value !== undefined && value !== null;
}

function makeTest(key: string, prop: string | undefined, value: string): Test {
  if (value.startsWith('~')) {
    let re: RegExp;
    try {
      re = new RegExp(value.slice(1), 'i');
    } catch (err) {
      throw new AppError(`Invalid regular expression in filter ${key}=${value}: ${(err as Error).message.split('\n')[0]}`);
    }
    if (prop === 'ips' || prop === 'gateways') {
      return (v) => present(v) && (re.test(String(v)) || (Array.isArray(v) && v.some((e) => re.test(String(e)))));
    }
    return (v) => present(v) && re.test(String(v));
  }
  if (prop === 'ips' || prop === 'gateways') {
    const one = canonicalEntry(value);
    const joined = value.split(',').map(canonicalEntry).join(',');
    return (v) => {
      if (!Array.isArray(v)) return present(v) && String(v) === joined;
      return v.includes(one) || v.join(',') === joined;
    };
  }
  const target = prop === 'mac' ? padMac(value) : value;
  return (v) => present(v) && String(v) === target;
}

function compile(key: string, value: string, kind: FilterKind): Filter {
  let m: RegExpExecArray | null;
  if ((m = NIC_KEY.exec(key) ?? DISK_KEY.exec(key))) {
    const list = key.slice(0, key.indexOf('.'));
    const index = m[1];
    const prop = m[2];
    const test = makeTest(key, list === 'nics' ? prop : undefined, value);
    const testElement = (el: unknown): boolean =>
      el !== null && typeof el === 'object' && test((el as Record<string, unknown>)[prop]);
    if (index === '*') {
      return { key, value, matches: (vm) => Array.isArray(vm[list]) && (vm[list] as unknown[]).some(testElement) };
    }
    const i = Number(index);
    return { key, value, matches: (vm) => Array.isArray(vm[list]) && testElement((vm[list] as unknown[])[i]) };
  }
  if ((m = HASH_KEY.exec(key))) {
    const hash = m[1];
    const name = m[2];
    const test = makeTest(key, undefined, value);
    return {
      key,
      value,
      matches: (vm) => {
        const h = vm[hash];
        return (
          h !== null && typeof h === 'object' && Object.prototype.hasOwnProperty.call(h, name) && test((h as Record<string, unknown>)[name])
        );
      },
    };
  }
  if (Object.prototype.hasOwnProperty.call(LIST_COLUMNS, key)) {
    const test = makeTest(key, undefined, value);
    return { key, value, matches: (vm) => Object.prototype.hasOwnProperty.call(vm, key) && test(vm[key]) };
  }
  throw new AppError(`Invalid ${kind} key: "${key}"`);
}

/**
 * The filters of `list` (kind 'filter') or `lookup` (kind 'lookup') from
 * their arguments. Every key is checked before any regex is compiled:
 * `Invalid filter key: "<k>"` / `Invalid lookup key: "<k>"`.
 */
export function parseFilters(args: readonly string[], kind: FilterKind): Filter[] {
  const pairs = parseKeyValues(args);
  for (const key of pairs.keys()) {
    if (!isFilterKey(key)) throw new AppError(`Invalid ${kind} key: "${key}"`);
  }
  return [...pairs].map(([key, value]) => compile(key, value, kind));
}

/** Whether a VM passes every filter. */
export function matchesAll(vm: VmView, filters: readonly Filter[]): boolean {
  for (const f of filters) if (!f.matches(vm)) return false;
  return true;
}

/** The VMs that pass every filter, in their order. */
export function filterVms<T extends VmView>(vms: readonly T[], filters: readonly Filter[]): T[] {
  return filters.length === 0 ? vms.slice() : vms.filter((vm) => matchesAll(vm, filters));
}
