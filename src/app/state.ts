/**
 * The stored truth the firewall follows from: the VMs, rules and remote
 * VMs of a root, and the compiler's view of them (core/ipf CompileInput).
 */
import type { RemoteVmRecord } from '../core/fw/remote-vms';
import type { FwRule } from '../core/fwrule/types';
import type { CompileInput, FwVm } from '../core/ipf/model';
import { remoteVmToFwVm } from '../core/fw/remote-vms';
import { firewallVm } from '../core/vm/firewall';
import type { VmRecord } from '../core/vm/record';
import type { Runtime } from './runtime';

/** The stored VMs, rules and remote VMs (each list sorted by uuid). */
export interface StoredState {
  readonly vms: readonly VmRecord[];
  readonly rules: readonly FwRule[];
  readonly remoteVms: readonly RemoteVmRecord[];
}

/**
 * The stored rules and remote VMs, a committed rule change included when
 * its journal is still there (readers never wait for a writer to finish).
 */
export async function readRules(rt: Runtime): Promise<{ rules: FwRule[]; remoteVms: RemoteVmRecord[] }> {
  const stored = await rt.fw.load();
  if (!rt.journal.anyLeft()) return stored;
  const j = rt.journal.read();
  return j?.change.kind === 'rules' ? rt.fw.overlay(stored, j.change) : stored;
}

/** Everything stored: VMs, rules, remote VMs. */
export async function readState(rt: Runtime): Promise<StoredState> {
  const { rules, remoteVms } = await readRules(rt);
  return { vms: rt.vms.list(), rules, remoteVms };
}

function byUuid<T extends { uuid: string }>(list: readonly T[]): T[] {
  return [...list].sort((a, b) => (a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0));
}

/**
 * A record's firewall view, made once per record object: the two sides of
 * a change share the records they have in common, and so their FwVm
 * objects (core/fw/affected skips a VM that is the same object on both).
 */
const fwVms = new WeakMap<VmRecord, FwVm>();

function fwVmOf(record: VmRecord): FwVm {
  let vm = fwVms.get(record);
  if (vm === undefined) {
    vm = firewallVm(record);
    fwVms.set(record, vm);
  }
  return vm;
}

/** The compiler's input for a state. */
export function compileInputOf(s: StoredState): CompileInput {
  return { vms: byUuid(s.vms).map(fwVmOf), remoteVms: byUuid(s.remoteVms).map(remoteVmToFwVm), rules: byUuid(s.rules) };
}

export { fwVmOf };

/** The VM list with one VM replaced, added (record) or removed (undefined), sorted. */
export function withVm(vms: readonly VmRecord[], uuid: string, record: VmRecord | undefined): VmRecord[] {
  const out = vms.filter((vm) => vm.uuid !== uuid);
  if (record !== undefined) out.push(record);
  return byUuid(out);
}
