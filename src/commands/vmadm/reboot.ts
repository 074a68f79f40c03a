/** `vmadm reboot`: reboot a running VM. */
import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command';
import { withVmLock } from '../../cli/vm-lock';
import { checkUuidArg, mustGet, openContext, printSuccess, quietFlags, rootFlag, zoneOf } from '../../cli/vm-context';
import { AppError } from '../../core/errors';

export default class Reboot extends BaseCommand {
  static override summary = 'Reboot a running VM (-F: at once).';

  static override description = [
    'Reboots the VM through its own shutdown (OS zones: shutdown -y -g 0 -i 6; lx: /sbin/shutdown -r now; HVM: zoneadm reboot); -F reboots it at once (zoneadm reboot -X). Prints "Successfully completed reboot for VM <uuid>" on standard error.',
    'A VM that is not running: "Cannot reboot vm from state "<state>", must be "running"", exit status 1. An unknown VM: "VM <uuid> not found", exit status 1.',
  ].join('\n\n');

  static override examples = ['<%= config.bin %> <%= command.id %> -F 5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11'];

  static override args = {
    uuid: Args.string({ description: 'The VM.' }),
  };

  static override flags = {
    force: Flags.boolean({ char: 'F', summary: 'Reboot at once instead of through the VM\'s shutdown.' }),
    timeout: Flags.integer({ char: 't', hidden: true }),
    root: rootFlag,
    ...quietFlags,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Reboot);
    const uuid = checkUuidArg(args.uuid, 'reboot');
    const ctx = openContext(flags.root);
    const { store, host } = ctx;
    const done = await withVmLock(ctx, async () => {
      const vm = mustGet(store, uuid);
      if (vm.state !== 'running') throw new AppError(`Cannot reboot vm from state "${vm.state}", must be "running"`);
      await host.reboot(zoneOf(vm), flags.force);
      return vm.uuid;
    });
    printSuccess(`Successfully completed reboot for VM ${done}`);
  }
}
