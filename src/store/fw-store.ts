/**
 * fwadm's rule and remote VM store, under vmadm's state root and lock:
 * `<root>/fw/rules/<uuid>.json` (fwadm-cli.md §5) and
 * `<root>/fw/vms/<uuid>.json` (§6.1), 2-space JSON. Files not ending in
 * `.json` are ignored on load.
 *
 * One change (rules and remote VMs written and deleted) is applied so that
 * a kill -9 at any point leaves the old state or the new one:
 *   1. every new file is written beside its final name (`<uuid>.json.<version>`
 *      for rules, `<uuid>.json.<txid>` for remote VMs), durably;
 *   2. a journal `<root>/fw/.journal.json` listing the renames and unlinks is
 *      written atomically: the commit point;
 *   3. the renames and unlinks are performed, then the journal removed.
 * The next holder of the lock replays a journal it finds (every step is
 * idempotent) and deletes leftover temporary files of an uncommitted change.
 *
 * Rules are loaded through a cache, `<root>/fw/.rules-cache.json`: for each
 * rule file its checked JSON and VM target keys (core/fw/rule-targets),
 * keyed by the file's inode, size, mtime and ctime. A file
 * whose key matches is not read or parsed (its meaning is parsed on first
 * use); any other file is read and checked as before. A file modified
 * within the last moments (RACY_MS: the file system's clock may not have
 * ticked since) is never cached, so a change made after it was looked at
 * always shows in its key. Whoever finds settled files missing from the
 * cache rewrites it (a temporary file renamed over it: old or new under
 * kill -9; no lock needed, every entry checks itself). A missing,
 * unreadable or foreign cache is rebuilt.
 */
import * as fsSync from 'node:fs';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { FwError } from '../core/fw/errors';
import { remoteVmFromJson, remoteVmToJson, type RemoteVmRecord } from '../core/fw/remote-vms';
import { keysOf, lazyRule, meaningText, type RuleKeys } from '../core/fw/rule-targets';
import { ruleFromJson, ruleToJson, type RuleJson } from '../core/fw/rules';
import type { FwRule } from '../core/fwrule/types';
import { UUID } from '../core/fwrule/actions';

/** vmadm's store lock (VmStore.lock): runs fn while holding it. */
export type Lock = <T>(fn: () => Promise<T>) => Promise<T>;

/** One whole change to the store. */
export interface FwStoreChange {
  readonly putRules?: readonly FwRule[];
  readonly deleteRules?: readonly string[];
  readonly putRemoteVms?: readonly RemoteVmRecord[];
  readonly deleteRemoteVms?: readonly string[];
}

/** Everything stored, each list sorted by uuid. */
export interface FwState {
  readonly rules: FwRule[];
  readonly remoteVms: RemoteVmRecord[];
}

/** Test hooks: throw from one to stop an apply where a kill -9 would. */
export interface ApplyHooks {
  /** After the new files are written, before the journal. */
  readonly afterStage?: () => void;
  /** After the journal is written, before any rename. */
  readonly afterJournal?: () => void;
  /** After the i-th rename or unlink (0-based). */
  readonly afterOp?: (i: number) => void;
}

interface Journal {
  /** [temporary, final], relative to `<root>/fw`. */
  readonly renames: Array<[string, string]>;
  /** Relative to `<root>/fw`. */
  readonly unlinks: string[];
}

/** Options of an FwStore. */
export interface FwStoreOptions {
  /** The clock (ms since the epoch) that decides which files are settled enough to cache. */
  readonly now?: () => number;
  /** Test hook: called after the cache's temporary file is written, before it is renamed. */
  readonly beforeCacheRename?: () => void;
}

/**
 * One cached rule file: the `<ino>:<size>:<mtimeMs>:<ctimeMs>` of the file
 * it was read from (times to a fraction of a microsecond), then its
 * checked rule (uuid 0: the file's name without `.json`; flags: 1
 * enabled, 2 log, 4 global; null: absent), its VM target keys and its
 * meaning (core/fw/rule-targets meaningText).
 */
type CacheEntry = [
  stat: string,
  uuid: string | 0,
  version: string,
  flags: number,
  rule: string,
  owner_uuid: string | null,
  description: string | null,
  created_by: string | null,
  from: string[],
  to: string[],
  meaning: string,
];

