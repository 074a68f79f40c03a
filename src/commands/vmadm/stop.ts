/** `vmadm stop` (alias `halt`): shut a running VM down. */
import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command';
import { withVmLock } from '../../cli/vm-lock';
import { checkUuidArg, mustGet, openContext, printSuccess, quietFlags, rootFlag, typedCommand, zoneOf } from '../../cli/vm-context';
import { AppError } from '../../core/errors';
import type { VmRecord } from '../../core/vm/record';
import { updateScript } from '../../core/zonecfg/script';

export default class Stop extends BaseCommand {
  static override summary = 'Shut a running VM down (-F: halt it at once).';

  static override description = [
    'Clears autoboot, then shuts the VM down: its own shutdown (OS zones: shutdown -y -g 0 -i 5; lx: /sbin/shutdown -h now; HVM: zoneadm shutdown), halted by force after 60 s; -F halts it at once (zoneadm halt -X). Prints "Successfully completed stop for VM <uuid>" on standard error.',
    'A VM that is not running prints "VM <uuid> is already not \'running\' (currently: <state>)" and exit status 0. -t SECONDS (bhyve, KVM and docker VMs only, as in SmartOS; others: "Timeout option is only supported for bhyve, KVM and docker containers.", exit status 1) is how long to wait for the shutdown before halting. An unknown VM: "VM <uuid> not found", exit status 1.',
  ].join('\n\n');

  static override aliases = ['halt'];

  static override examples = [
    '<%= config.bin %> <%= command.id %> 5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11',
    '<%= config.bin %> <%= command.id %> -F 5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11',
  ];

  static override args = {
    uuid: Args.string({ description: 'The VM.' }),
  };

  static override flags = {
    force: Flags.boolean({ char: 'F', summary: 'Halt at once instead of shutting down.' }),
    timeout: Flags.integer({ char: 't', summary: 'Seconds to wait for the shutdown (bhyve, KVM and docker VMs).', helpValue: 'SECONDS' }),
    root: rootFlag,
    ...quietFlags,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Stop);
    const uuid = checkUuidArg(args.uuid, typedCommand('stop', Stop.aliases));
    const ctx = openContext(flags.root);
    const { store, host } = ctx;
    const message = await withVmLock(ctx, async () => {
      const vm = mustGet(store, uuid);
      if (flags.timeout !== undefined && vm.brand !== 'kvm' && vm.brand !== 'bhyve' && vm.docker !== true) {
        throw new AppError('Timeout option is only supported for bhyve, KVM and docker containers.');
      }
      const zone = zoneOf(vm);
      let next: VmRecord = vm;
      if (vm.autoboot) {
        next = { ...vm, autoboot: false, last_modified: new Date().toISOString() };
        const script = updateScript(vm, next);
        if (script !== '') await host.reconfigure(zone, script);
      }
      if (vm.state !== 'running') {
        if (next !== vm) await store.put(next, vm);
        return `VM ${vm.uuid} is already not 'running' (currently: ${vm.state})`;
      }
      // -t: how long the host waits for the VM's own shutdown before halting it
      await host.halt(zone, flags.force, flags.timeout);
      await store.put({ ...next, state: 'stopped', zone_state: 'installed' }, vm);
      return `Successfully completed stop for VM ${vm.uuid}`;
    });
    printSuccess(message);
  }
}
