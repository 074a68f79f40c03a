/**
 * An evaluator of the ipf text fwadm writes: what ipf(8) does with one
 * packet given a VM's ipf.conf and ipf6.conf. An oracle for tests: the
 * agreement tests hold `fwadm explain` (core/fw/explain, the rules'
 * meaning) against it on the compiler's output, and a back end other
 * than ipf can be held against it too.
 *
 *   evaluate(ipf, ipf6, packet) -> { verdict: 'pass' | 'block', line, ... }
 *   exchange(ipf, ipf6, packet) -> { first, reply }
 *
 * It reads exactly the subset of ipf(5) the compiler emits (docs/ipf.md
 * "Line format", "File layout and order", "Event-logging hosts";
 * src/core/ipf/render.ts): comment and blank lines, `block in all`, and
 *
 *   <pass|block> <in|out> [quick] proto <tcp|udp|icmp|ipv6-icmp|ah|esp>
 *     from <any|addr|cidr> to <any|addr|cidr>
 *     [port = N | port A : B | icmp-type T [code C]] [flags S/SA]
 *     [keep frags] [keep state] [set-tag(uuid=<rule uuid>[, cfwlog])]
 *
 * with whitespace free. Anything else throws, naming the file and line:
 * a line the compiler should not write (an ICMPv4 line in ipf6.conf, an
 * address of the other family, an inbound line naming a destination other
 * than `any`, a port on an icmp line, a set-tag of another rule than the
 * comment above it, ...) is a compiler bug, never skipped.
 *
 * How ipf decides (ipf(5)): the lines of the packet's family are tried in
 * order; the first matching `quick` line decides; otherwise the last
 * matching line decides; a packet no line matches passes (ipfilter's
 * default, IPF_DEFAULT_PASS). `port` is the destination port (the lines
 * write it after `to`); `port A : B` includes both ends; `flags S/SA`
 * takes a packet with SYN set and ACK clear among SYN and ACK. A `proto ah`
 * line of ipf6.conf is read as written (illumos ipf would look past the
 * AH header; docs/ipf.md "IPv6 AH").
 *
 * State: when the deciding line of a passed packet keeps state, ipf lets
 * the replies of that exchange through before any line is read. `exchange`
 * says so, or else decides the reply against the lines: the opposite
 * direction, the same peer, TCP flags SYN+ACK, the ports swapped, an ICMP
 * echo reply for an echo request. Other ICMP messages have no reply.
 */
import { isIPv4, isIPv6 } from 'node:net';

export type IpfProtocol = 'tcp' | 'udp' | 'icmp' | 'icmp6' | 'ah' | 'esp';

/** One packet, seen from the VM whose files are evaluated. */
export interface Probe {
  /** in: from `peer` to the VM; out: from the VM to `peer`. */
  readonly direction: 'in' | 'out';
  readonly protocol: IpfProtocol;
  /** The other end's IPv4 or IPv6 address: its family picks ipf.conf or ipf6.conf. */
  readonly peer: string;
  /** tcp, udp: the destination port. */
  readonly port?: number;
  /** tcp, udp: the source port, which replies are sent to (default 40000). */
  readonly sourcePort?: number;
  /** icmp, icmp6: the type, and the code (default 0). */
  readonly icmpType?: number;
  readonly icmpCode?: number;
  /** tcp: the packet's flags (default S: the first packet of a connection). */
  readonly tcpFlags?: 'S' | 'SA' | 'A';
}

/** The `# rule=<uuid>, version=<version>, <type>=<value>` comment a line stands under. */
export interface RuleComment {
  readonly uuid: string;
  readonly type: string;
  readonly value: string;
}

export interface Evaluation {
  readonly verdict: 'pass' | 'block';
  readonly file: 'ipf.conf' | 'ipf6.conf';
  /** The deciding line as written; undefined when no line matches (ipf passes the packet). */
  readonly line?: string;
  /** Its number in the file, from 1. */
  readonly lineNumber?: number;
  /** The rule comment above the deciding line; undefined for the fallbacks. */
  readonly rule?: RuleComment;
  /** Whether the deciding line keeps state. */
  readonly keepState: boolean;
}

