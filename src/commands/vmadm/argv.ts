/**
 * vmadm's command line before oclif sees it (docs/vmadm-cli.md §1):
 * `vmadm -h` and `vmadm -?` print the usage on stdout, exit 0, whatever
 * follows, as SmartOS does; `vmadm help` and `vmadm --help` too, and
 * followed by a command (`vmadm help update`, `vmadm help validate
 * create`) that command's help. A word that names no command gets the
 * usage, as SmartOS's `vmadm help <anything>` does.
 */
import type { CommandMap, PreparedArgv } from '../../cli/runner';

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

/** Help; any other argv goes to oclif as it is. */
export function prepareArgv(argv: readonly string[], commands: CommandMap): PreparedArgv {
  const [first, ...rest] = argv;
  if (first === '-h' || first === '-?') return { help: true };
  if (first === 'help' || first === '--help') {
    const named = commandOf(rest, commands);
    if (named) return { argv: [...rest.slice(0, named.length), '--help'] };
    if (rest.length > 0 && isTopic(rest[0], commands)) return { argv: [rest[0], '--help'] };
    return { help: true };
  }
  return { argv: [...argv] };
}
