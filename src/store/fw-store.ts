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
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { FwError } from '../core/fw/errors';
import { remoteVmFromJson, remoteVmToJson, type RemoteVmRecord } from '../core/fw/remote-vms';
import { ruleFromJson, ruleToJson } from '../core/fw/rules';
import type { FwRule } from '../core/fwrule/types';

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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
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
  private txSeq = 0;

  /**
   * `root`: vmadm's state root; `lock`: vmadm's store lock (VmStore.lock),
   * not taken again by this class: call everything from inside withLock.
   */
  constructor(
    readonly root: string,
    private readonly lock: Lock,
  ) {
    this.dir = path.join(root, 'fw');
    this.rulesDir = path.join(this.dir, 'rules');
    this.vmsDir = path.join(this.dir, 'vms');
    this.journalPath = path.join(this.dir, '.journal.json');
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
      if (name.startsWith('.journal.json.')) await ignoreENOENT(fs.unlink(path.join(this.dir, name)));
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

  /** Every stored rule, sorted by uuid. */
  async loadRules(): Promise<FwRule[]> {
    const rules = await this.readDir(this.rulesDir, ruleFromJson);
    return rules.sort((a, b) => (a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0));
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
