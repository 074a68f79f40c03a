/**
 * The firewall compiler: rules and VMs in, each firewall-enabled VM's
 * ipf.conf and ipf6.conf out, as SmartOS fwadm writes them
 * (docs/ipf.md). Pure: no I/O.
 *
 * Each enabled rule side is expanded once into entries (comment + lines
 * without their keep clause); every VM on the opposite side shares them.
 * A VM's files are its entries sorted, each entry's lines rendered once per
 * keep clause and reused by every VM that gets them.
 */
import type { FwRule, Protocol, ProtocolName, Target } from '../fwrule/types';
import type { IPAddress } from '../net/address';
import type { CompileInput, CompileOptions, FwVm, VmFilePieces, VmFiles } from './model';
import {
  FALLBACKS_V4, FALLBACKS_V6, IPV6_ESSENTIAL_TYPES, eventLogClause, headerText, keepClause, lineAddresses, linePrefix,
  lineTargets, protocolFamilies, ruleComment, type Direction,
} from './render';
import { addressSortKey, ruleSortKey } from './sort';
import { VmIndex } from './vm-index';

interface Entry {
  readonly key: string;
  readonly seq: number;
  readonly rule: FwRule;
  readonly dir: Direction;
  readonly comment: string;
  readonly v4: readonly string[];
  readonly v6: readonly string[];
  /** Written to ipf6.conf only, not even its comment to ipf.conf. */
  readonly v6Only: boolean;
  /** Rendered blocks, comment and lines: [v4, v4 + state, v6, v6 + state]. */
  readonly blocks: Array<string | undefined>;
}

/** An address or subnet as a line names it. */
type LineAddress = Pick<IPAddress, 'family' | 'text' | 'key'>;

/** What one side of a rule names, for lines written on the other side. */
interface SideTarget {
  readonly type: string;
  readonly value: string;
  /** undefined: `any`. */
  readonly addresses?: readonly LineAddress[];
}

function byText<T extends { text: string }>(items: readonly T[]): T[] {
  const seen = new Map<string, T>();
  for (const it of items) if (!seen.has(it.text)) seen.set(it.text, it);
  return [...seen.values()].sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
}

/**
 * Whether a priority-0 inbound BLOCK still needs its lines: an icmp6 rule
 * naming a message the IPv6 essentials let in (docs/ipf.md "IPv6
 * essentials"). The default does not block those, and an explicit BLOCK
 * must win over the essentials; its lines go to ipf6.conf alone, so that
 * ipf.conf stays SmartOS's.
 */
function blocksEssentials(p: Protocol): boolean {
  return p.name === 'icmp6' && (p.types === 'all' || p.types.some((t) => IPV6_ESSENTIAL_TYPES.includes(t.type)));
}

/** The other side's targets in generation order: any, ips, subnets, VMs. */
function sideTargets(rule: FwRule, side: readonly Target[], index: VmIndex): SideTarget[] {
  const out: SideTarget[] = [];
  if (side.some((t) => t.kind === 'any')) out.push({ type: 'wildcard', value: 'any' });
  const ips = byText(side.flatMap((t) => (t.kind === 'ip' ? [t.address] : [])));
  for (const a of ips) out.push({ type: 'ip', value: a.text, addresses: [a] });
  const subnets = byText(side.flatMap((t) => (t.kind === 'subnet' ? [t.cidr] : [])));
  for (const c of subnets) {
    const { family, key } = c.address;
    out.push({ type: 'subnet', value: c.text, addresses: [{ family, key, text: c.text }] });
  }
  for (const m of index.matchSide(rule, side, false)) {
    if (m.vm.addresses.length > 0) out.push({ type: m.type, value: m.value, addresses: m.vm.addresses });
  }
  return out;
}

class Compiler {
  private seq = 0;
  private readonly index: VmIndex;
  /** Enabled local VMs: the entry groups they get, in generation order. */
  private readonly groups = new Map<string, Entry[][]>();
  /** Protocols of enabled BLOCK rules each VM is on the FROM side of. */
  private readonly blockedFrom = new Map<string, Set<ProtocolName>>();
  private readonly header: string;

  constructor(
    private readonly input: CompileInput,
    private readonly opts: CompileOptions,
  ) {
    this.index = new VmIndex(input.vms, input.remoteVms);
    for (const vm of input.vms) if (vm.firewallEnabled) this.groups.set(vm.uuid, []);
    this.header = headerText(opts.date, opts.eventLog);
  }

  /** Each VM's files, made when asked for: only one VM's pieces are held at a time. */
  *run(): Generator<VmFilePieces> {
    for (const rule of this.input.rules) if (rule.enabled) this.addRule(rule);
    for (const vm of this.input.vms) if (vm.firewallEnabled) yield this.render(vm);
  }

