/**
 * The nftables back end of the firewall: a VM's ipf.conf and ipf6.conf
 * (as the compiler writes them, read strictly by ./ipf-lines.ts) turned
 * into one `inet` table, `fwadm`, that filters the VM's own network
 * namespace with the same meaning (docs/ipf.md "The nftables back end
 * (linux host)"). Pure: no I/O.
 *
 * What a file means, and how it is kept here:
 *
 * - ipf takes, per direction, the first matching `quick` line; when none
 *   matches, the last matching other line; when none, the packet passes.
 *   So each chain holds the quick lines in file order, then the others in
 *   reverse order, each ending the chain's walk (accept or drop); the
 *   policy is accept. ipf.conf filters IPv4 only and ipf6.conf IPv6 only:
 *   every rule names its family, so the two files' rules share the chains.
 * - `keep state`: a packet a line with `keep state` passes starts a state
 *   entry; packets of that connection (and ICMP errors about it) then pass
 *   both ways before any line is read. Here: such a line sets conntrack
 *   mark 1, and each chain begins with
 *   `ct state established,related ct mark 1 accept`. Connections no
 *   `keep state` line passed are read against the lines every packet.
 * - Loopback traffic is not filtered (ipf in a zone does not see lo0).
 * - Each file's quick lines of one direction fall into runs: lines of
 *   entries (`# rule=...`) next to one another that give the same verdict
 *   (action, keep state, log). Within a run, whichever line matches first
 *   the packet gets the same verdict, so the lines of a run are kept in
 *   any order: those that name the packet exactly (a peer address, a
 *   port, an ICMP type and code: any of them) are elements of one named
 *   set per shape (`in4_0_tcp_addr_port`: inbound IPv4, the first run,
 *   `ip saddr . tcp dport`), one rule looking the set up; the others (a
 *   CIDR, a port range, nothing to key on) are rules of their own. So a
 *   tag or VM change is a change of set elements, not of rules, and a
 *   thousand rules are a few sets. A line whose element another line of
 *   the run already is goes to a second set of that shape (`..._1`), so
 *   each line keeps its own counter.
 * - Lines outside entries (the fallbacks, the IPv6 essentials) are rules of
 *   their own, in their place.
 * - IPv6 AH: ipf skips AH as an extension header (docs/ipf.md "IPv6 AH");
 *   here a `proto ah` line of ipf6.conf matches a packet whose first header
 *   after IPv6 is AH (`ip6 nexthdr ah`): the rule's written meaning.
 * - `set-tag(...)` (event-logging hosts) is read and has no effect here.
 *
 * Every set counts per element and every rule of its own has a counter and
 * a comment naming it (`i<hash>`), so the hits of each ipf line can be read
 * back (`fwadm stats`).
 */
import { createHash } from 'node:crypto';
import type { Family } from '../net/address';
import { Memo } from '../memo';
import { readIpf, type IpfLine } from './ipf-lines';

/** The table each VM's namespace holds. */
export const FW_TABLE = 'fwadm';

/**
 * The table's set naming its rules: one element, the id of the skeleton it
 * was loaded with (`ifname`: a string of at most 15 characters), so that a
 * set change checks, in its own transaction, that the rules there are its.
 */
export const RULES_ID = 'rules_id';

/** A named set (one family, one key shape), by name. */
export interface NftSet {
  readonly name: string;
  /** Its nft key type (`ipv4_addr . inet_service`). */
  readonly type: string;
  /** It holds networks or ranges (`flags interval`). */
  readonly interval: boolean;
  /** Its elements as nft writes them (`192.0.2.7 . 80`), sorted, no duplicates. */
  readonly elements: readonly string[];
}

/** Where the hits of one ipf line are read. */
export interface LineCounter {
  readonly family: Family;
  readonly dir: 'in' | 'out';
  /** The line as written. */
  readonly text: string;
  /** The comment of the nft rule the line is (part of): its set's name for a line that is an element. */
  readonly rule: string;
  /** For a line that is a set element: that element, whose counter is its hits. */
  readonly element?: string;
}

