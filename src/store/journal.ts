/**
 * The two files that let the next command finish what an earlier one left
 * (docs/state.md "Journal and pending VMs"):
 *
 *   <root>/.journal.json   the change the lock holder is making, written
 *                          (and synced) before it touches anything; removed
 *                          when the change is whole. At most one: one lock.
 *   <root>/.pending.json   {"vms": [uuid, ...]}: VMs whose derived state
 *                          (config files, ipf files, what is loaded) a
 *                          finished command could not bring up to date; the
 *                          next writer retries them. Absent when none.
 *
 * Both are written atomically (temp file, fsync, rename). Readers of VMs
 * and rules never need them, except that a rule change whose journal is
 * present is already decided (its journal is its commit), so fwadm's
 * readers show it (FwStore.overlay).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { AppError } from '../core/errors';
import { isCode } from '../core/errno';
import type { RuleJson } from '../core/fw/rules';
import type { RemoteVmRecord } from '../core/fw/remote-vms';
import { prepareWrite } from './paths';

/** A VM as the store writes it (zonepath relative to the root when it lies under it). */
export type StoredVm = Record<string, unknown> & { uuid: string; zonepath: string };

export type VmOp = 'create' | 'update' | 'delete' | 'start' | 'stop' | 'reboot' | 'reprovision' | 'receive' | 'create-snapshot' | 'rollback-snapshot' | 'delete-snapshot';

/** A vmadm change of one VM: the record before and after (null: absent). */
export interface VmChange {
  readonly kind: 'vm';
  readonly op: VmOp;
  readonly uuid: string;
  readonly before: StoredVm | null;
  readonly after: StoredVm | null;
}

/** A change of stored rules and remote VMs, whole: its journal is its commit. */
export interface RuleChange {
  readonly kind: 'rules';
  readonly putRules: readonly RuleJson[];
  readonly deleteRules: readonly string[];
  readonly putRemoteVms: readonly RemoteVmRecord[];
  readonly deleteRemoteVms: readonly string[];
}

export interface Journal {
  readonly v: 1;
  /** Who made it: `vmadm create`, `fwadm add`. */
  readonly verb: string;
  readonly pid: number;
  readonly change: VmChange | RuleChange;
  /** VMs whose derived state follows from the change. */
  readonly pending: readonly string[];
}

export class JournalFiles {
  readonly journalPath: string;
  readonly pendingPath: string;

  constructor(readonly root: string) {
    this.journalPath = path.join(root, '.journal.json');
    this.pendingPath = path.join(root, '.pending.json');
  }

  /** The journal of an unfinished change, if any. */
  read(): Journal | undefined {
    const text = this.readText(this.journalPath);
    if (text === undefined) return undefined;
    try {
      const j = JSON.parse(text) as Journal;
      if (j && j.v === 1 && j.change && Array.isArray(j.pending)) return j;
    } catch {
      // a journal is written by rename: it is whole or absent
    }
    throw new AppError(`${this.journalPath}: unreadable journal; the state root is damaged`);
  }

  /** Record the change about to be made (synced: it is the commit of a rule change). */
  async write(journal: Journal): Promise<void> {
    prepareWrite(this.root, this.journalPath);
    await writeFileAtomic(this.journalPath, JSON.stringify(journal) + '\n');
  }

  clear(): void {
    try {
      fs.unlinkSync(this.journalPath);
    } catch (err) {
      if (!isCode(err, 'ENOENT')) throw err;
    }
  }

  /** Whether anything is left to finish (cheap: two stats). */
  anyLeft(): boolean {
    return fs.existsSync(this.journalPath) || fs.existsSync(this.pendingPath);
  }

  pending(): string[] {
    const text = this.readText(this.pendingPath);
    if (text === undefined) return [];
    try {
      const p = JSON.parse(text) as { vms?: unknown };
      if (Array.isArray(p.vms)) return p.vms.filter((u): u is string => typeof u === 'string');
    } catch {
      // unreadable: rewritten below by the next writer
    }
    return [];
  }

  /** The VMs still pending (none: the file goes). */
  async setPending(uuids: Iterable<string>): Promise<void> {
    const vms = [...new Set(uuids)].sort();
    if (vms.length === 0) {
      try {
        fs.unlinkSync(this.pendingPath);
      } catch (err) {
        if (!isCode(err, 'ENOENT')) throw err;
      }
      return;
    }
    prepareWrite(this.root, this.pendingPath);
    await writeFileAtomic(this.pendingPath, JSON.stringify({ vms }) + '\n');
  }

  private readText(file: string): string | undefined {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch (err) {
      if (isCode(err, 'ENOENT')) return undefined;
      throw err;
    }
  }
}
