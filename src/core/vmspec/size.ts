/**
 * A cheap first pass over a payload: no list or object holds more entries
 * than any vmadm payload needs, and the payload holds no more values in
 * all. A payload beyond these sizes is refused with one sentence and not
 * checked further, so that the schema and relation checks (which report
 * every problem) only ever see bounded input. Only what those checks look
 * into is counted (MAX_DEPTH). Linear, iterative.
 */
import type { ReportBuilder } from './report';
import { nameOf } from './schema';

/** At most this many items in one array, or keys in one object (the payload itself included). */
export const MAX_ENTRIES = 10_000;
/** At most this many values (array items and object keys) in one payload. */
export const MAX_VALUES = 20_000;

/** The report name of the payload as a whole, when it is itself too big. */
const WHOLE = 'payload';
/**
 * How deep the checks look: payload (0) -> nics (1) -> a NIC (2) -> its ips
 * (3) -> an item. A list or object deeper than this is only ever a value
 * of the wrong type, reported without looking inside.
 */
const MAX_DEPTH = 3;

interface Container {
  readonly value: object;
  readonly parent: Container | undefined;
  readonly key: string;
  readonly depth: number;
}

function pathOf(c: Container): string[] {
  const parts: string[] = [];
  for (let at: Container | undefined = c; at && at.parent; at = at.parent) parts.push(at.key);
  return parts.reverse();
}

/** Report the sizes a payload exceeds; true when it exceeds none. */
export function checkSize(payload: object, report: ReportBuilder): boolean {
  let total = 0;
  let ok = true;
  const stack: Container[] = [{ value: payload, parent: undefined, key: '', depth: 0 }];
  while (stack.length > 0) {
    const c = stack.pop()!;
    const isArray = Array.isArray(c.value);
    const keys = isArray ? undefined : Object.keys(c.value);
    const size = isArray ? (c.value as unknown[]).length : keys!.length;
    if (size > MAX_ENTRIES) {
      ok = false;
      report.badValue(
        c.depth === 0 ? WHOLE : nameOf(pathOf(c)),
        `has ${size} ${isArray ? 'items' : 'keys'}; no list or object in a vmadm payload may hold more than ${MAX_ENTRIES}`,
      );
      continue; // its contents are not looked at
    }
    total += size;
    if (total > MAX_VALUES) {
      const top = pathOf(c)[0];
      report.badValue(top ?? WHOLE, `the payload holds more than ${MAX_VALUES} values (array items and object keys) in all; no vmadm payload may hold more`);
      return false;
    }
    for (let i = 0; i < size; i++) {
      const v: unknown = isArray ? (c.value as unknown[])[i] : (c.value as Record<string, unknown>)[keys![i]];
      if (v !== null && typeof v === 'object' && c.depth < MAX_DEPTH) stack.push({ value: v, parent: c, key: isArray ? String(i) : keys![i], depth: c.depth + 1 });
    }
  }
  return ok;
}
