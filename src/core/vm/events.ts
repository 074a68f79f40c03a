/**
 * The events `vmadm events` prints (docs/vmadm-cli.md §16.2), as SmartOS's
 * vminfod makes them and its vmadm prints them. Pure: records in, events
 * and lines out.
 *
 * An event is `{type, date, zonename, uuid, vm, changes}`: `create` (the
 * VM as `get` shows it), `modify` (the VM after, and the changes from the
 * VM before: vminfod's diff, `last_modified` left out), `delete` (no vm).
 * The stream's first event with `-r` is `{type: "ready", date, uuid}` (the
 * stream's own uuid) with `vms`, every VM by zonename.
 */
import type { VmRecord } from './record';
import { getView, type HostFacts } from './view';

/** One change between two VMs: where (`nics.*.ips`), what happened, the values. */
export interface VmChangeEntry {
  prettyPath: string;
  /** The keys; null stands for any element of an array. */
  path: (string | null)[];
  action: 'added' | 'removed' | 'changed';
  oldValue?: unknown;
  newValue?: unknown;
  /** For an element of `nics` or `disks` changed in place: its `mac` or `path`. */
  ident?: unknown;
}

export interface VmEvent {
  type: 'create' | 'modify' | 'delete';
  /** ISO-8601. */
  date: string;
  zonename: string;
  uuid: string;
  vm?: Record<string, unknown>;
  changes?: VmChangeEntry[];
}

export interface ReadyEvent {
  type: 'ready';
  date: string;
  uuid: string;
  vms: Record<string, Record<string, unknown>>;
}

/** Arrays of objects whose elements are known by a key (vminfod's DIFF_MAP). */
const IDENTIFIERS: Readonly<Record<string, string>> = { nics: 'mac', disks: 'path' };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** A path as vminfod writes it: `a.b`, `*` for an array element, `[x.y]` for a key with dots or brackets. */
function pretty(path: (string | null)[]): string {
  let out = '';
  for (const elem of path) {
    const text = elem === null ? '*' : elem;
    if (/[.[\]]/.test(text)) {
      out += `[${text.replace(/([[\]])/g, '\\$1')}]`;
      continue;
    }
    out += (out === '' ? '' : '.') + text;
  }
  return out;
}

function entry(path: (string | null)[], action: VmChangeEntry['action'], values: { oldValue?: unknown; newValue?: unknown }): VmChangeEntry {
  return { prettyPath: pretty(path), path, action, ...values };
}

/**
 * The changes from `a` to `b`: removed keys, changed values (recursing
 * into objects and arrays), added keys. Arrays are compared as sets of
 * their elements' JSON; `nics` and `disks` (at the top) element by their
 * identifying key, so a NIC changed in place is reported property by
 * property.
 */
export function diffValues(a: unknown, b: unknown, prefix: (string | null)[] = [], key?: string): VmChangeEntry[] {
  if (a === b) return [];
  if (Array.isArray(a) && Array.isArray(b)) return diffArrays(a, b, prefix, key);
  if (!isObject(a) || !isObject(b)) return [entry(prefix, 'changed', { oldValue: a, newValue: b })];
  const out: VmChangeEntry[] = [];
  for (const k of Object.keys(a)) {
    const p = [...prefix, k];
    if (!Object.prototype.hasOwnProperty.call(b, k)) {
      out.push(entry(p, 'removed', { oldValue: a[k] }));
    } else if (a[k] !== b[k]) {
      if (isObject(a[k]) && isObject(b[k])) out.push(...diffValues(a[k], b[k], p, k));
      else out.push(entry(p, 'changed', { oldValue: a[k], newValue: b[k] }));
    }
  }
  for (const k of Object.keys(b)) if (!Object.prototype.hasOwnProperty.call(a, k)) out.push(entry([...prefix, k], 'added', { newValue: b[k] }));
  return out;
}

