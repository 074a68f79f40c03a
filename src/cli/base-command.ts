/**
 * Base of every command: its streams and environment come from the run
 * (cli/io), and errors become one line on stderr with the right exit
 * status (1 bad input, 2 usage; 129/130/143 interrupted), never a stack
 * trace.
 */
import { Command } from '@oclif/core';
import { AppError, InterruptedError } from '../core/errors';
import { escapeControl } from '../core/text';
import { currentIo, type Io } from './io';

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
 * them are escaped, so the report is one line and drives no terminal. An
 * interrupted change says so without the program's name.
 */
export function describeFailure(bin: string, err: unknown): { line: string; exitCode: number } {
  if (err instanceof InterruptedError) return { line: err.message, exitCode: err.exitCode };
  if (err instanceof AppError) return { line: escapeControl(`${bin}: ${err.message}`), exitCode: err.exitCode };
  const message = err instanceof Error ? err.message : String(err);
  const firstLine = message.split('\n').find((l) => l.trim() !== '') ?? message;
  if (isParseError(err)) {
    return { line: escapeControl(`${bin}: ${firstLine.trim()} (see --help)`), exitCode: 2 };
  }
  return { line: escapeControl(`${bin}: internal error: ${firstLine}`), exitCode: 1 };
}

export abstract class BaseCommand extends Command {
  /** This run's streams, environment and arguments. */
  protected get io(): Io {
    return currentIo();
  }

  protected override async catch(err: Error & { exitCode?: number }): Promise<void> {
    // oclif's own exits (this.exit, --help inside run) pass through
    if ((err as { code?: string }).code === 'EEXIT') throw err;
    const io = this.io;
    const { line, exitCode } = describeFailure(this.config.bin, err);
    io.stderr.write(line + '\n');
    if (io.env.DEBUG && err.stack) io.stderr.write(err.stack + '\n');
    io.exitCode = exitCode;
  }
}
