/**
 * `vmadm create-snapshot`, `rollback-snapshot`, `delete-snapshot`
 * (docs/vmadm-cli.md §17): each one change (change.ts, docs/state.md).
 * The record's `snapshots` list is the truth (core/vm/snapshots.ts); the
 * host's snapshots follow it.
 *
 * - create: journal, the host's snapshot `create-snapshot:taken` (undone on
 *   failure or interrupt), the record stored with it (the commit,
 *   `create-snapshot:stored`). Recovery: finished when the record has it,
 *   undone (the host's snapshot destroyed) otherwise.
 * - delete: journal, the host's snapshot destroyed (the commit: it cannot
 *   come back, `delete-snapshot:destroyed`), the record stored without it
 *   (`delete-snapshot:stored`). Recovery: always finished.
 * - rollback: journal, a running VM halted (forced, `rollback-snapshot:halted`;
 *   undone by a boot), the host's rollback (the commit: data since the
 *   snapshot is gone, `rollback-snapshot:rolled-back`), then never undone:
 *   the zone's configuration and quota as the snapshot's record says
 *   (`:reconfigured`), the record stored, stopped (`:stored`), the derived
 *   state of the VMs it touches (`:synced`), the VM booted again if it ran
 *   (`:booted`) and stored running (`:running`). Recovery: undone when the
 *   VM was running and still runs (nothing was done); otherwise finished,
 *   the host's rollback done again (it does the same twice), and the VM
 *   left as its zone is (a VM killed before its boot stays stopped).
 */
import { AppError } from '../core/errors';
import type { VmRecord } from '../core/vm/record';
import {
  checkSnapname,
  findSnapshot,
  newerThan,
  rollbackRefusal,
  rolledBack,
  snapshotRefusal,
  snapshotsOf,
  withoutSnapshot,
  withSnapshot,
} from '../core/vm/snapshots';
import { updateScript } from '../core/zonecfg/script';
import type { Host, ZoneRef } from '../hosts/host';
import type { VmChange } from '../store/journal';
import { runChange, type Completed } from './change';
import { planVmChange } from './firewall';
import { observed, reconfigureOnce } from './recovery';
import { isSimulatedCrash, type Runtime } from './runtime';
import { readState } from './state';
import { syncVms, zoneOf } from './sync';
import { mustGet, refuseConflicts } from './vm';

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The VM, if it can have snapshots. */
function snapshotable(rt: Runtime, uuid: string): VmRecord {
  const vm = mustGet(rt, uuid);
  const refusal = snapshotRefusal(vm);
  if (refusal !== undefined) throw new AppError(refusal);
  return vm;
}

function unknownSnapshot(vm: VmRecord, name: string): AppError {
  return new AppError(`VM ${vm.uuid} has no snapshot "${name}"`);
}

// ---------------------------------------------------------------- create

/** `vmadm create-snapshot <uuid> <snapname>`: the line to print. */
export async function createSnapshotChange(rt: Runtime, uuid: string, name: string): Promise<Completed<string>> {
  checkSnapname(name);
  return runChange(rt, 'vmadm create-snapshot', async (c) => {
    const vm = snapshotable(rt, uuid);
    if (findSnapshot(vm, name)) throw new AppError(`VM ${vm.uuid} already has a snapshot "${name}"`);
    const zone = zoneOf(vm);
    const after = withSnapshot(vm, name, rt.now());
    await c.begin({ kind: 'vm', op: 'create-snapshot', uuid: vm.uuid, before: rt.vms.toStored(vm), after: rt.vms.toStored(after) }, []);
    let taken = false;
    try {
      await rt.host.createSnapshot(zone, name);
      taken = true;
      c.step('create-snapshot:taken');
      await rt.vms.put(after);
      c.commit('create-snapshot:stored');
    } catch (err) {
      if (isSimulatedCrash(err)) throw err;
      if (taken) await rt.host.deleteSnapshot(zone, name).catch(() => undefined);
      await c.abandon();
      throw err;
    }
    await c.end();
    return `Created snapshot ${name} for VM ${vm.uuid}`;
  });
}

// ---------------------------------------------------------------- delete

