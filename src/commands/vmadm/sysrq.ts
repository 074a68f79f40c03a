/** `vmadm sysrq <uuid> <nmi|screenshot>`: a request to an HVM's guest (docs/vmadm-cli.md §16.5). */
import { Args } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command';
import { checkUuidArg, quietFlags, rootFlag, withApp } from '../../cli/app';
import { UsageError } from '../../core/errors';

export default class Sysrq extends BaseCommand {
  static override summary = "Send an NMI to an HVM's guest or take a screenshot of its console (needs a hypervisor).";

  static override description = [
    'SmartOS sends a running bhyve or KVM VM an NMI (nmi) or takes a screenshot of a KVM VM\'s console (screenshot). Usage errors as SmartOS\'s (exit status 2): "Wrong number of parameters to "sysrq"", "Invalid sysrq type: <type>". A VM that is not running: "Unable to send request to vm from state "<state>", must be "running" or "stopping"."; an OS zone: "The sysrq command is only supported for VMs  with brand "bhyve" or "kvm"." (SmartOS\'s words); exit status 1. A running bhyve or KVM VM is refused too, saying so: this vmadm does not drive bhyvectl or vmadmd.',
    'The embedded local host has no hypervisor: "sysrq needs a hypervisor; the local host has none", exit status 1.',
  ].join('\n\n');

  static override strict = false;

  static override examples = ['<%= config.bin %> <%= command.id %> 5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11 nmi'];

  static override args = {
    uuid: Args.string({ description: 'The VM.' }),
    type: Args.string({ description: 'nmi or screenshot.' }),
  };

  static override flags = { root: rootFlag, ...quietFlags };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Sysrq);
    const [given, type, ...more] = argv as string[];
    const uuid = checkUuidArg(given, 'sysrq');
    if (type === undefined || more.length > 0) throw new UsageError('Wrong number of parameters to "sysrq"');
    await withApp(this.io, flags.root, false, async (rt, app) => {
      if (!(app.SYSRQ_TYPES as readonly string[]).includes(type)) throw new UsageError(`Invalid sysrq type: ${type}`);
      app.sysrqVm(rt, uuid, type);
    });
  }
}
