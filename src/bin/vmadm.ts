/** Entry of the vmadm CLI (bundled to dist/vmadm.js). */
import { VMADM } from '../commands/vmadm';
import { validateCreate, validateUpdate } from '../core/vmspec/validate';
import { startCli } from './start';
import dualStack from '../../examples/vms/dual-stack-zone.json';
import addNic from '../../examples/vms/update-add-nic.json';

startCli({
  ...VMADM,
  warmUp() {
    for (let i = 0; i < 3; i++) {
      validateCreate(dualStack);
      validateUpdate(addNic, 'joyent');
    }
  },
});
