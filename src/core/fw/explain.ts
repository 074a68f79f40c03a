/**
 * `fwadm explain`: which rule decides a packet for a VM, and why. Computed
 * from the rules' meaning as docs/ipf.md states it (which VMs a side
 * names, owner scoping, priorities, the order of the lines, the
 * fallbacks), never from the generated ipf text: it is a second reading of
 * the contract, and the agreement tests hold it against the compiler's
 * output read by an ipf evaluator (test/helpers/ipf-eval.ts). Pure.
 *
 * A packet is the first packet of an exchange (a TCP SYN, a UDP datagram,
 * an ICMP message): `in` from the peer to the VM, `out` from the VM to the
 * peer. The peer's family picks the file: ipf.conf for IPv4, ipf6.conf
 * for IPv6. What happens to the replies is said apart (`reply`).
 */
import type { FwRule, IcmpType, Port, ProtocolName, Target } from '../fwrule/types';
import type { CompileInput, FwVm } from '../ipf/model';
import { cidrContains, parseAddress, type IPAddress } from '../net/address';
import { NotFoundError, UsageError } from '../errors';

export type Verdict = 'allow' | 'block';
export type ExplainDirection = 'in' | 'out';

/** The first packet of an exchange, seen from the VM. */
export interface ExplainPacket {
  readonly direction: ExplainDirection;
  readonly protocol: ProtocolName;
  /** The other end: the source of an `in` packet, the destination of an `out` one. */
  readonly peer: IPAddress;
  /** tcp, udp: the destination port (the VM's for `in`, the peer's for `out`). */
  readonly port?: number;
  /** icmp, icmp6: the message's type and code. */
  readonly icmp?: { readonly type: number; readonly code: number };
}

/** The target of a rule's other side that names the peer. */
export interface PeerMatch {
  readonly target: Target;
  /** vm, tag and all vms targets: the VM (local or remote) the peer address belongs to. */
  readonly vm?: { readonly uuid: string; readonly remote: boolean };
}

/**
 * What happens to the replies of an allowed exchange: `state`, they pass
 * because ipf keeps state for it; `rules`, no state is kept and they are
 * decided as packets of the other direction.
 */
export interface ReplyDecision {
  readonly verdict: Verdict;
  readonly by: 'state' | 'rules';
}

export interface Decision {
  readonly vm: string;
  readonly packet: ExplainPacket;
  readonly verdict: Verdict;
  /**
   * `rule`: a rule's line; `fallback`: one of the fallback lines (`block in
   * all`, the outbound passes, the IPv6 essentials); `default`: no line
   * matches and ipf passes the packet (outbound ah and esp);
   * `firewall-disabled`: the VM has no ipf rules, everything passes.
   */
  readonly by: 'rule' | 'fallback' | 'default' | 'firewall-disabled';
  /** The file whose lines decide (not for a disabled firewall). */
  readonly file?: 'ipf.conf' | 'ipf6.conf';
  /** `rule`: the deciding rule and the target of its other side that names the peer. */
  readonly rule?: FwRule;
  readonly matched?: PeerMatch;
  /** `fallback`: the deciding line. */
  readonly fallback?: string;
  /** An allowed exchange that has replies (tcp, udp, ah, esp, ICMP echo). */
  readonly reply?: ReplyDecision;
  /** What else the user should know, one sentence each. */
  readonly notes: readonly string[];
}

/** ICMPv6 messages the IPv6 essentials let in (docs/ipf.md "IPv6 essentials"). */
const ESSENTIAL_ICMP6 = new Set([2, 134, 135, 136]);

/** The line of the fallbacks that decides a first packet no rule line matches (docs/ipf.md "File layout and order"). */
function fallbackLine(p: ExplainPacket): string | undefined {
  if (p.direction === 'in') {
    if (p.protocol === 'icmp6' && ESSENTIAL_ICMP6.has(p.icmp!.type)) {
      return `pass in quick proto ipv6-icmp from any to any icmp-type ${p.icmp!.type}`;
    }
    return 'block in all';
  }
  switch (p.protocol) {
    case 'tcp': return 'pass out quick proto tcp from any to any flags S/SA keep state';
    case 'udp': return 'pass out proto udp from any to any keep state';
    case 'icmp': return 'pass out quick proto icmp from any to any keep state';
    case 'icmp6': return 'pass out quick proto ipv6-icmp from any to any keep state';
    default: return undefined; // ah, esp: no line; ipf passes what no line matches
  }
}

