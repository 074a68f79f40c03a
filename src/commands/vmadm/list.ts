/** `vmadm list`: VMs as a table. */
import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command';
import { quietFlags, rootFlag, withApp } from '../../cli/app';
import { matchesAll, parseFilters } from '../../core/vm/filter';
import { formatTable, listView, planList, planView, project, sortVms, valueAt, withListFields, type VmView } from '../../core/vm/list';
import { getView, type HostFacts } from '../../core/vm/view';

export default class List extends BaseCommand {
  static override summary = 'List VMs as a table, filtered by field=value or field=~regex.';

  static override description = [
    'Prints one line per VM: the columns of -o (default uuid,type,ram,state,alias), each padded to its width and separated by two spaces, sorted by -s (default ram,uuid; a leading - sorts descending, + ascending). A missing or false value prints "-". TYPE is OS, LX, KVM or BHYV; RAM of a zone is its max_physical_memory.',
    'Filters: field=value matches the value exactly; field=~regex matches a case-insensitive regular expression. Fields: any column, nics.<N|*>.<property> (interface, mac, ip, netmask, gateway, ips, gateways, nic_tag, vlan_id, model, dhcp_server), disks.<N|*>.<property>, tags.<key>, customer_metadata.<key>, internal_metadata.<key>. nics.*.ips and nics.*.gateways match one entry in canonical form (not in SmartOS). All filters must match.',
    'Columns: any top-level field SmartOS lists (alias, autoboot, brand, cpu_shares, create_timestamp, dns_domain, firewall_enabled, hostname, image_uuid, max_physical_memory, owner_uuid, quota, state, type, uuid, zone_state, zonepath, ...), nics.<N>.<property>, disks.<N>.<property>, tags.<key>, customer_metadata.<key>, internal_metadata.<key>, routes.<key>.',
  ].join('\n\n');

  static override strict = false;

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> -o uuid,alias,nics.0.ip,state -s -alias type=OS',
    '<%= config.bin %> <%= command.id %> -p -o uuid,alias \'nics.*.ips=2001:DB8:0:1::10/64\'',
    '<%= config.bin %> <%= command.id %> -j tags.role=www',
  ];

  static override flags = {
    order: Flags.string({ char: 'o', summary: 'Columns to print, comma-separated.', helpValue: 'FIELD,...' }),
    sortby: Flags.string({ char: 's', summary: 'Sort keys, comma-separated; prefix - for descending, + for ascending.', helpValue: 'FIELD,...' }),
    parsable: Flags.boolean({ char: 'p', summary: 'Values separated by ":", no padding, no header; a ":" or "\\" in a value is written with a "\\" before it (not in SmartOS).' }),
    'no-header': Flags.boolean({ char: 'H', summary: 'Do not print the header.' }),
    header: Flags.boolean({ char: 'h', summary: 'Print the header (also with -p).' }),
    json: Flags.boolean({ char: 'j', summary: 'Print the listed VMs as a JSON array (with -o: only those fields).' }),
    root: rootFlag,
    ...quietFlags,
  };

  async run(): Promise<void> {
    const taken = takeSortby(this.argv);
    const { argv, flags } = await this.parse(List, taken.argv);
    if (taken.sortby !== undefined) flags.sortby = taken.sortby;
    const filters = parseFilters(argv as string[], 'filter');
    const plan = planList({ order: flags.order, sortby: flags.sortby });
    const io = this.io;
    const columnKeys = plan.columns.map((c) => c.key);
    const keys = [...columnKeys, ...plan.sort.map((s) => s.key)];
    const viewPlan = planView([...keys, ...filters.map((f) => f.key)]);
    const full = flags.json && flags.order === undefined;
    // each VM is read as list reads it (no get view) and kept only as the
    // values printed and sorted on; -j without -o prints whole get views
    const rows = await withApp(io, flags.root, false, async (rt, app) => {
      let host: HostFacts | undefined;
      return app.scanVms(rt, (record) => {
        const view = listView(record, viewPlan);
        if (!matchesAll(view, filters)) return undefined;
        return full ? withListFields(getView(record, (host ??= app.hostFacts(rt)))) : project(view, keys);
      });
    });
    const vms = sortVms(rows, plan.sort);
    if (flags.json) {
      const out = flags.order === undefined ? vms : vms.map((vm) => pick(vm, columnKeys));
      io.stdout.write(JSON.stringify(out, null, 2) + '\n');
      return;
    }
    const header = headerWanted(this.argv, flags.parsable);
    io.stdout.write(formatTable(vms, plan.columns, { parsable: flags.parsable, header }));
  }
}

/**
 * `-s -hostname`: a descending sort key starts with `-`, and oclif refuses
 * a flag value that looks like one of the command's flags (-h...). So
 * -s/--sortby and its value are taken out of the arguments here, before
 * oclif parses the rest; the last one given wins, as in SmartOS.
 */
function takeSortby(argv: readonly string[]): { argv: string[]; sortby?: string } {
  const out: string[] = [];
  let sortby: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if ((arg === '-s' || arg === '--sortby') && i + 1 < argv.length) sortby = argv[++i];
    else if (arg.startsWith('--sortby=')) sortby = arg.slice('--sortby='.length);
    else if (arg.startsWith('-s') && arg.length > 2 && !arg.startsWith('--')) sortby = arg.slice(arg[2] === '=' ? 3 : 2);
    else out.push(arg);
  }
  return { argv: out, sortby };
}

/**
 * Whether the header prints: -H and -h set one switch, as in SmartOS, so
 * the last of them given wins; without either, on unless -p.
 */
function headerWanted(argv: readonly string[], parsable: boolean): boolean {
  let header = !parsable;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') break;
    if (arg === '--no-header') header = false;
    else if (arg === '--header') header = true;
    else if (arg === '--order' || arg === '--sortby' || arg === '--root') i++; // their value follows
    else if (/^-[a-zA-Z1]+$/.test(arg)) {
      // grouped short flags: a letter that takes a value ends the group
      for (let j = 1; j < arg.length; j++) {
        const c = arg[j];
        if (c === 'h') header = true;
        else if (c === 'H') header = false;
        else if (c === 'o' || c === 's') {
          if (j === arg.length - 1) i++;
          break;
        }
      }
    }
  }
  return header;
}

function pick(vm: VmView, keys: readonly string[]): VmView {
  const out: VmView = {};
  for (const key of keys) {
    const value = valueAt(vm, key);
    if (value !== undefined) out[key] = value;
  }
  return out;
}