export interface Exchange {
  readonly first: Evaluation;
  /**
   * Undefined when the first packet is blocked or has no reply (ICMP other
   * than echo requests). `byState`: passed by the state the first packet's
   * line keeps; otherwise `evaluation` is the reply decided by the lines.
   */
  readonly reply?: { readonly verdict: 'pass' | 'block'; readonly byState: boolean; readonly evaluation?: Evaluation };
}

type Family = 4 | 6;
/** An address or network: the family, the prefix length and the address as a number. */
interface Net {
  readonly family: Family;
  readonly bits: bigint;
  readonly prefix: number;
}

interface Line {
  readonly number: number;
  readonly text: string;
  readonly action: 'pass' | 'block';
  readonly direction: 'in' | 'out';
  readonly quick: boolean;
  /** undefined: `block in all`, every packet of the direction. */
  readonly proto?: string;
  /** The peer's side: `from` of an inbound line, `to` of an outbound one; undefined: any. */
  readonly peer?: Net;
  readonly ports?: readonly [number, number];
  readonly icmp?: { readonly type: number; readonly code?: number };
  readonly synOnly: boolean;
  readonly keepState: boolean;
  readonly rule?: RuleComment;
}

class IpfSyntaxError extends Error {}

function v4Bits(text: string): bigint {
  return text.split('.').reduce((n, part) => (n << 8n) | BigInt(Number(part)), 0n);
}

