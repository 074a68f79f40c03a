/**
 * `vmadm info`, `sysrq` and `console` (docs/vmadm-cli.md §16.5): what a
 * hypervisor answers. SmartOS's info talks to vmadmd about a running KVM
 * VM, sysrq sends an NMI (bhyve, KVM) or takes a screenshot (KVM), console
 * attaches the terminal to the zone's console (zlogin -C) or to an HVM's
 * serial port. The embedded local host has no hypervisor: each refuses in
 * one line. On illumos an OS zone gets SmartOS's own answers (info and
 * sysrq are HVM-only there too) and its console; what needs vmadmd or
 * bhyvectl is refused, saying so. Readers: no lock, nothing changed.
 */
import { AppError } from '../core/errors';
import { isHvm } from '../core/vmspec/brands';
import type { Runtime } from './runtime';
import { zoneOf } from './sync';
import { mustGet } from './vm';

/** SmartOS's sysrq requests (VM.SYSRQ_TYPES.all). */
export const SYSRQ_TYPES = ['nmi', 'screenshot'] as const;

function noHypervisor(rt: Runtime, command: string): void {
  if (rt.kind === 'local') throw new AppError(`${command} needs a hypervisor; the local host has none`);
}

/** `vmadm info`: SmartOS's answers for every VM this project runs (only a running KVM VM has info, through vmadmd). */
export function vmInfo(rt: Runtime, uuid: string): never {
  noHypervisor(rt, 'info');
  const fail = (why: string): never => {
    throw new AppError(`Unable to get VM info for VM ${uuid}: ${why}`);
  };
  const vm = mustGet(rt, uuid, `Unable to get VM info for VM ${uuid}: VM ${uuid} not found`);
  if (vm.state !== 'running' && String(vm.state) !== 'stopping') fail(`Unable to get info for vm from state "${vm.state}", must be "running" or "stopping".`);
  if (vm.brand !== 'kvm') fail(`no info types supported for brand ${vm.brand}`);
  return fail('info for KVM VMs comes from vmadmd, which this vmadm does not drive');
}

/** `vmadm sysrq`: SmartOS's refusals; an HVM's NMI or screenshot is not sent by this vmadm. */
export function sysrqVm(rt: Runtime, uuid: string, request: string): never {
  noHypervisor(rt, 'sysrq');
  const vm = mustGet(rt, uuid);
  if (vm.state !== 'running' && String(vm.state) !== 'stopping') {
    throw new AppError(`Unable to send request to vm from state "${vm.state}", must be "running" or "stopping".`);
  }
  // SmartOS's words, with their double space
  if (!isHvm(vm.brand)) throw new AppError('The sysrq command is only supported for VMs  with brand "bhyve" or "kvm".');
  if (vm.brand === 'bhyve' && request !== 'nmi') throw new AppError(`Invalid sysrq "${request}" valid values: "nmi".`);
  throw new AppError(`sysrq ${request} for ${vm.brand} VMs goes through ${vm.brand === 'bhyve' ? 'bhyvectl' : 'vmadmd'}, which this vmadm does not drive`);
}

/** `vmadm console`: the zone's console (zlogin -C) of a running OS zone or bhyve VM. */
export async function consoleVm(rt: Runtime, uuid: string): Promise<void> {
  noHypervisor(rt, 'console');
  const vm = mustGet(rt, uuid);
  if (vm.state !== 'running') throw new AppError(`cannot connect to console when state is "${vm.state}" must be "running".`);
  // KVM: a serial console through socat, which this vmadm does not drive
  if (vm.brand === 'kvm') throw new AppError('console for KVM VMs (their serial port through socat) is not supported by this vmadm');
  await rt.host.console(zoneOf(vm));
}
