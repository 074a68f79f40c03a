/**
 * The VM store: one JSON record per VM (the truth about that VM), the
 * SmartOS config files derived from it, and a cache of what each VM holds
 * that another may not (its MACs, addresses, VRIDs, VNC port).
 *
 * Layout under the state root (docs/vmadm-cli.md §10, docs/state.md):
 *   vms/<uuid>.json            the VM record (2-space JSON); its zonepath is
 *                              stored relative to the root when it lies under
 *                              it (local host: `zones/<uuid>`), so a root can
 *                              be copied or moved
 *   .conflicts                 what each VM holds that another may not, for
 *                              `create` and `update` (core/vm/conflicts.ts
 *                              indexKeys): `vmadm-conflicts 2 <vms/'s mtime
 *                              in ns>`, then a line `<uuid> <key> <key> ` per
 *                              VM; trusted only while stamp and VMs match vms/
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
import { indexKeys } from '../core/vm/conflicts';
import type { VmRecord } from '../core/vm/record';
import type { HostKind } from './root';
import { UUID_ANY_CASE as UUID } from '../core/uuid';
import { isEnoent } from '../core/errno';
import { isWithin, prepareWrite, within } from './paths';
import type { StoredVm } from './journal';

/**
 * <root>/.conflicts: the conflict keys of each VM, valid while its first
 * line is INDEX_HEADER and the vms/ directory's mtime (ns), and its other
 * lines name the records of vms/. Plain text, each key followed by a
 * space: a lookup is one search of the text, a change one line replaced,
 * and nothing is parsed (at 5,000 VMs of 4 dual-stack NICs, 1.1 MB).
 */
interface ConflictIndex {
  stamp: string;
  /** One line per VM: `<uuid> <key> <key> \n`. */
  body: string;
}

/** The index's first word and layout version: an index of another layout is rebuilt. */
const INDEX_HEADER = 'vmadm-conflicts 2';
const INDEX_FILE = '.conflicts';
const UUID_LENGTH = 36;

/** What the stored VMs hold, by index key (core/vm/conflicts.ts indexKeys: a MAC, an address, `vrid/<n>`, `vnc/<port>`). */
export interface InUse {
  /** Whether a stored VM holds the key. */
  has(key: string): boolean;
  /** The stored VMs that hold any of the keys. */
  holders(keys: readonly string[]): string[];
}

/** A VM's line of the index (one join: a string grown key by key costs twice as much at 5,000 VMs). */
function indexLine(uuid: string, record: VmRecord): string {
  return `${uuid} ${indexKeys(record).join(' ')} \n`;
}

/** Where the line of `uuid` starts in an index body, or -1. */
function lineOf(body: string, uuid: string): number {
  if (body.startsWith(`${uuid} `)) return 0;
  const at = body.indexOf(`\n${uuid} `);
  return at < 0 ? -1 : at + 1;
}

