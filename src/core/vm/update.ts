/**
 * `vmadm update`: a VM record and an update payload into the new record
 * (docs/vmadm-cli.md §8). The payload first passes exactly the checks of
 * `vmadm validate update <brand>`; unknown, brand-refused and create-only
 * properties are dropped with a note each. The resulting NIC set and
 * routes are checked again as create checks them: a change that would
 * make the VM invalid fails with the report, and nothing is changed. Pure.
 */
import propertiesSchema = require('../../../schemas/vm-properties.schema.json');
import updateSchema = require('../../../schemas/vm-update.schema.json');
import { UsageError } from '../errors';
import { ReportBuilder, show, type ValidationResult } from '../vmspec/report';
import { validateUpdate } from '../vmspec/validate';
import { brandDefaults } from './create';
import type { VmEnv } from './env';
import {
  canonicalMac, canonicalRange, canonicalResolvers, canonicalRoutes, canonicalUuid, ensurePrimary, normaliseNewNics, normaliseNicFields, recheck,
} from './normalise';
import { CREATE_ONLY, droppedNote, validateDropping } from './props';
import type { Metadata, NicRecord, VmRecord } from './record';

export type UpdateOutcome =
  | { ok: true; record: VmRecord; notes: string[]; changed: boolean }
  | { ok: false; result: ValidationResult; notes: string[] };

type Obj = Record<string, unknown>;

/** Keys that are not plain properties: handled by their own form. */
const FORMS = new Set([
  'add_nics', 'update_nics', 'remove_nics', 'set_tags', 'remove_tags', 'set_customer_metadata', 'remove_customer_metadata',
  'set_internal_metadata', 'remove_internal_metadata', 'set_routes', 'remove_routes', 'add_disks', 'update_disks', 'remove_disks',
]);
/** NIC properties update_nics copies (§8); `interface` and `mac` stay. */
const UPDATABLE_NIC = new Set([
  'allow_dhcp_spoofing', 'allow_ip_spoofing', 'allow_mac_spoofing', 'allow_restricted_traffic', 'allow_unfiltered_promisc',
  'blocked_outgoing_ports', 'dhcp_server', 'gateway', 'gateways', 'ip', 'ips', 'model', 'mtu', 'netmask', 'network_uuid',
  'network_uuids', 'nic_tag', 'primary', 'vlan_id', 'vrrp_vrid', 'vrrp_primary_ip', 'allowed_ips', 'allowed_dhcp_cids',
]);
const UUID_PROPERTIES = new Set(['owner_uuid', 'billing_id']);

function clone<T>(v: T): T {
  return structuredClone(v);
}

/** Deep equality of JSON data, key order ignored. */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Obj)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Obj)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => same((a as Obj)[k], (b as Obj)[k]));
}

function failure(name: string, sentence: string): ValidationResult {
  const r = new ReportBuilder();
  r.badValue(name, sentence);
  return r.result();
}

/** Plain properties: set, or unset by `""` / `null` (quota → 0; a defaulted property → its default). */
function applyProperties(record: VmRecord, p: Obj, unsets: readonly string[], notes: string[]): void {
  const defaults = brandDefaults(record.brand);
  const oldMpm = record.max_physical_memory;
  const oldRam = record.ram;
  for (const key of unsets) {
    if (key === 'quota') record.quota = 0;
    else if (key === 'resolvers') record.resolvers = [];
    else if (key in defaults) record[key] = defaults[key];
    else delete record[key];
  }
  for (const [key, value] of Object.entries(p)) {
    if (FORMS.has(key) || value === undefined) continue;
    if (key === 'resolvers') record.resolvers = canonicalResolvers(value as string[], 'resolvers', notes);
    else if (UUID_PROPERTIES.has(key) && typeof value === 'string') {
      record[key] = canonicalUuid(value);
      if (record[key] !== value) notes.push(`${key}: ${value} stored as ${String(record[key])}`);
    } else if (key === 'ram' && record.ram === undefined) {
      // OS VMs keep no ram: it stands for max_physical_memory.
      if (p.max_physical_memory === undefined) {
        record.max_physical_memory = value as number;
        notes.push(`ram: ${String(value)} stored as max_physical_memory ${String(value)}`);
      }
    } else record[key] = clone(value);
  }
  if (oldRam !== undefined && typeof p.ram === 'number' && p.max_physical_memory === undefined) {
    record.max_physical_memory = Math.max(0, oldMpm + p.ram - oldRam);
  }
  // A new max_physical_memory keeps the old deltas of locked and swap, and tmpfs's ratio.
  const mpm = record.max_physical_memory;
  if (mpm !== oldMpm) {
    if (p.max_locked_memory === undefined) record.max_locked_memory = Math.max(0, record.max_locked_memory + mpm - oldMpm);
    if (p.max_swap === undefined) record.max_swap = Math.max(256, record.max_swap + mpm - oldMpm);
    if (p.max_shm_memory === undefined && record.max_shm_memory === oldMpm) record.max_shm_memory = mpm;
    if (p.tmpfs === undefined && typeof record.tmpfs === 'number' && oldMpm > 0) record.tmpfs = Math.round((record.tmpfs * mpm) / oldMpm);
  }
  for (const key of ['max_locked_memory', 'tmpfs'] as const) {
    const v = record[key];
    if (typeof v === 'number' && v > mpm) {
      notes.push(`${key}: ${v} stored as ${mpm} (at most max_physical_memory)`);
      record[key] = mpm;
    }
  }
}

