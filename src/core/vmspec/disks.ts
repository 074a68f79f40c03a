/**
 * HVM disks and OS-VM filesystems, each checked on its own (docs/vmadm-cli.md
 * §8, §10, §15 "Disks and filesystems"; vmadm(8) disks.*, filesystems.*):
 * the relations between a disk's properties, and no path (target) twice in
 * one list. What needs the VM (the disks it has, one boot disk in all) is
 * checked on the merged VM (core/vm/disks.ts). Pure.
 */
import { PCI_SLOT } from './formats';
import { show, type ReportBuilder } from './report';
import { isObject } from '../object';

type Obj = Record<string, unknown>;

/** ZFS compression values vmadm(8) takes for disks.*.compression (as zfs_root_compression). */
export const COMPRESSION = ['on', 'off', 'lzjb', 'gzip', 'gzip-1', 'gzip-2', 'gzip-3', 'gzip-4', 'gzip-5', 'gzip-6', 'gzip-7', 'gzip-8', 'gzip-9', 'zle', 'lz4'];

/** Disk models by brand: KVM's three (vmadm(8)), bhyve's with ahci and nvme. */
export function diskModels(brand: string | undefined): readonly string[] {
  return brand === 'kvm' ? ['virtio', 'ide', 'scsi'] : ['virtio', 'ide', 'scsi', 'ahci', 'nvme'];
}

/**
 * A device or mount path as zonecfg and the host take it: absolute, no
 * blank, quote or control character, no `.`/`..` part, no empty part.
 */
