/** Every fwadm command, by oclif id. */
import type { CommandMap } from '../../bin/cli';
import Lint from './lint';

export const COMMANDS: CommandMap = {
  lint: Lint,
};