function applyMetadata(record: VmRecord, p: Obj, which: 'tags' | 'customer_metadata' | 'internal_metadata'): void {
  const remove = p[`remove_${which}`] as string[] | undefined;
  const set = p[`set_${which}`] as Metadata | undefined;
  if (!remove && !set) return;
  const next: Metadata = { ...record[which] };
  for (const key of remove ?? []) delete next[key];
  Object.assign(next, set ?? {});
  record[which] = next;
}

function applyRoutes(record: VmRecord, p: Obj, notes: string[], report: ReportBuilder): void {
  const remove = p.remove_routes as string[] | undefined;
  const set = p.set_routes as Record<string, string> | undefined;
  if (!remove && !set) return;
  const next = { ...record.routes };
  for (const key of remove ?? []) {
    let canon = key;
    try {
      canon = canonicalRange(key);
    } catch {
      // not a destination: matched as typed
    }
    if (key in next) delete next[key];
    else if (canon in next) delete next[canon];
    else notes.push(`remove_routes: no route to ${key}; skipped`);
  }
  if (set) canonicalRoutes(set, 'set_routes', next, notes, report);
  record.routes = next;
}

/** remove_nics, update_nics, add_nics, then a primary if the VM has NICs and none. */
function applyNics(record: VmRecord, p: Obj, env: VmEnv, notes: string[]): ValidationResult | undefined {
  let nics: NicRecord[] = record.nics.map((n) => clone(n));
  const hadPrimary = nics.some((n) => n.primary === true);
  for (const mac of (p.remove_nics as string[] | undefined) ?? []) {
    const m = canonicalMac(mac);
    const at = nics.findIndex((n) => n.mac === m);
    if (at < 0) notes.push(`remove_nics: no NIC has MAC ${mac}; skipped`);
    else nics.splice(at, 1);
  }
  const updates = (p.update_nics as Obj[] | undefined) ?? [];
  for (let i = 0; i < updates.length; i++) {
    const u = updates[i];
    const name = `update_nics.${i}`;
    const m = canonicalMac(String(u.mac));
    const at = nics.findIndex((n) => n.mac === m);
    if (at < 0) return failure(`${name}.mac`, `${show(u.mac)}: there is no existing NIC with that mac address`);
    const given: Obj = {};
    for (const [k, v] of Object.entries(u)) {
      if (k === 'mac') continue;
      if (UPDATABLE_NIC.has(k)) given[k] = v;
      else notes.push(`"${name}.${k}" cannot be changed by update_nics and was ignored`);
    }
    const fields = normaliseNicFields(given, name, notes);
    const nic: Obj = { ...nics[at] };
    if (given.ips === undefined && given.ip === undefined) delete fields.ips;
    // Legacy forms replace their new forms.
    Object.assign(nic, fields);
    if (fields.primary === true) for (const other of nics) if (other !== nics[at]) delete other.primary;
    nics[at] = nic as unknown as NicRecord;
  }
  const added = (p.add_nics as Obj[] | undefined) ?? [];
  if (added.length > 0) {
    const fresh = normaliseNewNics(added, nics, record.brand, 'add_nics', env, notes, record.nic_driver as string | undefined);
    if (fresh.some((n) => n.primary === true)) {
      for (const other of nics) {
        if (other.primary) notes.push(`nics: ${other.interface} is no longer primary (an added NIC is)`);
        delete other.primary;
      }
    }
    nics = [...nics, ...fresh];
  }
  ensurePrimary(nics, notes, hadPrimary);
  record.nics = nics;
  return undefined;
}

