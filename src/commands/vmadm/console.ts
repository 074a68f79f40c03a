/** `vmadm console <uuid>`: the terminal attached to a running VM's console (docs/vmadm-cli.md §16.5). */
import { Args } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command';
import { checkUuidArg, quietFlags, rootFlag, withApp } from '../../cli/app';

export default class Console extends BaseCommand {
  static override summary = "Attach the terminal to a running VM's console (needs a hypervisor).";

  static override description = [
    'On illumos, attaches this terminal to the console of a running OS zone or bhyve VM, as SmartOS does: zlogin -C -e \'\\035\' <zonename>; leave it with Enter, Ctrl-] and a dot. A VM that is not running: "cannot connect to console when state is "<state>" must be "running".", exit status 1. A KVM VM\'s serial console (SmartOS: socat) is refused, saying so.',
    'The embedded local host has no hypervisor: "console needs a hypervisor; the local host has none", exit status 1.',
  ].join('\n\n');

  static override examples = ['<%= config.bin %> <%= command.id %> 5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11'];

  static override args = {
    uuid: Args.string({ description: 'The VM.' }),
  };

  static override flags = { root: rootFlag, ...quietFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Console);
    const uuid = checkUuidArg(args.uuid, 'console');
    await withApp(this.io, flags.root, false, (rt, app) => app.consoleVm(rt, uuid));
  }
}
