/**
 * fwadm's rule and remote VM store, under vmadm's state root:
 * `<root>/fw/rules/<uuid>.json` (docs/fwadm-cli.md §5) and
 * `<root>/fw/vms/<uuid>.json` (§6.1), 2-space JSON. Files not ending in
 * `.json` are ignored on load.
 *
 * Each file is replaced atomically (temp file, fsync, rename), so readers
 * see every file whole and never wait. A change of several files is made
 * whole by the application layer: it writes the change into the journal
 * (store/journal.ts) first, which is its commit; `apply` then writes the
 * files, and the next writer applies the journal again if the first was
 * interrupted (every step is idempotent). A reader that finds such a
 * journal shows the change it commits (`overlay`).
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
import { AppError } from '../core/errors';
import { ignoreENOENT, isCode } from '../core/errno';
import { remoteVmFromJson, remoteVmToJson, type RemoteVmRecord } from '../core/fw/remote-vms';
import { keysOf, lazyRule, meaningText, type RuleKeys } from '../core/fw/rule-targets';
import { ruleFromJson, type RuleJson } from '../core/fw/rules';
import type { FwRule } from '../core/fwrule/types';
import { UUID_LOWER_CASE as UUID } from '../core/uuid';
import type { RuleChange } from './journal';
import { prepareWrite } from './paths';

/** Everything stored about the firewall, each list sorted by uuid. */
export interface StoredRules {
  readonly rules: FwRule[];
  readonly remoteVms: RemoteVmRecord[];
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
  private readonly cachePath: string;
  private txSeq = 0;

  /** `root`: vmadm's state root. */
  constructor(
    readonly root: string,
    private readonly options: FwStoreOptions = {},
  ) {
    this.dir = path.join(root, 'fw');
    this.rulesDir = path.join(this.dir, 'rules');
    this.vmsDir = path.join(this.dir, 'vms');
    this.cachePath = path.join(this.dir, CACHE_NAME);
  }

  /** Remove the temporary files of interrupted writes (call with the lock held). */
  async cleanTemps(): Promise<void> {
    for (const dir of [this.rulesDir, this.vmsDir]) {
      for (const name of await this.names(dir)) {
        if (TEMP.test(name)) await ignoreENOENT(fs.unlink(path.join(dir, name)));
      }
    }
    for (const name of await this.names(this.dir)) {
      if (name.startsWith(`${CACHE_NAME}.`) || name.startsWith('.journal.json')) await ignoreENOENT(fs.unlink(path.join(this.dir, name)));
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
          throw new AppError(`${file}: ${(err as Error).message}`);
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
    const fail = (m: string): Error => new AppError(m);
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
      throw new AppError(`${file}: ${(err as Error).message}`);
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

  async load(): Promise<StoredRules> {
    const [rules, remoteVms] = await Promise.all([this.loadRules(), this.loadRemoteVms()]);
    return { rules, remoteVms };
  }

  /** What is stored once `change` (a committed journal's) is applied, without applying it. */
  overlay(stored: StoredRules, change: RuleChange): StoredRules {
    const rules = new Map(stored.rules.map((r) => [r.uuid, r]));
    for (const u of change.deleteRules) rules.delete(u);
    for (const r of change.putRules) rules.set(r.uuid, ruleFromJson(r, path.join(this.rulesDir, `${r.uuid}.json`)));
    const rvms = new Map(stored.remoteVms.map((r) => [r.uuid, r]));
    for (const u of change.deleteRemoteVms) rvms.delete(u);
    for (const r of change.putRemoteVms) rvms.set(r.uuid, remoteVmFromJson(r, path.join(this.vmsDir, `${r.uuid}.json`)));
    return { rules: [...rules.values()].sort(byUuid), remoteVms: [...rvms.values()].sort(byUuid) };
  }

  /**
   * Write the files of a change (call with the lock held, after its
   * journal is written): each put is an atomic replace, each delete an
   * unlink. Idempotent: a change applied again gives the same files.
   */
  async apply(change: RuleChange): Promise<void> {
    for (const x of [...change.putRules, ...change.putRemoteVms]) {
      if (!UUID.test(x.uuid)) throw new AppError(`invalid uuid "${x.uuid}"`);
    }
    for (const u of [...change.deleteRules, ...change.deleteRemoteVms]) {
      if (!UUID.test(u)) throw new AppError(`invalid uuid "${u}"`);
    }
    const writes: Array<[string, string]> = [
      ...change.putRules.map((r): [string, string] => [path.join(this.rulesDir, `${r.uuid}.json`), json(r)]),
      ...change.putRemoteVms.map((v): [string, string] => [path.join(this.vmsDir, `${v.uuid}.json`), json(remoteVmToJson(v))]),
    ];
    await Promise.all(
      writes.map(([file, text]) => {
        prepareWrite(this.root, file);
        return writeFileAtomic(file, text);
      }),
    );
    for (const u of change.deleteRules) await ignoreENOENT(fs.unlink(path.join(this.rulesDir, `${u}.json`)));
    for (const u of change.deleteRemoteVms) await ignoreENOENT(fs.unlink(path.join(this.vmsDir, `${u}.json`)));
    await fsyncDir(this.rulesDir);
    await fsyncDir(this.vmsDir);
  }
}

function byUuid<T extends { uuid: string }>(a: T, b: T): number {
  return a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0;
}
