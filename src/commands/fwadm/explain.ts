/**
 * `fwadm explain <vm uuid> in|out <protocol> <peer> [port | type[:code]]`:
 * which rule decides a packet for a VM, and why (core/fw/explain), from
 * the stored state or from a compile payload (-f, as `fwadm compile`
 * reads it). Reads only.
 */
import { Args, Flags } from '@oclif/core';
import { withApp } from '../../cli/app';
import { readJsonInput } from '../../cli/input';
import { printJson } from '../../cli/output';
import { explain, packetFromWords } from '../../core/fw/explain';
import { decisionJson, formatDecision } from '../../core/fw/explain-format';
import type { CompileInput } from '../../core/ipf/model';
import { parseCompilePayload } from '../../core/ipf/payload';
import { checkUuid, commonFlags, FwCommand, wordsOf } from './common';

export default class Explain extends FwCommand {
  static override summary = 'Say which rule decides a packet for a VM, and why.';

  static override description = [
    'Decides one packet as the VM\'s ipf.conf (IPv4 peer) or ipf6.conf (IPv6 peer) would, from the rules\' meaning (fwrule(7)): "in" is a packet from PEER to the VM, "out" one from the VM to PEER. PORT is the destination port (the VM\'s for in, the peer\'s for out); an ICMP TYPE may carry a CODE (TYPE:CODE, 0 when left out); ah and esp take neither. The packet is the first of an exchange (a TCP SYN): the answer says apart whether its replies pass, by the state ipf keeps or as packets of the other direction.',
    'Prints the verdict, ALLOW or BLOCK, on the first line; then "rule <uuid>: <rule text>" and "matched: <target>" (the target of the rule\'s other side that names PEER: any, ip, subnet, tag, vm or all vms, with the local or remote VM that has the address), or "fallback: <ipf line>" (block in all, the outbound passes, the IPv6 essentials); then "replies: ..." and "note: ..." lines. Among the rules that name the packet, the highest PRIORITY decides; at equal priority an outbound BLOCK comes before an ALLOW and an inbound ALLOW before a BLOCK, as SmartOS orders the lines; a priority-0 outbound ALLOW or inbound BLOCK writes no line and leaves the packet to the fallbacks. Only enabled rules count, an owner\'s rules name only that owner\'s VMs. A VM whose firewall is disabled: ALLOW, every packet passes.',
    'Reads the stored rules, VMs and remote VMs (--root), or with -f a {"vms", "rules", "remoteVMs"} payload as fwadm compile reads it. -j prints {"vm", "packet", "verdict", "by", "file", "rule", "matched", "fallback", "reply", "notes"}. A bad argument is a usage error (exit status 2) naming it; an unknown VM: VM "<uuid>" not found, exit status 1.',
  ].join('\n\n');

  static override usage = '[-f FILE] [-j] [--root DIR] VM in|out PROTOCOL PEER [PORT | TYPE[:CODE]]';

  static override examples = [
    '<%= config.bin %> <%= command.id %> --root examples/fwadm/state 5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11 in tcp 203.0.113.9 443',
    '<%= config.bin %> <%= command.id %> --root examples/fwadm/state 5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11 in tcp 2001:db8::99 80',
    '<%= config.bin %> <%= command.id %> --root examples/fwadm/state 5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11 in icmp6 fe80::1 135',
    '<%= config.bin %> <%= command.id %> --root examples/fwadm/state -j 5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11 out udp 10.0.0.53 53',
    '<%= config.bin %> <%= command.id %> -f examples/compile/host.json 6a1d1b3f-1a4b-4c2d-8e7f-9a0b1c2d3e22 in tcp 10.0.0.10 5432',
  ];

  static override strict = false;

  static override args = {
    vm: Args.string({ description: 'The VM\'s uuid (a VM of this host, or of the -f payload).', ignoreStdin: true }),
    direction: Args.string({ description: 'in: from PEER to the VM; out: from the VM to PEER.' }),
    protocol: Args.string({ description: 'tcp, udp, icmp, icmp6, ah or esp.' }),
    peer: Args.string({ description: 'The other end\'s IPv4 or IPv6 address.' }),
    port: Args.string({ description: 'tcp, udp: the destination port; icmp, icmp6: TYPE or TYPE:CODE; ah, esp: none.' }),
  };

  static override flags = {
    ...commonFlags,
    file: Flags.string({
      char: 'f',
      summary: 'Explain on a {"vms", "rules", "remoteVMs"} payload read from FILE ("-": standard input), as fwadm compile reads it, instead of the stored state.',
      helpValue: 'FILE',
    }),
  };

  async run(): Promise<void> {
    const parsed = await this.parse(Explain);
    const { flags } = parsed;
    const [uuidArg, ...words] = wordsOf(parsed);
    const uuid = checkUuid(uuidArg);
    const packet = packetFromWords(words);
    const decision = flags.file !== undefined
      ? explain(parseCompilePayload(await readJsonInput(this.io, flags.file)), uuid, packet)
      : await withApp(this.io, flags.root, false, async (rt, app) => {
        const input: CompileInput = app.compileInputOf(await app.readState(rt));
        return explain(input, uuid, packet);
      });
    if (flags.json) printJson(this.io, decisionJson(decision));
    else this.io.stdout.write(formatDecision(decision));
  }
}
