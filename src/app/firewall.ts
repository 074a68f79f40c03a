/**
 * The firewall, in the spirit of SmartOS's fw.js (docs/fwadm-cli.md §8,
 * §9): rule and remote VM changes (add, update, delete, enable, disable,
 * add-rvm, delete-rvm) and "this VM changed" (planVmChange, which vmadm's
 * create, update and delete call). fwadm and vmadm both come here.
 *
 * A change names the VMs whose ipf files it changes (core/fw/affected,
 * pure), writes its journal (for a rule change, the journal is the
 * commit), stores the rules and remote VMs, then brings those VMs' files
 * and loads up to date (sync.ts). A VM whose load fails keeps its
 * previous rules loaded and stays pending; the change stays made, and the
 * failure is reported (exit 1), as SmartOS reports it.
 */
import { affectedFiles, compileOnly, enabledRuleMayName } from '../core/fw/affected';
import type { WrittenFile } from '../core/fw/format';
import type { RemoteVmRecord } from '../core/fw/remote-vms';
import { ruleToJson } from '../core/fw/rules';
import type { FwRule } from '../core/fwrule/types';
import type { VmFiles } from '../core/ipf/model';
import type { VmRecord } from '../core/vm/record';
import { ipfPaths } from '../store/ipf-files';
import type { RuleChange } from '../store/journal';
import { runChange, type Completed } from './change';
import type { Runtime } from './runtime';
import { compileInputOf, fwVmOf, readRules, readState, withVm, type StoredState } from './state';
import { mergeSyncResults, syncVms } from './sync';

/** Which VMs' ipf files a change gives new text, with that text. */
export interface FirewallPlan {
  readonly before: StoredState;
  readonly after: StoredState;
  /** VMs whose ipf files change (sorted). */
  readonly pending: string[];
  /** The after side's files of (at least) the firewall-enabled VMs in `pending`. */
  readonly compiled: ReadonlyMap<string, VmFiles>;
}

function plan(rt: Runtime, before: StoredState, after: StoredState): FirewallPlan {
  const found = affectedFiles(compileInputOf(before), compileInputOf(after), { eventLog: rt.eventLog(), date: rt.now() });
  return { before, after, pending: found.uuids, compiled: found.files };
}

/**
 * "This VM changed": the firewall side of a vmadm create, update or
 * delete. A created VM that no enabled rule may name leaves every other
 * VM's files as they are (core/fw/affected finds a VM's neighbours
 * through such rules alone), so the other VMs are not even read.
 */
export async function planVmChange(
  rt: Runtime,
  change: { created: VmRecord } | { before: VmRecord; after: VmRecord } | { deleted: VmRecord },
): Promise<FirewallPlan> {
  const { rules, remoteVms } = await readRules(rt);
  if ('created' in change) {
    const vm = change.created;
    if (!enabledRuleMayName(rules, fwVmOf(vm))) {
      const before: StoredState = { vms: [], rules, remoteVms };
      const after: StoredState = { vms: [vm], rules, remoteVms };
      return vm.firewall_enabled === true ? plan(rt, before, after) : { before, after, pending: [], compiled: new Map() };
    }
    const others = rt.vms.list().filter((v) => v.uuid !== vm.uuid);
    return plan(rt, { vms: others, rules, remoteVms }, { vms: withVm(others, vm.uuid, vm), rules, remoteVms });
  }
  const vms = rt.vms.list();
  if ('deleted' in change) {
    return plan(rt, { vms, rules, remoteVms }, { vms: withVm(vms, change.deleted.uuid, undefined), rules, remoteVms });
  }
  return plan(rt, { vms: withVm(vms, change.before.uuid, change.before), rules, remoteVms }, { vms: withVm(vms, change.after.uuid, change.after), rules, remoteVms });
}

// ---------------------------------------------------------------- rule changes

/** A rule / remote VM change as a command plans it from what is stored. */
export interface RuleChangePlan {
  /** Every rule and remote VM once the change is made. */
  readonly rules: readonly FwRule[];
  readonly remoteVms: readonly RemoteVmRecord[];
  /** What to store. */
  readonly putRules: readonly FwRule[];
  readonly deleteRules: readonly string[];
  readonly putRemoteVms: readonly RemoteVmRecord[];
  readonly deleteRemoteVms: readonly string[];
  /** Local VMs whose files are written even if their text is the same (payload localVMs). */
  readonly forceVms?: readonly string[];
}

export interface RuleChangeOutcome<P> {
  /** The command's plan, for what it prints. */
  readonly plan: P;
  /** VMs whose ipf files were (with dryrun: would be) written or disabled, sorted. */
  readonly vms: string[];
  /** Their files, in VM order: ipf.conf, ipf6.conf (--stdout). */
  readonly files: WrittenFile[];
  /** One line per VM whose files could not be written or loaded (exit 1). */
  readonly failures: string[];
}

