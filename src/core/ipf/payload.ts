/**
 * Checking a compile payload `{vms, rules, remoteVMs}` the way `fwadm add`
 * does, into the compiler's input. The first problem found is thrown as an
 * IpfInputError: one line naming the item.
 */
import { AddressError, compareAddresses, parseAddress, parseCidr, type IPAddress } from '../net/address';
import type { FwRule, Target } from '../fwrule/types';
import { UUID } from '../fwrule/actions';
import { loneSurrogate } from '../fwrule/quoting';
import { validateRuleObject } from '../fwrule/rule-object';
import { FwruleError, excerpt } from '../fwrule/errors';
import { IpfInputError, type CompileInput, type FwVm } from './model';
import { firewallVmFromObject } from '../vm/firewall';
import { IPF_MAX_LINE_BYTES, commentSafe, ruleComment, utf8Length } from './render';
import { isObject, hasValue } from '../object';

/** `nics[].ips` entries that are not addresses. */
const NOT_ADDRESSES = new Set(['dhcp', 'addrconf']);

type Obj = Record<string, unknown>;

/** A value quoted for a message (never breaks the line; a long one is cut). */
function q(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(excerpt(v)) : excerpt(JSON.stringify(v) ?? String(v));
}

function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ');
}

function arrayField(payload: Obj, key: string): unknown[] {
  const v = payload[key];
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new IpfInputError(`${key} must be an array`);
  return v;
}

/** Numeric order, each address once. */
function sortedAddresses(list: IPAddress[]): IPAddress[] {
  const byKey = new Map<string, IPAddress>();
  for (const a of list) byKey.set(a.key, a);
  return [...byKey.values()].sort(compareAddresses);
}

function address(text: unknown, where: string): IPAddress {
  if (typeof text !== 'string' || text.length > 100) throw new IpfInputError(`${where}: expected an IP address, got ${q(text)}`);
  try {
    return parseAddress(text);
  } catch (err) {
    if (err instanceof AddressError) throw new IpfInputError(`${where}: ${oneLine(err.message)}`);
    throw err;
  }
}

/**
 * An `ips` entry: `addr/len` checked as `vmadm validate` checks a NIC's
 * address (a prefix length the family allows, digits only), or a bare
 * address; the address without its prefix.
 */
function ipsEntry(text: unknown, where: string): IPAddress {
  if (typeof text !== 'string' || text.length > 100 || !text.includes('/')) return address(text, where);
  try {
    return parseCidr(text, 'allow').address;
  } catch (err) {
    if (err instanceof AddressError) throw new IpfInputError(`${where}: ${oneLine(err.message)}`);
    throw err;
  }
}

/** Addresses of `nics[]`: each `ips` entry without its prefix, or `ip`. */
function nicAddresses(nics: unknown, where: string): IPAddress[] {
  if (!Array.isArray(nics)) throw new IpfInputError(`${where}: nics must be an array`);
  const out: IPAddress[] = [];
  nics.forEach((nic, i) => {
    const at = `${where}: nics[${i}]`;
    if (!isObject(nic)) throw new IpfInputError(`${at} must be an object`);
    if (hasValue(nic, 'ips')) {
      if (!Array.isArray(nic.ips)) throw new IpfInputError(`${at}.ips must be an array`);
      nic.ips.forEach((ip, j) => {
        if (!NOT_ADDRESSES.has(ip as string)) out.push(ipsEntry(ip, `${at}.ips[${j}]`));
      });
    } else if (hasValue(nic, 'ip') && !NOT_ADDRESSES.has(nic.ip as string)) {
      out.push(address(nic.ip, `${at}.ip`));
    }
  });
  return out;
}

function tagMap(tags: unknown, where: string): Map<string, string> {
  if (tags === undefined) return new Map();
  if (!isObject(tags)) throw new IpfInputError(`${where}: tags must be an object`);
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(tags)) {
    if (value === null || typeof value === 'object') {
      throw new IpfInputError(`${where}: tag ${q(name)} must be a string, number or boolean`);
    }
    const text = String(value);
    const lone = loneSurrogate(name) ?? loneSurrogate(text);
    if (lone !== undefined) {
      throw new IpfInputError(`${where}: tag ${q(name)} holds ${lone}, a lone surrogate: not a Unicode character`);
    }
    out.set(name, text);
  }
  return out;
}

function ownerOf(o: Obj, where: string): string | undefined {
  if (!hasValue(o, 'owner_uuid')) return undefined;
  if (typeof o.owner_uuid !== 'string' || !UUID.test(o.owner_uuid)) {
    throw new IpfInputError(`${where}: invalid owner_uuid ${q(o.owner_uuid)}`);
  }
  return o.owner_uuid;
}

/** A local VM (`vmadm get` object): the one VM model's reading, as vmadm itself checks it. */
function localVm(raw: unknown, i: number): FwVm {
  return firewallVmFromObject(raw, `vms[${i}]`);
}