interface CacheFile {
  readonly format: typeof CACHE_FORMAT;
  /** By file name in `<root>/fw/rules`. */
  readonly entries: Record<string, CacheEntry>;
}

function toEntry(stat: string, name: string, r: FwRule, keys: RuleKeys): CacheEntry {
  const flags = (r.enabled ? 1 : 0) | (r.log ? 2 : 0) | (r.global === true ? 4 : 0);
  const uuid = name === `${r.uuid}.json` ? 0 : r.uuid;
  return [stat, uuid, r.version, flags, r.rule, r.owner_uuid ?? null, r.description ?? null, r.created_by ?? null, [...keys.from], [...keys.to], meaningText(r.parsed)];
}

/** A cache entry's rule, or undefined if the entry is not well formed. */
function fromEntry(e: CacheEntry, name: string): RuleJson | undefined {
  const [, uuid, version, flags, rule, owner, description, createdBy, from, to] = e;
  if (
    typeof version !== 'string' || typeof flags !== 'number' || typeof rule !== 'string' ||
    !(uuid === 0 || typeof uuid === 'string') || !(owner === null || typeof owner === 'string') ||
    !(description === null || typeof description === 'string') || !(createdBy === null || typeof createdBy === 'string') ||
    !Array.isArray(from) || !Array.isArray(to)
  ) {
    return undefined;
  }
  const json: RuleJson = { enabled: (flags & 1) !== 0, log: (flags & 2) !== 0, rule, uuid: uuid === 0 ? name.slice(0, -5) : uuid, version };
  if (createdBy !== null) json.created_by = createdBy;
  if (description !== null) json.description = description;
  if ((flags & 4) !== 0) json.global = true;
  if (owner !== null) json.owner_uuid = owner;
  return json;
}

const CACHE_NAME = '.rules-cache.json';
const CACHE_FORMAT = 'fwadm-rules-cache-3';
/**
 * How recent a change may be and still go unnoticed by a file's key: a
 * file modified less than this long ago (mtime or ctime) is not cached.
 * Linux stamps files from a clock that ticks every few milliseconds; a
 * file system that stores whole seconds (FAT: two) gets 2.5 s.
 */
const RACY_MS = 100;
const RACY_COARSE_MS = 2500;

/** Temporary files of this store (ours, and write-file-atomic's): `<name>.json.<suffix>`. */
const TEMP = /^[0-9a-f-]{36}\.json\.[^/]+$/;
const SAFE_SUFFIX = /^[0-9A-Za-z._-]{1,64}$/;

function isCode(err: unknown, code: string): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === code;
}

async function ignoreENOENT(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!isCode(err, 'ENOENT')) throw err;
  }
}

