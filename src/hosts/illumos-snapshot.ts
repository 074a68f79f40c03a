/**
 * The illumos host's snapshots (docs/vmadm-cli.md §17), SmartOS's ZFS
 * snapshots `<ds>@vmsnap-<name>` of the zone's dataset (<ds> is the
 * zonepath without its leading `/`, `zones/<uuid>`):
 *
 * - an OS VM's: of its root dataset alone (SmartOS refuses VMs with
 *   delegated datasets; core/vm/snapshots.ts);
 * - a bhyve VM's: recursive (`-r`), so that its disks, the volumes below
 *   its dataset, are taken at the same instant, rolled back and destroyed
 *   with it.
 *
 * Rollback is `zfs rollback -r` of each dataset that has the snapshot: the
 * snapshots taken after it are destroyed, as SmartOS's rollback does.
 */
import { SNAPSHOT_PREFIX } from '../core/vm/snapshots';
import type { ZoneRef } from './host';
import type { IllumosHost } from './illumos';
import { exists } from './illumos-ops';

function dataset(zone: ZoneRef): string {
  return zone.zonepath.replace(/^\/+/, '');
}

function recursive(zone: ZoneRef): boolean {
  return zone.brand === 'bhyve';
}

export async function createSnapshot(h: IllumosHost, zone: ZoneRef, name: string): Promise<void> {
  const snap = `${dataset(zone)}@${SNAPSHOT_PREFIX}${name}`;
  await h.run('zfs', recursive(zone) ? ['snapshot', '-r', snap] : ['snapshot', snap]);
}

export function hasSnapshot(h: IllumosHost, zone: ZoneRef, name: string): Promise<boolean> {
  return exists(h, `${dataset(zone)}@${SNAPSHOT_PREFIX}${name}`);
}

export async function rollbackSnapshot(h: IllumosHost, zone: ZoneRef, name: string): Promise<void> {
  const ds = dataset(zone);
  // a bhyve VM's disks are datasets below its own: each that has the snapshot
  const all = recursive(zone) ? (await h.run('zfs', ['list', '-H', '-o', 'name', '-r', '-t', 'filesystem,volume', ds])).split('\n').filter((l) => l !== '') : [ds];
  for (const d of all) {
    const snap = `${d}@${SNAPSHOT_PREFIX}${name}`;
    if (d === ds || (await exists(h, snap))) await h.run('zfs', ['rollback', '-r', snap]);
  }
}

export async function deleteSnapshot(h: IllumosHost, zone: ZoneRef, name: string): Promise<void> {
  const snap = `${dataset(zone)}@${SNAPSHOT_PREFIX}${name}`;
  await h.run('zfs', recursive(zone) ? ['destroy', '-r', snap] : ['destroy', snap]);
}
