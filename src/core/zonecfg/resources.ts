/**
 * A VM record as zonecfg resources (docs/vmadm-cli.md §10–11): the zone's
 * global properties, its attrs, capped-memory/capped-cpu, one net per NIC
 * and one device per HVM disk, each an Item holding the lines that add it
 * and the lines that take it away. createScript prints the items in order;
 * updateScript compares the items of two records by key.
 *
 * Routes, tags and metadata live in JSON files, never in zonecfg; quota
 * goes to `zoneadm install`. None of them appear here.
 */
import { AppError } from '../errors';
import { isHvm } from '../vmspec/brands';
import type { DiskRecord, FilesystemRecord, NicRecord, VmRecord } from '../vm/record';
import type { Command, GlobalProp, Line } from './commands';
import { base64, zint, zval, type ZValue } from './quote';

export interface Item {
  /** Identity across records: `prop:<p>`, `attr:<name>`, `capped-memory`, `net:<mac>`, `device:<match>`, `fs:<dir>`. */
  key: string;
  /** Lines that put the resource in place (create, and update when new or changed). */
  lines: Line[];
  /** Lines that take it away (update, when gone from the new record). */
  removal: Line[];
  /** A global property: `set` overwrites it, so a change needs no removal first. */
  overwrite?: boolean;
  /** Written on create only (the provisioning markers). */
  createOnly?: boolean;
  net?: boolean;
}

const MIB = 1024 * 1024;
const DEFAULT_PROVISION_TIMEOUT_MS = 300_000;

const v = (s: string): ZValue => zval(s, s, 'bare');
const STRING = v('string');

function setProp(prop: GlobalProp, value: ZValue): Item {
  return { key: `prop:${prop}`, lines: [[{ op: 'set', prop, value }]], removal: [[{ op: 'clear', prop }]], overwrite: true };
}

/** `add attr; set name="<n>"; set type=string; set value="<v>"; end`. */
function attr(name: string, value: ZValue): Item {
  const n = zval(name, name, 'quoted');
  return {
    key: `attr:${name}`,
    lines: [[
      { op: 'add', resource: 'attr' },
      { op: 'set', prop: 'name', value: n },
      { op: 'set', prop: 'type', value: STRING },
      { op: 'set', prop: 'value', value },
      { op: 'end' },
    ]],
    removal: [[{ op: 'remove', resource: 'attr', by: 'name', value: zval(name, name, 'bare') }]],
  };
}

function str(vm: VmRecord, key: string): string | undefined {
  const x = vm[key];
  if (x === undefined || x === null) return undefined;
  if (typeof x === 'string') return x;
  if (typeof x === 'number' || typeof x === 'boolean') return String(x);
  throw new AppError(`${key}: must be a string to be written to the zone configuration`);
}

function list(vm: VmRecord, key: string): string | undefined {
  const x = vm[key];
  if (x === undefined || x === null) return undefined;
  if (typeof x === 'string') return x === '' ? undefined : x;
  if (Array.isArray(x)) {
    if (x.length === 0) return undefined;
    x.forEach((e, i) => { if (typeof e !== 'string') throw new AppError(`${key}.${i}: must be a string`); });
    return x.join(',');
  }
  throw new AppError(`${key}: must be a list of strings to be written to the zone configuration`);
}

