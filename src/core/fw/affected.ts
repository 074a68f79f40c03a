/**
 * What a change touches: from the compiler input before and after a change
 * (rules, local VMs, remote VMs), the local VMs whose ipf.conf or ipf6.conf
 * text changes, and nothing else. Pure.
 *
 * Only candidate VMs are compiled: VMs whose own state changed, VMs a
 * changed rule matches (before or after), and VMs on the opposite side of
 * a rule that matches a changed VM or remote VM. A VM outside that set has
 * the same rules with the same other sides, so the same files; the
 * candidates are compiled on both sides (with a fixed date) and compared.
 */
import { compileFirewall } from '../ipf/compile';
import type { CompileInput, CompileOptions, FwVm, VmFiles } from '../ipf/model';
import { VmIndex } from '../ipf/vm-index';
import type { FwRule, Target } from '../fwrule/types';
import { ruleKeys, tagKey, type SideKeys } from './rule-targets';

export interface AffectedOptions {
  /** Compare event-logging files (where `log` shows in the text). Default false. */
  readonly eventLog?: boolean;
}

/** Everything about a VM other VMs' files can show: owner, tags, addresses, local or remote. */
function appearance(vm: FwVm): string {
  const tags = [...vm.tags].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return JSON.stringify([vm.remote, vm.owner_uuid ?? null, tags, vm.addresses.map((a) => a.text)]);
}

/** Everything about a rule its lines show (`rule` is the canonical text of `parsed`). */
function ruleKey(r: FwRule): string {
  return JSON.stringify([r.version, r.rule, r.enabled, r.owner_uuid ?? null, r.global === true, r.log]);
}

/** The uuids both lists hold, in the same relative order in each. */
function sameOrder(a: readonly { uuid: string }[], b: readonly { uuid: string }[]): boolean {
  const inA = new Set(a.map((x) => x.uuid));
  const inB = new Set(b.map((x) => x.uuid));
  const sa = a.filter((x) => inB.has(x.uuid));
  const sb = b.filter((x) => inA.has(x.uuid));
  return sa.every((x, i) => x.uuid === sb[i].uuid);
}

/** The target keys (core/fw/rule-targets) that can name `vm`: `a`, `v<uuid>`, `t<tag>`, `t<tag>\0<value>`. */
function vmKeys(vm: FwVm, into: Set<string> = new Set()): Set<string> {
  into.add('a').add(`v${vm.uuid}`);
  for (const [name, value] of vm.tags) into.add(`t${tagKey(name)}`).add(`t${tagKey(name, value)}`);
  return into;
}

/** Whether a side's target keys may name a VM whose keys are `keys`. */
function mayName(side: SideKeys, keys: ReadonlySet<string>): boolean {
  return side.some((k) => keys.has(k));
}

/**
 * Whether an enabled rule may name `vm` on either side: its target keys meet
 * the VM's. A superset (owner scoping not applied), never less: when it is
 * false, no rule's lines can name the VM, and the VM's own files hold no
 * rule lines.
 */
export function enabledRuleMayName(rules: readonly FwRule[], vm: FwVm): boolean {
  const keys = vmKeys(vm);
  return rules.some((r) => {
    if (!r.enabled) return false;
    const { from, to } = ruleKeys(r);
    return mayName(from, keys) || mayName(to, keys);
  });
}

/**
 * Rules by the VM targets they have: `vm <uuid>`, tag names, `all vms`.
 * Built from the rules' target keys: no rule is parsed for it.
 */
class RuleIndex {
  private readonly byKey = new Map<string, FwRule[]>();

  constructor(rules: readonly FwRule[]) {
    for (const r of rules) {
      if (!r.enabled) continue;
      const { from, to } = ruleKeys(r);
      for (const k of new Set([...from, ...to])) {
        let list = this.byKey.get(k);
        if (!list) this.byKey.set(k, (list = []));
        list.push(r);
      }
    }
  }

  /** Enabled rules that may name `vm` on a side (each once); owner scoping not yet applied. */
  mayName(vm: FwVm): FwRule[] {
    const out = new Set<FwRule>();
    for (const k of vmKeys(vm)) for (const r of this.byKey.get(k) ?? []) out.add(r);
    return [...out];
  }
}

