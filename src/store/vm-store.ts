/**
 * The VM store: one JSON record per VM (the truth about that VM), the
 * SmartOS config files derived from it, and a cache of every VM's MACs.
 *
 * Layout under the state root (docs/vmadm-cli.md §10, docs/state.md):
 *   vms/<uuid>.json            the VM record (2-space JSON); its zonepath is
 *                              stored relative to the root when it lies under
 *                              it (local host: `zones/<uuid>`), so a root can
 *                              be copied or moved
 *   .macs.json                 every VM's MACs for `create`: {"stamp": vms/'s
 *                              mtime in ns, "vms": {uuid: "mac mac"}}, trusted
 *                              only while stamp and VMs match vms/
 *   zones/<uuid>/              zonepaths on the local host
 * and per VM, in its zonepath, `config/metadata.json`, `tags.json`,
 * `routes.json` as SmartOS writes them (derived from the record).
 *
 * A record is replaced atomically (write-file-atomic: temp file, fsync,
 * rename), so a reader sees it whole, old or new, and never waits. The
 * store takes no lock and keeps no journal: the application layer
 * (src/app) does both, and calls the writing methods only while it holds
 * the state lock. Nothing is written through a symbolic link inside the
 * root (store/paths).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { AppError } from '../core/errors';
import type { VmRecord } from '../core/vm/record';
import type { HostKind } from './root';
import { UUID_ANY_CASE as UUID } from '../core/uuid';
import { isEnoent } from '../core/errno';
import { isWithin, prepareWrite, within } from './paths';
import type { StoredVm } from './journal';

/**
 * <root>/.macs.json: the MACs of each VM (space-separated), valid while
 * `stamp` is the vms/ directory's mtime (ns) and `vms` names its records.
 */
interface MacIndex {
  stamp: string;
  vms: Record<string, string>;
}

/** Whether a MAC is held by a stored VM. */
export interface MacsInUse {
  has(mac: string): boolean;
}

function macsOf(record: VmRecord): string {
  return record.nics.map((n) => n.mac).join(' ');
}

function sameKeys(obj: Record<string, unknown>, keys: readonly string[]): boolean {
  if (Object.keys(obj).length !== keys.length) return false;
  for (const k of keys) if (!Object.prototype.hasOwnProperty.call(obj, k)) return false;
  return true;
}

const CONFIG_FILES = ['metadata.json', 'tags.json', 'routes.json'] as const;

/** The SmartOS config files of a VM, as text. */
function configTexts(r: VmRecord): Record<(typeof CONFIG_FILES)[number], string> {
  return {
    'metadata.json': JSON.stringify({ internal_metadata: r.internal_metadata ?? {}, customer_metadata: r.customer_metadata ?? {} }, null, 2),
    'tags.json': JSON.stringify(r.tags ?? {}, null, 2),
    'routes.json': JSON.stringify(r.routes ?? {}, null, 2),
  };
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (isEnoent(err)) return undefined;
    throw err;
  }
}

/**
 * Reads many small files through one reused buffer: open, read, close (no
 * fstat per file, no buffer per file).
 */
class FileReader {
  private buf = Buffer.allocUnsafe(64 * 1024);

  read(file: string): string | undefined {
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch (err) {
      if (isEnoent(err)) return undefined;
      throw err;
    }
    let n = 0;
    try {
      for (;;) {
        if (n === this.buf.length) {
          const bigger = Buffer.allocUnsafe(this.buf.length * 2);
          this.buf.copy(bigger, 0, 0, n);
          this.buf = bigger;
        }
        const got = fs.readSync(fd, this.buf, n, this.buf.length - n, null);
        if (got === 0) break;
        n += got;
      }
    } finally {
      fs.closeSync(fd);
    }
    return this.buf.toString('utf8', 0, n);
  }
}

function parseJson<T>(file: string, text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new AppError(`${file}: not valid JSON (${(err as Error).message}); the state store is damaged`);
  }
}

function readDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch (err) {
    if (isEnoent(err)) return [];
    throw err;
  }
}

function unlinkQuiet(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch (err) {
    if (!isEnoent(err)) throw err;
  }
}

/** A temp file an interrupted atomic write leaves (write-file-atomic: `<name>.<n>`). */
const TEMP = /\.json\.\d+$/;

export class VmStore {
  readonly root: string;
  readonly kind: HostKind;
  private readonly vmsDir: string;
  /** The MAC index as this store last read or wrote it (checked again by one stat before use). */
  private known: MacIndex | undefined;

  /**
   * @param hostRoot where the host's filesystem is mounted (illumos: `VMADM_ALTROOT`, as zoneadm -R):
   *   a zonepath such as `/zones/<uuid>` is read and written as `<hostRoot>/zones/<uuid>`; '' = `/`.
   */
  constructor(
    root: string,
    kind: HostKind,
    private readonly hostRoot = '',
  ) {
    this.root = path.resolve(root);
    this.kind = kind;
    this.vmsDir = path.join(this.root, 'vms');
  }