type AttrKind = 'string' | 'number' | 'signed' | 'list' | 'base64' | 'if-true' | 'if-false';
/** Zone attrs after owner-uuid, in the order they are written (docs/vmadm-cli.md §10). */
const ATTRS: ReadonlyArray<readonly [attr: string, key: string, kind: AttrKind]> = [
  ['package-name', 'package_name', 'string'],
  ['package-version', 'package_version', 'string'],
  ['tmpfs', 'tmpfs', 'number'],
  ['hostname', 'hostname', 'string'],
  ['dns-domain', 'dns_domain', 'string'],
  ['default-gateway', 'default_gateway', 'string'],
  ['firewall-enabled', 'firewall_enabled', 'if-true'],
  ['do-not-inventory', 'do_not_inventory', 'if-true'],
  ['archive-on-delete', 'archive_on_delete', 'if-true'],
  ['docker', 'docker', 'if-true'],
  ['maintain-resolvers', 'maintain_resolvers', 'if-true'],
  ['restart-init', 'restart_init', 'if-false'],
  ['init-name', 'init_name', 'string'],
  ['kernel-version', 'kernel_version', 'string'],
  ['internal-metadata-namespaces', 'internal_metadata_namespaces', 'list'],
  ['resolvers', 'resolvers', 'list'],
  ['alias', 'alias', 'base64'],
  ['zlog-mode', 'zlog_mode', 'string'],
  ['zlog-max-size', 'zlog_max_size', 'number'],
  ['ram', 'ram', 'number'],
  ['vcpus', 'vcpus', 'number'],
  ['boot', 'boot', 'string'],
  ['cpu-type', 'cpu_type', 'string'],
  ['vga', 'vga', 'string'],
  ['vnc-port', 'vnc_port', 'signed'],
  ['spice-port', 'spice_port', 'signed'],
  ['virtio-txtimer', 'virtio_txtimer', 'number'],
  ['virtio-txburst', 'virtio_txburst', 'number'],
  ['flexible-disk-size', 'flexible_disk_size', 'number'],
  ['disk-driver', 'disk_driver', 'string'],
  ['nic-driver', 'nic_driver', 'string'],
  ['com1', 'com1', 'string'],
  ['com2', 'com2', 'string'],
  ['bootrom', 'bootrom', 'string'],
  ['bhyve-extra-opts', 'bhyve_extra_opts', 'string'],
  ['vnc-password', 'vnc_password', 'base64'],
  ['spice-password', 'spice_password', 'base64'],
  ['spice-opts', 'spice_opts', 'base64'],
  ['qemu-opts', 'qemu_opts', 'base64'],
  ['qemu-extra-opts', 'qemu_extra_opts', 'base64'],
];

function attrItem(vm: VmRecord, name: string, key: string, kind: AttrKind): Item | undefined {
  const x = vm[key];
  if (x === undefined || x === null) return undefined;
  switch (kind) {
    case 'string': { const s = str(vm, key); return s === undefined ? undefined : attr(name, zval(s, key)); }
    case 'number': return attr(name, zint(x, key, 'quoted'));
    // -1: no VNC / SPICE listener (vmadm(8) vnc_port, spice_port)
    case 'signed': return attr(name, x === -1 ? zval('-1', key) : zint(x, key, 'quoted'));
    case 'list': { const s = list(vm, key); return s === undefined ? undefined : attr(name, zval(s, key)); }
    case 'base64':
      if (typeof x !== 'string') throw new AppError(`${key}: must be a string to be written to the zone configuration`);
      return attr(name, base64(x, key));
    case 'if-true': return x === true ? attr(name, zval('true', key)) : undefined;
    case 'if-false': return x === false ? attr(name, zval('false', key)) : undefined;
  }
}

/** `52:0b:07:0a:3c:01` → `52:b:7:a:3c:1`: how vmadm writes a MAC to zonecfg. */
export function zonecfgMac(mac: string, what: string): ZValue {
  if (typeof mac !== 'string' || !/^[0-9a-f]{1,2}(:[0-9a-f]{1,2}){5}$/i.test(mac)) {
    throw new AppError(`${what}: not a MAC address: ${JSON.stringify(mac)}`);
  }
  return zval(mac.split(':').map((o) => parseInt(o, 16).toString(16)).join(':'), what, 'bare');
}

const isV4 = (a: string): boolean => a.includes('.') && !a.includes(':');

function netmask(prefix: number): string {
  const bits = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return [24, 16, 8, 0].map((s) => (bits >>> s) & 0xff).join('.');
}

/** NIC properties written with `add property`, after gateway/gateways/netmask/ip/ips. */
const NIC_PROPS = [
  'network_uuid', 'model', 'dhcp_server', 'allow_dhcp_spoofing', 'blocked_outgoing_ports',
  'allow_ip_spoofing', 'allow_mac_spoofing', 'allow_restricted_traffic', 'allow_unfiltered_promisc',
  'vrrp_vrid', 'vrrp_primary_ip', 'mtu',
] as const;

function propertyText(x: unknown, what: string): string {
  if (typeof x === 'string') return x;
  if (typeof x === 'boolean') return String(x);
  if (typeof x === 'number') return zint(x, what).raw;
  if (Array.isArray(x)) return x.map((e, i) => propertyText(e, `${what}.${i}`)).join(',');
  throw new AppError(`${what}: cannot be written to the zone configuration`);
}

function addProperty(name: string, x: unknown, what: string): Command {
  return { op: 'add-property', name: zval(name, what, 'bare'), value: zval(propertyText(x, what), what, 'quoted') };
}

/** The key of a NIC's net item. */
export const netKey = (mac: string): string => `net:${zonecfgMac(mac, 'mac').raw}`;

