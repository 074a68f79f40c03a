/** `vmadm validate update`: check an update payload on its own. */
import { Args } from '@oclif/core';
import { BaseCommand } from '../../../cli/base-command';
import { fileFlag, jsonFlag } from '../../../cli/flags';
import { readPayloadObject } from '../../../cli/payload';
import { printValidation } from '../../../cli/validation-output';
import { quietFlags } from '../../../cli/app';
import { validateUpdate } from '../../../core/vmspec/validate';

export default class ValidateUpdate extends BaseCommand {
  static override summary = 'Check a VM update payload: add_nics, update_nics, remove_nics, set_*/remove_* and VM properties.';

  static override description = [
    'Reads a vmadm update payload (JSON) from FILE or standard input and checks the payload on its own, without reading or changing any VM: add_nics get the NIC checks of create; update_nics (by mac) get those that need nothing of the stored NIC (gateways are checked against addresses only when the payload gives both); remove_nics must hold MAC addresses; set_routes/set_tags/set_customer_metadata and their remove_* forms are checked for shape.',
    'vmadm update checks the same payload, then the VM it results in as vmadm create would (a gateway outside the NIC\'s stored subnets, a route over a NIC the VM does not have, an address another NIC holds), so a payload valid here can still be refused there.',
    'Brand rules (HVM ips, NIC model, brand-only properties) apply only when BRAND is given. A valid payload prints "VALID update payload for <brand> brand VMs." (or "VALID update payload." without a brand) and exits 0; otherwise the report as for validate create, exit status 1. With -j, standard output is always the JSON report, as for validate create.',
  ].join('\n\n');

  static override examples = [
    `echo '{"add_nics": [{"nic_tag": "external", "ips": ["10.0.0.9/24", "2001:db8::9/64"]}]}' | <%= config.bin %> <%= command.id %>`,
    '<%= config.bin %> <%= command.id %> bhyve -f examples/vms/update-add-nic.json',
    '<%= config.bin %> <%= command.id %> joyent -j -f examples/vms/update-add-nic.json',
  ];

  static override args = {
    brand: Args.string({
      description: 'The brand of the VM the payload is for (joyent, joyent-minimal, lx, builder, kvm, bhyve).',
      // the payload comes on stdin: oclif must not take it as the argument
      ignoreStdin: true,
    }),
  };

  static override flags = {
    file: fileFlag('the payload'),
    json: jsonFlag('Print the report as one JSON object.'),
    ...quietFlags,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ValidateUpdate);
    const payload = await readPayloadObject(this.io, flags.file, 'an update payload', 'validate');
    const result = validateUpdate(payload, args.brand);
    const valid = args.brand === undefined ? 'VALID update payload.' : `VALID update payload for ${args.brand} brand VMs.`;
    this.io.exitCode = printValidation(this.io, result, flags.json, valid);
  }
}