export interface NftFirewall {
  /** The table's text with no set elements: what a set change leaves as it is. */
  readonly skeleton: string;
  /** The id of the skeleton (15 hex digits of its sha256), the one element of the table's set `rules_id`. */
  readonly id: string;
  readonly sets: readonly NftSet[];
  /** Each rule line of ipf.conf, then of ipf6.conf, in file order. */
  readonly lines: readonly LineCounter[];
}

const hash = (s: string, n = 12): string => createHash('sha256').update(s).digest('hex').slice(0, n);

/**
 * The rules of lines of their own, by family, text and which of the lines
 * with that text: every VM's files have the same fallbacks, and a load of
 * fifty VMs' files makes each once.
 */
const ownRules = new Memo<string, { id: string; text: string }>(20000);

/** What a set rule is, the same for every line of its shape (its family, direction, protocol, which parts it names). */
interface Shape {
  /** The rule's match without the set (`meta nfproto ipv4 tcp flags & (syn | ack) == syn`). */
  readonly match: string;
  /** The packet's parts the set is looked up by (`ip saddr . tcp dport`). */
  readonly lookup: string;
  /** The set's key type (`ipv4_addr . inet_service`), and whether it holds networks or ranges. */
  readonly type: string;
  readonly interval: boolean;
  /**
   * The set name's middle: what the key holds (`tcp_addr_port`), and for a
   * set of networks or ranges the peer's prefix length (`tcp_addr_port_i48`;
   * `_i0`: no address): two networks of one length never overlap, so
   * elements of one such set overlap only when they have the same network
   * and ranges that meet, which nft refuses.
   */
  readonly slug: string;
}

/**
 * A line's key in a set: the parts of the packet it names (the peer's
 * address or network, the port or port range, the ICMP type and code),
 * with its set's shape; undefined for a line that names none of them,
 * which is a rule of its own.
 */
interface Keyed {
  readonly shape: Shape;
  /** The element (`192.0.2.7 . 80`, `2001:db8:100::/48 . 1000-1010`). */
  readonly element: string;
  /** The element but for its port: elements overlap when this is the same and their ports meet. */
  readonly rest: string;
  readonly ports: readonly [number, number];
}

/** A port or range as nft writes it (`80`, `1000-2000`). */
const portText = (p: { start: number; end: number }): string => (p.start === p.end ? String(p.start) : `${p.start}-${p.end}`);

const nfproto = (family: Family): string => `meta nfproto ${family === 4 ? 'ipv4' : 'ipv6'}`;

/** What a line matches beside the parts a key could hold: its protocol, SYN-only. */
function protoMatch(l: IpfLine, family: Family, keyed: { port: boolean; icmp: boolean }): string[] {
  switch (l.proto) {
    case 'tcp':
    case 'udp':
      if (l.synOnly) return ['tcp flags & (syn | ack) == syn'];
      return keyed.port ? [] : [`meta l4proto ${l.proto}`];
    case 'icmp':
    case 'ipv6-icmp':
      return keyed.icmp ? [] : [`meta l4proto ${l.proto}`];
    case 'esp':
      return ['meta l4proto esp'];
    case 'ah':
      return [family === 4 ? 'meta l4proto ah' : 'ip6 nexthdr ah'];
    default:
      return [];
  }
}

/** The shapes made so far, by what the line names (a few hundred at most). */
const shapes = new Map<number, Shape>();
const PROTOS = [undefined, 'tcp', 'udp', 'icmp', 'ipv6-icmp', 'ah', 'esp'];

