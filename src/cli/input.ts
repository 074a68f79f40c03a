/**
 * Reading a command's input: a file named by -f, or standard input.
 */
import { createReadStream, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { Io } from './io';
import { parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { AppError, UsageError } from '../core/errors';
import { quoteText, showName } from './names';
import { escapeControl } from '../core/text';

/**
 * Whether a word of the command line, where the command reads its input
 * from -f or standard input, names a file: it ends in .json, or a regular
 * file of that name exists.
 */
export function looksLikeFile(word: string): boolean {
  if (/\.json$/i.test(word)) return true;
  try {
    return word !== '' && statSync(word).isFile();
  } catch {
    return false;
  }
}

/** `word` as one shell word, to paste (single-quoted unless plain; control characters escaped). */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : escapeControl(`'${word.replace(/'/g, "'\\''")}'`);
}

/**
 * The usage error (exit 2) for a file given where the command wants -f:
 * `"spec.json" looks like a file: give it with -f spec.json`.
 */
export function fileWithoutFlag(word: string): UsageError {
  return new UsageError(`${quoteText(word)} looks like a file: give it with -f ${shellWord(word)}`);
}

/** Display name of the input, for messages (quoted when it is not plain text). */
export function inputName(file: string | undefined): string {
  return file === undefined || file === '-' ? '<stdin>' : showName(file);
}

/**
 * Refuse to wait on a terminal for input. `verb` names the command that
 * reads (create, update, validate): its refusal is SmartOS vmadm's
 * `Will not <verb> from stdin when stdin is a tty.`
 */
function ensureStdinIsNotTerminal(io: Pick<Io, 'stdin'>, file: string | undefined, verb?: string): void {
  if ((file === undefined || file === '-') && io.stdin.isTTY) {
    if (verb !== undefined) throw new UsageError(`Will not ${verb} from stdin when stdin is a tty.`);
    throw new UsageError('no input: give -f FILE or pipe the input on stdin');
  }
}

/**
 * The whole input as text. A file is read in one piece; standard input as
 * a stream: a pipe may be non-blocking, and a synchronous read of it would
 * fail with EAGAIN.
 */
export async function readInputText(io: Pick<Io, 'stdin'>, file: string | undefined, verb?: string): Promise<string> {
  const chunks: string[] = [];
  try {
    if (file !== undefined && file !== '-') return await readFile(file, 'utf8');
    for await (const chunk of openInputStream(io, file, verb)) chunks.push(chunk as string);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const e = err as NodeJS.ErrnoException;
    // SmartOS vmadm's words for a missing file
    if (e.code === 'ENOENT') throw new AppError(`File: ${inputName(file)} does not exist.`);
    throw new AppError(`${inputName(file)}: cannot read input: ${e.code ?? e.message}`);
  }
  return chunks.join('');
}

/** The input as a stream, for line-oriented commands on large inputs. */
export function openInputStream(io: Pick<Io, 'stdin'>, file: string | undefined, verb?: string): Readable {
  ensureStdinIsNotTerminal(io, file, verb);
  if (file === undefined || file === '-') return io.stdin.setEncoding('utf8');
  const stream = createReadStream(file, { encoding: 'utf8' });
  return stream;
}

/** How every refusal of JSON input starts, as SmartOS vmadm's does. */
const INVALID_JSON = 'Invalid JSON payload: ';

/** 1-based line and column of a character offset. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
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

/** One object or array being scanned: the keys seen so far, or the index of the current element. */
interface Frame {
  keys: Map<string, number> | undefined;
  /** The current key (objects) or element index (arrays), for the path in messages. */
  at: string | number;
}

const MAX_SHOWN = 80;

/**
 * Refuse a number literal that JSON.parse would change: an overflow (it
 * becomes Infinity, which is no JSON value) or a number beyond the range
 * where every integer is exact (Number.MAX_SAFE_INTEGER): an integer there
 * becomes a neighbour, and every double that large is an integer.
 */
function checkNumber(literal: string, fail: (what: string) => never): void {
  const value = Number(literal);
  const shown = literal.length > MAX_SHOWN ? `${literal.slice(0, MAX_SHOWN)}...` : literal;
  if (!Number.isFinite(value)) {
    fail(`the number ${shown} is out of range (a JSON number here is at most about 1.8e308)`);
  }
  if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
    fail(`the number ${shown} is outside the range of exact integers (-9007199254740991 to 9007199254740991)`);
  }
}

