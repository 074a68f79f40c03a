/** `vmadm receive` (alias `recv`): a VM from a vmadm send stream on standard input (docs/vmadm-cli.md §16.3). */
import { createReadStream } from 'node:fs';
import { BaseCommand } from '../../cli/base-command';
import { fileFlag } from '../../cli/flags';
import { printSuccess, quietFlags, rootFlag, withApp } from '../../cli/app';
import { UsageError } from '../../core/errors';

export default class Receive extends BaseCommand {
  static override summary = 'Create a VM from a vmadm send stream on standard input.';

  static override description = [
    'Reads a stream vmadm send wrote and creates the VM it holds in this state root, with the same uuid, stopped (as SmartOS does): its zone configured, its zone data received (illumos: zfs recv of its dataset; the embedded local host: the files of its zonepath), its zone installed, its record stored, its config and ipf files made from this root\'s rules. Prints "Successfully received VM <uuid>" on standard error.',
    'A uuid that is in use here: "VM with UUID <uuid> already exists", exit status 1. A stream that is cut short, changed (its checksum), or sent from the other kind of host is refused in one line, exit status 1; nothing is left of it: a receive that fails or is interrupted is undone, one that is killed is finished or undone by the next vmadm or fwadm command. -f FILE reads the stream from FILE.',
  ].join('\n\n');

  static override aliases = ['recv'];

  static override examples = ['ssh host1 vmadm send 5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11 | <%= config.bin %> <%= command.id %>'];

  static override flags = {
    file: fileFlag('the stream'),
    root: rootFlag,
    ...quietFlags,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Receive);
    const io = this.io;
    const fromStdin = flags.file === undefined || flags.file === '-';
    if (fromStdin && io.stdin.isTTY) throw new UsageError('Will not receive from stdin when stdin is a tty.');
    const input = fromStdin ? io.stdin : createReadStream(flags.file as string);
    const done = await withApp(io, flags.root, true, (rt, app) => app.receiveVm(rt, input));
    printSuccess(io, done.value, done);
  }
}
