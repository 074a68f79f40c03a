/**
 * vmadm's changes (docs/vmadm-cli.md §3, §8, §9; docs/state.md): create,
 * update, delete, start, stop, reboot, and a VM's firewall switched on or
 * off (fwadm start/stop). Each is one change (change.ts): journal, host
 * steps that are undone on failure or interrupt, the record stored (the
 * commit), then the derived state (config and ipf files, loads) of every
 * VM the change touches. A failure after the commit undoes the whole
 * change; a kill is finished or undone by the next command.
 */
import { AppError, HostError, NotFoundError } from '../core/errors';
import { findConflict, indexKeyOf, newConflictKeys } from '../core/vm/conflicts';
import { createVm, type VmOutcome } from '../core/vm/create';
import { canonicalMac } from '../core/vm/normalise';
import type { VmRecord } from '../core/vm/record';
import { updateVm, type UpdateOutcome } from '../core/vm/update';
import { UUID_ANY_CASE } from '../core/uuid';
import { isHvm } from '../core/vmspec/brands';
import { createScript, updateScript } from '../core/zonecfg/script';
import type { DiskVolume, ZoneRef } from '../hosts/host';
import type { InUse } from '../store/vm-store';
import { runChange, type Change, type Completed } from './change';
import { reconcileDisks, undoDisks, volumesDiffer } from './disks';
import { planVmChange, type FirewallPlan } from './firewall';
import { reconfigureOnce, removeZone } from './recovery';
import { isSimulatedCrash, type Runtime } from './runtime';
import { readState, type StoredState } from './state';
import { mergeSyncResults, syncVms, zoneOf, type SyncResult } from './sync';

export { zoneOf };

