/**
 * What one VM holds that no other VM on the host may hold
 * (docs/vmadm-cli.md §3, §15 "Conflicts across VMs"): a NIC's MAC; a static
 * address on a nic_tag and VLAN (not dhcp or addrconf); a VRRP VRID on a
 * nic_tag and VLAN; a VNC port above 0. SmartOS refuses a create or update
 * that would share one with `Conflict detected with another vm, please
 * check the MAC, IP, and VRID`. Pure: records in, the sentence out.
 */
import type { VmRecord } from './record';

export const CONFLICT = 'Conflict detected with another vm, please check the MAC, IP, and VRID';

type Holder = Pick<VmRecord, 'uuid' | 'nics'> & { vnc_port?: unknown };

/**
 * The keys of what a VM holds, without spaces (the store indexes them):
 * `vrid/<tag>/<vlan>/<vrid>` (before its NIC's MAC, which is the VRID's),
 * a MAC as it is, `ip/<tag>/<vlan>/<address>`, `vnc/<port>`.
 */
export function conflictKeys(vm: Holder): string[] {
  const out: string[] = [];
  for (const nic of vm.nics) {
    const at = `${nic.nic_tag}/${nic.vlan_id ?? 0}`;
    if (typeof nic.vrrp_vrid === 'number') out.push(`vrid/${at}/${nic.vrrp_vrid}`);
    out.push(nic.mac);
    for (const ip of nic.ips) {
      if (ip === 'dhcp' || ip === 'addrconf') continue;
      const slash = ip.indexOf('/');
      out.push(`ip/${at}/${slash < 0 ? ip : ip.slice(0, slash)}`);
    }
  }
  const port = vm.vnc_port;
  if (typeof port === 'number' && port > 0) out.push(`vnc/${port}`);
  return out;
}

/**
 * The keys a store indexes a VM by: coarser than conflictKeys, so that an
 * index of thousands of VMs stays small and quick to make: an address
 * without its nic_tag and vlan, a VRID without them (`vrid/<vrid>`), a MAC
 * and a VNC port as they are. Every conflict key has its index key
 * (indexKeyOf); a VM the index names is read, and its record decides.
 */
export function indexKeys(vm: Holder): string[] {
  const out: string[] = [];
  for (const nic of vm.nics) {
    if (typeof nic.vrrp_vrid === 'number') out.push(`vrid/${nic.vrrp_vrid}`);
    out.push(nic.mac);
    for (const ip of nic.ips) {
      if (ip === 'dhcp' || ip === 'addrconf') continue;
      const slash = ip.indexOf('/');
      out.push(slash < 0 ? ip : ip.slice(0, slash));
    }
  }
  const port = vm.vnc_port;
  if (typeof port === 'number' && port > 0) out.push(`vnc/${port}`);
  return out;
}

/** The index key of a conflict key (indexKeys). */
export function indexKeyOf(key: string): string {
  if (key.startsWith('ip/')) return key.slice(key.lastIndexOf('/') + 1);
  if (key.startsWith('vrid/')) return `vrid/${key.slice(key.lastIndexOf('/') + 1)}`;
  return key;
}

/** How a sentence names what a key stands for (`IP 10.0.0.5 on nic_tag external vlan 5`). */
function describe(key: string): string {
  const [kind, ...rest] = key.split('/');
  const on = (tag: string, vlan: string): string => `on nic_tag ${tag}${vlan === '0' ? '' : ` vlan ${vlan}`}`;
  if (kind === 'ip') return `IP ${rest[2]} ${on(rest[0], rest[1])}`;
  if (kind === 'vrid') return `VRID ${rest[2]} ${on(rest[0], rest[1])}`;
  if (kind === 'vnc') return `vnc_port ${rest[0]}`;
  return `MAC ${key}`;
}

/** The keys `after` holds that `before` did not: what an update must check against the other VMs. */
export function newConflictKeys(after: Holder, before?: Holder): string[] {
  const had = new Set(before ? conflictKeys(before) : []);
  return conflictKeys(after).filter((key) => !had.has(key));
}

/**
 * The conflict sentence when `vm` (created, or updated from `before`)
 * holds something new that one of `others` holds, else undefined. A VM
 * is not in conflict with itself; what it held before is not checked again.
 */
export function findConflict(vm: Holder, others: Iterable<Holder>, before?: Holder): string | undefined {
  const mine = new Set(newConflictKeys(vm, before));
  if (mine.size === 0) return undefined;
  for (const other of others) {
    if (other.uuid === vm.uuid) continue;
    for (const key of conflictKeys(other)) {
      if (mine.has(key)) return `${CONFLICT} (${describe(key)} is in use by VM ${other.uuid})`;
    }
  }
  return undefined;
}
