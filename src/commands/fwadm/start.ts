/** `fwadm start <vm uuid>`: vmadm update firewall_enabled=true. */
import { Args } from '@oclif/core';
import { commonFlags, FwCommand } from './common';
import { switchVmFirewall } from './vm-firewall';

export default class Start extends FwCommand {
  static override summary = 'Start a VM\'s firewall.';

  static override description = [
    'Sets firewall_enabled=true on the VM, as "vmadm update <uuid> firewall_enabled=true" does (in this process): its ipf.conf and ipf6.conf are written from the rules and loaded when it runs.',
    'Prints "Firewall started for VM <uuid>" (-j: {"result": "success"}). An unknown VM: "VM <uuid> not found", exit status 1. If the firewall cannot be loaded, the VM stays as it was and the error is one line, exit status 1.',
  ].join('\n\n');

  static override examples = ['VMADM_ROOT=$(mktemp -d) <%= config.bin %> <%= command.id %> 5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11 || echo "no such VM here"'];

  static override strict = false;

  static override args = { uuid: Args.string({ description: 'The VM.', ignoreStdin: true }) };

  static override flags = commonFlags;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Start);
    await switchVmFirewall(this.io, args.uuid, flags, true);
  }
}
