/** `fwadm update`: change stored rules (and remote VMs). */
import { Args } from '@oclif/core';
import { fileWithoutFlag, looksLikeFile, parseJsonText } from '../../cli/input';
import { UUID_LOWER_CASE } from '../../core/uuid';
import { normalizePayload, planUpdate, updatePayloadFromArgs, type FwPayload } from '../../core/fw/rules';
import { wordsOf, checkUuid, commonFlags, FwCommand, ruleDeps, ruleFlags } from './common';
import { flagged, readRawPayload, ruleFlagsOf, runRuleChange, stdinText } from './rule-change';

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

  static override args = { uuid: Args.string({ description: 'The rule (omit with -f / stdin).', ignoreStdin: true }) };

  static override flags = { ...ruleFlags, ...commonFlags };

  async run(): Promise<void> {
    const parsed = await this.parse(Update);
    const { flags } = parsed;
    const words = wordsOf(parsed);
    const id = words[0];
    // `fwadm update [<uuid>] rule.json`: a word that is a file, where a uuid or the rule text goes
    const file = words.length === 2 ? words[1] : words.length === 1 && !UUID_LOWER_CASE.test(id) ? id : undefined;
    if (flags.file === undefined && file !== undefined && looksLikeFile(file)) throw fileWithoutFlag(file);
    let payload: FwPayload;
    if (flags.file === undefined && words.length > 1) {
      payload = updatePayloadFromArgs(checkUuid(id), words.slice(1), ruleFlagsOf(flags));
    } else {
      // a payload from -f, or from stdin when it is not a terminal and holds one
      const text = flags.file === undefined && id !== undefined ? await stdinText(this.io) : undefined;
      if (flags.file === undefined && id !== undefined && text === undefined) {
        // no payload: the flags alone change the stored rule (its text is kept)
        payload = updatePayloadFromArgs(checkUuid(id), [], ruleFlagsOf(flags));
      } else {
        const raw = text !== undefined ? parseJsonText(text, '<stdin>') : await readRawPayload(this.io, flags.file, true);
        payload = flagged(normalizePayload(raw), flags);
        // `update <uuid> -f FILE`: the uuid names the payload's one rule
        if (id !== undefined && payload.rules?.length === 1) {
          const only = payload.rules[0];
          payload = { ...payload, rules: [only !== null && typeof only === 'object' ? { ...only, uuid: checkUuid(id) } : only] };
        }
      }
    }
    await runRuleChange(this.io, 'Updated', flags, payload, (rules) => planUpdate(rules, payload.rules ?? [], ruleDeps()));
  }
}
