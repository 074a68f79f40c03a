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
 * - Entries naming VMs (a tag, a VM, all vms): the lines of every entry
 *   with the same comment and the same line (but for the address) are one
 *   rule per family looking the address up in a named set
 *   (`u<hash>_4`, `u<hash>_6`, counters per element), so a tag or VM
 *   change is a change of set elements, not of rules. Such entries are
 *   next to one another in the file and give the same verdict, so one rule
 *   in the place of the first is the same filter. Within a run of entry
 *   rules with the same verdict, rules are in name order: which entry
 *   comes first there depends on addresses alone, and the order of rules
 *   that all pass (or all block) changes no verdict. A TCP/UDP/AH/ESP
 *   unit has both families' rules even when one family's set is empty.
 * - Other lines (`any`, `ip=`, `subnet=` entries, the fallbacks) are one
 *   rule each, with their address written in the rule.
 * - IPv6 AH: ipf skips AH as an extension header (docs/ipf.md "IPv6 AH");
 *   here a `proto ah` line of ipf6.conf matches a packet whose first header
 *   after IPv6 is AH (`ip6 nexthdr ah`): the rule's written meaning.
 * - `set-tag(...)` (event-logging hosts) is read and has no effect here.
 *
 * Every rule has a counter and a comment naming it (its set's name, or
 * `i<hash>` for a line of its own), so the hits of each ipf line can be
 * read back (`fwadm stats`): a set rule's line from its element's counter.
 */
import { createHash } from 'node:crypto';
import type { Family } from '../net/address';
import { readIpf, type IpfLine } from './ipf-lines';

/** The table each VM's namespace holds. */
export const FW_TABLE = 'fwadm';

/** A named set of addresses (one family), by name. */
export interface NftSet {
  readonly name: string;
  readonly family: Family;
  readonly interval: boolean;
  /** Canonical addresses (or CIDRs), sorted, no duplicates. */
  readonly elements: readonly string[];
}

/** Where the hits of one ipf line are read. */
export interface LineCounter {
  readonly family: Family;
  readonly dir: 'in' | 'out';
  /** The line as written. */
  readonly text: string;
  /** The comment of the nft rule the line is part of. */
  readonly rule: string;
  /** For a line folded into a set rule: its address, whose element counter is its hits. */
  readonly element?: string;
}

export interface NftFirewall {
  /** The table's text with no set elements: what a set change leaves as it is. */
  readonly skeleton: string;
  readonly sets: readonly NftSet[];
  /** Each rule line of ipf.conf, then of ipf6.conf, in file order. */
  readonly lines: readonly LineCounter[];
}

const hash = (s: string, n = 12): string => createHash('sha256').update(s).digest('hex').slice(0, n);

/** The line with its address taken out: what every line of a unit shares. */
function template(l: IpfLine): string {
  return [l.action, l.dir, l.quick, l.proto ?? '', l.port ? `${l.port.start}:${l.port.end}` : '', l.icmp ? `${l.icmp.type}/${l.icmp.code ?? ''}` : '', l.synOnly, l.state, l.log].join(' ');
}

/** `# rule=..., ip=<addr>` / `subnet=<cidr>` / `wildcard=any`: one address or none, written in the rule. */
const INLINE_ENTRY = /, (?:ip|subnet)=[0-9A-Fa-f.:/]+$|, wildcard=any$/;

/** Protocols whose lines go to both files (icmp and ipv6-icmp to one each). */
function dual(l: IpfLine): boolean {
  return l.proto === 'tcp' || l.proto === 'udp' || l.proto === 'ah' || l.proto === 'esp';
}

interface Item {
  /** Its nft rule(s): one per family. */
  readonly rules: Array<{ readonly family: Family; readonly text: string; readonly id: string }>;
  /** An entry's rule (reordered within a run of the same verdict) or a fallback (never). */
  readonly entry: boolean;
  /** What it does to a packet it matches: action, state, log. */
  readonly verdict: string;
  /** Its order within a run. */
  readonly sortName: string;
  readonly dir: 'in' | 'out';
}