/** One side of the change: its VMs by uuid, its index and its rules. */
class State {
  readonly local = new Map<string, FwVm>();
  readonly remote = new Map<string, FwVm>();
  readonly rules = new Map<string, FwRule>();
  readonly index: VmIndex;
  private ruleIndex?: RuleIndex;

  constructor(readonly input: CompileInput) {
    for (const vm of input.vms) this.local.set(vm.uuid, vm);
    for (const vm of input.remoteVms) this.remote.set(vm.uuid, vm);
    for (const r of input.rules) this.rules.set(r.uuid, r);
    this.index = new VmIndex(input.vms, input.remoteVms);
  }

  vm(uuid: string): FwVm | undefined {
    return this.local.get(uuid) ?? this.remote.get(uuid);
  }

  rulesNaming(vm: FwVm): FwRule[] {
    this.ruleIndex ??= new RuleIndex(this.input.rules);
    return this.ruleIndex.mayName(vm);
  }

  /** Firewall-enabled local VMs a side of a rule matches. */
  enabledOn(rule: FwRule, side: readonly Target[], into: Set<string>): void {
    for (const m of this.index.matchSide(rule, side, true)) if (m.vm.firewallEnabled) into.add(m.vm.uuid);
  }

  /** A rule's enabled local VMs on both sides. */
  ruleVms(rule: FwRule, into: Set<string>): void {
    if (!rule.enabled) return;
    this.enabledOn(rule, rule.parsed.from, into);
    this.enabledOn(rule, rule.parsed.to, into);
  }

  /** For each rule that matches `vm` on a side: the enabled VMs of the other side. */
  neighbours(vm: FwVm, into: Set<string>): void {
    const alone = new VmIndex([vm], []);
    for (const r of this.rulesNaming(vm)) {
      const { from, to } = r.parsed;
      if (alone.matchSide(r, from, false).length > 0) this.enabledOn(r, to, into);
      if (alone.matchSide(r, to, false).length > 0) this.enabledOn(r, from, into);
    }
  }
}

/** The local VMs whose files may differ: a superset of the answer. */
function candidates(a: State, b: State): Set<string> {
  const out = new Set<string>();
  const { input: before } = a;
  const { input: after } = b;
  if (
    !sameOrder(before.rules, after.rules) ||
    !sameOrder(before.vms, after.vms) ||
    !sameOrder(before.remoteVms, after.remoteVms)
  ) {
    // Reordered inputs reorder ties between entries: anything may change.
    for (const vm of [...before.vms, ...after.vms]) if (vm.firewallEnabled) out.add(vm.uuid);
    return out;
  }

  // Rules added, removed or changed: every VM they match, before and after.
  for (const uuid of new Set([...a.rules.keys(), ...b.rules.keys()])) {
    const ra = a.rules.get(uuid);
    const rb = b.rules.get(uuid);
    if (ra !== undefined && rb !== undefined && (ra === rb || ruleKey(ra) === ruleKey(rb))) continue;
    if (ra) a.ruleVms(ra, out);
    if (rb) b.ruleVms(rb, out);
  }

  // VMs and remote VMs added, removed or changed.
  for (const uuid of new Set([...a.local.keys(), ...a.remote.keys(), ...b.local.keys(), ...b.remote.keys()])) {
    const va = a.vm(uuid);
    const vb = b.vm(uuid);
    if (va === vb) continue;
    const enabledA = va?.firewallEnabled === true && !va.remote;
    const enabledB = vb?.firewallEnabled === true && !vb.remote;
    const looksSame = va !== undefined && vb !== undefined && appearance(va) === appearance(vb);
    if (looksSame && enabledA === enabledB) continue;
    // Its own files: present on one side only, or made from a changed VM.
    if (enabledA || enabledB) out.add(uuid);
    // Other VMs' files show its owner, tags and addresses, not its firewall flag.
    if (!looksSame) {
      if (va) a.neighbours(va, out);
      if (vb) b.neighbours(vb, out);
    }
  }
  return out;
}

/**
 * The input with only `uuids` getting files, and only the rules that may
 * match one of them (rule order kept): compiles to exactly those VMs'
 * files as the whole input would.
 */