function shapeOf(l: IpfLine, prefix: number, interval: boolean): Shape {
  // what the shape depends on, as one number (lines are many: no string made per line)
  let sig = PROTOS.indexOf(l.proto);
  sig = sig * 2 + (l.family === 6 ? 1 : 0);
  sig = sig * 2 + (l.dir === 'in' ? 1 : 0);
  sig = sig * 2 + (l.synOnly ? 1 : 0);
  sig = sig * 2 + (l.peer !== undefined ? 1 : 0);
  sig = sig * 2 + (l.port !== undefined ? 1 : 0);
  sig = sig * 2 + (l.icmp !== undefined ? 1 : 0);
  sig = sig * 2 + (l.icmp?.code !== undefined ? 1 : 0);
  sig = sig * 256 + (interval ? prefix + 1 : 0);
  let shape = shapes.get(sig);
  if (shape) return shape;
  const f = l.family;
  const parts: Array<{ lookup: string; type: string; slug: string }> = [];
  if (l.peer !== undefined) parts.push({ lookup: `${f === 4 ? 'ip' : 'ip6'} ${l.dir === 'in' ? 'saddr' : 'daddr'}`, type: f === 4 ? 'ipv4_addr' : 'ipv6_addr', slug: 'addr' });
  if (l.port) parts.push({ lookup: `${l.proto} dport`, type: 'inet_service', slug: 'port' });
  if (l.icmp) {
    const kw = l.proto === 'icmp' ? 'icmp' : 'icmpv6';
    parts.push({ lookup: `${kw} type`, type: `${kw}_type`, slug: 'type' });
    if (l.icmp.code !== undefined) parts.push({ lookup: `${kw} code`, type: `${kw}_code`, slug: 'code' });
  }
  shape = {
    match: [nfproto(f), ...protoMatch(l, f, { port: l.port !== undefined, icmp: l.icmp !== undefined })].join(' '),
    lookup: parts.map((p) => p.lookup).join(' . '),
    type: parts.map((p) => p.type).join(' . '),
    interval,
    slug: [(l.proto ?? 'all').replace('ipv6-icmp', 'icmp6'), ...(l.synOnly ? ['syn'] : []), ...parts.map((p) => p.slug), ...(interval ? [`i${prefix}`] : [])].join('_'),
  };
  shapes.set(sig, shape);
  return shape;
}

function keyOf(l: IpfLine): Keyed | undefined {
  if (l.peer === undefined && l.port === undefined && l.icmp === undefined) return undefined;
  const full = l.family === 4 ? 32 : 128;
  // the address (a network of the full length is its address, as nft writes it back), the ICMP type and code
  let rest = '';
  let prefix = 0;
  if (l.peer !== undefined) {
    const slash = l.peer.indexOf('/');
    prefix = slash < 0 ? full : Number(l.peer.slice(slash + 1));
    rest = prefix === full && slash >= 0 ? l.peer.slice(0, slash) : l.peer;
  }
  if (l.icmp) {
    rest += `${rest === '' ? '' : ' . '}${l.icmp.type}`;
    if (l.icmp.code !== undefined) rest += ` . ${l.icmp.code}`;
  }
  const interval = (l.peer !== undefined && prefix < full) || (l.port !== undefined && l.port.start < l.port.end);
  let element = rest;
  if (l.port) element = rest === '' ? portText(l.port) : `${rest} . ${portText(l.port)}`;
  return { shape: shapeOf(l, prefix, interval), element, rest, ports: l.port ? [l.port.start, l.port.end] : [0, 0] };
}

/** The whole match of a line that is a rule of its own. */
function matchText(l: IpfLine): string {
  const f = l.family;
  const parts = [nfproto(f)];
  if ((l.proto === 'tcp' || l.proto === 'udp') && l.port) {
    parts.push(`${l.proto} dport ${portText(l.port)}`);
    if (l.synOnly) parts.push('tcp flags & (syn | ack) == syn');
  } else if ((l.proto === 'icmp' || l.proto === 'ipv6-icmp') && l.icmp) {
    const kw = l.proto === 'icmp' ? 'icmp' : 'icmpv6';
    parts.push(`${kw} type ${l.icmp.type}` + (l.icmp.code !== undefined ? ` ${kw} code ${l.icmp.code}` : ''));
  } else parts.push(...protoMatch(l, f, { port: false, icmp: false }));
  if (l.peer !== undefined) parts.push(`${f === 4 ? 'ip' : 'ip6'} ${l.dir === 'in' ? 'saddr' : 'daddr'} ${l.peer}`);
  return parts.join(' ');
}

function verdictText(l: IpfLine): string {
  if (l.action === 'block') return 'drop';
  return l.state ? 'ct mark set 1 accept' : 'accept';
}

