/**
 * What the stateful commands share: the --root flag, opening the
 * application layer for this run, the UUID argument check, and how a
 * change's outcome is printed (success line, notes, interrupts).
 *
 * The application layer (src/app) is loaded on first use, not when the
 * command is: its file-writing and locking libraries install signal
 * handlers or load a native addon, which a startup snapshot cannot hold.
 */
import { Flags } from '@oclif/core';
import { signalExitCode, UsageError } from '../core/errors';
import type { Completed, Runtime } from '../app';
import type { Io } from './io';

/** `--root DIR` (or VMADM_ROOT): where VM records (and, on the embedded local host, zones) live. */
export const rootFlag = Flags.string({
  summary: 'State root: where VM records (and, on the embedded local host, zones) live. Default: $VMADM_ROOT, else $XDG_STATE_HOME/vmadm (~/.local/state/vmadm); /var/vmadm on illumos.',
  helpValue: 'DIR',
});

/** -v/--verbose and -d/--debug: accepted by every command, as SmartOS vmadm does; no visible effect. */
export const quietFlags = {
  verbose: Flags.boolean({ char: 'v', hidden: true }),
  debug: Flags.boolean({ char: 'd', hidden: true }),
};

export type App = typeof import('../app');

/** The application layer (loaded on first use). */
export function app(): App {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('../app') as App;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * The runtime of this run. `changes`: the command makes a change, so
 * SIGINT, SIGTERM and SIGHUP are taken over for the rest of the run: the
 * change is finished or undone, then the command says so and exits
 * 128+signal (a second signal changes nothing). Readers keep what the
 * process does (bin/: say nothing was changed, and stop).
 */
function openApp(io: Io, root: string | undefined, changes: boolean): Runtime {
  const { openRuntime, Interrupt } = app();
  const interrupt = new Interrupt();
  const rt = openRuntime({
    root,
    env: io.env,
    interrupt,
    notify: (line) => io.stderr.write(line + '\n'),
    crashPoint: io.crashPoint,
  });
  // kept until the run ends: a signal after the change is made is too late
  // to say "nothing was changed", and the change needs no more telling
  if (changes && io.signals) for (const s of SIGNALS) io.signals.on(s, (signal) => interrupt.request(signal));
  return rt;
}

/** Run `fn` with the runtime of this run (see openApp) and the application layer. */
export async function withApp<T>(io: Io, root: string | undefined, changes: boolean, fn: (rt: Runtime, api: App) => Promise<T>): Promise<T> {
  return fn(openApp(io, root, changes), app());
}

/**
 * The UUID argument as SmartOS checks it: 36 characters with `-` at 8, 13,
 * 18 and 23, else the usage error `Invalid or missing UUID for <command>`.
 */
export function checkUuidArg(uuid: string | undefined, command: string): string {
  if (typeof uuid === 'string' && uuid.length === 36 && uuid[8] === '-' && uuid[13] === '-' && uuid[18] === '-' && uuid[23] === '-') {
    return uuid;
  }
  throw new UsageError(`Invalid or missing UUID for ${command}`);
}

/** The command word as the user typed it (an alias such as `json` or `halt`), else the command's own name. */
export function typedCommand(io: Io, id: string, aliases: readonly string[]): string {
  const typed = io.argv[0];
  return typed !== undefined && (typed === id || aliases.includes(typed)) ? typed : id;
}

/** Notes, one `note:` line each, on stderr. */
export function printNotes(io: Io, notes: readonly string[]): void {
  if (notes.length > 0) io.stderr.write(notes.map((n) => `note: ${n}\n`).join(''));
}

/**
 * A change's outcome on stderr: the success line first (tools match it at
 * the start of stderr), then one `note:` line per note, then, when a
 * signal came after the change was made, `interrupted after the change
 * was made` and the exit status 128+signal.
 */
export function printSuccess(io: Io, line: string | undefined, done?: Pick<Completed<unknown>, 'notes' | 'interrupted'>, notes: readonly string[] = []): void {
  if (line !== undefined) io.stderr.write(line + '\n');
  printNotes(io, [...notes, ...(done?.notes ?? [])]);
  printInterrupted(io, done);
}

/** `interrupted after the change was made` and its exit status, when a signal came after the change was made. */
export function printInterrupted(io: Io, done?: Pick<Completed<unknown>, 'interrupted'>): void {
  if (done?.interrupted === undefined) return;
  io.stderr.write('interrupted after the change was made\n');
  io.exitCode = signalExitCode(done.interrupted);
}
