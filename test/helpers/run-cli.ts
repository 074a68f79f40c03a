/**
 * Run vmadm and fwadm in the test process, as bin/vmadm and bin/fwadm run
 * them (the same runner, commands and exit statuses), with the input,
 * environment and signals a test gives and the output captured: `run`.
 * `spawnCli` runs the built binaries themselves, for the few tests about
 * the process (startup snapshot, signals, kill -9); those need
 * `npm run build` first (npm test does it).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import * as path from 'node:path';
import { Readable, Writable } from 'node:stream';
import type { Io, SignalSource } from '../../src/cli/io';
import { runCli, type CliDefinition } from '../../src/cli/runner';
import { VMADM } from '../../src/commands/vmadm';
import { FWADM } from '../../src/commands/fwadm';
import { version } from '../../package.json';

export const repoRoot = path.resolve(__dirname, '..', '..', '..');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
  /** In-process runs: standard output as the bytes written (a send stream). */
  stdoutBytes?: Buffer;
}

export interface RunOptions {
  /** Standard input (default: empty, not a terminal). */
  input?: string | Buffer;
  /** Standard input is a terminal. */
  tty?: boolean;
  /** Added to the test process's environment. */
  env?: NodeJS.ProcessEnv;
  /** Signals the command receives (emit 'SIGINT' on it). */
  signals?: SignalSource;
  /** Called at each named step of a change; throw SimulatedCrash to stop there as kill -9 would. */
  crashPoint?: (point: string) => void;
  /** Called with each chunk written to stderr, as it is written. */
  onStderr?: (text: string) => void;
  /** Called with each chunk written to stdout, as it is written. */
  onStdout?: (text: string) => void;
  /** Standard input as a stream (bytes as they come), instead of `input`. */
  stdin?: NodeJS.ReadableStream;
  /** Standard output is a terminal. */
  stdoutTty?: boolean;
}

const DEFINITIONS: Record<'vmadm' | 'fwadm', CliDefinition> = {
  vmadm: { ...VMADM, version },
  fwadm: { ...FWADM, version },
};

class Capture extends Writable {
  text = '';
  readonly chunks: Buffer[] = [];
  constructor(private readonly tap?: (text: string) => void) {
    super();
  }
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    const s = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    this.chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
    this.text += s;
    this.tap?.(s);
    done();
  }
}

/** Run a command in this process; resolves when it is done. */
export async function run(bin: 'vmadm' | 'fwadm', args: string[], opts: RunOptions = {}): Promise<CliResult> {
  const stdin = (opts.stdin ?? Readable.from(opts.input === undefined ? [] : [Buffer.from(opts.input)])) as Readable & { isTTY?: boolean };
  if (opts.tty) stdin.isTTY = true;
  const stdout = new Capture(opts.onStdout);
  if (opts.stdoutTty) (stdout as Writable & { isTTY?: boolean }).isTTY = true;
  const stderr = new Capture(opts.onStderr);
  const io: Io = {
    stdin,
    stdout,
    stderr,
    env: { ...process.env, ...opts.env },
    argv: args,
    signals: opts.signals,
    crashPoint: opts.crashPoint,
    exitCode: undefined,
  };
  const restoreZone = useTimeZone(opts.env?.TZ);
  try {
    const status = await runCli(DEFINITIONS[bin], io);
    return { status, stdout: stdout.text, stderr: stderr.text, stdoutBytes: Buffer.concat(stdout.chunks) };
  } finally {
    restoreZone();
  }
}

/**
 * Dates are shown in the time zone of the process (process.env.TZ), not of
 * the command's environment: a run given TZ gets it for its duration, as
 * in its own process (so concurrent runs must not ask for different ones).
 * Returns what puts the previous one back.
 */
function useTimeZone(zone: string | undefined): () => void {
  const previous = process.env.TZ;
  if (zone === undefined || zone === previous) return () => undefined;
  process.env.TZ = zone;
  return () => {
    if (previous === undefined) delete process.env.TZ;
    else process.env.TZ = previous;
  };
}

/** A source of signals a test emits (`signals.emit('SIGINT', 'SIGINT')`). */
export function signalSource(): SignalSource & EventEmitter {
  return new EventEmitter() as SignalSource & EventEmitter;
}

/** Run the built binary (./bin/<bin>) as a user does, to its end. */
export function spawnCli(
  bin: 'vmadm' | 'fwadm',
  args: string[],
  opts: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): CliResult {
  const r = spawnSync(path.join(repoRoot, 'bin', bin), args, {
    input: opts.input ?? '',
    encoding: 'utf8',
    cwd: opts.cwd ?? repoRoot,
    env: { ...process.env, ...opts.env },
    maxBuffer: 512 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Start the built binary and leave it running (to signal or kill it). */
export function startCli(bin: 'vmadm' | 'fwadm', args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): ChildProcess & { output: Promise<CliResult> } {
  const child = spawn(path.join(repoRoot, 'bin', bin), args, { cwd: repoRoot, env: { ...process.env, ...opts.env }, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  child.stdin.end(opts.input ?? '');
  const output = new Promise<CliResult>((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
  return Object.assign(child, { output });
}

export function examplePath(...parts: string[]): string {
  return path.join(repoRoot, 'examples', ...parts);
}
