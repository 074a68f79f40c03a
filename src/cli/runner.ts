/**
 * Runs one of the project's oclif CLIs from a bundled command map.
 *
 * Each CLI (vmadm, fwadm) carries its own oclif configuration and its
 * commands as an explicit map, so nothing is discovered on disk at start:
 * the bundle (dist/<bin>.js) holds every command, and its startup snapshot
 * (dist/<bin>.blob, see scripts/bundle.js) holds them already loaded.
 */
import * as path from 'node:path';
import { Config, Plugin, run, handle, Interfaces } from '@oclif/core';
import type { Command } from '@oclif/core';
import { describeFailure } from './base-command';
import { drained, showHelp } from './help';
import { withIo, type Io } from './io';
import { quoteText } from './names';

export type CommandMap = Record<string, Command.Class>;

export interface CliDefinition {
  bin: string;
  description: string;
  version: string;
  commands: CommandMap;
  topics?: Record<string, { description: string }>;
  /** The error line (after `<bin>: `) for a command that does not exist, given its quoted name. */
  unknownCommand: (quotedName: string) => string;
  /**
   * The command line as the CLI reads it, before oclif (fwadm: options
   * before the subcommand, `help <cmd>`, unknown subcommands; vmadm: help,
   * a payload file given without -f).
   */
  prepareArgv?: (argv: string[]) => PreparedArgv;
  /** The usage text (a bare command prints it on stderr, help on stdout); default: one line per command. */
  usage?: () => string;
}

/**
 * What the command line asks for: the argv to give oclif, an error to
 * print on stderr with its exit status, or the CLI's usage on stdout
 * (exit 0).
 */
export type PreparedArgv = { argv: string[] } | { exitCode: number; stderr: string } | { help: true };

const maps = new Map<string, CommandMap>();

// The root plugin of each CLI takes its commands from the bundled map
// instead of require()-ing the explicit strategy's target from disk.
const proto = Plugin.prototype as unknown as { loadCommandsFromTarget(this: Plugin): Promise<CommandMap | undefined> };
const loadFromTarget = proto.loadCommandsFromTarget;
proto.loadCommandsFromTarget = async function (this: Plugin) {
  return maps.get(this.name) ?? loadFromTarget.call(this);
};

function pjsonOf(def: CliDefinition): Interfaces.PJSON {
  return {
    name: def.bin,
    version: def.version,
    description: def.description,
    type: 'commonjs',
    oclif: {
      bin: def.bin,
      dirname: def.bin,
      commands: { strategy: 'explicit', target: './dist/bundle', identifier: 'COMMANDS' },
      topicSeparator: ' ',
      topics: def.topics ?? {},
      helpOptions: { flagSortOrder: 'none' },
    },
  } as unknown as Interfaces.PJSON;
}

/**
 * Run `load` with String#localeCompare comparing code units. oclif sorts
 * command ids with localeCompare while loading, and the first call builds
 * an ICU collator (about 8 ms, a twentieth of a command's run, and not
 * something a startup snapshot can hold). Command ids are ASCII, where both
 * orders agree; help and everything after loading use the real one.
 */
async function withoutCollator<T>(load: () => Promise<T>): Promise<T> {
  const real = Object.getOwnPropertyDescriptor(String.prototype, 'localeCompare') as PropertyDescriptor;
  Object.defineProperty(String.prototype, 'localeCompare', {
    ...real,
    value(this: string, that: string): number {
      const a = String(this);
      return a < that ? -1 : a > that ? 1 : 0;
    },
  });
  try {
    return await load();
  } finally {
    Object.defineProperty(String.prototype, 'localeCompare', real);
  }
}

/** The package root: where package.json is (dist/<bin>.js, dist/src/cli/runner.js or src/cli/runner.ts lie below it). */
function packageRoot(): string {
  let dir = path.dirname(__filename);
  for (let i = 0; i < 4; i++) {
    if (path.basename(dir) === 'dist') return path.dirname(dir);
    dir = path.dirname(dir);
  }
  return path.resolve(path.dirname(process.argv[1] ?? __filename), '..');
}

