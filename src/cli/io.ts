/**
 * A command's streams, environment and arguments, handed in rather than
 * taken from `process`, so tests run commands in the test process
 * (test/helpers/run-cli.ts) the way bin/vmadm and bin/fwadm run them.
 *
 * The runner (bin/cli.ts) makes the Io of a run current for everything
 * that run calls (AsyncLocalStorage), so oclif's command classes, which
 * oclif constructs itself, reach theirs through `currentIo()`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Readable, Writable } from 'node:stream';

/** Where signals come from (process, or a test's emitter). */
export interface SignalSource {
  on(signal: 'SIGINT' | 'SIGTERM' | 'SIGHUP', listener: (signal: NodeJS.Signals) => void): unknown;
  off(signal: 'SIGINT' | 'SIGTERM' | 'SIGHUP', listener: (signal: NodeJS.Signals) => void): unknown;
}

export interface Io {
  readonly stdin: Readable & { isTTY?: boolean };
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly env: NodeJS.ProcessEnv;
  /** The arguments after the program name. */
  readonly argv: readonly string[];
  /** SIGINT, SIGTERM and SIGHUP, which a change takes over while it runs. */
  readonly signals?: SignalSource;
  /** Tests: called at each named step of a change (store/app crash points). */
  readonly crashPoint?: (point: string) => void;
  /** The exit status so far. */
  exitCode: number | undefined;
}

/** The process's own streams, environment and arguments; its signals as `signals` hands them on. */
export function processIo(argv: readonly string[], signals: SignalSource): Io {
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    argv,
    signals,
    exitCode: undefined,
  };
}

let storage: AsyncLocalStorage<Io> | undefined;

/** Run `fn` with `io` current. */
export function withIo<T>(io: Io, fn: () => Promise<T>): Promise<T> {
  storage ??= new AsyncLocalStorage<Io>();
  return storage.run(io, fn);
}

/** The Io of the run in progress. */
export function currentIo(): Io {
  const io = storage?.getStore();
  if (!io) throw new Error('no command is running (currentIo outside withIo)');
  return io;
}