/** The match part of a rule for a line's shape in `family` (without its address). */
function matchText(l: IpfLine, family: Family): string {
  const parts = [`meta nfproto ${family === 4 ? 'ipv4' : 'ipv6'}`];
  switch (l.proto) {
    case 'tcp':
    case 'udp':
      if (l.port) parts.push(`${l.proto} dport ${l.port.start === l.port.end ? l.port.start : `${l.port.start}-${l.port.end}`}`);
      else if (l.synOnly) parts.push('tcp flags & (syn | ack) == syn');
      else parts.push(`meta l4proto ${l.proto}`);
      break;
    case 'icmp':
    case 'ipv6-icmp': {
      const kw = l.proto === 'icmp' ? 'icmp' : 'icmpv6';
      if (l.icmp) parts.push(`${kw} type ${l.icmp.type}` + (l.icmp.code !== undefined ? ` ${kw} code ${l.icmp.code}` : ''));
      else parts.push(`meta l4proto ${l.proto}`);
      break;
    }
    case 'esp':
      parts.push('meta l4proto esp');
      break;
    case 'ah':
      parts.push(family === 4 ? 'meta l4proto ah' : 'ip6 nexthdr ah');
      break;
    default:
      break;
  }
  return parts.join(' ');
}

function verdictText(l: IpfLine): string {
  if (l.action === 'block') return 'drop';
  return l.state ? 'ct mark set 1 accept' : 'accept';
}

function peerMatch(l: IpfLine, family: Family, what: string): string {
  return `${family === 4 ? 'ip' : 'ip6'} ${l.dir === 'in' ? 'saddr' : 'daddr'} ${what}`;
}

/**
 * Translate a VM's two files. Throws an IpfSyntaxError (one line) for any
 * line outside the subset the compiler writes.
 */
export function translate(ipf: string, ipf6: string): NftFirewall {
  const v4 = readIpf(ipf, 4);
  const v6 = readIpf(ipf6, 6);
  // units: set rules, by key; their sets' elements per family
  const units = new Map<string, { name: string; line: IpfLine; elements: Map<Family, Set<string>>; interval: boolean }>();
  const inlineSeen = new Map<string, number>();
  const lineRule = new Map<IpfLine, { rule: string; element?: string }>();
  const items: Item[] = [];
  const usedNames = new Set<string>();

  const unitOf = (l: IpfLine): boolean => l.entry !== undefined && l.peer !== undefined && !INLINE_ENTRY.test(l.entry);

  // lines in one order for both files: entry by entry (IPv4 lines, then IPv6), then the fallbacks
  const ordered = [...v4, ...v6].sort((a, b) => {
    const ea = a.entryIndex < 0 ? Infinity : a.entryIndex;
    const eb = b.entryIndex < 0 ? Infinity : b.entryIndex;
    return ea - eb || a.family - b.family || a.lineNo - b.lineNo;
  });

  for (const l of ordered) {
    const verdict = `${l.action} ${l.state} ${l.log}`;
    if (unitOf(l)) {
      const key = `${l.entry}\n${template(l)}`;
      let u = units.get(key);
      if (!u) {
        let name = `u${hash(key)}`;
        for (let n = 16; usedNames.has(name); n += 4) name = `u${hash(key, n)}`;
        usedNames.add(name);
        u = { name, line: l, elements: new Map([[4, new Set()], [6, new Set()]]), interval: l.peerIsCidr };
        units.set(key, u);
        const families: Family[] = dual(l) ? [4, 6] : [l.family];
        const unitName = name;
        items.push({
          rules: families.map((f) => ({
            family: f,
            id: `${unitName}_${f}`,
            text: `${matchText(l, f)} ${peerMatch(l, f, `@${unitName}_${f}`)} counter ${verdictText(l)} comment "${unitName}_${f}"`,
          })),
          entry: true,
          verdict,
          sortName: name,
          dir: l.dir,
        });
      }
      u.elements.get(l.family)?.add(l.peer as string);
      lineRule.set(l, { rule: `${u.name}_${l.family}`, element: l.peer });
      continue;
    }
    // a line of its own, named by its text (and which of the lines with that text it is)
    const seen = inlineSeen.get(`${l.family} ${l.text}`) ?? 0;
    inlineSeen.set(`${l.family} ${l.text}`, seen + 1);
    const id = `i${hash(`${l.family} ${l.text} ${seen}`)}`;
    const match = matchText(l, l.family) + (l.peer !== undefined ? ` ${peerMatch(l, l.family, l.peer)}` : '');
    lineRule.set(l, { rule: id });
    if (l.quick) {
      items.push({ rules: [{ family: l.family, id, text: `${match} counter ${verdictText(l)} comment "${id}"` }], entry: l.entryIndex >= 0, verdict, sortName: id, dir: l.dir });
    } else {
      // not quick: read last, so they go after every quick line, in reverse order (below)
      items.push({ rules: [{ family: l.family, id, text: `${match} counter ${verdictText(l)} comment "${id}"` }], entry: false, verdict: 'later', sortName: id, dir: l.dir });
    }
  }

  const chain = (dir: 'in' | 'out'): string[] => {
    const mine = items.filter((i) => i.dir === dir);
    const quick = mine.filter((i) => i.verdict !== 'later');
    const later = mine.filter((i) => i.verdict === 'later').reverse();
    // runs of entry rules with one verdict: in name order
    const out: Item[] = [];
    let run: Item[] = [];
    const flush = (): void => {
      run.sort((a, b) => (a.sortName < b.sortName ? -1 : a.sortName > b.sortName ? 1 : 0));
      out.push(...run);
      run = [];
    };
    for (const it of quick) {
      if (!it.entry) {
        flush();
        out.push(it);
        continue;
      }
      if (run.length > 0 && run[0].verdict !== it.verdict) flush();
      run.push(it);
    }
    flush();
    return [...out, ...later].flatMap((i) => i.rules.map((r) => r.text));
  };

  const sets: NftSet[] = [];
  for (const u of units.values()) {
    const families: Family[] = dual(u.line) ? [4, 6] : [u.line.family];
    for (const f of families) {
      sets.push({ name: `${u.name}_${f}`, family: f, interval: u.interval, elements: [...(u.elements.get(f) ?? [])].sort() });
    }
  }
  sets.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const chainText = (name: string, hook: 'input' | 'output', rules: string[]): string =>
    [
      `  chain ${name} {`,
      `    type filter hook ${hook} priority filter; policy accept;`,
      `    ${hook === 'input' ? 'iif' : 'oif'} "lo" accept`,
      '    ct state established,related ct mark 1 accept',
      ...rules.map((r) => `    ${r}`),
      '  }',
    ].join('\n');

  const skeleton = [
    `table inet ${FW_TABLE} {`,
    ...sets.map((s) => `  set ${s.name} { type ${s.family === 4 ? 'ipv4_addr' : 'ipv6_addr'};${s.interval ? ' flags interval;' : ''} counter; }`),
    chainText('input', 'input', chain('in')),
    chainText('output', 'output', chain('out')),
    '}',
    '',
  ].join('\n');

  const lines: LineCounter[] = [...v4, ...v6].map((l) => {
    const r = lineRule.get(l) as { rule: string; element?: string };
    return { family: l.family, dir: l.dir, text: l.text, rule: r.rule, ...(r.element !== undefined ? { element: r.element } : {}) };
  });
  return { skeleton, sets, lines };
}

