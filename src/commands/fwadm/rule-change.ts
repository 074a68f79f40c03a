/**
 * What add and update share: the payload (rule words on the command line,
 * or JSON from -f / stdin), and the whole change under the lock.
 */
import { readFile } from 'node:fs/promises';
import { inputName, parseJsonText, readInputText, readJsonInput } from '../../cli/input';
import { UsageError } from '../../core/errors';
import { FwError } from '../../core/fw/errors';
import { validateRemoteVms, type RemoteVmRecord } from '../../core/fw/remote-vms';
import { isNoop, normalizePayload, withFlags, type FwPayload, type RuleFlags, type RulePlan } from '../../core/fw/rules';
import type { FwRule } from '../../core/fwrule/types';
import type { FwSnapshot } from '../../store/firewall';
import { firewallModule, openFirewall, printChange } from './common';

export interface RuleCommandFlags {
  file?: string;
  enable?: boolean;
  global?: boolean;
  owner_uuid?: string;
  description?: string;
  dryrun?: boolean;
  json?: boolean;
  stdout?: boolean;
  verbose?: boolean;
  root?: string;
}

export function ruleFlagsOf(flags: RuleCommandFlags): RuleFlags {
  return { enable: flags.enable, global: flags.global, owner_uuid: flags.owner_uuid, description: flags.description };
}

/**
 * The JSON payload of -f FILE or stdin (cli.js getPayload): no -f and a
 * terminal on stdin is `Must supply file!`; a file that is not there is
 * `File "<f>" does not exist.`; another read failure `Error reading
 * "<f>": <reason>`. `add` prints these with exit status 1, `update` with
 * 2 (as SmartOS does). Invalid JSON: the one-line error, exit status 1.
 */
export async function readRawPayload(file: string | undefined, usageExit: boolean): Promise<unknown> {
  const fail = (message: string): never => {
    throw usageExit ? new UsageError(message) : new FwError(message);
  };
  if (file === undefined && process.stdin.isTTY) fail('Must supply file!');
  const name = file ?? '-';
  if (name !== '-') {
    let text: string;
    try {
      text = await readFile(name, 'utf8');
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      return fail(e.code === 'ENOENT' ? `File "${name}" does not exist.` : `Error reading "${name}": ${e.code === 'EISDIR' ? 'EISDIR: illegal operation on a directory, read' : e.message}`);
    }
    return parseJsonText(text, inputName(name));
  }
  return readJsonInput('-');
}

/** The payload of -f FILE or stdin, normalised, with -e/-g/-O/--desc applied to every rule. */
export async function readPayload(flags: RuleCommandFlags, usageExit: boolean): Promise<FwPayload> {
  return flagged(normalizePayload(await readRawPayload(flags.file, usageExit)), flags);
}

/** -e/-g/-O/--desc applied to every rule of a payload. */
export function flagged(payload: FwPayload, flags: RuleCommandFlags): FwPayload {
  const rf = ruleFlagsOf(flags);
  return payload.rules ? { ...payload, rules: payload.rules.map((r) => withFlags(r, rf)) } : payload;
}

/** Whether standard input is a pipe or file that holds something (not a terminal, not empty). */
export async function stdinText(): Promise<string | undefined> {
  if (process.stdin.isTTY) return undefined;
  const text = await readInputText('-');
  return text.trim() === '' ? undefined : text;
}

export function usage(message: string): never {
  throw new UsageError(message);
}

/**
 * Run a rule change: `plan` gets the stored rules and gives the new set;
 * remote VMs of the payload are added (add) or replaced (update).
 */
export async function runRuleChange(
  action: 'Added' | 'Updated',
  flags: RuleCommandFlags,
  payload: FwPayload,
  plan: (rules: readonly FwRule[]) => RulePlan,
): Promise<void> {
  const env = openFirewall(flags.root);
  const fwm = firewallModule();
  const rulesOnly = payload.remoteVMs === undefined && payload.localVMs === undefined;
  /** Nothing stored changes, so no VM's files do: print that, read no VM. */
  const noop = (rulePlan: RulePlan): boolean => {
    if (!rulesOnly || !isNoop(rulePlan)) return false;
    printChange(action, { rules: [] }, { vms: [], files: [], failures: [] }, flags);
    return true;
  };
  // Rules that all name their uuid may be stored already as they are (a
  // repeated add): that is decided from one read of the store (what list
  // reads), without the lock. Anything else is done under the lock.
  const named = (payload.rules ?? []).every((r) => typeof (r as { uuid?: unknown } | null)?.uuid === 'string');
  if (rulesOnly && named && noop(plan((await fwm.readStored(env)).rules))) return;
  await env.fw.withLock(async () => {
    const stored = await env.fw.load();
    const rulePlan = plan(stored.rules);
    if (noop(rulePlan)) return;
    const before: FwSnapshot = { ...stored, vms: env.store.list() };
    const localUuids = new Set(before.vms.map((vm) => vm.uuid));
    const rvms = payload.remoteVMs ? validateRemoteVms(payload.remoteVMs, localUuids) : [];
    if (action === 'Updated') {
      const known = new Set(before.remoteVms.map((r) => r.uuid));
      const unknown = rvms.filter((r) => !known.has(r.uuid));
      if (unknown.length > 0) throw new FwError(unknown.map((r) => `Unknown remote VM "${r.uuid}"`));
    }
    const forceVms: string[] = [];
    for (const raw of payload.localVMs ?? []) {
      const uuid = (raw as { uuid?: unknown } | null)?.uuid;
      if (typeof uuid !== 'string' || !localUuids.has(uuid)) throw new FwError(`Could not find VM "${String(uuid)}" in VM list`);
      forceVms.push(uuid);
    }
    const storedRvms = new Map(before.remoteVms.map((r) => [r.uuid, r]));
    const changedRvms: RemoteVmRecord[] = rvms.filter((r) => JSON.stringify(storedRvms.get(r.uuid)) !== JSON.stringify(r));
    for (const r of changedRvms) storedRvms.set(r.uuid, r);
    const after: FwSnapshot = {
      rules: rulePlan.rules,
      remoteVms: [...storedRvms.values()],
      vms: before.vms,
    };
    const outcome = await fwm.applyFirewall(env, {
      before,
      after,
      storeChange: { putRules: rulePlan.changed, putRemoteVms: changedRvms },
      dryrun: flags.dryrun,
      forceVms,
    });
    printChange(
      action,
      { rules: rulePlan.changed, remoteVms: payload.remoteVMs ? changedRvms.map((r) => r.uuid) : undefined },
      outcome,
      flags,
    );
  });
}
