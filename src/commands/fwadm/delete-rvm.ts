/** `fwadm delete-rvm <rvm uuid...>`. */
import { withApp } from '../../cli/app';
import { knownRemoteVms } from '../../core/fw/remote-vms';
import { wordsOf, checkUuids, commonFlags, FwCommand, printChange } from './common';

export default class DeleteRvm extends FwCommand {
  static override summary = 'Delete remote VMs by uuid.';

  static override description = [
    'Every uuid is checked first: one unknown (Unknown remote VM "<uuid>", exit status 1) and nothing changes. The files of the firewall-enabled VMs whose rules named them are rewritten.',
    'Prints "Deleted remote VMs:" and their uuids. Without arguments: "Must specify remote VMs to delete!", exit status 0.',
  ].join('\n\n');

  static override strict = false;

  static override examples = ['<%= config.bin %> <%= command.id %> --root examples/fwadm/state --dryrun b1c2d3e4-1111-4222-8333-444455556666'];

  static override flags = commonFlags;

  async run(): Promise<void> {
    const parsed = await this.parse(DeleteRvm);
    const { flags } = parsed;
    const io = this.io;
    const argv = wordsOf(parsed);
    if (argv.length === 0) {
      io.stderr.write('Must specify remote VMs to delete!\n');
      return;
    }
    const uuids = checkUuids(argv as string[]);
    const done = await withApp(io, flags.root, true, (rt, app) =>
      app.changeRules(
        rt,
        'fwadm delete-rvm',
        (stored) => {
          const kept = new Map(stored.remoteVms.map((r) => [r.uuid, r]));
          const gone = knownRemoteVms(kept, uuids);
          for (const r of gone) kept.delete(r.uuid);
          return { rules: stored.rules, remoteVms: [...kept.values()], putRules: [], deleteRules: [], putRemoteVms: [], deleteRemoteVms: gone.map((r) => r.uuid) };
        },
        { dryrun: flags.dryrun, isNoop: () => false },
      ),
    );
    printChange(io, 'Deleted', { rules: [], remoteVms: done.value.plan.deleteRemoteVms }, done, flags);
  }
}