/** `Usage: <bin> <command> [options]` and one line per command, for a bare `<bin>`. */
export function usage(def: CliDefinition): string {
  const rows = Object.entries(def.commands)
    .filter(([, cmd]) => !cmd.hidden)
    .map(([id, cmd]) => [id.replace(/:/g, ' '), cmd.summary ?? ''] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const width = Math.max(...rows.map(([id]) => id.length));
  return [
    `Usage: ${def.bin} <command> [options]`,
    '',
    'Commands:',
    ...rows.map(([id, summary]) => `  ${id.padEnd(width)}  ${summary}`),
    '',
    `Run "${def.bin} <command> --help" for a command's options and examples.`,
    '',
  ].join('\n');
}

/**
 * The argv to show help for when `argv` asks for help (oclif's rule:
 * `--help` anywhere before `--`; and a topic followed by `-h` alone), else
 * undefined.
 */
function helpRequest(def: CliDefinition, argv: readonly string[]): string[] | undefined {
  const end = argv.indexOf('--');
  if ((end < 0 ? argv : argv.slice(0, end)).includes('--help')) return [...argv];
  if (argv.length === 2 && argv[1] === '-h' && def.topics?.[argv[0]] !== undefined) return [argv[0]];
  return undefined;
}

const configs = new Map<string, Promise<Config>>();

/** The oclif configuration of a CLI, loaded once per process. */
function configOf(def: CliDefinition): Promise<Config> {
  let config = configs.get(def.bin);
  if (config === undefined) {
    config = withoutCollator(() =>
      // no user or dev plugins: nothing under the user's data directory
      // (~/.local/share/<bin>, $XDG_DATA_HOME/<bin>) is read
      Config.load({
        root: packageRoot(),
        pjson: pjsonOf(def),
        isRoot: true,
        userPlugins: false,
        devPlugins: false,
      } as Interfaces.LoadOptions & object),
    );
    configs.set(def.bin, config);
    config.catch(() => configs.delete(def.bin));
  }
  return config;
}

/** Run the CLI on `io` (its argv, streams, environment); returns the exit status (also in io.exitCode). */
export async function runCli(def: CliDefinition, io: Io): Promise<number> {
  maps.set(def.bin, def.commands);
  const prepared = def.prepareArgv ? def.prepareArgv([...io.argv]) : { argv: [...io.argv] };
  if ('help' in prepared) {
    io.stdout.write(def.usage?.() ?? usage(def));
    io.exitCode = 0;
    return 0;
  }
  if (!('argv' in prepared)) {
    io.stderr.write(prepared.stderr);
    io.exitCode = prepared.exitCode;
    return prepared.exitCode;
  }
  const argv = prepared.argv;
  if (argv.length === 0) {
    // as SmartOS: a bare command is a usage error, the usage on stderr
    io.stderr.write(def.usage?.() ?? usage(def));
    io.exitCode = 2;
    return 2;
  }
  const helpArgv = helpRequest(def, argv);
  if (helpArgv !== undefined) {
    await showHelp(await configOf(def), helpArgv, io.stdout, io.env);
    io.exitCode = 0;
    return 0;
  }
  await withIo(io, async () => {
    try {
      await run(argv, await configOf(def));
      await drained(io.stdout);
    } catch (err) {
      const e = err as { code?: string; oclif?: { exit?: number }; message?: string };
      if (e && e.code === 'EEXIT') {
        io.exitCode = e.oclif?.exit ?? 0;
        return;
      }
      const notFound = e && typeof e.message === 'string' ? /^command (\S+) not found/.exec(e.message) : null;
      if (notFound) {
        // oclif names the command by its id (validate:frob); users type spaces
        io.stderr.write(`${def.bin}: ${def.unknownCommand(quoteText(notFound[1].replace(/:/g, ' ')))}\n`);
        io.exitCode = 2;
        return;
      }
      if (io.env.DEBUG) return handle(err as Error);
      const { line, exitCode } = describeFailure(def.bin, err);
      io.stderr.write(line + '\n');
      io.exitCode = exitCode;
    }
  });
  return io.exitCode ?? 0;
}
