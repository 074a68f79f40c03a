/** Reading a JSON payload that must be an object. */
import { isPayloadObject } from '../core/vmspec/validate';
import { InputError } from './errors';
import { inputName, readJsonInput } from './input';

export async function readPayloadObject(file: string | undefined, what: string): Promise<Record<string, unknown>> {
  const payload = await readJsonInput(file);
  if (!isPayloadObject(payload)) {
    const got = payload === null ? 'null' : Array.isArray(payload) ? 'an array' : `a ${typeof payload}`;
    throw new InputError(`${inputName(file)}: ${what} must be a JSON object, not ${got}`);
  }
  return payload;
}
