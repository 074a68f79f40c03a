/**
 * Base of every command: errors become one line on stderr with the right
 * exit status (1 bad input, 2 usage), never a stack trace.
 */
import { Command } from '@oclif/core';
import { AppError } from '../core/errors';
import { escapeControl } from '../core/text';

/** Whether an error came from oclif's flag/argument parser. */
export function isParseError(err: unknown): boolean {
  const e = err as { parse?: unknown; oclif?: { exit?: number } } | null;
  // flag/argument errors carry `parse`; oclif's other CLIErrors (a flag
  // without its value, ...) carry their exit status, 2
  return !!e && typeof e === 'object' && (e.parse !== undefined || e.oclif?.exit === 2);
}

/**
 * The single line and exit status a failed command reports. Messages may
 * carry names from the input or the command line: control characters in
 * them are escaped, so the report is one line and drives no terminal.
 */
export function describeFailure(bin: string, err: unknown): { line: string; exitCode: number } {
  if (err instanceof AppError) return { line: escapeControl(`${bin}: ${err.message}`), exitCode: err.exitCode };
  const message = err instanceof Error ? err.message : String(err);
  const firstLine = message.split('\n').find((l) => l.trim() !== '') ?? message;
  if (isParseError(err)) {
    return { line: escapeControl(`${bin}: ${firstLine.trim()} (see --help)`), exitCode: 2 };
  }
  return { line: escapeControl(`${bin}: internal error: ${firstLine}`), exitCode: 1 };
}

export abstract class BaseCommand extends Command {
  protected override async catch(err: Error & { exitCode?: number }): Promise<void> {
    // oclif's own exits (this.exit, --help inside run) pass through
    if ((err as { code?: string }).code === 'EEXIT') throw err;
    const { line, exitCode } = describeFailure(this.config.bin, err);
    process.stderr.write(line + '\n');
    if (process.env.DEBUG && err.stack) process.stderr.write(err.stack + '\n');
    process.exitCode = exitCode;
  }
}