  /** Where a VM's zone lives: `<root>/zones/<uuid>` locally, `/<zpool>/<uuid>` on illumos. */
  zonepathOf(zpool: string, uuid: string): string {
    this.checkUuid(uuid);
    if (this.kind !== 'illumos') return path.join(this.root, 'zones', uuid);
    const p = path.posix.join('/', zpool, uuid);
    if (p !== `/${zpool}/${uuid}` || zpool === '' || zpool.includes('/')) throw new AppError(`zpool: "${zpool}" is not a pool name`);
    return p;
  }

  /** A zonepath as this process reaches it: under the host root (VMADM_ALTROOT) when one is set. */
  hostPath(zonepath: string): string {
    if (!this.hostRoot) return zonepath;
    return within(this.hostRoot, 'zonepath', '.' + path.posix.resolve('/', zonepath));
  }

  /** The root a VM's files are written under (no link below it is followed): the state root, or the host root. */
  filesRoot(zonepath: string): string {
    const p = this.hostPath(zonepath);
    if (isWithin(this.root, p)) return this.root;
    return this.hostRoot || path.dirname(p);
  }

  // ------------------------------------------------------------ records on disk

  /** The record as written: a zonepath under the root made relative to it. */
  toStored(record: VmRecord): StoredVm {
    if (!isWithin(this.root, record.zonepath) || !path.isAbsolute(record.zonepath)) return record as StoredVm;
    return { ...record, zonepath: path.relative(this.root, record.zonepath).split(path.sep).join('/') } as StoredVm;
  }

  /** The record as read: zonepath absolute again (a local VM's is always `<root>/zones/<uuid>`). */
  fromStored(stored: StoredVm): VmRecord {
    const rec = stored as unknown as VmRecord;
    if (this.kind !== 'illumos' && typeof rec.uuid === 'string' && UUID.test(rec.uuid)) {
      // the zone of a local VM is under this root, wherever the root was when the record was written
      const zonepath = path.join(this.root, 'zones', rec.uuid);
      return rec.zonepath === zonepath ? rec : { ...rec, zonepath };
    }
    if (typeof rec.zonepath === 'string' && !path.isAbsolute(rec.zonepath)) return { ...rec, zonepath: within(this.root, 'zonepath', rec.zonepath) };
    return rec;
  }

  /** Every VM, sorted by uuid. */
  list(): VmRecord[] {
    return this.scan((record) => record);
  }

  /**
   * Every VM, each passed to `fn` as soon as it is read (so a caller keeps
   * only what it needs of each, not 5,000 records); the results other
   * than undefined, in uuid order.
   */
  scan<T>(fn: (record: VmRecord) => T | undefined): T[] {
    const names = readDir(this.vmsDir)
      .filter((n) => n.endsWith('.json'))
      .sort();
    const out: T[] = [];
    const reader = new FileReader();
    const dir = this.vmsDir + path.sep; // names from readdir: nothing for path.join to normalise
    for (const name of names) {
      const text = reader.read(dir + name);
      if (text === undefined) continue; // removed while we read
      const v = fn(this.fromStored(parseJson<StoredVm>(dir + name, text)));
      if (v !== undefined) out.push(v);
    }
    return out;
  }

  get(uuid: string): VmRecord | undefined {
    if (!UUID.test(uuid)) return undefined;
    const file = this.recordPath(uuid);
    const text = readText(file);
    return text === undefined ? undefined : this.fromStored(parseJson<StoredVm>(file, text));
  }

  /** Whether a VM with this uuid is stored. */
  has(uuid: string): boolean {
    return UUID.test(uuid) && fs.existsSync(this.recordPath(uuid));
  }

  /** Store the record (the VM's truth): one atomic rename. */
  async put(record: VmRecord): Promise<void> {
    const uuid = this.checkUuid(record.uuid);
    const index = this.macIndex();
    const file = this.recordPath(uuid);
    prepareWrite(this.root, file);
    await writeFileAtomic(file, JSON.stringify(this.toStored(record), null, 2) + '\n');
    if (index) this.writeMacIndex(index, uuid, record);
  }

  /** Remove the record. */
  removeRecord(uuid: string): void {
    this.checkUuid(uuid);
    const index = this.macIndex();
    unlinkQuiet(this.recordPath(uuid));
    if (index) this.writeMacIndex(index, uuid, undefined);
  }

  // ------------------------------------------------------------ derived files

  /**
   * Bring the VM's config files up to its record: each file whose text
   * differs (or is missing) is replaced. Returns how many were written.
   */
  async writeConfig(record: VmRecord): Promise<number> {
    const dir = path.join(this.hostPath(record.zonepath), 'config');
    const base = this.filesRoot(record.zonepath);
    const texts = configTexts(record);
    const writes: Promise<void>[] = [];
    for (const f of CONFIG_FILES) {
      const file = path.join(dir, f);
      if (readText(file) === texts[f]) continue;
      prepareWrite(base, file);
      writes.push(writeFileAtomic(file, texts[f]));
    }
    await Promise.all(writes);
    return writes.length;
  }

