/** `vmadm delete-snapshot <uuid> <snapname>`: one of a VM's snapshots removed (docs/vmadm-cli.md §17). */
import { Args } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command';
import { printSuccess, quietFlags, rootFlag, withApp } from '../../cli/app';
import { snapshotArgs } from '../../cli/snapshot-args';

export default class DeleteSnapshot extends BaseCommand {
  static override summary = "Delete one of a VM's snapshots; it can no longer be rolled back to.";

  static override description = [
    'Destroys the snapshot (illumos: zfs destroy <zpool>/<uuid>@vmsnap-<snapname>, with -r for a bhyve VM; the embedded local host: its copy under <root>/host/snapshots/<uuid>/) and removes it from the VM\'s record. It cannot be undone. Prints "Deleted snapshot <snapname> for VM <uuid>" on standard error. vmadm delete removes a VM\'s snapshots with it.',
    'Refused, exit status 1, nothing changed: an invalid snapname, an unknown VM ("VM <uuid> not found"), a kvm VM or one with a delegated dataset, a snapname the VM has no snapshot of ("VM <uuid> has no snapshot "<snapname>""). A missing or malformed uuid or snapname, or a word more: usage, exit status 2.',
  ].join('\n\n');

  static override strict = false;

  static override examples = ['<%= config.bin %> <%= command.id %> 5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11 before-upgrade'];

  static override args = {
    uuid: Args.string({ description: 'The VM.' }),
    snapname: Args.string({ description: 'The snapshot\'s name.' }),
  };

  static override flags = { root: rootFlag, ...quietFlags };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(DeleteSnapshot);
    const { uuid, snapname } = snapshotArgs(argv as string[], 'delete-snapshot');
    const done = await withApp(this.io, flags.root, true, (rt, app) => app.deleteSnapshotChange(rt, uuid, snapname));
    printSuccess(this.io, done.value, done);
  }
}
