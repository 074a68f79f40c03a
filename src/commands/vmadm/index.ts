/** Every vmadm command, by oclif id. */
import type { CommandMap } from '../../bin/cli';

export const COMMANDS: CommandMap = {};
