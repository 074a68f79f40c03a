/**
 * What fwadm's stateful commands share (docs/fwadm-cli.md §1): the flags every
 * subcommand takes, the UUID argument checks, error output (one line per
 * message, `-j`: `{"errors": [...]}` on stderr), opening the store and
 * host, and printing a change's result.
 */
import { randomUUID } from 'node:crypto';
import { Flags } from '@oclif/core';
import { BaseCommand, isParseError } from '../../cli/base-command';
import { escapeControl } from '../../core/text';
import { printNotes, printInterrupted, rootFlag } from '../../cli/app';
import { helpFlag } from '../../cli/help';
import type { Io } from '../../cli/io';
import { AppError, InterruptedError, UsageError } from '../../core/errors';
import { UUID_LOWER_CASE } from '../../core/uuid';
import { formatChange, formatChangeJson, type ChangeAction, type ChangeResult } from '../../core/fw/format';
import type { RuleDeps } from '../../core/fw/rules';
import type { Completed, RuleChangeOutcome } from '../../app';

/** `--dryrun -j --stdout -v --root`: accepted by every subcommand. */
export const commonFlags = {
  help: helpFlag({ char: 'h', description: 'Show this help.' }),
  dryrun: Flags.boolean({ summary: 'Show what would change; write and load nothing.' }),
  json: Flags.boolean({ char: 'j', summary: 'Print JSON.' }),
  stdout: Flags.boolean({ summary: 'Also print the ipf files that are (or would be) written: "=== <path>", the text, an empty line.' }),
  verbose: Flags.boolean({ char: 'v', summary: 'More detail: the VMs whose files were rewritten.' }),
  root: rootFlag,
};

/** The flags add and update take on top of the common ones. */
export const ruleFlags = {
  file: Flags.string({ char: 'f', summary: 'Read a payload ({"rules": [...], "remoteVMs": [...]} or one rule object) from FILE ("-": stdin).', helpValue: 'FILE' }),
  enable: Flags.boolean({ char: 'e', summary: 'Enable the rules (enabled: true).' }),
  global: Flags.boolean({ char: 'g', summary: 'Global rules: they apply to the VMs of every owner.' }),
  owner_uuid: Flags.string({ char: 'O', summary: 'Owner of the rules: they apply only to that owner\'s VMs.', helpValue: 'UUID' }),
  description: Flags.string({ aliases: ['desc'], summary: 'Description stored with the rules (--desc works too).', helpValue: 'TEXT' }),
};

/**
 * A bad UUID argument. SmartOS prints these straight to stderr, -j or not
 * (cli.js validateUUID), so they are never JSON.
 */
class UuidArgError extends AppError {}

/** A UUID argument (lower-case, as SmartOS checks it): `invalid UUID "<arg>"` / `missing UUID`, exit 1. */
export function checkUuid(arg: string | undefined): string {
  if (arg === undefined || arg === '') throw new UuidArgError('Error: missing UUID');
  if (!UUID_LOWER_CASE.test(arg)) throw new UuidArgError(`Error: invalid UUID "${arg}"`);
  return arg;
}

/** Every UUID argument checked, before anything is done. */
export function checkUuids(args: readonly string[]): string[] {
  return args.map(checkUuid);
}

/** Where new rule uuids and versions come from in this process. */
export function ruleDeps(): RuleDeps {
  return { now: Date.now(), pid: process.pid, newUuid: () => randomUUID() };
}

/**
 * Print a change (docs/fwadm-cli.md §3) on stdout; notes and an interrupt
 * after the change on stderr; then each VM that could not be brought up
 * to date as an error line (exit 1).
 */
export function printChange<P>(
  io: Io,
  action: ChangeAction,
  res: Omit<ChangeResult, 'vms' | 'files'>,
  done: Completed<RuleChangeOutcome<P>>,
  flags: { json?: boolean; stdout?: boolean; verbose?: boolean },
): void {
  const outcome = done.value;
  const full: ChangeResult = { ...res, vms: outcome.vms, files: outcome.files };
  const opts = { stdout: flags.stdout, verbose: flags.verbose };
  io.stdout.write(flags.json ? formatChangeJson(full, opts) : formatChange(action, full, opts));
  printNotes(io, done.notes);
  printInterrupted(io, done);
  if (outcome.failures.length > 0) {
    const signalled = io.exitCode;
    printFailure(io, new AppError(outcome.failures), wantsJson(io.argv));
    if (signalled !== undefined && signalled > 1) io.exitCode = signalled;
  }
}