/** ` in nics.0`: where the object being scanned is, in vmadm's dotted form ('' at the top). */
function where(stack: readonly Frame[]): string {
  if (stack.length < 2) return '';
  const path = stack.slice(0, -1).map((f) => String(f.at)).join('.');
  return ` in ${path.length > MAX_SHOWN ? quoteText(path, MAX_SHOWN) : showName(path)}`;
}

/**
 * What JSON.parse cannot see, in text that it parsed: a key repeated in
 * one object (JSON.parse keeps the last one silently), and a number that
 * does not survive as a JavaScript number (an integer beyond
 * Number.MAX_SAFE_INTEGER rounds to a neighbour; an overflow becomes
 * Infinity, which JSON has no form for). One linear pass; it holds the keys
 * of the objects on the current path only.
 */
function checkKeysAndNumbers(text: string, name: string): void {
  const fail = (offset: number, what: string): never => {
    const { line, column } = lineColumn(text, offset);
    throw new AppError(`${INVALID_JSON}${name}: line ${line}, column ${column}: ${what}`);
  };
  const stack: Frame[] = [];
  let expectKey = false;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      // a string ends at the first quote after an even run of backslashes
      let j = text.indexOf('"', i + 1);
      for (;;) {
        let k = j - 1;
        while (text.charCodeAt(k) === 0x5c /* \\ */) k--;
        if ((j - 1 - k) % 2 === 0) break;
        j = text.indexOf('"', j + 1);
      }
      const top = stack[stack.length - 1];
      if (expectKey && top?.keys) {
        const raw = text.slice(i + 1, j);
        const key = raw.includes('\\') ? (JSON.parse(text.slice(i, j + 1)) as string) : raw;
        const first = top.keys.get(key);
        if (first !== undefined) {
          const was = lineColumn(text, first);
          fail(
            i,
            `duplicate key ${quoteText(key, MAX_SHOWN)}${where(stack)} (first at line ${was.line}, column ${was.column}): ` +
              'a key may appear only once in an object',
          );
        }
        top.keys.set(key, i);
        top.at = key;
        expectKey = false;
      }
      i = j + 1;
    } else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      let j = i + 1;
      let exponent = false;
      for (; j < n; j++) {
        const d = text.charCodeAt(j);
        if (d === 0x65 || d === 0x45) exponent = true;
        else if (!((d >= 0x30 && d <= 0x39) || d === 0x2e || d === 0x2b || d === 0x2d)) break;
      }
      // up to 15 characters without an exponent: always exact
      if (exponent || j - i > 15) checkNumber(text.slice(i, j), (what) => fail(i, what));
      i = j;
    } else if (c === 0x7b /* { */) {
      stack.push({ keys: new Map(), at: '' });
      expectKey = true;
      i++;
    } else if (c === 0x5b /* [ */) {
      stack.push({ keys: undefined, at: 0 });
      i++;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      i++;
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top.keys) expectKey = true;
      else top.at = (top.at as number) + 1;
      i++;
    } else i++; // white space, ':', the letters of true, false and null
  }
}

/**
 * Parse JSON input; a syntax error names the line and column where the
 * input stops being JSON. A key repeated in an object and a number that
 * JSON.parse would silently change are refused, naming where they are.
 */
export function parseJsonText(text: string, name: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    if (text.trim() === '') throw new AppError(`${INVALID_JSON}${name}: empty input, expected JSON`);
    const where = locateJsonError(text);
    const v8 = (err as Error).message.split('\n')[0];
    const { line, column } = lineColumn(text, where?.offset ?? text.length);
    throw new AppError(`${INVALID_JSON}${name}: line ${line}, column ${column}: ${where?.reason ?? v8}`);
  }
  checkKeysAndNumbers(text, name);
  return value;
}

/** Read and parse a JSON document from -f FILE or stdin (`verb`: see ensureStdinIsNotTerminal). */
export async function readJsonInput(io: Pick<Io, 'stdin'>, file: string | undefined, verb?: string): Promise<unknown> {
  return parseJsonText(await readInputText(io, file, verb), inputName(file));
}