/** The VM, or `VM <uuid> not found` (exit 1). */
export function mustGet(rt: Runtime, uuid: string, message = `VM ${uuid} not found`): VmRecord {
  const vm = rt.vms.get(uuid) ?? (uuid !== uuid.toLowerCase() ? rt.vms.get(uuid.toLowerCase()) : undefined);
  if (!vm) throw new NotFoundError(message);
  return vm;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Run undo steps, last first, ignoring their failures (the original error is the one reported). */
async function undoAll(steps: Array<() => Promise<unknown>>): Promise<void> {
  for (const s of steps.reverse()) await s().catch(() => undefined);
}

/** Rethrow a simulated kill at once: nothing after a kill runs. */
function rethrowCrash(err: unknown): void {
  if (isSimulatedCrash(err)) throw err;
}

/**
 * The derived state of a change: the firewall of the VMs it affects (and
 * of `force`), the config files of the changed VM.
 */
async function syncPlan(rt: Runtime, plan: FirewallPlan, changed: string, force: readonly string[] = []): Promise<SyncResult> {
  const affected = await syncVms(rt, plan.after, plan.pending, { compiled: plan.compiled, configOnly: [changed], changedFirewallOnly: true });
  const more = force.filter((u) => !plan.pending.includes(u));
  if (more.length === 0) return affected;
  return mergeSyncResults(affected, await syncVms(rt, plan.after, more, { compiled: plan.compiled }));
}

// ---------------------------------------------------------------- create

/** The MACs a payload's NICs (`nics`, `add_nics`) name themselves: those are never drawn again. */
function givenMacs(payload: Record<string, unknown>): Set<string> {
  const out = new Set<string>();
  for (const list of [payload.nics, payload.add_nics]) {
    if (!Array.isArray(list)) continue;
    for (const nic of list) {
      const mac = nic && typeof nic === 'object' ? (nic as Record<string, unknown>).mac : undefined;
      if (typeof mac === 'string') out.add(canonicalMac(mac));
    }
  }
  return out;
}

/**
 * A create or update (`make`) that holds nothing another VM holds
 * (docs/vmadm-cli.md §15 "Conflicts across VMs"): a MAC drawn at random
 * that another VM holds is drawn again; any other conflict is refused as
 * SmartOS refuses it, nothing changed. The other VMs are read only when
 * the VM gains something to check (NICs, a VNC port), and only those the
 * store's index says hold it; the records decide (core/vm/conflicts.ts).
 */
function withoutConflicts<T extends { ok: boolean; record?: VmRecord }>(
  rt: Runtime,
  payload: Record<string, unknown>,
  before: VmRecord | undefined,
  make: () => T,
): T {
  const given = givenMacs(payload);
  const had = new Set(before?.nics.map((n) => n.mac));
  let inUse: InUse | undefined;
  for (;;) {
    const out = make();
    if (!out.ok || out.record === undefined || out.record === before) return out;
    const record = out.record;
    const keys = newConflictKeys(record, before).map(indexKeyOf);
    if (keys.length === 0) return out;
    inUse ??= rt.vms.inUse();
    if (!keys.some((k) => inUse!.has(k))) return out;
    const drawn = record.nics.some((n) => !given.has(n.mac) && !had.has(n.mac) && n.vrrp_vrid === undefined && inUse!.has(n.mac));
    if (drawn) continue;
    refuseConflicts(rt, record, before, inUse);
    return out;
  }
}

/**
 * Refuse a VM (created, received, or updated from `before`) that holds
 * what another VM holds (docs/vmadm-cli.md §15 "Conflicts across VMs"):
 * SmartOS's sentence, nothing changed. The store's index names the VMs
 * that may hold it; their records decide (core/vm/conflicts.ts).
 */
export function refuseConflicts(rt: Runtime, record: VmRecord, before?: VmRecord, inUse?: InUse): void {
  const keys = newConflictKeys(record, before).map(indexKeyOf);
  if (keys.length === 0) return;
  const index = inUse ?? rt.vms.inUse();
  if (!keys.some((k) => index.has(k))) return;
  const others = index.holders(keys).flatMap((uuid) => rt.vms.get(uuid) ?? []);
  const conflict = findConflict(record, others, before);
  if (conflict !== undefined) throw new AppError(conflict);
}

/**
 * Configure and install the zone, store the VM (the commit), bring the
 * firewall of every VM it touches up to date, boot it when autoboot.
 */
async function provision(rt: Runtime, c: Change, made: VmRecord): Promise<VmRecord> {
  const { host } = rt;
  const zone = zoneOf(made);
  const installed: VmRecord = { ...made, state: 'stopped', zone_state: 'installed' };
  const plan = await planVmChange(rt, { created: installed });
  const madeDisks: DiskVolume[] = [];
  await c.begin({ kind: 'vm', op: 'create', uuid: made.uuid, before: null, after: rt.vms.toStored(installed) }, [...plan.pending, made.uuid]);
  try {
    await host.configure(zone, createScript(made));
    c.step('create:configured');
    await host.install(zone, { quota: made.quota, imageUuid: made.image_uuid });
    c.step('create:installed');
    // HVM disks after the install: a bhyve disk's volume is inside the zone's dataset (docs/vmadm-cli.md §10)
    if (volumesDiffer(undefined, made)) {
      await reconcileDisks(host, zone, undefined, made, { destroy: false, fresh: true, made: madeDisks });
      c.step('create:disks');
    }
    await rt.vms.put(installed);
    c.commit('create:stored');
  } catch (err) {
    rethrowCrash(err);
    // undo: the zone and the disks it made (never a volume that was there), then whatever files were made; the error reported is the one that stopped the create
    const undone = await removeZone(host, zone).then(() => undoDisks(host, zone, undefined, made, madeDisks)).then(
      () => true,
      () => false,
    );
    if (undone) {
      rt.vms.removeFiles(made.uuid, made.zonepath);
      await c.abandon();
    }
    throw err;
  }
  try {
    // firewall (docs/vmadm-cli.md §12): the VM is stored and installed, not yet booted
    const sync = await syncPlan(rt, plan, made.uuid);
    c.point('create:synced');
    if (sync.failed.length > 0) throw new AppError(`Error adding firewall rules for VM: ${sync.failures[0]}`);
    let vm = installed;
    if (made.autoboot) {
      await host.boot(zone);
      c.point('create:booted');
      vm = { ...installed, state: 'running', zone_state: 'running', boot_timestamp: rt.now().toISOString() };
      await rt.vms.put(vm);
      c.point('create:running');
    }
    await c.end(sync);
    return vm;
  } catch (err) {
    rethrowCrash(err);
    // undo the whole create: the record first (readers stop seeing the VM), then the zone, then the others' firewalls
    rt.vms.removeRecord(made.uuid);
    const undone = await removeZone(host, zone).then(() => reconcileDisks(host, zone, made, undefined, { destroy: true })).then(
      () => true,
      () => false,
    );
    if (undone) rt.vms.removeFiles(made.uuid, made.zonepath);
    const back = await syncVms(rt, plan.before, plan.pending);
    if (undone) await c.end(back);
    throw err;
  }
}

/** `vmadm create`. */
export async function createVmChange(rt: Runtime, payload: Record<string, unknown>): Promise<Completed<VmOutcome>> {
  return runChange(rt, 'vmadm create', async (c) => {
    if (typeof payload.uuid === 'string' && UUID_ANY_CASE.test(payload.uuid)) {
      const wanted = payload.uuid.toLowerCase();
      const zone: ZoneRef = { zonename: wanted, uuid: wanted, zonepath: rt.vms.zonepathOf('zones', wanted), brand: String(payload.brand ?? 'joyent') };
      if (rt.vms.has(wanted) || (await rt.host.zoneState(zone)) !== undefined) {
        throw new AppError(`VM with UUID ${payload.uuid} already exists`);
      }
    }
    const made = withoutConflicts(rt, payload, undefined, () => createVm(payload, rt.vmEnv()));
    if (!made.ok) return made;
    return { ...made, record: await provision(rt, c, made.record) };
  });
}

// ---------------------------------------------------------------- update

/** Properties whose change can change firewall files (docs/vmadm-cli.md §12). */
const FIREWALL_KEYS = ['add_nics', 'remove_nics', 'update_nics', 'set_tags', 'remove_tags', 'owner_uuid', 'firewall_enabled', 'nics', 'tags'];

/**
 * Apply an update: the zone (zonecfg -u, zfs quota), the record, then
 * every VM whose derived state follows. A failure undoes it all.
 * `force`: VMs whose firewall is regenerated even if their text is the
 * same (fwadm start: files missing or stale).
 */
async function applyUpdate(
  rt: Runtime,
  c: Change,
  before: VmRecord,
  after: VmRecord,
  op: 'update' | 'start' | 'stop',
  opts: { firewall: boolean; what: string; force?: readonly string[] },
): Promise<void> {
  const { host } = rt;
  const zone = zoneOf(before);
  const plan = opts.firewall ? await planVmChange(rt, { before, after }) : undefined;
  const pending = [...(plan?.pending ?? []), before.uuid, ...(opts.force ?? [])];
  // made before the journal: a record zonecfg cannot carry is refused with nothing begun
  const script = updateScript(before, after);
  updateScript(after, before);
  await c.begin({ kind: 'vm', op, uuid: before.uuid, before: rt.vms.toStored(before), after: rt.vms.toStored(after) }, pending);
  const undo: Array<() => Promise<unknown>> = [];
  // whether its disks' volumes change: made and grown before the store, those removed destroyed once the change is made
  const disks = volumesDiffer(before, after);
  try {
    if (script !== '') {
      await host.reconfigure(zone, script);
      undo.push(() => reconfigureOnce(host, zone, updateScript(after, before)));
      c.step(`${op}:reconfigured`);
    }
    if (after.quota !== before.quota) {
      await host.setQuota(zone, after.quota);
      undo.push(() => host.setQuota(zone, before.quota));
      c.step(`${op}:quota`);
    }
    if (disks) {
      const made: DiskVolume[] = [];
      undo.push(() => undoDisks(host, zone, before, after, made));
      await reconcileDisks(host, zone, before, after, { destroy: false, fresh: true, made });
      c.step(`${op}:disks`);
    }
    await rt.vms.put(after);
    c.commit(`${op}:stored`);
  } catch (err) {
    rethrowCrash(err);
    await undoAll(undo);
    await c.abandon();
    throw err;
  }
  // no firewall property changed: the VM's config files alone follow from it
  const alone = (vm: VmRecord): StoredState => ({ vms: [vm], rules: [], remoteVms: [] });
  const sync = plan ? await syncPlan(rt, plan, after.uuid, opts.force) : await syncVms(rt, alone(after), [after.uuid], { firewall: false });
  c.point(`${op}:synced`);
  if (sync.failed.length > 0) {
    // the VM stays as it was
    await rt.vms.put(before);
    await undoAll(undo);
    const back = plan ? await syncVms(rt, plan.before, pending) : await syncVms(rt, alone(before), [before.uuid], { firewall: false });
    await c.end(back);
    throw new AppError(`${opts.what}: ${sync.failures[0]}`);
  }
  if (disks) {
    // the volumes of removed disks: their data goes now, with the change made (a kill here is finished by recovery)
    await reconcileDisks(host, zone, before, after, { destroy: true, make: false });
    c.point(`${op}:disks-destroyed`);
  }
  await c.end(sync);
}

/** `vmadm update`. */
export async function updateVmChange(rt: Runtime, uuid: string, payload: Record<string, unknown>): Promise<Completed<UpdateOutcome>> {
  return runChange(rt, 'vmadm update', async (c) => {
    const before = mustGet(rt, uuid);
    const out = withoutConflicts(rt, payload, before, () => updateVm(before, payload, rt.vmEnv()));
    if (!out.ok || !out.changed) return out;
    const after = out.record;
    const what =
      before.firewall_enabled !== after.firewall_enabled
        ? `Error ${after.firewall_enabled ? 'enabling' : 'disabling'} firewall for VM`
        : 'Error updating firewall rules for VM';
    await applyUpdate(rt, c, before, after, 'update', { firewall: FIREWALL_KEYS.some((k) => k in payload), what });
    return out;
  });
}

/**
 * `fwadm start` / `fwadm stop`: firewall_enabled set (as `vmadm update
 * <uuid> firewall_enabled=...`), and the VM's firewall regenerated and
 * loaded even when the flag was already set (its files may be missing or
 * stale).
 */
export async function setVmFirewall(rt: Runtime, uuid: string, enabled: boolean): Promise<Completed<UpdateOutcome>> {
  return runChange(rt, enabled ? 'fwadm start' : 'fwadm stop', async (c) => {
    const before = mustGet(rt, uuid, `VM ${uuid} not found`);
    const out = updateVm(before, { firewall_enabled: enabled }, rt.vmEnv());
    if (!out.ok) return out;
    const what = `Error ${enabled ? 'enabling' : 'disabling'} firewall for VM`;
    if (out.changed) {
      await applyUpdate(rt, c, before, out.record, 'update', { firewall: true, what, force: [uuid] });
      return out;
    }
    // already so: its derived state is made again from the stored truth
    const sync = await syncVms(rt, await readState(rt), [uuid]);
    await c.rt.journal.setPending([...new Set([...rt.journal.pending().filter((u) => !sync.done.includes(u)), ...sync.failed])]);
    if (sync.failed.length > 0) throw new AppError(`${what}: ${sync.failures[0]}`);
    return out;
  });
}

// ---------------------------------------------------------------- delete

/** `vmadm delete`: the VM's uuid. */
export async function deleteVmChange(rt: Runtime, uuid: string): Promise<Completed<string>> {
  return runChange(rt, 'vmadm delete', async (c) => {
    const { host } = rt;
    const vm = mustGet(rt, uuid);
    for (const key of ['indestructible_zoneroot', 'indestructible_delegated']) {
      if (vm[key] === true) throw new AppError(`Failed to delete VM ${vm.uuid}: ${key} is set, cannot delete`);
    }
    const zone = zoneOf(vm);
    const plan = await planVmChange(rt, { deleted: vm });
    await c.begin({ kind: 'vm', op: 'delete', uuid: vm.uuid, before: rt.vms.toStored(vm), after: null }, plan.pending);
    const undo: Array<() => Promise<unknown>> = [];
    let zs: string | undefined;
    try {
      // as SmartOS: autoboot is cleared first, so a delete that fails
      // half-way leaves a VM that does not come back with the host
      if (vm.autoboot) {
        const cleared: VmRecord = { ...vm, autoboot: false };
        const script = updateScript(vm, cleared);
        try {
          await host.reconfigure(zone, script);
          undo.push(() => reconfigureOnce(host, zone, updateScript(cleared, vm)));
        } catch (err) {
          // a zone that is already gone has no autoboot to clear
          if ((await host.zoneState(zone)) !== undefined) throw err;
        }
        c.step('delete:autoboot-cleared');
      }
      zs = await host.zoneState(zone);
      if (zs === 'running' || zs === 'ready' || zs === 'shutting_down' || zs === 'down') {
        await host.halt(zone, true);
        if (vm.state === 'running') undo.push(() => host.boot(zone));
        c.step('delete:halted');
      }
      if (zs !== undefined && zs !== 'configured' && zs !== 'incomplete') {
        await host.uninstall(zone);
      }
    } catch (err) {
      rethrowCrash(err);
      await undoAll(undo);
      await c.abandon();
      throw err;
    }
    // past uninstall: the VM's data is gone; from here the delete is finished, never undone
    rt.vms.removeRecord(vm.uuid);
    c.commit('delete:uninstalled');
    try {
      if (volumesDiffer(vm, undefined)) {
        await reconcileDisks(host, zone, vm, undefined, { destroy: true });
        c.point('delete:disks');
      }
      if (zs !== undefined) await host.unconfigure(zone);
      c.point('delete:unconfigured');
      rt.vms.removeFiles(vm.uuid, vm.zonepath);
    } catch (err) {
      rethrowCrash(err);
      if (err instanceof HostError) {
        throw new AppError(`VM ${vm.uuid} is deleted, but its zone could not be removed: ${message(err)} (the next vmadm or fwadm command tries again)`);
      }
      throw err;
    }
    // firewall (docs/fwadm-cli.md §0): other VMs' files stop naming this VM
    const sync = await syncVms(rt, plan.after, plan.pending, { compiled: plan.compiled });
    c.point('delete:synced');
    await c.end(sync);
    for (const f of sync.failures) c.notes.push(`still pending: ${f}`);
    return vm.uuid;
  });
}

// ---------------------------------------------------------------- start, stop, reboot

/**
 * start and stop: autoboot set through zonecfg (undone if what follows
 * fails or is interrupted), then the host's step (boot, halt); once that
 * is done the change is finished, even when interrupted: the record says
 * what the zone is.
 */
export async function powerChange(rt: Runtime, c: Change, op: 'start' | 'stop', vm: VmRecord, next: VmRecord, after: VmRecord, hostStep: () => Promise<void>): Promise<void> {
  const { host } = rt;
  const zone = zoneOf(vm);
  await c.begin({ kind: 'vm', op, uuid: vm.uuid, before: rt.vms.toStored(vm), after: rt.vms.toStored(after) }, []);
  const undo: Array<() => Promise<unknown>> = [];
  try {
    const script = updateScript(vm, next);
    if (script !== '') {
      await host.reconfigure(zone, script);
      undo.push(() => reconfigureOnce(host, zone, updateScript(next, vm)));
      c.step(`${op}:reconfigured`);
    }
    await hostStep();
  } catch (err) {
    rethrowCrash(err);
    await undoAll(undo);
    await c.abandon();
    throw err;
  }
  c.point(op === 'start' ? 'start:booted' : 'stop:halted');
  await rt.vms.put(after);
  c.commit(`${op}:stored`);
  await c.end();
}

/** `vmadm start`: the line to print. */
export async function startVmChange(rt: Runtime, uuid: string): Promise<Completed<string>> {
  return runChange(rt, 'vmadm start', async (c) => {
    const vm = mustGet(rt, uuid);
    if (vm.state === 'running') return `Unable to start VM ${vm.uuid}: VM ${vm.uuid} is already 'running'`;
    if (vm.state !== 'stopped') throw new AppError(`Unable to start VM ${vm.uuid}: Cannot start vm from state "${vm.state}", must be "stopped".`);
    const next: VmRecord = vm.autoboot ? vm : { ...vm, autoboot: true, last_modified: rt.now().toISOString() };
    // the zone loads its ipf files as it boots (as SmartOS's zones do): no firewall call here
    const booted: VmRecord = { ...next, state: 'running', zone_state: 'running', boot_timestamp: rt.now().toISOString() };
    await powerChange(rt, c, 'start', vm, next, booted, () => rt.host.boot(zoneOf(vm)));
    return `Successfully started VM ${vm.uuid}`;
  });
}

/** `vmadm stop`: the line to print. */
export async function stopVmChange(rt: Runtime, uuid: string, force: boolean, timeout?: number): Promise<Completed<string>> {
  return runChange(rt, 'vmadm stop', async (c) => {
    const vm = mustGet(rt, uuid);
    if (timeout !== undefined && !isHvm(vm.brand) && vm.docker !== true) {
      throw new AppError('Timeout option is only supported for bhyve, KVM and docker containers.');
    }
    const next: VmRecord = vm.autoboot ? { ...vm, autoboot: false, last_modified: rt.now().toISOString() } : vm;
    const running = vm.state === 'running';
    const already = `VM ${vm.uuid} is already not 'running' (currently: ${vm.state})`;
    if (!running && next === vm) return already;
    const after: VmRecord = running ? { ...next, state: 'stopped', zone_state: 'installed', boot_timestamp: undefined } : next;
    // -t: how long the host waits for the VM's own shutdown before halting it
    await powerChange(rt, c, 'stop', vm, next, after, async () => {
      if (running) await rt.host.halt(zoneOf(vm), force, timeout);
    });
    return running ? `Successfully completed stop for VM ${vm.uuid}` : already;
  });
}

/** `vmadm reboot`: the line to print. */
export async function rebootVmChange(rt: Runtime, uuid: string, force: boolean): Promise<Completed<string>> {
  return runChange(rt, 'vmadm reboot', async (c) => {
    const vm = mustGet(rt, uuid);
    if (vm.state !== 'running') throw new AppError(`Cannot reboot vm from state "${vm.state}", must be "running"`);
    // the zone loads its ipf files again as it boots: no firewall call here (as SmartOS)
    await rt.host.reboot(zoneOf(vm), force);
    c.point('reboot:rebooted');
    return `Successfully completed reboot for VM ${vm.uuid}`;
  });
}