export function pathProblem(p: string): string | undefined {
  if (!p.startsWith('/')) return 'is not an absolute path';
  if (/[\s"\u0000-\u001f\u007f]/.test(p)) return 'holds a blank, a double quote or a control character';
  const parts = p.split('/').slice(1);
  if (p !== '/' && parts.some((x) => x === '' || x === '.' || x === '..')) return 'has an empty, "." or ".." part';
  return undefined;
}

const isPow2 = (n: number): boolean => (n & (n - 1)) === 0;

/**
 * One disk of `disks` / `add_disks` (`whole`: a new disk, every rule) or of
 * `update_disks` (its `path` and what it changes).
 */
function checkDisk(d: Obj, name: string, brand: string | undefined, report: ReportBuilder, whole: boolean): void {
  const cdrom = d.media === 'cdrom';
  if (typeof d.path === 'string') {
    const why = pathProblem(d.path);
    if (why) report.badValue(`${name}.path`, `${show(d.path)} ${why}`);
  }
  if (typeof d.model === 'string' && brand !== undefined && !diskModels(brand).includes(d.model)) {
    report.badValue(`${name}.model`, `${show(d.model)} is not a ${brand} disk model (${diskModels(brand).join(', ')})`);
  }
  if (typeof d.compression === 'string' && !COMPRESSION.includes(d.compression)) {
    report.badValue(`${name}.compression`, `${show(d.compression)} is not one of ${COMPRESSION.join(', ')}`);
  }
  if (typeof d.block_size === 'number' && Number.isInteger(d.block_size) && !isPow2(d.block_size)) {
    report.badValue(`${name}.block_size`, `${d.block_size} is not a power of two`);
  }
  if (typeof d.pci_slot === 'string') {
    if (brand === 'kvm') report.badValue(`${name}.pci_slot`, 'is a bhyve disk property (kvm disks have no PCI slot)');
    else if (!PCI_SLOT.test(d.pci_slot)) report.badValue(`${name}.pci_slot`, `${show(d.pci_slot)} is not a PCI slot: [<bus 0-255>:]<slot 0-31>:<function 0-7>`);
  }
  const size = typeof d.size === 'number' ? d.size : undefined;
  if (typeof d.refreservation === 'number' && size !== undefined && d.refreservation > size) {
    report.badValue(`${name}.refreservation`, `${d.refreservation} is more than the disk's size (${size} MiB)`);
  }
  if (!whole) return;
  const image = d.image_uuid !== undefined;
  if (cdrom) {
    if (d.path === undefined) report.missing(`${name}.path`, 'is required for a cdrom (the image it shows)');
    for (const k of ['size', 'image_uuid', 'block_size', 'refreservation', 'compression']) {
      if (d[k] !== undefined) report.badValue(`${name}.${k}`, 'is not taken by a cdrom (it has no volume)');
    }
    return;
  }
  if (d.path !== undefined && d.nocreate !== true) {
    report.badValue(`${name}.path`, 'is named by vmadm for a disk it creates (give nocreate: true to use a volume that exists)');
  }
  if (image) {
    if (d.size !== undefined) report.badValue(`${name}.size`, 'is not taken with image_uuid (the disk is image_size MiB)');
    if (d.image_size === undefined) report.missing(`${name}.image_size`, 'is required with image_uuid');
    if (d.block_size !== undefined) report.badValue(`${name}.block_size`, 'is not taken with image_uuid (the image has its own)');
    if (d.nocreate === true) report.badValue(`${name}.nocreate`, 'is not taken with image_uuid');
  } else {
    if (d.size === undefined) report.missing(`${name}.size`, 'is required for a disk without image_uuid');
    for (const k of ['image_size', 'image_name']) if (d[k] !== undefined) report.badValue(`${name}.${k}`, 'is only taken with image_uuid');
  }
  if (image && typeof d.refreservation === 'number' && typeof d.image_size === 'number' && d.refreservation > d.image_size) {
    report.badValue(`${name}.refreservation`, `${d.refreservation} is more than the disk's size (${d.image_size} MiB)`);
  }
}

/** `disks`, `add_disks` or `update_disks`: each disk, then no path twice in the list. */
export function checkDiskList(list: unknown, listName: string, brand: string | undefined, report: ReportBuilder): void {
  if (!Array.isArray(list)) return;
  const update = listName === 'update_disks';
  const seen = new Map<string, number>();
  let boots = 0;
  list.forEach((d, i) => {
    if (!isObject(d)) return;
    const name = `${listName}.${i}`;
    if (update && d.path === undefined) report.missing(`${name}.path`, 'is required to name the disk to update');
    checkDisk(d, name, brand, report, !update);
    if (d.boot === true) boots++;
    if (typeof d.path === 'string') {
      const at = seen.get(d.path);
      if (at !== undefined) report.badValue(listName, `${show(d.path)} is given twice (${listName}.${at} and ${name})`);
      else seen.set(d.path, i);
    }
  });
  if (boots > 1 && !update) report.badValue(listName, `${boots} disks have boot: true; at most one may`);
}

/** `remove_disks` / `remove_filesystems`: paths, none twice. */
export function checkRemovals(list: unknown, listName: string, report: ReportBuilder): void {
  if (!Array.isArray(list)) return;
  const seen = new Set<string>();
  for (const p of list) {
    if (typeof p !== 'string') continue;
    const why = pathProblem(p);
    if (why) report.badValue(listName, `${show(p)} ${why}`);
    else if (seen.has(p)) report.badValue(listName, `${show(p)} is given twice`);
    seen.add(p);
  }
}

/** A filesystem type: a word (`lofs`, `tmpfs`, `ufs`). */
const FS_TYPE = /^[a-z][a-z0-9_-]{0,31}$/;
/** A mount option: a word, or `name=value`; no comma (zonecfg keeps them as a list). */
const FS_OPTION = /^[A-Za-z0-9_.:/+=-]+$/;

/**
 * `filesystems`, `add_filesystems` (`whole`: type, source and target each
 * required) or `update_filesystems` (keyed by `target`).
 */
export function checkFilesystemList(list: unknown, listName: string, report: ReportBuilder): void {
  if (!Array.isArray(list)) return;
  const update = listName === 'update_filesystems';
  const seen = new Map<string, number>();
  list.forEach((f, i) => {
    if (!isObject(f)) return;
    const name = `${listName}.${i}`;
    for (const k of update ? ['target'] : ['type', 'source', 'target']) {
      if (f[k] === undefined) report.missing(`${name}.${k}`, update ? 'is required to name the filesystem to update' : 'is required');
    }
    for (const k of ['source', 'target', 'raw']) {
      const v = f[k];
      if (typeof v !== 'string') continue;
      const why = pathProblem(v);
      if (why) report.badValue(`${name}.${k}`, `${show(v)} ${why}`);
    }
    if (typeof f.target === 'string' && f.target === '/') report.badValue(`${name}.target`, 'cannot be the zone\'s root');
    if (typeof f.type === 'string' && !FS_TYPE.test(f.type)) report.badValue(`${name}.type`, `${show(f.type)} is not a filesystem type`);
    if (Array.isArray(f.options)) {
      for (const o of f.options) {
        if (typeof o === 'string' && !FS_OPTION.test(o)) report.badValue(`${name}.options`, `${show(o)} is not a mount option`);
      }
    }
    if (typeof f.target === 'string') {
      const at = seen.get(f.target);
      if (at !== undefined) report.badValue(listName, `${show(f.target)} is mounted twice (${listName}.${at} and ${name})`);
      else seen.set(f.target, i);
    }
  });
}