  private addRule(rule: FwRule): void {
    const { from, to, action, priority, protocol } = rule.parsed;
    const fromVms = this.localVms(rule, from);
    const toVms = this.localVms(rule, to);
    if (action === 'block') {
      for (const vm of fromVms) {
        let set = this.blockedFrom.get(vm.uuid);
        if (!set) this.blockedFrom.set(vm.uuid, (set = new Set()));
        set.add(protocol.name);
      }
    }
    // priority 0: outbound ALLOW and inbound BLOCK are the default policy,
    // but for the messages the IPv6 essentials let in
    if (fromVms.length > 0 && !(priority === 0 && action === 'allow')) {
      this.give(fromVms, this.entries(rule, 'out', to, false));
    }
    const essentials = priority === 0 && action === 'block' && blocksEssentials(protocol);
    if (toVms.length > 0 && !(priority === 0 && action === 'block' && !essentials)) {
      this.give(toVms, this.entries(rule, 'in', from, essentials));
    }
  }

  private localVms(rule: FwRule, side: readonly Target[]): FwVm[] {
    return this.index.matchSide(rule, side, true).flatMap((m) => (m.vm.firewallEnabled ? [m.vm] : []));
  }

  private give(vms: readonly FwVm[], entries: Entry[]): void {
    if (entries.length === 0) return;
    for (const vm of vms) this.groups.get(vm.uuid)?.push(entries);
  }

  /** The entries a VM gets for one direction of a rule, naming `other` (`v6Only`: in ipf6.conf alone). */
  private entries(rule: FwRule, dir: Direction, other: readonly Target[], v6Only: boolean): Entry[] {
    const { protocol, action } = rule.parsed;
    const ruleKey = ruleSortKey(rule, dir);
    const prefix = linePrefix(action, dir, protocol.name);
    const targets = lineTargets(protocol);
    const fam = protocolFamilies(protocol.name);
    const lines = (addr: string, into: string[]): void => {
      const head = prefix + lineAddresses(dir, addr);
      for (const t of targets) into.push(head + t);
    };
    return sideTargets(rule, other, this.index).map((st) => {
      const v4: string[] = [];
      const v6: string[] = [];
      if (st.addresses === undefined) {
        if (fam.v4) lines('any', v4);
        if (fam.v6) lines('any', v6);
      } else {
        for (const a of st.addresses) {
          if (a.family === 4 ? fam.v4 : fam.v6) lines(a.text, a.family === 4 ? v4 : v6);
        }
      }
      return {
        key: ruleKey + addressSortKey(st.addresses?.[0]),
        seq: this.seq++,
        rule,
        dir,
        comment: ruleComment(rule, st.type, st.value),
        v4,
        v6,
        v6Only,
        blocks: [],
      };
    });
  }

  private render(vm: FwVm): VmFilePieces {
    const entries = (this.groups.get(vm.uuid) ?? []).flat();
    entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.seq - b.seq));
    const blocked = this.blockedFrom.get(vm.uuid);
    const ipf: string[] = [this.header];
    const ipf6: string[] = [this.header];
    for (const e of entries) {
      const state =
        this.opts.eventLog ||
        (e.dir === 'out' ? e.rule.parsed.action === 'allow' : blocked?.has(e.rule.parsed.protocol.name) === true);
      if (!e.v6Only) ipf.push(this.block(e, 4, state));
      ipf6.push(this.block(e, 6, state));
    }
    ipf.push(FALLBACKS_V4);
    ipf6.push(FALLBACKS_V6);
    return { uuid: vm.uuid, ipf, ipf6 };
  }

  /**
   * An entry in one file: a blank line, its comment, then its lines each
   * on its own line with their keep clause. Made once, shared by every VM.
   */
  private block(e: Entry, family: 4 | 6, state: boolean): string {
    const slot = (family === 4 ? 0 : 2) + (state ? 1 : 0);
    let text = e.blocks[slot];
    if (text === undefined) {
      const lines = family === 4 ? e.v4 : e.v6;
      const keep = this.opts.eventLog ? eventLogClause(e.rule) : keepClause(state);
      text = '\n\n' + e.comment + (lines.length === 0 ? '' : '\n' + lines.join(keep + '\n') + keep);
      e.blocks[slot] = text;
    }
    return text;
  }
}

/**
 * Every firewall-enabled local VM's ipf.conf and ipf6.conf as pieces, in
 * input order, one VM at a time. The input must be validated (see
 * payload.ts).
 */
export function compileFirewallPieces(input: CompileInput, opts: CompileOptions): Iterable<VmFilePieces> {
  return new Compiler(input, opts).run();
}

/** compileFirewallPieces, each file joined into its text. */
export function* compileFirewallFiles(input: CompileInput, opts: CompileOptions): Iterable<VmFiles> {
  for (const f of compileFirewallPieces(input, opts)) {
    yield { uuid: f.uuid, ipf: f.ipf.join(''), ipf6: f.ipf6.join('') };
  }
}

/** compileFirewallFiles, all at once. */
export function compileFirewall(input: CompileInput, opts: CompileOptions): VmFiles[] {
  return [...compileFirewallFiles(input, opts)];
}
