/**
 * What one VM holds that no other VM on the host may hold
 * (docs/vmadm-cli.md §3, §15 "Conflicts across VMs"): a NIC's MAC; a static
 * address on a nic_tag and VLAN (not dhcp or addrconf); a VRRP VRID on a
 * nic_tag and VLAN; a VNC port above 0. SmartOS refuses a create or update
 * that would share one with `Conflict detected with another vm, please
 * check the MAC, IP, and VRID`. Pure: records in, the sentence out.
 */
import type { NicRecord, VmRecord } from './record';

export const CONFLICT = 'Conflict detected with another vm, please check the MAC, IP, and VRID';

type Holder = Pick<VmRecord, 'uuid' | 'nics'> & { vnc_port?: unknown };

/** One thing a VM holds, as a key without spaces (the store indexes them), and how a sentence names it. */
interface Held {
  key: string;
  what: string;
}

function place(nic: NicRecord): { key: string; text: string } {
  const vlan = nic.vlan_id ?? 0;
  return { key: `${nic.nic_tag}/${vlan}`, text: `on nic_tag ${nic.nic_tag}${vlan === 0 ? '' : ` vlan ${vlan}`}` };
}

function held(vm: Holder): Held[] {
  const out: Held[] = [];
  for (const nic of vm.nics) {
    const at = place(nic);
    // a VRRP NIC's MAC is its VRID's: the VRID is named first
    if (typeof nic.vrrp_vrid === 'number') out.push({ key: `vrid/${at.key}/${nic.vrrp_vrid}`, what: `VRID ${nic.vrrp_vrid} ${at.text}` });
    out.push({ key: nic.mac, what: `MAC ${nic.mac}` });
    for (const ip of nic.ips) {
      if (ip === 'dhcp' || ip === 'addrconf') continue;
      const slash = ip.indexOf('/');
      const address = slash < 0 ? ip : ip.slice(0, slash);
      out.push({ key: `ip/${at.key}/${address}`, what: `IP ${address} ${at.text}` });
    }
  }
  if (typeof vm.vnc_port === 'number' && vm.vnc_port > 0) out.push({ key: `vnc/${vm.vnc_port}`, what: `vnc_port ${vm.vnc_port}` });
  return out;
}

/** The keys of what a VM holds: MACs as they are, `ip/<tag>/<vlan>/<address>`, `vrid/<tag>/<vlan>/<vrid>`, `vnc/<port>`. */
export function conflictKeys(vm: Holder): string[] {
  return held(vm).map((h) => h.key);
}

/** What `after` holds that `before` (the same VM before an update; none for a create) did not. */
function gained(after: Holder, before?: Holder): Held[] {
  const had = new Set(before ? conflictKeys(before) : []);
  return held(after).filter((h) => !had.has(h.key));
}

/** The keys `after` holds that `before` did not: what an update must check against the other VMs. */
export function newConflictKeys(after: Holder, before?: Holder): string[] {
  return gained(after, before).map((h) => h.key);
}

/**
 * The conflict sentence when `vm` (created, or updated from `before`)
 * holds something new that one of `others` holds, else undefined. A VM
 * is not in conflict with itself; what it held before is not checked again.
 */
export function findConflict(vm: Holder, others: Iterable<Holder>, before?: Holder): string | undefined {
  const mine = new Map(gained(vm, before).map((h) => [h.key, h.what]));
  if (mine.size === 0) return undefined;
  for (const other of others) {
    if (other.uuid === vm.uuid) continue;
    for (const key of conflictKeys(other)) {
      const what = mine.get(key);
      if (what !== undefined) return `${CONFLICT} (${what} is in use by VM ${other.uuid})`;
    }
  }
  return undefined;
}
