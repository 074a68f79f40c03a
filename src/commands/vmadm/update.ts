/** `vmadm update`: change a VM from a JSON payload or key=value pairs. */
import { Args } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command';
import { withVmLock } from '../../cli/vm-lock';
import { fileFlag } from '../../cli/flags';
import { readPayloadObject } from '../../cli/payload';
import { printValidation } from '../../cli/validation-output';
import { checkUuidArg, mustGet, openContext, printNotes, printSuccess, quietFlags, rootFlag, vmEnv, zoneOf, type VmContext, firewallModule } from '../../cli/vm-context';
import { payloadFromKeyValues, updateVm, type UpdateOutcome } from '../../core/vm/update';
import { updateScript } from '../../core/zonecfg/script';

/** Properties whose change can change firewall files (vmadm-cli.md §12). */
const FIREWALL_KEYS = ['add_nics', 'remove_nics', 'update_nics', 'set_tags', 'remove_tags', 'owner_uuid', 'firewall_enabled', 'nics', 'tags'];

/**
 * One update under the lock: the zone, the record, then the firewall
 * (fwadm-cli.md §9). A firewall failure undoes the zone and the record
 * and is reported in one line. Used by `vmadm update` and `fwadm start/stop`.
 */
export async function applyUpdate(ctx: VmContext, uuid: string, payload: Record<string, unknown>, fwWhat?: string): Promise<UpdateOutcome> {
  return withVmLock(ctx, async () => {
    const before = mustGet(ctx.store, uuid);
    const out = updateVm(before, payload, vmEnv(ctx.store));
    if (!out.ok || !out.changed) return out;
    const after = out.record;
    const zone = zoneOf(before);
    const script = updateScript(before, after);
    const vmsBefore = ctx.store.list();
    if (script !== '') await ctx.host.reconfigure(zone, script);
    if (after.quota !== before.quota) await ctx.host.setQuota(zone, after.quota);
    await ctx.store.put(after, before);
    // firewall (vmadm-cli.md §12): the change is stored
    if (FIREWALL_KEYS.some((k) => k in payload)) {
      const fw = firewallModule();
      const what =
        fwWhat ??
        (before.firewall_enabled !== after.firewall_enabled
          ? `Error ${after.firewall_enabled ? 'enabling' : 'disabling'} firewall for VM`
          : 'Error updating firewall rules for VM');
      try {
        await fw.vmFirewallHook(fw.firewallEnv(ctx.store, ctx.host), vmsBefore, fw.withVm(vmsBefore, uuid, after), what);
      } catch (err) {
        // the VM stays as it was
        await ctx.store.put(before, after);
        const back = updateScript(after, before);
        if (back !== '') await ctx.host.reconfigure(zone, back).catch(() => undefined);
        if (after.quota !== before.quota) await ctx.host.setQuota(zone, before.quota).catch(() => undefined);
        throw err;
      }
    }
    return out;
  });
}

export default class Update extends BaseCommand {
  static override summary = 'Change a VM: properties, tags, metadata, routes and NICs.';

  static override description = [
    'Reads an update payload (JSON) from FILE or standard input, or takes key=value pairs after the UUID (the pairs win over -f). The payload is checked exactly as "vmadm validate update <brand>" checks it, then applied: plain properties ("" or null unsets), set_tags/remove_tags and the same for customer_metadata, internal_metadata and routes (remove_* first), add_nics, update_nics (by mac), remove_nics (by MAC; removing the primary makes another NIC primary).',
    'Key=value values are converted by the property\'s type: true/false for booleans, integers, comma-separated lists for lists of strings (resolvers, remove_nics, ...), JSON for objects and lists of objects (set_tags=\'{"role":"db"}\').',
    'Prints "Successfully updated VM <uuid>" on standard error, then a "note:" line for each property dropped or stored in another form; "VM <uuid> unchanged" when nothing changes (nothing is rewritten). An invalid payload prints the validate report, exit status 1, and changes nothing. An unknown VM: "VM <uuid> not found", exit status 1.',
  ].join('\n\n');

  static override strict = false;

  static override examples = [
    '<%= config.bin %> <%= command.id %> 5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11 -f examples/vms/update-add-nic.json',
    '<%= config.bin %> <%= command.id %> 5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11 alias=web02 quota=30 resolvers=10.0.0.53,2001:db8::53',
    'echo \'{"set_tags": {"role": "db"}, "remove_tags": ["env"]}\' | <%= config.bin %> <%= command.id %> 5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11',
  ];

  static override args = {
    uuid: Args.string({ description: 'The VM.' }),
  };

  static override flags = {
    file: fileFlag('the payload'),
    root: rootFlag,
    ...quietFlags,
  };

  async run(): Promise<void> {
    const { args, argv, flags } = await this.parse(Update);
    const uuid = checkUuidArg(args.uuid, 'update');
    const pairs = (argv as string[]).slice(1);
    const payload = pairs.length > 0 ? payloadFromKeyValues(pairs) : await readPayloadObject(flags.file, 'an update payload', 'update');
    const outcome = await applyUpdate(openContext(flags.root), uuid, payload);
    if (!outcome.ok) {
      process.exitCode = printValidation(outcome.result, false, '');
      printNotes(outcome.notes);
      return;
    }
    const line = outcome.changed ? `Successfully updated VM ${outcome.record.uuid}` : `VM ${outcome.record.uuid} unchanged`;
    printSuccess(line, outcome.notes);
  }
}
