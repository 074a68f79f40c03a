/** `fwadm rvm-rules <rvm uuid>`: the rules that name a remote VM. */
import { Args } from '@oclif/core';
import { vmRules } from '../../core/fw/affected';
import { findRemoteVm, remoteVmToFwVm } from '../../core/fw/remote-vms';
import { withApp } from '../../cli/app';
import { checkUuid, commonFlags, FwCommand } from './common';
import { printRules, tableFlags, tableOptions } from './table';

export default class RvmRules extends FwCommand {
  static override summary = 'List the rules that name a remote VM.';

  static override description =
    'The rules (enabled or not) whose FROM or TO side names the remote VM (by vm, tag or all vms), as the list table (-o, -p, -d, -H, -j as in list). An unknown remote VM: Unknown remote VM "<uuid>", exit status 1.';

  static override examples = ['<%= config.bin %> <%= command.id %> --root examples/fwadm/state b1c2d3e4-1111-4222-8333-444455556666'];

  static override strict = false;

  static override args = { uuid: Args.string({ description: 'The remote VM.', ignoreStdin: true }) };

  static override flags = { ...tableFlags, ...commonFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(RvmRules);
    const uuid = checkUuid(args.uuid);
    const fields = tableOptions(flags);
    const snap = await withApp(this.io, flags.root, false, (rt, app) => app.readRules(rt));
    const rvm = findRemoteVm(new Map(snap.remoteVms.map((r) => [r.uuid, r])), uuid);
    printRules(this.io, vmRules(snap.rules, remoteVmToFwVm(rvm)), flags, fields);
  }
}
