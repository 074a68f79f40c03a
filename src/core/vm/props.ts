/**
 * Properties a create or update drops instead of refusing (docs/vmadm-cli.md §0):
 * unknown names, names the brand does not take, and create-only names in an
 * update. Each dropped key gets one note naming the nearest known property.
 */
import createSchema = require('../../../schemas/vm-create.schema.json');
import nicSchema = require('../../../schemas/nic.schema.json');
import propertiesSchema = require('../../../schemas/vm-properties.schema.json');
import updateSchema = require('../../../schemas/vm-update.schema.json');
import { HVM_ONLY_NIC, isHvm, refusedBy } from '../vmspec/brands';
import { isObject } from '../object';

type Obj = Record<string, unknown>;

const VM_PROPERTIES = [
  ...Object.keys(propertiesSchema.properties),
  ...Object.keys(createSchema.properties),
  ...Object.keys(updateSchema.properties),
];
const NIC_PROPERTIES = Object.keys(nicSchema.properties);

/** Names people use for a property vmadm spells otherwise. */
const SYNONYMS: Record<string, string> = { name: 'alias', memory: 'max_physical_memory', mem: 'max_physical_memory', cpus: 'vcpus' };

/**
 * Flags whose default is false: stored only when true (docs/vmadm-cli.md
 * §15 "Unset"); false on create or update leaves them out of the record.
 */
export const FALSE_BY_DEFAULT = new Set([
  'archive_on_delete', 'delegate_dataset', 'do_not_inventory', 'docker', 'indestructible_delegated', 'indestructible_zoneroot',
  'maintain_resolvers',
]);

/** Properties only create takes (docs/vmadm-cli.md §8). */
export const CREATE_ONLY = new Set([
  'brand', 'uuid', 'zonename', 'zpool', 'image_uuid', 'nics', 'disks', 'filesystems', 'tags', 'customer_metadata',
  'internal_metadata', 'routes', 'delegate_dataset', 'mdata_exec_timeout', 'nowait', 'create_timestamp',
]);

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length];
}

/** The known property nearest to `name`, when one is close enough to be a likely typo. */
function nearestProperty(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  if (SYNONYMS[lower] && known.includes(SYNONYMS[lower])) return SYNONYMS[lower];
  if (lower !== name && known.includes(lower)) return lower;
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of known) {
    if (candidate === name) continue;
    const d = editDistance(lower, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** Where a reported name lives in the payload: the object holding it and the key. */
function locate(payload: Obj, name: string): { holder: Obj; key: string; nested: boolean } | undefined {
  if (Object.prototype.hasOwnProperty.call(payload, name)) return { holder: payload, key: name, nested: false };
  const m = /^([a-z_]+)\.(\d+)\.(.+)$/.exec(name);
  if (!m) return undefined;
  const list = payload[m[1]];
  if (!Array.isArray(list)) return undefined;
  const item: unknown = list[Number(m[2])];
  if (!isObject(item) || !Object.prototype.hasOwnProperty.call(item, m[3])) return undefined;
  return { holder: item, key: m[3], nested: true };
}

/** The note for one dropped property. */
export function droppedNote(name: string, key: string, nested: boolean, brand: string, why: 'unknown' | 'create-only'): string {
  if (why === 'create-only') return `"${name}" can only be set when the VM is created and was ignored`;
  const refused = nested ? HVM_ONLY_NIC.has(key) && !isHvm(brand) : refusedBy(brand).has(key);
  if (refused) return `"${name}" is not a property of ${brand} VMs and was ignored`;
  const near = nearestProperty(key, nested ? NIC_PROPERTIES : VM_PROPERTIES);
  const prefix = nested ? name.slice(0, name.length - key.length) : '';
  return `"${name}" is not a ${nested ? 'NIC' : 'VM'} property and was ignored${near ? ` (did you mean "${prefix}${near}"?)` : ''}`;
}

/**
 * Remove the reported bad properties from (a copy of) the payload, one
 * note each. Names that cannot be located are left (the caller fails).
 */
function dropProperties(payload: Obj, names: readonly string[], brand: string, notes: string[]): { payload: Obj; dropped: number } {
  const copy: Obj = { ...payload };
  for (const key of Object.keys(copy)) {
    if (Array.isArray(copy[key])) copy[key] = (copy[key] as unknown[]).map((v) => (isObject(v) ? { ...v } : v));
  }
  let dropped = 0;
  for (const name of names) {
    const at = locate(copy, name);
    if (!at) continue;
    delete at.holder[at.key];
    notes.push(droppedNote(name, at.key, at.nested, brand, 'unknown'));
    dropped++;
  }
  return { payload: copy, dropped };
}

/**
 * Run the validator; drop what it reports as bad_properties (one note
 * each) and run it again. Fails with the validator's own first report when
 * it found a bad value or a missing property, so create and update refuse
 * exactly what `vmadm validate` refuses, with the same report.
 */
export function validateDropping(
  payload: Obj,
  validate: (p: Obj) => import('../vmspec/report').ValidationResult,
  brand: string,
  notes: string[],
): { ok: true; payload: Obj } | { ok: false; result: import('../vmspec/report').ValidationResult } {
  const first = validate(payload);
  if (first.valid) return { ok: true, payload };
  const { bad_brand, bad_values, missing_properties, bad_properties } = first.report;
  if (bad_brand !== undefined || (bad_values?.length ?? 0) > 0 || (missing_properties?.length ?? 0) > 0 || !bad_properties) {
    return { ok: false, result: first };
  }
  const dropNotes: string[] = [];
  const { payload: cleaned } = dropProperties(payload, bad_properties, brand, dropNotes);
  const second = validate(cleaned);
  if (!second.valid) return { ok: false, result: second };
  notes.push(...dropNotes);
  return { ok: true, payload: cleaned };
}
