/** `fwadm start` / `fwadm stop`: vmadm update firewall_enabled=true|false, in this process, and the VM's firewall made again. */
import { printSuccess, withApp } from '../../cli/app';
import type { Io } from '../../cli/io';
import { printJson } from '../../cli/output';
import { printValidation } from '../../cli/validation-output';
import { checkUuid } from './common';

export async function switchVmFirewall(io: Io, arg: string | undefined, flags: { root?: string; json?: boolean }, enabled: boolean): Promise<void> {
  const uuid = checkUuid(arg);
  const done = await withApp(io, flags.root, true, (rt, app) => app.setVmFirewall(rt, uuid, enabled));
  const out = done.value;
  if (!out.ok) {
    io.exitCode = printValidation(io, out.result, false, '');
    return;
  }
  if (flags.json) printJson(io, { result: 'success' });
  else io.stdout.write(`Firewall ${enabled ? 'started' : 'stopped'} for VM ${uuid}\n`);
  printSuccess(io, undefined, done);
}
