/** Entry of the vmadm CLI (bundled to dist/vmadm.js). */
import { COMMANDS } from '../commands/vmadm';
import { validateCreate, validateUpdate } from '../core/vmspec/validate';
import { startCli } from './start';
import dualStack from '../../examples/vms/dual-stack-zone.json';
import addNic from '../../examples/vms/update-add-nic.json';

startCli({
  bin: 'vmadm',
  description: 'Create and validate SmartOS-style VMs and zones from JSON specs, IPv4 and IPv6 side by side (vmadm(8), RFD 11).',
  commands: COMMANDS,
  unknownCommand: (name) => `Invalid command: ${name}.`,
  topics: {
    validate: { description: 'Check a create or update payload without touching any VM.' },
  },
  warmUp() {
    for (let i = 0; i < 3; i++) {
      validateCreate(dualStack);
      validateUpdate(addNic, 'joyent');
    }
  },
});
