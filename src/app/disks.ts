/**
 * A VM's disk volumes on the host brought to what its record says
 * (docs/vmadm-cli.md §10, §15 "Disks and filesystems"; docs/state.md): the
 * one routine create, update, delete and recovery use, so that a change
 * killed at any point converges. Every call is idempotent: what is there
 * already is left, what is missing is made, sizes and properties are set
 * to absolute values.
 */
import { hasVolume } from '../core/vm/disks';
import type { DiskRecord, VmRecord } from '../core/vm/record';
import type { DiskVolume, Host, ZoneRef } from '../hosts/host';

/** A disk's volume as the host takes it. */
function volume(d: DiskRecord): DiskVolume {
  return {
    zfs_filesystem: d.zfs_filesystem as string,
    size: d.size ?? d.image_size ?? 0,
    ...(d.block_size !== undefined ? { block_size: d.block_size } : {}),
    ...(d.compression !== undefined ? { compression: d.compression } : {}),
    ...(d.refreservation !== undefined ? { refreservation: d.refreservation } : {}),
    ...(d.image_uuid !== undefined ? { image_uuid: d.image_uuid } : {}),
  };
}

/** The volumes of a VM's disks (those vmadm creates), by dataset. */
export function volumesOf(vm: VmRecord | undefined): Map<string, DiskVolume> {
  const out = new Map<string, DiskVolume>();
  for (const d of vm?.disks ?? []) if (hasVolume(d)) out.set(d.zfs_filesystem as string, volume(d));
  return out;
}

/** Whether the two records' volumes differ (some made, changed or destroyed going from one to the other). */
export function volumesDiffer(a: VmRecord | undefined, b: VmRecord | undefined): boolean {
  return JSON.stringify([...volumesOf(a)].sort()) !== JSON.stringify([...volumesOf(b)].sort());
}

/**
 * Make the host's volumes those of `to`, coming from `from`: unless
 * `make` is false, each of `to`'s made when missing, or changed where it
 * differs from `from`'s; with `destroy`, each of `from`'s that `to` lacks
 * destroyed when there. `fresh` (a command's own step, not a recovery):
 * a volume `from` lacks is made without looking, so one that is there
 * already is refused as zfs refuses it, never taken over; each volume
 * made is pushed to `made` (what an undo may destroy).
 */
export async function reconcileDisks(
  host: Host,
  zone: ZoneRef,
  from: VmRecord | undefined,
  to: VmRecord | undefined,
  opts: { destroy: boolean; make?: boolean; fresh?: boolean; made?: DiskVolume[] },
): Promise<void> {
  const had = volumesOf(from);
  const want = volumesOf(to);
  for (const [ds, v] of opts.make === false ? [] : want) {
    const old = had.get(ds);
    if (old === undefined ? opts.fresh || !(await host.hasDisk(zone, v)) : !(await host.hasDisk(zone, v))) {
      await host.createDisk(zone, v);
      opts.made?.push(v);
    } else if (old !== undefined && JSON.stringify(old) !== JSON.stringify(v)) await host.changeDisk(zone, old, v);
  }
  if (!opts.destroy) return;
  for (const [ds, v] of had) if (!want.has(ds) && (await host.hasDisk(zone, v))) await host.destroyDisk(zone, v);
}

/**
 * Undo a command's own disk step (`fresh` reconcile from `before` to
 * `after`): the volumes it made destroyed, those it changed put back.
 */
export async function undoDisks(host: Host, zone: ZoneRef, before: VmRecord | undefined, after: VmRecord, made: readonly DiskVolume[]): Promise<void> {
  const had = volumesOf(before);
  for (const [ds, v] of volumesOf(after)) {
    const old = had.get(ds);
    if (old !== undefined && JSON.stringify(old) !== JSON.stringify(v) && (await host.hasDisk(zone, v))) await host.changeDisk(zone, v, old);
  }
  for (const v of made) if (await host.hasDisk(zone, v)) await host.destroyDisk(zone, v);
}