/** Whether an index body has one line for each of `uuids` and no other. */
function sameVms(body: string, uuids: readonly string[]): boolean {
  const seen = new Set<string>();
  for (let i = 0; i < body.length; ) {
    const end = body.indexOf('\n', i);
    if (end < 0) return false;
    seen.add(body.slice(i, i + UUID_LENGTH));
    i = end + 1;
  }
  return seen.size === uuids.length && uuids.every((u) => seen.has(u));
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
  /** The conflict index as this store last read or wrote it (checked again by one stat before use). */
  private known: ConflictIndex | undefined;

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
    const index = this.conflictIndex();
    const file = this.recordPath(uuid);
    prepareWrite(this.root, file);
    await writeFileAtomic(file, JSON.stringify(this.toStored(record), null, 2) + '\n');
    if (index) this.writeIndex(index, uuid, record);
  }

  /** Remove the record. */
  removeRecord(uuid: string): void {
    this.checkUuid(uuid);
    const index = this.conflictIndex();
    unlinkQuiet(this.recordPath(uuid));
    if (index) this.writeIndex(index, uuid, undefined);
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

  // ------------------------------------------------------------ what VMs hold

  /**
   * What the stored VMs hold that another VM may not (call with the lock
   * held): their index keys (core/vm/conflicts.ts), read from the index
   * (<root>/.conflicts.json) when it is current, else from the records,
   * after which the index is written anew. The caller reads the records
   * of the holders it finds, and decides from them (the index keys are
   * coarse: an address is indexed without its nic_tag and vlan).
   *
   * The index is a cache, never the truth: it names the vms/ directory's
   * mtime (ns) and the VMs it covers, and counts only while both still
   * match (any record written, added or removed, by vmadm or anyone else,
   * changes the directory's mtime). put and removeRecord keep a current
   * index current; one left behind by a kill -9 is stale by then, and rebuilt.
   */
  inUse(): InUse {
    let index = this.conflictIndex();
    if (!index) {
      // temp files of an index write that a kill interrupted, and the MAC index of earlier versions
      for (const name of readDir(this.root)) if (name.startsWith(`${INDEX_FILE}.`) || name.startsWith('.macs.json')) unlinkQuiet(path.join(this.root, name));
      const stamp = this.vmsStamp();
      index = { stamp, body: this.scan((r) => indexLine(r.uuid, r)).join('') };
      this.saveIndex(index);
    }
    // each key of the text is preceded and followed by a space (a uuid, at a line's start, is not)
    const { body } = index;
    const ok = (key: string): boolean => key !== '' && !/\s/.test(key);
    return {
      has: (key) => ok(key) && body.includes(` ${key} `),
      holders: (keys) => {
        const out = new Set<string>();
        for (const key of keys) {
          if (!ok(key)) continue;
          for (let at = body.indexOf(` ${key} `); at >= 0; at = body.indexOf(` ${key} `, at + 1)) {
            const start = body.lastIndexOf('\n', at) + 1;
            out.add(body.slice(start, start + UUID_LENGTH));
          }
        }
        return [...out].sort();
      },
    };
  }

  // ---------------------------------------------------------------- internals

  private recordPath(uuid: string): string {
    return path.join(this.vmsDir, `${uuid}.json`);
  }

  private checkUuid(uuid: string): string {
    if (typeof uuid !== 'string' || !UUID.test(uuid)) throw new AppError(`uuid: "${String(uuid)}" is not a UUID`);
    return uuid;
  }

  private indexPath(): string {
    return path.join(this.root, INDEX_FILE);
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
   * The conflict index when it is current, else undefined. Checked in full
   * (stamp and VMs) on first use; after that, one stat tells whether the
   * directory is still as this store last left it.
   */
  private conflictIndex(): ConflictIndex | undefined {
    if (this.known !== undefined && this.known.stamp === this.vmsStamp()) return this.known;
    this.known = undefined;
    const text = readText(this.indexPath());
    if (text === undefined) return undefined;
    const nl = text.indexOf('\n');
    const stamp = this.vmsStamp();
    if (nl < 0 || text.slice(0, nl) !== `${INDEX_HEADER} ${stamp}`) return undefined; // stale, damaged or of another layout: rebuilt
    const body = text.slice(nl + 1);
    const uuids = readDir(this.vmsDir)
      .filter((n) => n.endsWith('.json'))
      .map((n) => n.slice(0, -5));
    if (!sameVms(body, uuids)) return undefined;
    this.known = { stamp, body };
    return this.known;
  }

  /** After a change of one VM (undefined: removed): the index with its line, stamped anew. */
  private writeIndex(index: ConflictIndex, uuid: string, record: VmRecord | undefined): void {
    const line = record ? indexLine(uuid, record) : '';
    const at = lineOf(index.body, uuid);
    if (at < 0) index.body += line;
    else index.body = index.body.slice(0, at) + line + index.body.slice(index.body.indexOf('\n', at) + 1);
    index.stamp = this.vmsStamp();
    this.saveIndex(index);
  }

  /** Write the index (a cache: no fsync; a damaged or old index is stale and rebuilt). */
  private saveIndex(index: ConflictIndex): void {
    this.known = index;
    try {
      prepareWrite(this.root, this.indexPath());
      writeFileAtomic.sync(this.indexPath(), `${INDEX_HEADER} ${index.stamp}\n${index.body}`, { fsync: false });
    } catch {
      // a cache: the next create rebuilds it
    }
  }
}
