/**
 * Remote VMs (docs/fwadm-cli.md §6.1): VMs on other hosts that rules name by
 * tag, vm or all vms. Input is a `vmadm get` object from another host or
 * `{uuid, ips, tags, owner_uuid}`; only those fields are kept. Pure.
 */
import { UUID_LOWER_CASE } from '../uuid';
import type { FwVm } from '../ipf/model';
import { excerpt } from '../fwrule/errors';
import { loneSurrogate } from '../fwrule/quoting';
import { compareAddresses, parseAddress, parseCidr, type IPAddress } from '../net/address';
import { AppError, NotFoundError } from '../errors';
import { hasValue, isObject } from '../object';

export type TagValue = string | number | boolean;

/** A remote VM as stored (`<root>/fw/vms/<uuid>.json`) and shown by get-rvm / list-rvms, in this key order. */
export interface RemoteVmRecord {
  uuid: string;
  /** Canonical text (RFC 5952 for IPv6), each once, in numeric order (IPv4 first). */
  ips: string[];
  tags?: Record<string, TagValue>;
  owner_uuid?: string;
}

type Obj = Record<string, unknown>;

function has(o: Obj, key: string): boolean {
  return hasValue(o, key) && o[key] !== null;
}

/** `nics[].ips` entries that are not addresses. */
const NOT_ADDRESSES = new Set(['dhcp', 'addrconf']);

/** A value as a message shows it: a long one is cut (excerpt). */
function shown(value: unknown): string {
  return excerpt(String(value));
}

function invalidIp(text: unknown): AppError {
  return new AppError(`Invalid IP address: ${shown(text)}`);
}

/** An address with no prefix (`ips`, `nics[].ip`). */
function ipOf(text: unknown): IPAddress {
  if (typeof text !== 'string') throw invalidIp(text);
  try {
    return parseAddress(text);
  } catch {
    throw invalidIp(text);
  }
}

/**
 * A `nics[].ips` entry: an address, or `address/length` with a length the
 * family allows, written as vmadm validate wants it; the address without
 * its prefix. A bad address is named alone, a bad length with the entry.
 */
function nicIpOf(text: unknown): IPAddress {
  if (typeof text !== 'string') throw invalidIp(text);
  const slash = text.indexOf('/');
  if (slash < 0) return ipOf(text);
  const address = ipOf(text.slice(0, slash));
  try {
    parseCidr(text, 'allow');
  } catch {
    throw invalidIp(text);
  }
  return address;
}

/** Every address of `ips` and of `nics[].ips` (prefix stripped) or `nics[].ip`. */
function addressesOf(raw: Obj, name: string): IPAddress[] {
  const out: IPAddress[] = [];
  if (has(raw, 'ips')) {
    if (!Array.isArray(raw.ips)) throw new AppError(`Remote VM "${name}": ips must be an array`);
    for (const ip of raw.ips) out.push(ipOf(ip));
  }
  if (has(raw, 'nics')) {
    if (!Array.isArray(raw.nics)) throw new AppError(`Remote VM "${name}": nics must be an array`);
    for (const nic of raw.nics) {
      if (!isObject(nic)) throw new AppError(`Remote VM "${name}": each NIC must be an object`);
      if (has(nic, 'ips')) {
        if (!Array.isArray(nic.ips)) throw new AppError(`Remote VM "${name}": nics[].ips must be an array`);
        for (const ip of nic.ips) {
          if (!NOT_ADDRESSES.has(ip as string)) out.push(nicIpOf(ip));
        }
      } else if (has(nic, 'ip') && !NOT_ADDRESSES.has(nic.ip as string)) {
        out.push(ipOf(nic.ip));
      }
    }
  }
  return out;
}

/** A tag name as a message quotes it: JSON escapes, so a lone surrogate or a quote shows as written. */
function tagName(name: string): string {
  return JSON.stringify(excerpt(name));
}

function tagsOf(raw: Obj, name: string): Record<string, TagValue> | undefined {
  if (!has(raw, 'tags')) return undefined;
  if (!isObject(raw.tags)) throw new AppError(`Remote VM "${name}": tags must be an object`);
  const out: Record<string, TagValue> = {};
  for (const [k, v] of Object.entries(raw.tags)) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      throw new AppError(`Remote VM "${name}": tag ${tagName(k)} must be a string, number or boolean`);
    }
    // no UTF-8 can carry a lone surrogate: it would print as U+FFFD, and two tags look the same
    const lone = loneSurrogate(k) ?? (typeof v === 'string' ? loneSurrogate(v) : undefined);
    if (lone !== undefined) {
      throw new AppError(`Remote VM "${name}": tag ${tagName(k)} holds ${lone}, a lone surrogate: not a Unicode character`);
    }
    out[k] = v;
  }
  return out;
}

/**
 * The one reader of a remote VM from input: `fwadm add` and `update`
 * (payload `remoteVMs`), `add-rvm`, `compile` and the stored files all
 * read it here. Checks it and reduces it to the stored shape.
 * `localUuids`: the uuids of this host's VMs (a remote VM may not share
 * one). Throws AppError with the §6.1 messages, the first problem found.
 */
