/** `fwadm stats <vm uuid>`: hit counts of a VM's loaded rules. */
import { Args } from '@oclif/core';
import { withApp } from '../../cli/app';
import { printJson } from '../../cli/output';
import { formatStats, parseIpfStatus, statsFromIpfstat } from '../../core/fw/format';
import { checkUuid, commonFlags, FwCommand } from './common';

export default class Stats extends FwCommand {
  static override summary = 'Show the hit count of every loaded ipf rule of a VM.';

  static override description =
    'Asks ipfstat (ipfstat -hoi -G <uuid>) and prints "<hits> <ipf rule>" per loaded rule, outbound first; -j a JSON array of {"hits", "rule"} (hits a string, as SmartOS gives it). The embedded local host reports a count of 0 for each rule it loaded. A VM whose firewall is not running: Firewall is not running for VM "<uuid>", exit status 1.';

  static override examples = ['<%= config.bin %> <%= command.id %> --root examples/fwadm/state 5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11'];

  static override strict = false;

  static override args = { uuid: Args.string({ description: 'The VM.', ignoreStdin: true }) };

  static override flags = commonFlags;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Stats);
    const uuid = checkUuid(args.uuid);
    const { running, stdout } = await withApp(this.io, flags.root, false, async (rt, app) => {
      const vm = app.mustGet(rt, uuid, `VM "${uuid}" not found`);
      const on = parseIpfStatus(await app.firewallStatusText(rt, vm)).running === true;
      return { running: on, stdout: on ? await app.firewallStatsText(rt, vm) : '' };
    });
    const stats = statsFromIpfstat(uuid, { stdout, stderr: stdout === '' ? 'empty list' : '', exitCode: 0 }, running);
    if (flags.json) printJson(this.io, stats);
    else this.io.stdout.write(formatStats(stats));
  }
}
