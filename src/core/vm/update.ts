/**
 * `vmadm update`: a VM record and an update payload into the new record
 * (docs/vmadm-cli.md §8, §15). The payload first passes exactly the checks
 * of `vmadm validate update <brand>`, which looks at the payload on its
 * own; unknown, brand-refused and create-only properties are dropped with
 * a note each. The resulting VM is then checked with the rules create
 * applies (§15 "One validator, the merged VM"): a change that would make
 * the VM invalid fails with the report, naming the payload key that makes
 * it so (`update_nics.0.gateways`), and nothing is changed. Pure.
 */
import propertiesSchema = require('../../../schemas/vm-properties.schema.json');
import updateSchema = require('../../../schemas/vm-update.schema.json');
import { UsageError } from '../errors';
import { isHvm } from '../vmspec/brands';
import { coerceTypes } from '../vmspec/coerce';
import { ReportBuilder, show, type ValidationResult } from '../vmspec/report';
import { validateUpdate } from '../vmspec/validate';
import { applyDiskForms, applyFilesystemForms } from './disks';
import type { VmEnv } from './env';
import { fixMemory } from './memory';
import {
  canonicalMac, canonicalRange, canonicalResolvers, canonicalRoutes, canonicalUuid, ensurePrimary, normaliseNewNics, normaliseNicFields, recheck,
  vrrpMac, type CheckNames,
} from './normalise';
import { CREATE_ONLY, FALSE_BY_DEFAULT, droppedNote, validateDropping } from './props';
import type { Metadata, NicRecord, VmRecord } from './record';

export type UpdateOutcome =
  | { ok: true; record: VmRecord; notes: string[]; changed: boolean }
  | { ok: false; result: ValidationResult; notes: string[] };

type Obj = Record<string, unknown>;

/** Keys that are not plain properties: handled by their own form. */
const FORMS = new Set([
  'add_nics', 'update_nics', 'remove_nics', 'set_tags', 'remove_tags', 'set_customer_metadata', 'remove_customer_metadata',
  'set_internal_metadata', 'remove_internal_metadata', 'set_routes', 'remove_routes', 'add_disks', 'update_disks', 'remove_disks',
  'add_filesystems', 'update_filesystems', 'remove_filesystems',
]);
/** Memory properties: set by fixMemory (memory.ts). */
const MEMORY = new Set(['ram', 'max_physical_memory', 'max_locked_memory', 'max_swap', 'tmpfs']);
/** Properties every VM keeps: `null` or `""` cannot remove them. */
const KEPT = new Set(['ram', 'max_physical_memory']);
/** NIC properties update_nics copies (§8); `interface` and `mac` stay. */
const UPDATABLE_NIC = new Set([
  'allow_dhcp_spoofing', 'allow_ip_spoofing', 'allow_mac_spoofing', 'allow_restricted_traffic', 'allow_unfiltered_promisc',
  'blocked_outgoing_ports', 'dhcp_server', 'gateway', 'gateways', 'ip', 'ips', 'model', 'mtu', 'netmask', 'network_uuid',
  'network_uuids', 'nic_tag', 'primary', 'vlan_id', 'vrrp_vrid', 'vrrp_primary_ip', 'allowed_ips', 'allowed_dhcp_cids',
]);

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

/**
 * Unsets (§15 "Unset"): `null` or `""` removes a property, `cpu_cap: 0`
 * too; quota "" is 0 and resolvers [] (they are always shown).
 */
function applyUnsets(record: VmRecord, unsets: readonly string[]): void {
  for (const key of unsets) {
    if (key === 'quota') record.quota = 0;
    else if (key === 'resolvers') record.resolvers = [];
    else delete record[key];
  }
}

/** Plain properties: set; a flag false by default is removed when set false. */
function applyProperties(record: VmRecord, p: Obj, notes: string[]): void {
  for (const [key, value] of Object.entries(p)) {
    if (FORMS.has(key) || MEMORY.has(key) || value === undefined) continue;
    if (key === 'resolvers') record.resolvers = canonicalResolvers(value as string[], 'resolvers', notes);
    else if (key === 'owner_uuid' && typeof value === 'string') {
      record.owner_uuid = canonicalUuid(value);
      if (record.owner_uuid !== value) notes.push(`${key}: ${value} stored as ${record.owner_uuid}`);
    } else if (value === false && FALSE_BY_DEFAULT.has(key)) delete record[key];
    else record[key] = clone(value);
  }
}

