/**
 * How every change is made (docs/state.md): one at a time under the state
 * lock; whatever an earlier command left unfinished is finished first
 * (recovery.ts); the change is written into the journal before anything
 * is touched, with the VMs whose derived state follows from it; then its
 * steps, each a named point where tests stop it as kill -9 would; then
 * the journal goes, and any VM that could not be brought up to date stays
 * pending for the next command.
 *
 * Interrupts (SIGINT, SIGTERM, SIGHUP, recorded in rt.interrupt): before
 * the change is committed, a step stops it and the operation undoes what
 * it did (InterruptedError: `interrupted: nothing was changed`); after,
 * the change is finished and the result says it was interrupted.
 */
import { AppError } from '../core/errors';
import { acquireLock } from '../store/lock';
import type { Journal, RuleChange, VmChange } from '../store/journal';
import { recordVmEvent } from './events';
import { recover, type Recovered } from './recovery';
import { isSimulatedCrash, type Runtime } from './runtime';
import type { SyncResult } from './sync';

/** What a change gives back: its value, what it has to say, and whether it was interrupted after its commit. */
export interface Completed<T> {
  readonly value: T;
  /** One line each (without `note: `): what was finished or repaired for earlier commands, VMs left pending. */
  readonly notes: string[];
  /** The signal that came after the change was made (it was finished). */
  readonly interrupted?: string;
}

export class Change {
  readonly notes: string[] = [];
  private committed = false;
  private journaled = false;
  /** The VM change begun, whose event is logged when it ends (events.ts). */
  private vmChange: VmChange | undefined;

  constructor(
    readonly rt: Runtime,
    readonly verb: string,
    /** What recovery left pending (VMs and why). */
    readonly recovered: Recovered,
  ) {}

  /** Whether the change is made (its truth stored): from here it is finished, not undone. */
  get isCommitted(): boolean {
    return this.committed;
  }

  /** Record the change about to be made, and the VMs whose derived state follows from it. */
  async begin(change: VmChange | RuleChange, pending: Iterable<string>): Promise<void> {
    this.step(`${this.opName(change)}:begin`);
    const journal: Journal = { v: 1, verb: this.verb, pid: process.pid, change, pending: [...new Set(pending)].sort() };
    await this.rt.journal.write(journal);
    this.journaled = true;
    if (change.kind === 'vm') this.vmChange = change;
    try {
      this.step(`${this.opName(change)}:journaled`);
    } catch (err) {
      // interrupted before any step: the journal goes too (a kill would leave it, for recovery)
      if (!isSimulatedCrash(err)) await this.abandon();
      throw err;
    }
  }

  /**
   * A named step before the commit: a crash point, and where an interrupt
   * stops the change (InterruptedError; the caller undoes its steps).
   */
  step(name: string): void {
    this.rt.crashPoint(name);
    if (!this.committed) this.rt.interrupt.check();
  }

  /** A named point where no interrupt is taken (after a step that is not undone on interrupt). */
  point(name: string): void {
    this.rt.crashPoint(name);
  }

  /** The truth is stored: the change is made. */
  commit(name: string): void {
    this.committed = true;
    this.rt.crashPoint(name);
  }

  /** The change is whole. VMs the sync could not bring up to date stay pending (and are said in notes). */
  async end(sync?: Pick<SyncResult, 'done' | 'failed' | 'failures'>): Promise<void> {
    // the VM's event: what its record became (nothing for a change undone)
    if (this.vmChange) {
      const failed = recordVmEvent(this.rt, this.vmChange);
      if (failed !== undefined) this.notes.push(failed);
      this.vmChange = undefined;
    }
    if (sync) await this.settlePending(sync);
    this.rt.journal.clear();
    this.journaled = false;
  }

  /** Undone before its commit: the journal goes (VMs synced back are settled too). */
  async abandon(sync?: Pick<SyncResult, 'done' | 'failed' | 'failures'>): Promise<void> {
    if (!this.journaled) return;
    await this.end(sync);
  }

  private async settlePending(sync: Pick<SyncResult, 'done' | 'failed' | 'failures'>): Promise<void> {
    const before = this.rt.journal.pending();
    const next = new Set(before);
    for (const u of sync.done) next.delete(u);
    for (const u of sync.failed) next.add(u);
    if (next.size !== before.length || [...next].some((u) => !before.includes(u))) await this.rt.journal.setPending(next);
  }

  private opName(change: VmChange | RuleChange): string {
    return change.kind === 'vm' ? change.op : 'rules';
  }
}

/**
 * Run `work` as the one change under the state lock of rt's root, after
 * recovery. The lock is released however it ends (a SimulatedCrash
 * included: a dead process's lock is released by the kernel).
 */
export async function runChange<T>(rt: Runtime, verb: string, work: (c: Change) => Promise<T>): Promise<Completed<T>> {
  rt.interrupt.check();
  const lock = await acquireLock(rt.root, {
    verb,
    onWait: (owner) => rt.notify(`waiting for ${owner?.verb ?? 'another command'}${owner ? ` (pid ${owner.pid})` : ''} to finish`),
    checkpoint: () => rt.interrupt.check(),
  });
  try {
    const recovered = await recover(rt);
    // its journal stays until it can be finished: no change is made over it
    if (recovered.unfinished !== undefined) throw new AppError(`${recovered.unfinished}; nothing was changed (the next command tries again)`);
    rt.interrupt.check();
    const c = new Change(rt, verb, recovered);
    c.notes.push(...recovered.notes, ...recovered.failures.map((f) => `still pending: ${f}`));
    const value = await work(c);
    return { value, notes: c.notes, interrupted: rt.interrupt.signal };
  } finally {
    lock.release();
  }
}