export interface RuleChangeOptions<P extends RuleChangePlan> {
  /** Compute and report; write nothing, take no lock. */
  readonly dryrun?: boolean;
  /** Whether a plan changes nothing stored. */
  readonly isNoop: (plan: P) => boolean;
  /**
   * A repeated change may be answered from one read of the stored rules,
   * without the lock, when nothing is left to finish: the command says
   * whether that read alone can tell (e.g. every rule names its uuid).
   */
  readonly quick?: boolean;
}

/** The VMs the output names and their files (as SmartOS: those rewritten, and those whose firewall went off). */
function outcomeOf<P>(rt: Runtime, p: P, fw: FirewallPlan, force: readonly string[]): RuleChangeOutcome<P> {
  const beforeVms = new Map(fw.before.vms.map((vm) => [vm.uuid, vm]));
  const afterVms = new Map(fw.after.vms.map((vm) => [vm.uuid, vm]));
  const affected = new Set([...fw.pending, ...force.filter((u) => afterVms.has(u))]);
  const compiled = new Map(fw.compiled);
  const forced = new Set([...affected].filter((u) => !compiled.has(u) && afterVms.get(u)?.firewall_enabled === true));
  if (forced.size > 0) for (const f of compileOnly(compileInputOf(fw.after), forced, { eventLog: rt.eventLog(), date: rt.now() })) compiled.set(f.uuid, f);
  const vms: string[] = [];
  const files: WrittenFile[] = [];
  for (const uuid of [...affected].sort()) {
    const vm = afterVms.get(uuid);
    if (vm === undefined) continue;
    const f = vm.firewall_enabled === true ? compiled.get(uuid) : undefined;
    if (f === undefined && beforeVms.get(uuid)?.firewall_enabled !== true) continue;
    vms.push(uuid);
    if (f !== undefined) {
      const paths = ipfPaths(rt.vms.hostPath(vm.zonepath));
      files.push({ path: paths.ipf, text: f.ipf }, { path: paths.ipf6, text: f.ipf6 });
    }
  }
  return { plan: p, vms, files, failures: [] };
}

/**
 * Make a rule / remote VM change. `planner` gets what is stored (after
 * whatever an earlier command left is finished) and gives the change.
 */
export async function changeRules<P extends RuleChangePlan>(
  rt: Runtime,
  verb: string,
  planner: (stored: StoredState) => P,
  opts: RuleChangeOptions<P>,
): Promise<Completed<RuleChangeOutcome<P>>> {
  const nothing = (p: P, failures: string[] = []): RuleChangeOutcome<P> => ({ plan: p, vms: [], files: [], failures });
  if (opts.quick && !rt.journal.anyLeft()) {
    const { rules, remoteVms } = await rt.fw.load();
    const p = planner({ vms: [], rules, remoteVms });
    if (opts.isNoop(p)) return { value: nothing(p), notes: [] };
  }
  if (opts.dryrun) {
    const before = await readState(rt);
    const p = planner(before);
    const fw = plan(rt, before, { ...before, rules: p.rules, remoteVms: p.remoteVms });
    return { value: outcomeOf(rt, p, fw, p.forceVms ?? []), notes: [] };
  }
  return runChange(rt, verb, async (c) => {
    const before = await readState(rt);
    const p = planner(before);
    // nothing to store: nothing changes, unless VMs are still pending (then that is the answer: exit 1)
    if (opts.isNoop(p) && (p.forceVms ?? []).length === 0) {
      if (c.recovered.failures.length > 0) c.notes.splice(0, c.notes.length, ...c.recovered.notes);
      return nothing(p, [...c.recovered.failures]);
    }
    const fw = plan(rt, before, { ...before, rules: p.rules, remoteVms: p.remoteVms });
    const out = outcomeOf(rt, p, fw, p.forceVms ?? []);
    const change: RuleChange = {
      kind: 'rules',
      putRules: p.putRules.map(ruleToJson),
      deleteRules: [...p.deleteRules],
      putRemoteVms: [...p.putRemoteVms],
      deleteRemoteVms: [...p.deleteRemoteVms],
    };
    await c.begin(change, [...fw.pending, ...(p.forceVms ?? [])]);
    c.commit('rules:journal');
    await rt.fw.apply(change);
    c.point('rules:stored');
    // the VMs affected get new text; those forced (localVMs) are compared as any other
    const sync = mergeSyncResults(
      await syncVms(rt, fw.after, fw.pending, { compiled: fw.compiled, changedFirewallOnly: true }),
      await syncVms(rt, fw.after, (p.forceVms ?? []).filter((u) => !fw.pending.includes(u)), { compiled: fw.compiled }),
    );
    c.point('rules:synced');
    await c.end(sync);
    return { ...out, failures: sync.failures };
  });
}