/** Whether an exchange of this packet has replies: a request that a reply answers. */
function hasReplies(p: ExplainPacket): boolean {
  if (p.protocol === 'icmp') return p.icmp!.type === 8; // echo request
  if (p.protocol === 'icmp6') return p.icmp!.type === 128; // echo request
  return true;
}

function word(d: ExplainDirection): string {
  return d === 'in' ? 'inbound' : 'outbound';
}

/**
 * A packet checked as explain needs it: a port for tcp and udp, a type and
 * code for ICMP, neither for ah and esp, and an ICMP protocol of the peer's
 * family. Usage errors (exit 2), one line naming what is wrong.
 */
export function checkPacket(p: ExplainPacket): ExplainPacket {
  const { protocol, peer } = p;
  if (protocol === 'icmp' && peer.family === 6) {
    throw new UsageError(`icmp is ICMPv4, but the peer ${peer.text} is an IPv6 address: use icmp6`);
  }
  if (protocol === 'icmp6' && peer.family === 4) {
    throw new UsageError(`icmp6 is ICMPv6, but the peer ${peer.text} is an IPv4 address: use icmp`);
  }
  const ports = protocol === 'tcp' || protocol === 'udp';
  const icmp = protocol === 'icmp' || protocol === 'icmp6';
  if (ports && p.port === undefined) throw new UsageError(`${protocol}: give the destination port (1-65535)`);
  if (icmp && p.icmp === undefined) throw new UsageError(`${protocol}: give the ICMP type, as type or type:code`);
  if (!ports && p.port !== undefined) throw new UsageError(`${protocol} has no port`);
  if (!icmp && p.icmp !== undefined) throw new UsageError(`${protocol} has no ICMP type`);
  return p;
}

const PROTOCOLS: readonly ProtocolName[] = ['tcp', 'udp', 'icmp', 'icmp6', 'ah', 'esp'];

function wholeNumber(text: string, max: number, what: string, min = 0): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new UsageError(`${what} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

/**
 * The packet of `in|out <protocol> <peer> [port | type[:code]]` (the code
 * defaults to 0). Usage errors (exit 2) name the argument at fault.
 */
export function packetFromWords(words: readonly string[]): ExplainPacket {
  const [direction, protocol, peer, target, ...extra] = words;
  if (direction === undefined) throw new UsageError('missing direction: in or out');
  if (direction !== 'in' && direction !== 'out') throw new UsageError(`direction must be in or out, got ${JSON.stringify(direction)}`);
  if (protocol === undefined) throw new UsageError(`missing protocol: ${PROTOCOLS.join(', ')}`);
  if (!(PROTOCOLS as readonly string[]).includes(protocol)) {
    throw new UsageError(`protocol must be one of ${PROTOCOLS.join(', ')}, got ${JSON.stringify(protocol)}`);
  }
  const name = protocol as ProtocolName;
  if (peer === undefined) throw new UsageError('missing peer address (IPv4 or IPv6)');
  let address: IPAddress;
  try {
    address = parseAddress(peer);
  } catch (err) {
    throw new UsageError(`peer address ${(err as Error).message}`);
  }
  if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}: explain takes one packet`);
  const packet: { -readonly [K in keyof ExplainPacket]: ExplainPacket[K] } = { direction, protocol: name, peer: address };
  if (target !== undefined && (name === 'tcp' || name === 'udp')) packet.port = wholeNumber(target, 65535, 'port', 1);
  else if (target !== undefined && (name === 'icmp' || name === 'icmp6')) {
    const [type, code, more] = target.split(':');
    if (more !== undefined) throw new UsageError(`ICMP type must be type or type:code, got ${JSON.stringify(target)}`);
    packet.icmp = { type: wholeNumber(type, 255, 'ICMP type'), code: code === undefined ? 0 : wholeNumber(code, 255, 'ICMP code') };
  } else if (target !== undefined) throw new UsageError(`${name} has no port or ICMP type, got ${JSON.stringify(target)}`);
  return checkPacket(packet);
}

