/**
 * The canonical text of a rule (docs/fwrule.md "Canonical text"): the one form
 * every stored, listed or printed rule takes, the same text SmartOS fwadm
 * and Triton FWAPI print.
 */
import { quote } from './quoting';
import type { IcmpType, ParsedRule, Port, Protocol, Target } from './types';

/** One target as canonical text writes it: `any`, `ip 10.0.0.1`, `tag "role" = "www"`, ... */
export function targetText(t: Target): string {
  switch (t.kind) {
    case 'any':
      return 'any';
    case 'allvms':
      return 'all vms';
    case 'ip':
      return 'ip ' + t.address.text;
    case 'subnet':
      return 'subnet ' + t.cidr.text;
    case 'tag':
      return t.value === undefined ? 'tag ' + quote(t.name) : `tag ${quote(t.name)} = ${quote(t.value)}`;
    case 'vm':
      return 'vm ' + t.uuid;
  }
}

function sideText(side: readonly Target[]): string {
  if (side.length === 1) return targetText(side[0]);
  return '(' + side.map(targetText).join(' OR ') + ')';
}

function portText(p: Port): string {
  return typeof p === 'number' ? String(p) : `${p.start} - ${p.end}`;
}

function typeText(t: IcmpType): string {
  return t.code === undefined ? String(t.type) : `${t.type} CODE ${t.code}`;
}

/** `(<KW> a AND <KW> b)` or `<KW> a`. */
function andList(keyword: string, items: readonly string[]): string {
  return items.length === 1 ? `${keyword} ${items[0]}` : `(${keyword} ${items.join(` AND ${keyword} `)})`;
}

function protocolText(p: Protocol): string {
  switch (p.name) {
    case 'tcp':
    case 'udp':
      if (p.ports === 'all') return `${p.name} PORT all`;
      // PORTS only with a range: `PORTS 1, 2` and `(PORT 1 AND PORT 2)` mean the same
      if (p.ports.some((x) => typeof x !== 'number')) return `${p.name} PORTS ${p.ports.map(portText).join(', ')}`;
      return `${p.name} ${andList('PORT', p.ports.map(portText))}`;
    case 'icmp':
    case 'icmp6':
      return p.types === 'all' ? `${p.name} TYPE all` : `${p.name} ${andList('TYPE', p.types.map(typeText))}`;
    case 'ah':
    case 'esp':
      return p.name;
  }
}

/** `FROM <from> TO <to> <ALLOW|BLOCK> <proto>[ PRIORITY n]` of a normalised rule. */
export function canonicalText(rule: ParsedRule): string {
  const priority = rule.priority > 0 ? ` PRIORITY ${rule.priority}` : '';
  return `FROM ${sideText(rule.from)} TO ${sideText(rule.to)} ${rule.action.toUpperCase()} ${protocolText(rule.protocol)}${priority}`;
}
