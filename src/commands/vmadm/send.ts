/** `vmadm send <uuid>`: the VM as a stream on standard output, for vmadm receive (docs/vmadm-cli.md §16.3). */
import { Args } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command';
import { checkUuidArg, printSuccess, quietFlags, rootFlag, withApp } from '../../cli/app';
import { AppError } from '../../core/errors';

export default class Send extends BaseCommand {
  static override summary = 'Write a VM (its record, config and zone data) to standard output, for vmadm receive.';

  static override description = [
    'Writes the VM as a stream on standard output: its record, then its zone data (on illumos its dataset, as zfs send -p writes it; on the embedded local host the files of its zonepath). As SmartOS does, a running VM is stopped first (autoboot cleared) and stays stopped. Prints "Successfully sent VM <uuid>" on standard error once the stream is written. Pipe it to vmadm receive on another state root or host, where the VM arrives stopped.',
    'Standard output a terminal: "Cannot send VM to a TTY.", exit status 1, nothing done. An unknown VM: "VM <uuid> not found", exit status 1. The state root\'s other changes wait until the stream is written. Interrupted while writing, the stream is cut short (a receive of it is undone) and the command exits 130, 143 or 129.',
  ].join('\n\n');

  static override strict = false;

  static override examples = ['<%= config.bin %> <%= command.id %> 5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11 | ssh host2 vmadm receive'];

  static override args = {
    uuid: Args.string({ description: 'The VM.' }),
  };

  static override flags = { root: rootFlag, ...quietFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Send);
    const io = this.io;
    const uuid = checkUuidArg(args.uuid, 'send');
    if ((io.stdout as { isTTY?: boolean }).isTTY) throw new AppError('Cannot send VM to a TTY.');
    // until the stream is whole, a reader that goes away (EPIPE) ends the command as a failure
    io.exitCode = 1;
    const done = await withApp(io, flags.root, true, (rt, app) => app.sendVm(rt, uuid, io.stdout));
    io.exitCode = undefined;
    printSuccess(io, done.value, done);
  }
}
