/** Every vmadm command, by oclif id. */
import type { CommandMap } from '../../bin/cli';
import Create from './create';
import Delete from './delete';
import Get from './get';
import List from './list';
import Lookup from './lookup';
import Reboot from './reboot';
import Start from './start';
import Stop from './stop';
import Update from './update';
import ValidateCreate from './validate/create';
import ValidateUpdate from './validate/update';

export const COMMANDS: CommandMap = {
  create: Create,
  delete: Delete,
  get: Get,
  list: List,
  lookup: Lookup,
  reboot: Reboot,
  start: Start,
  stop: Stop,
  update: Update,
  'validate:create': ValidateCreate,
  'validate:update': ValidateUpdate,
};
