/**
 * The VM store: one JSON record per VM, the SmartOS config files of each
 * VM, one lock for the commands that change state, and a journal that makes
 * a change of several files all-or-nothing across `kill -9`.
 *
 * Layout under the state root:
 *   vms/<uuid>.json            the VM record (VmRecord, 2-space JSON)
 *   .journal/<uuid>.json       present only while a change of that VM runs:
 *                              {"op":"put"|"remove","uuid","zonepath","previous": record|null}
 *   .lock                      the lock (a directory, proper-lockfile)
 *   .macs.json                 a cache of every VM's MACs for `create`:
 *                              {"stamp": vms/'s mtime in ns, "vms": {uuid: "mac mac"}},
 *                              used only while stamp and VMs match vms/, else rebuilt
 *   zones/<uuid>/              zonepaths on the local host
 * and per VM, in its zonepath, `config/metadata.json`, `tags.json`,
 * `routes.json` as SmartOS writes them.
 *
 * Every file is written atomically (write-file-atomic: temp file, fsync,
 * rename). A change writes the journal first (holding the record as it was,
 * or null for a create), then the files (in parallel, so their fsyncs
 * overlap), then deletes the journal; a change of the record alone needs
 * no journal (its rename is atomic). Whoever
 * next takes the lock rolls an interrupted `put` back to the journal's
 * record and finishes an interrupted `remove`; readers, who never lock, see
 * a VM with a pending journal as that same outcome (its previous version,
 * or gone), so nobody ever sees a half-made change.
 *
 * The lock is a directory made by proper-lockfile, its mtime refreshed every
 * second while held and considered stale after 5 s: a command that waits
 * for it retries (for up to about ten minutes) instead of failing, and a
 * lock left by a killed command delays the next one by at most ~5 s.
 *
 * proper-lockfile is required on first use, not at load: it installs
 * process signal handlers (signal-exit) when loaded, which a Node startup
 * snapshot cannot hold (the CLI bundles are snapshotted, scripts/bundle.js).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { AppError } from '../core/errors';
import type { VmRecord } from '../core/vm/record';
import type { HostKind } from './root';
import { UUID } from '../core/vmspec/formats';


/** Lock timing (ms): stale after, refresh every. */
export const LOCK_STALE_MS = 5000;
const LOCK_UPDATE_MS = 1000;

/** Roots whose lock this process holds (the lock is re-entrant within a process). */
const heldRoots = new Set<string>();

interface Journal {
  op: 'put' | 'remove';
  uuid: string;
  zonepath: string;
  previous: VmRecord | null;
}

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

/** What lock acquisition found interrupted and settled. */
export interface Recovered {
  uuid: string;
  op: 'put' | 'remove';
  /** `rolled-back` to the journal's record (`restored`), or the create undone (`removed`), or a remove `finished`. */
  outcome: 'restored' | 'removed' | 'finished';
  zonepath: string;
}

const CONFIG_FILES = ['metadata.json', 'tags.json', 'routes.json'] as const;

function configTexts(r: VmRecord): Record<(typeof CONFIG_FILES)[number], string> {
  return {
    'metadata.json': JSON.stringify({ internal_metadata: r.internal_metadata ?? {}, customer_metadata: r.customer_metadata ?? {} }, null, 2),
    'tags.json': JSON.stringify(r.tags ?? {}, null, 2),
    'routes.json': JSON.stringify(r.routes ?? {}, null, 2),
  };
}

function isEnoent(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'ENOENT';
}

function readJson<T>(file: string): T | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (isEnoent(err)) return undefined;
    throw err;
  }
  return parseJson<T>(file, text);
}

/**
 * Reads many small files through one reused buffer: open, read, close (no
 * fstat per file, no buffer per file), then JSON.parse as readJson does.
 */
class FileReader {
  private buf = Buffer.allocUnsafe(64 * 1024);

