/**
 * `fwadm compile`: the ipf.conf and ipf6.conf every firewall-enabled VM
 * would get from the given VMs, remote VMs and rules. Reads, checks,
 * compiles (src/core/ipf), prints; writes nothing else.
 */
import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command';
import { fileFlag, jsonFlag } from '../../cli/flags';
import { UsageError } from '../../core/errors';
import { readJsonInput } from '../../cli/input';
import { writeFilesAsJson, writeFilesAsText } from '../../cli/ipf-output';
import { compileFirewallPieces } from '../../core/ipf/compile';
import type { CompileInput } from '../../core/ipf/model';
import { parseCompilePayload } from '../../core/ipf/payload';
import { excerpt } from '../../core/fwrule/errors';
import { escapeControl } from '../../core/text';

/** The last second a Date can hold (8.64e15 ms after the epoch). */
const MAX_EPOCH_SECONDS = 8_640_000_000_000;

/**
 * Now, or SOURCE_DATE_EPOCH (whole seconds since the epoch, 0 to
 * 8640000000000) when set; anything else is a usage error (exit 2).
 */
function generationDate(env: NodeJS.ProcessEnv): Date {
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch === undefined || epoch === '') return new Date();
  if (!/^\d{1,13}$/.test(epoch) || Number(epoch) > MAX_EPOCH_SECONDS) {
    throw new UsageError(
      `SOURCE_DATE_EPOCH must be a whole number of seconds from 0 to ${MAX_EPOCH_SECONDS}, got ${escapeControl(JSON.stringify(excerpt(epoch)))}`,
    );
  }
  return new Date(Number(epoch) * 1000);
}

export default class Compile extends BaseCommand {
  static override summary = 'Show the ipf.conf and ipf6.conf each firewall-enabled VM would get.';

  static override description = [
    'Reads {"vms": [...], "rules": [...], "remoteVMs": [...]} from FILE or standard input: VMs as `vmadm get` prints them, rules as `fwadm add` payload objects, remote VMs (on other hosts) as {uuid, owner_uuid, ips or nics, tags}. Checks them as `fwadm add` does, then prints, for every VM with firewall_enabled, the ipf.conf (IPv4) and ipf6.conf (IPv6) that SmartOS fwadm would write, line for line and in its order, with one addition: ipf6.conf lets in, right after "block in all", the ICMPv6 messages IPv6 cannot work without (packet too big, router advertisement, neighbour solicitation and advertisement; see fwrule(7), IPv6 ESSENTIALS). Nothing is written or loaded.',
    'The "File generated at" date is now, or SOURCE_DATE_EPOCH (whole seconds, 0 to 8640000000000) when set, so output can be reproduced; any other SOURCE_DATE_EPOCH is a usage error. A bad VM, remote VM or rule is reported on one line naming it, with exit status 1 and nothing on standard output; so is a rule whose "# rule=..." comment line would be longer than the 8191 bytes ipf reads of a line (a very long tag name or version).',
  ].join('\n\n');

  static override examples = [
    '<%= config.bin %> <%= command.id %> -f examples/compile/host.json',
    'cat examples/compile/host.json | <%= config.bin %> <%= command.id %> -j',
    'SOURCE_DATE_EPOCH=0 <%= config.bin %> <%= command.id %> --event-log -f examples/compile/host.json',
  ];

  static override flags = {
    file: fileFlag('the payload'),
    json: jsonFlag('Print {"<vm uuid>": {"ipf": "...", "ipf6": "..."}} as JSON.'),
    'event-log': Flags.boolean({
      summary: 'Write for an event-logging ipfilter (/dev/ipfev): smartos_ipf_version 2, set-tag(uuid=...) and cfwlog.',
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Compile);
    const date = generationDate(this.io.env);
    const payload = await readJsonInput(this.io, flags.file);
    const input: CompileInput = parseCompilePayload(payload);
    const files = compileFirewallPieces(input, { eventLog: flags['event-log'], date });
    await (flags.json ? writeFilesAsJson : writeFilesAsText)(files, this.io.stdout);
  }
}
