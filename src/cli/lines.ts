/**
 * Reading line-oriented input as a stream: lines are handed out as they
 * arrive, so a 100,000-line file is never held whole, nor twice.
 */
import type { Readable } from 'node:stream';
import { AppError } from '../core/errors';

/** Each line (without its `\n` or `\r\n`) with its 1-based number. */
export async function* readLines(stream: Readable, name: string): AsyncGenerator<[number, string]> {
  // the start of a line that has not ended yet, in pieces: a line of
  // megabytes is joined once, and each chunk is searched once
  let pending: string[] = [];
  let n = 0;
  try {
    for await (const chunk of stream) {
      const text = chunk as string;
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        let line = text.slice(start, nl);
        if (pending.length > 0) {
          line = pending.join('') + line;
          pending = [];
        }
        yield [++n, line.endsWith('\r') ? line.slice(0, -1) : line];
        start = nl + 1;
      }
      if (start < text.length) pending.push(text.slice(start));
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') throw new AppError(`File: ${name} does not exist.`);
    throw new AppError(`${name}: cannot read input: ${e.code ?? e.message}`);
  }
  const rest = pending.join('');
  if (rest !== '') yield [++n, rest.endsWith('\r') ? rest.slice(0, -1) : rest];
}
