/**
 * The one recovery routine (docs/state.md "Recovery"), run by every
 * command that changes anything, vmadm or fwadm, as soon as it holds the
 * lock:
 *
 *  1. a change left in the journal is finished or undone, so that records
 *     and zones agree: a rule change (its journal is its commit) is written
 *     again; a VM change is finished when its record was stored, undone
 *     when not (a create's zone removed, an update's zone configuration
 *     and quota put back), and a delete that got past uninstalling the zone
 *     is finished;
 *  2. the VMs that change named, and those left pending by earlier
 *     commands, get their derived state from the stored truth (sync.ts);
 *  3. the VMs whose state the host knows better than the record (the zone
 *     of an interrupted start, stop or boot) get the state the host reports.
 *
 * It says what it did, one note per repair; what it cannot do now stays
 * in the journal or pending, for the next command to try again.
 */
import { HostError } from '../core/errors';
import type { VmRecord } from '../core/vm/record';
import { updateScript } from '../core/zonecfg/script';
import type { Host, ZoneRef } from '../hosts/host';
import type { Journal, VmChange } from '../store/journal';
import { reconcileDisks } from './disks';
import { recordVmEvent } from './events';
import { recoverReceive } from './transfer';
import { recoverReprovision } from './vm-reprovision';
import { recoverSnapshot } from './vm-snapshot';
import type { Runtime } from './runtime';
import { readState } from './state';
import { syncVms, zoneOf } from './sync';

export interface Recovered {
  /** What was finished or repaired, one line each. */
  readonly notes: string[];
  /** VMs still pending, and why (one line each). */
  readonly pending: string[];
  readonly failures: string[];
  /** A journal that could not be finished now (it stays): no other change may be made until it is. */
  readonly unfinished?: string;
}

/** Zone states in which a zone must be halted before it can be uninstalled. */
const UP = new Set(['running', 'ready', 'shutting_down', 'down']);

/**
 * Remove a zone whatever state it is in (no zone: nothing to do). The halt
 * is forced (`zoneadm -u <uuid> halt -X`), so the zone's brand plays no part.
 */
export async function removeZone(host: Host, zone: ZoneRef): Promise<void> {
  const state = await host.zoneState(zone);
  if (state === undefined) return;
  if (UP.has(state)) await host.halt(zone, true);
  if (state !== 'configured') await host.uninstall(zone);
  await host.unconfigure(zone);
}

/**
 * Apply a zonecfg script that may already have been applied: zonecfg takes
 * a script whole or not at all, and the scripts here are exact inverses,
 * so a script refused by a zone that exists is one the zone already
 * reflects. Returns whether it was applied now.
 */
export async function reconfigureOnce(host: Host, zone: ZoneRef, script: string): Promise<boolean> {
  if (script === '') return false;
  try {
    await host.reconfigure(zone, script);
    return true;
  } catch (err) {
    if (err instanceof HostError && (await host.zoneState(zone)) !== undefined) return false;
    throw err;
  }
}

