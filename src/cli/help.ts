/**
 * oclif's help, written to a run's own stdout (docs/vmadm-cli.md §1,
 * docs/fwadm-cli.md §1): what `<bin> <command> --help`, a topic's help
 * and fwadm's `-h` flag print, so that a command run in this process
 * (tests) prints its help where it prints everything else.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { Flags, Help, type Command, type Config, type Interfaces } from '@oclif/core';
import { currentIo } from './io';

/**
 * Wait until what the run wrote to its stdout has been handed on: oclif's
 * flush(), but of the run's own stream (oclif's waits on process.stdout,
 * and leaves a listener on it each time).
 */
export async function drained(stream: Writable): Promise<void> {
  if (stream.writableNeedDrain) await once(stream, 'drain');
}

/**
 * oclif's help for `argv`, written to `out` (a run's own stdout, not the
 * process's), and given copies of the commands and topics it lists: oclif
 * writes the spaced ids and names into those it formats, and the
 * configuration kept for the next run in this process would then not find
 * them.
 */
export async function showHelp(config: Config, argv: string[], out: Writable, env: NodeJS.ProcessEnv): Promise<void> {
  // wrapped as oclif wraps for a process: $OCLIF_COLUMNS, else the terminal's width (at least 40), else 80
  const tty = out as Writable & { isTTY?: boolean; columns?: number };
  const maxWidth = Number.parseInt(env.OCLIF_COLUMNS ?? '', 10) || (tty.isTTY && tty.columns ? Math.max(40, tty.columns) : 80);
  const help = new (class extends Help {
    protected override log(...args: string[]): void {
      out.write(`${args.join(' ')}\n`);
    }
    protected override formatCommand(command: Command.Loadable): string {
      return super.formatCommand({ ...command });
    }
    protected override formatCommands(commands: Command.Loadable[]): string {
      return super.formatCommands(commands.map((c) => ({ ...c })));
    }
    protected override formatTopics(topics: Interfaces.Topic[]): string {
      return super.formatTopics(topics.map((t) => ({ ...t })));
    }
  })(config, { ...config.pjson.oclif.helpOptions, maxWidth });
  await help.showHelp(argv);
  await drained(out);
}

/** A `-h`/`--help` flag whose help goes to the run's stdout (as oclif's Flags.help, which writes to the process's). */
export function helpFlag(opts: { char?: 'h'; description: string }): ReturnType<typeof Flags.boolean> {
  return Flags.boolean({
    ...opts,
    async parse(_value: boolean, cmd: Command) {
      const io = currentIo();
      await showHelp(cmd.config, cmd.id ? [cmd.id, ...cmd.argv] : [...cmd.argv], io.stdout, io.env);
      cmd.exit(0);
      return true;
    },
  });
}
