/** `vmadm rollback-snapshot <uuid> <snapname>`: a VM back to one of its snapshots (docs/vmadm-cli.md §17). */
import { Args } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command';
import { printSuccess, quietFlags, rootFlag, withApp } from '../../cli/app';
import { snapshotArgs } from '../../cli/snapshot-args';

export default class RollbackSnapshot extends BaseCommand {
  static override summary = 'Roll a VM back to one of its snapshots: its data and its record as they were then.';

  static override description = [
    'As SmartOS does: a running VM is halted first (forced) and booted again after; its data is rolled back to the snapshot (illumos: zfs rollback -r <zpool>/<uuid>@vmsnap-<snapname>, of each of a bhyve VM\'s datasets that has it; the embedded local host: the zonepath, less zonecfg/, replaced by the snapshot\'s copy), and the snapshots taken after it are destroyed, as zfs rollback -r destroys them. Its record goes back to the snapshot\'s too (its alias, tags, metadata, NICs, quota, ...: every property but its uuid, zonepath, zpool, state and autoboot), its zone configured as that record says and its config and ipf files made again from it. Prints "Rolled back snapshot <snapname> for VM <uuid>" on standard error.',
    'Refused, exit status 1, nothing changed: an invalid snapname, an unknown VM ("VM <uuid> not found"), a kvm VM or one with a delegated dataset, a snapname the VM has no snapshot of ("VM <uuid> has no snapshot "<snapname>""), a VM neither running nor stopped, a snapshot whose record holds a MAC or address another VM has taken since ("Conflict detected with another vm, ..."). A missing or malformed uuid or snapname, or a word more: usage, exit status 2. A rollback killed half-way is finished by the next vmadm or fwadm command (or undone, if the VM had not yet been halted).',
  ].join('\n\n');

  static override strict = false;

  static override examples = ['<%= config.bin %> <%= command.id %> 5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11 before-upgrade'];

  static override args = {
    uuid: Args.string({ description: 'The VM.' }),
    snapname: Args.string({ description: 'The snapshot\'s name.' }),
  };

  static override flags = { root: rootFlag, ...quietFlags };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(RollbackSnapshot);
    const { uuid, snapname } = snapshotArgs(argv as string[], 'rollback-snapshot');
    const done = await withApp(this.io, flags.root, true, (rt, app) => app.rollbackSnapshotChange(rt, uuid, snapname));
    printSuccess(this.io, done.value, done);
  }
}