// --- Which VMs and addresses a rule names (docs/ipf.md "Which VMs a rule touches")

/** Owner scoping: an owner's rule names only that owner's VMs, and remote VMs without an owner. */
function inScope(rule: FwRule, vm: FwVm): boolean {
  const owner = rule.owner_uuid;
  return owner === undefined || vm.owner_uuid === owner || (vm.remote && vm.owner_uuid === undefined);
}

/** Which VM targets claim a VM first when several name it: bare tags, tag = value, vm, all vms. */
function claimRank(t: Target): number {
  switch (t.kind) {
    case 'tag': return t.value === undefined ? 0 : 1;
    case 'vm': return 2;
    case 'allvms': return 3;
    default: return -1;
  }
}

function names(t: Target, vm: FwVm): boolean {
  switch (t.kind) {
    case 'allvms': return true;
    case 'vm': return t.uuid === vm.uuid;
    case 'tag': return vm.tags.has(t.name) && (t.value === undefined || vm.tags.get(t.name) === t.value);
    default: return false;
  }
}

/**
 * The target of a side that names a VM and the position of that target in
 * claim order (rank, then side order), or undefined: the first of the VM
 * targets that claims it (docs/ipf.md "The other side: which addresses a
 * line names").
 */
function claim(rule: FwRule, side: readonly Target[], vm: FwVm): { target: Target; position: number } | undefined {
  if (!inScope(rule, vm)) return undefined;
  let best: { target: Target; position: number } | undefined;
  side.forEach((t, i) => {
    const rank = claimRank(t);
    const position = rank * 100 + i;
    if (rank >= 0 && names(t, vm) && (best === undefined || position < best.position)) best = { target: t, position };
  });
  return best;
}

function portMatches(ports: 'all' | readonly Port[], port: number): boolean {
  return ports === 'all' || ports.some((p) => (typeof p === 'number' ? p === port : p.start <= port && port <= p.end));
}

function typeMatches(types: 'all' | readonly IcmpType[], icmp: { type: number; code: number }): boolean {
  return types === 'all' || types.some((t) => t.type === icmp.type && (t.code === undefined || t.code === icmp.code));
}

/** Whether a rule's protocol part takes the packet. */
function protocolMatches(rule: FwRule, p: ExplainPacket): boolean {
  const proto = rule.parsed.protocol;
  if (proto.name !== p.protocol) return false;
  if (proto.name === 'tcp' || proto.name === 'udp') return portMatches(proto.ports, p.port!);
  if (proto.name === 'icmp' || proto.name === 'icmp6') return typeMatches(proto.types, p.icmp!);
  return true;
}

