/** Entry of the fwadm CLI (bundled to dist/fwadm.js). */
import { FWADM } from '../commands/fwadm';
import { lintRule } from '../core/fwrule/lint';
import { compileFirewall } from '../core/ipf/compile';
import { parseCompilePayload } from '../core/ipf/payload';
import { translate } from '../core/nft/firewall';
import { startCli } from './start';
import host from '../../examples/compile/host.json';

startCli({
  ...FWADM,
  warmUp() {
    for (let i = 0; i < 3; i++) {
      const input = parseCompilePayload(host);
      // on the linux host, the files are translated for nftables too
      for (const f of compileFirewall(input, { eventLog: i === 1, date: new Date(0) })) translate(f.ipf, f.ipf6);
      for (const rule of input.rules) lintRule(rule.rule);
    }
  },
});
