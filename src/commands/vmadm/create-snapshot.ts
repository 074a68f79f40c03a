/** `vmadm create-snapshot <uuid> <snapname>`: a snapshot of a VM's data and record (docs/vmadm-cli.md §17). */
import { snapshotCommand } from '../../cli/snapshot-command';

export default snapshotCommand(
  'create-snapshot',
  {
    summary: "Take a snapshot of a VM: its data (the zone's dataset, or the zonepath) and its record.",
    description: [
      'As SmartOS does for OS VMs without delegated datasets and for bhyve VMs: on illumos a ZFS snapshot <zpool>/<uuid>@vmsnap-<snapname> of the zone\'s dataset (recursive for bhyve, so its disks are taken at the same instant); on the embedded local host a copy of the zonepath (less zonecfg/) under <root>/host/snapshots/<uuid>/. The VM\'s record keeps the snapshot, and its properties at that time, for rollback-snapshot; `vmadm get` lists it in "snapshots" as {"name", "created_at"}, oldest first. The VM may be running. Prints "Created snapshot <snapname> for VM <uuid>" on standard error.',
      'The snapname: 64 characters or fewer, letters, digits and the characters -_.:% (as ZFS takes them). Refused, exit status 1, nothing changed: a snapname that breaks that rule ("snapname: "<name>" is not a valid snapshot name: ..."), an unknown VM ("VM <uuid> not found"), a kvm VM or one with a delegated dataset, a snapname the VM already has. A missing or malformed uuid or snapname, or a word more: usage, exit status 2.',
    ],
  },
  (app, rt, uuid, snapname) => app.createSnapshotChange(rt, uuid, snapname),
);
