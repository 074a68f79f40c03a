/** `fwadm status <vm uuid>`: whether a VM's firewall is running. */
import { Args } from '@oclif/core';
import { withApp } from '../../cli/app';
import { printJson } from '../../cli/output';
import { formatStatus, statusFromIpf } from '../../core/fw/format';
import { checkUuid, commonFlags, FwCommand } from './common';

export default class Status extends FwCommand {
  static override summary = 'Show whether a VM\'s firewall is running.';

  static override description =
    'Asks ipf (ipf -GV <uuid>) and prints "running" or "stopped"; -v prints every "<key>: <value>" ipf reports (ipf, kernel, running, log flags, default, active list, feature mask); -j the object. A VM that is not running: stopped. An unknown VM: VM "<uuid>" not found, exit status 1.';

  static override examples = ['<%= config.bin %> <%= command.id %> --root examples/fwadm/state -v 5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11'];

  static override strict = false;

  static override args = { uuid: Args.string({ description: 'The VM.', ignoreStdin: true }) };

  static override flags = commonFlags;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Status);
    const uuid = checkUuid(args.uuid);
    const text = await withApp(this.io, flags.root, false, (rt, app) => app.firewallStatusText(rt, app.mustGet(rt, uuid, `VM "${uuid}" not found`)));
    const status = statusFromIpf({ stdout: text, stderr: '', exitCode: 0 });
    if (flags.json) printJson(this.io, status);
    else this.io.stdout.write(formatStatus(status, flags.verbose));
  }
}
