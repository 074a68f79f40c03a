/** `vmadm info <uuid> [type,...]`: a running KVM VM's runtime information (docs/vmadm-cli.md §16.5). */
import { Args } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command';
import { checkUuidArg, quietFlags, rootFlag, withApp } from '../../cli/app';

export default class Info extends BaseCommand {
  static override summary = "A running KVM VM's runtime information (needs a hypervisor).";

  static override description = [
    'SmartOS asks vmadmd about a running KVM VM and prints the information of the TYPEs (comma- or space-separated; default all) as JSON. This vmadm answers as SmartOS does for every other VM, exit status 1: a VM that is not running: "Unable to get VM info for VM <uuid>: Unable to get info for vm from state "<state>", must be "running" or "stopping"."; a running OS zone or bhyve VM: "Unable to get VM info for VM <uuid>: no info types supported for brand <brand>". A running KVM VM is refused too: this vmadm does not drive vmadmd.',
    'The embedded local host has no hypervisor: "info needs a hypervisor; the local host has none", exit status 1.',
  ].join('\n\n');

  static override strict = false;

  static override examples = ['<%= config.bin %> <%= command.id %> 5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11 vnc'];

  static override args = {
    uuid: Args.string({ description: 'The VM.' }),
  };

  static override flags = { root: rootFlag, ...quietFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Info);
    const uuid = checkUuidArg(args.uuid, 'info');
    await withApp(this.io, flags.root, false, async (rt, app) => app.vmInfo(rt, uuid));
  }
}
