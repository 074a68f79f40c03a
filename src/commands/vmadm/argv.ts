/**
 * vmadm's command line before oclif sees it (docs/vmadm-cli.md §1):
 *
 * - `vmadm -h` and `vmadm -?` print the usage on stdout, exit 0, whatever
 *   follows, as SmartOS does; `vmadm help` and `vmadm --help` too, and
 *   followed by a command (`vmadm help update`, `vmadm help validate
 *   create`) that command's help. A word that names no command gets the
 *   usage, as SmartOS's `vmadm help <anything>` does.
 * - A payload file given without -f (`vmadm create spec.json`, `vmadm
 *   update <uuid> spec.json`, `vmadm validate update spec.json`) is a usage
 *   error naming -f, exit 2, before anything is read: an argument of a
 *   command that takes -f which is not one of its declared arguments nor a
 *   key=value pair, and ends in .json or names an existing file; or a
 *   declared argument (other than a UUID) that ends in .json.
 * - `vmadm validate` without an action (`vmadm validate`, `vmadm validate
 *   -f spec.json`) is SmartOS's usage error `Will not validate without a
 *   valid action.`, exit 2 (`vmadm validate --help` is its help).
 */
import type { Command } from '@oclif/core';
import type { CommandMap, PreparedArgv } from '../../cli/runner';
import { fileWithoutFlag, looksLikeFile } from '../../cli/input';

type Flag = { type?: string; char?: string; aliases?: string[] };

/** The command an argv names, by the longest run of leading words that is an id or an alias: its id and word count. */
function commandOf(words: readonly string[], commands: CommandMap): { id: string; length: number } | undefined {
  for (let n = Math.min(words.length, 2); n >= 1; n--) {
    const head = words.slice(0, n);
    if (head.some((w) => w.startsWith('-'))) continue;
    const id = head.join(':');
    if (commands[id]) return { id, length: n };
    const aliased = Object.entries(commands).find(([, cmd]) => (cmd.aliases ?? []).includes(id));
    if (aliased) return { id: aliased[0], length: n };
  }
  return undefined;
}

/** Whether `word` is a topic (`validate`): the first word of some command ids. */
function isTopic(word: string, commands: CommandMap): boolean {
  return Object.keys(commands).some((id) => id.startsWith(`${word}:`));
}

/** The words of `args` that are not flags nor flag values, as oclif will read them for `cmd`. */
function positionals(args: readonly string[], cmd: Command.Class): string[] {
  const longValued = new Set<string>();
  const shortValued = new Set<string>();
  for (const [name, flag] of Object.entries((cmd.flags ?? {}) as Record<string, Flag>)) {
    if (flag.type !== 'option') continue;
    longValued.add(`--${name}`);
    for (const alias of flag.aliases ?? []) longValued.add(`--${alias}`);
    if (flag.char) shortValued.add(flag.char);
  }
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      out.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      if (longValued.has(a)) i++;
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      // grouped short flags: one that takes a value ends the group (-jf FILE, -fFILE)
      for (let j = 1; j < a.length; j++) {
        if (!shortValued.has(a[j])) continue;
        if (j === a.length - 1) i++;
        break;
      }
      continue;
    }
    out.push(a);
  }
  return out;
}

/** The word given where -f FILE was meant, if any (see the file's comment). */
function mistakenFile(args: readonly string[], cmd: Command.Class): string | undefined {
  const flags = (cmd.flags ?? {}) as Record<string, Flag>;
  if (flags.file?.type !== 'option') return undefined;
  const declared = Object.keys(cmd.args ?? {});
  const words = positionals(args, cmd);
  return words.find((word, i) =>
    i < declared.length ? declared[i] !== 'uuid' && /\.json$/i.test(word) : !word.includes('=') && looksLikeFile(word),
  );
}

/** Help, and files given without -f; any other argv goes to oclif as it is. */
export function prepareArgv(argv: readonly string[], commands: CommandMap): PreparedArgv {
  const [first, ...rest] = argv;
  if (first === '-h' || first === '-?') return { help: true };
  if (first === 'help' || first === '--help') {
    const named = commandOf(rest, commands);
    if (named) return { argv: [...rest.slice(0, named.length), '--help'] };
    if (rest.length > 0 && isTopic(rest[0], commands)) return { argv: [rest[0], '--help'] };
    return { help: true };
  }
  const named = commandOf(argv, commands);
  // `vmadm validate` with no action (nothing, or a flag, after it): SmartOS's usage error
  if (!named && first !== undefined && isTopic(first, commands) && (rest.length === 0 || (rest[0].startsWith('-') && !['--help', '-h'].includes(rest[0])))) {
    return { exitCode: 2, stderr: `vmadm: Will not ${first} without a valid action.\n` };
  }
  if (named) {
    const word = mistakenFile(argv.slice(named.length), commands[named.id]);
    if (word !== undefined) return { exitCode: 2, stderr: `vmadm: ${fileWithoutFlag(word).message}\n` };
  }
  return { argv: [...argv] };
}
