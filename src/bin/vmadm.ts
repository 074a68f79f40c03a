/** Entry of the vmadm CLI (bundled to dist/vmadm.js). */
import { COMMANDS } from '../commands/vmadm';
import { startCli } from './start';

startCli({
  bin: 'vmadm',
  description: 'Create and validate SmartOS-style VMs and zones from JSON specs, IPv4 and IPv6 side by side (vmadm(8), RFD 11).',
  commands: COMMANDS,
  topics: {
    validate: { description: 'Check a create or update payload without touching any VM.' },
  },
});
