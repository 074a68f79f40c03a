/** `vmadm stop` (alias `halt`): shut a running VM down. */
import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command';
import { checkUuidArg, printSuccess, quietFlags, rootFlag, typedCommand, withApp } from '../../cli/app';

export default class Stop extends BaseCommand {
  static override summary = 'Shut a running VM down (-F: halt it at once).';

  static override description = [
    'Clears autoboot, then shuts the VM down: its own shutdown (OS zones: shutdown -y -g 0 -i 5; lx: /sbin/shutdown -h now; HVM: zoneadm shutdown), halted by force after 60 s; -F halts it at once (zoneadm halt -X). Prints "Successfully completed stop for VM <uuid>" on standard error.',
    'A VM that is not running prints "VM <uuid> is already not \'running\' (currently: <state>)" and exit status 0. -t SECONDS (bhyve, KVM and docker VMs only, as in SmartOS; others: "Timeout option is only supported for bhyve, KVM and docker containers.", exit status 1) is how long to wait for the shutdown before halting. An unknown VM: "VM <uuid> not found", exit status 1.',
  ].join('\n\n');

  static override aliases = ['halt'];

  static override examples = [
    '<%= config.bin %> <%= command.id %> 5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11',
    '<%= config.bin %> <%= command.id %> -F 5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11',
  ];

  static override args = {
    uuid: Args.string({ description: 'The VM.' }),
  };

  static override flags = {
    force: Flags.boolean({ char: 'F', summary: 'Halt at once instead of shutting down.' }),
    timeout: Flags.integer({ char: 't', summary: 'Seconds to wait for the shutdown (bhyve, KVM and docker VMs).', helpValue: 'SECONDS' }),
    root: rootFlag,
    ...quietFlags,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Stop);
    const io = this.io;
    const uuid = checkUuidArg(args.uuid, typedCommand(io, 'stop', Stop.aliases));
    const done = await withApp(io, flags.root, true, (rt, app) => app.stopVmChange(rt, uuid, flags.force, flags.timeout));
    printSuccess(io, done.value, done);
  }
}
