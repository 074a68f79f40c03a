/** `fwadm get <rule uuid>`: one rule as JSON. */
import { Args } from '@oclif/core';
import { printJson } from '../../cli/output';
import { findRule, ruleToJson } from '../../core/fw/rules';
import { withApp } from '../../cli/app';
import { checkUuid, commonFlags, FwCommand } from './common';

export default class Get extends FwCommand {
  static override summary = 'Show one rule as JSON.';

  static override description =
    'Prints the stored rule object (2-space JSON; keys created_by, description, enabled, global, log, owner_uuid, rule, uuid, version, optional ones only when set; rule in canonical text). An unknown uuid: Unknown rule "<uuid>", exit status 1.';

  static override examples = ['<%= config.bin %> <%= command.id %> --root examples/fwadm/state 0a1b2c3d-1111-4222-8333-444455556666'];

  static override strict = false;

  static override args = { uuid: Args.string({ description: 'The rule.', ignoreStdin: true }) };

  static override flags = commonFlags;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Get);
    const uuid = checkUuid(args.uuid);
    const { rules } = await withApp(this.io, flags.root, false, (rt, app) => app.readRules(rt));
    printJson(this.io, ruleToJson(findRule(rules, uuid)));
  }
}