/** The 128 bits of an IPv6 address in any RFC 4291 form (node's isIPv6 has checked it). */
function v6Bits(text: string): bigint {
  let t = text;
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(t);
  if (quad) {
    const v4 = v4Bits(quad[1]);
    t = `${t.slice(0, quad.index)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head, tail] = t.split('::');
  const groups = (s: string | undefined): string[] => (s === undefined || s === '' ? [] : s.split(':'));
  const h = groups(head);
  const tl = groups(tail);
  const all = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - tl.length).fill('0'), ...tl];
  return all.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** An address (`/32` or `/128`) or a network; undefined when `text` is neither. */
function parseNet(text: string): Net | undefined {
  const [addr, len, extra] = text.split('/');
  if (extra !== undefined) return undefined;
  const family: Family | undefined = isIPv4(addr) ? 4 : isIPv6(addr) && !addr.includes('%') ? 6 : undefined;
  if (family === undefined) return undefined;
  const max = family === 4 ? 32 : 128;
  if (len !== undefined && !/^\d{1,3}$/.test(len)) return undefined;
  const prefix = len === undefined ? max : Number(len);
  if (prefix > max) return undefined;
  return { family, bits: family === 4 ? v4Bits(addr) : v6Bits(addr), prefix };
}

function contains(net: Net, a: Net): boolean {
  if (net.family !== a.family) return false;
  const shift = BigInt((net.family === 4 ? 32 : 128) - net.prefix);
  return net.bits >> shift === a.bits >> shift;
}

const RULE_LINE = new RegExp(
  '^(pass|block) (in|out)( quick)? proto (\\S+) from (\\S+) to (\\S+)' +
    '(?: port = (\\d+)| port (\\d+) : (\\d+)| icmp-type (\\d+)(?: code (\\d+))?)?' +
    '( flags S/SA)?( keep frags)?( keep state)?(?: set-tag\\(uuid=([^,)]*)(, cfwlog)?\\))?$',
);
const RULE_COMMENT = /^# rule=([^,\s]+), version=(.*?), (wildcard|ip|subnet|tag|tagValue|vm)=(.*)$/;
const PROTOCOLS: Record<Family, readonly string[]> = {
  4: ['tcp', 'udp', 'icmp', 'ah', 'esp'],
  6: ['tcp', 'udp', 'ipv6-icmp', 'ah', 'esp'],
};

function number(text: string, max: number, what: string): number {
  const n = Number(text);
  if (n > max) throw new IpfSyntaxError(`${what} ${text} is out of range`);
  return n;
}

/** One rule line (whitespace folded) under `rule`. */
function parseRuleLine(text: string, family: Family, rule: RuleComment | undefined): Omit<Line, 'number' | 'text'> {
  if (text === 'block in all') return { action: 'block', direction: 'in', quick: false, synOnly: false, keepState: false };
  const m = RULE_LINE.exec(text);
  if (!m) throw new IpfSyntaxError('not a line fwadm writes');
  const [, action, direction, quick, proto, from, to, port, lo, hi, type, code, flags, , keepState, tagUuid] = m;
  if (!PROTOCOLS[family].includes(proto)) throw new IpfSyntaxError(`proto ${proto} does not belong in ${family === 4 ? 'ipf.conf' : 'ipf6.conf'}`);
  const [own, other] = direction === 'in' ? [to, from] : [from, to];
  if (own !== 'any') throw new IpfSyntaxError(`the VM's side must be "any", not ${own}`);
  let peer: Net | undefined;
  if (other !== 'any') {
    peer = parseNet(other);
    if (peer === undefined) throw new IpfSyntaxError(`${other} is not an address or network`);
    if (peer.family !== family) throw new IpfSyntaxError(`${other} is not an IPv${family} address`);
  }
  const isPorts = proto === 'tcp' || proto === 'udp';
  const isIcmp = proto === 'icmp' || proto === 'ipv6-icmp';
  if ((port ?? lo) !== undefined && !isPorts) throw new IpfSyntaxError(`a port on a ${proto} line`);
  if (type !== undefined && !isIcmp) throw new IpfSyntaxError(`an icmp-type on a ${proto} line`);
  if (flags !== undefined && proto !== 'tcp') throw new IpfSyntaxError(`flags on a ${proto} line`);
  if (tagUuid !== undefined && tagUuid !== rule?.uuid) throw new IpfSyntaxError(`set-tag(uuid=${tagUuid}) under ${rule ? `rule ${rule.uuid}` : 'no rule comment'}`);
  let ports: [number, number] | undefined;
  if (port !== undefined) ports = [number(port, 65535, 'port'), number(port, 65535, 'port')];
  if (lo !== undefined) {
    ports = [number(lo, 65535, 'port'), number(hi, 65535, 'port')];
    if (ports[0] > ports[1]) throw new IpfSyntaxError(`port range ${lo} : ${hi} is empty`);
  }
  const icmp = type === undefined ? undefined : { type: number(type, 255, 'icmp-type'), ...(code !== undefined ? { code: number(code, 255, 'code') } : {}) };
  return {
    action: action as 'pass' | 'block',
    direction: direction as 'in' | 'out',
    quick: quick !== undefined,
    proto,
    peer,
    ports,
    icmp,
    synOnly: flags !== undefined,
    keepState: keepState !== undefined,
    rule,
  };
}

/** Every rule line of one file, with the rule comment it stands under. Throws IpfSyntaxError-based Errors naming the line. */
function parseFile(text: string, family: Family): Line[] {
  const name = family === 4 ? 'ipf.conf' : 'ipf6.conf';
  if (!text.endsWith('\n')) throw new Error(`${name}: does not end with a newline`);
  const lines: Line[] = [];
  let rule: RuleComment | undefined;
  text.slice(0, -1).split('\n').forEach((raw, i) => {
    const folded = raw.trim().replace(/\s+/g, ' ');
    if (folded === '') {
      rule = undefined; // an entry starts with a blank line
      return;
    }
    if (folded.startsWith('#')) {
      const c = RULE_COMMENT.exec(raw);
      rule = c ? { uuid: c[1], type: c[3], value: c[4] } : undefined;
      return;
    }
    try {
      lines.push({ number: i + 1, text: raw, ...parseRuleLine(folded, family, rule) });
    } catch (err) {
      if (!(err instanceof IpfSyntaxError)) throw err;
      throw new Error(`${name} line ${i + 1}: ${err.message}: ${raw}`);
    }
  });
  return lines;
}

const parsed = new Map<string, Line[]>();

/** parseFile, remembering the last few files (tests ask many packets of one file). */
function linesOf(text: string, family: Family): Line[] {
  const key = `${family}\n${text}`;
  let lines = parsed.get(key);
  if (lines === undefined) {
    lines = parseFile(text, family);
    if (parsed.size >= 64) parsed.delete(parsed.keys().next().value as string);
    parsed.set(key, lines);
  }
  return lines;
}

function checkProbe(p: Probe): Net {
  const peer = parseNet(p.peer);
  if (peer === undefined || p.peer.includes('/')) throw new Error(`probe: peer ${p.peer} is not an IP address`);
  if ((p.protocol === 'tcp' || p.protocol === 'udp') && p.port === undefined) throw new Error(`probe: ${p.protocol} needs a port`);
  if ((p.protocol === 'icmp' || p.protocol === 'icmp6') && p.icmpType === undefined) throw new Error(`probe: ${p.protocol} needs an icmpType`);
  if ((p.protocol === 'icmp' && peer.family !== 4) || (p.protocol === 'icmp6' && peer.family !== 6)) {
    throw new Error(`probe: ${p.protocol} to ${p.peer}`);
  }
  return peer;
}

function matches(l: Line, p: Probe, peer: Net): boolean {
  if (l.direction !== p.direction) return false;
  if (l.proto === undefined) return true; // block in all
  if (l.proto !== (p.protocol === 'icmp6' ? 'ipv6-icmp' : p.protocol)) return false;
  if (l.peer !== undefined && !contains(l.peer, peer)) return false;
  if (l.ports !== undefined && !(l.ports[0] <= p.port! && p.port! <= l.ports[1])) return false;
  if (l.icmp !== undefined && (l.icmp.type !== p.icmpType || (l.icmp.code !== undefined && l.icmp.code !== (p.icmpCode ?? 0)))) return false;
  if (l.synOnly && (p.tcpFlags ?? 'S') !== 'S') return false;
  return true;
}

/**
 * What ipf does with one packet given a VM's two files: the first matching
 * quick line, else the last matching line, else pass. Throws on text
 * outside the subset the compiler writes (see the file comment).
 */
export function evaluate(ipf: string, ipf6: string, packet: Probe): Evaluation {
  const peer = checkProbe(packet);
  const file = peer.family === 4 ? 'ipf.conf' : 'ipf6.conf';
  // both files are read: a bad line is refused whichever family is asked
  const lines = [linesOf(ipf, 4), linesOf(ipf6, 6)][peer.family === 4 ? 0 : 1];
  let last: Line | undefined;
  for (const l of lines) {
    if (!matches(l, packet, peer)) continue;
    last = l;
    if (l.quick) break;
  }
  if (last === undefined) return { verdict: 'pass', file, keepState: false };
  return {
    verdict: last.action,
    file,
    line: last.text,
    lineNumber: last.number,
    ...(last.rule ? { rule: last.rule } : {}),
    keepState: last.keepState,
  };
}

/** The reply to a first packet, or undefined when the exchange has none. */
function replyProbe(p: Probe): Probe | undefined {
  const direction = p.direction === 'in' ? 'out' : 'in';
  switch (p.protocol) {
    case 'tcp':
    case 'udp':
      return { direction, protocol: p.protocol, peer: p.peer, port: p.sourcePort ?? 40000, sourcePort: p.port, tcpFlags: 'SA' };
    case 'icmp':
    case 'icmp6': {
      const [request, reply] = p.protocol === 'icmp' ? [8, 0] : [128, 129];
      return p.icmpType === request ? { direction, protocol: p.protocol, peer: p.peer, icmpType: reply, icmpCode: 0 } : undefined;
    }
    default:
      return { direction, protocol: p.protocol, peer: p.peer };
  }
}

/**
 * A two-way exchange: the first packet, and whether its reply passes (by
 * the state the first packet's line keeps, or by the lines).
 */
export function exchange(ipf: string, ipf6: string, packet: Probe): Exchange {
  const first = evaluate(ipf, ipf6, packet);
  const back = replyProbe(packet);
  if (first.verdict === 'block' || back === undefined) return { first };
  if (first.keepState) return { first, reply: { verdict: 'pass', byState: true } };
  const evaluation = evaluate(ipf, ipf6, back);
  return { first, reply: { verdict: evaluation.verdict, byState: false, evaluation } };
}
