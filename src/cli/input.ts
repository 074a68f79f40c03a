/**
 * Reading a command's input: a file named by -f, or standard input.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser';
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

/**
 * The whole input as text. A file is read in one piece; standard input as
 * a stream: a pipe may be non-blocking, and a synchronous read of it would
 * fail with EAGAIN.
 */
export async function readInputText(file: string | undefined): Promise<string> {
  const chunks: string[] = [];
  try {
    if (file !== undefined && file !== '-') return await readFile(file, 'utf8');
    for await (const chunk of openInputStream(file)) chunks.push(chunk as string);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const e = err as NodeJS.ErrnoException;
    throw new InputError(`${inputName(file)}: cannot read input: ${e.code ?? e.message}`);
  }
  return chunks.join('');
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

/** What jsonc-parser's error codes mean, in the words of the message. */
const JSON_ERRORS: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'expected a property name in double quotes',
  ValueExpected: 'expected a value',
  ColonExpected: "expected ':'",
  CommaExpected: "expected ','",
  CloseBraceExpected: "expected '}'",
  CloseBracketExpected: "expected ']'",
  EndOfFileExpected: 'unexpected text after the JSON value',
  InvalidCommentToken: 'comments are not JSON',
  UnexpectedEndOfComment: 'comments are not JSON',
  UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'unterminated number',
  InvalidUnicode: 'invalid \\u escape',
  InvalidEscapeCharacter: 'invalid escape character',
  InvalidCharacter: 'invalid character in a string',
};

/** Where and why text is not JSON (V8's own messages do not always say where). */
function locateJsonError(text: string): { offset: number; reason: string } | undefined {
  try {
    const errors: ParseError[] = [];
    parseJsonc(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
    const first = errors[0];
    if (!first) return undefined;
    const code = printParseErrorCode(first.error);
    return { offset: first.offset, reason: JSON_ERRORS[code] ?? code };
  } catch {
    return undefined; // e.g. nesting too deep for the locator
  }
}

/**
 * Parse JSON input; a syntax error names the line and column where the
 * input stops being JSON.
 */
export function parseJsonText(text: string, name: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    if (text.trim() === '') throw new InputError(`${name}: empty input, expected JSON`);
    const where = locateJsonError(text);
    const v8 = (err as Error).message.split('\n')[0];
    const { line, column } = lineColumn(text, where?.offset ?? text.length);
    throw new InputError(`${name}: invalid JSON at line ${line}, column ${column}: ${where?.reason ?? v8}`);
  }
}

/** Read and parse a JSON document from -f FILE or stdin. */
export async function readJsonInput(file: string | undefined): Promise<unknown> {
  return parseJsonText(await readInputText(file), inputName(file));
}