/** `vmadm delete-snapshot <uuid> <snapname>`: the line to print. */
export async function deleteSnapshotChange(rt: Runtime, uuid: string, name: string): Promise<Completed<string>> {
  checkSnapname(name);
  return runChange(rt, 'vmadm delete-snapshot', async (c) => {
    const vm = snapshotable(rt, uuid);
    if (!findSnapshot(vm, name)) throw unknownSnapshot(vm, name);
    const zone = zoneOf(vm);
    const after = withoutSnapshot(vm, name);
    await c.begin({ kind: 'vm', op: 'delete-snapshot', uuid: vm.uuid, before: rt.vms.toStored(vm), after: rt.vms.toStored(after) }, []);
    try {
      // one the host does not have (gone by other means) is deleted from the record all the same
      if (await rt.host.hasSnapshot(zone, name)) await rt.host.deleteSnapshot(zone, name);
    } catch (err) {
      if (isSimulatedCrash(err)) throw err;
      await c.abandon();
      throw err;
    }
    // the host's snapshot is gone: from here the delete is finished, never undone
    c.commit('delete-snapshot:destroyed');
    await rt.vms.put(after);
    c.point('delete-snapshot:stored');
    await c.end();
    return `Deleted snapshot ${name} for VM ${vm.uuid}`;
  });
}

// ---------------------------------------------------------------- rollback

/** The zone's configuration and quota as `to` says, from `from` (each applied at most once). */
async function reconfigure(host: Host, zone: ZoneRef, from: VmRecord, to: VmRecord): Promise<void> {
  await reconfigureOnce(host, zone, updateScript(from, to));
  if (to.quota !== from.quota) await host.setQuota(zone, to.quota);
}

/** `vmadm rollback-snapshot <uuid> <snapname>`: the line to print. */
export async function rollbackSnapshotChange(rt: Runtime, uuid: string, name: string): Promise<Completed<string>> {
  checkSnapname(name);
  return runChange(rt, 'vmadm rollback-snapshot', async (c) => {
    const { host } = rt;
    const vm = snapshotable(rt, uuid);
    if (!findSnapshot(vm, name)) throw unknownSnapshot(vm, name);
    const disks = rollbackRefusal(vm, name);
    if (disks !== undefined) throw new AppError(disks);
    // as VM.stop answers a VM it cannot stop
    if (vm.state !== 'running' && vm.state !== 'stopped') throw new AppError(`VM ${vm.uuid} is already not 'running' (currently: ${vm.state})`);
    const zone = zoneOf(vm);
    const now = rt.now();
    const restored = rolledBack(vm, name, now);
    const newer = newerThan(vm, name);
    // what the snapshot's record holds may have been taken by another VM since
    refuseConflicts(rt, restored, vm);
    // made before the journal: a record zonecfg cannot carry is refused with nothing begun
    updateScript(vm, restored);
    updateScript(restored, vm);
    const plan = await planVmChange(rt, { before: vm, after: restored });
    const running = vm.state === 'running';
    const stopped: VmRecord = { ...restored, state: 'stopped', zone_state: 'installed', boot_timestamp: undefined };
    const final: VmRecord = running ? { ...restored, state: 'running', zone_state: 'running', boot_timestamp: now.toISOString() } : stopped;
    await c.begin(
      { kind: 'vm', op: 'rollback-snapshot', uuid: vm.uuid, before: rt.vms.toStored(vm), after: rt.vms.toStored(final) },
      [...plan.pending, vm.uuid],
    );
    let halted = false;
    try {
      if (running) {
        await host.halt(zone, true);
        halted = true;
        c.step('rollback-snapshot:halted');
      }
      await host.rollbackSnapshot(zone, name, newer);
    } catch (err) {
      if (isSimulatedCrash(err)) throw err;
      if (halted) await host.boot(zone).catch(() => undefined);
      await c.abandon();
      throw err;
    }
    // the data since the snapshot is gone: from here the rollback is finished, never undone
    c.commit('rollback-snapshot:rolled-back');
    try {
      await reconfigure(host, zone, vm, restored);
      c.point('rollback-snapshot:reconfigured');
      await rt.vms.put(stopped);
      c.point('rollback-snapshot:stored');
    } catch (err) {
      if (isSimulatedCrash(err)) throw err;
      // the journal stays: the next command finishes it
      throw new AppError(`VM ${vm.uuid} is rolled back to snapshot ${name}, but its zone could not be set as the snapshot's record says: ${message(err)} (the next vmadm or fwadm command tries again)`);
    }
    // its config and ipf files are the snapshot's: made again from the record and the rules
    const sync = await syncVms(rt, await readState(rt), [...new Set([...plan.pending, vm.uuid])]);
    c.point('rollback-snapshot:synced');
    if (running) {
      try {
        await host.boot(zone);
        c.point('rollback-snapshot:booted');
      } catch (err) {
        if (isSimulatedCrash(err)) throw err;
        await c.end(sync);
        throw new AppError(`VM ${vm.uuid} is rolled back to snapshot ${name}, but it could not be booted: ${message(err)}`);
      }
      await rt.vms.put(final);
      c.point('rollback-snapshot:running');
    }
    await c.end(sync);
    for (const f of sync.failures) c.notes.push(`still pending: ${f}`);
    return `Rolled back snapshot ${name} for VM ${vm.uuid}`;
  });
}

