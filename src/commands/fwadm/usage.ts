/**
 * fwadm's top-level help, in the shape SmartOS fwadm's (cmdln's) has
 * (docs/fwadm-cli.md §1): the description, `Usage:` with the two synopses,
 * `Options:` (those taken before the subcommand) and `Commands:`, one line
 * each, `help (?)` first. `fwadm help`, `fwadm ?`, `fwadm -h` and
 * `fwadm --help` print it on stdout, exit 0; a bare `fwadm` on stderr,
 * exit 2. The commands are those of the command map.
 */
import type { CommandMap } from '../../cli/runner';
import { commonFlags } from './common';

type Flag = { type?: string; char?: string; summary?: string; description?: string; helpValue?: string };

const INDENT = '    ';

/** Lines of at most `width` characters (a longer word stays whole). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  return [...lines, line];
}

/**
 * `    <left padded>  <text>` lines, as cmdln's: the text column at least
 * 20 characters in, the text wrapped at 80 columns under itself.
 */
function columns(rows: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(14, ...rows.map(([left]) => left.length));
  const at = INDENT.length + width + 2;
  return rows.flatMap(([left, text]) =>
    wrap(text, 80 - at).map((part, i) => `${i === 0 ? INDENT + left.padEnd(width) : ' '.repeat(at - 2)}  ${part}`.trimEnd()),
  );
}

/** The whole help text, newline-terminated. */
export function usageText(description: string, commands: CommandMap): string {
  const options = Object.entries(commonFlags as Record<string, Flag>).map(([name, flag]) => {
    const names = flag.char ? `-${flag.char}, --${name}` : `--${name}`;
    const left = flag.type === 'option' ? `${names} ${flag.helpValue ?? 'ARG'}` : names;
    return [left, flag.summary ?? flag.description ?? ''] as const;
  });
  const listed = Object.entries(commands)
    .filter(([, cmd]) => !cmd.hidden)
    .map(([id, cmd]) => [id, cmd.summary ?? ''] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return [
    ...wrap(description, 80),
    '',
    'Usage:',
    `${INDENT}fwadm [OPTIONS] COMMAND [ARGS...]`,
    `${INDENT}fwadm help COMMAND`,
    '',
    'Options:',
    ...columns(options),
    '',
    'Commands:',
    ...columns([['help (?)', 'Show the help of a command (this text without one).'], ...listed]),
    '',
  ].join('\n');
}
