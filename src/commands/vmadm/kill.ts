/** `vmadm kill [-s SIGNAL | -SIGNAL] <uuid>`: a signal to the VM's init (docs/vmadm-cli.md §16.1). */
import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command';
import { printSuccess, quietFlags, rootFlag, withApp } from '../../cli/app';
import { AppError, UsageError } from '../../core/errors';
import { DEFAULT_SIGNAL, parseSignal } from '../../core/signals';
import { UUID_ANY_CASE } from '../../core/uuid';

/** Tokens that are this command's own options, not a `-SIGNAL`. */
const OPTIONS = new Set(['-s', '-v', '-d', '-h']);

/**
 * The signal and the VM of a kill, as SmartOS's vmadm reads them (usage
 * errors, exit 2, with its words): `-s SIG <uuid>`, `-SIG <uuid>`, or
 * `<uuid>` alone for SIGTERM.
 */
function signalAndUuid(flagSignal: string | undefined, dashed: readonly string[], positional: readonly string[]): { signal: string; uuid: string } {
  if (flagSignal !== undefined) {
    if (dashed.length > 0) throw new UsageError(`Unexpected args: ${JSON.stringify(dashed.map((d) => d.slice(1)))}`);
    const [uuid, ...more] = positional;
    if (uuid === undefined || !UUID_ANY_CASE.test(uuid)) throw new UsageError('Invalid or missing UUID for kill');
    if (more.length > 0) throw new UsageError('Too many arguments.');
    return { signal: flagSignal, uuid };
  }
  if (dashed.length === 0) {
    if (positional.length === 1 && UUID_ANY_CASE.test(positional[0])) return { signal: DEFAULT_SIGNAL, uuid: positional[0] };
    if (positional.length > 0) throw new UsageError('Too many arguments.');
    throw new UsageError('Invalid or missing argument UUID');
  }
  // -SIGNAL <uuid>: the VM is the word after the signal
  const [first, ...others] = dashed;
  const uuid = positional[0];
  if (uuid === undefined || !UUID_ANY_CASE.test(uuid) || others.length > 0) {
    throw new UsageError(`Unexpected args: ${JSON.stringify((uuid !== undefined && UUID_ANY_CASE.test(uuid) ? others : dashed).map((d) => d.slice(1)))}`);
  }
  if (positional.length > 1) throw new UsageError('Too many arguments.');
  return { signal: first.slice(1), uuid };
}

export default class Kill extends BaseCommand {
  static override summary = "Send a signal to a VM's init process (default SIGTERM).";

  static override description = [
    'Sends SIGNAL to the init process of the VM\'s zone, as SmartOS vmadm kill does, and prints "Sent signal "<SIGNAL>" to init process for VM <uuid>" on standard error, SIGNAL as given. SIGNAL is a name with or without SIG (SIGKILL, KILL) or a number, in SmartOS\'s (illumos\'s) numbering (9 is KILL, 16 is USR1); 0 only checks that init is there. -s SIGNAL and -SIGNAL are the same.',
    'A VM that is not running: "Cannot find running init PID for VM <uuid>", exit status 1; a signal that does not exist: "Unknown signal "<SIGNAL>"", exit status 1; an unknown VM: "VM <uuid> not found", exit status 1.',
    'On illumos the pid of the zone\'s init comes from its zone_misc kstat and the signal is sent with kill(1). The embedded local host runs no processes: it records the signal in the zone (its host/zones/<uuid>.json, "signals") and nothing else happens.',
  ].join('\n\n');

  static override strict = false;

  static override examples = [
    '<%= config.bin %> <%= command.id %> 5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11',
    '<%= config.bin %> <%= command.id %> -s SIGHUP 5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11',
    '<%= config.bin %> <%= command.id %> -9 5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11',
  ];

  static override usage = ['<%= command.id %> [-s SIGNAL | -SIGNAL] UUID'];

  static override flags = {
    signal: Flags.string({ char: 's', summary: 'The signal (name or number; default SIGTERM).', helpValue: 'SIGNAL' }),
    root: rootFlag,
    ...quietFlags,
  };

  async run(): Promise<void> {
    // -SIGNAL (-9, -KILL, -SIGHUP) is not an option oclif knows: taken out before it parses
    const dashed: string[] = [];
    const rest: string[] = [];
    for (const a of this.argv) {
      if (/^-[^-]/.test(a) && !OPTIONS.has(a) && !rest.includes('--')) dashed.push(a);
      else rest.push(a);
    }
    const { argv, flags } = await this.parse(Kill, rest);
    const io = this.io;
    const { signal: given, uuid } = signalAndUuid(flags.signal, dashed, argv as string[]);
    const signal = parseSignal(given);
    if (signal === undefined) throw new AppError(`Unknown signal "${given}"`);
    const done = await withApp(io, flags.root, true, (rt, app) => app.killVm(rt, uuid, signal, given));
    printSuccess(io, done.value, done);
  }
}
