/** `fwadm get-rvm <rvm uuid>`. */
import { Args } from '@oclif/core';
import { printJson } from '../../cli/output';
import { findRemoteVm, remoteVmToJson } from '../../core/fw/remote-vms';
import { withApp } from '../../cli/app';
import { checkUuid, commonFlags, FwCommand } from './common';

export default class GetRvm extends FwCommand {
  static override summary = 'Show one remote VM as JSON.';

  static override description = 'Prints {"uuid", "ips", "tags", "owner_uuid"} (2-space JSON, ips canonical and sorted). An unknown uuid: Unknown remote VM "<uuid>", exit status 1.';

  static override examples = ['<%= config.bin %> <%= command.id %> --root examples/fwadm/state b1c2d3e4-1111-4222-8333-444455556666'];

  static override strict = false;

  static override args = { uuid: Args.string({ description: 'The remote VM.', ignoreStdin: true }) };

  static override flags = commonFlags;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(GetRvm);
    const uuid = checkUuid(args.uuid);
    const snap = await withApp(this.io, flags.root, false, (rt, app) => app.readRules(rt));
    printJson(this.io, remoteVmToJson(findRemoteVm(new Map(snap.remoteVms.map((r) => [r.uuid, r])), uuid)));
  }
}
