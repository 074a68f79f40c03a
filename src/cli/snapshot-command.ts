/**
 * The three snapshot commands, `vmadm create-snapshot|rollback-snapshot|
 * delete-snapshot <uuid> <snapname>` (docs/vmadm-cli.md §17): one shape,
 * thin adapters over the application layer. Usage errors (exit 2): a
 * missing or malformed uuid (`Invalid or missing UUID for <command>`, as
 * every vmadm command says it), then anything but one snapname after it
 * (`Wrong number of parameters to "<command>"`, SmartOS's words). The
 * snapname's own rules are checked with the VM (core/vm/snapshots.ts,
 * exit 1).
 */
import { Args } from '@oclif/core';
import type { Completed, Runtime } from '../app';
import { UsageError } from '../core/errors';
import { BaseCommand } from './base-command';
import { checkUuidArg, printSuccess, quietFlags, rootFlag, withApp, type App } from './app';

export function snapshotArgs(argv: readonly string[], command: string): { uuid: string; snapname: string } {
  const [given, ...rest] = argv;
  const uuid = checkUuidArg(given, command);
  if (rest.length !== 1) throw new UsageError(`Wrong number of parameters to "${command}"`);
  return { uuid, snapname: rest[0] };
}

/** A snapshot command: its id, help, and the change it makes (which gives the success line). */
export function snapshotCommand(
  id: string,
  help: { summary: string; description: string[] },
  change: (app: App, rt: Runtime, uuid: string, snapname: string) => Promise<Completed<string>>,
): typeof BaseCommand {
  return class SnapshotCommand extends BaseCommand {
    static override summary = help.summary;
    static override description = help.description.join('\n\n');
    static override strict = false;
    static override examples = [`<%= config.bin %> <%= command.id %> 5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11 before-upgrade`];
    static override args = {
      uuid: Args.string({ description: 'The VM.' }),
      snapname: Args.string({ description: "The snapshot's name." }),
    };
    static override flags = { root: rootFlag, ...quietFlags };

    async run(): Promise<void> {
      const { argv, flags } = await this.parse(SnapshotCommand);
      const { uuid, snapname } = snapshotArgs(argv as string[], id);
      const done = await withApp(this.io, flags.root, true, (rt, app) => change(app, rt, uuid, snapname));
      printSuccess(this.io, done.value, done);
    }
  };
}