/**
 * Translate a VM's two files. Throws an IpfSyntaxError (one line) for any
 * line outside the subset the compiler writes.
 */
export function translate(ipf: string, ipf6: string): NftFirewall {
  const files: Array<[Family, IpfLine[]]> = [[4, readIpf(ipf, 4)], [6, readIpf(ipf6, 6)]];
  const where = new Map<IpfLine, { rule: string; element?: string }>();
  const sets: NftSet[] = [];
  const idSeen = new Map<string, number>();

  /** A line as a rule of its own, named by its text (and which of the lines with that text it is). */
  const ownRule = (l: IpfLine): string => {
    const key = `${l.family} ${l.text}`;
    const seen = idSeen.get(key) ?? 0;
    idSeen.set(key, seen + 1);
    const name = `${key} ${seen}`;
    const rule = ownRules.get(name, () => {
      const id = `i${hash(name)}`;
      return { id, text: `${matchText(l)} counter ${verdictText(l)} comment "${id}"` };
    });
    where.set(l, { rule: rule.id });
    return rule.text;
  };

  /**
   * A run's rules: its keyed lines as one rule per set (a set per shape;
   * a line whose element meets one already there, the same element or an
   * overlapping range of the same network, goes to the next set of that
   * shape: nft refuses overlaps, and each line keeps its own counter), in
   * name order, then its other lines in file order.
   */
  const runRules = (run: IpfLine[], name: string): string[] => {
    // per shape, its sets: each the ports of its elements by the rest of the element
    const groups = new Map<string, { shape: Shape; verdict: string; buckets: Array<{ ports: Map<string, Array<readonly [number, number]>>; elements: string[] }> }>();
    const own: IpfLine[] = [];
    const meets = (a: readonly [number, number], b: readonly [number, number]): boolean => a[0] <= b[1] && b[0] <= a[1];
    for (const l of run) {
      const key = keyOf(l);
      if (!key) {
        own.push(l);
        continue;
      }
      let group = groups.get(key.shape.slug);
      if (!group) groups.set(key.shape.slug, (group = { shape: key.shape, verdict: verdictText(l), buckets: [] }));
      let b = group.buckets.findIndex((s) => !(s.ports.get(key.rest) ?? []).some((p) => meets(p, key.ports)));
      if (b < 0) b = group.buckets.push({ ports: new Map(), elements: [] }) - 1;
      const bucket = group.buckets[b];
      const ports = bucket.ports.get(key.rest);
      if (ports) ports.push(key.ports);
      else bucket.ports.set(key.rest, [key.ports]);
      bucket.elements.push(key.element);
      where.set(l, { rule: `${name}_${key.shape.slug}${b > 0 ? `_${b}` : ''}`, element: key.element });
    }
    const setRules: Array<[string, string]> = [];
    for (const { shape, verdict, buckets } of groups.values()) {
      buckets.forEach(({ elements }, b) => {
        const set = `${name}_${shape.slug}${b > 0 ? `_${b}` : ''}`;
        sets.push({ name: set, type: shape.type, interval: shape.interval, elements: elements.sort() });
        setRules.push([set, `${shape.match} ${shape.lookup} @${set} ${verdict} comment "${set}"`]);
      });
    }
    setRules.sort((a, b) => (a[0] < b[0] ? -1 : 1));
    return [...setRules.map((r) => r[1]), ...own.map(ownRule)];
  };

  const chain = (dir: 'in' | 'out'): string[] => {
    const quick: string[] = [];
    const later: string[] = [];
    for (const [family, lines] of files) {
      let run: IpfLine[] = [];
      let runs = 0;
      const sameVerdict = (a: IpfLine, b: IpfLine): boolean => a.action === b.action && a.state === b.state && a.log === b.log;
      const flush = (): void => {
        if (run.length > 0) quick.push(...runRules(run, `${dir}${family}_${runs++}`));
        run = [];
      };
      for (const l of lines) {
        if (l.dir !== dir) continue;
        if (!l.quick) later.push(ownRule(l));
        else if (l.entryIndex < 0) {
          flush();
          quick.push(ownRule(l));
        } else {
          if (run.length > 0 && !sameVerdict(run[0], l)) flush();
          run.push(l);
        }
      }
      flush();
    }
    return [...quick, ...later.reverse()];
  };

  const chainText = (name: string, hook: 'input' | 'output', rules: string[]): string =>
    [
      `  chain ${name} {`,
      `    type filter hook ${hook} priority filter; policy accept;`,
      `    ${hook === 'input' ? 'iif' : 'oif'} "lo" accept`,
      '    ct state established,related ct mark 1 accept',
      ...rules.map((r) => `    ${r}`),
      '  }',
    ].join('\n');

  const input = chainText('input', 'input', chain('in'));
  const output = chainText('output', 'output', chain('out'));
  sets.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const skeleton = [
    `table inet ${FW_TABLE} {`,
    `  set ${RULES_ID} { type ifname; }`,
    ...sets.map((s) => `  set ${s.name} { type ${s.type};${s.interval ? ' flags interval;' : ''} counter; }`),
    input,
    output,
    '}',
    '',
  ].join('\n');

  const lines: LineCounter[] = files.flatMap(([, ls]) =>
    ls.map((l) => {
      const r = where.get(l) as { rule: string; element?: string };
      return { family: l.family, dir: l.dir, text: l.text, rule: r.rule, ...(r.element !== undefined ? { element: r.element } : {}) };
    }),
  );
  return { skeleton, id: hash(skeleton, 15), sets, lines };
}

