/** Entry of the fwadm CLI (bundled to dist/fwadm.js). */
import { COMMANDS } from '../commands/fwadm';
import { prepareArgv } from '../commands/fwadm/argv';
import { lintRule } from '../core/fwrule/lint';
import { compileFirewall } from '../core/ipf/compile';
import { parseCompilePayload } from '../core/ipf/payload';
import { startCli } from './start';
import host from '../../examples/compile/host.json';

startCli({
  bin: 'fwadm',
  description: 'Manage SmartOS-style firewall rules (fwrule(7)) and compile them to ipf.conf / ipf6.conf, IPv4 and IPv6.',
  commands: COMMANDS,
  unknownCommand: (name) => `unknown command: ${name}`,
  topics: {},
  prepareArgv: (argv) => prepareArgv(argv, Object.keys(COMMANDS)),
  warmUp() {
    for (let i = 0; i < 3; i++) {
      const input = parseCompilePayload(host);
      compileFirewall(input, { eventLog: i === 1, date: new Date(0) });
      for (const rule of input.rules) lintRule(rule.rule);
    }
  },
});
