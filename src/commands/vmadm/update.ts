/** `vmadm update`: change a VM from a JSON payload or key=value pairs. */
import { Args } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command';
import { fileFlag } from '../../cli/flags';
import { readPayloadObject } from '../../cli/payload';
import { printValidation } from '../../cli/validation-output';
import { checkUuidArg, printNotes, printSuccess, quietFlags, rootFlag, withApp } from '../../cli/app';
import { payloadFromKeyValues } from '../../core/vm/update';

export default class Update extends BaseCommand {
  static override summary = 'Change a VM: properties, tags, metadata, routes, NICs, disks and filesystems.';

  static override description = [
    'Reads an update payload (JSON) from FILE or standard input, or takes key=value pairs after the UUID (the pairs win over -f). The payload is checked exactly as "vmadm validate update <brand>" checks it, then applied: plain properties ("" or null unsets), set_tags/remove_tags and the same for customer_metadata, internal_metadata and routes (remove_* first), add_nics, update_nics (by mac), remove_nics (by MAC; removing the primary makes another NIC primary), add_disks, update_disks (by path; a size only grows) and remove_disks (paths) of a stopped kvm or bhyve VM, add_filesystems, update_filesystems (by target) and remove_filesystems (targets) of an OS VM. The VM that results is then checked as vmadm create checks a VM, and a problem is reported as validate reports it, named by the payload key that brings it (update_nics.0.gateways); nothing is changed.',
    'Key=value values are converted by the property\'s type: true/false for booleans, integers, comma-separated lists for lists of strings (resolvers, remove_nics, ...), JSON for objects and lists of objects (set_tags=\'{"role":"db"}\').',
    'Prints "Successfully updated VM <uuid>" on standard error, then a "note:" line for each property dropped or stored in another form; "VM <uuid> unchanged" when nothing changes (nothing is rewritten). An invalid payload prints the validate report, exit status 1, and changes nothing. An unknown VM: "VM <uuid> not found", exit status 1.',
  ].join('\n\n');

  static override strict = false;

  static override examples = [
    '<%= config.bin %> <%= command.id %> 5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11 -f examples/vms/update-add-nic.json',
    '<%= config.bin %> <%= command.id %> 5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11 alias=web02 quota=30 resolvers=10.0.0.53,2001:db8::53',
    'echo \'{"set_tags": {"role": "db"}, "remove_tags": ["env"]}\' | <%= config.bin %> <%= command.id %> 5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11',
  ];

  static override args = {
    uuid: Args.string({ description: 'The VM.' }),
  };

  static override flags = {
    file: fileFlag('the payload'),
    root: rootFlag,
    ...quietFlags,
  };

  async run(): Promise<void> {
    const { args, argv, flags } = await this.parse(Update);
    const uuid = checkUuidArg(args.uuid, 'update');
    const pairs = (argv as string[]).slice(1);
    const io = this.io;
    const payload = pairs.length > 0 ? payloadFromKeyValues(pairs) : await readPayloadObject(io, flags.file, 'an update payload', 'update');
    const done = await withApp(io, flags.root, true, (rt, app) => app.updateVmChange(rt, uuid, payload));
    const outcome = done.value;
    if (!outcome.ok) {
      io.exitCode = printValidation(io, outcome.result, false, '');
      printNotes(io, [...outcome.notes, ...done.notes]);
      return;
    }
    const line = outcome.changed ? `Successfully updated VM ${outcome.record.uuid}` : `VM ${outcome.record.uuid} unchanged`;
    printSuccess(io, line, done, outcome.notes);
  }
}
