/**
 * `vmadm validate`: a create or update payload checked on its own, against
 * docs/vm-network.md and vmadm(8). Shapes and types come from the JSON Schemas
 * (schema.ts); relations between fields are checked here and in nic.ts,
 * nics.ts and network.ts. Pure: data in, report out.
 */
import { BRANDS, HVM_ONLY, ZONE_ONLY, isHvm } from './brands';
import { MAC, zpoolProblem } from './formats';
import { UUID_ANY_CASE } from '../uuid';
import { checkNic, type NicContext, type NicFacts } from './nic';
import { checkNicList } from './nics';
import { checkResolvers, checkRoutes } from './network';
import { ReportBuilder, show, type ValidationResult } from './report';
import { checkSchema } from './schema';
import { checkSize } from './size';
import { isObject } from '../object';

type Payload = Record<string, unknown>;

export type { ValidationReport, ValidationResult } from './report';

/** Whether a parsed JSON value can be a payload at all. */
export function isPayloadObject(value: unknown): value is Payload {
  return isObject(value);
}

const UUID_PROPERTIES = ['uuid', 'owner_uuid', 'image_uuid', 'billing_id'];

function checkUuids(payload: Payload, report: ReportBuilder): void {
  for (const key of UUID_PROPERTIES) {
    const v = payload[key];
    if (typeof v === 'string' && !UUID_ANY_CASE.test(v)) report.badValue(key, `${show(v)} is not a UUID`);
  }
  if (Array.isArray(payload.disks)) {
    payload.disks.forEach((d, i) => {
      if (isObject(d) && typeof d.image_uuid === 'string' && !UUID_ANY_CASE.test(d.image_uuid)) {
        report.badValue(`disks.${i}.image_uuid`, `${show(d.image_uuid)} is not a UUID`);
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
  const refused = isHvm(brand) ? ZONE_ONLY : HVM_ONLY;
  for (const key of Object.keys(payload)) {
    if (refused.has(key)) report.badProperty(key, `is not a property of ${brand} VMs`);
  }
}

/** Check each NIC of a list, then the list as a whole. */
function checkNics(list: unknown, listName: string, ctx: NicContext, report: ReportBuilder): NicFacts[] {
  if (!Array.isArray(list)) return [];
  const facts: NicFacts[] = [];
  list.forEach((nic, i) => {
    if (isObject(nic)) facts.push(checkNic(nic, `${listName}.${i}`, ctx, report));
  });
  checkNicList(facts, listName, report);
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

/** A create payload. */
export function validateCreate(payload: Payload): ValidationResult {
  const report = new ReportBuilder();
  const brand = typeof payload.brand === 'string' ? payload.brand : undefined;
  if (brand !== undefined && !BRANDS.includes(brand)) return badBrand(brand, report);
  if (!checkSize(payload, report)) return report.result();
  checkSchema(payload, 'create', report);
  if (brand !== undefined) checkBrandProperties(payload, brand, report);
  checkUuids(payload, report);
  checkZpools(payload, report);
  const nics = checkNics(payload.nics, 'nics', brandContext(brand), report);
  checkResolvers(payload.resolvers, 'resolvers', report);
  checkRoutes(payload.routes, 'routes', nics, report);
  return report.result();
}

/**
 * An update payload, on its own: brand rules apply only when a brand is
 * given; routes over `nics[N]` / `macs[...]` are checked for form only,
 * since the VM's NICs are not read.
 */
export function validateUpdate(payload: Payload, brand?: string): ValidationResult {
  const report = new ReportBuilder();
  if (brand !== undefined && !BRANDS.includes(brand)) return badBrand(brand, report);
  if (!checkSize(payload, report)) return report.result();
  checkSchema(payload, 'update', report);
  if (brand !== undefined) checkBrandProperties(payload, brand, report);
  checkUuids(payload, report);
  checkZpools(payload, report);
  const ctx = brandContext(brand);
  checkNics(payload.add_nics, 'add_nics', ctx, report);
  checkNics(payload.update_nics, 'update_nics', ctx, report);
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
