/**
 * The embedded local host's snapshots (docs/vmadm-cli.md §17). A snapshot
 * is a copy of the zone's data, the files of its zonepath less zonecfg/
 * (the host's own record of the zone's configuration, which a rollback
 * changes through zonecfg as any change does), kept in the local host's
 * state beside the zone's file:
 *
 *   <root>/host/snapshots/<uuid>/vmsnap-<name>/   the copy
 *
 * The VM's record at that time is kept by the record itself (its
 * `snapshots` list), so a rollback puts back record and files whole.
 *
 * - Copies never follow a link: a link is copied as a link, sockets,
 *   fifos and devices are left out; every write is under the state root
 *   and refused through a link (store/paths.ts), so a copied root works as
 *   the original.
 * - A sparse file (an HVM's disk: a file of the disk's size, mostly holes)
 *   stays sparse and is not read through its holes: it is copied by
 *   `/bin/cp -P --sparse=always` (GNU cp finds the data with SEEK_DATA, so
 *   a 100 GiB disk with little written takes no time and no room), or on
 *   macOS `/bin/cp -c` (an APFS clone). Where neither works, and for every
 *   other file, the copy is made here in 1 MiB reads, and a 64 KiB block of
 *   zeros is skipped rather than written (the file then ends with ftruncate
 *   to its size): holes stay holes where they are whole blocks.
 * - Each step can be done again: a snapshot is made under a temporary
 *   name and renamed into place; a rollback copies the snapshot to
 *   `.restore`, empties the zonepath (but zonecfg/), moves the copy in, and
 *   removes the newer snapshots; a delete renames the copy away first.
 *   Temporary names start with `.`; one a killed command left is removed by
 *   the next snapshot step of that zone (they run one at a time, under the
 *   state lock).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HostError } from '../core/errors';
import { UUID_ANY_CASE as UUID } from '../core/uuid';
import { SNAPSHOT_PREFIX } from '../core/vm/snapshots';
import { prepareWrite } from '../store/paths';
import type { ZoneRef } from './host';
import type { LocalHost } from './local';

/** The directory of the zonepath that is the host's, not the zone's data. */
const HOST_DIR = 'zonecfg';

/** Zeros this long are left as a hole; reads are READ long. */
const BLOCK = 64 * 1024;
const READ = 16 * BLOCK;
const ZEROS = Buffer.alloc(BLOCK);

function zoneDir(h: LocalHost, uuid: string): string {
  if (!UUID.test(uuid)) throw new HostError(`zfs: "${uuid}" is not a zone uuid`);
  return path.join(h.root, 'host', 'snapshots', uuid);
}

function snapDir(h: LocalHost, zone: ZoneRef, name: string): string {
  return path.join(zoneDir(h, zone.uuid), `${SNAPSHOT_PREFIX}${name}`);
}

/** `p`, once neither it nor a directory on its way from the root is a link (refused with one line naming it). */
function noLink(h: LocalHost, p: string): string {
  prepareWrite(h.root, p);
  return p;
}

/** How zfs names it, for messages: `<ds>@vmsnap-<name>`. */
function zfsName(h: LocalHost, zone: ZoneRef, name: string): string {
  const rel = path.relative(h.root, zone.zonepath).split(path.sep).join('/');
  return `${rel}@${SNAPSHOT_PREFIX}${name}`;
}

/** Remove what a killed snapshot step left (names starting with `.`). */
function removeTemps(h: LocalHost, zone: ZoneRef): void {
  const dir = noLink(h, zoneDir(h, zone.uuid));
  if (!fs.existsSync(dir)) return;
  for (const n of fs.readdirSync(dir)) if (n.startsWith('.')) fs.rmSync(path.join(dir, n), { recursive: true, force: true });
}

/** Copy a regular file here, skipping blocks of zeros (left as holes). */
function copyBlocks(from: string, to: string, mode: number): void {
  const src = fs.openSync(from, 'r');
  try {
    const dst = fs.openSync(to, 'wx', mode);
    try {
      const buf = Buffer.allocUnsafe(READ);
      let pos = 0;
      for (;;) {
        const n = fs.readSync(src, buf, 0, READ, pos);
        if (n === 0) break;
        for (let at = 0; at < n; at += BLOCK) {
          const len = Math.min(BLOCK, n - at);
          if (ZEROS.compare(buf, at, at + len, 0, len) !== 0) fs.writeSync(dst, buf, at, len, pos + at);
        }
        pos += n;
      }
      fs.ftruncateSync(dst, pos);
    } finally {
      fs.closeSync(dst);
    }
  } finally {
    fs.closeSync(src);
  }
}

