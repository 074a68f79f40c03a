/** Every vmadm command, by oclif id. */
import type { CommandMap } from '../../bin/cli';
import ValidateCreate from './validate/create';
import ValidateUpdate from './validate/update';

export const COMMANDS: CommandMap = {
  'validate:create': ValidateCreate,
  'validate:update': ValidateUpdate,
};
