/**
 * The embedded local host's part of vmadm kill, send/receive and
 * reprovision (docs/vmadm-cli.md §16). The local host runs no processes
 * and has no images or datasets, so:
 *
 * - kill: the signal is recorded in the zone's file (`signals`, the last
 *   64), nothing else happens; a zone that is not running has no init;
 * - a zone's data is the files of its zonepath, less zonecfg/ (the host's
 *   record of the zone's configuration): send walks them (no link
 *   followed), receive writes them (never through a link: store/paths);
 * - a zone's root is `<zonepath>/root`; reinstall replaces it with a new,
 *   empty one of the new image (the local host has no image contents),
 *   keeping the rest of the zonepath (config/, a delegated data/): the old
 *   root is moved to `root.reprovisioning` first and removed last, so an
 *   interrupted reinstall is undone by moving it back.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { AppError, HostError } from '../core/errors';
import type { Signal } from '../core/signals';
import { prepareWrite } from '../store/paths';
import type { DiskVolume, ZoneRef } from './host';
import type { LocalHost, LocalZone } from './local';
import type { ZoneDataItem } from './zone-data';
import { removeAll as removeSnapshots } from './local-snapshot';

const ZONENAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** The directory of the zonepath that is the host's own, not the zone's data. */
const HOST_DIR = 'zonecfg';
/** Where the local host keeps a zone's disk volumes: `<zonepath>/disks/disk<N>`, sparse files. */
const DISKS_DIR = 'disks';

/** How many signals a zone keeps. */
const SIGNALS_KEPT = 64;

/** info, sysrq, console: `<command> needs a hypervisor; the local host has none`. */
export function noHypervisor(command: string): AppError {
  return new AppError(`${command} needs a hypervisor; the local host has none`);
}

function zoneOf(h: LocalHost, zone: ZoneRef): LocalZone | undefined {
  return ZONENAME.test(zone.zonename) ? h.read(zone.zonename) : undefined;
}

// ------------------------------------------------------------ kill

export async function signalInit(h: LocalHost, zone: ZoneRef, signal: Signal): Promise<boolean> {
  const z = zoneOf(h, zone);
  if (!z || z.state !== 'running') return false;
  z.signals = [...(z.signals ?? []), signal.name === '0' ? '0' : `SIG${signal.name}`].slice(-SIGNALS_KEPT);
  await h.write(z);
  return true;
}

// ------------------------------------------------------------ send / receive

/** The zone's data: every entry of the zonepath but zonecfg/, parents first, in name order. */
export async function* sendZoneData(h: LocalHost, zone: ZoneRef): AsyncGenerator<ZoneDataItem> {
  const top = zone.zonepath;
  async function* walk(rel: string): AsyncGenerator<ZoneDataItem> {
    const dir = path.join(top, rel);
    for (const name of fs.readdirSync(dir).sort()) {
      // zonecfg/ is the host's; disks/ are the VM's volumes, not sent (docs/vmadm-cli.md §16.3)
      if (rel === '' && (name === HOST_DIR || name === DISKS_DIR)) continue;
      const relPath = rel === '' ? name : `${rel}/${name}`;
      const abs = path.join(dir, name);
      const st = fs.lstatSync(abs);
      if (st.isSymbolicLink()) {
        yield { kind: 'symlink', path: relPath, target: fs.readlinkSync(abs) };
      } else if (st.isDirectory()) {
        yield { kind: 'dir', path: relPath, mode: st.mode & 0o777 };
        yield* walk(relPath);
      } else if (st.isFile()) {
        yield { kind: 'file', path: relPath, mode: st.mode & 0o777, body: fs.createReadStream(abs) };
      }
      // sockets, fifos, devices: not zone data a stream can carry
    }
  }
  if (fs.existsSync(top)) yield* walk('');
}

/** `rel` (checked by the stream reader: relative, no `..`) under the zonepath, refused through a link. */
function target(h: LocalHost, zone: ZoneRef, rel: string): string {
  const first = rel.split('/')[0];
  if (first === HOST_DIR || first === DISKS_DIR) throw new AppError(`the stream writes ${rel}: ${first}/ is the host's, not the zone's`);
  const abs = path.join(zone.zonepath, ...rel.split('/'));
  prepareWrite(h.root, abs);
  return abs;
}

export async function receiveZoneData(h: LocalHost, zone: ZoneRef, item: ZoneDataItem): Promise<void> {
  if (item.kind === 'dataset') {
    throw new AppError(`the stream holds ZFS dataset ${item.name} (sent from an illumos host); the local host receives zone files`);
  }
  const abs = target(h, zone, item.path);
  if (item.kind === 'dir') {
    fs.mkdirSync(abs, { recursive: true, mode: item.mode });
    const st = fs.lstatSync(abs);
    if (!st.isDirectory()) throw new AppError(`${abs}: is not a directory`);
    fs.chmodSync(abs, item.mode);
  } else if (item.kind === 'symlink') {
    fs.symlinkSync(item.target, abs);
  } else {
    // a new file (flag wx): nothing already there is written through or over
    await pipeline(item.body, fs.createWriteStream(abs, { flags: 'wx', mode: item.mode }));
    fs.chmodSync(abs, item.mode);
  }
}

