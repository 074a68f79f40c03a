/** `fwadm add`: add firewall rules (and remote VMs). */

import { fileWithoutFlag, looksLikeFile } from '../../cli/input';
import { addPayloadFromArgs, planAdd } from '../../core/fw/rules';
import { wordsOf, commonFlags, FwCommand, ruleDeps, ruleFlags } from './common';
import { readPayload, ruleFlagsOf, runRuleChange } from './rule-change';

export default class Add extends FwCommand {
  static override summary = 'Add firewall rules, from the command line or a JSON payload.';

  static override description = [
    'The rule text is the words after the options, joined by single spaces (no quoting needed), or a payload from -f FILE or standard input: one rule object, or {"rules": [...], "remoteVMs": [...], "localVMs": [...]}. Every rule needs an owner (-O UUID) or -g (global). -e enables the rules; --desc stores a description. The rule is stored in its canonical text, the ipf.conf/ipf6.conf of exactly the firewall-enabled VMs it touches are rewritten, and those that run are reloaded.',
    'Prints "Added rules:" and one "<uuid> <enabled> <rule>" line per rule (-j: {"vms", "rules"}). Adding a rule that is already stored as it is changes nothing and prints an empty line. A bad rule: the fwrule(7) error, nothing stored, exit status 1. A VM whose firewall fails to load keeps its previous rules; each failure is reported and the exit status is 1.',
  ].join('\n\n');

  static override strict = false;

  static override examples = [
    '<%= config.bin %> <%= command.id %> --root examples/fwadm/state --dryrun -g -e FROM any TO all vms ALLOW tcp PORT 22',
    '<%= config.bin %> <%= command.id %> --root examples/fwadm/state --dryrun -e -O 930896af-bf8c-48d4-885c-6573a94b1853 --desc "web from db" FROM tag role = db TO tag role = www ALLOW tcp PORT 443',
  ];

  static override flags = { ...ruleFlags, ...commonFlags };

  async run(): Promise<void> {
    const parsed = await this.parse(Add);
    const { flags } = parsed;
    const words = wordsOf(parsed);
    // `fwadm add rule.json`: one word that is a file is no rule text
    if (flags.file === undefined && words.length === 1 && looksLikeFile(words[0])) throw fileWithoutFlag(words[0]);
    // -f wins over rule words, as in SmartOS (cli.js getPayload)
    const payload =
      flags.file === undefined && words.length > 0
        ? addPayloadFromArgs(words, ruleFlagsOf(flags))
        : await readPayload(this.io, flags, false);
    await runRuleChange(this.io, 'Added', flags, payload, (rules) => planAdd(rules, payload.rules ?? [], ruleDeps()));
  }
}


