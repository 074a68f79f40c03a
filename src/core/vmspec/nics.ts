/**
 * Relations between the NICs of one VM: one primary, and no MAC, interface
 * or address used twice. Problems are reported on the list (`nics`).
 */
import type { NicFacts } from './nic';
import type { ReportBuilder } from './report';

/** `value` -> the NICs that use it, for the values used more than once. */
function sharedBy(nics: readonly NicFacts[], values: (n: NicFacts) => readonly string[]): Map<string, string[]> {
  const users = new Map<string, string[]>();
  for (const nic of nics) {
    for (const v of new Set(values(nic))) users.set(v, [...(users.get(v) ?? []), nic.name]);
  }
  return new Map([...users].filter(([, names]) => names.length > 1));
}

function textOfKey(nics: readonly NicFacts[], key: string): string {
  for (const n of nics) for (const s of n.subnets) if (s.address.key === key) return s.address.text;
  return key;
}

export function checkNicList(nics: readonly NicFacts[], listName: string, report: ReportBuilder): void {
  const primaries = nics.filter((n) => n.primary).map((n) => n.name);
  if (primaries.length > 1) {
    report.badValue(listName, `${primaries.length} NICs are primary (${primaries.join(', ')}); a VM has exactly one`);
  }
  const checks: Array<[string, (n: NicFacts) => readonly string[]]> = [
    ['MAC', (n) => (n.mac ? [n.mac] : [])],
    ['interface', (n) => (n.interface ? [n.interface] : [])],
    ['address', (n) => n.subnets.map((s) => s.address.key)],
  ];
  for (const [what, values] of checks) {
    for (const [value, names] of sharedBy(nics, values)) {
      const shown = what === 'address' ? textOfKey(nics, value) : value;
      report.badValue(listName, `${what} ${shown} is used by ${names.join(' and ')}`);
    }
  }
}