/** The `add net ... end` block of one NIC (docs/vmadm-cli.md §11). */
function netItem(nic: NicRecord, i: number): Item {
  const at = `nics.${i}`;
  const mac = zonecfgMac(nic.mac, `${at}.mac`);
  const cmds: Command[] = [
    { op: 'add', resource: 'net' },
    { op: 'set', prop: 'physical', value: zval(nic.interface, `${at}.interface`, 'bare') },
    { op: 'set', prop: 'mac-addr', value: mac },
    { op: 'set', prop: 'global-nic', value: zval(nic.nic_tag, `${at}.nic_tag`, 'bare') },
  ];
  const gateways = nic.gateways ?? [];
  const gw4 = gateways.find(isV4);
  if (gw4 !== undefined) cmds.push(addProperty('gateway', gw4, `${at}.gateways`));
  if (gateways.length > 0) cmds.push(addProperty('gateways', gateways, `${at}.gateways`));
  const ip4 = nic.ips.find((a) => isV4(a) && a.includes('/'));
  if (ip4 !== undefined) {
    const [addr, bits] = ip4.split('/');
    const prefix = Number(bits);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32) throw new AppError(`${at}.ips: bad IPv4 prefix in ${JSON.stringify(ip4)}`);
    cmds.push(addProperty('netmask', netmask(prefix), `${at}.ips`));
    cmds.push(addProperty('ip', addr, `${at}.ips`));
  }
  if (nic.ips.length > 0) cmds.push(addProperty('ips', nic.ips, `${at}.ips`));
  if (nic.allowed_ips && nic.allowed_ips.length > 0) cmds.push(addProperty('allowed_ips', nic.allowed_ips, `${at}.allowed_ips`));
  if (nic.allowed_dhcp_cids && nic.allowed_dhcp_cids.length > 0) {
    cmds.push(addProperty('allowed_dhcp_cids', nic.allowed_dhcp_cids, `${at}.allowed_dhcp_cids`));
  }
  if (nic.vlan_id !== undefined && nic.vlan_id !== 0) cmds.push({ op: 'set', prop: 'vlan-id', value: zint(nic.vlan_id, `${at}.vlan_id`) });
  for (const p of NIC_PROPS) {
    const x = nic[p];
    if (x === undefined || x === null) continue;
    if (Array.isArray(x) && x.length === 0) continue;
    cmds.push(addProperty(p, x, `${at}.${p}`));
  }
  cmds.push({ op: 'end' });
  return {
    key: `net:${mac.raw}`,
    lines: cmds.map((c) => [c]),
    removal: [[{ op: 'remove', resource: 'net', by: 'mac-addr', value: mac }]],
    net: true,
  };
}

/**
 * `select net mac-addr=<m>; add property (name=primary,value="true"); end`
 * for the primary NIC, then `remove -F property` for the others.
 */
export function primaryLines(nics: readonly NicRecord[]): Line[] {
  const TRUE = zval('true', 'primary');
  const NAME = zval('primary', 'primary', 'bare');
  const line = (nic: NicRecord, i: number): Line => [
    { op: 'select', resource: 'net', by: 'mac-addr', value: zonecfgMac(nic.mac, `nics.${i}.mac`) },
    nic.primary === true
      ? { op: 'add-property', name: NAME, value: TRUE, compact: true }
      : { op: 'remove-property', name: NAME, value: TRUE, compact: true },
    { op: 'end' },
  ];
  const out: Line[] = [];
  nics.forEach((n, i) => { if (n.primary === true) out.push(line(n, i)); });
  nics.forEach((n, i) => { if (n.primary !== true) out.push(line(n, i)); });
  return out;
}

/** Disk properties written with `add property`, as SmartOS writes them (docs/vmadm-cli.md §10); the rest are the volume's (zfs). */
const DISK_PROPS = [
  ['boot', 'boot'], ['model', 'model'], ['media', 'media'], ['image-size', 'image_size'], ['image-uuid', 'image_uuid'],
  ['image-name', 'image_name'], ['size', 'size'], ['pci-slot', 'pci_slot'], ['uuid', 'uuid'],
] as const;

/** `add device; set match=<path>; add property (name=boot, value="true") ...; end` for an HVM disk. */
function deviceItem(disk: DiskRecord, i: number): Item {
  const at = `disks.${i}`;
  if (typeof disk.path !== 'string') throw new AppError(`${at}.path: must be a string to be written to the zone configuration`);
  const match = zval(disk.path, `${at}.path`, 'bare');
  const cmds: Command[] = [{ op: 'add', resource: 'device' }, { op: 'set', prop: 'match', value: match }];
  for (const [name, key] of DISK_PROPS) {
    const x = disk[key];
    if (x !== undefined && x !== null) cmds.push(addProperty(name, x, `${at}.${key}`));
  }
  cmds.push({ op: 'end' });
  return {
    key: `device:${disk.path}`,
    lines: cmds.map((c) => [c]),
    removal: [[{ op: 'remove', resource: 'device', by: 'match', value: match }]],
  };
}

