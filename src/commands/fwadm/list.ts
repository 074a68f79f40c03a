/** `fwadm list`: every rule, as a table or JSON. */
import { withApp } from '../../cli/app';
import { commonFlags, FwCommand } from './common';
import { printRules, tableFlags, tableOptions } from './table';

export default class List extends FwCommand {
  static override summary = 'List the rules.';

  static override description = [
    'A table sorted by rule uuid: UUID, ENABLED and RULE by default (-o to choose), every column padded, a disabled rule showing "-" in ENABLED, the header only when there is a rule. -p: no header and no padding, columns separated by ":" (or -d C), the separator escaped as "\\C" inside values. -H: no header. -j: a JSON array of rule objects (only the -o fields when given).',
    'A field not in the list: "Invalid display field: x", exit status 1. -d without -p and -j with -p are usage errors (exit status 2).',
  ].join('\n\n');

  static override examples = [
    '<%= config.bin %> <%= command.id %> --root examples/fwadm/state',
    '<%= config.bin %> <%= command.id %> --root examples/fwadm/state -p -d "|" -o uuid,enabled,global,owner_uuid',
    '<%= config.bin %> <%= command.id %> --root examples/fwadm/state -j',
  ];

  static override strict = false;

  static override flags = { ...tableFlags, ...commonFlags };

  async run(): Promise<void> {
    const { flags } = await this.parse(List);
    const fields = tableOptions(flags);
    const { rules } = await withApp(this.io, flags.root, false, (rt, app) => app.readRules(rt));
    printRules(this.io, rules, flags, fields);
  }
}