  readJson<T>(file: string): T | undefined {
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
    return parseJson<T>(file, this.buf.toString('utf8', 0, n));
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

export class VmStore {
  readonly root: string;
  readonly kind: HostKind;
  /** Interrupted changes settled by the last lock acquisition (for callers that clean up the host too). */
  recovered: Recovered[] = [];
  private readonly vmsDir: string;
  private readonly journalDir: string;
  /** The MAC index of this lock session: undefined not read yet, null stale or missing. */
  private sessionIndex: MacIndex | null | undefined;
  /** The session index has changes not yet written. */
  private indexDirty = false;
  /**
   * Creates begun in this lock session whose journal (op put, previous
   * null) is still in place: uuid → zonepath. Their put needs no journal
   * of its own: the one begin wrote says the same.
   */
  private readonly begun = new Map<string, string>();

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
    this.journalDir = path.join(this.root, '.journal');
  }

  zonepathOf(zpool: string, uuid: string): string {
    return this.kind === 'local' ? path.join(this.root, 'zones', uuid) : `/${zpool}/${uuid}`;
  }

  /** Every VM, sorted by uuid; a VM whose change is in progress or was interrupted is shown as the outcome recovery gives. */
  list(): VmRecord[] {
    return this.scan((record) => record);
  }

  /**
   * Every VM as list() gives it, each passed to `fn` as soon as it is read
   * (so a caller keeps only what it needs of each, not 5,000 records);
   * the results other than undefined, in uuid order.
   */
  scan<T>(fn: (record: VmRecord) => T | undefined): T[] {
    const names = readDir(this.vmsDir)
      .filter((n) => n.endsWith('.json'))
      .sort();
    const out: (T | undefined)[] = [];
    const uuids: string[] = [];
    const reader = new FileReader();
    const dir = this.vmsDir + path.sep; // names from readdir: nothing for path.join to normalise
    for (const name of names) {
      const rec = reader.readJson<VmRecord>(dir + name);
      if (rec === undefined) continue; // removed while we read
      uuids.push(name.slice(0, -5));
      out.push(fn(rec));
    }
    // journals are read after the records: a record read as new while its
    // journal still exists is shown as the previous version
    const journals = this.journals();
    if (journals.length === 0) return out.filter((x): x is T => x !== undefined);
    const map = new Map<string, T | undefined>();
    uuids.forEach((uuid, i) => map.set(uuid, out[i]));
    for (const j of journals) {
      if (j.op === 'put' && j.previous) map.set(j.uuid, fn(j.previous));
      else map.delete(j.uuid);
    }
    return [...map.keys()]
      .sort()
      .map((k) => map.get(k))
      .filter((x): x is T => x !== undefined);
  }

  get(uuid: string): VmRecord | undefined {
    if (!UUID.test(uuid)) return undefined;
    const rec = readJson<VmRecord>(this.recordPath(uuid));
    const j = readJson<Journal>(this.journalPath(uuid));
    if (j) return j.op === 'put' && j.previous ? j.previous : undefined;
    return rec;
  }

  async lock<T>(fn: () => Promise<T>): Promise<T> {
    if (heldRoots.has(this.root)) return fn();
    fs.mkdirSync(this.root, { recursive: true });
    let compromised: Error | undefined;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const lockfile = require('proper-lockfile') as typeof import('proper-lockfile');
    const release = await lockfile.lock(this.root, {
      lockfilePath: path.join(this.root, '.lock'),
      realpath: false,
      stale: LOCK_STALE_MS,
      update: LOCK_UPDATE_MS,
      retries: { retries: 12000, factor: 1.2, minTimeout: 10, maxTimeout: 50, randomize: true },
      onCompromised: (err) => {
        compromised = err;
      },
    });
    heldRoots.add(this.root);
    this.sessionIndex = undefined;
    this.indexDirty = false;
    this.begun.clear();
    try {
      this.recover();
      const out = await fn();
      if (compromised) throw new AppError(`lost the state lock ${path.join(this.root, '.lock')}: ${compromised.message}`);
      return out;
    } finally {
      // (a cast: TypeScript does not see fn() change these fields)
      const index = this.sessionIndex as MacIndex | null | undefined;
      if ((this.indexDirty as boolean) && index && index.stamp === this.vmsStamp()) {
        try {
          this.writeMacIndex(index);
        } catch {
          // a cache: the next create rebuilds it
        }
      }
      heldRoots.delete(this.root);
      this.sessionIndex = undefined;
      this.indexDirty = false;
      this.begun.clear();
      try {
        await release();
      } catch {
        // already released or taken over as stale: nothing left to release
      }
    }
  }

  /**
   * Store the record and its config files. The files change under a
   * journal (written and fsynced first), then are written in parallel,
   * each fsynced (their fsyncs overlap), then the journal goes. A change
   * of the record alone (config files as they are, e.g. a state change)
   * needs no journal: the record's atomic rename is the whole change.
   */
  async put(record: VmRecord, previous?: VmRecord): Promise<void> {
    this.assertHeld('put');
    const uuid = this.checkUuid(record.uuid);
    const index = this.macIndex();
    this.sessionIndex = null; // until this change is whole
    const current = readJson<VmRecord>(this.recordPath(uuid)) ?? null;
    // the caller's previous version (when it is the stored one) lets
    // unchanged config files stay as they are
    const base = current && previous && JSON.stringify(previous) === JSON.stringify(current) ? current : null;
    const config = this.configChanges(record, base);
    const text = JSON.stringify(record, null, 2) + '\n';
    fs.mkdirSync(this.vmsDir, { recursive: true });
    if (current && config.length === 0) {
      await writeFileAtomic(this.recordPath(uuid), text);
    } else {
      // a create that begin() marked already has this very journal, fsynced
      if (current !== null || this.begun.get(uuid) !== record.zonepath) {
        const journal: Journal = { op: 'put', uuid, zonepath: record.zonepath, previous: current };
        fs.mkdirSync(this.journalDir, { recursive: true });
        this.begun.delete(uuid);
        await writeFileAtomic(this.journalPath(uuid), JSON.stringify(journal));
      }
      if (config.length > 0) fs.mkdirSync(path.dirname(config[0][0]), { recursive: true });
      await Promise.all([...config.map(([file, t]) => writeFileAtomic(file, t)), writeFileAtomic(this.recordPath(uuid), text)]);
      this.begun.delete(uuid);
      unlinkQuiet(this.journalPath(uuid));
    }
    if (index) this.updateMacIndex(index, uuid, record);
  }

  async remove(uuid: string): Promise<void> {
    this.assertHeld('remove');
    this.checkUuid(uuid);
    const current = readJson<VmRecord>(this.recordPath(uuid));
    if (!current) return;
    const index = this.macIndex();
    this.sessionIndex = null; // until this change is whole
    const journal: Journal = { op: 'remove', uuid, zonepath: current.zonepath, previous: current };
    fs.mkdirSync(this.journalDir, { recursive: true });
    this.begun.delete(uuid);
    await writeFileAtomic(this.journalPath(uuid), JSON.stringify(journal));
    this.removeFiles(uuid, current.zonepath);
    unlinkQuiet(this.journalPath(uuid));
    if (index) this.updateMacIndex(index, uuid, undefined);
  }

  /**
   * Whether a VM with this uuid is stored (call with the lock held, when
   * no change is pending).
   */
  has(uuid: string): boolean {
    return UUID.test(uuid) && fs.existsSync(this.recordPath(uuid));
  }

  /**
   * Every MAC the stored VMs' NICs hold (call with the lock held). Read
   * from the MAC index (<root>/.macs.json) when it is current, else from
   * the records, after which the index is written anew.
   *
   * The index is a cache, never the truth: it names the vms/ directory's
   * mtime (ns) and the VMs it covers, and counts only while both still
   * match (any record written, added or removed, by vmadm or anyone else,
   * changes the directory's mtime). put and remove keep a current index
   * current; one left behind by a kill -9 is stale by then, and rebuilt.
   */
  macsInUse(): MacsInUse {
    this.assertHeld('macsInUse');
    let index = this.macIndex();
    if (!index) {
      // temp files of an index write that a kill interrupted
      for (const name of readDir(this.root)) if (name.startsWith('.macs.json.')) unlinkQuiet(path.join(this.root, name));
      const stamp = this.vmsStamp();
      const vms: Record<string, string> = {};
      for (const [uuid, macs] of this.scan((r) => [r.uuid, macsOf(r)])) vms[uuid] = macs;
      index = { stamp, vms };
      this.sessionIndex = index;
      this.indexDirty = true;
    }
    // one text of every MAC, each between spaces: a few lookups per create
    // cost less than a set of 20,000 strings
    const all = ` ${Object.values(index.vms).join(' ')} `;
    return { has: (mac) => mac !== '' && !mac.includes(' ') && all.includes(` ${mac} `) };
  }

  /**
   * Mark a create as begun, before the host is touched: until put() stores
   * the VM (or abandon() ends the create) readers do not see it, and the
   * next lock rolls it back and reports it in `recovered` (op `put`,
   * outcome `removed`), so its leftovers on the host can be cleaned up.
   */
  async begin(uuid: string, zonepath: string): Promise<void> {
    this.assertHeld('begin');
    this.checkUuid(uuid);
    const journal: Journal = { op: 'put', uuid, zonepath, previous: null };
    fs.mkdirSync(this.journalDir, { recursive: true });
    this.begun.delete(uuid);
    await writeFileAtomic(this.journalPath(uuid), JSON.stringify(journal));
    this.begun.set(uuid, zonepath);
  }

  /** End a begun create that failed: its record and files go, then its journal. */
  abandon(uuid: string, zonepath: string): void {
    this.assertHeld('abandon');
    this.checkUuid(uuid);
    this.begun.delete(uuid);
    this.removeFiles(uuid, zonepath);
    unlinkQuiet(this.journalPath(uuid));
  }

  // ---------------------------------------------------------------- internals

  /** A zonepath as this process reaches it: under the host root (VMADM_ALTROOT) when one is set. */
  hostPath(zonepath: string): string {
    return this.hostRoot ? path.join(this.hostRoot, zonepath) : zonepath;
  }

  private recordPath(uuid: string): string {
    return path.join(this.vmsDir, `${uuid}.json`);
  }

  private journalPath(uuid: string): string {
    return path.join(this.journalDir, `${uuid}.json`);
  }

  private checkUuid(uuid: string): string {
    if (typeof uuid !== 'string' || !UUID.test(uuid)) throw new AppError(`uuid: "${String(uuid)}" is not a UUID`);
    return uuid;
  }

  private assertHeld(op: string): void {
    if (!heldRoots.has(this.root)) throw new Error(`VmStore.${op} called without the lock (use store.lock)`);
  }

  private journals(): Journal[] {
    const out: Journal[] = [];
    for (const name of readDir(this.journalDir)) {
      if (!name.endsWith('.json')) continue;
      const j = readJson<Journal>(path.join(this.journalDir, name));
      if (j) out.push(j);
    }
    return out;
  }

  /** The config files to write: [path, text] of each that differs from `base`'s (or is missing). */
  private configChanges(record: VmRecord, base: VmRecord | null): [string, string][] {
    const dir = path.join(this.hostPath(record.zonepath), 'config');
    const texts = configTexts(record);
    const old = base ? configTexts(base) : undefined;
    const out: [string, string][] = [];
    for (const f of CONFIG_FILES) {
      if (old && old[f] === texts[f] && fs.existsSync(path.join(dir, f))) continue;
      out.push([path.join(dir, f), texts[f]]);
    }
    return out;
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
   * (stamp and VMs) once per lock; after that, one stat tells whether the
   * directory is still as this store last left it.
   */
  private macIndex(): MacIndex | undefined {
    const known = this.sessionIndex;
    if (known === null) return undefined;
    if (known !== undefined && known.stamp === this.vmsStamp()) return known;
    let index: MacIndex | undefined;
    try {
      index = readJson<MacIndex>(this.macIndexPath());
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
    this.sessionIndex = valid ? index : null;
    return valid ? index : undefined;
  }

  /**
   * After a change of one VM (undefined: removed): the index with its MACs,
   * written when the lock is released (once per command, however many
   * changes it made; a kill before that leaves it stale, and rebuilt).
   */
  private updateMacIndex(index: MacIndex, uuid: string, record: VmRecord | undefined): void {
    if (record) index.vms[uuid] = macsOf(record);
    else delete index.vms[uuid];
    index.stamp = this.vmsStamp();
    this.sessionIndex = index;
    this.indexDirty = true;
  }

  /** Write the index (a cache: no fsync; a damaged or old index is stale and rebuilt). */
  private writeMacIndex(index: MacIndex): void {
    writeFileAtomic.sync(this.macIndexPath(), JSON.stringify(index), { fsync: false });
  }

  private writeConfigSync(record: VmRecord): void {
    const dir = path.join(this.hostPath(record.zonepath), 'config');
    fs.mkdirSync(dir, { recursive: true });
    const texts = configTexts(record);
    for (const f of CONFIG_FILES) writeFileAtomic.sync(path.join(dir, f), texts[f]);
  }

  /** The record, then the VM's files: its whole zonepath when that lies under the root (local host), else its config files. */
  private removeFiles(uuid: string, zonepath: string): void {
    unlinkQuiet(this.recordPath(uuid));
    if (!zonepath) return;
    const rel = path.relative(this.root, zonepath);
    if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) {
      fs.rmSync(zonepath, { recursive: true, force: true });
    } else {
      const dir = path.join(this.hostPath(zonepath), 'config');
      for (const f of CONFIG_FILES) unlinkQuiet(path.join(dir, f));
    }
  }

  /** Settle interrupted changes (called with the lock held). */
  private recover(): void {
    this.recovered = [];
    const names = readDir(this.journalDir);
    if (names.length === 0) return;
    let crashed = false;
    for (const name of names.sort()) {
      const file = path.join(this.journalDir, name);
      if (!name.endsWith('.json')) {
        unlinkQuiet(file); // a journal's temp file: its change never started
        continue;
      }
      const j = readJson<Journal>(file);
      if (!j) continue;
      crashed = true;
      if (j.op === 'put' && j.previous) {
        this.writeConfigSync(j.previous);
        fs.mkdirSync(this.vmsDir, { recursive: true });
        writeFileAtomic.sync(this.recordPath(j.uuid), JSON.stringify(j.previous, null, 2) + '\n');
        this.recovered.push({ uuid: j.uuid, op: j.op, outcome: 'restored', zonepath: j.zonepath });
      } else {
        this.removeFiles(j.uuid, j.zonepath);
        this.recovered.push({ uuid: j.uuid, op: j.op, outcome: j.op === 'put' ? 'removed' : 'finished', zonepath: j.zonepath });
      }
      if (j.zonepath) this.cleanTemps(path.join(this.hostPath(j.zonepath), 'config'));
      unlinkQuiet(file);
    }
    if (crashed) this.cleanTemps(this.vmsDir);
  }

  /** Remove the temp files an interrupted atomic write leaves (`<name>.json.<n>`). */
  private cleanTemps(dir: string): void {
    for (const name of readDir(dir)) {
      if (/\.json\.\d+$/.test(name)) unlinkQuiet(path.join(dir, name));
    }
  }
}