function restrictInput(input: CompileInput, uuids: ReadonlySet<string>): CompileInput {
  const chosen: FwVm[] = [];
  const vms = input.vms.map((vm) => {
    if (!uuids.has(vm.uuid)) return vm.firewallEnabled ? { ...vm, firewallEnabled: false } : vm;
    if (vm.firewallEnabled) chosen.push(vm);
    return vm;
  });
  // A rule that matches none of the chosen VMs gives them no lines and no
  // state. Its target keys rule most out without parsing it.
  const keys = new Set<string>();
  for (const vm of chosen) vmKeys(vm, keys);
  const only = new VmIndex(chosen, []);
  const rules = input.rules.filter((r) => {
    if (!r.enabled) return false;
    const k = ruleKeys(r);
    const from = mayName(k.from, keys);
    const to = mayName(k.to, keys);
    if (!from && !to) return false;
    return (from && only.matchSide(r, r.parsed.from, true).length > 0) || (to && only.matchSide(r, r.parsed.to, true).length > 0);
  });
  return { vms, remoteVms: input.remoteVms, rules };
}

/** The files of the firewall-enabled VMs among `uuids`, as compileFirewall of the whole input gives them. */
export function compileOnly(input: CompileInput, uuids: ReadonlySet<string>, opts: CompileOptions): VmFiles[] {
  return compileFirewall(restrictInput(input, uuids), opts);
}

const FIXED_DATE = new Date(0);

/** The affected VMs and the files the after side gives them. */
export interface AffectedFiles {
  /** The local VMs whose ipf.conf or ipf6.conf text changes, sorted. */
  readonly uuids: string[];
  /**
   * compileFirewall(after) of every VM looked at (a superset of `uuids`),
   * firewall-enabled ones only, at `date`.
   */
  readonly files: ReadonlyMap<string, VmFiles>;
}

/**
 * affectedVms, and the after side's files of the VMs it compiled, at
 * `opts.date` (the date only shows in both sides' headers alike, so it
 * does not change which VMs differ).
 */
export function affectedFiles(before: CompileInput, after: CompileInput, opts: CompileOptions): AffectedFiles {
  const a = new State(before);
  const b = new State(after);
  const cand = candidates(a, b);
  if (cand.size === 0) return { uuids: [], files: new Map() };
  const filesA = new Map(compileOnly(before, cand, opts).map((f) => [f.uuid, f]));
  const filesB = new Map(compileOnly(after, cand, opts).map((f) => [f.uuid, f]));
  const out: string[] = [];
  for (const uuid of cand) {
    const fa = filesA.get(uuid);
    const fb = filesB.get(uuid);
    if (fa === undefined && fb === undefined) continue;
    if (fa === undefined || fb === undefined || fa.ipf !== fb.ipf || fa.ipf6 !== fb.ipf6) out.push(uuid);
  }
  return { uuids: out.sort(), files: filesB };
}

/**
 * The local VMs whose ipf.conf or ipf6.conf text differs between
 * compileFirewall(before) and compileFirewall(after) at one date, sorted.
 * A VM with files on one side only (firewall_enabled flipped, VM created
 * or deleted) counts. Unchanged rules and VMs must keep their relative
 * order in both inputs (e.g. both sorted by uuid); otherwise every VM is
 * compared.
 */
export function affectedVms(before: CompileInput, after: CompileInput, opts: AffectedOptions = {}): string[] {
  return affectedFiles(before, after, { eventLog: opts.eventLog === true, date: FIXED_DATE }).uuids;
}

/** `fwadm vms <rule>`: the local VMs a rule matches on either side (firewall enabled or not), sorted. */
export function ruleVms(input: CompileInput, rule: FwRule): string[] {
  const index = new VmIndex(input.vms, []);
  const out = new Set<string>();
  for (const side of [rule.parsed.from, rule.parsed.to]) {
    for (const m of index.matchSide(rule, side, true)) out.add(m.vm.uuid);
  }
  return [...out].sort();
}

/** `fwadm rules <vm>` / `rvm-rules <rvm>`: the rules naming a VM on either side (enabled or not), sorted by uuid. */
export function vmRules(rules: readonly FwRule[], vm: FwVm): FwRule[] {
  const alone = new VmIndex([vm], []);
  const keys = vmKeys(vm);
  return rules
    .filter((r) => {
      const k = ruleKeys(r);
      return (
        (mayName(k.from, keys) && alone.matchSide(r, r.parsed.from, false).length > 0) ||
        (mayName(k.to, keys) && alone.matchSide(r, r.parsed.to, false).length > 0)
      );
    })
    .sort((x, y) => (x.uuid < y.uuid ? -1 : x.uuid > y.uuid ? 1 : 0));
}
