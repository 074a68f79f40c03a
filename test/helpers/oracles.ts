/**
 * What the firewall of a VM says of a packet, by two independent readings,
 * for the real-traffic tests to hold the kernel's answer against: the ipf
 * evaluator (test/helpers/ipf-eval.ts) reads the VM's generated ipf
 * files; `fwadm explain` (src/core/fw/explain.ts) decides from the stored
 * rules' meaning. A VM whose firewall is off, or a remote VM (whose
 * firewall is on its own host), passes all. For an `in` packet the VM is
 * the receiver, for `out` the sender.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compileInputOf, openRuntime, readState } from '../../src/app';
import { explain } from '../../src/core/fw/explain';
import { parseAddress } from '../../src/core/net/address';
import { evaluate } from './ipf-eval';
import type { Oracle } from './probes';

export function oracles(root: string, env: NodeJS.ProcessEnv): Record<string, Oracle> {
  return {
    'the ipf evaluator': (vm, packet) => {
      const dir = path.join(root, 'zones', vm, 'config');
      if (!fs.existsSync(path.join(dir, 'ipf.conf'))) return true;
      const probe = { direction: packet.dir, protocol: packet.proto, peer: packet.peer, port: packet.port, icmpType: packet.type };
      return evaluate(fs.readFileSync(path.join(dir, 'ipf.conf'), 'utf8'), fs.readFileSync(path.join(dir, 'ipf6.conf'), 'utf8'), probe).verdict === 'pass';
    },
    'fwadm explain': async (vm, packet) => {
      const input = compileInputOf(await readState(openRuntime({ root, env })));
      if (!input.vms.some((v) => v.uuid === vm)) return true;
      const icmp = packet.type === undefined ? undefined : { type: packet.type, code: 0 };
      const d = explain(input, vm, { direction: packet.dir, protocol: packet.proto, peer: parseAddress(packet.peer), port: packet.port, icmp });
      return d.verdict === 'allow';
    },
  };
}
