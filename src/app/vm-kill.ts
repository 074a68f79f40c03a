/**
 * `vmadm kill` (docs/vmadm-cli.md §16.1): a signal to the zone's init.
 * Nothing stored changes, so there is no journal; it runs under the state
 * lock all the same, so that it never meets a change half-made (a zone
 * being booted or halted), as reboot does.
 */
import { AppError } from '../core/errors';
import type { Signal } from '../core/signals';
import { runChange, type Completed } from './change';
import type { Runtime } from './runtime';
import { zoneOf } from './sync';
import { mustGet } from './vm';

/** `vmadm kill`: the line to print. `given` is the signal as the user wrote it (SmartOS's success line repeats it). */
export async function killVm(rt: Runtime, uuid: string, signal: Signal, given: string): Promise<Completed<string>> {
  return runChange(rt, 'vmadm kill', async (c) => {
    const vm = mustGet(rt, uuid);
    if (!(await rt.host.signalInit(zoneOf(vm), signal))) throw new AppError(`Cannot find running init PID for VM ${vm.uuid}`);
    c.point('kill:sent');
    return `Sent signal "${given}" to init process for VM ${vm.uuid}`;
  });
}
