/**
 * `vmadm events` (docs/vmadm-cli.md §16.2; docs/state.md "Events"): each
 * change of a VM's record makes one event, appended to the events log by
 * the change that made it (change.ts, when it ends) or by the recovery
 * that finished it (recovery.ts); `followEvents` reads the log as it
 * grows, without the lock.
 */
import { randomUUID } from 'node:crypto';
import { NotFoundError } from '../core/errors';
import { eventView, vmEvent, type ReadyEvent, type VmEvent } from '../core/vm/events';
import { EventLog } from '../store/events';
import type { VmChange } from '../store/journal';
import { hostFacts } from './reads';
import type { Runtime } from './runtime';

/** How often a follower looks at the log for new lines. */
const POLL_MS = 100;

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Append the event of a VM change, once it is whole: the VM as the change
 * found it (the journal's before) against the VM as stored now (nothing
 * when they look the same: an undone change). `once`: recovery, which may
 * finish a change whose command died after appending its event: not
 * appended again when it is the last event of that VM. Never throws: the
 * change is made; a log that cannot be written is said in a note.
 */
export function recordVmEvent(rt: Runtime, change: VmChange, opts: { once?: boolean } = {}): string | undefined {
  try {
    const before = change.before ? rt.vms.fromStored(change.before) : undefined;
    const ev = vmEvent(before, rt.vms.get(change.uuid), rt.now(), hostFacts(rt));
    if (ev === undefined) return undefined;
    const log = new EventLog(rt.root);
    if (opts.once) {
      const last = log.last<VmEvent>((e) => e.uuid === ev.uuid);
      if (last && last.type === ev.type && JSON.stringify(last.vm) === JSON.stringify(ev.vm)) return undefined;
    }
    log.append([ev]);
    return undefined;
  } catch (err) {
    return `the event of VM ${change.uuid} was not logged: ${message(err)}`;
  }
}

export interface FollowOptions {
  /** Only this VM's events (it must exist when the stream starts: `VM <uuid> not found`). */
  readonly uuid?: string;
  /** Called first, with the ready event (-r). */
  readonly onReady?: (ev: ReadyEvent) => void;
  readonly onEvent: (ev: VmEvent) => void;
  /** Ends the stream. */
  readonly signal: AbortSignal;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Follow the events log from now until `signal` aborts (a reader: no lock, no waiting on writers). */
export async function followEvents(rt: Runtime, opts: FollowOptions): Promise<void> {
  const follower = new EventLog(rt.root).follower();
  try {
    const vms = rt.vms.list();
    const host = hostFacts(rt);
    if (opts.uuid !== undefined && !vms.some((vm) => vm.zonename === opts.uuid)) throw new NotFoundError(`VM ${opts.uuid} not found`);
    opts.onReady?.({ type: 'ready', date: rt.now().toISOString(), uuid: randomUUID(), vms: Object.fromEntries(vms.map((vm) => [vm.zonename, eventView(vm, host)])) });
    while (!opts.signal.aborted) {
      for (const line of follower.read()) {
        let ev: VmEvent;
        try {
          ev = JSON.parse(line) as VmEvent;
        } catch {
          continue; // not an event: skipped
        }
        if (opts.uuid === undefined || ev.zonename === opts.uuid) opts.onEvent(ev);
      }
      await sleep(POLL_MS, opts.signal);
    }
  } finally {
    follower.close();
  }
}