const elementsOf = (fw: NftFirewall): string =>
  fw.sets
    .filter((s) => s.elements.length > 0)
    .map((s) => `add element inet ${FW_TABLE} ${s.name} { ${s.elements.join(', ')} }\n`)
    .join('');

/**
 * The nft script that makes the table `fw` whatever is loaded now (none,
 * or another): one transaction, so the namespace is never unfiltered and
 * never half-loaded; a failure leaves what was loaded.
 */
export function fullScript(fw: NftFirewall): string {
  return `add table inet ${FW_TABLE}\ndelete table inet ${FW_TABLE}\n${fw.skeleton}add element inet ${FW_TABLE} ${RULES_ID} { "${fw.id}" }\n${elementsOf(fw)}`;
}

/**
 * The nft script that gives the table loaded the elements of `fw`'s sets,
 * keeping its rules (and the table: same handle): refused whole, leaving
 * what is loaded, unless that table's rules are `fw`'s (its `rules_id`
 * holds `fw.id`). Each set is emptied and filled again, its counters with
 * it, as SmartOS's ipf starts its hit counts again at each reload.
 */
export function setsScript(fw: NftFirewall): string {
  const check = `delete element inet ${FW_TABLE} ${RULES_ID} { "${fw.id}" }\nadd element inet ${FW_TABLE} ${RULES_ID} { "${fw.id}" }\n`;
  return check + fw.sets.map((s) => `flush set inet ${FW_TABLE} ${s.name}\n`).join('') + elementsOf(fw);
}

/** The nft script that removes the table if it is there (a stopped firewall). */
export function dropScript(): string {
  return `add table inet ${FW_TABLE}\ndelete table inet ${FW_TABLE}\n`;
}

/**
 * `<hits> <line>` per rule line, outbound lines first then inbound
 * (ipfstat -hoi's shape), IPv4 before IPv6, from the counters of the
 * loaded table: `rules` (comment → packets), `elements` (set name →
 * canonical element → packets).
 */
export function statsText(
  fw: NftFirewall,
  rules: ReadonlyMap<string, number>,
  elements: ReadonlyMap<string, ReadonlyMap<string, number>>,
): string {
  const hits = (l: LineCounter): number =>
    l.element !== undefined ? (elements.get(l.rule)?.get(l.element) ?? 0) : (rules.get(l.rule) ?? 0);
  const out = fw.lines.filter((l) => l.dir === 'out');
  const inb = fw.lines.filter((l) => l.dir === 'in');
  return [...out, ...inb].map((l) => `${hits(l)} ${l.text}\n`).join('');
}
