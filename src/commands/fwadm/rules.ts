/** `fwadm rules <vm uuid>`: the rules that apply to a local VM. */
import { Args } from '@oclif/core';
import { vmRules } from '../../core/fw/affected';
import { firewallVm } from '../../core/vm/firewall';
import { withApp } from '../../cli/app';
import { checkUuid, commonFlags, FwCommand } from './common';
import { printRules, tableFlags, tableOptions } from './table';

export default class Rules extends FwCommand {
  static override summary = 'List the rules that apply to a VM on this host.';

  static override description =
    'The rules (enabled or not) whose FROM or TO side names the VM (by vm, tag or all vms, owner scoping applied), as the list table (-o, -p, -d, -H, -j as in list). An unknown VM prints nothing.';

  static override examples = ['<%= config.bin %> <%= command.id %> --root examples/fwadm/state 5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11'];

  static override strict = false;

  static override args = { uuid: Args.string({ description: 'The VM.', ignoreStdin: true }) };

  static override flags = { ...tableFlags, ...commonFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Rules);
    const uuid = checkUuid(args.uuid);
    const fields = tableOptions(flags);
    const found = await withApp(this.io, flags.root, false, async (rt, app) => {
      const vm = rt.vms.get(uuid);
      return vm === undefined ? [] : vmRules((await app.readRules(rt)).rules, firewallVm(vm));
    });
    printRules(this.io, found, flags, fields);
  }
}
