/** `vmadm create`: a VM from a JSON payload. */
import { BaseCommand } from '../../cli/base-command';
import { fileFlag } from '../../cli/flags';
import { readPayloadObject } from '../../cli/payload';
import { printValidation } from '../../cli/validation-output';
import { printNotes, printSuccess, quietFlags, rootFlag, withApp } from '../../cli/app';

export default class Create extends BaseCommand {
  static override summary = 'Create a VM from a JSON payload.';

  static override description = [
    'Reads a vmadm create payload (JSON) from FILE or standard input, checks it exactly as "vmadm validate create" does (brand defaulting to joyent), applies the defaults of the brand, and creates the VM: zonecfg, zoneadm install, its record and config files, and a boot when autoboot is true (the default).',
    'Prints "Successfully created VM <uuid>" on standard error, then one "note:" line for each property that was dropped (unknown or not for the brand) or stored in another form than given. An invalid payload prints the report validate prints and exit status 1; a UUID already in use, a MAC another VM holds or a host command that fails is one line and exit status 1. Nothing is left behind when a create fails.',
  ].join('\n\n');

  static override examples = [
    '<%= config.bin %> <%= command.id %> -f examples/vms/dual-stack-web.json',
    'cat examples/vms/lx-dhcp.json | <%= config.bin %> <%= command.id %>',
  ];

  static override flags = {
    file: fileFlag('the payload'),
    root: rootFlag,
    ...quietFlags,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Create);
    const io = this.io;
    const payload = await readPayloadObject(io, flags.file, 'a create payload', 'create');
    const done = await withApp(io, flags.root, true, (rt, app) => app.createVmChange(rt, payload));
    const outcome = done.value;
    if (!outcome.ok) {
      io.exitCode = printValidation(io, outcome.result, false, '');
      printNotes(io, [...outcome.notes, ...done.notes]);
      return;
    }
    printSuccess(io, `Successfully created VM ${outcome.record.uuid}`, done, outcome.notes);
  }
}
