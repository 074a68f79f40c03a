/** `vmadm lookup`: the VMs that match filters, as UUIDs or JSON. */
import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command';
import { quietFlags, rootFlag, withApp } from '../../cli/app';
import { AppError } from '../../core/errors';
import { matchesAll, parseFilters } from '../../core/vm/filter';
import { listView, pickFields, planView, withListFields } from '../../core/vm/list';
import { getView, type HostFacts } from '../../core/vm/view';

export default class Lookup extends BaseCommand {
  static override summary = 'Print the UUIDs (or, with -j, the JSON) of the VMs that match field=value or field=~regex.';

  static override description = [
    'Prints the UUID of each matching VM, one per line, on standard output (nothing when none match, exit status 0). With -j, prints a JSON array of the VMs as "vmadm get" shows them, plus the fields type and (zones) ram; -o limits each to the fields named (VMs left with none are dropped). -o needs -j.',
    'With -1, exactly one VM must match: otherwise "Requested unique lookup but found <N> results." and exit status 1.',
    'Filters are those of "vmadm list": field=value (exact) or field=~regex (case-insensitive), on any list column, nics.<N|*>.<property> (including ips and gateways, compared in canonical form), disks.<N|*>.<property>, tags.<key>, customer_metadata.<key>, internal_metadata.<key>. An unknown field is refused: Invalid lookup key: "<field>".',
  ].join('\n\n');

  static override strict = false;

  static override examples = [
    '<%= config.bin %> <%= command.id %> brand=joyent state=running',
    '<%= config.bin %> <%= command.id %> -j -o uuid,alias,nics tags.role=www',
    '<%= config.bin %> <%= command.id %> -1 alias=web01',
    '<%= config.bin %> <%= command.id %> \'nics.*.ips=2001:DB8:0:1:0:0:0:11/64\'',
  ];

  static override flags = {
    json: Flags.boolean({ char: 'j', summary: 'Print the matching VMs as a JSON array.' }),
    unique: Flags.boolean({ char: '1' as 'u', summary: 'Exactly one VM must match.' }),
    output: Flags.string({ char: 'o', summary: 'With -j: only these fields of each VM, comma-separated.', helpValue: 'FIELD,...' }),
    root: rootFlag,
    ...quietFlags,
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Lookup);
    if (flags.output !== undefined && !flags.json) throw new AppError('Cannot specify -o without -j');
    const filters = parseFilters(argv as string[], 'lookup');
    const io = this.io;
    const viewPlan = planView(filters.map((f) => f.key));
    // each VM is read as lookup reads it (no get view): the get view is
    // built only for the VMs that match, and only for -j
    const found = await withApp(io, flags.root, false, async (rt, app) => {
      let host: HostFacts | undefined;
      return app.scanVms(rt, (record) => {
        if (!matchesAll(listView(record, viewPlan), filters)) return undefined;
        return flags.json ? withListFields(getView(record, (host ??= app.hostFacts(rt)))) : { uuid: record.uuid };
      });
    });
    if (flags.unique && found.length !== 1) throw new AppError(`Requested unique lookup but found ${found.length} results.`);
    if (flags.json) {
      const out = flags.output === undefined ? found : pickFields(found, flags.output.split(','));
      io.stdout.write(JSON.stringify(out, null, 2) + '\n');
      return;
    }
    io.stdout.write(found.map((vm) => `${String(vm.uuid)}\n`).join(''));
  }
}
