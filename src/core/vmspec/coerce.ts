/**
 * The types vmadm accepts for the properties that are not about the
 * network (docs/vmadm-cli.md §1, §15 "Types"), turned into the one type the
 * schema checks and the record stores: a numeric string for an integer
 * (`"ram": "256"`), `"true"`/`"false"`, `1`/`"1"`, `0`/`"0"` for a boolean,
 * a comma-separated string or an array for a list. Each value taken in
 * another form than its own gets a note. Network properties
 * (docs/vm-network.md) take JSON types only and are not touched here;
 * neither is a value that cannot be converted (the schema reports it).
 * Pure; the payload is copied only when something changes.
 */
import propertiesSchema = require('../../../schemas/vm-properties.schema.json');
import { clip } from './report';

type Payload = Record<string, unknown>;
type Kind = 'integer' | 'boolean' | 'comma-list' | 'array-list';

/** Network properties (docs/vm-network.md): JSON types only. */
const NETWORK = new Set(['firewall_enabled', 'resolvers', 'routes', 'set_routes', 'remove_routes']);

/**
 * List properties and the form each is stored in: a comma-joined string
 * for those zonecfg keeps as one (`limitpriv`, `fs-allowed`; `vmadm get`
 * shows them so), an array for the others.
 */
const LISTS: Record<string, Kind> = {
  fs_allowed: 'comma-list',
  limit_priv: 'comma-list',
  internal_metadata_namespaces: 'array-list',
};

const KINDS = new Map<string, Kind>();
for (const [key, schema] of Object.entries(propertiesSchema.properties as Record<string, { type?: unknown }>)) {
  if (NETWORK.has(key)) continue;
  if (LISTS[key] !== undefined) KINDS.set(key, LISTS[key]);
  else if (schema.type === 'integer') KINDS.set(key, 'integer');
  else if (schema.type === 'boolean') KINDS.set(key, 'boolean');
}

/** `"true"`, `1`, `"1"` (true) and `"false"`, `0`, `"0"` (false): the loose booleans of vmadm(8). */
export function looseBoolean(value: unknown): boolean | undefined {
  if (value === true || value === 'true' || value === 1 || value === '1') return true;
  if (value === false || value === 'false' || value === 0 || value === '0') return false;
  return undefined;
}

function integer(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/^-?\d+$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** The items of a list given as a comma string or an array of strings (trimmed, empty ones dropped). */
function listItems(value: unknown): string[] | undefined {
  const raw = typeof value === 'string' ? value.split(',') : Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined;
  return raw?.map((s) => s.trim()).filter((s) => s !== '');
}

/** The value in its own type, or undefined when it cannot be converted (or needs no conversion). */
function convert(kind: Kind, value: unknown): unknown {
  switch (kind) {
    case 'integer':
      return integer(value);
    case 'boolean':
      return typeof value === 'boolean' ? undefined : looseBoolean(value);
    case 'comma-list': {
      const items = listItems(value);
      return items === undefined ? undefined : items.join(',');
    }
    case 'array-list':
      return listItems(value);
  }
}

function same(a: unknown, b: unknown): boolean {
  return a === b || (Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => x === b[i]));
}

function shown(value: unknown): string {
  return clip(JSON.stringify(value));
}

/**
 * The payload with its non-network properties in their own types, and a
 * note for each converted. On create, a property given as `null` (or as
 * `""` where a number or boolean is expected) is not given: `alias: null`
 * means no alias. On update those values stay: they unset (update.ts).
 */
export function coerceTypes(payload: Payload, action: 'create' | 'update'): { payload: Payload; notes: string[] } {
  const notes: string[] = [];
  let out: Payload | undefined;
  for (const key of Object.keys(payload)) {
    const value = payload[key];
    if (NETWORK.has(key)) continue;
    const kind = KINDS.get(key);
    if (action === 'create' && (value === null || (value === '' && (kind === 'integer' || kind === 'boolean')))) {
      out ??= { ...payload };
      delete out[key];
      continue;
    }
    if (kind === undefined || value === null || value === '') continue;
    const converted = convert(kind, value);
    if (converted === undefined || same(converted, value)) continue;
    out ??= { ...payload };
    out[key] = converted;
    notes.push(`${key}: ${shown(value)} stored as ${shown(converted)}`);
  }
  return { payload: out ?? payload, notes };
}
