/** `vmadm events [-fjr] [uuid]`: the VM events as they happen, until interrupted (docs/vmadm-cli.md §16.2). */
import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command';
import { quietFlags, rootFlag, withApp } from '../../cli/app';
import { signalExitCode } from '../../core/errors';
import { eventLines, readyLine } from '../../core/vm/events';
import { checkUuidArg } from '../../cli/app';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export default class Events extends BaseCommand {
  static override summary = 'Print VM events (create, modify, delete) as they happen, until interrupted.';

  static override description = [
    'Follows the changes made to VMs in this state root, by any vmadm or fwadm command, and prints one line per event on standard output as it happens, as SmartOS vmadm events prints them: "[<time>] <zonename> <alias> <type>" (create, delete), and for a modify one line per change, "[<time>] <zonename> <alias> modify: <property> <added|removed|changed> :: <old> -> <new>" (values as JSON). Runs until interrupted (SIGINT, SIGTERM, SIGHUP: "interrupted: nothing was changed", exit status 130, 143, 129).',
    '-f prints whole dates and zonenames (otherwise the time of day and the first part of the zonename); -j prints each event as one JSON object per line ({"type", "date", "zonename", "uuid", "vm", "changes"}), -f then having no effect; -r first prints a "ready" event once the stream is open ("[<time>] ready"; with -f "[<date>] ready (uuid <stream uuid>)"; with -j the JSON object, holding every VM as "vms"). With UUID only that VM\'s events are printed; a VM that does not exist: "VM <uuid> not found", exit status 1.',
    'Events come from the state root\'s events log (events.log, rotated at 1 MiB to events.log.1), to which each change appends its event: readers take no lock and never wait.',
  ].join('\n\n');

  static override examples = [
    '<%= config.bin %> <%= command.id %> -r',
    '<%= config.bin %> <%= command.id %> -j -r 5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11',
  ];

  static override args = {
    uuid: Args.string({ description: 'Only this VM\'s events.' }),
  };

  static override flags = {
    full: Flags.boolean({ char: 'f', summary: 'Whole dates and zonenames; nothing cut short.' }),
    json: Flags.boolean({ char: 'j', summary: 'One JSON object per event (-f has no effect then).' }),
    ready: Flags.boolean({ char: 'r', summary: 'First print a "ready" event once the stream is open.' }),
    root: rootFlag,
    ...quietFlags,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Events);
    const io = this.io;
    const uuid = args.uuid === undefined ? undefined : checkUuidArg(args.uuid, 'events').toLowerCase();
    const stop = new AbortController();
    let signal: string | undefined;
    const onSignal = (s: NodeJS.Signals): void => {
      signal ??= s;
      stop.abort();
    };
    // taken over while following (a reader changes nothing: it stops at once)
    for (const s of SIGNALS) io.signals?.on(s, onSignal);
    const write = (line: string): void => {
      io.stdout.write(line + '\n');
    };
    try {
      await withApp(io, flags.root, false, (rt, app) =>
        app.followEvents(rt, {
          uuid,
          signal: stop.signal,
          onReady: flags.ready ? (ev) => write(flags.json ? JSON.stringify(ev) : readyLine(ev, { full: flags.full })) : undefined,
          onEvent: (ev) => {
            if (flags.json) write(JSON.stringify(ev));
            else for (const line of eventLines(ev, { full: flags.full })) write(line);
          },
        }),
      );
    } finally {
      for (const s of SIGNALS) io.signals?.off(s, onSignal);
    }
    if (signal !== undefined) {
      io.stderr.write('interrupted: nothing was changed\n');
      io.exitCode = signalExitCode(signal);
    }
  }
}
