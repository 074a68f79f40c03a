/** `vmadm create`: a VM from a JSON payload. */
import { BaseCommand } from '../../cli/base-command';
import { fileFlag } from '../../cli/flags';
import { readPayloadObject } from '../../cli/payload';
import { printValidation } from '../../cli/validation-output';
import { openContext, printNotes, printSuccess, quietFlags, rootFlag, vmEnv, zoneOf, type VmContext, firewallModule } from '../../cli/vm-context';
import { AppError } from '../../core/errors';
import { createVm, type VmOutcome } from '../../core/vm/create';
import type { VmRecord } from '../../core/vm/record';
import { createScript } from '../../core/zonecfg/script';
import { removeZone, withVmLock } from '../../cli/vm-lock';
import { UUID } from '../../core/vmspec/formats';


/** Payload NICs that name their own MAC (those are never regenerated). */
function givenMacs(payload: Record<string, unknown>): Set<number> {
  const out = new Set<number>();
  if (Array.isArray(payload.nics)) {
    payload.nics.forEach((nic: unknown, i) => {
      if (nic && typeof nic === 'object' && (nic as Record<string, unknown>).mac !== undefined) out.add(i);
    });
  }
  return out;
}

/**
 * createVm with MACs unique on this host: a generated MAC that another VM
 * holds is drawn again; a MAC the payload names that another VM holds is
 * refused as SmartOS refuses it.
 */
function createUnique(payload: Record<string, unknown>, ctx: VmContext, hostMacs: { has(mac: string): boolean }): VmOutcome {
  const given = givenMacs(payload);
  for (;;) {
    const outcome = createVm(payload, vmEnv(ctx.store));
    if (!outcome.ok) return outcome;
    const clash = outcome.record.nics.findIndex((nic) => hostMacs.has(nic.mac));
    if (clash < 0) return outcome;
    if (given.has(clash)) {
      throw new AppError(`Conflict detected with another vm, please check the MAC, IP, and VRID (nics.${clash}.mac ${outcome.record.nics[clash].mac} is in use)`);
    }
  }
}

/**
 * Configure, install and (autoboot) boot the zone, storing the VM once it
 * is installed. The create is marked begun in the store before the host is
 * touched, so a create killed half-way is cleaned up by the next command
 * (cli/vm-lock.ts). On failure everything made is undone; what cannot be
 * undone now stays marked for the next command to clean up.
 */
async function provision(ctx: VmContext, made: VmRecord): Promise<VmRecord> {
  const { host, store } = ctx;
  const zone = zoneOf(made);
  let stored = false;
  await store.begin(made.uuid, made.zonepath);
  try {
    await host.configure(zone, createScript(made));
    await host.install(zone, { quota: made.quota, imageUuid: made.image_uuid });
    const vm: VmRecord = { ...made, state: 'stopped', zone_state: 'installed' };
    await store.put(vm);
    stored = true;
    // firewall (vmadm-cli.md §12): the VM is stored and installed, not yet booted
    if (vm.nics.length > 0) {
      const fw = firewallModule();
      const others = (): VmRecord[] => store.list().filter((v) => v.uuid !== vm.uuid);
      await fw.vmCreateFirewallHook(fw.firewallEnv(store, host), vm, others, 'Error adding firewall rules for VM');
    }
    if (!vm.autoboot) return vm;
    await host.boot(zone);
    const running: VmRecord = { ...vm, state: 'running', zone_state: 'running' };
    await store.put(running, vm);
    return running;
  } catch (err) {
    // undo: the record first (readers stop seeing the VM), then the zone;
    // the error reported is the one that stopped the create
    if (stored) {
      await store.remove(made.uuid).catch(() => undefined);
      await store.begin(made.uuid, made.zonepath).catch(() => undefined);
    }
    const undone = await removeZone(host, zone).then(
      () => true,
      () => false,
    );
    if (undone) store.abandon(made.uuid, made.zonepath);
    throw err;
  }
}

export default class Create extends BaseCommand {
  static override summary = 'Create a VM from a JSON payload.';

  static override description = [
    'Reads a vmadm create payload (JSON) from FILE or standard input, checks it exactly as "vmadm validate create" does (brand defaulting to joyent), applies the defaults of the brand, and creates the VM: zonecfg, zoneadm install, its record and config files, and a boot when autoboot is true (the default).',
    'Prints "Successfully created VM <uuid>" on standard error, then one "note:" line for each property that was dropped (unknown or not for the brand) or stored in another form than given. An invalid payload prints the report validate prints and exit status 1; a UUID already in use, a MAC another VM holds or a host command that fails is one line and exit status 1. Nothing is left behind when a create fails.',
  ].join('\n\n');

  static override examples = [
    '<%= config.bin %> <%= command.id %> -f examples/vms/dual-stack-web.json',
    'cat examples/vms/lx-dhcp.json | <%= config.bin %> <%= command.id %>',
  ];

  static override flags = {
    file: fileFlag('the payload'),
    root: rootFlag,
    ...quietFlags,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Create);
    const payload = await readPayloadObject(flags.file, 'a create payload', 'create');
    const ctx = openContext(flags.root);
    const outcome = await withVmLock(ctx, async () => {
      if (typeof payload.uuid === 'string' && UUID.test(payload.uuid)) {
        const wanted = payload.uuid.toLowerCase();
        const zone = { zonename: wanted, uuid: wanted, zonepath: ctx.store.zonepathOf('zones', wanted), brand: String(payload.brand ?? 'joyent') };
        if (ctx.store.has(wanted) || (await ctx.host.zoneState(zone)) !== undefined) {
          throw new AppError(`VM with UUID ${payload.uuid} already exists`);
        }
      }
      const macs = ctx.store.macsInUse();
      const made = createUnique(payload, ctx, macs);
      if (!made.ok) return made;
      return { ...made, record: await provision(ctx, made.record) };
    });
    if (!outcome.ok) {
      process.exitCode = printValidation(outcome.result, false, '');
      printNotes(outcome.notes);
      return;
    }
    printSuccess(`Successfully created VM ${outcome.record.uuid}`, outcome.notes);
  }
}
