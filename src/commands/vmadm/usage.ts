/**
 * vmadm's usage text (docs/vmadm-cli.md §1): `Usage: vmadm <command>
 * [options]`, then one `<command> <args>` line per command, as SmartOS
 * vmadm's usage() lists them, then where to read more. A bare `vmadm`
 * prints it on stderr (exit 2); `vmadm help`, `-h`, `-?` and `--help` on
 * stdout (exit 0).
 *
 * The commands are those of the command map, so a command added to it is
 * listed by itself: with its line below when it has one (SmartOS's
 * notation, written for this project's flags), else with a line made from
 * its declared arguments and flags.
 */
import type { Command } from '@oclif/core';
import type { CommandMap } from '../../cli/runner';

/** The usage lines of the commands SmartOS lists, in its notation, for this project's flags (by oclif id). */
const LINES: Record<string, readonly string[]> = {
  console: ['console <uuid>'],
  create: ['create [-f <filename>]'],
  'create-snapshot': ['create-snapshot <uuid> <snapname>'],
  delete: ['delete <uuid>'],
  'delete-snapshot': ['delete-snapshot <uuid> <snapname>'],
  events: ['events [-f] [-j] [-r] [uuid]'],
  get: ['get <uuid>'],
  info: ['info <uuid> [type,...]'],
  kill: ['kill [-s SIGNAL|-SIGNAL] <uuid>'],
  list: ['list [-p] [-H] [-h] [-j] [-o field,...] [-s field,...] [field=value ...]'],
  lookup: ['lookup [-j] [-1] [-o field,...] [field=value ...]'],
  reboot: ['reboot <uuid> [-F]'],
  receive: ['receive [-f <filename>]'],
  reprovision: ['reprovision <uuid> [-f <filename>]'],
  'rollback-snapshot': ['rollback-snapshot <uuid> <snapname>'],
  send: ['send <uuid>'],
  start: ['start <uuid> [option=value ...]'],
  stop: ['stop <uuid> [-F] [-t <seconds>]'],
  sysrq: ['sysrq <uuid> <nmi|screenshot>'],
  update: ['update <uuid> [-f <filename>]', ' -or- update <uuid> property=value [property=value ...]'],
  'validate:create': ['validate create [-f <filename>] [-j]'],
  'validate:update': ['validate update [<brand>] [-f <filename>] [-j]'],
};

type Flag = { type?: string; char?: string; hidden?: boolean; helpValue?: string | string[] };
type Arg = { required?: boolean };

/** Flags no usage line shows: --root (every stateful command takes it; the footer says so) and --help. */
const UNLISTED = new Set(['root', 'help']);

/** A command's line made from its declared arguments and visible flags: `kill <uuid> [-s <signal>]`. */
function derivedLine(id: string, cmd: Command.Class): string {
  const parts = [id.split(':').join(' ')];
  for (const [name, arg] of Object.entries((cmd.args ?? {}) as Record<string, Arg>)) {
    parts.push(arg.required ? `<${name}>` : `[<${name}>]`);
  }
  for (const [name, flag] of Object.entries((cmd.flags ?? {}) as Record<string, Flag>)) {
    if (flag.hidden || UNLISTED.has(name)) continue;
    const option = flag.char ? `-${flag.char}` : `--${name}`;
    const value = (Array.isArray(flag.helpValue) ? flag.helpValue[0] : flag.helpValue) ?? name;
    parts.push(flag.type === 'option' ? `[${option} <${value.toLowerCase()}>]` : `[${option}]`);
  }
  return parts.join(' ');
}

/** Each listed command (hidden ones left out) and its usage lines, in the order of their names. */
export function usageLines(commands: CommandMap): { id: string; lines: readonly string[] }[] {
  return Object.entries(commands)
    .filter(([, cmd]) => !cmd.hidden)
    .map(([id, cmd]) => ({ id, lines: LINES[id] ?? [derivedLine(id, cmd)] }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The whole usage text, newline-terminated. */
export function usageText(commands: CommandMap): string {
  return [
    'Usage: vmadm <command> [options]',
    '',
    ...usageLines(commands).flatMap((c) => c.lines),
    '',
    'Commands that read or change VMs also take --root <dir> (the state root).',
    "Run 'vmadm help <command>' for one command's options and examples, 'man vmadm' for all of them.",
    '',
  ].join('\n');
}
