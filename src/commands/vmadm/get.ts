/** `vmadm get` (alias `json`): one VM as JSON. */
import { Args } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command';
import { printJson } from '../../cli/output';
import { checkUuidArg, quietFlags, rootFlag, typedCommand, withApp } from '../../cli/app';
import { getView } from '../../core/vm/view';

export default class Get extends BaseCommand {
  static override summary = 'Print one VM as JSON.';

  static override description = [
    'Prints the VM as a JSON object (2-space indented) on standard output, its keys in the order SmartOS vmadm prints them. Each NIC shows its ips and gateways, and, for older consumers, the deprecated ip, netmask and gateway of its first IPv4 address and gateway.',
    'An unknown VM prints "zoneadm: <uuid>: No such zone configured" (the text SmartOS prints and tools parse), exit status 1.',
  ].join('\n\n');

  static override aliases = ['json'];

  static override examples = [
    '<%= config.bin %> <%= command.id %> 5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11',
    '<%= config.bin %> <%= command.id %> 5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11 | grep -A3 \'"ips"\'',
  ];

  static override args = {
    uuid: Args.string({ description: 'The VM.' }),
  };

  static override flags = { root: rootFlag, ...quietFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Get);
    const io = this.io;
    const uuid = checkUuidArg(args.uuid, typedCommand(io, 'get', Get.aliases));
    const [vm, host] = await withApp(io, flags.root, false, async (rt, app) => {
      const found = app.mustGet(rt, uuid, `zoneadm: ${uuid}: No such zone configured`);
      return [found, app.hostFacts(rt)] as const;
    });
    printJson(io, getView(vm, host));
  }
}
