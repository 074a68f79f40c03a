/**
 * HVM disks and OS-VM filesystems in stored form, and the update forms that
 * change them (docs/vmadm-cli.md §8, §10, §15 "Disks and filesystems"):
 * `disks` / `add_disks` get their path, dataset, model and defaults as
 * SmartOS names them; `update_disks` is keyed by `path`, `remove_disks` is
 * a list of paths; `*_filesystems` the same, keyed by `target`. Input here
 * has passed the validator (vmspec/disks.ts). Pure.
 */
import { AppError } from '../errors';
import { isObject } from '../object';
import { show, type ReportBuilder } from '../vmspec/report';
import type { VmEnv } from './env';
import type { DiskRecord, FilesystemRecord, VmRecord } from './record';

type Obj = Record<string, unknown>;

/** ZFS's default volblocksize for a volume vmadm creates (vmadm(8) disks.*.block_size). */
export const DEFAULT_BLOCK_SIZE = 8192;
/** Where a zvol's raw device is. */
const ZVOL_DEV = '/dev/zvol/rdsk/';

/** The model of a disk that names none and whose VM has no disk_driver (docs/vmadm-cli.md §15 "Disks and filesystems"). */
export function defaultDiskModel(brand: string): string {
  return brand === 'kvm' ? 'ide' : 'virtio';
}

/**
 * The dataset of disk N (docs/vmadm-cli.md §10): KVM `<zpool>/<uuid>-disk<N>`
 * beside the zone's dataset; bhyve `<zpool>/<uuid>/disk<N>` inside it.
 */
export function diskDataset(vm: Pick<VmRecord, 'brand' | 'uuid' | 'zpool'>, zpool: string, n: number): string {
  return vm.brand === 'bhyve' ? `${vm.zpool}/${vm.uuid}/disk${n}` : `${zpool}/${vm.uuid}-disk${n}`;
}

