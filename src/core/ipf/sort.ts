/**
 * Entry order within a file (docs/ipf.md, "File layout and order"): protocol
 * name, outbound before inbound, priority (highest first), action (out:
 * BLOCK first; in: ALLOW first), the rule's first port or ICMP type, the
 * entry's first address; ties in generation order. Keys are strings that
 * compare in that order, built once per rule side and per entry.
 */
import type { FwRule, Protocol, ProtocolName } from '../fwrule/types';
import type { IPAddress } from '../net/address';
import { parseAddress } from '../net/address';
import { sortedIcmpTypes, sortedPorts, type Direction } from './render';

const PROTO_RANK: Record<ProtocolName, number> = { ah: 0, esp: 1, icmp: 2, icmp6: 3, tcp: 4, udp: 5 };

/** `all` (or no port) first, then by number / range start, or by type then code. */
function firstTargetRank(p: Protocol): number {
  switch (p.name) {
    case 'tcp':
    case 'udp': {
      if (p.ports === 'all' || p.ports.length === 0) return 0;
      const first = sortedPorts(p.ports)[0];
      return 1 + (typeof first === 'number' ? first : first.start);
    }
    case 'icmp':
    case 'icmp6': {
      if (p.types === 'all' || p.types.length === 0) return 0;
      const first = sortedIcmpTypes(p.types)[0];
      return 1 + first.type * 257 + (first.code === undefined ? 0 : first.code + 1);
    }
    default:
      return 0;
  }
}

/** Sort key of every entry one side of a rule gives (keys 1-5). */
export function ruleSortKey(rule: FwRule, dir: Direction): string {
  const { protocol, priority, action } = rule.parsed;
  const actionRank = dir === 'out' ? (action === 'block' ? 0 : 1) : action === 'allow' ? 0 : 1;
  return (
    String(PROTO_RANK[protocol.name]) +
    (dir === 'out' ? '0' : '1') +
    String(100 - priority).padStart(3, '0') +
    String(actionRank) +
    String(firstTargetRank(protocol)).padStart(6, '0')
  );
}

/** `any` sorts as 0.0.0.0. */
const ANY_ADDRESS_KEY = parseAddress('0.0.0.0').key;

/** Sort key of an entry's first address (key 6). */
export function addressSortKey(a: Pick<IPAddress, 'key'> | undefined): string {
  return a === undefined ? ANY_ADDRESS_KEY : a.key;
}