/** A VM record and an update payload into the new record, or the report. */
export function updateVm(record: VmRecord, payload: Record<string, unknown>, env: VmEnv): UpdateOutcome {
  const notes: string[] = [];
  const brand = record.brand;
  // `""` / `null` on a plain property unsets it (§8); create-only keys are dropped.
  const unsets: string[] = [];
  const input: Obj = {};
  for (const [key, value] of Object.entries(payload)) {
    if (CREATE_ONLY.has(key)) {
      notes.push(droppedNote(key, key, false, brand, 'create-only'));
      continue;
    }
    if ((value === null || value === '') && !FORMS.has(key) && KNOWN.has(key)) unsets.push(key);
    else input[key] = value;
  }
  const checked = validateDropping(input, (p) => validateUpdate(p, brand), brand, notes);
  if (!checked.ok) return { ok: false, result: checked.result, notes };
  const p = checked.payload;

  const next: VmRecord = clone(record);
  const report = new ReportBuilder();
  applyProperties(next, p, unsets, notes);
  applyMetadata(next, p, 'tags');
  applyMetadata(next, p, 'customer_metadata');
  applyMetadata(next, p, 'internal_metadata');
  applyRoutes(next, p, notes, report);
  const nicFailure = applyNics(next, p, env, notes);
  if (nicFailure) return { ok: false, result: nicFailure, notes };
  const after = recheck(next, report);
  if (!after.valid) return { ok: false, result: after, notes };

  const changed = !same({ ...record, last_modified: undefined }, { ...next, last_modified: undefined });
  if (!changed) return { ok: true, record, notes, changed: false };
  next.last_modified = env.now.toISOString();
  return { ok: true, record: next, notes, changed: true };
}

/** Property types of the update payload, from the schemas. */
const TYPES: Record<string, string> = {};
for (const [k, s] of Object.entries({ ...propertiesSchema.properties, ...updateSchema.properties } as Record<string, unknown>)) {
  const schema = s as { type?: string; $ref?: string };
  if (typeof schema.type === 'string') TYPES[k] = schema.type;
  else if (schema.$ref?.endsWith('/keys')) TYPES[k] = 'array';
  else if (schema.$ref) TYPES[k] = 'object';
}
const KNOWN = new Set(Object.keys(TYPES));
/** Lists of strings that the command line gives comma-separated. */
const STRING_LISTS = new Set(['resolvers', 'internal_metadata_namespaces', 'remove_nics', 'remove_tags', 'remove_customer_metadata', 'remove_internal_metadata', 'remove_routes', 'remove_disks']);

/**
 * `vmadm update <uuid> key=value ...` into a payload: values are strings,
 * coerced by the property's type (docs/vmadm-cli.md §1, §8): `true`/`false`/`1`/`0`
 * for booleans, decimal integers, comma lists for lists of strings, JSON
 * for objects and lists of objects. `key=` unsets; `key=null` is the string
 * "null". A value that cannot be coerced stays a string, so the validator
 * reports it. As SmartOS splits them: an argument without `=` is the key
 * with an empty value (so it unsets), and a key given twice keeps its last
 * value.
 */
export function payloadFromKeyValues(args: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const arg of args) {
    const eq = arg.indexOf('=');
    const key = eq < 0 ? arg : arg.slice(0, eq);
    const text = eq < 0 ? '' : arg.slice(eq + 1);
    out[key] = coerce(key, text);
  }
  return out;
}

function coerce(key: string, text: string): unknown {
  if (text === '') return '';
  switch (TYPES[key]) {
    case 'boolean':
      if (text === 'true' || text === '1') return true;
      if (text === 'false' || text === '0') return false;
      return text;
    case 'integer':
      return /^-?\d+$/.test(text) && Number.isSafeInteger(Number(text)) ? Number(text) : text;
    case 'array':
      if (STRING_LISTS.has(key) && !text.startsWith('[')) return text.split(',').map((s) => s.trim()).filter((s) => s !== '');
      return json(key, text);
    case 'object':
      return json(key, text);
    default:
      return text;
  }
}

function json(key: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`Invalid value for ${key}: not JSON (${(err as Error).message})`);
  }
}
