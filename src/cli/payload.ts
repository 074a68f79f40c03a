/** Reading a JSON payload that must be an object. */
import { isPayloadObject } from '../core/vmspec/validate';
import { AppError } from '../core/errors';
import { inputName, readJsonInput } from './input';
import type { Io } from './io';

/**
 * A vmadm payload from -f FILE or stdin. `verb` is the command reading it
 * (create, update, validate): a terminal on stdin is refused as SmartOS
 * refuses it, `Will not <verb> from stdin when stdin is a tty.` (usage, exit 2).
 */
export async function readPayloadObject(io: Pick<Io, 'stdin'>, file: string | undefined, what: string, verb: 'create' | 'update' | 'validate'): Promise<Record<string, unknown>> {
  const payload = await readJsonInput(io, file, verb);
  if (!isPayloadObject(payload)) {
    const got = payload === null ? 'null' : Array.isArray(payload) ? 'an array' : `a ${typeof payload}`;
    throw new AppError(`${inputName(file)}: ${what} must be a JSON object, not ${got}`);
  }
  return payload;
}
