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

/**
 * Walk one list or object at `depth` (its path in `path`, indexes as numbers), then what it
 * holds, in the order the checks always used (last child first). Allocates
 * nothing unless it reports; stops at the first total over MAX_VALUES.
 * Returns 'stop' at that point, else whether every size was within bounds.
 */
function walk(value: object, depth: number, path: Array<string | number>, state: { total: number }, report: ReportBuilder): boolean | 'stop' {
  const isArray = Array.isArray(value);
  const keys = isArray ? undefined : Object.keys(value);
  const size = isArray ? (value as unknown[]).length : keys!.length;
  if (size > MAX_ENTRIES) {
    report.badValue(
      depth === 0 ? WHOLE : nameOf(path.map(String)),
      `has ${size} ${isArray ? 'items' : 'keys'}; no list or object in a vmadm payload may hold more than ${MAX_ENTRIES}`,
    );
    return false; // its contents are not looked at
  }
  state.total += size;
  if (state.total > MAX_VALUES) {
    report.badValue(path.length > 0 ? String(path[0]) : WHOLE, `the payload holds more than ${MAX_VALUES} values (array items and object keys) in all; no vmadm payload may hold more`);
    return 'stop';
  }
  if (depth >= MAX_DEPTH) return true;
  let ok = true;
  for (let i = size - 1; i >= 0; i--) {
    const v: unknown = isArray ? (value as unknown[])[i] : (value as Record<string, unknown>)[keys![i]];
    if (v === null || typeof v !== 'object') continue;
    path.push(isArray ? i : keys![i]);
    const r = walk(v, depth + 1, path, state, report);
    path.pop();
    if (r === 'stop') return r;
    if (!r) ok = false;
  }
  return ok;
}

/** Report the sizes a payload exceeds; true when it exceeds none. */
export function checkSize(payload: object, report: ReportBuilder): boolean {
  return walk(payload, 0, [], { total: 0 }, report) === true;
}
