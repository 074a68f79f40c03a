/** Every fwadm command, by oclif id, and the fwadm CLI they make. */
import type { CliDefinition, CommandMap } from '../../cli/runner';
import { prepareArgv } from './argv';
import { usageText } from './usage';
import Add from './add';
import AddRvm from './add-rvm';
import Compile from './compile';
import Delete from './delete';
import DeleteRvm from './delete-rvm';
import Disable from './disable';
import Enable from './enable';
import Explain from './explain';
import Get from './get';
import GetRvm from './get-rvm';
import Lint from './lint';
import List from './list';
import ListRvms from './list-rvms';
import Rules from './rules';
import RvmRules from './rvm-rules';
import Start from './start';
import Stats from './stats';
import Status from './status';
import Stop from './stop';
import Update from './update';
import Vms from './vms';

export const COMMANDS: CommandMap = {
  add: Add,
  'add-rvm': AddRvm,
  compile: Compile,
  delete: Delete,
  'delete-rvm': DeleteRvm,
  disable: Disable,
  enable: Enable,
  explain: Explain,
  get: Get,
  'get-rvm': GetRvm,
  lint: Lint,
  list: List,
  'list-rvms': ListRvms,
  rules: Rules,
  'rvm-rules': RvmRules,
  start: Start,
  stats: Stats,
  status: Status,
  stop: Stop,
  update: Update,
  vms: Vms,
};

/** The fwadm CLI, less its version (bin/fwadm.ts adds the package's). */
export const FWADM: Omit<CliDefinition, 'version'> = {
  bin: 'fwadm',
  description: 'Manage SmartOS-style firewall rules (fwrule(7)) and compile them to ipf.conf / ipf6.conf, IPv4 and IPv6.',
  commands: COMMANDS,
  unknownCommand: (name) => `unknown command: ${name}`,
  topics: {},
  prepareArgv: (argv) => prepareArgv(argv, Object.keys(COMMANDS)),
  usage: () => usageText(FWADM.description, COMMANDS),
};