/**
 * The `nft -f` text that makes the table `fw` whatever is loaded now (none,
 * or another): one transaction, so the namespace is never unfiltered and
 * never half-loaded; a failure leaves what was loaded.
 */
export function fullScript(fw: NftFirewall): string {
  const elements = fw.sets.filter((s) => s.elements.length > 0).map((s) => `add element inet ${FW_TABLE} ${s.name} { ${s.elements.join(', ')} }\n`);
  return `add table inet ${FW_TABLE}\ndelete table inet ${FW_TABLE}\n${fw.skeleton}${elements.join('')}`;
}

/**
 * The `nft -f` text that turns the sets of a loaded table whose skeleton
 * is `fw`'s, holding `loaded` (set name → elements), into `fw`'s: element
 * additions and deletions only ('' when there is nothing to change).
 */
export function elementScript(fw: NftFirewall, loaded: Readonly<Record<string, readonly string[]>>): string {
  const out: string[] = [];
  for (const s of fw.sets) {
    const had = new Set(loaded[s.name] ?? []);
    const want = new Set(s.elements);
    const add = s.elements.filter((e) => !had.has(e));
    const del = [...had].filter((e) => !want.has(e));
    if (add.length > 0) out.push(`add element inet ${FW_TABLE} ${s.name} { ${add.join(', ')} }\n`);
    if (del.length > 0) out.push(`delete element inet ${FW_TABLE} ${s.name} { ${del.join(', ')} }\n`);
  }
  return out.join('');
}

/** The `nft -f` text that removes the table if it is there (a stopped firewall). */
export function dropScript(): string {
  return `add table inet ${FW_TABLE}\ndelete table inet ${FW_TABLE}\n`;
}

/** A set's elements as a record (what a host keeps of what it loaded). */
export function setContents(fw: NftFirewall): Record<string, string[]> {
  return Object.fromEntries(fw.sets.map((s) => [s.name, [...s.elements]]));
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
