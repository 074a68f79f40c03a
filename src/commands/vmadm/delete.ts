/** `vmadm delete` (alias `destroy`): remove a VM and its zone. */
import { Args } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command';
import { removeZone, withVmLock } from '../../cli/vm-lock';
import { checkUuidArg, mustGet, openContext, printSuccess, quietFlags, rootFlag, typedCommand, zoneOf, firewallModule } from '../../cli/vm-context';
import { AppError } from '../../core/errors';
import type { VmRecord } from '../../core/vm/record';
import { updateScript } from '../../core/zonecfg/script';

export default class Delete extends BaseCommand {
  static override summary = 'Delete a VM: halt it, uninstall and remove its zone, its record and its files.';

  static override description = [
    'Clears autoboot, halts the VM when it runs, uninstalls its zone (zoneadm uninstall), deletes the zone configuration (zonecfg delete) and removes its record and config files. Prints "Successfully deleted VM <uuid>" on standard error.',
    'A VM with indestructible_zoneroot or indestructible_delegated set is refused: "Failed to delete VM <uuid>: indestructible_zoneroot is set, cannot delete". An unknown VM: "VM <uuid> not found", exit status 1.',
  ].join('\n\n');

  static override aliases = ['destroy'];

  static override examples = ['<%= config.bin %> <%= command.id %> 5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11'];

  static override args = {
    uuid: Args.string({ description: 'The VM.' }),
  };

  static override flags = { root: rootFlag, ...quietFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Delete);
    const uuid = checkUuidArg(args.uuid, typedCommand('delete', Delete.aliases));
    const ctx = openContext(flags.root);
    const { store, host } = ctx;
    const deleted = await withVmLock(ctx, async () => {
      const vm = mustGet(store, uuid);
      for (const key of ['indestructible_zoneroot', 'indestructible_delegated']) {
        if (vm[key] === true) throw new AppError(`Failed to delete VM ${vm.uuid}: ${key} is set, cannot delete`);
      }
      // as SmartOS: autoboot is cleared first, so a delete that fails
      // half-way leaves a VM that does not come back with the host
      if (vm.autoboot) {
        const next: VmRecord = { ...vm, autoboot: false, last_modified: new Date().toISOString() };
        const script = updateScript(vm, next);
        if (script !== '') {
          await host.reconfigure(zoneOf(vm), script).catch(async (err: unknown) => {
            // a zone that is already gone has no autoboot to clear
            if ((await host.zoneState(zoneOf(vm))) !== undefined) throw err;
          });
        }
        await store.put(next, vm);
      }
      // firewall (fwadm-cli.md §0): other VMs' files stop naming this VM first
      const fw = firewallModule();
      const all = store.list();
      await fw.vmFirewallHook(fw.firewallEnv(store, host), all, fw.withVm(all, vm.uuid, undefined), 'Error updating firewall rules for VM');
      // halt (forced), uninstall, delete the configuration: whatever of it is there
      await removeZone(host, zoneOf(vm));
      await store.remove(vm.uuid);
      return vm.uuid;
    });
    printSuccess(`Successfully deleted VM ${deleted}`);
  }
}