/** `add fs; set dir=<target>; set special=<source>; set type=<type>; [set raw=..;] [set options=[..];] end` for a filesystem of an OS VM. */
function fsItem(f: FilesystemRecord, i: number): Item {
  const at = `filesystems.${i}`;
  const dir = zval(f.target, `${at}.target`, 'bare');
  const cmds: Command[] = [
    { op: 'add', resource: 'fs' },
    { op: 'set', prop: 'dir', value: dir },
    { op: 'set', prop: 'special', value: zval(f.source, `${at}.source`, 'bare') },
    { op: 'set', prop: 'type', value: zval(f.type, `${at}.type`, 'bare') },
  ];
  if (f.raw !== undefined) cmds.push({ op: 'set', prop: 'raw', value: zval(f.raw, `${at}.raw`, 'bare') });
  if (f.options !== undefined && f.options.length > 0) {
    cmds.push({ op: 'set-list', prop: 'options', values: f.options.map((o, j) => zval(o, `${at}.options.${j}`, 'bare')) });
  }
  cmds.push({ op: 'end' });
  return {
    key: `fs:${f.target}`,
    lines: cmds.map((c) => [c]),
    removal: [[{ op: 'remove', resource: 'fs', by: 'dir', value: dir }]],
  };
}

/**
 * `add device; set match=<path>; add property (name=pci-slot, value="<slot>"); add property (name=model, value="passthru"); end`
 * for a bhyve PCI passthrough device (vmadm(8) pci_devices).
 */
function pciItem(dev: Record<string, unknown>, i: number): Item {
  const at = `pci_devices.${i}`;
  if (typeof dev.path !== 'string') throw new AppError(`${at}.path: must be a string to be written to the zone configuration`);
  const match = zval(dev.path, `${at}.path`, 'bare');
  const cmds: Command[] = [{ op: 'add', resource: 'device' }, { op: 'set', prop: 'match', value: match }];
  if (dev.pci_slot !== undefined) cmds.push(addProperty('pci-slot', dev.pci_slot, `${at}.pci_slot`));
  cmds.push(addProperty('model', 'passthru', `${at}.model`));
  cmds.push({ op: 'end' });
  return {
    key: `device:${dev.path}`,
    lines: cmds.map((c) => [c]),
    removal: [[{ op: 'remove', resource: 'device', by: 'match', value: match }]],
  };
}

export interface CreateMarkers {
  /** Epoch ms when provisioning is given up (the `transition` attr). */
  expireMs: number;
}

/** The provisioning timeout vmadm uses (§3.1): 300 s; HVM +300 s per 4 GiB of ram beyond the first. */
export function provisioningTimeoutMs(vm: VmRecord): number {
  if (!isHvm(vm.brand)) return DEFAULT_PROVISION_TIMEOUT_MS;
  const extra = Math.floor((vm.ram ?? 0) / 4096) - 1;
  return DEFAULT_PROVISION_TIMEOUT_MS + (extra > 0 ? extra * DEFAULT_PROVISION_TIMEOUT_MS : 0);
}

/**
 * Every zonecfg item of a record, in the order a create script writes
 * them. `markers` adds the provisioning/transition attrs of a create.
 */
