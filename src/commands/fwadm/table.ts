/** The table flags of list / rules / rvm-rules, and printing rules with them (docs/fwadm-cli.md §4). */
import { Flags } from '@oclif/core';
import type { Io } from '../../cli/io';
import { printJson } from '../../cli/output';
import { formatRuleTable, parseFields, rulesJsonList } from '../../core/fw/format';
import type { FwRule } from '../../core/fwrule/types';
import { checkTableFlags } from './common';

export const tableFlags = {
  fields: Flags.string({ char: 'o', summary: 'Columns: created_by, description, enabled, global, log, owner_uuid, rule, uuid, version (default uuid,enabled,rule).', helpValue: 'FIELD,...' }),
  parseable: Flags.boolean({ char: 'p', summary: 'No header, no padding, columns separated by ":" (or -d).' }),
  delim: Flags.string({ char: 'd', summary: 'With -p: the column separator.', helpValue: 'C' }),
  'no-header': Flags.boolean({ char: 'H', summary: 'No header line.' }),
};

export interface TableFlags {
  fields?: string;
  parseable?: boolean;
  delim?: string;
  'no-header'?: boolean;
  json?: boolean;
}

/** Check the flags (before any reading): usage errors and bad -o fields. */
export function tableOptions(flags: TableFlags): ReturnType<typeof parseFields> {
  checkTableFlags(flags);
  return parseFields(flags.fields);
}

export function printRules(io: Io, rules: readonly FwRule[], flags: TableFlags, fields: ReturnType<typeof parseFields>): void {
  if (flags.json) {
    printJson(io, rulesJsonList(rules, flags.fields === undefined ? undefined : fields));
    return;
  }
  io.stdout.write(formatRuleTable(rules, { fields, parseable: flags.parseable, delim: flags.delim, noHeader: flags['no-header'] }));
}
