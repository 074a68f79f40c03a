/** Entry of the vmadm CLI (bundled to dist/vmadm.js). */
import { VMADM } from '../commands/vmadm';
import { compileFirewall } from '../core/ipf/compile';
import { parseCompilePayload } from '../core/ipf/payload';
import { translate } from '../core/nft/firewall';
import { validateCreate, validateUpdate } from '../core/vmspec/validate';
import { startCli } from './start';
import host from '../../examples/compile/host.json';
import dualStack from '../../examples/vms/dual-stack-zone.json';
import addNic from '../../examples/vms/update-add-nic.json';

startCli({
  ...VMADM,
  warmUp() {
    for (let i = 0; i < 3; i++) {
      validateCreate(dualStack);
      validateUpdate(addNic, 'joyent');
      // a change's firewall: its files compiled, and on the linux host translated for nftables
      for (const f of compileFirewall(parseCompilePayload(host), { eventLog: false, date: new Date(0) })) translate(f.ipf, f.ipf6);
    }
  },
});