export function validateRemoteVm(raw: unknown, localUuids: ReadonlySet<string>): RemoteVmRecord {
  if (!isObject(raw) || !has(raw, 'uuid')) throw new AppError('Remote VM must have UUID');
  const uuid = raw.uuid;
  if (typeof uuid !== 'string' || !UUID_LOWER_CASE.test(uuid)) throw new AppError(`Invalid Remote VM UUID: ${shown(uuid)}`);
  if (localUuids.has(uuid)) throw new AppError(`Remote VM "${uuid}" must not have the same UUID as a local VM`);
  if (has(raw, 'owner_uuid') && (typeof raw.owner_uuid !== 'string' || !UUID_LOWER_CASE.test(raw.owner_uuid))) {
    throw new AppError(`Invalid owner UUID: ${shown(raw.owner_uuid)}`);
  }
  const addresses = addressesOf(raw, uuid);
  if (addresses.length === 0) throw new AppError(`Remote VM "${uuid}": missing IPs`);
  const byKey = new Map<string, IPAddress>();
  for (const a of addresses) byKey.set(a.key, a);
  const rec: RemoteVmRecord = { uuid, ips: [...byKey.values()].sort(compareAddresses).map((a) => a.text) };
  const tags = tagsOf(raw, uuid);
  if (tags !== undefined) rec.tags = tags;
  if (has(raw, 'owner_uuid')) rec.owner_uuid = raw.owner_uuid as string;
  return rec;
}

/**
 * Check every remote VM of a payload; every bad one is reported (AppError,
 * one line each). A uuid given twice: the later one wins.
 */
export function validateRemoteVms(raws: readonly unknown[], localUuids: ReadonlySet<string>): RemoteVmRecord[] {
  const errors: string[] = [];
  const out = new Map<string, RemoteVmRecord>();
  for (const raw of raws) {
    try {
      const r = validateRemoteVm(raw, localUuids);
      out.delete(r.uuid);
      out.set(r.uuid, r);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      errors.push(err.message);
    }
  }
  if (errors.length > 0) throw new AppError(errors);
  return [...out.values()];
}

/** `fwadm add-rvm -f`: one remote VM object, or `{"remoteVMs": [...]}`. */
export function remoteVmsFromPayload(raw: unknown): unknown[] {
  if (isObject(raw) && Object.prototype.hasOwnProperty.call(raw, 'remoteVMs')) {
    if (!Array.isArray(raw.remoteVMs)) throw new AppError('remoteVMs must be an array');
    return raw.remoteVMs;
  }
  return [raw];
}

/** A stored record read back (`where` names the file in errors); it must still pass the checks. */
export function remoteVmFromJson(raw: unknown, where: string): RemoteVmRecord {
  try {
    return validateRemoteVm(raw, new Set());
  } catch (err) {
    if (err instanceof AppError) throw new AppError(`${where}: ${err.message}`);
    throw err;
  }
}

/** The stored record in its key order: uuid, ips, tags, owner_uuid. */
export function remoteVmToJson(r: RemoteVmRecord): RemoteVmRecord {
  return {
    uuid: r.uuid,
    ips: [...r.ips],
    ...(r.tags !== undefined ? { tags: { ...r.tags } } : {}),
    ...(r.owner_uuid !== undefined ? { owner_uuid: r.owner_uuid } : {}),
  };
}

/** The compiler's view of a remote VM. */
export function remoteVmToFwVm(r: RemoteVmRecord): FwVm {
  return {
    uuid: r.uuid,
    owner_uuid: r.owner_uuid,
    firewallEnabled: false,
    remote: true,
    tags: new Map(Object.entries(r.tags ?? {}).map(([k, v]) => [k, String(v)])),
    addresses: r.ips.map(parseAddress).sort(compareAddresses),
  };
}

/** `get-rvm`: the record, or `Unknown remote VM "<uuid>"`. */
export function findRemoteVm(stored: ReadonlyMap<string, RemoteVmRecord>, uuid: string): RemoteVmRecord {
  const r = stored.get(uuid);
  if (r === undefined) throw new NotFoundError(`Unknown remote VM "${uuid}"`);
  return r;
}

/** `delete-rvm <uuid...>`: every unknown uuid reported before anything changes; each uuid once. */
export function knownRemoteVms(stored: ReadonlyMap<string, RemoteVmRecord>, uuids: readonly string[]): RemoteVmRecord[] {
  const unknown: string[] = [];
  const found = new Map<string, RemoteVmRecord>();
  for (const u of uuids) {
    const r = stored.get(u);
    if (r === undefined) {
      if (!unknown.includes(u)) unknown.push(u);
    } else found.set(u, r);
  }
  if (unknown.length > 0) throw new NotFoundError(unknown.map((u) => `Unknown remote VM "${u}"`));
  return [...found.values()];
}
