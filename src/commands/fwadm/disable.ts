/** `fwadm disable <rule uuid...>`. */
import { UsageError } from '../../core/errors';
import { planEnable } from '../../core/fw/rules';
import { wordsOf, commonFlags, FwCommand, ruleDeps } from './common';
import { runRuleState } from './rule-state';

export default class Disable extends FwCommand {
  static override summary = 'Disable rules by uuid.';

  static override description = [
    'Every uuid is checked before anything is written: one unknown uuid ("Unknown rule: <uuid>", exit status 1) and nothing changes, even when the others are valid. The ipf files of the firewall-enabled VMs whose rules change are rewritten and reloaded.',
    'Prints "Disabled rules:" and the rules that were enabled (rules already disabled are left as they are). Without arguments: "Must specify rules to enable!" (as SmartOS says), exit status 2.',
  ].join('\n\n');

  static override strict = false;

  static override examples = [
    '<%= config.bin %> <%= command.id %> --root examples/fwadm/state --dryrun 0a1b2c3d-1111-4222-8333-444455556666',
    '<%= config.bin %> <%= command.id %> --root examples/fwadm/state --dryrun -j 0a1b2c3d-1111-4222-8333-444455556666 9f8e7d6c-1111-4222-8333-444455556666',
  ];

  static override flags = commonFlags;

  async run(): Promise<void> {
    const parsed = await this.parse(Disable);
    const { flags } = parsed;
    const argv = wordsOf(parsed);
    const uuids = argv as string[];
    if (uuids.length === 0) {
      throw new UsageError('Must specify rules to enable!');
    }
    await runRuleState(this.io, 'Disabled', uuids, flags, (rules, uuids) => planEnable(rules, uuids, false, ruleDeps()));
  }
}