/** Copy a sparse file with the system's cp, which skips its holes; false when it cannot (the copy is then made here). */
async function copySparse(from: string, to: string): Promise<boolean> {
  const args = process.platform === 'darwin' ? ['-c', from, to] : ['-P', '--sparse=always', '--', from, to];
  const { execa } = await import('execa');
  const r = await execa('/bin/cp', args, { stdin: 'ignore', reject: false, detached: true });
  if (r.exitCode === 0) return true;
  fs.rmSync(to, { force: true });
  return false;
}

/** Copy a regular file, its holes kept (see the top of this file). */
async function copyFile(root: string, from: string, to: string, st: fs.Stats): Promise<void> {
  prepareWrite(root, to);
  const mode = st.mode & 0o7777;
  const sparse = st.blocks * 512 < st.size;
  if (!(sparse && (await copySparse(from, to)))) copyBlocks(from, to, mode);
  fs.chmodSync(to, mode);
}

/** Copy the tree `from` into the new directory `to`, no link followed, leaving out `skip` at its top. */
async function copyTree(root: string, from: string, to: string, skip?: string): Promise<void> {
  prepareWrite(root, to);
  fs.mkdirSync(to, { mode: fs.lstatSync(from).mode & 0o7777 });
  for (const name of fs.readdirSync(from).sort()) {
    if (name === skip) continue;
    const a = path.join(from, name);
    const b = path.join(to, name);
    const st = fs.lstatSync(a);
    if (st.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(a), b);
    else if (st.isDirectory()) await copyTree(root, a, b);
    else if (st.isFile()) await copyFile(root, a, b, st);
    // sockets, fifos, devices: not zone data
  }
}

export async function createSnapshot(h: LocalHost, zone: ZoneRef, name: string): Promise<void> {
  const dir = noLink(h, snapDir(h, zone, name));
  if (fs.existsSync(dir)) throw new HostError(`zfs snapshot ${zfsName(h, zone, name)} failed: cannot create snapshot '${zfsName(h, zone, name)}': dataset already exists`);
  removeTemps(h, zone);
  const tmp = path.join(path.dirname(dir), `.tmp-${path.basename(dir)}`);
  prepareWrite(h.root, tmp);
  if (fs.existsSync(zone.zonepath)) await copyTree(h.root, zone.zonepath, tmp, HOST_DIR);
  else fs.mkdirSync(tmp);
  fs.renameSync(tmp, dir);
}

export async function hasSnapshot(h: LocalHost, zone: ZoneRef, name: string): Promise<boolean> {
  return fs.existsSync(snapDir(h, zone, name));
}

export async function rollbackSnapshot(h: LocalHost, zone: ZoneRef, name: string, newer: readonly string[]): Promise<void> {
  const dir = noLink(h, snapDir(h, zone, name));
  if (!fs.existsSync(dir)) throw new HostError(`zfs rollback -r ${zfsName(h, zone, name)} failed: cannot open '${zfsName(h, zone, name)}': dataset does not exist`);
  removeTemps(h, zone);
  const restore = path.join(path.dirname(dir), '.restore');
  await copyTree(h.root, dir, restore);
  noLink(h, zone.zonepath);
  fs.mkdirSync(zone.zonepath, { recursive: true });
  for (const n of fs.readdirSync(zone.zonepath)) if (n !== HOST_DIR) fs.rmSync(path.join(zone.zonepath, n), { recursive: true, force: true });
  for (const n of fs.readdirSync(restore)) {
    const target = path.join(zone.zonepath, n);
    prepareWrite(h.root, target);
    fs.renameSync(path.join(restore, n), target);
  }
  fs.rmSync(restore, { recursive: true, force: true });
  // as zfs rollback -r: the snapshots taken after it go
  for (const n of newer) fs.rmSync(snapDir(h, zone, n), { recursive: true, force: true });
}

export async function deleteSnapshot(h: LocalHost, zone: ZoneRef, name: string): Promise<void> {
  const dir = noLink(h, snapDir(h, zone, name));
  if (!fs.existsSync(dir)) throw new HostError(`zfs destroy ${zfsName(h, zone, name)} failed: could not find any snapshots to destroy; check snapshot names.`);
  removeTemps(h, zone);
  const gone = path.join(path.dirname(dir), `.deleting-${path.basename(dir)}`);
  fs.renameSync(dir, gone);
  fs.rmSync(gone, { recursive: true, force: true });
}

/** Every snapshot of a zone that is deleted (illumos: its datasets are destroyed with their snapshots). */
export function removeAll(h: LocalHost, uuid: string): void {
  if (UUID.test(uuid)) fs.rmSync(zoneDir(h, uuid), { recursive: true, force: true });
}
