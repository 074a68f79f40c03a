/** Flags every command that reads input or prints data shares. */
import { Flags } from '@oclif/core';

/** `-f FILE`: read from FILE instead of standard input. */
export function fileFlag(what: string) {
  return Flags.string({ char: 'f', summary: `Read ${what} from FILE instead of standard input ("-": stdin).`, helpValue: 'FILE' });
}

/** `-j`: print data as JSON. */
export function jsonFlag(summary: string) {
  return Flags.boolean({ char: 'j', summary });
}
