/**
 * What one command works with: its state root and host, the stores in
 * them, and what it is given from outside (environment, interrupts, where
 * to say it is waiting, named crash points for tests). The one context of
 * the application layer; commands open it (openRuntime) and pass it to the
 * operations of src/app.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { InterruptedError } from '../core/errors';
import type { VmEnv } from '../core/vm/env';
import { envCrashPoint } from '../hosts/common';
import { selectHost, type Host } from '../hosts/host';
import { FwStore } from '../store/fw-store';
import { JournalFiles } from '../store/journal';
import { hostKind, stateRoot, type HostKind } from '../store/root';
import { VmStore } from '../store/vm-store';

/**
 * SIGINT, SIGTERM or SIGHUP received while a command runs (the CLI
 * records them here instead of dying). A change checks it between its
 * steps: before its commit it stops and undoes what it did; after, it
 * finishes and then reports the interrupt.
 */
export class Interrupt {
  signal: string | undefined;

  request(signal: string): void {
    this.signal ??= signal;
  }

  /** Stop here if interrupted (before anything is changed). */
  check(): void {
    if (this.signal !== undefined) throw new InterruptedError(this.signal);
  }
}

/** A simulated kill -9 (tests): nothing after it runs, no undo, only the lock is released (as the kernel would). */
export class SimulatedCrash extends Error {
  constructor(readonly point: string) {
    super(`simulated crash at ${point}`);
  }
}

export function isSimulatedCrash(err: unknown): boolean {
  return err instanceof SimulatedCrash;
}

export interface RuntimeOptions {
  /** --root. */
  readonly root?: string;
  readonly env: NodeJS.ProcessEnv;
  readonly interrupt?: Interrupt;
  /** A line to show now, on stderr (`waiting for ...`). */
  readonly notify?: (line: string) => void;
  /**
   * Called at each named step of a change (tests): throw SimulatedCrash to
   * stop there as a kill -9 would. Without it, two test hooks of the
   * environment act on the whole process (docs/state.md "Crash points"):
   * VMADM_CRASH_AT=<point> kills it there with SIGKILL, and
   * VMADM_SIGNAL_AT=<point>:<SIGNAL> sends it that signal there.
   */
  readonly crashPoint?: (point: string) => void;
  /** The time (tests). */
  readonly now?: () => Date;
}

export class Runtime {
  readonly kind: HostKind;
  readonly root: string;
  readonly vms: VmStore;
  readonly fw: FwStore;
  readonly host: Host;
  readonly journal: JournalFiles;
  readonly interrupt: Interrupt;
  readonly env: NodeJS.ProcessEnv;
  private readonly options: RuntimeOptions;

  constructor(options: RuntimeOptions) {
    this.options = options;
    this.env = options.env;
    this.kind = hostKind(options.env);
    this.root = stateRoot(options.root, this.kind, options.env);
    // VMADM_ALTROOT (illumos): where the host's filesystem (its /zones) is mounted, as zoneadm -R
    const altroot = this.kind === 'illumos' && options.env.VMADM_ALTROOT ? path.resolve(options.env.VMADM_ALTROOT) : '';
    this.vms = new VmStore(this.root, this.kind, altroot);
    this.fw = new FwStore(this.root);
    this.host = selectHost(this.kind, this.root, options.env);
    this.journal = new JournalFiles(this.root);
    this.interrupt = options.interrupt ?? new Interrupt();
  }

  now(): Date {
    return this.options.now?.() ?? new Date();
  }

  notify(line: string): void {
    this.options.notify?.(line);
  }

  /** A named step of a change: where tests stop a command as kill -9 would. */
  crashPoint(point: string): void {
    if (this.options.crashPoint) {
      this.options.crashPoint(point);
      return;
    }
    envCrashPoint(this.env, point);
  }

  /** Event-logging ipf files (docs/ipf.md): the host decides. */
  eventLog(): boolean {
    return this.host.eventLog();
  }

  /** What the pure VM model needs for a change made now. */
  vmEnv(): VmEnv {
    return {
      now: this.now(),
      newUuid: () => randomUUID(),
      randomBytes: (n) => new Uint8Array(randomBytes(n)),
      zonepathOf: (zpool, uuid) => this.vms.zonepathOf(zpool, uuid),
    };
  }
}

export function openRuntime(options: RuntimeOptions): Runtime {
  return new Runtime(options);
}
