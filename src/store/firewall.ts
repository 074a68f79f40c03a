/**
 * Applying a firewall change (fwadm-cli.md §0, §8, §9): the one place where
 * fwadm's rule commands and vmadm's create/update/delete hooks turn "the
 * rules, remote VMs and VMs before and after" into files and ipf loads.
 *
 *   1. the pure core names the VMs whose ipf.conf/ipf6.conf text changes
 *      (core/fw/affected) and compiles only theirs;
 *   2. --dryrun stops here;
 *   3. the rule/remote VM change is stored (FwStore.apply, all or nothing);
 *   4. each affected VM: firewall enabled → its files are written (with
 *      `.old` copies) and loaded when it runs; firewall turned off → its
 *      files move to `.old` and ipf is disabled when it runs;
 *   5. a load that fails puts the `.old` files back and loads them again
 *      (the VM keeps its previous rules: fail closed); the other VMs are
 *      still attempted and every failure is reported.
 *
 * vmadm's hooks ask for all-or-nothing (`atomic`): after any failure every
 * VM already rewritten gets its previous files back, and the caller undoes
 * the VM change. Call everything here while holding the store lock.
 */
import * as fs from 'node:fs';
import { AppError } from '../core/errors';
import { affectedFiles, compileOnly, enabledRuleMayName } from '../core/fw/affected';
import type { WrittenFile } from '../core/fw/format';
import { remoteVmToFwVm, type RemoteVmRecord } from '../core/fw/remote-vms';
import type { FwRule } from '../core/fwrule/types';
import type { CompileInput, FwVm, VmFiles } from '../core/ipf/model';
import { firewallVm } from '../core/vm/firewall';
import type { VmRecord } from '../core/vm/record';
import type { Host, ZoneRef } from '../hosts/host';
import { FwStore, type FwStoreChange } from './fw-store';
import { disableIpfFiles, ipfPaths, restoreIpfFiles, writeIpfFiles } from './ipf-files';
import type { VmStore } from './vm-store';

/** What a firewall change runs against. */
export interface FirewallEnv {
  readonly store: VmStore;
  readonly host: Host;
  readonly fw: FwStore;
  /** Event-logging ipf files (ipf.md): the host decides. */
  readonly eventLog: boolean;
}

export function firewallEnv(store: VmStore, host: Host): FirewallEnv {
  return { store, host, fw: new FwStore(store.root, (fn) => store.lock(fn)), eventLog: host.eventLog() };
}

/** Everything the compiler needs: rules and remote VMs (sorted by uuid), local VMs (sorted by uuid). */
export interface FwSnapshot {
  readonly rules: readonly FwRule[];
  readonly remoteVms: readonly RemoteVmRecord[];
  readonly vms: readonly VmRecord[];
}

/** The stored rules, remote VMs and VMs. */
export async function loadSnapshot(env: FirewallEnv): Promise<FwSnapshot> {
  const { rules, remoteVms } = await env.fw.load();
  return { rules, remoteVms, vms: env.store.list() };
}

/**
 * Read the store without taking the lock unless an interrupted change
 * must be settled first (a journal is present).
 */
export async function readSnapshot(env: FirewallEnv): Promise<FwSnapshot> {
  if (fs.existsSync(`${env.fw.dir}/.journal.json`)) return env.fw.withLock(() => loadSnapshot(env));
  return loadSnapshot(env);
}

/**
 * The stored rules and remote VMs only (no VM is read), taking the lock
 * only if an interrupted change must be settled first.
 */
export async function readStored(env: FirewallEnv): Promise<{ rules: FwRule[]; remoteVms: RemoteVmRecord[] }> {
  if (fs.existsSync(`${env.fw.dir}/.journal.json`)) return env.fw.withLock(() => env.fw.load());
  return env.fw.load();
}

function byUuid<T extends { uuid: string }>(list: readonly T[]): T[] {
  return [...list].sort((a, b) => (a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0));
}