  /**
   * Remove a VM's files: its whole zonepath when that lies under the root
   * (local host), else the config files this store wrote.
   */
  removeFiles(uuid: string, zonepath: string): void {
    this.checkUuid(uuid);
    if (!zonepath) return;
    const p = this.hostPath(zonepath);
    if (isWithin(this.root, p) && p !== this.root) {
      fs.rmSync(p, { recursive: true, force: true });
      return;
    }
    const dir = path.join(p, 'config');
    for (const f of CONFIG_FILES) unlinkQuiet(path.join(dir, f));
  }

  /** Remove temp files that interrupted atomic writes left (records, and a VM's config files). */
  cleanTemps(zonepath?: string): void {
    for (const name of readDir(this.vmsDir)) if (TEMP.test(name)) unlinkQuiet(path.join(this.vmsDir, name));
    if (zonepath) {
      const dir = path.join(this.hostPath(zonepath), 'config');
      for (const name of readDir(dir)) if (TEMP.test(name)) unlinkQuiet(path.join(dir, name));
    }
  }

  // ------------------------------------------------------------ MACs

  /**
   * Every MAC the stored VMs' NICs hold (call with the lock held). Read
   * from the MAC index (<root>/.macs.json) when it is current, else from
   * the records, after which the index is written anew.
   *
   * The index is a cache, never the truth: it names the vms/ directory's
   * mtime (ns) and the VMs it covers, and counts only while both still
   * match (any record written, added or removed, by vmadm or anyone else,
   * changes the directory's mtime). put and removeRecord keep a current
   * index current; one left behind by a kill -9 is stale by then, and rebuilt.
   */
  macsInUse(): MacsInUse {
    let index = this.macIndex();
    if (!index) {
      // temp files of an index write that a kill interrupted
      for (const name of readDir(this.root)) if (name.startsWith('.macs.json.')) unlinkQuiet(path.join(this.root, name));
      const stamp = this.vmsStamp();
      const vms: Record<string, string> = {};
      for (const [uuid, macs] of this.scan((r) => [r.uuid, macsOf(r)])) vms[uuid] = macs;
      index = { stamp, vms };
      this.saveMacIndex(index);
    }
    // one text of every MAC, each between spaces: a few lookups per create
    // cost less than a set of 20,000 strings
    const all = ` ${Object.values(index.vms).join(' ')} `;
    return { has: (mac) => mac !== '' && !mac.includes(' ') && all.includes(` ${mac} `) };
  }

  // ---------------------------------------------------------------- internals

  private recordPath(uuid: string): string {
    return path.join(this.vmsDir, `${uuid}.json`);
  }

  private checkUuid(uuid: string): string {
    if (typeof uuid !== 'string' || !UUID.test(uuid)) throw new AppError(`uuid: "${String(uuid)}" is not a UUID`);
    return uuid;
  }

  private macIndexPath(): string {
    return path.join(this.root, '.macs.json');
  }

  /** The vms/ directory's mtime in ns ('' when it does not exist). */
  private vmsStamp(): string {
    try {
      return String(fs.statSync(this.vmsDir, { bigint: true }).mtimeNs);
    } catch (err) {
      if (isEnoent(err)) return '';
      throw err;
    }
  }

  /**
   * The MAC index when it is current, else undefined. Checked in full
   * (stamp and VMs) on first use; after that, one stat tells whether the
   * directory is still as this store last left it.
   */
  private macIndex(): MacIndex | undefined {
    if (this.known !== undefined && this.known.stamp === this.vmsStamp()) return this.known;
    this.known = undefined;
    let index: MacIndex | undefined;
    try {
      const text = readText(this.macIndexPath());
      index = text === undefined ? undefined : (JSON.parse(text) as MacIndex);
    } catch {
      index = undefined; // damaged: rebuilt
    }
    const valid =
      index !== undefined &&
      index !== null &&
      typeof index.stamp === 'string' &&
      index.vms !== null &&
      typeof index.vms === 'object' &&
      index.stamp === this.vmsStamp() &&
      sameKeys(
        index.vms,
        readDir(this.vmsDir)
          .filter((n) => n.endsWith('.json'))
          .map((n) => n.slice(0, -5)),
      );
    if (!valid) return undefined;
    this.known = index;
    return index;
  }

  /** After a change of one VM (undefined: removed): the index with its MACs, stamped anew. */
  private writeMacIndex(index: MacIndex, uuid: string, record: VmRecord | undefined): void {
    if (record) index.vms[uuid] = macsOf(record);
    else delete index.vms[uuid];
    index.stamp = this.vmsStamp();
    this.saveMacIndex(index);
  }

  /** Write the index (a cache: no fsync; a damaged or old index is stale and rebuilt). */
  private saveMacIndex(index: MacIndex): void {
    this.known = index;
    try {
      prepareWrite(this.root, this.macIndexPath());
      writeFileAtomic.sync(this.macIndexPath(), JSON.stringify(index), { fsync: false });
    } catch {
      // a cache: the next create rebuilds it
    }
  }
}
