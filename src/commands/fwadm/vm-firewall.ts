/** `fwadm start` / `fwadm stop`: vmadm update firewall_enabled=true|false, in this process. */
import { openContext } from '../../cli/vm-context';
import { printJson } from '../../cli/output';
import { printValidation } from '../../cli/validation-output';
import { applyUpdate } from '../vmadm/update';
import { checkUuid } from './common';

export async function switchVmFirewall(arg: string | undefined, flags: { root?: string; json?: boolean }, enabled: boolean): Promise<void> {
  const uuid = checkUuid(arg);
  const out = await applyUpdate(openContext(flags.root), uuid, { firewall_enabled: enabled });
  if (!out.ok) {
    process.exitCode = printValidation(out.result, false, '');
    return;
  }
  if (flags.json) printJson({ result: 'success' });
  else process.stdout.write(`Firewall ${enabled ? 'started' : 'stopped'} for VM ${uuid}\n`);
}
