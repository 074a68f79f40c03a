/** `fwadm delete <rule uuid...>`. */

import { planDelete } from '../../core/fw/rules';
import { wordsOf, commonFlags, FwCommand } from './common';
import { runRuleState } from './rule-state';

export default class Delete extends FwCommand {
  static override summary = 'Delete rules by uuid.';

  static override description = [
    'Every uuid is checked before anything is written: one unknown uuid ("Unknown rule: <uuid>", exit status 1) and nothing changes, even when the others are valid. The ipf files of the firewall-enabled VMs whose rules change are rewritten and reloaded.',
    'The rules are removed and the files of every firewall-enabled VM they touched are rewritten. Prints "Deleted rules:" and the rules. Without arguments: "Must specify rules to delete!", exit status 0.',
  ].join('\n\n');

  static override strict = false;

  static override examples = [
    '<%= config.bin %> <%= command.id %> --root examples/fwadm/state --dryrun 0a1b2c3d-1111-4222-8333-444455556666',
    '<%= config.bin %> <%= command.id %> --root examples/fwadm/state --dryrun -j 0a1b2c3d-1111-4222-8333-444455556666 9f8e7d6c-1111-4222-8333-444455556666',
  ];

  static override flags = commonFlags;

  async run(): Promise<void> {
    const parsed = await this.parse(Delete);
    const { flags } = parsed;
    const argv = wordsOf(parsed);
    const uuids = argv as string[];
    if (uuids.length === 0) {
      this.io.stderr.write('Must specify rules to delete!\n');
      return;
    }
    await runRuleState(this.io, 'Deleted', uuids, flags, (rules, uuids) => planDelete(rules, uuids));
  }
}
