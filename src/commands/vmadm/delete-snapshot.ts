/** `vmadm delete-snapshot <uuid> <snapname>`: one of a VM's snapshots removed (docs/vmadm-cli.md §17). */
import { snapshotCommand } from '../../cli/snapshot-command';

export default snapshotCommand(
  'delete-snapshot',
  {
    summary: "Delete one of a VM's snapshots; it can no longer be rolled back to.",
    description: [
      'Destroys the snapshot (illumos: zfs destroy <zpool>/<uuid>@vmsnap-<snapname>, with -r for a bhyve VM; the embedded local host: its copy under <root>/host/snapshots/<uuid>/) and removes it from the VM\'s record. It cannot be undone. Prints "Deleted snapshot <snapname> for VM <uuid>" on standard error. vmadm delete removes a VM\'s snapshots with it.',
      'Refused, exit status 1, nothing changed: an invalid snapname, an unknown VM ("VM <uuid> not found"), a kvm VM or one with a delegated dataset, a snapname the VM has no snapshot of ("VM <uuid> has no snapshot "<snapname>""). A missing or malformed uuid or snapname, or a word more: usage, exit status 2.',
    ],
  },
  (app, rt, uuid, snapname) => app.deleteSnapshotChange(rt, uuid, snapname),
);
