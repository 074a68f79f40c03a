/**
 * The fwrule model: what a parsed, checked rule is. Produced by the parser
 * (src/core/fwrule/parse.ts), printed by the canonical printer, consumed by
 * the ipf compiler. Pure data.
 */
import type { Cidr, IPAddress } from '../net/address';

/** One target of a rule side. */
export type Target =
  | { readonly kind: 'any' }
  | { readonly kind: 'allvms' }
  | { readonly kind: 'ip'; readonly address: IPAddress }
  | { readonly kind: 'subnet'; readonly cidr: Cidr }
  /** `tag name` (value undefined: any value) or `tag name = value`. */
  | { readonly kind: 'tag'; readonly name: string; readonly value?: string }
  | { readonly kind: 'vm'; readonly uuid: string };

export type TargetKind = Target['kind'];

/** A port range, inclusive; written `a - b` or in a `ports` list. */
export interface PortRange {
  readonly start: number;
  readonly end: number;
}

/** A single port number, or a range. */
export type Port = number | PortRange;

export interface IcmpType {
  readonly type: number;
  /** undefined: every code of the type. */
  readonly code?: number;
}

export type PortProtocolName = 'tcp' | 'udp';
export type IcmpProtocolName = 'icmp' | 'icmp6';
export type ProtocolName = PortProtocolName | IcmpProtocolName | 'ah' | 'esp';

export type Protocol =
  | { readonly name: PortProtocolName; readonly ports: 'all' | readonly Port[] }
  | { readonly name: IcmpProtocolName; readonly types: 'all' | readonly IcmpType[] }
  | { readonly name: 'ah' | 'esp' };

export type Action = 'allow' | 'block';

/**
 * A rule's meaning, normalised: each side's targets sorted and
 * de-duplicated in canonical order (any/allvms, ip, subnet, tag, vm), a bare
 * tag absorbing `tag = value` of the same name; ports and ICMP types sorted
 * ascending and de-duplicated.
 */
export interface ParsedRule {
  readonly from: readonly Target[];
  readonly to: readonly Target[];
  readonly action: Action;
  readonly protocol: Protocol;
  /** 0-100; 0 when absent. */
  readonly priority: number;
}

/**
 * A validated rule object (the `fwadm add` payload, normalised):
 * `rule` holds the canonical text of `parsed`.
 */
export interface FwRule {
  readonly uuid: string;
  readonly version: string;
  readonly enabled: boolean;
  readonly owner_uuid?: string;
  readonly global?: true;
  readonly log: boolean;
  readonly description?: string;
  readonly created_by?: string;
  readonly rule: string;
  readonly parsed: ParsedRule;
}