/**
 * A record's firewall view, made once per record object: the two sides of
 * a change share the records they have in common, and so their FwVm
 * objects (core/fw/affected skips a VM that is the same object on both).
 */
const fwVms = new WeakMap<VmRecord, FwVm>();

function fwVmOf(record: VmRecord): FwVm {
  let vm = fwVms.get(record);
  if (vm === undefined) {
    vm = firewallVm(record);
    fwVms.set(record, vm);
  }
  return vm;
}

/** The compiler's input for a snapshot. */
export function compileInput(s: FwSnapshot): CompileInput {
  return { vms: byUuid(s.vms).map(fwVmOf), remoteVms: byUuid(s.remoteVms).map(remoteVmToFwVm), rules: byUuid(s.rules) };
}

export interface ApplyRequest {
  readonly before: FwSnapshot;
  readonly after: FwSnapshot;
  /** The rule / remote VM change to store (none: VM changes only). */
  readonly storeChange?: FwStoreChange;
  /** Compute and report, write nothing. */
  readonly dryrun?: boolean;
  /** Local VMs whose files are rewritten even if their text is the same (payload localVMs). */
  readonly forceVms?: readonly string[];
  /** All or nothing (vmadm hooks): any failure undoes every VM's files and throws. */
  readonly atomic?: boolean;
  /** Suffix of the temporary files; default `<now>.<pid>`. */
  readonly version?: string;
}

export interface ApplyOutcome {
  /** VMs whose files were (or with --dryrun would be) written or disabled, sorted. */
  readonly vms: string[];
  /** The files written (or to write), in VM order: ipf.conf, ipf6.conf. */
  readonly files: WrittenFile[];
  /** One line per VM whose load failed. */
  readonly failures: string[];
}

/** How many VMs' files are written at a time (non-atomic changes). */
const PARALLEL_VMS = 8;

/** Some VMs' firewalls could not be loaded: one line each, exit 1. */
export class FirewallLoadError extends AppError {
  constructor(readonly failures: readonly string[]) {
    super(failures);
  }
}

