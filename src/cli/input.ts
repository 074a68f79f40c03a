/**
 * Reading a command's input: a file named by -f, or standard input.
 */
import { createReadStream, readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { InputError, UsageError } from './errors';

/** Display name of the input, for messages. */
export function inputName(file: string | undefined): string {
  return file === undefined || file === '-' ? '<stdin>' : file;
}

function ensureStdinIsNotTerminal(file: string | undefined): void {
  if ((file === undefined || file === '-') && process.stdin.isTTY) {
    throw new UsageError('no input: give -f FILE or pipe the input on stdin');
  }
}

/** The whole input as text. */
export function readInputText(file: string | undefined): string {
  ensureStdinIsNotTerminal(file);
  try {
    return readFileSync(file === undefined || file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EAGAIN') {
      // non-blocking stdin (rare): fall back to an empty read error
      throw new InputError(`${inputName(file)}: cannot read input (${e.code})`);
    }
    throw new InputError(`${inputName(file)}: cannot read input: ${e.code ?? e.message}`);
  }
}

/** The input as a stream, for line-oriented commands on large inputs. */
export function openInputStream(file: string | undefined): Readable {
  ensureStdinIsNotTerminal(file);
  if (file === undefined || file === '-') return process.stdin.setEncoding('utf8');
  const stream = createReadStream(file, { encoding: 'utf8' });
  return stream;
}

/** 1-based line and column of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * Parse JSON input; a syntax error names the line and column where the
 * input stops being JSON.
 */
export function parseJsonText(text: string, name: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const msg = (err as Error).message;
    const m = /at position (\d+)/.exec(msg);
    const offset = m ? Number(m[1]) : text.length;
    const { line, column } = lineColumn(text, offset);
    const what = m ? msg.replace(/ in JSON at position \d+.*$/, '') : msg;
    const reason = text.trim() === '' ? 'empty input, expected JSON' : what;
    throw new InputError(`${name}: invalid JSON at line ${line}, column ${column}: ${reason}`);
  }
}

/** Read and parse a JSON document from -f FILE or stdin. */
export function readJsonInput(file: string | undefined): unknown {
  return parseJsonText(readInputText(file), inputName(file));
}
