/** `vmadm validate create`: check a create payload without creating anything. */
import { BaseCommand } from '../../../cli/base-command';
import { fileFlag, jsonFlag } from '../../../cli/flags';
import { readPayloadObject } from '../../../cli/payload';
import { printValidation } from '../../../cli/validation-output';
import { quietFlags } from '../../../cli/app';
import { validateCreate } from '../../../core/vmspec/validate';

export default class ValidateCreate extends BaseCommand {
  static override summary = 'Check a VM create payload: NICs, addresses, routes and VM properties.';

  static override description = [
    'Reads a vmadm create payload (JSON) from FILE or standard input and checks it as vmadm create would, without creating anything: shapes and types of every VM property, and every rule of the NIC and network properties (ips with several IPv4/IPv6 addresses, dhcp and addrconf, allowed_ips and the 32-entry cap, gateways, routes, resolvers, the deprecated ip/netmask/gateway, mac, nic_tag, vlan_id, mtu, model and the HVM rules).',
    'A valid payload prints "VALID create payload for <brand> brand VMs." and exits 0. Otherwise the report (bad_brand, bad_properties, bad_values, missing_properties; names in dotted form such as nics.0.ips) goes to standard output and one sentence per problem to standard error; exit status 1.',
    'With -j, standard output is always one JSON object: the report, with bad_values, bad_properties and missing_properties always present (all three empty for a valid payload) and bad_brand when the brand is unknown; the VALID line then goes to standard error.',
    'Names taken from the payload are printed quoted when they hold anything but plain printable text, and control characters are escaped: one problem is always one line.',
  ].join('\n\n');

  static override examples = [
    '<%= config.bin %> <%= command.id %> -f examples/vms/dual-stack-zone.json',
    'cat examples/vms/dual-stack-zone.json | <%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> -j -f examples/vms/invalid/gateway-family.json',
  ];

  static override flags = {
    file: fileFlag('the payload'),
    json: jsonFlag('Print the report as one JSON object.'),
    ...quietFlags,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ValidateCreate);
    const payload = await readPayloadObject(this.io, flags.file, 'a create payload', 'validate');
    const result = validateCreate(payload);
    this.io.exitCode = printValidation(this.io, result, flags.json, `VALID create payload for ${String(payload.brand)} brand VMs.`);
  }
}
