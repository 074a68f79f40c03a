/** `vmadm delete` (alias `destroy`): remove a VM and its zone. */
import { Args } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command';
import { checkUuidArg, printSuccess, quietFlags, rootFlag, typedCommand, withApp } from '../../cli/app';

export default class Delete extends BaseCommand {
  static override summary = 'Delete a VM: halt it, uninstall and remove its zone, its record and its files.';

  static override description = [
    'Clears autoboot, halts the VM when it runs, uninstalls its zone (zoneadm uninstall), deletes the zone configuration (zonecfg delete) and removes its record and config files. Prints "Successfully deleted VM <uuid>" on standard error.',
    'A VM with indestructible_zoneroot or indestructible_delegated set is refused: "Failed to delete VM <uuid>: indestructible_zoneroot is set, cannot delete". An unknown VM: "VM <uuid> not found", exit status 1.',
  ].join('\n\n');

  static override aliases = ['destroy'];

  static override examples = ['<%= config.bin %> <%= command.id %> 5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11'];

  static override args = {
    uuid: Args.string({ description: 'The VM.' }),
  };

  static override flags = { root: rootFlag, ...quietFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Delete);
    const io = this.io;
    const uuid = checkUuidArg(args.uuid, typedCommand(io, 'delete', Delete.aliases));
    const done = await withApp(io, flags.root, true, (rt, app) => app.deleteVmChange(rt, uuid));
    printSuccess(io, `Successfully deleted VM ${done.value}`, done);
  }
}
