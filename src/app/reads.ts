/**
 * What readers read (get, list, lookup; fwadm list, get, rules, vms,
 * status, stats): the stored records and rules as they are, without the
 * lock. Every file is replaced by a rename, so a reader sees each whole,
 * and never waits for a writer.
 */
import { version } from '../../package.json';
import type { VmRecord } from '../core/vm/record';
import type { HostFacts } from '../core/vm/view';
import { serverUuid } from '../store/root';
import type { Runtime } from './runtime';
import { zoneOf } from './sync';
import { mustGet } from './vm';

export { mustGet };

/** Every VM, each passed to `fn` as it is read; the results other than undefined, in uuid order. */
export function scanVms<T>(rt: Runtime, fn: (record: VmRecord) => T | undefined): T[] {
  return rt.vms.scan(fn);
}

/** `ipf -GV` of a VM (fwadm status). */
export async function firewallStatusText(rt: Runtime, vm: VmRecord): Promise<string> {
  return rt.host.firewallStatus(zoneOf(vm));
}

/** `ipfstat -hoi` of a VM (fwadm stats); '' when nothing is loaded. */
export async function firewallStatsText(rt: Runtime, vm: VmRecord): Promise<string> {
  return rt.host.firewallStats(zoneOf(vm));
}

/**
 * What `vmadm get` shows of the host (docs/vmadm-cli.md §15 "get"): its
 * server_uuid, kept in the state root, and this vmadm's build as
 * platform_buildstamp.
 */
export function hostFacts(rt: Runtime): HostFacts {
  return { server_uuid: serverUuid(rt.root), platform_buildstamp: `smartos-netadm-${version}` };
}
