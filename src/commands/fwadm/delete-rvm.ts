/** `fwadm delete-rvm <rvm uuid...>`. */
import { knownRemoteVms } from '../../core/fw/remote-vms';
import { wordsOf, checkUuids, commonFlags, firewallModule, FwCommand, openFirewall, printChange } from './common';

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
    const argv = wordsOf(parsed);
    if (argv.length === 0) {
      process.stderr.write('Must specify remote VMs to delete!\n');
      return;
    }
    const uuids = checkUuids(argv as string[]);
    const env = openFirewall(flags.root);
    const fwm = firewallModule();
    await env.fw.withLock(async () => {
      const before = await fwm.loadSnapshot(env);
      const stored = new Map(before.remoteVms.map((r) => [r.uuid, r]));
      const gone = knownRemoteVms(stored, uuids);
      for (const r of gone) stored.delete(r.uuid);
      const outcome = await fwm.applyFirewall(env, {
        before,
        after: { ...before, remoteVms: [...stored.values()] },
        storeChange: { deleteRemoteVms: gone.map((r) => r.uuid) },
        dryrun: flags.dryrun,
      });
      printChange('Deleted', { rules: [], remoteVms: gone.map((r) => r.uuid) }, outcome, flags);
    });
  }
}
