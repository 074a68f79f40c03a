/** Every fwadm command, by oclif id. */
import type { CommandMap } from '../../bin/cli';
import Compile from './compile';
import Lint from './lint';

export const COMMANDS: CommandMap = {
  compile: Compile,
  lint: Lint,
};