function remoteVm(raw: unknown, i: number, local: ReadonlySet<string>): FwVm {
  const item = `remoteVMs[${i}]`;
  if (!isObject(raw)) throw new IpfInputError(`${item}: expected a remote VM object`);
  if (!hasValue(raw, 'uuid')) throw new IpfInputError(`${item}: remote VM must have a uuid`);
  if (typeof raw.uuid !== 'string' || !UUID.test(raw.uuid)) {
    throw new IpfInputError(`${item}: invalid remote VM uuid ${q(raw.uuid)}`);
  }
  const where = `remote VM ${raw.uuid}`;
  if (local.has(raw.uuid)) throw new IpfInputError(`${where}: has the uuid of a local VM`);
  const addresses = hasValue(raw, 'nics') ? nicAddresses(raw.nics, where) : [];
  if (hasValue(raw, 'ips')) {
    if (!Array.isArray(raw.ips)) throw new IpfInputError(`${where}: ips must be an array`);
    raw.ips.forEach((ip, j) => addresses.push(address(ip, `${where}: ips[${j}]`)));
  }
  if (addresses.length === 0) throw new IpfInputError(`${where}: has no IP addresses`);
  return {
    uuid: raw.uuid,
    owner_uuid: ownerOf(raw, where),
    firewallEnabled: false,
    remote: true,
    tags: tagMap(raw.tags, where),
    addresses: sortedAddresses(addresses),
  };
}

/**
 * The longest comment line a rule can give (its version and the longest
 * target value: a tag name, most often), refused when ipf could not read
 * it whole. Checked for every rule, enabled or not, so enabling one later
 * cannot make an unreadable file.
 */
function checkCommentLength(r: FwRule, item: string): void {
  // the comment with neither type nor value, then the longest `type=value`
  const base = utf8Length(ruleComment(r, '', ''));
  let longest = 0;
  let tag: string | undefined;
  for (const t of [...r.parsed.from, ...r.parsed.to]) {
    const [type, value] = commentTarget(t);
    const bytes = type.length + utf8Length(commentSafe(value));
    if (bytes > longest) {
      longest = bytes;
      tag = t.kind === 'tag' ? t.name : undefined;
    }
  }
  const bytes = base + longest;
  if (bytes <= IPF_MAX_LINE_BYTES) return;
  const cause = tag !== undefined ? `its version and tag name ${q(tag)} make` : 'its version makes';
  throw new IpfInputError(
    `${item}: ${cause} the ipf comment line "# rule=${r.uuid}, ..." ${bytes} bytes long; ipf reads at most ${IPF_MAX_LINE_BYTES} bytes of a line`,
  );
}

/** The `<type>=<value>` a target gives an entry comment (compile.ts, vm-index.ts). */
function commentTarget(t: Target): [string, string] {
  switch (t.kind) {
    case 'any': return ['wildcard', 'any'];
    case 'allvms': return ['wildcard', 'vmall'];
    case 'ip': return ['ip', t.address.text];
    case 'subnet': return ['subnet', t.cidr.text];
    case 'vm': return ['vm', t.uuid];
    case 'tag': return [t.value === undefined ? 'tag' : 'tagValue', t.name];
  }
}

function rule(raw: unknown, i: number): FwRule {
  const item = `rules[${i}]`;
  if (!isObject(raw)) throw new IpfInputError(`${item}: expected a rule object`);
  let r: FwRule;
  try {
    r = validateRuleObject(raw);
  } catch (err) {
    // a rule's own fault; anything else is a bug, and shows as one
    if (!(err instanceof FwruleError)) throw err;
    throw new IpfInputError(`${item}: ${oneLine(err.message)}`);
  }
  if (r.owner_uuid === undefined && r.global !== true) throw new IpfInputError(`${item}: owner_uuid required`);
  checkCommentLength(r, item);
  return r;
}

function unique<T extends { uuid: string }>(items: T[], what: (i: number) => string): void {
  const seen = new Set<string>();
  items.forEach((it, i) => {
    if (seen.has(it.uuid)) throw new IpfInputError(`${what(i)}: duplicate uuid ${it.uuid}`);
    seen.add(it.uuid);
  });
}

/** Validate a compile payload into the compiler's input. */
export function parseCompilePayload(payload: unknown): CompileInput {
  if (!isObject(payload)) {
    throw new IpfInputError('expected a JSON object {"vms": [...], "rules": [...], "remoteVMs": [...]}');
  }
  const vms = arrayField(payload, 'vms').map(localVm);
  unique(vms, (i) => `vms[${i}]`);
  const localUuids = new Set(vms.map((vm) => vm.uuid));
  const remoteVms = arrayField(payload, 'remoteVMs').map((r, i) => remoteVm(r, i, localUuids));
  unique(remoteVms, (i) => `remoteVMs[${i}]`);
  const rules = arrayField(payload, 'rules').map(rule);
  unique(rules, (i) => `rules[${i}]`);
  return { vms, remoteVms, rules };
}