export function zoneItems(vm: VmRecord, markers?: CreateMarkers): Item[] {
  const items: Item[] = [];
  const push = (it: Item | undefined): void => { if (it) items.push(it); };
  const hvm = isHvm(vm.brand);

  if (markers) {
    items.push({
      key: 'attr:provisioning', createOnly: true, removal: [],
      lines: [[
        { op: 'add', resource: 'attr' },
        { op: 'set', prop: 'name', value: zval('provisioning', 'provisioning') },
        { op: 'set', prop: 'type', value: STRING },
        { op: 'set', prop: 'value', value: v('true') },
        { op: 'end', tight: true },
      ]],
    });
  }
  push(attr('vm-version', zint(vm.v, 'v', 'quoted')));
  push(attr('create-timestamp', zval(vm.create_timestamp, 'create_timestamp')));
  if (markers) {
    const target = vm.autoboot ? 'running' : 'stopped';
    items.push({
      key: 'attr:transition', createOnly: true, removal: [],
      lines: [[
        { op: 'add', resource: 'attr' },
        { op: 'set', prop: 'name', value: v('transition') },
        { op: 'set', prop: 'value', value: zval(`provisioning:${target}:${zint(markers.expireMs, 'transition').raw}`, 'transition') },
        { op: 'set', prop: 'type', value: STRING },
        { op: 'end' },
      ]],
    });
  }
  if (vm.image_uuid !== undefined) push(attr('dataset-uuid', zval(vm.image_uuid, 'image_uuid')));

  // an rctl the VM does not have (removed by update: docs/vmadm-cli.md §15 "Unset") is not set, and cleared by an update
  const rctl = (prop: GlobalProp, key: string, scale = 1): void => {
    if (vm[key] === undefined || vm[key] === null) return;
    const n = Number(zint(vm[key], key).raw);
    push(setProp(prop, scale === 1 ? zint(n, key) : zint(n * scale, key)));
  };
  rctl('cpu-shares', 'cpu_shares');
  push(setProp('limitpriv', zval(list(vm, 'limit_priv') ?? 'default', 'limit_priv', 'quoted')));
  const fsAllowed = list(vm, 'fs_allowed');
  if (fsAllowed !== undefined) push(setProp('fs-allowed', zval(fsAllowed, 'fs_allowed', 'quoted')));
  rctl('max-lwps', 'max_lwps');
  rctl('max-msg-ids', 'max_msg_ids');
  rctl('max-sem-ids', 'max_sem_ids');
  rctl('max-shm-ids', 'max_shm_ids');
  rctl('max-shm-memory', 'max_shm_memory', MIB);
  rctl('zfs-io-priority', 'zfs_io_priority');
  // KVM VMs are booted by vmadmd: the zone itself never autoboots (vm-autoboot holds the setting).
  push(setProp('autoboot', v(vm.brand === 'kvm' ? 'false' : String(vm.autoboot === true))));

  const m = (n: unknown, what: string): ZValue => zval(`${zint(n, what).raw}m`, what, 'bare');
  const capped: Command[] = [
    { op: 'add', resource: 'capped-memory' },
    { op: 'set', prop: 'physical', value: m(vm.max_physical_memory, 'max_physical_memory') },
  ];
  // max_locked_memory and max_swap may have been removed (docs/vmadm-cli.md §15 "Unset")
  if (vm.max_locked_memory !== undefined) capped.push({ op: 'set', prop: 'locked', value: m(vm.max_locked_memory, 'max_locked_memory') });
  if (vm.max_swap !== undefined) capped.push({ op: 'set', prop: 'swap', value: m(vm.max_swap, 'max_swap') });
  capped.push({ op: 'end' });
  items.push({ key: 'capped-memory', lines: [capped], removal: [[{ op: 'remove', resource: 'capped-memory' }]] });
  const cap = vm.cpu_cap;
  if (cap !== undefined && cap !== null && cap !== 0) {
    const ncpus = zint(cap, 'cpu_cap');
    items.push({
      key: 'capped-cpu',
      lines: [[
        { op: 'add', resource: 'capped-cpu' },
        { op: 'set', prop: 'ncpus', value: zval(String(Number(ncpus.raw) / 100), 'cpu_cap', 'bare') },
        { op: 'end' },
      ]],
      removal: [[{ op: 'remove', resource: 'capped-cpu' }]],
    });
  }

  for (const [name, key] of [['billing-id', 'billing_id'], ['owner-uuid', 'owner_uuid']] as const) {
    const s = str(vm, key);
    if (s !== undefined) push(attr(name, zval(s, key)));
  }
  for (const [name, key, kind] of ATTRS) push(attrItem(vm, name, key, kind));
  if (vm.brand === 'kvm') push(attr('vm-autoboot', zval(String(vm.autoboot === true), 'autoboot')));

  if (hvm && Array.isArray(vm.disks)) vm.disks.forEach((d, i) => items.push(deviceItem(d, i)));
  if (!hvm && Array.isArray(vm.filesystems)) vm.filesystems.forEach((f, i) => items.push(fsItem(f, i)));
  if (vm.brand === 'bhyve' && Array.isArray(vm.pci_devices)) vm.pci_devices.forEach((d, i) => items.push(pciItem(d as Record<string, unknown>, i)));
  vm.nics.forEach((nic, i) => items.push(netItem(nic, i)));
  return items;
}

export const headerLines = (vm: VmRecord): Line[] => [
  [{ op: 'create', blank: true }],
  [{ op: 'set', prop: 'zonepath', value: zval(vm.zonepath, 'zonepath', 'bare') }],
  [{ op: 'set', prop: 'brand', value: zval(vm.brand, 'brand', 'bare') }],
  [{ op: 'set', prop: 'uuid', value: zval(vm.uuid, 'uuid', 'bare') }],
  [{ op: 'set', prop: 'ip-type', value: v('exclusive') }],
];