export async function discardZoneData(h: LocalHost, zone: ZoneRef): Promise<void> {
  const z = zoneOf(h, zone);
  if (z && z.state !== 'configured') return; // installed: its data is the zone's
  if (!fs.existsSync(zone.zonepath)) return;
  for (const name of fs.readdirSync(zone.zonepath)) {
    if (name !== HOST_DIR) fs.rmSync(path.join(zone.zonepath, name), { recursive: true, force: true });
  }
}

// ------------------------------------------------------------ reprovision

function roots(zone: ZoneRef): { root: string; old: string } {
  return { root: path.join(zone.zonepath, 'root'), old: path.join(zone.zonepath, 'root.reprovisioning') };
}

export async function reinstall(h: LocalHost, zone: ZoneRef, opts: { imageUuid: string; quota: number }): Promise<void> {
  const z = zoneOf(h, zone);
  const args = ['-z', zone.zonename, 'install', '-q', String(opts.quota), '-t', opts.imageUuid];
  if (!z) throw new HostError(`zoneadm ${args.join(' ')} failed: zoneadm: ${zone.zonename}: No such zone configured`);
  if (z.state !== 'installed') throw new HostError(`zoneadm ${args.join(' ')} failed: zoneadm: zone '${z.zonename}': must be halted before reinstall.`);
  const { root, old } = roots(zone);
  try {
    z.previous_image = z.image_uuid ?? '';
    await h.write(z);
    prepareWrite(h.root, old);
    if (fs.existsSync(root)) fs.renameSync(root, old);
    else fs.mkdirSync(old);
    fs.mkdirSync(root);
    z.image_uuid = opts.imageUuid;
    z.quota = opts.quota;
    await h.write(z);
  } catch (err) {
    await undoReinstall(h, zone).catch(() => undefined);
    throw err;
  }
  // the point of no return: the old root goes, and its snapshots with it (docs/vmadm-cli.md §17)
  fs.rmSync(old, { recursive: true, force: true });
  removeSnapshots(h, zone.uuid);
  delete z.previous_image;
  await h.write(z);
}

export async function hasRoot(h: LocalHost, zone: ZoneRef, imageUuid: string): Promise<boolean> {
  const z = zoneOf(h, zone);
  return z !== undefined && z.image_uuid === imageUuid && !fs.existsSync(roots(zone).old);
}

export async function undoReinstall(h: LocalHost, zone: ZoneRef): Promise<void> {
  const z = zoneOf(h, zone);
  const { root, old } = roots(zone);
  if (fs.existsSync(old)) {
    fs.rmSync(root, { recursive: true, force: true });
    fs.renameSync(old, root);
  }
  if (z && z.previous_image !== undefined) {
    if (z.previous_image === '') delete z.image_uuid;
    else z.image_uuid = z.previous_image;
    delete z.previous_image;
    await h.write(z);
  }
}

// ------------------------------------------------------------ disks

const MIB = 1024 * 1024;

/** The file of a disk's volume: `<zonepath>/disks/disk<N>`, N that of its dataset (`<zpool>/<uuid>-disk<N>`, `<zpool>/<uuid>/disk<N>`). */
export function diskFile(zone: ZoneRef, disk: DiskVolume): string {
  const m = /disk(\d+)$/.exec(disk.zfs_filesystem);
  if (!m) throw new AppError(`${disk.zfs_filesystem}: not the dataset of a disk (it must end in disk<N>)`);
  return path.join(zone.zonepath, DISKS_DIR, `disk${m[1]}`);
}

const zfsFailure = (args: string[], why: string): HostError => new HostError(`zfs ${args.join(' ')} failed: ${why}`);

export async function createDisk(h: LocalHost, zone: ZoneRef, disk: DiskVolume): Promise<void> {
  const file = diskFile(zone, disk);
  const args = disk.image_uuid !== undefined ? ['clone', `${disk.image_uuid}@final`, disk.zfs_filesystem] : ['create', '-V', `${disk.size}M`, disk.zfs_filesystem];
  // its directory made on the way, with no link in it
  prepareWrite(h.root, file);
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw zfsFailure(args, `cannot create '${disk.zfs_filesystem}': dataset already exists`);
    throw err;
  }
  try {
    // sparse: the size is real, the blocks are not taken
    fs.ftruncateSync(fd, disk.size * MIB);
  } finally {
    fs.closeSync(fd);
  }
}

export async function changeDisk(h: LocalHost, zone: ZoneRef, from: DiskVolume, to: DiskVolume): Promise<void> {
  if (to.size === from.size) return;
  const file = diskFile(zone, to);
  if (!fs.existsSync(file)) throw zfsFailure(['set', `volsize=${to.size}M`, to.zfs_filesystem], `cannot open '${to.zfs_filesystem}': dataset does not exist`);
  prepareWrite(h.root, file);
  fs.truncateSync(file, to.size * MIB);
}

export async function destroyDisk(h: LocalHost, zone: ZoneRef, disk: DiskVolume): Promise<void> {
  const file = diskFile(zone, disk);
  if (!fs.existsSync(file)) throw zfsFailure(['destroy', '-r', disk.zfs_filesystem], `cannot open '${disk.zfs_filesystem}': dataset does not exist`);
  prepareWrite(h.root, file);
  fs.rmSync(file);
}

export async function hasDisk(zone: ZoneRef, disk: DiskVolume): Promise<boolean> {
  return fs.existsSync(diskFile(zone, disk));
}
