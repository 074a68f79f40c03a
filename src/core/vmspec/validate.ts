/**
 * `vmadm validate`: a create or update payload checked on its own, against
 * docs/vm-network.md and vmadm(8). Shapes and types come from the JSON Schemas
 * (schema.ts); relations between fields are checked here and in nic.ts,
 * nics.ts and network.ts. Pure: data in, report out.
 */
import { BRANDS, isHvm, refusedBy } from './brands';
import { coerceTypes } from './coerce';
import { MAC, PCI_SLOT, zpoolProblem } from './formats';
import { UUID_ANY_CASE } from '../uuid';
import { checkDiskList, checkFilesystemList, checkRemovals } from './disks';
import { checkNic, type NicContext, type NicFacts } from './nic';
import { checkNicList } from './nics';
import { checkResolvers, checkRoutes } from './network';
import { ReportBuilder, show, type ValidationResult } from './report';
import { checkSchema } from './schema';
import { checkSize } from './size';
import { unsupportedKeys, unsupportedSentence } from './unsupported';
import { isObject } from '../object';

type Payload = Record<string, unknown>;

export type { ValidationReport, ValidationResult } from './report';

/** Whether a parsed JSON value can be a payload at all. */
export function isPayloadObject(value: unknown): value is Payload {
  return isObject(value);
}

/** Properties that hold a UUID (billing_id is any string: docs/vmadm-cli.md §15 "Types"). */
const UUID_PROPERTIES = ['uuid', 'owner_uuid', 'image_uuid'];

function checkUuids(payload: Payload, report: ReportBuilder): void {
  for (const key of UUID_PROPERTIES) {
    const v = payload[key];
    if (typeof v === 'string' && !UUID_ANY_CASE.test(v)) report.badValue(key, `${show(v)} is not a UUID`);
  }
  for (const list of DISK_LISTS) {
    const disks = payload[list];
    if (!Array.isArray(disks)) continue;
    disks.forEach((d, i) => {
      if (!isObject(d)) return;
      for (const key of ['image_uuid', 'uuid']) {
        const v = d[key];
        if (typeof v === 'string' && !UUID_ANY_CASE.test(v)) report.badValue(`${list}.${i}.${key}`, `${show(v)} is not a UUID`);
      }
    });
  }
}

/** Lists whose items (disks) each name their pool. */
const DISK_LISTS = ['disks', 'add_disks', 'update_disks'];

/** `zpool` and each disk's `zpool`: a ZFS pool name (the zonepath and datasets are made from it). */
function checkZpools(payload: Payload, report: ReportBuilder): void {
  const check = (name: string, value: unknown): void => {
    if (typeof value !== 'string') return; // the schema reports the type
    const why = zpoolProblem(value);
    if (why !== undefined) report.badValue(name, `${show(value)} is not a ZFS pool name: ${why}`);
  };
  check('zpool', payload.zpool);
  for (const list of DISK_LISTS) {
    const disks = payload[list];
    if (!Array.isArray(disks)) continue;
    disks.forEach((d, i) => {
      if (isObject(d)) check(`${list}.${i}.zpool`, d.zpool);
    });
  }
}

/** Properties the brand does not take. */
function checkBrandProperties(payload: Payload, brand: string, report: ReportBuilder): void {
  const refused = refusedBy(brand);
  for (const key of Object.keys(payload)) {
    if (refused.has(key)) report.badProperty(key, `is not a property of ${brand} VMs`);
  }
}

/** What a create needs besides its brand (docs/vmadm-cli.md §3, §15 "Required on create"). */
const REQUIRED: Record<string, readonly string[]> = {
  joyent: ['image_uuid'], 'joyent-minimal': ['image_uuid'], builder: ['image_uuid'], lx: ['image_uuid', 'kernel_version'],
};

function checkRequired(payload: Payload, brand: string, report: ReportBuilder): void {
  for (const key of REQUIRED[brand] ?? []) {
    if (payload[key] === undefined) report.missing(key, `is required to create a ${brand} VM`);
  }
}

/** Record sizes ZFS takes: a power of two from 512 to 131072 (the schema checks the range). */
function checkRecsizes(payload: Payload, report: ReportBuilder): void {
  for (const key of ['zfs_root_recsize', 'zfs_data_recsize']) {
    const v = payload[key];
    if (typeof v === 'number' && Number.isInteger(v) && v >= 512 && v <= 131072 && (v & (v - 1)) !== 0) {
      report.badValue(key, `${v} is not a power of two`);
    }
  }
}

