/** Every vmadm command, by oclif id, and the vmadm CLI they make. */
import type { CliDefinition, CommandMap } from '../../cli/runner';
import { prepareArgv } from './argv';
import { usageText } from './usage';
import Console from './console';
import Create from './create';
import CreateSnapshot from './create-snapshot';
import Delete from './delete';
import DeleteSnapshot from './delete-snapshot';
import Events from './events';
import Get from './get';
import Info from './info';
import Kill from './kill';
import List from './list';
import Lookup from './lookup';
import Reboot from './reboot';
import Receive from './receive';
import Reprovision from './reprovision';
import RollbackSnapshot from './rollback-snapshot';
import Send from './send';
import Start from './start';
import Stop from './stop';
import Sysrq from './sysrq';
import Update from './update';
import ValidateCreate from './validate/create';
import ValidateUpdate from './validate/update';

export const COMMANDS: CommandMap = {
  console: Console,
  create: Create,
  'create-snapshot': CreateSnapshot,
  delete: Delete,
  'delete-snapshot': DeleteSnapshot,
  events: Events,
  get: Get,
  info: Info,
  kill: Kill,
  list: List,
  lookup: Lookup,
  reboot: Reboot,
  receive: Receive,
  reprovision: Reprovision,
  'rollback-snapshot': RollbackSnapshot,
  send: Send,
  start: Start,
  stop: Stop,
  sysrq: Sysrq,
  update: Update,
  'validate:create': ValidateCreate,
  'validate:update': ValidateUpdate,
};

/** The vmadm CLI, less its version (bin/vmadm.ts adds the package's). */
export const VMADM: Omit<CliDefinition, 'version'> = {
  bin: 'vmadm',
  description: 'Create and validate SmartOS-style VMs and zones from JSON specs, IPv4 and IPv6 side by side (vmadm(8), RFD 11).',
  commands: COMMANDS,
  unknownCommand: (name) => `Invalid command: ${name}.`,
  usage: () => usageText(COMMANDS),
  prepareArgv: (argv) => prepareArgv(argv, COMMANDS),
  topics: {
    validate: { description: 'Check a create or update payload without touching any VM.' },
  },
};
