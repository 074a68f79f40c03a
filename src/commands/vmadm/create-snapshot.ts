/** `vmadm create-snapshot <uuid> <snapname>`: a snapshot of a VM's data and record (docs/vmadm-cli.md §17). */
import { Args } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command';
import { printSuccess, quietFlags, rootFlag, withApp } from '../../cli/app';
import { snapshotArgs } from '../../cli/snapshot-args';

export default class CreateSnapshot extends BaseCommand {
  static override summary = "Take a snapshot of a VM: its data (the zone's dataset, or the zonepath) and its record.";

  static override description = [
    'As SmartOS does for OS VMs without delegated datasets and for bhyve VMs: on illumos a ZFS snapshot <zpool>/<uuid>@vmsnap-<snapname> of the zone\'s dataset (recursive for bhyve, so its disks are taken at the same instant); on the embedded local host a copy of the zonepath (less zonecfg/) under <root>/host/snapshots/<uuid>/. The VM\'s record keeps the snapshot, and its properties at that time, for rollback-snapshot; `vmadm get` lists it in "snapshots" as {"name", "created_at"}, oldest first. The VM may be running. Prints "Created snapshot <snapname> for VM <uuid>" on standard error.',
    'The snapname: 64 characters or fewer, letters, digits and the characters -_.:% (as ZFS takes them). Refused, exit status 1, nothing changed: a snapname that breaks that rule ("snapname: "<name>" is not a valid snapshot name: ..."), an unknown VM ("VM <uuid> not found"), a kvm VM or one with a delegated dataset, a snapname the VM already has. A missing or malformed uuid or snapname, or a word more: usage, exit status 2.',
  ].join('\n\n');

  static override strict = false;

  static override examples = ['<%= config.bin %> <%= command.id %> 5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11 before-upgrade'];

  static override args = {
    uuid: Args.string({ description: 'The VM.' }),
    snapname: Args.string({ description: 'The snapshot\'s name.' }),
  };

  static override flags = { root: rootFlag, ...quietFlags };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(CreateSnapshot);
    const { uuid, snapname } = snapshotArgs(argv as string[], 'create-snapshot');
    const done = await withApp(this.io, flags.root, true, (rt, app) => app.createSnapshotChange(rt, uuid, snapname));
    printSuccess(this.io, done.value, done);
  }
}
