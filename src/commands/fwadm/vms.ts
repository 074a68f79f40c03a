/** `fwadm vms <rule uuid>`: the local VMs a rule applies to. */
import { Args } from '@oclif/core';
import { printJson } from '../../cli/output';
import { ruleVms } from '../../core/fw/affected';
import { findRule } from '../../core/fw/rules';
import { withApp } from '../../cli/app';
import { checkUuid, commonFlags, FwCommand } from './common';

export default class Vms extends FwCommand {
  static override summary = 'List the VMs on this host a rule applies to.';

  static override description =
    'The uuids of the local VMs (firewall enabled or not) the rule names on its FROM or TO side, sorted, one per line; none: one empty line. -j: a JSON array. An unknown rule: Unknown rule "<uuid>", exit status 1.';

  static override examples = ['<%= config.bin %> <%= command.id %> --root examples/fwadm/state 0a1b2c3d-1111-4222-8333-444455556666'];

  static override strict = false;

  static override args = { uuid: Args.string({ description: 'The rule.', ignoreStdin: true }) };

  static override flags = commonFlags;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Vms);
    const uuid = checkUuid(args.uuid);
    const uuids = await withApp(this.io, flags.root, false, async (rt, app) => {
      const snap = await app.readState(rt);
      return ruleVms(app.compileInputOf(snap), findRule(snap.rules, uuid));
    });
    if (flags.json) printJson(this.io, uuids);
    else this.io.stdout.write(uuids.join('\n') + '\n');
  }
}