/** The record with the state the host reports for its zone (the record itself when they agree or the zone is gone). */
export async function observed(host: Host, vm: VmRecord): Promise<VmRecord> {
  const zs = await host.zoneState(zoneOf(vm));
  if (zs === undefined) return vm;
  const state = zs === 'running' ? 'running' : zs === 'installed' ? 'stopped' : vm.state;
  if (state === vm.state && zs === vm.zone_state) return vm;
  return { ...vm, state, zone_state: zs };
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function who(j: Journal): string {
  return `an interrupted ${j.verb} (pid ${j.pid})`;
}

/** Finish or undo a VM change; one note. */
async function recoverVm(rt: Runtime, j: Journal, change: VmChange): Promise<string> {
  const { host, vms } = rt;
  const before = change.before ? vms.fromStored(change.before) : null;
  const after = change.after ? vms.fromStored(change.after) : null;
  const stored = vms.get(change.uuid);
  const same = (a: VmRecord | null | undefined, b: VmRecord | null): boolean =>
    !!a && !!b && JSON.stringify(vms.toStored(a)) === JSON.stringify(vms.toStored(b));
  const what = `${who(j)} of VM ${change.uuid}`;

  // the changes of their own modules (docs/vmadm-cli.md §16.3, §16.4, §17)
  if (change.op === 'reprovision') return recoverReprovision(rt, change, what);
  if (change.op === 'receive') return recoverReceive(rt, change, what);
  if (change.op === 'create-snapshot' || change.op === 'rollback-snapshot' || change.op === 'delete-snapshot') return recoverSnapshot(rt, change, what);

  if (change.op === 'create') {
    const made = after as VmRecord;
    if (stored) {
      const now = await observed(host, stored);
      if (now !== stored) await vms.put(now);
      return `finished ${what}: the VM is stored (${now.state})`;
    }
    await removeZone(host, zoneOf(made));
    await reconcileDisks(host, zoneOf(made), made, undefined, { destroy: true });
    vms.removeFiles(made.uuid, made.zonepath);
    return `undid ${what}: its zone is removed`;
  }

  if (change.op === 'delete') {
    const gone = before as VmRecord;
    const zone = zoneOf(gone);
    const zs = await host.zoneState(zone);
    if (stored && zs !== undefined && zs !== 'configured' && zs !== 'incomplete') {
      // not past uninstall: the VM is put back as it was
      const cleared: VmRecord = { ...gone, autoboot: false };
      if (gone.autoboot) await reconfigureOnce(host, zone, updateScript(cleared, gone));
      if (gone.state === 'running' && zs !== 'running') await host.boot(zone);
      await vms.put(await observed(host, gone));
      return `undid ${what}: the VM is as it was`;
    }
    await removeZone(host, zone);
    await reconcileDisks(host, zone, gone, undefined, { destroy: true });
    vms.removeRecord(gone.uuid);
    vms.removeFiles(gone.uuid, gone.zonepath);
    return `finished ${what}: its zone and record are removed`;
  }

  // update, start, stop, reboot: finished when the record was stored
  const from = before as VmRecord;
  const to = after as VmRecord;
  const zone = zoneOf(from);
  if (same(stored, to)) {
    await reconcileDisks(host, zone, from, to, { destroy: true });
    const now = await observed(host, stored as VmRecord);
    if (now !== stored) await vms.put(now);
    return `finished ${what}`;
  }
  await reconfigureOnce(host, zone, updateScript(to, from));
  if (to.quota !== from.quota && (await host.zoneState(zone)) !== undefined) await host.setQuota(zone, from.quota);
  await reconcileDisks(host, zone, to, from, { destroy: true });
  const now = await observed(host, stored ?? from);
  if (!same(stored, now)) await vms.put(now);
  return now.state === from.state ? `undid ${what}: the VM is as it was` : `undid ${what}: the VM is as it was, but ${now.state} (as its zone is)`;
}

/** Finish what earlier commands left (call with the lock held). */
export async function recover(rt: Runtime): Promise<Recovered> {
  if (!rt.journal.anyLeft()) return { notes: [], pending: [], failures: [] };
  const notes: string[] = [];
  const j = rt.journal.read();
  let pending = rt.journal.pending();
  if (j) {
    pending = [...new Set([...pending, ...j.pending])];
    try {
      if (j.change.kind === 'rules') {
        await rt.fw.apply(j.change);
        notes.push(`finished ${who(j)}: its rule change is stored`);
      } else {
        notes.push(await recoverVm(rt, j, j.change));
        pending.push(j.change.uuid);
        // its event, unless its command logged it before it died (docs/state.md "Events")
        const unlogged = recordVmEvent(rt, j.change, { once: true });
        if (unlogged !== undefined) notes.push(unlogged);
      }
      await rt.fw.cleanTemps();
      const touched = j.change.kind === 'vm' ? (j.change.after ?? j.change.before) : null;
      rt.vms.cleanTemps(touched ? rt.vms.fromStored(touched).zonepath : undefined);
    } catch (err) {
      // the host cannot do it now: the journal stays for the next command
      return { notes, pending, failures: [], unfinished: `cannot finish ${who(j)}${j.change.kind === 'vm' ? ` of VM ${j.change.uuid}` : ''}: ${message(err)}` };
    }
  }
  const state = await readState(rt);
  const sync = await syncVms(rt, state, pending, { clean: true });
  if (sync.done.length > 0) {
    const n = sync.done.length;
    notes.push(`brought ${n === 1 ? 'VM' : `${n} VMs`} up to date with the stored records and rules: ${sync.done.join(', ')}`);
  }
  await rt.journal.setPending(sync.failed);
  rt.journal.clear();
  return { notes, pending: sync.failed, failures: sync.failures };
}