function zoneOf(vm: VmRecord): ZoneRef {
  return { zonename: vm.zonename, uuid: vm.uuid, zonepath: vm.zonepath, brand: vm.brand };
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** What was done to one VM, so it can be undone. */
interface Done {
  readonly vm: VmRecord;
  readonly kind: 'written' | 'disabled';
  /** Written: whether it had files before (`.old` now holds them). */
  readonly hadFiles: boolean;
  /** Whether its previous files were loaded (firewall enabled and running before). */
  readonly wasLoaded: boolean;
}

/** The VM's zonepath as this process reaches it (the store knows the host root). */
function zonepathOn(env: FirewallEnv, vm: VmRecord): string {
  return env.store.hostPath(vm.zonepath);
}

function exists(file: string): boolean {
  return fs.existsSync(file);
}

async function loadVm(env: FirewallEnv, vm: VmRecord): Promise<void> {
  const p = ipfPaths(zonepathOn(env, vm));
  await env.host.loadFirewall(zoneOf(vm), p.ipf, p.ipf6);
}

/** A failed load: the previous files back in place and loaded again. Returns the failure line. */
async function failClosed(env: FirewallEnv, vm: VmRecord, err: unknown): Promise<string> {
  let line = `VM ${vm.uuid}: ${message(err)}`;
  try {
    const restored = await restoreIpfFiles(zonepathOn(env, vm));
    if (restored.ipf && restored.ipf6) {
      await loadVm(env, vm);
      line += ' (previous rules restored)';
    }
  } catch (again) {
    line += `; restoring the previous rules failed: ${message(again)}`;
  }
  return line;
}

/** Undo what `done` did, last first (atomic mode). Returns failures. */
async function undo(env: FirewallEnv, done: readonly Done[]): Promise<string[]> {
  const failures: string[] = [];
  for (const d of [...done].reverse()) {
    try {
      const p = ipfPaths(zonepathOn(env, d.vm));
      if (d.kind === 'written' && !d.hadFiles) {
        fs.rmSync(p.ipf, { force: true });
        fs.rmSync(p.ipf6, { force: true });
        if (d.vm.state === 'running') await env.host.disableFirewall(zoneOf(d.vm));
        continue;
      }
      await restoreIpfFiles(zonepathOn(env, d.vm));
      if (d.wasLoaded) await loadVm(env, d.vm);
    } catch (err) {
      failures.push(`VM ${d.vm.uuid}: undoing the firewall change failed: ${message(err)}`);
    }
  }
  return failures;
}

/**
 * Apply one firewall change: compute the affected VMs, store the rule /
 * remote VM change, write and load their files. Non-atomic: load failures
 * are returned in `failures` (the rule change stays stored). Atomic: any
 * failure undoes every VM's files and throws FirewallLoadError.
 */
export async function applyFirewall(env: FirewallEnv, req: ApplyRequest): Promise<ApplyOutcome> {
  const before = compileInput(req.before);
  const after = compileInput(req.after);
  const opts = { eventLog: env.eventLog, date: new Date() };
  // the after side's files of the VMs compared are the ones to write
  const found = affectedFiles(before, after, opts);
  const affected = new Set(found.uuids);
  const compiled = new Map<string, VmFiles>();
  for (const u of found.uuids) {
    const f = found.files.get(u);
    if (f !== undefined) compiled.set(u, f);
  }
  const forced = new Set<string>();
  for (const u of req.forceVms ?? []) {
    if (affected.has(u)) continue;
    affected.add(u);
    const f = found.files.get(u);
    if (f !== undefined) compiled.set(u, f);
    else forced.add(u);
  }
  if (forced.size > 0) for (const f of compileOnly(after, forced, opts)) compiled.set(f.uuid, f);
  const beforeVms = new Map(req.before.vms.map((vm) => [vm.uuid, vm]));
  const afterVms = new Map(req.after.vms.map((vm) => [vm.uuid, vm]));

  const vms: string[] = [];
  const files: WrittenFile[] = [];
  for (const uuid of [...affected].sort()) {
    const vm = afterVms.get(uuid);
    if (vm === undefined) continue; // deleted: its files go with its zone
    const f = compiled.get(uuid);
    const wasEnabled = beforeVms.get(uuid)?.firewall_enabled === true;
    if (f === undefined && !wasEnabled) continue;
    vms.push(uuid);
    if (f !== undefined) {
      const p = ipfPaths(zonepathOn(env, vm));
      files.push({ path: p.ipf, text: f.ipf }, { path: p.ipf6, text: f.ipf6 });
    }
  }
  if (req.dryrun) return { vms, files: files, failures: [] };

  if (req.storeChange) await env.fw.apply(req.storeChange);

  const version = req.version ?? `${Date.now()}.${String(process.pid).padStart(6, '0')}`;
  /** One VM's files written (or moved away): what was done, or why not. */
  const write = async (uuid: string): Promise<{ done?: Done; error?: unknown }> => {
    const vm = afterVms.get(uuid) as VmRecord;
    const prev = beforeVms.get(uuid);
    const wasLoaded = prev?.firewall_enabled === true && prev.state === 'running';
    const f = compiled.get(uuid);
    try {
      if (f === undefined) {
        await disableIpfFiles(zonepathOn(env, vm));
        return { done: { vm, kind: 'disabled', hadFiles: true, wasLoaded } };
      }
      const p = ipfPaths(zonepathOn(env, vm));
      const hadFiles = exists(p.ipf) && exists(p.ipf6);
      await writeIpfFiles(zonepathOn(env, vm), f, version);
      return { done: { vm, kind: 'written', hadFiles, wasLoaded } };
    } catch (error) {
      return { error };
    }
  };
  /** Then loaded (or ipf disabled) when it runs: its failure line. */
  const load = async (d: Done): Promise<string | undefined> => {
    const { vm } = d;
    if (vm.state !== 'running') return undefined;
    try {
      if (d.kind === 'disabled') await env.host.disableFirewall(zoneOf(vm));
      else await loadVm(env, vm);
      return undefined;
    } catch (err) {
      return d.kind === 'written' && !req.atomic ? failClosed(env, vm, err) : `VM ${vm.uuid}: ${message(err)}`;
    }
  };
  const failures: string[] = [];
  const done: Done[] = [];
  // All or nothing: one VM at a time, stopping at the first failure.
  // Otherwise VMs are independent: their files are written several at a
  // time (their syncs overlap), then loaded one by one in VM order.
  const width = req.atomic ? 1 : PARALLEL_VMS;
  for (let i = 0; i < vms.length; i += width) {
    const written = await Promise.all(vms.slice(i, i + width).map(write));
    for (const [j, w] of written.entries()) {
      if (w.done === undefined) {
        failures.push(`VM ${vms[i + j]}: ${message(w.error)}`);
        continue;
      }
      done.push(w.done);
      const failure = await load(w.done);
      if (failure !== undefined) failures.push(failure);
    }
    if (req.atomic && failures.length > 0) break;
  }
  if (req.atomic && failures.length > 0) {
    throw new FirewallLoadError([...failures, ...(await undo(env, done))]);
  }
  return { vms, files, failures };
}

/**
 * The vmadm hook (fwadm-cli.md §9, §0): bring the firewall up to date
 * after a VM is created, changed or deleted (`before` / `after`: the VM
 * list on either side), all or nothing. On failure throws one line:
 * `<what>: <first failure>`.
 */
export async function vmFirewallHook(env: FirewallEnv, beforeVms: readonly VmRecord[], afterVms: readonly VmRecord[], what: string): Promise<ApplyOutcome> {
  await env.fw.recover();
  const { rules, remoteVms } = await env.fw.load();
  try {
    return await applyFirewall(env, {
      before: { rules, remoteVms, vms: beforeVms },
      after: { rules, remoteVms, vms: afterVms },
      atomic: true,
    });
  } catch (err) {
    if (err instanceof FirewallLoadError) throw new AppError(`${what}: ${err.failures[0]}`);
    throw new AppError(`${what}: ${message(err)}`);
  }
}


/**
 * The hook of `vmadm create` (vmFirewallHook for a VM added to `others`),
 * reading the other VMs only when a rule may name the new one. No enabled
 * rule naming it: no other VM's files show it (core/fw/affected finds a
 * changed VM's neighbours through such rules alone), and its own files,
 * when its firewall is enabled, hold no rule lines, so they are compiled
 * from it alone; firewall disabled too: nothing to do.
 */
export async function vmCreateFirewallHook(env: FirewallEnv, vm: VmRecord, others: () => readonly VmRecord[], what: string): Promise<ApplyOutcome> {
  await env.fw.recover();
  const { rules, remoteVms } = await env.fw.load();
  let before: readonly VmRecord[] = [];
  let after: readonly VmRecord[] = [vm];
  if (enabledRuleMayName(rules, fwVmOf(vm))) {
    before = others();
    after = withVm(before, vm.uuid, vm);
  } else if (vm.firewall_enabled !== true) {
    return { vms: [], files: [], failures: [] };
  }
  try {
    return await applyFirewall(env, {
      before: { rules, remoteVms, vms: before },
      after: { rules, remoteVms, vms: after },
      atomic: true,
    });
  } catch (err) {
    if (err instanceof FirewallLoadError) throw new AppError(`${what}: ${err.failures[0]}`);
    throw new AppError(`${what}: ${message(err)}`);
  }
}

/** The VM list with one VM replaced, added (record) or removed (undefined). */
export function withVm(vms: readonly VmRecord[], uuid: string, record: VmRecord | undefined): VmRecord[] {
  const out = vms.filter((vm) => vm.uuid !== uuid);
  if (record !== undefined) out.push(record);
  return byUuid(out);
}
