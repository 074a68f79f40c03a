/** Entry of the fwadm CLI (bundled to dist/fwadm.js). */
import { COMMANDS } from '../commands/fwadm';
import { startCli } from './start';

startCli({
  bin: 'fwadm',
  description: 'Manage SmartOS-style firewall rules (fwrule(7)) and compile them to ipf.conf / ipf6.conf, IPv4 and IPv6.',
  commands: COMMANDS,
  topics: {},
});
