/**
 * fwadm's command line before oclif sees it (docs/fwadm-cli.md §1): SmartOS
 * fwadm is a cmdln tool, so options may come before the subcommand
 * (`fwadm -j list`, `fwadm -v add ...`), `fwadm help`, `fwadm ?`, `fwadm
 * -h` and `fwadm --help` print the top-level help (fwadm/usage.ts),
 * `fwadm help <cmd>`, `fwadm ? <cmd>` and `fwadm -h <cmd>` that command's
 * help, and an unknown subcommand is
 * `unknown command: "<x>"` (with close names under `Did you mean this?`),
 * exit status 2. Pure: argv in, argv (or the error to print) out.
 */
import type { PreparedArgv } from '../../cli/runner';

/** The options cmdln takes before the subcommand, as the subcommand's flag. */
const GLOBAL_LONG: Record<string, string> = {
  '--help': '--help',
  '--json': '--json',
  '--verbose': '--verbose',
  '--dryrun': '--dryrun',
  '--stdout': '--stdout',
};
const GLOBAL_SHORT: Record<string, string> = { h: '--help', j: '--json', v: '--verbose' };

/** Levenshtein distance, for suggestions (names are short). */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/** `unknown command: "<x>"`, and the commands it may have meant. */
export function unknownCommand(name: string, commands: readonly string[]): string {
  const close = commands.filter((c) => distance(name, c) <= 2 || (name.length >= 2 && c.startsWith(name))).sort();
  const lines = [`unknown command: "${name}"`];
  if (close.length > 0) lines.push('Did you mean this?', ...close.map((c) => `    ${c}`));
  return lines.join('\n') + '\n';
}

/**
 * Move the options given before the subcommand after it, turn
 * `help [cmd]` into `[cmd] --help`, and refuse unknown subcommands and
 * options. `--root DIR` (this project's) may come first too.
 */
export function prepareArgv(argv: readonly string[], commands: readonly string[]): PreparedArgv {
  // this project's `fwadm --version` (oclif's)
  if (argv.length === 1 && argv[0] === '--version') return { argv: [...argv] };
  const globals: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('-') || a === '-') break;
    if (a.startsWith('--')) {
      if (a === '--root' && i + 1 < argv.length) {
        globals.push(a, argv[++i]);
        continue;
      }
      if (a.startsWith('--root=')) {
        globals.push(a);
        continue;
      }
      const flag = GLOBAL_LONG[a];
      if (flag === undefined) return { exitCode: 2, stderr: `unknown option: "${a}"\n` };
      globals.push(flag);
      continue;
    }
    for (const c of a.slice(1)) {
      const flag = GLOBAL_SHORT[c];
      if (flag === undefined) return { exitCode: 2, stderr: `unknown option: "-${c}"\n` };
      globals.push(flag);
    }
  }
  const wantsHelp = globals.includes('--help');
  const rest = argv.slice(i);
  if (rest.length === 0) return wantsHelp ? { help: true } : { argv: [] };
  let [sub, ...args] = rest;
  let help = wantsHelp;
  if (sub === 'help' || sub === '?') {
    if (args.length === 0 || args[0] === 'help' || args[0] === '?') return { help: true };
    [sub, ...args] = args;
    help = true;
  }
  if (!commands.includes(sub)) return { exitCode: 2, stderr: unknownCommand(sub, commands) };
  if (help) return { argv: [sub, '--help'] };
  const extra = globals.filter((g) => g !== '--help' && !(g in GLOBAL_LONG && (args.includes(g) || hasShort(args, g))));
  return { argv: [sub, ...extra, ...args] };
}

/** Whether the subcommand's own words already give the boolean flag `--name` (oclif refuses it twice). */
function hasShort(args: readonly string[], long: string): boolean {
  const short = Object.entries(GLOBAL_SHORT).find(([, l]) => l === long)?.[0];
  if (short === undefined) return false;
  for (const a of args) {
    if (a === '--') break;
    if (/^-[a-zA-Z]+$/.test(a) && a.includes(short)) return true;
  }
  return false;
}
