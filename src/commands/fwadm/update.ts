/** `fwadm update`: change stored rules (and remote VMs). */
import { Args } from '@oclif/core';
import { planUpdate, updatePayloadFromArgs } from '../../core/fw/rules';
import { wordsOf, checkUuid, commonFlags, FwCommand, ruleDeps, ruleFlags } from './common';
import { readPayload, ruleFlagsOf, runRuleChange, usage } from './rule-change';

export default class Update extends FwCommand {
  static override summary = 'Update a stored rule: its text, enabled flag, owner, global flag or description.';

  static override description = [
    '"update <rule uuid> [options] [rule text]" merges over the stored rule: what is not given is kept (no rule text keeps the text); -O on a global rule drops global and -g drops the owner. With -f FILE or standard input: {"rules": [{"uuid": ..., ...}], "remoteVMs": [...]}, each rule merged over the stored one with that uuid (remote VMs are replaced whole).',
    'Prints "Updated rules:" and the rules. An update that changes nothing writes nothing and prints an empty line. An unknown uuid: "Unknown rule: <uuid>", exit status 1, nothing changed.',
  ].join('\n\n');

  static override strict = false;

  static override examples = [
    '<%= config.bin %> <%= command.id %> --root examples/fwadm/state --dryrun 0a1b2c3d-1111-4222-8333-444455556666 FROM any TO all vms ALLOW tcp PORTS 22, 2222',
    '<%= config.bin %> <%= command.id %> --root examples/fwadm/state --dryrun -j 0a1b2c3d-1111-4222-8333-444455556666 --desc "ssh from anywhere"',
  ];

  static override args = { uuid: Args.string({ description: 'The rule (omit with -f / stdin).' }) };

  static override flags = { ...ruleFlags, ...commonFlags };

  async run(): Promise<void> {
    const parsed = await this.parse(Update);
    const { flags } = parsed;
    const argv = wordsOf(parsed);
    const words = argv as string[];
    const payload =
      words.length > 0
        ? updatePayloadFromArgs(checkUuid(words[0]), words.slice(1), ruleFlagsOf(flags))
        : await readPayload(flags, () => usage('Must supply file!'));
    await runRuleChange('Updated', flags, payload, (rules) => planUpdate(rules, payload.rules ?? [], ruleDeps()));
  }
}
