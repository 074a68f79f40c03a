/** `fwadm add-rvm -f FILE`: add (or replace) remote VMs. */
import { Flags } from '@oclif/core';
import { readJsonInput } from '../../cli/input';
import { UsageError } from '../../core/errors';
import { remoteVmsFromPayload, validateRemoteVms } from '../../core/fw/remote-vms';
import { commonFlags, firewallModule, FwCommand, openFirewall, printChange } from './common';

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
    if (flags.file === undefined && process.stdin.isTTY) throw new UsageError('Must supply file!');
    const raws = remoteVmsFromPayload(await readJsonInput(flags.file));
    const env = openFirewall(flags.root);
    const fwm = firewallModule();
    await env.fw.withLock(async () => {
      const before = await fwm.loadSnapshot(env);
      const rvms = validateRemoteVms(raws, new Set(before.vms.map((vm) => vm.uuid)));
      const stored = new Map(before.remoteVms.map((r) => [r.uuid, r]));
      const changed = rvms.filter((r) => JSON.stringify(stored.get(r.uuid)) !== JSON.stringify(r));
      for (const r of changed) stored.set(r.uuid, r);
      const outcome = await fwm.applyFirewall(env, {
        before,
        after: { ...before, remoteVms: [...stored.values()] },
        storeChange: { putRemoteVms: changed },
        dryrun: flags.dryrun,
      });
      printChange('Added', { rules: [], remoteVms: changed.map((r) => r.uuid) }, outcome, flags);
    });
  }
}