async function fsyncDir(dir: string): Promise<void> {
  let fh: fs.FileHandle | undefined;
  try {
    fh = await fs.open(dir, 'r');
    await fh.sync();
  } catch {
    // not every platform can fsync a directory; the renames are still atomic
  } finally {
    await fh?.close();
  }
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

export class FwStore {
  /** `<root>/fw`. */
  readonly dir: string;
  readonly rulesDir: string;
  readonly vmsDir: string;
  private readonly journalPath: string;
  private readonly cachePath: string;
  private txSeq = 0;

  /**
   * `root`: vmadm's state root; `lock`: vmadm's store lock (VmStore.lock),
   * not taken again by this class: call everything from inside withLock.
   */
  constructor(
    readonly root: string,
    private readonly lock: Lock,
    private readonly options: FwStoreOptions = {},
  ) {
    this.dir = path.join(root, 'fw');
    this.rulesDir = path.join(this.dir, 'rules');
    this.vmsDir = path.join(this.dir, 'vms');
    this.journalPath = path.join(this.dir, '.journal.json');
    this.cachePath = path.join(this.dir, CACHE_NAME);
  }

  /** Run fn under the lock, after finishing or undoing any change a crash interrupted. */
  withLock<T>(fn: () => Promise<T>): Promise<T> {
    return this.lock(async () => {
      await this.recover();
      return fn();
    });
  }

  /** Replay a committed change (journal present), then remove temporary files. Call under the lock. */
  async recover(): Promise<void> {
    let text: string | undefined;
    try {
      text = await fs.readFile(this.journalPath, 'utf8');
    } catch (err) {
      if (!isCode(err, 'ENOENT')) throw err;
    }
    if (text !== undefined) {
      let journal: Journal;
      try {
        journal = JSON.parse(text) as Journal;
      } catch {
        throw new FwError(`${this.journalPath}: unreadable journal`);
      }
      await this.perform(journal);
    }
    await this.removeTemps();
  }

  private async removeTemps(): Promise<void> {
    for (const dir of [this.rulesDir, this.vmsDir]) {
      for (const name of await this.names(dir)) {
        if (TEMP.test(name)) await ignoreENOENT(fs.unlink(path.join(dir, name)));
      }
    }
    for (const name of await this.names(this.dir)) {
      if (name.startsWith('.journal.json.') || name.startsWith(`${CACHE_NAME}.`)) await ignoreENOENT(fs.unlink(path.join(this.dir, name)));
    }
  }

  private async names(dir: string): Promise<string[]> {
    try {
      return await fs.readdir(dir);
    } catch (err) {
      if (isCode(err, 'ENOENT')) return [];
      throw err;
    }
  }

  private async perform(journal: Journal, hooks: ApplyHooks = {}): Promise<void> {
    let i = 0;
    for (const [from, to] of journal.renames) {
      try {
        await fs.rename(path.join(this.dir, from), path.join(this.dir, to));
      } catch (err) {
        // already renamed by the run that was interrupted
        if (!isCode(err, 'ENOENT')) throw err;
      }
      hooks.afterOp?.(i++);
    }
    for (const p of journal.unlinks) {
      await ignoreENOENT(fs.unlink(path.join(this.dir, p)));
      hooks.afterOp?.(i++);
    }
    await fsyncDir(this.rulesDir);
    await fsyncDir(this.vmsDir);
    await ignoreENOENT(fs.unlink(this.journalPath));
    await fsyncDir(this.dir);
  }

  private async readDir<T>(dir: string, parse: (raw: unknown, where: string) => T): Promise<T[]> {
    const names = (await this.names(dir)).filter((n) => n.endsWith('.json')).sort();
    return Promise.all(
      names.map(async (name) => {
        const file = path.join(dir, name);
        const text = await fs.readFile(file, 'utf8');
        let raw: unknown;
        try {
          raw = JSON.parse(text);
        } catch (err) {
          throw new FwError(`${file}: ${(err as Error).message}`);
        }
        return parse(raw, file);
      }),
    );
  }

  /** Every stored rule, sorted by uuid (through the cache: see the top of this file). */
  async loadRules(): Promise<FwRule[]> {
    let names: string[];
    try {
      names = fsSync.readdirSync(this.rulesDir).filter((n) => n.endsWith('.json')).sort();
    } catch (err) {
      if (isCode(err, 'ENOENT')) return [];
      throw err;
    }
    const cached = this.readCache();
    const settledBefore = (this.options.now ?? Date.now)();
    const entries: Record<string, CacheEntry> = {};
    let missed = false;
    const rules: FwRule[] = [];
    const dir = this.rulesDir + path.sep;
    const fail = (m: string): Error => new FwError(m);
    for (const name of names) {
      const file = dir + name;
      const st = fsSync.statSync(file, { throwIfNoEntry: false });
      if (st === undefined) continue; // deleted since the listing
      const stat = `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
      const hit = cached?.[name];
      if (hit !== undefined && hit[0] === stat) {
        const json = fromEntry(hit, name);
        if (json !== undefined) {
          entries[name] = hit;
          rules.push(lazyRule(json, { from: hit[8], to: hit[9] }, file, fail, typeof hit[10] === 'string' ? hit[10] : undefined));
          continue;
        }
      }
      const rule = ruleFromJson(this.parseFile(file, fsSync.readFileSync(file, 'utf8')), file);
      rules.push(rule);
      const racy = st.mtimeMs % 1000 === 0 ? RACY_COARSE_MS : RACY_MS;
      if (Math.max(st.mtimeMs, st.ctimeMs) < settledBefore - racy) {
        entries[name] = toEntry(stat, name, rule, keysOf(rule.parsed));
        missed = true;
      }
    }
    if (missed || (cached !== undefined && Object.keys(cached).length !== Object.keys(entries).length)) {
      this.writeCache({ format: CACHE_FORMAT, entries });
    }
    return rules.sort((a, b) => (a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0));
  }

  private parseFile(file: string, text: string): unknown {
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new FwError(`${file}: ${(err as Error).message}`);
    }
  }

  /** The cache's entries; undefined when it is missing, unreadable or not ours. */
  private readCache(): Record<string, CacheEntry> | undefined {
    let raw: unknown;
    try {
      raw = JSON.parse(fsSync.readFileSync(this.cachePath, 'utf8'));
    } catch {
      return undefined;
    }
    const c = raw as Partial<CacheFile> | null;
    if (c === null || typeof c !== 'object' || c.format !== CACHE_FORMAT || typeof c.entries !== 'object' || c.entries === null) return undefined;
    const out = c.entries as Record<string, CacheEntry | undefined>;
    for (const name of Object.keys(out)) if (!Array.isArray(out[name]) || typeof out[name][0] !== 'string') delete out[name];
    return out as Record<string, CacheEntry>;
  }

  /**
   * Replace the cache: a temporary file renamed over it (old or new under
   * kill -9; a leftover temporary file is removed under the lock). Not
   * synced: a cache lost in a crash is rebuilt. Best effort: a store that
   * cannot be written to is still read.
   */
  private writeCache(cache: CacheFile): void {
    const tmp = `${this.cachePath}.${process.pid}.${this.txSeq++}`;
    try {
      fsSync.writeFileSync(tmp, JSON.stringify(cache));
      this.options.beforeCacheRename?.();
      fsSync.renameSync(tmp, this.cachePath);
    } catch {
      try {
        fsSync.unlinkSync(tmp);
      } catch {
        // never written, or already gone
      }
    }
  }

  /** Every stored remote VM, sorted by uuid. */
  async loadRemoteVms(): Promise<RemoteVmRecord[]> {
    const rvms = await this.readDir(this.vmsDir, remoteVmFromJson);
    return rvms.sort((a, b) => (a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0));
  }

  async load(): Promise<FwState> {
    const [rules, remoteVms] = await Promise.all([this.loadRules(), this.loadRemoteVms()]);
    return { rules, remoteVms };
  }

  /**
   * Apply one whole change, old-or-new across a crash. Call under the
   * lock (withLock). Nothing to change: nothing is written.
   */
  async apply(change: FwStoreChange, hooks: ApplyHooks = {}): Promise<void> {
    const txid = `${Date.now()}.${process.pid}.${this.txSeq++}`;
    const writes: Array<{ dir: 'rules' | 'vms'; uuid: string; suffix: string; text: string }> = [];
    for (const r of change.putRules ?? []) {
      writes.push({ dir: 'rules', uuid: r.uuid, suffix: SAFE_SUFFIX.test(r.version) ? r.version : txid, text: json(ruleToJson(r)) });
    }
    for (const v of change.putRemoteVms ?? []) {
      writes.push({ dir: 'vms', uuid: v.uuid, suffix: txid, text: json(remoteVmToJson(v)) });
    }
    const unlinks = [
      ...(change.deleteRules ?? []).map((u) => ({ dir: 'rules', uuid: u })),
      ...(change.deleteRemoteVms ?? []).map((u) => ({ dir: 'vms', uuid: u })),
    ];
    for (const x of [...writes, ...unlinks]) {
      if (!UUID.test(x.uuid)) throw new FwError(`invalid uuid "${x.uuid}"`);
    }
    if (writes.length === 0 && unlinks.length === 0) return;

    await fs.mkdir(this.rulesDir, { recursive: true });
    await fs.mkdir(this.vmsDir, { recursive: true });
    const journal: Journal = { renames: [], unlinks: unlinks.map((u) => `${u.dir}/${u.uuid}.json`) };
    for (const w of writes) {
      const tmp = `${w.dir}/${w.uuid}.json.${w.suffix}`;
      await writeFileAtomic(path.join(this.dir, tmp), w.text);
      journal.renames.push([tmp, `${w.dir}/${w.uuid}.json`]);
    }
    hooks.afterStage?.();
    await writeFileAtomic(this.journalPath, JSON.stringify(journal));
    hooks.afterJournal?.();
    await this.perform(journal, hooks);
  }
}
