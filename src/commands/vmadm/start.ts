/** `vmadm start` (alias `boot`): boot a stopped VM. */
import { Args } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command';
import { checkUuidArg, printSuccess, quietFlags, rootFlag, typedCommand, withApp } from '../../cli/app';
import { UsageError } from '../../core/errors';

const DISK_MODELS = ['virtio', 'ide', 'scsi', 'nvme', 'ahci'];

/** SmartOS's start arguments: order=, disk=path,model, cdrom=path,model (they matter for HVM VMs only). */
function checkStartArgs(args: readonly string[]): void {
  let order = false;
  for (const arg of args) {
    const eq = arg.indexOf('=');
    const key = eq < 0 ? arg : arg.slice(0, eq);
    const value = eq < 0 ? '' : arg.slice(eq + 1);
    if (key === 'order') {
      if (order) throw new UsageError("You can only specify 'order' once when starting a VM");
      order = true;
    } else if (key === 'disk' || key === 'cdrom') {
      const [p, model] = value.split(',');
      if (!p || !model) throw new UsageError(`Parameter to ${key} must be: path,model`);
      if (!DISK_MODELS.includes(model)) throw new UsageError(`Invalid model "${model}": model must be one of: ${DISK_MODELS.join(',')}`);
    } else {
      throw new UsageError(`Invalid argument to start: ${key}`);
    }
  }
}

export default class Start extends BaseCommand {
  static override summary = 'Boot a stopped VM.';

  static override description = [
    'Boots the VM\'s zone and sets autoboot, so it boots with the host. Prints "Successfully started VM <uuid>" on standard error.',
    'A VM already running prints "Unable to start VM <uuid>: VM <uuid> is already \'running\'" and exit status 0; a VM in any state other than stopped: "Unable to start VM <uuid>: Cannot start vm from state "<state>", must be "stopped"." and exit status 1. An unknown VM: "VM <uuid> not found", exit status 1.',
    'order=, disk=path,model and cdrom=path,model are accepted as SmartOS accepts them (they matter for HVM VMs on a real host only).',
  ].join('\n\n');

  static override aliases = ['boot'];

  static override strict = false;

  static override examples = ['<%= config.bin %> <%= command.id %> 5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11'];

  static override args = {
    uuid: Args.string({ description: 'The VM.' }),
  };

  static override flags = { root: rootFlag, ...quietFlags };

  async run(): Promise<void> {
    const { args, argv, flags } = await this.parse(Start);
    const io = this.io;
    const uuid = checkUuidArg(args.uuid, typedCommand(io, 'start', Start.aliases));
    checkStartArgs((argv as string[]).slice(1));
    const done = await withApp(io, flags.root, true, (rt, app) => app.startVmChange(rt, uuid));
    printSuccess(io, done.value, done);
  }
}
