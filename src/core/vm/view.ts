/**
 * What `vmadm get` prints for a VM (docs/vmadm-cli.md §5) and for each of its
 * NICs (§3.2): the stored record in vmadm's key order, each NIC with the
 * deprecated `ip` / `netmask` / `gateway` view older consumers read. Pure.
 */
import { netmaskFromPrefix, parseAddress, parseCidr } from '../net/address';
import { isHvm } from '../vmspec/brands';
import { DISK_ORDER, FILESYSTEM_ORDER } from './disks';
import type { DiskRecord, FilesystemRecord, NicRecord, VmRecord } from './record';
import { snapshotsView } from './snapshots';

/** NIC keys in the order `vmadm get` shows them; others follow in stored order. */
const NIC_ORDER = [
  'interface', 'mac', 'vlan_id', 'nic_tag', 'gateway', 'gateways', 'netmask', 'ip', 'ips', 'allowed_ips',
  'allowed_dhcp_cids', 'network_uuid', 'network_uuids', 'model', 'dhcp_server', 'allow_dhcp_spoofing',
  'allow_ip_spoofing', 'allow_mac_spoofing', 'allow_restricted_traffic', 'allow_unfiltered_promisc',
  'blocked_outgoing_ports', 'vrrp_vrid', 'vrrp_primary_ip', 'mtu', 'primary',
];

/** VM keys in the order `vmadm get` shows them (§5); others follow alphabetically. */
const VM_ORDER = [
  'alias', 'autoboot', 'billing_id', 'boot', 'boot_timestamp', 'brand', 'cpu_cap', 'cpu_shares', 'cpu_type',
  'create_timestamp', 'customer_metadata', 'datacenter_name', 'disks', 'dns_domain', 'do_not_inventory',
  'exit_status', 'exit_timestamp', 'filesystems', 'firewall_enabled', 'headnode_id', 'hostname', 'hvm', 'image_uuid',
  'init_restarts', 'internal_metadata', 'internal_metadata_namespaces', 'last_modified', 'limit_priv',
  'max_locked_memory', 'max_lwps', 'max_msg_ids', 'max_physical_memory', 'max_sem_ids', 'max_shm_ids',
  'max_shm_memory', 'max_swap', 'nics', 'owner_uuid', 'pid', 'platform_buildstamp', 'quota', 'ram', 'resolvers',
  'routes', 'server_uuid', 'snapshots', 'state', 'tags', 'tmpfs', 'uuid', 'v', 'vcpus', 'zfs_filesystem',
  'zfs_io_priority', 'zfs_root_compression', 'zfs_root_recsize', 'zonename', 'zonepath', 'zpool', 'zone_state',
  'zoneid',
];

/** Rank of each key of an order list, built once per list. */
function rankOf(order: readonly string[]): ReadonlyMap<string, number> {
  return new Map(order.map((key, i) => [key, i]));
}

const NIC_RANK = rankOf(NIC_ORDER);
const VM_RANK = rankOf(VM_ORDER);

/**
 * `source`'s defined keys: those of `order` first, in its order, then the
 * others in their own order (sorted when `sortRest`). One pass over the
 * source's keys (not over the whole order list), no per-call sets.
 */
function ordered(
  source: Record<string, unknown>,
  order: readonly string[],
  rank: ReadonlyMap<string, number>,
  sortRest: boolean,
): Record<string, unknown> {
  const known: number[] = [];
  const rest: string[] = [];
  for (const key of Object.keys(source)) {
    if (source[key] === undefined) continue;
    const r = rank.get(key);
    if (r === undefined) rest.push(key);
    else known.push(r);
  }
  known.sort((a, b) => a - b);
  if (sortRest) rest.sort();
  const out: Record<string, unknown> = {};
  for (const r of known) out[order[r]] = source[order[r]];
  for (const key of rest) out[key] = source[key];
  return out;
}

/**
 * The family of an `ips` entry or gateway of a stored (hence valid)
 * record without parsing IPv6: an IPv6 address always has a `:`, an IPv4
 * one never does. IPv4 text is still parsed (cheap and strict).
 */
function isIpv6Text(text: string): boolean {
  return text.includes(':');
}