/** pci_devices (bhyve, vmadm(8)): each a device path under /devices, its guest slot `[bus:]slot:function`; no path twice. */
function checkPciDevices(list: unknown, report: ReportBuilder): void {
  if (!Array.isArray(list)) return;
  const seen = new Map<string, number>();
  list.forEach((d, i) => {
    if (!isObject(d)) return;
    const name = `pci_devices.${i}`;
    if (typeof d.path === 'string') {
      if (!/^\/devices\/[^\s"]+$/.test(d.path) || d.path.split('/').includes('..')) {
        report.badValue(`${name}.path`, `${show(d.path)} is not a device path under /devices`);
      } else if (seen.has(d.path)) {
        report.badValue('pci_devices', `${show(d.path)} is passed through twice (pci_devices.${seen.get(d.path)} and ${name})`);
      } else seen.set(d.path, i);
    }
    if (typeof d.pci_slot === 'string' && !PCI_SLOT.test(d.pci_slot)) {
      report.badValue(`${name}.pci_slot`, `${show(d.pci_slot)} is not a PCI slot: [<bus 0-255>:]<slot 0-31>:<function 0-7>`);
    }
  });
}

/**
 * Keys the action (and the brand, when known) takes that this vmadm does not
 * implement: refused, and left out of the other checks.
 */
function withoutUnsupported(payload: Payload, action: 'create' | 'update', brand: string | undefined, report: ReportBuilder): Payload {
  const refused = brand === undefined ? undefined : refusedBy(brand);
  const keys = unsupportedKeys(payload, action).filter((k) => !refused?.has(k));
  if (keys.length === 0) return payload;
  const rest = { ...payload };
  for (const key of keys) {
    report.badValueSaying(key, unsupportedSentence(key));
    delete rest[key];
  }
  return rest;
}

/**
 * Check each NIC of a list, then the list as a whole (`whole`: the list is
 * every NIC of the VM).
 */
function checkNics(list: unknown, listName: string, ctx: NicContext, report: ReportBuilder, whole = false): NicFacts[] {
  if (!Array.isArray(list)) return [];
  const facts: NicFacts[] = [];
  list.forEach((nic, i) => {
    if (isObject(nic)) facts.push(checkNic(nic, `${listName}.${i}`, ctx, report));
  });
  checkNicList(facts, listName, report, whole);
  return facts;
}

function brandContext(brand: string | undefined): NicContext {
  return brand === undefined ? {} : { brand, hvm: isHvm(brand) };
}

/** Unknown brand: reported alone, as vmadm does, since every other rule depends on it. */
function badBrand(brand: string, report: ReportBuilder): ValidationResult {
  report.brand(brand, `brand: ${show(brand)} is not one of ${BRANDS.join(', ')}`);
  return report.result();
}

/**
 * A create payload. Its non-network properties may be given in the loose
 * types of docs/vmadm-cli.md §1 (coerce.ts). `required: false` leaves out
 * the brand's required properties (fwadm checks a VM's NICs this way).
 */
export function validateCreate(input: Payload, opts: { required?: boolean } = {}): ValidationResult {
  const report = new ReportBuilder();
  const brand = typeof input.brand === 'string' ? input.brand : undefined;
  if (brand !== undefined && !BRANDS.includes(brand)) return badBrand(brand, report);
  if (!checkSize(input, report)) return report.result();
  const payload = withoutUnsupported(coerceTypes(input, 'create').payload, 'create', brand, report);
  checkSchema(payload, 'create', report);
  if (brand !== undefined) {
    checkBrandProperties(payload, brand, report);
    if (opts.required !== false) checkRequired(payload, brand, report);
  }
  checkUuids(payload, report);
  checkZpools(payload, report);
  checkRecsizes(payload, report);
  checkPciDevices(payload.pci_devices, report);
  checkDiskList(payload.disks, 'disks', brand, report);
  checkFilesystemList(payload.filesystems, 'filesystems', report);
  const nics = checkNics(payload.nics, 'nics', brandContext(brand), report, true);
  checkResolvers(payload.resolvers, 'resolvers', report);
  checkRoutes(payload.routes, 'routes', nics, report);
  return report.result();
}

/**
 * An update payload, on its own (docs/vmadm-cli.md §15 "One validator"):
 * brand rules apply only when a brand is given; what relates to the VM's
 * stored NICs (routes over `nics[N]` / `macs[...]`, a changed NIC's
 * gateways against addresses it keeps, a vrrp_primary_ip) is checked for
 * form only. `vmadm update` then checks the resulting VM as create does
 * (src/core/vm/update.ts).
 */
export function validateUpdate(input: Payload, brand?: string): ValidationResult {
  const report = new ReportBuilder();
  if (brand !== undefined && !BRANDS.includes(brand)) return badBrand(brand, report);
  if (!checkSize(input, report)) return report.result();
  const payload = withoutUnsupported(coerceTypes(input, 'update').payload, 'update', brand, report);
  checkSchema(payload, 'update', report);
  if (brand !== undefined) checkBrandProperties(payload, brand, report);
  checkUuids(payload, report);
  checkZpools(payload, report);
  checkRecsizes(payload, report);
  checkDiskList(payload.add_disks, 'add_disks', brand, report);
  checkDiskList(payload.update_disks, 'update_disks', brand, report);
  checkRemovals(payload.remove_disks, 'remove_disks', report);
  checkFilesystemList(payload.add_filesystems, 'add_filesystems', report);
  checkFilesystemList(payload.update_filesystems, 'update_filesystems', report);
  checkRemovals(payload.remove_filesystems, 'remove_filesystems', report);
  const ctx = brandContext(brand);
  checkNics(payload.add_nics, 'add_nics', ctx, report);
  checkNics(payload.update_nics, 'update_nics', { ...ctx, partial: true }, report);
  if (Array.isArray(payload.remove_nics)) {
    for (const mac of payload.remove_nics) {
      if (typeof mac === 'string' && !MAC.test(mac)) report.badValue('remove_nics', `${show(mac)} is not a MAC address`);
    }
  }
  checkResolvers(payload.resolvers, 'resolvers', report);
  checkRoutes(payload.routes, 'routes', undefined, report);
  checkRoutes(payload.set_routes, 'set_routes', undefined, report);
  return report.result();
}
