/** `fwadm list-rvms`: every remote VM (always JSON). */
import { printJson } from '../../cli/output';
import { remoteVmToJson } from '../../core/fw/remote-vms';
import { withApp } from '../../cli/app';
import { commonFlags, FwCommand } from './common';

export default class ListRvms extends FwCommand {
  static override summary = 'List the remote VMs (JSON).';

  static override description = 'A JSON array of the remote VMs, sorted by uuid (always JSON, with or without -j).';

  static override examples = ['<%= config.bin %> <%= command.id %> --root examples/fwadm/state'];

  static override strict = false;

  static override flags = commonFlags;

  async run(): Promise<void> {
    const { flags } = await this.parse(ListRvms);
    const snap = await withApp(this.io, flags.root, false, (rt, app) => app.readRules(rt));
    printJson(this.io, snap.remoteVms.map(remoteVmToJson));
  }
}