/** The deprecated IPv4 view: first static IPv4 address (or dhcp) and first IPv4 gateway. */
function deprecatedView(nic: NicRecord): { ip?: string; netmask?: string; gateway?: string } {
  const out: { ip?: string; netmask?: string; gateway?: string } = {};
  for (const item of nic.ips) {
    if (item === 'dhcp' || item === 'addrconf' || isIpv6Text(item)) continue;
    const cidr = parseCidr(item, 'allow');
    if (cidr.address.family === 4) {
      out.ip = cidr.address.text;
      out.netmask = netmaskFromPrefix(cidr.prefix);
      break;
    }
  }
  if (out.ip === undefined && nic.ips.includes('dhcp')) out.ip = 'dhcp';
  for (const gw of nic.gateways ?? []) {
    if (!isIpv6Text(gw) && parseAddress(gw).family === 4) {
      out.gateway = gw;
      break;
    }
  }
  return out;
}

/**
 * A NIC as `vmadm get` shows it: §3.2 key order, plus ip/netmask/gateway
 * (absent for IPv6-only NICs); a NIC without addresses has no `ips`
 * (docs/vmadm-cli.md §15 "get").
 */
export function nicView(nic: NicRecord): Record<string, unknown> {
  const withLegacy: Record<string, unknown> = { ...nic, ...deprecatedView(nic) };
  if (nic.ips.length === 0) delete withLegacy.ips;
  return ordered(withLegacy, NIC_ORDER, NIC_RANK, false);
}

const DISK_RANK = rankOf(DISK_ORDER);
const FILESYSTEM_RANK = rankOf(FILESYSTEM_ORDER);

/** A disk as `vmadm get` shows it: SmartOS's key order; `nocreate` is the store's, not shown (docs/vmadm-cli.md §15 "Disks and filesystems"). */
export function diskView(disk: DiskRecord): Record<string, unknown> {
  return ordered({ ...disk, nocreate: undefined }, DISK_ORDER, DISK_RANK, false);
}

/** A filesystem as `vmadm get` shows it. */
function filesystemView(fs: FilesystemRecord): Record<string, unknown> {
  return ordered({ ...fs }, FILESYSTEM_ORDER, FILESYSTEM_RANK, false);
}

/**
 * What `vmadm get` shows that the host knows, not the record
 * (docs/vmadm-cli.md §15 "get"): the host's `server_uuid` (kept in the state
 * root) and the `platform_buildstamp` of this vmadm.
 */
export interface HostFacts {
  server_uuid: string;
  platform_buildstamp: string;
}

/** How a ZFS property the zfs defaults give reads: not shown by get. */
const ZFS_DEFAULT_COMPRESSION = 'off';

/**
 * What `vmadm get` prints (§5, §15 "get"): the record in vmadm's key order,
 * `hvm` added, NICs via nicView, the host's facts when given. The keys
 * SmartOS always prints are always there: `firewall_enabled` (false),
 * `resolvers` and `snapshots` ([]), `disks` ([]) on HVM. A running VM
 * shows `boot_timestamp` (when vmadm last booted it) and `init_restarts`
 * (0: this vmadm never restarts a zone's init); a stopped one neither.
 * zfs_root_compression / zfs_data_compression show only when not `off`.
 */
export function getView(record: VmRecord, host?: HostFacts): Record<string, unknown> {
  const hvm = isHvm(record.brand);
  const running = record.state === 'running';
  const source: Record<string, unknown> = {
    ...(hvm ? { disks: [] } : {}),
    ...record,
    ...host,
    // {name, created_at} of each (docs/vmadm-cli.md §17): the record keeps more
    snapshots: snapshotsView(record),
    firewall_enabled: record.firewall_enabled === true,
    resolvers: record.resolvers ?? [],
    hvm,
    nics: record.nics.map(nicView),
    disks: record.disks?.map(diskView) ?? (hvm ? [] : undefined),
    filesystems: record.filesystems?.map(filesystemView),
    boot_timestamp: running ? record.boot_timestamp : undefined,
    init_restarts: running ? (record.init_restarts ?? 0) : undefined,
  };
  for (const key of ['zfs_root_compression', 'zfs_data_compression']) {
    if (source[key] === ZFS_DEFAULT_COMPRESSION) source[key] = undefined;
  }
  return ordered(source, VM_ORDER, VM_RANK, true);
}
