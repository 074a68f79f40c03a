/**
 * Relations between the NICs of one VM: one primary, no MAC, interface,
 * address or VRRP VRID used twice, and (when the list is the VM's whole
 * set of NICs) each vrrp_primary_ip an address of another NIC. Problems
 * are reported on the list (`nics`), a vrrp_primary_ip on itself.
 * Linear: one map per kind of value, keyed by its canonical form.
 */
import type { NicFacts } from './nic';
import { INTERFACE, MAC } from './formats';
import { listSome, show, type ReportBuilder } from './report';

interface Users {
  /** The value as first seen; `text` is how it is shown (an address's canonical text, made on demand). */
  readonly first: { readonly text: string };
  /** The first few NICs that use it, in order. */
  readonly names: string[];
  /** How many NICs use it. */
  count: number;
  /** The last NIC counted (a NIC holding a value twice counts once). */
  last: string;
}

/** A value shared by NICs, compared by `key`; `text` is how it is shown (made on demand for addresses). */
interface Value {
  readonly key: string;
  readonly text: string;
}

/** NIC names a sentence lists before `... and N more`. */
const MAX_NAMES = 3;

/** `value` -> the NICs that use it, for the values used by more than one NIC, in the order first seen. */
function sharedBy(nics: readonly NicFacts[], values: (n: NicFacts) => Iterable<Value>): Users[] {
  const users = new Map<string, Users>();
  for (const nic of nics) {
    for (const value of values(nic)) {
      const key = value.key;
      let u = users.get(key);
      if (u === undefined) users.set(key, (u = { first: value, names: [], count: 0, last: '' }));
      if (u.count > 0 && u.last === nic.name) continue;
      u.count++;
      u.last = nic.name;
      if (u.names.length <= MAX_NAMES) u.names.push(nic.name);
    }
  }
  return [...users.values()].filter((u) => u.count > 1);
}

/** `nics.0 and nics.1`, `nics.0, nics.1, nics.2 and 44997 more`. */
function nicNames(u: Users): string {
  if (u.count <= MAX_NAMES) return u.names.join(' and ');
  return `${u.names.slice(0, MAX_NAMES).join(', ')} and ${u.count - MAX_NAMES} more`;
}

/**
 * `whole`: the list is every NIC the VM will have (create's nics, the
 * result of an update), so a vrrp_primary_ip can be looked up.
 */
export function checkNicList(nics: readonly NicFacts[], listName: string, report: ReportBuilder, whole = false): void {
  const primaries = nics.filter((n) => n.primary).map((n) => n.name);
  if (primaries.length > 1) {
    report.badValue(listName, `${primaries.length} NICs are primary (${listSome(primaries)}); a VM has exactly one`);
  }
  const checks: Array<[string, (n: NicFacts) => Iterable<Value>]> = [
    ['MAC', (n) => (n.mac ? [{ key: n.mac, text: MAC.test(n.mac) ? n.mac : show(n.mac) }] : [])],
    ['interface', (n) => (n.interface ? [{ key: n.interface, text: INTERFACE.test(n.interface) ? n.interface : show(n.interface) }] : [])],
    ['address', (n) => n.subnets.map((s) => s.address)],
    ['VRRP VRID', (n) => (n.vrid === undefined ? [] : [{ key: String(n.vrid), text: String(n.vrid) }])],
  ];
  for (const [what, values] of checks) {
    for (const u of sharedBy(nics, values)) report.badValue(listName, `${what} ${u.first.text} is used by ${nicNames(u)}`);
  }
  if (whole) checkVrrpPrimaries(nics, report);
}

/** Each vrrp_primary_ip is a static address of another NIC of the VM (vmadm(8) nics.*.vrrp_primary_ip). */
function checkVrrpPrimaries(nics: readonly NicFacts[], report: ReportBuilder): void {
  if (!nics.some((n) => n.vrrpPrimary !== undefined)) return;
  const holders = new Map<string, NicFacts[]>();
  for (const n of nics) {
    for (const s of n.subnets) {
      const list = holders.get(s.address.key);
      if (list === undefined) holders.set(s.address.key, [n]);
      else if (list[list.length - 1] !== n) list.push(n);
    }
  }
  for (const n of nics) {
    if (n.vrrpPrimary === undefined) continue;
    const others = (holders.get(n.vrrpPrimary.key) ?? []).filter((h) => h !== n);
    if (others.length === 0) {
      report.badValue(`${n.name}.vrrp_primary_ip`, `${n.vrrpPrimary.text} is not an address of another NIC of this VM`);
    }
  }
}
