/**
 * Reading line-oriented input as a stream: lines are handed out as they
 * arrive, so a 100,000-line file is never held whole, nor twice.
 */
import type { Readable } from 'node:stream';
import { InputError } from './errors';

/** Each line (without its `\n` or `\r\n`) with its 1-based number. */
export async function* readLines(stream: Readable, name: string): AsyncGenerator<[number, string]> {
  let rest = '';
  let n = 0;
  try {
    for await (const chunk of stream) {
      const text = rest + (chunk as string);
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
        yield [++n, text.slice(start, end)];
        start = nl + 1;
      }
      rest = text.slice(start);
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new InputError(`${name}: cannot read input: ${e.code ?? e.message}`);
  }
  if (rest !== '') yield [++n, rest.endsWith('\r') ? rest.slice(0, -1) : rest];
}
