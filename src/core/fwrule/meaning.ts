/**
 * From what the grammar read to a rule's meaning: the checks that need the
 * whole rule (limits, ICMP address families, "does it touch a VM"), in
 * SmartOS's order, then the normal form of ParsedRule (targets sorted and
 * de-duplicated, a bare tag absorbing its valued forms, ports and ICMP
 * types in order).
 */
import { ruleError } from './errors';
import { MAX_PROTOCOL_TARGETS, MAX_TARGETS_PER_SIDE } from './limits';
import type { Action, IcmpType, ParsedRule, Port, Protocol, Target } from './types';

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function portStart(p: Port): number {
  return typeof p === 'number' ? p : p.start;
}

/** Ascending by start; equal starts keep their written order (as SmartOS). */
function sortPorts(ports: readonly Port[]): Port[] {
  return ports.slice().sort((a, b) => portStart(a) - portStart(b));
}

/** By type, then a bare type before the same type with a code, then by code. */
export function compareIcmpTypes(a: IcmpType, b: IcmpType): number {
  return a.type - b.type || (a.code ?? -1) - (b.code ?? -1);
}

function protocolTargets(p: Protocol): number {
  if (p.name === 'tcp' || p.name === 'udp') return p.ports === 'all' ? 1 : p.ports.length;
  if (p.name === 'icmp' || p.name === 'icmp6') return p.types === 'all' ? 1 : p.types.length;
  return 0;
}

function normalProtocol(p: Protocol): Protocol {
  if ((p.name === 'tcp' || p.name === 'udp') && p.ports !== 'all') return { name: p.name, ports: sortPorts(p.ports) };
  if ((p.name === 'icmp' || p.name === 'icmp6') && p.types !== 'all') {
    return { name: p.name, types: p.types.slice().sort(compareIcmpTypes) };
  }
  return p;
}

const KIND_ORDER = { any: 0, allvms: 0, ip: 1, subnet: 2, tag: 3, vm: 4 } as const;

/** The text a target sorts by within its kind. */
function sortText(t: Target): string {
  switch (t.kind) {
    case 'ip':
      return t.address.text;
    case 'subnet':
      return t.cidr.text;
    case 'vm':
      return t.uuid;
    default:
      return '';
  }
}

function compareTargets(a: Target, b: Target): number {
  const k = KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
  if (k !== 0) return k;
  if (a.kind === 'tag' && b.kind === 'tag') {
    return byText(a.name, b.name) || (a.value === undefined ? -1 : b.value === undefined ? 1 : byText(a.value, b.value));
  }
  return byText(sortText(a), sortText(b));
}

function sameTarget(a: Target, b: Target): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'tag' && b.kind === 'tag') return a.name === b.name && a.value === b.value;
  return sortText(a) === sortText(b);
}

/** One side in canonical order, duplicates dropped, `tag x` absorbing `tag x = v`. */
function normalSide(side: readonly Target[]): Target[] {
  const bare = new Set<string>();
  for (const t of side) if (t.kind === 'tag' && t.value === undefined) bare.add(t.name);
  const kept = side.filter((t) => !(t.kind === 'tag' && t.value !== undefined && bare.has(t.name)));
  kept.sort(compareTargets);
  return kept.filter((t, i) => i === 0 || !sameTarget(kept[i - 1], t));
}

function checkIcmpFamilies(protocol: Protocol, targets: readonly Target[]): void {
  if (protocol.name !== 'icmp' && protocol.name !== 'icmp6') return;
  const [family, label] = protocol.name === 'icmp' ? [4, 'ICMPv4'] : [6, 'ICMPv6'];
  if (targets.some((t) => t.kind === 'ip' && t.address.family !== family)) {
    throw ruleError(`rule affects ${label} but contains a non-IPv${family} address`);
  }
  if (targets.some((t) => t.kind === 'subnet' && t.cidr.address.family !== family)) {
    throw ruleError(`rule affects ${label} but contains a non-IPv${family} subnet`);
  }
}

/** Check a whole rule as the grammar read it and return its normal form. */
export function ruleMeaning(
  from: readonly Target[],
  to: readonly Target[],
  action: Action,
  protocol: Protocol,
  priority: number,
): ParsedRule {
  if (protocolTargets(protocol) > MAX_PROTOCOL_TARGETS) {
    const what = protocol.name === 'icmp' || protocol.name === 'icmp6' ? 'types' : 'ports';
    throw ruleError(`maximum of ${MAX_PROTOCOL_TARGETS} ${what} allowed`);
  }
  if (from.length > MAX_TARGETS_PER_SIDE || to.length > MAX_TARGETS_PER_SIDE) {
    throw ruleError(`maximum of ${MAX_TARGETS_PER_SIDE} targets allowed per side`);
  }
  const all = from.concat(to);
  checkIcmpFamilies(protocol, all);
  if (!all.some((t) => t.kind === 'allvms' || t.kind === 'tag' || t.kind === 'vm')) {
    throw ruleError('rule does not affect VMs');
  }
  return {
    from: normalSide(from),
    to: normalSide(to),
    action,
    protocol: normalProtocol(protocol),
    priority,
  };
}
