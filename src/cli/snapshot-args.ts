/**
 * The words of `vmadm create-snapshot|rollback-snapshot|delete-snapshot
 * <uuid> <snapname>` (docs/vmadm-cli.md §17): usage errors (exit 2) for a
 * missing or malformed uuid (`Invalid or missing UUID for <command>`, as
 * every vmadm command says it), a missing snapname (`Missing snapname for
 * <command>`) and a word more (`Too many arguments.`). The snapname's own
 * rules are checked with the VM (core/vm/snapshots.ts, exit 1).
 */
import { UsageError } from '../core/errors';
import { checkUuidArg } from './app';

export function snapshotArgs(argv: readonly string[], command: string): { uuid: string; snapname: string } {
  const [given, snapname, ...more] = argv;
  const uuid = checkUuidArg(given, command);
  if (snapname === undefined || snapname === '') throw new UsageError(`Missing snapname for ${command}`);
  if (more.length > 0) throw new UsageError('Too many arguments.');
  return { uuid, snapname };
}
