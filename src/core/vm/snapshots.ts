/**
 * VM snapshots (docs/vmadm-cli.md §17), pure: the snapshot name rules,
 * which VMs can have snapshots, and the `snapshots` list a VM record keeps.
 *
 * The record is the truth (docs/state.md): its `snapshots` lists each
 * snapshot, oldest first, as `{name, created_at, record}`, `record` being
 * the VM's properties when the snapshot was taken (those a rollback puts
 * back: everything but the VM's identity, its place and its power state).
 * The host's snapshots (ZFS `<dataset>@vmsnap-<name>`, or the local host's
 * copies) are derived from it. `vmadm get` shows `{name, created_at}`.
 */
import { AppError } from '../errors';
import type { VmRecord } from './record';

/** The prefix of the ZFS snapshots vmadm makes (SmartOS's: `<dataset>@vmsnap-<name>`). */
export const SNAPSHOT_PREFIX = 'vmsnap-';

/** SmartOS's rule: 64 characters or fewer, letters, digits and `-_.:%`. */
const SNAPNAME = /^[A-Za-z0-9_.:%-]{1,64}$/;

export interface SnapshotEntry {
  name: string;
  /** ISO-8601: when it was taken. */
  created_at: string;
  /** The VM's properties then, less KEPT. */
  record: Record<string, unknown>;
}

/**
 * What a rollback leaves as it is: the VM's identity and place, its power
 * state (autoboot with it: the zone is left as running or stopped as it
 * was), its timestamps, and the snapshot list itself.
 */
const KEPT = new Set([
  'uuid', 'zonename', 'zonepath', 'zpool', 'zfs_filesystem', 'brand', 'v', 'state', 'zone_state', 'autoboot',
  'boot_timestamp', 'init_restarts', 'create_timestamp', 'last_modified', 'snapshots',
]);

/** The snapshot name, checked: `snapname: "<name>" ...` (exit 1) when SmartOS would refuse it. */
export function checkSnapname(name: string): string {
  if (SNAPNAME.test(name)) return name;
  const why = name.length > 64 ? `is ${name.length} characters long (at most 64)` : 'may hold only letters, digits and the characters -_.:%';
  throw new AppError(`snapname: ${JSON.stringify(name)} is not a valid snapshot name: it ${why}`);
}

/** Why the VM cannot have snapshots (SmartOS: OS VMs without delegated datasets, and bhyve VMs), or undefined. */
export function snapshotRefusal(vm: VmRecord): string | undefined {
  if (vm.brand === 'kvm') return `VM ${vm.uuid} is a kvm VM: snapshots of kvm VMs are not supported`;
  if (vm.delegate_dataset === true) return `VM ${vm.uuid} has a delegated dataset: snapshots of VMs with delegated datasets are not supported`;
  return undefined;
}

/**
 * Why the VM cannot be rolled back to its snapshot `name`, or undefined:
 * its disks (HVM volumes: their paths and sizes) are not those the
 * snapshot was taken of. A disk added since has no snapshot to roll back
 * to, a disk removed since is gone with its snapshots, and a volume's size
 * is not rolled back with its data: the VM and its record would not agree.
 */
export function rollbackRefusal(vm: VmRecord, name: string): string | undefined {
  const entry = findSnapshot(vm, name);
  if (entry === undefined) return undefined;
  const shape = (disks: unknown): string =>
    JSON.stringify((Array.isArray(disks) ? (disks as Record<string, unknown>[]) : []).map((d) => [d.path ?? d.zfs_filesystem ?? null, d.size ?? null]));
  if (shape(vm.disks) === shape(entry.record.disks)) return undefined;
  return `VM ${vm.uuid}: its disks have changed since snapshot "${name}" was taken (added, removed or resized): it cannot be rolled back to it`;
}

/** The VM's snapshots, oldest first. */
export function snapshotsOf(vm: VmRecord): SnapshotEntry[] {
  return Array.isArray(vm.snapshots) ? (vm.snapshots as SnapshotEntry[]) : [];
}

export function findSnapshot(vm: VmRecord, name: string): SnapshotEntry | undefined {
  return snapshotsOf(vm).find((s) => s.name === name);
}

/** The properties a snapshot keeps of the VM. */
function properties(vm: VmRecord): Record<string, unknown> {
  return Object.fromEntries(Object.entries(vm).filter(([k, v]) => !KEPT.has(k) && v !== undefined));
}

/** The VM with a new snapshot, the newest. */
export function withSnapshot(vm: VmRecord, name: string, now: Date): VmRecord {
  const entry: SnapshotEntry = { name, created_at: now.toISOString(), record: properties(vm) };
  return { ...vm, snapshots: [...snapshotsOf(vm), entry] };
}

/** The VM without the snapshot `name` (its list otherwise as it was; an empty list is no list). */
export function withoutSnapshot(vm: VmRecord, name: string): VmRecord {
  const rest = snapshotsOf(vm).filter((s) => s.name !== name);
  return { ...vm, snapshots: rest.length > 0 ? rest : undefined };
}

/** The snapshots a rollback to `name` removes: those taken after it (as `zfs rollback -r` destroys them). */
export function newerThan(vm: VmRecord, name: string): string[] {
  const all = snapshotsOf(vm);
  const i = all.findIndex((s) => s.name === name);
  return i < 0 ? [] : all.slice(i + 1).map((s) => s.name);
}

/**
 * The VM rolled back to its snapshot `name`: its properties as they were
 * then, its identity, place and power state as they are, the snapshots
 * up to and including `name`, last_modified now.
 */
export function rolledBack(vm: VmRecord, name: string, now: Date): VmRecord {
  const all = snapshotsOf(vm);
  const i = all.findIndex((s) => s.name === name);
  if (i < 0) throw new Error(`no snapshot ${name}`);
  const kept = Object.fromEntries(Object.entries(vm).filter(([k]) => KEPT.has(k)));
  return { ...all[i].record, ...kept, snapshots: all.slice(0, i + 1), last_modified: now.toISOString() } as unknown as VmRecord;
}

/** What `vmadm get` shows: `[{name, created_at}]`, oldest first (SmartOS: `[]` when there are none). */
export function snapshotsView(vm: VmRecord): { name: string; created_at: string }[] {
  return snapshotsOf(vm).map((s) => ({ name: s.name, created_at: s.created_at }));
}
