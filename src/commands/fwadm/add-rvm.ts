/** `fwadm add-rvm -f FILE`: add (or replace) remote VMs. */
import { Flags } from '@oclif/core';
import { withApp } from '../../cli/app';
import { readJsonInput } from '../../cli/input';
import { UsageError } from '../../core/errors';
import { remoteVmsFromPayload, validateRemoteVms } from '../../core/fw/remote-vms';
import { commonFlags, FwCommand, printChange } from './common';

export default class AddRvm extends FwCommand {
  static override summary = 'Add remote VMs (VMs on other hosts that rules name).';

  static override description = [
    'Reads one remote VM object, or {"remoteVMs": [...]}, from -f FILE or standard input: uuid, ips and/or nics (each NIC\'s ips, /prefix stripped; dhcp and addrconf ignored), tags, owner_uuid; anything else is dropped, so "vmadm get" output from another host is valid input. A remote VM with the uuid of a local VM is refused. The files of the firewall-enabled VMs whose rules now name it are rewritten.',
    'Prints "Added remote VMs:" and their uuids (-j: {"vms", "rules", "remoteVMs"}).',
  ].join('\n\n');

  static override examples = [
    'echo \'{"uuid": "c1d2e3f4-1111-4222-8333-444455556666", "ips": ["203.0.113.7", "2001:db8::7"], "tags": {"role": "db"}}\' | <%= config.bin %> <%= command.id %> --root examples/fwadm/state --dryrun',
  ];

  static override strict = false;

  static override flags = {
    file: Flags.string({ char: 'f', summary: 'Read the remote VMs from FILE ("-": stdin).', helpValue: 'FILE' }),
    ...commonFlags,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(AddRvm);
    const io = this.io;
    if (flags.file === undefined && io.stdin.isTTY) throw new UsageError('Must supply file!');
    const raws = remoteVmsFromPayload(await readJsonInput(io, flags.file));
    const done = await withApp(io, flags.root, true, (rt, app) =>
      app.changeRules(
        rt,
        'fwadm add-rvm',
        (stored) => {
          const rvms = validateRemoteVms(raws, new Set(stored.vms.map((vm) => vm.uuid)));
          const kept = new Map(stored.remoteVms.map((r) => [r.uuid, r]));
          const changed = rvms.filter((r) => JSON.stringify(kept.get(r.uuid)) !== JSON.stringify(r));
          for (const r of changed) kept.set(r.uuid, r);
          return { rules: stored.rules, remoteVms: [...kept.values()], putRules: [], deleteRules: [], putRemoteVms: changed, deleteRemoteVms: [] };
        },
        { dryrun: flags.dryrun, isNoop: () => false },
      ),
    );
    printChange(io, 'Added', { rules: [], remoteVms: done.value.plan.putRemoteVms.map((r) => r.uuid) }, done, flags);
  }
}