function diffArrays(a: unknown[], b: unknown[], prefix: (string | null)[], key?: string): VmChangeEntry[] {
  const path = [...prefix, null];
  const aText = a.map((x) => JSON.stringify(x));
  const bText = b.map((x) => JSON.stringify(x));
  let removed = a.flatMap((_, i) => (bText.includes(aText[i]) ? [] : [i]));
  let added = b.flatMap((_, j) => (aText.includes(bText[j]) ? [] : [j]));
  const modified: { from: Record<string, unknown>; to: Record<string, unknown>; ident: unknown }[] = [];
  const id = key !== undefined && prefix.length === 1 ? IDENTIFIERS[key] : undefined;
  if (id !== undefined) {
    removed = removed.filter((i) => {
      const from = a[i];
      if (!isObject(from)) return true;
      const j = added.find((k) => isObject(b[k]) && (b[k] as Record<string, unknown>)[id] === from[id]);
      if (j === undefined) return true;
      added = added.filter((k) => k !== j);
      modified.push({ from, to: b[j] as Record<string, unknown>, ident: from[id] });
      return false;
    });
  }
  return [
    ...removed.map((i) => entry(path, 'removed', { oldValue: a[i] })),
    ...modified.flatMap((m) => diffValues(m.from, m.to, path).map((c) => ({ ...c, ident: m.ident }))),
    ...added.map((j) => entry(path, 'added', { newValue: b[j] })),
  ];
}

/** The VM as an event shows it: as `vmadm get` shows it (with the host's facts, when given). */
export function eventView(vm: VmRecord, host?: HostFacts): Record<string, unknown> {
  return getView(vm, host);
}

function withoutLastModified(view: Record<string, unknown>): Record<string, unknown> {
  const { last_modified: _ignored, ...rest } = view;
  return rest;
}

/** The event a change of one VM makes (undefined: nothing a reader would see changed). */
export function vmEvent(before: VmRecord | undefined, after: VmRecord | undefined, date: Date, host?: HostFacts): VmEvent | undefined {
  const at = date.toISOString();
  if (after === undefined) {
    return before === undefined ? undefined : { type: 'delete', date: at, zonename: before.zonename, uuid: before.uuid };
  }
  const vm = eventView(after, host);
  if (before === undefined) return { type: 'create', date: at, zonename: after.zonename, uuid: after.uuid, vm };
  const changes = diffValues(withoutLastModified(eventView(before, host)), withoutLastModified(vm));
  if (changes.length === 0) return undefined;
  return { type: 'modify', date: at, zonename: after.zonename, uuid: after.uuid, vm, changes };
}

export interface LineOptions {
  /** -f: whole dates and zonenames. */
  full?: boolean;
}

function dateText(iso: string, full: boolean): string {
  return full ? iso : (iso.split('T')[1] ?? iso);
}

/** util.format's %j: JSON, `undefined` for a missing value. */
function json(v: unknown): string {
  return v === undefined ? 'undefined' : JSON.stringify(v);
}

/**
 * An event as SmartOS's `vmadm events` prints it without -j:
 * `[<time>] <zonename> <alias> <type>`, the time (and zonename) cut short
 * unless full; a modify is one line per change,
 * `<that>: <path> <action> :: <old> -> <new>`.
 */
export function eventLines(ev: VmEvent, opts: LineOptions = {}): string[] {
  const full = opts.full === true;
  const zonename = full ? ev.zonename : ev.zonename.split('-')[0];
  let alias = typeof ev.vm?.alias === 'string' && ev.vm.alias !== '' ? ev.vm.alias : '-';
  if (alias.length > 30) alias = `${alias.slice(0, 27)}...`;
  const base = `[${dateText(ev.date, full)}] ${zonename} ${alias} ${ev.type}`;
  if (ev.changes === undefined) return [base];
  return ev.changes.map((c) => `${base}: ${c.prettyPath} ${c.action} :: ${json(c.oldValue)} -> ${json(c.newValue)}`);
}

/** The ready event's line: `[<time>] ready`, full `[<date>] ready (uuid <uuid>)`. */
export function readyLine(ev: ReadyEvent, opts: LineOptions = {}): string {
  const full = opts.full === true;
  return full ? `[${ev.date}] ready (uuid ${ev.uuid})` : `[${dateText(ev.date, false)}] ready`;
}
