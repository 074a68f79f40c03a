/**
 * `vmadm reprovision <uuid> -f payload` (docs/vmadm-cli.md §16.4): a new
 * image for an OS zone, its data kept, as SmartOS's VM.reprovision does it:
 * the VM stopped, its zone root replaced by one of the new image (the
 * delegated data and config kept: host.reinstall), the zone's dataset-uuid
 * (image_uuid) set, and the VM booted, autoboot set.
 *
 * One change (change.ts): journal, the halt (undone by a boot), the
 * reinstall: its point of no return, so it is the commit (a failure of
 * the reinstall puts the old root back itself); then, never undone, the
 * zone's configuration, the record, its derived state, the boot. Recovery
 * (recoverReprovision) finishes it when the host has the new root, undoes
 * it otherwise.
 */
import { AppError } from '../core/errors';
import { UUID_ANY_CASE } from '../core/uuid';
import type { VmRecord } from '../core/vm/record';
import { snapshotsOf } from '../core/vm/snapshots';
import { updateScript } from '../core/zonecfg/script';
import type { VmChange } from '../store/journal';
import { runChange, type Completed } from './change';
import { observed, reconfigureOnce } from './recovery';
import { isSimulatedCrash, type Runtime } from './runtime';
import { readState } from './state';
import { syncVms, zoneOf } from './sync';
import { mustGet } from './vm';

/** The brands SmartOS reprovisions (a brand install script and the reprovision feature; builder as joyent, unconfirmed). */
const BRANDS = new Set(['joyent', 'joyent-minimal', 'lx', 'builder']);

export interface Reprovisioned {
  readonly line: string;
  /** Payload keys that are not reprovision's, each ignored with a note. */
  readonly notes: string[];
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The image a reprovision payload names; every other key is ignored with a note. */
function imageOf(payload: Record<string, unknown>, notes: string[]): string {
  for (const key of Object.keys(payload)) if (key !== 'image_uuid') notes.push(`"${key}" is not a reprovision property and was ignored`);
  const image = payload.image_uuid;
  if (image === undefined || image === null) throw new AppError('payload is missing image_uuid');
  if (typeof image !== 'string' || !UUID_ANY_CASE.test(image)) throw new AppError(`image_uuid: ${JSON.stringify(image)} is not a UUID`);
  return image.toLowerCase();
}

/** `vmadm reprovision`. */
export async function reprovisionVmChange(rt: Runtime, uuid: string, payload: Record<string, unknown>): Promise<Completed<Reprovisioned>> {
  return runChange(rt, 'vmadm reprovision', async (c) => {
    const { host } = rt;
    const vm = mustGet(rt, uuid);
    if (!BRANDS.has(vm.brand)) throw new AppError(`brand "${vm.brand}" does not yet support reprovision`);
    const notes: string[] = [];
    const imageUuid = imageOf(payload, notes);
    if (vm.indestructible_zoneroot === true) throw new AppError('indestructible_zoneroot is set, cannot reprovision');
    // as VM.stop answers a VM it cannot stop
    if (vm.state !== 'running' && vm.state !== 'stopped') throw new AppError(`VM ${vm.uuid} is already not 'running' (currently: ${vm.state})`);

    const zone = zoneOf(vm);
    // the old root goes with its snapshots, as on SmartOS (docs/vmadm-cli.md §17)
    const next: VmRecord = { ...vm, image_uuid: imageUuid, autoboot: true, last_modified: rt.now().toISOString(), snapshots: undefined };
    const stopped: VmRecord = { ...next, state: 'stopped', zone_state: 'installed' };
    const running: VmRecord = { ...next, state: 'running', zone_state: 'running' };
    await c.begin({ kind: 'vm', op: 'reprovision', uuid: vm.uuid, before: rt.vms.toStored(vm), after: rt.vms.toStored(running) }, [vm.uuid]);
    let halted = false;
    try {
      if (vm.state === 'running') {
        await host.halt(zone, false);
        halted = true;
        c.step('reprovision:halted');
      }
      await host.reinstall(zone, { imageUuid, quota: vm.quota });
    } catch (err) {
      if (isSimulatedCrash(err)) throw err;
      if (halted) await host.boot(zone).catch(() => undefined);
      await c.abandon();
      throw err;
    }
    // the old root is gone: from here the reprovision is finished, never undone
    c.commit('reprovision:reinstalled');
    try {
      await reconfigureOnce(host, zone, updateScript(vm, next));
      c.point('reprovision:reconfigured');
      await rt.vms.put(stopped);
      c.point('reprovision:stored');
    } catch (err) {
      if (isSimulatedCrash(err)) throw err;
      // the journal stays: the next command finishes it
      throw new AppError(`VM ${vm.uuid} is reprovisioned, but its zone could not be set to the new image: ${message(err)} (the next vmadm or fwadm command tries again)`);
    }
    // its new root has config files and ipf files of no one: made from the record and the rules
    const sync = await syncVms(rt, await readState(rt), [vm.uuid]);
    c.point('reprovision:synced');
    try {
      await host.boot(zone);
      c.point('reprovision:booted');
    } catch (err) {
      if (isSimulatedCrash(err)) throw err;
      await c.end(sync);
      throw new AppError(`VM ${vm.uuid} is reprovisioned, but it could not be booted: ${message(err)}`);
    }
    await rt.vms.put(running);
    c.point('reprovision:running');
    await c.end(sync);
    for (const f of sync.failures) c.notes.push(`still pending: ${f}`);
    return { line: `Successfully reprovisioned VM ${vm.uuid}`, notes };
  });
}

/**
 * Recovery of a reprovision (recovery.ts): finished when the host has the
 * new root in place (its zone then set to the new image, the record
 * stored with the state the host reports; a VM not booted stays stopped),
 * undone otherwise (the old root back, the record as it was, with the
 * host's state). One note.
 */
export async function recoverReprovision(rt: Runtime, change: VmChange, what: string): Promise<string> {
  const { host, vms } = rt;
  const before = vms.fromStored(change.before as VmChange['before'] & object);
  const after = vms.fromStored(change.after as VmChange['after'] & object);
  const zone = zoneOf(before);
  const names = snapshotsOf(before).map((s) => s.name);
  if (await host.hasRoot(zone, String(after.image_uuid))) {
    // the old root's snapshots go with it (docs/vmadm-cli.md §17)
    for (const n of names) if (await host.hasSnapshot(zone, n)) await host.deleteSnapshot(zone, n);
    await reconfigureOnce(host, zone, updateScript(before, after));
    const now = await observed(host, after);
    await vms.put(now);
    return `finished ${what}: the VM is reprovisioned (${now.state})`;
  }
  await host.undoReinstall(zone);
  const kept = new Set<string>();
  for (const n of names) if (await host.hasSnapshot(zone, n)) kept.add(n);
  const stored = vms.get(before.uuid) ?? before;
  // a snapshot the host no longer has cannot be made again: the record lets it go
  const back = kept.size === names.length ? before : { ...before, snapshots: kept.size > 0 ? snapshotsOf(before).filter((s) => kept.has(s.name)) : undefined };
  const now = await observed(host, back);
  if (JSON.stringify(vms.toStored(now)) !== JSON.stringify(vms.toStored(stored))) await vms.put(now);
  return now.state === before.state ? `undid ${what}: the VM is as it was` : `undid ${what}: the VM is as it was, but ${now.state} (as its zone is)`;
}
