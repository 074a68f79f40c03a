/** `vmadm reboot`: reboot a running VM. */
import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command';
import { checkUuidArg, printSuccess, quietFlags, rootFlag, withApp } from '../../cli/app';

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
    const io = this.io;
    const uuid = checkUuidArg(args.uuid, 'reboot');
    const done = await withApp(io, flags.root, true, (rt, app) => app.rebootVmChange(rt, uuid, flags.force));
    printSuccess(io, done.value, done);
  }
}