/** The memory properties after the update (memory.ts), absent ones removed. */
function applyMemory(record: VmRecord, p: Obj, notes: string[], report: ReportBuilder): void {
  const out = fixMemory(record.brand, record, p, notes, report);
  for (const [key, value] of Object.entries(out)) {
    if (value === undefined) delete record[key];
    else record[key] = value;
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

/** remove_routes, then set_routes; returns the destinations set_routes gave (for names in reports). */
function applyRoutes(record: VmRecord, p: Obj, notes: string[], report: ReportBuilder): Set<string> {
  const remove = p.remove_routes as string[] | undefined;
  const set = p.set_routes as Record<string, string> | undefined;
  if (!remove && !set) return new Set();
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
  const given: Record<string, string> = {};
  if (set) canonicalRoutes(set, 'set_routes', given, notes, report);
  Object.assign(next, given);
  record.routes = next;
  return new Set(Object.keys(given));
}

/** The resulting NICs, and for each the payload name it comes from (`nics.1`, `update_nics.0`, `add_nics.0`). */
interface NicChange {
  nics: NicRecord[];
  names: string[];
  failure?: ValidationResult;
}

/** remove_nics, update_nics, add_nics, then a primary if the VM has NICs and none. */
function applyNics(record: VmRecord, p: Obj, env: VmEnv, notes: string[]): NicChange {
  let nics: NicRecord[] = record.nics.map((n) => clone(n));
  let names = nics.map((_, i) => `nics.${i}`);
  const hadPrimary = nics.some((n) => n.primary === true);
  const removed: Array<{ mac: string; nic: NicRecord }> = [];
  const byMac = new Map(nics.map((n, i) => [n.mac, i]));
  const gone = new Set<number>();
  for (const mac of (p.remove_nics as string[] | undefined) ?? []) {
    const at = byMac.get(canonicalMac(mac));
    if (at === undefined || gone.has(at)) notes.push(`remove_nics: no NIC has MAC ${mac}; skipped`);
    else {
      removed.push({ mac, nic: nics[at] });
      gone.add(at);
    }
  }
  if (gone.size > 0) {
    names = names.filter((_, i) => !gone.has(i));
    nics = nics.filter((_, i) => !gone.has(i));
    byMac.clear();
    nics.forEach((n, i) => byMac.set(n.mac, i));
  }
  const updates = (p.update_nics as Obj[] | undefined) ?? [];
  for (let i = 0; i < updates.length; i++) {
    const u = updates[i];
    const name = `update_nics.${i}`;
    const at = byMac.get(canonicalMac(String(u.mac)));
    if (at === undefined) return { nics, names, failure: failure(`${name}.mac`, `${show(u.mac)}: there is no existing NIC with that mac address`) };
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
    // a VRRP NIC's MAC is its VRID's (§15 "VRRP")
    if (typeof fields.vrrp_vrid === 'number' && nic.mac !== vrrpMac(fields.vrrp_vrid)) {
      notes.push(`${name}.mac: ${String(nic.mac)} changed to ${vrrpMac(fields.vrrp_vrid)} (the MAC of VRRP VRID ${fields.vrrp_vrid})`);
      const mac = vrrpMac(fields.vrrp_vrid);
      byMac.delete(String(nic.mac));
      byMac.set(mac, at);
      nic.mac = mac;
    }
    if (fields.primary === true) for (const other of nics) if (other !== nics[at]) delete other.primary;
    nics[at] = nic as unknown as NicRecord;
    names[at] = name;
  }
  const added = (p.add_nics as Obj[] | undefined) ?? [];
  if (added.length > 0) {
    // an HVM NIC without a model takes the first NIC's, else nic_driver (§15 "HVM NICs")
    const model = isHvm(record.brand) ? (record.nics[0]?.model ?? (record.nic_driver as string | undefined)) : undefined;
    const fresh = normaliseNewNics(added, nics, record.brand, 'add_nics', env, notes, model);
    if (fresh.some((n) => n.primary === true)) {
      for (const other of nics) {
        if (other.primary) notes.push(`nics: ${other.interface} is no longer primary (an added NIC is)`);
        delete other.primary;
      }
    }
    nics = [...nics, ...fresh];
    names = [...names, ...fresh.map((_, i) => `add_nics.${i}`)];
  }
  const held = vrrpHeld(removed, nics, names);
  if (held) return { nics, names, failure: held };
  ensurePrimary(nics, notes, hadPrimary);
  return { nics, names };
}

/** A removed NIC whose address a remaining NIC's vrrp_primary_ip names cannot go (§15 "VRRP"). Linear. */
function vrrpHeld(removed: ReadonlyArray<{ mac: string; nic: NicRecord }>, nics: readonly NicRecord[], names: readonly string[]): ValidationResult | undefined {
  if (removed.length === 0) return undefined;
  const address = (ip: string): string => ip.split('/')[0];
  const kept = new Set<string>();
  const named = new Map<string, number>();
  nics.forEach((n, i) => {
    for (const ip of n.ips) kept.add(address(ip));
    if (n.vrrp_primary_ip !== undefined && !named.has(n.vrrp_primary_ip)) named.set(n.vrrp_primary_ip, i);
  });
  for (const { mac, nic } of removed) {
    for (const ip of nic.ips) {
      const at = named.get(address(ip));
      if (at !== undefined && !kept.has(address(ip))) {
        return failure('remove_nics', `${mac}: its address ${address(ip)} is the vrrp_primary_ip of ${names[at]} (change that first)`);
      }
    }
  }
  return undefined;
}

/** A VM record and an update payload into the new record, or the report. */
export function updateVm(record: VmRecord, payload: Record<string, unknown>, env: VmEnv): UpdateOutcome {
  const notes: string[] = [];
  const brand = record.brand;
  // `""` / `null` on a plain property unsets it, `cpu_cap: 0` too (§8, §15); create-only keys are dropped.
  const unsets: string[] = [];
  const input: Obj = {};
  for (const [key, value] of Object.entries(payload)) {
    if (CREATE_ONLY.has(key)) {
      notes.push(droppedNote(key, key, false, brand, 'create-only'));
      continue;
    }
    if (((value === null || value === '') && !FORMS.has(key) && KNOWN.has(key)) || (key === 'cpu_cap' && (value === 0 || value === '0'))) unsets.push(key);
    else input[key] = value;
  }
  const coerced = coerceTypes(input, 'update');
  notes.push(...coerced.notes);
  const checked = validateDropping(coerced.payload, (p) => validateUpdate(p, brand), brand, notes);
  if (!checked.ok) return { ok: false, result: checked.result, notes };
  const p = checked.payload;

  const report = new ReportBuilder();
  for (const key of unsets) if (KEPT.has(key)) report.badValue(key, `${show(payload[key])}: every VM has a ${key}; it cannot be removed`);
  const next: VmRecord = clone(record);
  applyUnsets(next, unsets);
  applyProperties(next, p, notes);
  applyMemory(next, p, notes, report);
  applyMetadata(next, p, 'tags');
  applyMetadata(next, p, 'customer_metadata');
  applyMetadata(next, p, 'internal_metadata');
  const setRoutes = applyRoutes(next, p, notes, report);
  // disks (only while stopped) and filesystems (disks.ts)
  const disks = applyDiskForms(record, p, env, notes, report);
  if (disks !== undefined) next.disks = disks;
  const filesystems = applyFilesystemForms(record, p, report);
  if (filesystems !== undefined) {
    if (filesystems.length > 0) next.filesystems = filesystems;
    else delete next.filesystems;
  }
  const change = applyNics(next, p, env, notes);
  if (change.failure) return { ok: false, result: change.failure, notes };
  next.nics = change.nics;
  const names: CheckNames = {
    nic: (i) => change.names[i],
    list: p.add_nics !== undefined ? 'add_nics' : p.update_nics !== undefined ? 'update_nics' : 'nics',
    route: (dest) => (setRoutes.has(dest) ? 'set_routes' : 'routes'),
  };
  const after = recheck(next, report, names);
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
const STRING_LISTS = new Set([
  'resolvers', 'internal_metadata_namespaces', 'remove_nics', 'remove_tags', 'remove_customer_metadata', 'remove_internal_metadata', 'remove_routes',
  'remove_disks', 'remove_filesystems',
]);

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