/** Messages of an error: an AppError may carry several. */
function messagesOf(err: unknown): string[] {
  const m = (err as { messages?: unknown } | null) ?? {};
  if (Array.isArray(m.messages)) return m.messages as string[];
  return [(err as Error).message];
}

/** Whether the words before `--` ask for JSON (`-j`, `--json`, or `-j` in a group like `-jv`). */
function wantsJson(argv: readonly string[]): boolean {
  for (const a of argv) {
    if (a === '--') return false;
    if (a === '--json' || (/^-[a-zA-Z]+$/.test(a) && a.includes('j'))) return true;
  }
  return false;
}

/**
 * What cmdln (dashdash) says for oclif's option errors: `unknown option:
 * "<opt>"`, `do not have enough args for "<opt>" option`; otherwise
 * oclif's first line.
 */
function optionErrorMessage(err: unknown, argv: readonly string[]): string {
  const message = err instanceof Error ? err.message : String(err);
  const first = (message.split('\n').find((l) => l.trim() !== '') ?? message).trim();
  const nonexistent = /^Nonexistent flags?: (\S+?),?(?:\s|$)/.exec(first);
  if (nonexistent) return `unknown option: "${nonexistent[1].replace(/=.*$/, '')}"`;
  if (/^Flag --\S+ expects a value/.test(first)) {
    const last = argv[argv.length - 1] ?? '';
    return `do not have enough args for "${last}" option`;
  }
  return first;
}

/**
 * Base of fwadm's stateful commands. Errors are printed as SmartOS fwadm
 * prints them: each message on its own line, as it is (no program name),
 * or with -j the stderr JSON `{"errors": [{"message": ...}]}`; exit 1
 * (2 for usage errors: unknown options, `-d requires -p`, ...).
 */
export abstract class FwCommand extends BaseCommand {
  protected override async catch(err: Error & { exitCode?: number }): Promise<void> {
    if ((err as { code?: string }).code === 'EEXIT') throw err;
    let messages: readonly string[];
    let exitCode: number;
    // option errors reach cmdln before the command's -j is known, and
    // validateUUID prints its own line: both are plain text
    let plain = err instanceof UuidArgError;
    if (err instanceof AppError) {
      messages = messagesOf(err);
      exitCode = err.exitCode;
    } else if (isParseError(err)) {
      messages = [optionErrorMessage(err, this.argv)];
      exitCode = 2;
      plain = true;
    } else {
      return super.catch(err);
    }
    if (err instanceof InterruptedError) plain = true;
    writeMessages(this.io, messages, !plain && wantsJson(this.argv));
    this.io.exitCode = exitCode;
  }
}

/** Error lines as fwadm prints them: one per message, or with -j the stderr JSON `{"errors": [...]}`. */
function writeMessages(io: Io, messages: readonly string[], json: boolean): void {
  if (json) io.stderr.write(JSON.stringify({ errors: messages.map((message) => ({ message })) }, null, 2) + '\n');
  else io.stderr.write(messages.map((m) => escapeControl(m) + '\n').join(''));
}

/** An error printed where the command goes on (after its output): exit 1. */
function printFailure(io: Io, err: AppError, json: boolean): void {
  writeMessages(io, err.messages, json);
  io.exitCode = err.exitCode;
}

/** `-d requires -p`, `cannot specify both -j and -p` (usage, exit 2). */
export function checkTableFlags(flags: { json?: boolean; parseable?: boolean; delim?: string }): void {
  if (flags.delim !== undefined && !flags.parseable) throw new UsageError('-d requires -p');
  if (flags.json && flags.parseable) throw new UsageError('cannot specify both -j and -p');
}

/**
 * The words left after the options, in the order given. (oclif's `argv`
 * of a non-strict command can reorder repeated words; `raw` keeps them.)
 */
export function wordsOf(parsed: { raw: readonly { type: string; input: string }[] }): string[] {
  return parsed.raw.filter((t) => t.type === 'arg').map((t) => t.input);
}
