/**
 * A VM as the firewall compiler sees it (FwVm), from a stored record or
 * from a `vmadm get`-shaped object in a compile payload. The object is
 * checked with the same NIC and address rules as `vmadm validate`, so a
 * VM that vmadm stores is always one that fwadm understands, and fwadm
 * refuses what vmadm would refuse. Pure.
 */
import { compareAddresses, parseCidr, type IPAddress } from '../net/address';
import { compileInputError, type FwVm } from '../ipf/model';
import { loneSurrogate } from '../fwrule/quoting';
import { BRANDS } from '../vmspec/brands';
import { UUID_ANY_CASE } from '../uuid';
import { validateCreate } from '../vmspec/validate';
import type { NicRecord, VmRecord } from './record';
import { isObject, hasValue } from '../object';

type Obj = Record<string, unknown>;

/** Fields SmartOS fwadm needs on every local VM. */
const REQUIRED_VM_FIELDS = ['nics', 'state', 'tags', 'uuid', 'zonepath'] as const;
/** NIC properties that decide its addresses: what the firewall's check looks at. */
const ADDRESS_FIELDS = ['ips', 'ip', 'netmask', 'gateway', 'gateways', 'allowed_ips', 'mac', 'primary', 'vrrp_primary_ip', 'network_uuids'];

/** Static addresses of the NICs' `ips`: numeric order, each once. */
function addressesOf(nics: readonly Pick<NicRecord, 'ips'>[]): IPAddress[] {
  const byKey = new Map<string, IPAddress>();
  for (const nic of nics) {
    for (const ip of nic.ips) {
      if (ip === 'dhcp' || ip === 'addrconf') continue;
      const a = parseCidr(ip, 'allow').address;
      byKey.set(a.key, a);
    }
  }
  return [...byKey.values()].sort(compareAddresses);
}

function tagMap(tags: Obj): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(tags)) out.set(name, String(value));
  return out;
}

/** A stored VM for the firewall compiler. */
export function firewallVm(record: VmRecord): FwVm {
  return {
    uuid: record.uuid,
    owner_uuid: record.owner_uuid,
    firewallEnabled: record.firewall_enabled === true,
    remote: false,
    tags: tagMap(record.tags),
    addresses: addressesOf(record.nics),
  };
}

function q(v: unknown): string {
  return JSON.stringify(v) ?? String(v);
}

/**
 * A `vmadm get`-shaped object (a compile payload's `vms` item, named
 * `where` until its uuid is known) for the firewall compiler. Throws
 * AppError (compileInputError), one line naming the VM, on anything vmadm would refuse.
 */
export function firewallVmFromObject(raw: unknown, where: string): FwVm {
  if (!isObject(raw)) throw compileInputError(`${where}: expected a VM object`);
  const uuid = typeof raw.uuid === 'string' && UUID_ANY_CASE.test(raw.uuid) ? raw.uuid.toLowerCase() : undefined;
  const name = uuid === undefined ? where : `VM ${uuid}`;
  const missing = REQUIRED_VM_FIELDS.filter((f) => !hasValue(raw, f));
  if (missing.length > 0) throw compileInputError(`${name}: missing field(s) required for firewall: ${missing.join(', ')}`);
  if (uuid === undefined) throw compileInputError(`${where}: invalid uuid ${q(raw.uuid)}`);
  if (hasValue(raw, 'firewall_enabled') && typeof raw.firewall_enabled !== 'boolean') {
    throw compileInputError(`${name}: firewall_enabled must be true or false`);
  }
  let owner: string | undefined;
  if (hasValue(raw, 'owner_uuid')) {
    if (typeof raw.owner_uuid !== 'string' || !UUID_ANY_CASE.test(raw.owner_uuid)) throw compileInputError(`${name}: invalid owner_uuid ${q(raw.owner_uuid)}`);
    owner = raw.owner_uuid.toLowerCase();
  }
  if (!isObject(raw.tags)) throw compileInputError(`${name}: tags must be an object`);
  for (const [tag, value] of Object.entries(raw.tags)) {
    if (value === null || typeof value === 'object') throw compileInputError(`${name}: tag ${q(tag)} must be a string, number or boolean`);
    const lone = loneSurrogate(tag) ?? loneSurrogate(String(value));
    if (lone !== undefined) throw compileInputError(`${name}: tag ${q(tag)} holds ${lone}, a lone surrogate: not a Unicode character`);
  }
  if (!Array.isArray(raw.nics)) throw compileInputError(`${name}: nics must be an array`);
  // The NICs' address fields, checked as `vmadm validate create` checks them.
  const nics = raw.nics.map((nic, i) => {
    if (!isObject(nic)) throw compileInputError(`${name}: nics.${i} must be an object`);
    const picked: Obj = { nic_tag: 'firewall' };
    for (const key of ADDRESS_FIELDS) if (hasValue(nic, key)) picked[key] = nic[key];
    return picked;
  });
  const brand = typeof raw.brand === 'string' && BRANDS.includes(raw.brand) ? raw.brand : 'joyent';
  const result = validateCreate({ brand, nics }, { required: false });
  if (!result.valid) throw compileInputError(`${name}: ${result.messages[0].replace(/\s*\n\s*/g, ' ')}`);
  const ips = nics.map((nic) => {
    if (Array.isArray(nic.ips)) return { ips: nic.ips as string[] };
    if (typeof nic.ip === 'string' && nic.ip !== 'dhcp') return { ips: [`${nic.ip}/32`] };
    return { ips: [] };
  });
  return {
    uuid,
    owner_uuid: owner,
    firewallEnabled: raw.firewall_enabled === true,
    remote: false,
    tags: tagMap(raw.tags),
    addresses: addressesOf(ips),
  };
}