// ---------------------------------------------------------------- recovery

/** The snapshot a journaled change is about: the one `after` has and `before` has not, or the other way round. */
function changedName(before: VmRecord, after: VmRecord): string {
  const a = new Set(snapshotsOf(before).map((s) => s.name));
  const b = new Set(snapshotsOf(after).map((s) => s.name));
  const added = [...b].find((n) => !a.has(n));
  const removed = [...a].find((n) => !b.has(n));
  return (added ?? removed) as string;
}

/** Recovery of a snapshot change (recovery.ts; see the top of this file). One note. */
export async function recoverSnapshot(rt: Runtime, change: VmChange, what: string): Promise<string> {
  const { host, vms } = rt;
  const before = vms.fromStored(change.before as VmChange['before'] & object);
  const after = vms.fromStored(change.after as VmChange['after'] & object);
  const zone = zoneOf(before);
  const stored = vms.get(before.uuid) ?? before;

  if (change.op === 'create-snapshot') {
    const name = changedName(before, after);
    if (findSnapshot(stored, name)) return `finished ${what}: snapshot ${name} is taken`;
    if (await host.hasSnapshot(zone, name)) await host.deleteSnapshot(zone, name);
    return `undid ${what}: no snapshot ${name} was taken`;
  }

  if (change.op === 'delete-snapshot') {
    const name = changedName(before, after);
    if (await host.hasSnapshot(zone, name)) await host.deleteSnapshot(zone, name);
    if (findSnapshot(stored, name)) await vms.put(withoutSnapshot(stored, name));
    return `finished ${what}: snapshot ${name} is deleted`;
  }

  // rollback-snapshot: the snapshot is the newest the rolled-back VM keeps
  const kept = snapshotsOf(after);
  const name = kept[kept.length - 1].name;
  const zs = await host.zoneState(zone);
  if (before.state === 'running' && zs === 'running' && stored.last_modified === before.last_modified) {
    // killed before its halt: nothing was done
    return `undid ${what}: the VM is as it was`;
  }
  const restored: VmRecord = { ...after, state: before.state, zone_state: before.zone_state };
  if (stored.last_modified !== after.last_modified) {
    // the record is not yet the snapshot's: the host's rollback (again), then the zone, then the record
    if (zs === 'running' || zs === 'ready' || zs === 'shutting_down' || zs === 'down') await host.halt(zone, true);
    await host.rollbackSnapshot(zone, name, newerThan(before, name));
    await reconfigure(host, zone, before, restored);
  }
  const now = await observed(host, { ...restored, state: 'stopped', zone_state: 'installed', boot_timestamp: undefined });
  const final = now.state === 'running' ? { ...now, boot_timestamp: stored.boot_timestamp ?? after.boot_timestamp } : now;
  await vms.put(final);
  return `finished ${what}: the VM is rolled back to snapshot ${name} (${final.state})`;
}
