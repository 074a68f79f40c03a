/**
 * What the stateful vmadm commands share: the --root flag, the state store
 * and host they act on, the UUID argument check, the VmEnv the pure model
 * is given, and how success lines and notes are printed.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { Flags } from '@oclif/core';
import { NotFoundError, UsageError } from '../core/errors';
import type { VmEnv } from '../core/vm/env';
import type { VmRecord } from '../core/vm/record';
import type { Host, ZoneRef } from '../hosts/host';
import type { VmStore } from '../store/vm-store';

/** `--root DIR` (or VMADM_ROOT): where VM records and the local host's zones live. */
export const rootFlag = Flags.string({
  summary: 'State root: where VM records (and, on the embedded local host, zones) live. Default: $VMADM_ROOT, else $XDG_STATE_HOME/vmadm (~/.local/state/vmadm); /var/vmadm on illumos.',
  helpValue: 'DIR',
});

/** -v/--verbose and -d/--debug: accepted by every command, as SmartOS vmadm does; no visible effect. */
export const quietFlags = {
  verbose: Flags.boolean({ char: 'v', hidden: true }),
  debug: Flags.boolean({ char: 'd', hidden: true }),
};

export interface VmContext {
  store: VmStore;
  host: Host;
}

/**
 * The store and host of this run. They are loaded here, on first use, not
 * when the command is: their file-writing and locking libraries install
 * signal handlers when loaded, which a startup snapshot cannot hold.
 */
export function openContext(flagRoot: string | undefined, env: NodeJS.ProcessEnv = process.env): VmContext {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { hostKind, stateRoot } = require('../store/root') as typeof import('../store/root');
  const { VmStore } = require('../store/vm-store') as typeof import('../store/vm-store');
  const { selectHost } = require('../hosts/host') as typeof import('../hosts/host');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const kind = hostKind(env);
  const root = stateRoot(flagRoot, kind, env);
  // VMADM_ALTROOT (illumos): where the host's filesystem (its /zones) is mounted, as zoneadm -R
  const altroot = kind === 'illumos' && env.VMADM_ALTROOT ? path.resolve(env.VMADM_ALTROOT) : '';
  return { store: new VmStore(root, kind, altroot), host: selectHost(kind, root, env) };
}

/** The firewall module (store/firewall), loaded on first use for the same reason as openContext's. */
export function firewallModule(): typeof import('../store/firewall') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('../store/firewall') as typeof import('../store/firewall');
}

/** The VmEnv of a change made now. */
export function vmEnv(store: VmStore): VmEnv {
  return {
    now: new Date(),
    newUuid: () => randomUUID(),
    randomBytes: (n) => new Uint8Array(randomBytes(n)),
    zonepathOf: (zpool, uuid) => store.zonepathOf(zpool, uuid),
  };
}

/**
 * The UUID argument as SmartOS checks it: 36 characters with `-` at 8, 13,
 * 18 and 23, else the usage error `Invalid or missing UUID for <command>`.
 */
export function checkUuidArg(uuid: string | undefined, command: string): string {
  if (typeof uuid === 'string' && uuid.length === 36 && uuid[8] === '-' && uuid[13] === '-' && uuid[18] === '-' && uuid[23] === '-') {
    return uuid;
  }
  throw new UsageError(`Invalid or missing UUID for ${command}`);
}

/** The command word as the user typed it (an alias such as `json` or `halt`), else the command's own name. */
export function typedCommand(id: string, aliases: readonly string[]): string {
  const typed = process.argv[2];
  return typed !== undefined && (typed === id || aliases.includes(typed)) ? typed : id;
}

/** The VM, or `VM <uuid> not found` (exit 1). */
export function mustGet(store: VmStore, uuid: string, message = `VM ${uuid} not found`): VmRecord {
  const vm = store.get(uuid) ?? (uuid !== uuid.toLowerCase() ? store.get(uuid.toLowerCase()) : undefined);
  if (!vm) throw new NotFoundError(message);
  return vm;
}

export function zoneOf(vm: VmRecord): ZoneRef {
  return { zonename: vm.zonename, uuid: vm.uuid, zonepath: vm.zonepath, brand: vm.brand };
}

/** The success line first (tools match it at the start of stderr), then one `note:` line per note. */
export function printSuccess(line: string, notes: readonly string[] = []): void {
  process.stderr.write([line, ...notes.map((n) => `note: ${n}`)].join('\n') + '\n');
}

/** Notes alone (after a refused payload's report). */
export function printNotes(notes: readonly string[]): void {
  if (notes.length > 0) process.stderr.write(notes.map((n) => `note: ${n}\n`).join(''));
}
