/**
 * `vmadm create`: a payload into the VM record (docs/vmadm-cli.md §3, §3.1,
 * §3.2, §15, docs/vm-network.md). The payload first passes exactly the
 * checks of `vmadm validate create` (brand defaulted to joyent; loose types
 * converted with a note each); unknown and brand-refused properties are
 * dropped with a note each. The record is then checked as a whole (the
 * checks an update's result gets too). Pure.
 */
import { isHvm } from '../vmspec/brands';
import { coerceTypes } from '../vmspec/coerce';
import { ReportBuilder, type ValidationResult } from '../vmspec/report';
import { validateCreate } from '../vmspec/validate';
import { newDisks, newFilesystems } from './disks';
import type { VmEnv } from './env';
import { fixMemory } from './memory';
import { canonicalResolvers, canonicalRoutes, canonicalUuid, ensurePrimary, normaliseNewNics, recheck } from './normalise';
import { FALSE_BY_DEFAULT, validateDropping } from './props';
import type { Brand, VmRecord } from './record';

export type VmOutcome =
  | { ok: true; record: VmRecord; notes: string[] }
  | { ok: false; result: ValidationResult; notes: string[] };

type Obj = Record<string, unknown>;

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';
const HVM_LIMIT_PRIV = 'default,-file_link_any,-net_access,-proc_fork,-proc_info,-proc_session';
/** Payload keys the record builds itself rather than copying. */
const BUILT = new Set([
  'brand', 'uuid', 'zonename', 'owner_uuid', 'billing_id', 'image_uuid', 'nics', 'nowait', 'ram', 'resolvers', 'routes',
  'create_timestamp', 'max_physical_memory', 'max_locked_memory', 'max_swap', 'max_shm_memory', 'tmpfs', 'disks', 'filesystems',
]);

/** The §3.1 defaults that do not depend on memory. */
export function brandDefaults(brand: Brand): Obj {
  const hvm = isHvm(brand);
  return {
    autoboot: true,
    zpool: 'zones',
    owner_uuid: ZERO_UUID,
    billing_id: ZERO_UUID,
    cpu_shares: 100,
    zfs_io_priority: 100,
    max_lwps: 2000,
    max_msg_ids: 4096,
    max_sem_ids: 4096,
    max_shm_ids: 4096,
    limit_priv: hvm ? HVM_LIMIT_PRIV : 'default',
    quota: brand === 'bhyve' ? 1 : 10,
    zfs_root_recsize: 131072,
    zfs_root_compression: 'off',
    firewall_enabled: false,
    ...(hvm ? { vcpus: 1 } : { dns_domain: 'local' }),
    ...(brand === 'bhyve' ? { com1: '/dev/zconsole', com2: 'socket,/tmp/vm.ttyb' } : {}),
  };
}

function uuidField(p: Obj, key: string, fallback: string | undefined, notes: string[]): string | undefined {
  const v = p[key];
  if (typeof v !== 'string') return fallback;
  const stored = canonicalUuid(v);
  if (stored !== v) notes.push(`${key}: ${v} stored as ${stored}`);
  return stored;
}

/** A create payload into a VM record, or the validator's report. */
export function createVm(payload: Record<string, unknown>, env: VmEnv): VmOutcome {
  const coerced = coerceTypes(payload.brand === undefined ? { ...payload, brand: 'joyent' } : payload, 'create');
  const notes: string[] = [...coerced.notes];
  const input: Obj = coerced.payload;
  const brand = String(input.brand);
  const checked = validateDropping(input, validateCreate, brand, notes);
  if (!checked.ok) return { ok: false, result: checked.result, notes };
  const p = checked.payload;
  const b = brand as Brand;
  const hvm = isHvm(b);

  const uuid = uuidField(p, 'uuid', undefined, notes) ?? canonicalUuid(env.newUuid());
  const defaults = brandDefaults(b);
  const copied: Obj = {};
  for (const [k, v] of Object.entries(p)) {
    // a flag false by default is stored only when true; cpu_cap 0 is no cap (§15 "Unset")
    if (BUILT.has(k) || v === undefined || (v === false && FALSE_BY_DEFAULT.has(k)) || (k === 'cpu_cap' && v === 0)) continue;
    copied[k] = v;
  }
  const zpool = typeof p.zpool === 'string' ? p.zpool : 'zones';
  const now = env.now.toISOString();

  const routes: Record<string, string> = {};
  const report = new ReportBuilder();
  const memory = fixMemory(b, undefined, p, notes, report);
  if (p.routes && typeof p.routes === 'object') canonicalRoutes(p.routes as Record<string, string>, 'routes', routes, notes, report);
  const nicDriver = typeof p.nic_driver === 'string' ? p.nic_driver : undefined;
  const nics = normaliseNewNics((p.nics as Obj[] | undefined) ?? [], [], b, 'nics', env, notes, nicDriver);
  ensurePrimary(nics, notes);

  const record: VmRecord = {
    ...defaults,
    ...copied,
    uuid,
    zonename: typeof p.zonename === 'string' ? p.zonename : uuid,
    brand: b,
    owner_uuid: uuidField(p, 'owner_uuid', ZERO_UUID, notes)!,
    billing_id: typeof p.billing_id === 'string' ? p.billing_id : ZERO_UUID,
    ...(typeof p.image_uuid === 'string' ? { image_uuid: uuidField(p, 'image_uuid', undefined, notes) } : {}),
    ...memory,
    zpool,
    zonepath: env.zonepathOf(zpool, uuid),
    zfs_filesystem: `${zpool}/${uuid}`,
    create_timestamp: now,
    last_modified: now,
    v: 1,
    state: 'provisioning',
    zone_state: 'configured',
    nics,
    resolvers: Array.isArray(p.resolvers) ? canonicalResolvers(p.resolvers as string[], 'resolvers', notes) : [],
    routes,
    tags: { ...((p.tags as Obj | undefined) ?? {}) },
    customer_metadata: { ...((p.customer_metadata as Obj | undefined) ?? {}) },
    internal_metadata: { ...((p.internal_metadata as Obj | undefined) ?? {}) },
  } as VmRecord;
  // disks (HVM) and filesystems (zones): named and defaulted as SmartOS does (disks.ts)
  if (hvm && Array.isArray(p.disks)) record.disks = newDisks(p.disks as Obj[], [], record, 'disks', env, report);
  if (!hvm && Array.isArray(p.filesystems)) record.filesystems = newFilesystems(p.filesystems);
  if (typeof p.create_timestamp === 'string' && p.create_timestamp !== now) {
    notes.push(`create_timestamp: ${p.create_timestamp} stored as ${now} (set by create)`);
  }
  const after = recheck(record, report);
  if (!after.valid) return { ok: false, result: after, notes };
  return { ok: true, record, notes };
}
