/**
 * The one VM model: the record `vmadm` stores for each VM and prints with
 * `vmadm get`, and that `fwadm` reads for the firewall. Pure types.
 *
 * A record holds every property in its stored (canonical) form: addresses
 * in canonical text (RFC 5952 for IPv6), MACs lower-case and zero-padded,
 * `primary: true` on exactly one NIC of a VM that has NICs, `interface`
 * assigned. Properties vmadm stores but this project does not interpret
 * (package_name, cpu_cap, ...) are kept as given, under their own keys.
 */

import type { HvmBrand, ZoneBrand } from '../vmspec/brands';

export type { HvmBrand, ZoneBrand };
export type Brand = ZoneBrand | HvmBrand;

/**
 * `state` as vmadm reports it (docs/vmadm-cli.md §9): `provisioning` while a
 * create runs, then `running` or `stopped`; `configured`/`installed` are
 * the zone's own states before that.
 */
export type VmState = 'configured' | 'incomplete' | 'provisioning' | 'failed' | 'stopped' | 'running' | 'shutting_down' | 'down';

/** One NIC as stored: `ips`, `gateways`, `allowed_ips` canonical. */
export interface NicRecord {
  interface: string;
  mac: string;
  nic_tag: string;
  /** Addresses with prefix (`10.0.0.5/24`, `2001:db8::5/64`), `dhcp`, `addrconf`; always present (possibly empty). */
  ips: string[];
  gateways?: string[];
  allowed_ips?: string[];
  network_uuids?: Record<string, string>;
  vlan_id?: number;
  mtu?: number;
  model?: string;
  primary?: true;
  allowed_dhcp_cids?: string[];
  allow_dhcp_spoofing?: boolean;
  allow_ip_spoofing?: boolean;
  allow_mac_spoofing?: boolean;
  allow_restricted_traffic?: boolean;
  allow_unfiltered_promisc?: boolean;
  blocked_outgoing_ports?: number[];
  dhcp_server?: boolean;
  network_uuid?: string;
  vrrp_vrid?: number;
  vrrp_primary_ip?: string;
}

export type Metadata = Record<string, string | number | boolean>;

/**
 * One HVM disk as stored (docs/vmadm-cli.md §10, §15 "Disks and
 * filesystems"): `path` its device (the key of update_disks/remove_disks),
 * `zfs_filesystem` its volume (absent for a cdrom); sizes in MiB.
 */
export interface DiskRecord {
  path: string;
  boot: boolean;
  model: string;
  media: 'disk' | 'cdrom';
  image_size?: number;
  image_uuid?: string;
  image_name?: string;
  pci_slot?: string;
  /** bhyve disks only. */
  uuid?: string;
  zfs_filesystem?: string;
  zpool?: string;
  size?: number;
  compression?: string;
  refreservation?: number;
  block_size?: number;
  /** The volume was there already: vmadm neither created it nor destroys it (not shown by get). */
  nocreate?: true;
}

/** One filesystem of an OS VM as stored (zonecfg `fs`): `target` is its key. */
export interface FilesystemRecord {
  source: string;
  target: string;
  raw?: string;
  type: string;
  options?: string[];
}

/** A VM as stored (one JSON file per VM) and as `vmadm get` shows it, less the per-NIC deprecated view. */
export interface VmRecord {
  uuid: string;
  zonename: string;
  brand: Brand;
  alias?: string;
  hostname?: string;
  autoboot: boolean;
  owner_uuid: string;
  billing_id: string;
  image_uuid?: string;
  zpool: string;
  zonepath: string;
  zfs_filesystem: string;
  /** ISO-8601. */
  create_timestamp: string;
  /** ISO-8601, set by every change. */
  last_modified: string;
  state: VmState;
  /** The zone's own state as the host reports it (configured, installed, running). */
  zone_state: string;
  v: 1;
  firewall_enabled: boolean;
  nics: NicRecord[];
  resolvers: string[];
  routes: Record<string, string>;
  tags: Metadata;
  customer_metadata: Metadata;
  internal_metadata: Metadata;
  quota: number;
  cpu_shares: number;
  zfs_io_priority: number;
  max_lwps: number;
  max_physical_memory: number;
  max_locked_memory: number;
  max_swap: number;
  max_shm_memory: number;
  max_msg_ids: number;
  max_sem_ids: number;
  max_shm_ids: number;
  limit_priv: string;
  /** Zone brands only. */
  dns_domain?: string;
  tmpfs?: number;
  /** HVM brands only. */
  ram?: number;
  vcpus?: number;
  disks?: DiskRecord[];
  /** Zone brands only. */
  filesystems?: FilesystemRecord[];
  /** Any other property vmadm accepts, stored as given. */
  [property: string]: unknown;
}