/** The disk number N of a dataset or path ending in `disk<N>`, or undefined. */
export function diskIndex(name: string): number | undefined {
  const m = /disk(\d+)$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** Whether the host holds a volume for the disk: a disk vmadm created (not a cdrom, not nocreate). */
export function hasVolume(d: DiskRecord): boolean {
  return d.media !== 'cdrom' && d.nocreate !== true && d.zfs_filesystem !== undefined;
}

/** Keys in the order `vmadm get` shows a disk (SmartOS's). */
export const DISK_ORDER = [
  'path', 'boot', 'model', 'media', 'image_size', 'image_uuid', 'image_name', 'pci_slot', 'uuid', 'zfs_filesystem', 'zpool',
  'size', 'compression', 'refreservation', 'block_size',
] as const;

function ordered<T>(o: Obj, order: readonly string[]): T {
  const out: Obj = {};
  for (const k of order) if (o[k] !== undefined) out[k] = o[k];
  for (const k of Object.keys(o)) if (!(k in out) && o[k] !== undefined) out[k] = o[k];
  return out as T;
}

interface DiskVm {
  brand: VmRecord['brand'];
  uuid: string;
  zpool: string;
  disk_driver?: unknown;
}

/**
 * New disks (create's `disks`, update's `add_disks`) in stored form, given
 * the VM's disks: each created disk gets the lowest free N.
 */
export function newDisks(raw: readonly Obj[], existing: readonly DiskRecord[], vm: DiskVm, listName: string, env: Pick<VmEnv, 'newUuid'>, report: ReportBuilder): DiskRecord[] {
  const used = new Set<number>();
  const paths = new Set<string>();
  for (const d of existing) {
    paths.add(d.path);
    const n = diskIndex(d.zfs_filesystem ?? d.path);
    if (n !== undefined) used.add(n);
  }
  const driver = typeof vm.disk_driver === 'string' ? vm.disk_driver : undefined;
  const out: DiskRecord[] = [];
  raw.forEach((d, i) => {
    const name = `${listName}.${i}`;
    const media = d.media === 'cdrom' ? 'cdrom' : 'disk';
    const zpool = typeof d.zpool === 'string' ? d.zpool : vm.zpool;
    if (vm.brand === 'bhyve' && zpool !== vm.zpool && media === 'disk') {
      report.badValue(`${name}.zpool`, `${show(zpool)}: a bhyve disk is in the VM's own dataset, on its zpool ${vm.zpool}`);
    }
    const disk: Obj = {
      boot: d.boot === true,
      model: typeof d.model === 'string' ? d.model : (driver ?? existing[0]?.model ?? defaultDiskModel(vm.brand)),
      media,
    };
    for (const k of ['image_size', 'image_uuid', 'image_name', 'pci_slot']) if (d[k] !== undefined) disk[k] = d[k];
    if (typeof disk.image_uuid === 'string') disk.image_uuid = disk.image_uuid.toLowerCase();
    if (vm.brand === 'bhyve') disk.uuid = typeof d.uuid === 'string' ? d.uuid.toLowerCase() : env.newUuid();
    if (media === 'cdrom') {
      disk.path = d.path;
    } else {
      let zfs: string | undefined;
      if (typeof d.path === 'string') {
        disk.path = d.path;
        if (d.path.startsWith(ZVOL_DEV)) zfs = d.path.slice(ZVOL_DEV.length);
      } else {
        let n = 0;
        while (used.has(n)) n++;
        zfs = diskDataset(vm, zpool, n);
        disk.path = ZVOL_DEV + zfs;
      }
      const n = zfs === undefined ? undefined : diskIndex(zfs);
      if (n !== undefined) used.add(n);
      if (zfs !== undefined) disk.zfs_filesystem = zfs;
      disk.zpool = zpool;
      const size = typeof d.image_size === 'number' ? d.image_size : (d.size as number);
      disk.size = size;
      disk.compression = typeof d.compression === 'string' ? d.compression : 'off';
      disk.refreservation = typeof d.refreservation === 'number' ? d.refreservation : size;
      if (d.image_uuid === undefined) disk.block_size = typeof d.block_size === 'number' ? d.block_size : DEFAULT_BLOCK_SIZE;
      if (d.nocreate === true) disk.nocreate = true;
    }
    const path = disk.path as string;
    if (paths.has(path)) report.badValue(`${name}.path`, `${show(path)} is already a disk of the VM`);
    paths.add(path);
    out.push(ordered<DiskRecord>(disk, [...DISK_ORDER, 'nocreate']));
  });
  return out;
}

/** What update_disks may change (vmadm(8): block_size, nocreate and the image are a disk's for life). */
const UPDATABLE_DISK = new Set(['boot', 'model', 'size', 'refreservation', 'compression', 'pci_slot']);

/** Every disk form the update payload holds (each only while the VM is stopped). */
export const DISK_FORMS = ['add_disks', 'update_disks', 'remove_disks'] as const;

/**
 * The VM's disks after remove_disks, update_disks, add_disks (in that
 * order), or the VM's own when the payload has none of them. Refused
 * (AppError) while the VM is not stopped; a path no disk has, a shrink,
 * a second boot disk are bad values.
 */
export function applyDiskForms(record: VmRecord, p: Obj, env: Pick<VmEnv, 'newUuid'>, notes: string[], report: ReportBuilder): DiskRecord[] | undefined {
  if (!DISK_FORMS.some((k) => p[k] !== undefined)) return undefined;
  if (record.state !== 'stopped') {
    const forms = DISK_FORMS.filter((k) => p[k] !== undefined).join(', ');
    throw new AppError(`Cannot change the disks of VM ${record.uuid} (${forms}) while it is ${record.state}: stop it first`);
  }
  let disks: DiskRecord[] = (record.disks ?? []).map((d) => ({ ...d }));
  const names = new Map<DiskRecord, string>(disks.map((d, i) => [d, `disks.${i}`]));
  for (const path of (p.remove_disks as string[] | undefined) ?? []) {
    if (!disks.some((d) => d.path === path)) report.badValue('remove_disks', `${show(path)}: the VM has no disk with that path`);
    disks = disks.filter((d) => d.path !== path);
  }
  ((p.update_disks as Obj[] | undefined) ?? []).forEach((u, i) => {
    const name = `update_disks.${i}`;
    const at = disks.findIndex((d) => d.path === u.path);
    if (at < 0) {
      report.badValue(`${name}.path`, `${show(u.path)}: the VM has no disk with that path`);
      return;
    }
    const disk: Obj = { ...disks[at] };
    for (const [k, v] of Object.entries(u)) {
      if (k === 'path' || v === undefined) continue;
      if (!UPDATABLE_DISK.has(k)) {
        if (v !== disk[k]) notes.push(`"${name}.${k}" cannot be changed by update_disks and was ignored`);
        continue;
      }
      if (disk.media === 'cdrom' && (k === 'size' || k === 'refreservation' || k === 'compression')) {
        report.badValue(`${name}.${k}`, 'is not a property of a cdrom (it has no volume)');
        continue;
      }
      if (k === 'size' && typeof v === 'number' && typeof disk.size === 'number' && v < disk.size) {
        report.badValue(`${name}.size`, `${v}: a disk cannot shrink (it is ${disk.size} MiB)`);
        continue;
      }
      disk[k] = v;
    }
    if (typeof disk.refreservation === 'number' && typeof disk.size === 'number' && disk.refreservation > disk.size) {
      report.badValue(`${name}.refreservation`, `${disk.refreservation} is more than the disk's size (${disk.size} MiB)`);
    }
    const next = ordered<DiskRecord>(disk, [...DISK_ORDER, 'nocreate']);
    names.set(next, name);
    disks[at] = next;
  });
  const added = newDisks((p.add_disks as Obj[] | undefined) ?? [], disks, record, 'add_disks', env, report);
  added.forEach((d, i) => names.set(d, `add_disks.${i}`));
  disks = [...disks, ...added];
  const boots = disks.filter((d) => d.boot === true);
  if (boots.length > 1) {
    // named by the payload's disk that makes the second boot disk
    const given = boots.map((d) => names.get(d) ?? '').find((n) => !n.startsWith('disks.'));
    report.badValue(given ? `${given}.boot` : 'disks', `${boots.length} disks would have boot: true (${boots.map((d) => d.path).join(', ')}); at most one may`);
  }
  return disks;
}

/** Filesystem keys in the order `vmadm get` shows them. */
export const FILESYSTEM_ORDER = ['source', 'target', 'raw', 'type', 'options'] as const;

/** Filesystems (create's `filesystems`, `add_filesystems`) in stored form. */
export function newFilesystems(raw: readonly unknown[]): FilesystemRecord[] {
  return raw.filter(isObject).map((f) => ordered<FilesystemRecord>({ ...f, ...(Array.isArray(f.options) ? { options: [...(f.options as string[])] } : {}) }, FILESYSTEM_ORDER));
}

/** Every filesystem form of an update payload. */
export const FILESYSTEM_FORMS = ['add_filesystems', 'update_filesystems', 'remove_filesystems'] as const;

/** The VM's filesystems after remove_, update_, add_filesystems, or undefined when the payload has none of them. */
export function applyFilesystemForms(record: VmRecord, p: Obj, report: ReportBuilder): FilesystemRecord[] | undefined {
  if (!FILESYSTEM_FORMS.some((k) => p[k] !== undefined)) return undefined;
  let fss: FilesystemRecord[] = (record.filesystems ?? []).map((f) => ({ ...f }));
  for (const target of (p.remove_filesystems as string[] | undefined) ?? []) {
    if (!fss.some((f) => f.target === target)) report.badValue('remove_filesystems', `${show(target)}: the VM has no filesystem mounted there`);
    fss = fss.filter((f) => f.target !== target);
  }
  ((p.update_filesystems as Obj[] | undefined) ?? []).forEach((u, i) => {
    const at = fss.findIndex((f) => f.target === u.target);
    if (at < 0) {
      report.badValue(`update_filesystems.${i}.target`, `${show(u.target)}: the VM has no filesystem mounted there`);
      return;
    }
    fss[at] = newFilesystems([{ ...fss[at], ...u }])[0];
  });
  const added = newFilesystems((p.add_filesystems as unknown[] | undefined) ?? []);
  added.forEach((f, i) => {
    if (fss.some((x) => x.target === f.target)) report.badValue(`add_filesystems.${i}.target`, `${show(f.target)}: the VM has a filesystem mounted there already`);
  });
  return [...fss, ...added];
}