/** Numbers compared in turn. */
function compareTuples(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? -1) - (b[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * A rule's first port or ICMP type, as the entry order compares it: `all`
 * first, then the lowest port start, or the lowest type (a bare type
 * before its codes).
 */
function firstTarget(rule: FwRule): number[] {
  const proto = rule.parsed.protocol;
  if (proto.name === 'tcp' || proto.name === 'udp') {
    if (proto.ports === 'all') return [0];
    return [1, Math.min(...proto.ports.map((p) => (typeof p === 'number' ? p : p.start)))];
  }
  if (proto.name === 'icmp' || proto.name === 'icmp6') {
    if (proto.types === 'all') return [0];
    return [1, ...proto.types.map((t) => [t.type, t.code ?? -1]).reduce((a, b) => (compareTuples(a, b) <= 0 ? a : b))];
  }
  return [0];
}

/** One entry of a VM's file that names the peer: where it stands in the file. */
interface Entry {
  readonly rule: FwRule;
  readonly match: PeerMatch;
  /** docs/ipf.md "File layout and order" keys 3-5 (the packet fixes 1 and 2). */
  readonly ruleOrder: readonly number[];
  /** Key 6: the entry's first address (`any` as 0.0.0.0). */
  readonly addressKey: string;
  /** Ties: rules in input order, then the entry's place in its rule (any, ips, subnets, VMs). */
  readonly generation: readonly number[];
}

const ANY_KEY = parseAddress('0.0.0.0').key;

function compareEntries(a: Entry, b: Entry): number {
  return (
    compareTuples(a.ruleOrder, b.ruleOrder) ||
    (a.addressKey < b.addressKey ? -1 : a.addressKey > b.addressKey ? 1 : 0) ||
    compareTuples(a.generation, b.generation)
  );
}

/** The host's VMs, local then remote, and who holds each address. */
class Host {
  readonly all: readonly FwVm[];
  private readonly byAddress = new Map<string, number[]>();

  constructor(input: CompileInput) {
    this.all = [...input.vms, ...input.remoteVms];
    this.all.forEach((vm, i) => {
      for (const a of vm.addresses) {
        const list = this.byAddress.get(a.key);
        if (list) list.push(i);
        else this.byAddress.set(a.key, [i]);
      }
    });
  }

  /** The VMs (positions in `all`) with this address. */
  holders(a: IPAddress): readonly number[] {
    return this.byAddress.get(a.key) ?? [];
  }
}

/**
 * The entries of one rule's other side that name the peer, in generation
 * order: `any`, each `ip` (sorted as text), each `subnet`, then the VMs of
 * the vm, tag and all vms targets.
 */
function peerEntries(rule: FwRule, side: readonly Target[], p: ExplainPacket, host: Host, ruleIndex: number, ruleOrder: number[]): Entry[] {
  const out: Entry[] = [];
  const add = (match: PeerMatch, addressKey: string, generation: number[]): void => {
    out.push({ rule, match, ruleOrder, addressKey, generation: [ruleIndex, ...generation] });
  };
  const peer = p.peer;
  for (const t of side) {
    if (t.kind === 'any') add({ target: t }, ANY_KEY, [0]);
    else if (t.kind === 'ip' && t.address.key === peer.key) add({ target: t }, t.address.key, [1]);
  }
  const subnets = side.flatMap((t) => (t.kind === 'subnet' ? [t] : [])).sort((a, b) => (a.cidr.text < b.cidr.text ? -1 : 1));
  subnets.forEach((t, i) => {
    if (t.cidr.address.family === peer.family && cidrContains(t.cidr, peer)) add({ target: t }, t.cidr.address.key, [2, i]);
  });
  for (const at of host.holders(peer)) {
    const vm = host.all[at];
    const c = claim(rule, side, vm);
    if (c) add({ target: c.target, vm: { uuid: vm.uuid, remote: vm.remote } }, vm.addresses[0].key, [3, c.position, at]);
  }
  return out;
}

function priorityZeroNote(rule: FwRule, p: ExplainPacket): string {
  const what = `rule ${rule.uuid} (${word(p.direction)} ${rule.parsed.action.toUpperCase()} at priority 0) writes no line`;
  return p.direction === 'out' ? `${what}: the default passes outbound packets` : `${what}: "block in all" blocks inbound packets`;
}

/**
 * An icmp6 BLOCK naming a message the IPv6 essentials let in: it writes its
 * inbound lines at priority 0 too, so that it wins over them (docs/ipf.md
 * "Which VMs a rule touches").
 */
function blocksEssentials(rule: FwRule): boolean {
  const proto = rule.parsed.protocol;
  return rule.parsed.action === 'block' && proto.name === 'icmp6' && (proto.types === 'all' || proto.types.some((t) => ESSENTIAL_ICMP6.has(t.type)));
}

const AH_OVER_IPV6 =
  'SmartOS\'s ipf does not apply "proto ah" lines of ipf6.conf: it filters an IPv6 AH packet by the header after AH; ' +
  'this answer is the rules\' written meaning (docs/ipf.md "IPv6 AH")';

/** The VM, or NotFoundError (a remote VM's firewall is on its own host). */
function findVm(input: CompileInput, uuid: string): FwVm {
  const vm = input.vms.find((v) => v.uuid === uuid);
  if (vm) return vm;
  if (input.remoteVms.some((v) => v.uuid === uuid)) {
    throw new NotFoundError(`VM "${uuid}" not found: it is a remote VM, whose firewall is on its own host`);
  }
  throw new NotFoundError(`VM "${uuid}" not found`);
}

/**
 * Whether ipf keeps state for an inbound line of this VM: when the VM is on
 * the FROM side of an enabled BLOCK rule of the protocol (docs/ipf.md
 * "Line format", `<keep>`).
 */
function inboundKeepsState(input: CompileInput, vm: FwVm, protocol: ProtocolName): boolean {
  return input.rules.some(
    (r) => r.enabled && r.parsed.action === 'block' && r.parsed.protocol.name === protocol && claim(r, r.parsed.from, vm) !== undefined,
  );
}

/**
 * Which rule decides a packet for a local VM, and why (see the file
 * comment). `packet` must be checked (checkPacket). Throws NotFoundError
 * for a VM that is not a local VM of the input.
 */
export function explain(input: CompileInput, vmUuid: string, packet: ExplainPacket): Decision {
  const p = checkPacket(packet);
  const vm = findVm(input, vmUuid);
  if (!vm.firewallEnabled) return { vm: vm.uuid, packet: p, verdict: 'allow', by: 'firewall-disabled', notes: [] };
  const host = new Host(input);
  const entries: Entry[] = [];
  const unwritten: FwRule[] = [];
  input.rules.forEach((rule, i) => {
    const { from, to, action, priority } = rule.parsed;
    if (!rule.enabled || !protocolMatches(rule, p)) return;
    const [own, other] = p.direction === 'in' ? [to, from] : [from, to];
    if (claim(rule, own, vm) === undefined) return;
    // outbound: BLOCK before ALLOW; inbound: ALLOW before BLOCK
    const actionOrder = (action === 'block') === (p.direction === 'out') ? 0 : 1;
    const found = peerEntries(rule, other, p, host, i, [100 - priority, actionOrder, ...firstTarget(rule)]);
    // priority 0: an outbound ALLOW or inbound BLOCK is the default policy and
    // writes no line, but for an inbound BLOCK of what the IPv6 essentials let in
    const written = priority > 0 || action === (p.direction === 'out' ? 'block' : 'allow') || (p.direction === 'in' && blocksEssentials(rule));
    if (written) entries.push(...found);
    else if (found.length > 0) unwritten.push(rule);
  });
  const ah = p.protocol === 'ah' && p.peer.family === 6 ? [AH_OVER_IPV6] : [];
  const base = { vm: vm.uuid, packet: p, file: p.peer.family === 4 ? 'ipf.conf' : 'ipf6.conf' } as const;
  let decision: Decision;
  if (entries.length > 0) {
    // the first line that matches: the first entry in the file's order
    const first = entries.reduce((a, b) => (compareEntries(a, b) <= 0 ? a : b));
    decision = { ...base, verdict: first.rule.parsed.action, by: 'rule', rule: first.rule, matched: first.match, notes: ah };
  } else {
    const notes = [...ah, ...unwritten.map((r) => priorityZeroNote(r, p))];
    const line = fallbackLine(p);
    decision = line === undefined
      ? { ...base, verdict: 'allow', by: 'default', notes }
      : { ...base, verdict: line.startsWith('pass') ? 'allow' : 'block', by: 'fallback', fallback: line, notes };
  }
  const reply = replyOf(input, vm, decision);
  return reply === undefined ? decision : { ...decision, reply };
}

/**
 * The replies of an allowed exchange (docs/ipf.md "Line format", `<keep>`):
 * every outbound line that passes keeps state, and so do the outbound
 * fallbacks; an inbound line keeps state when the VM is on the FROM side of
 * a BLOCK rule of the protocol, and otherwise no outbound line of the
 * protocol can block the replies. Outbound ah and esp, passed by no line,
 * keep no state: their replies are inbound packets like any other.
 */
function replyOf(input: CompileInput, vm: FwVm, d: Decision): ReplyDecision | undefined {
  const p = d.packet;
  if (d.verdict === 'block' || !hasReplies(p)) return undefined;
  if (p.direction === 'out') {
    if (d.by !== 'default') return { verdict: 'allow', by: 'state' };
    const back = explain(input, vm.uuid, { ...p, direction: 'in' });
    return { verdict: back.verdict, by: 'rules' };
  }
  return { verdict: 'allow', by: d.by === 'rule' && inboundKeepsState(input, vm, p.protocol) ? 'state' : 'rules' };
}
