/** `vmadm rollback-snapshot <uuid> <snapname>`: a VM back to one of its snapshots (docs/vmadm-cli.md §17). */
import { snapshotCommand } from '../../cli/snapshot-command';

export default snapshotCommand(
  'rollback-snapshot',
  {
    summary: 'Roll a VM back to one of its snapshots: its data and its record as they were then.',
    description: [
      'As SmartOS does: a running VM is halted first (forced) and booted again after; its data is rolled back to the snapshot (illumos: zfs rollback -r <zpool>/<uuid>@vmsnap-<snapname>, of each of a bhyve VM\'s datasets that has it; the embedded local host: the zonepath, less zonecfg/, replaced by the snapshot\'s copy), and the snapshots taken after it are destroyed, as zfs rollback -r destroys them. Its record goes back to the snapshot\'s too (its alias, tags, metadata, NICs, quota, ...: every property but its uuid, zonepath, zpool, state and autoboot), its zone configured as that record says and its config and ipf files made again from it. Prints "Rolled back snapshot <snapname> for VM <uuid>" on standard error.',
      'Refused, exit status 1, nothing changed: an invalid snapname, an unknown VM ("VM <uuid> not found"), a kvm VM or one with a delegated dataset, a snapname the VM has no snapshot of ("VM <uuid> has no snapshot "<snapname>""), a VM neither running nor stopped, a snapshot whose record holds a MAC or address another VM has taken since ("Conflict detected with another vm, ..."), a VM whose disks were added, removed or resized since the snapshot. A missing or malformed uuid or snapname, or a word more: usage, exit status 2. A rollback killed half-way is finished by the next vmadm or fwadm command (or undone, if the VM had not yet been halted).',
    ],
  },
  (app, rt, uuid, snapname) => app.rollbackSnapshotChange(rt, uuid, snapname),
);
