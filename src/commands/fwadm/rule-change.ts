/**
 * What add and update share: the payload (rule words on the command line,
 * or JSON from -f / stdin), and the whole change under the lock.
 */
import { readFile } from 'node:fs/promises';
import { withApp } from '../../cli/app';
import { inputName, parseJsonText, readInputText, readJsonInput } from '../../cli/input';
import type { Io } from '../../cli/io';
import { AppError, UsageError } from '../../core/errors';
import { validateRemoteVms, type RemoteVmRecord } from '../../core/fw/remote-vms';
import { isNoop, normalizePayload, withFlags, type FwPayload, type RuleFlags, type RulePlan } from '../../core/fw/rules';
import type { FwRule } from '../../core/fwrule/types';
import type { RuleChangePlan, StoredState } from '../../app';
import { printChange } from './common';

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
export async function readRawPayload(io: Io, file: string | undefined, usageExit: boolean): Promise<unknown> {
  const fail = (message: string): never => {
    throw usageExit ? new UsageError(message) : new AppError(message);
  };
  if (file === undefined && io.stdin.isTTY) fail('Must supply file!');
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
  return readJsonInput(io, '-');
}

/** The payload of -f FILE or stdin, normalised, with -e/-g/-O/--desc applied to every rule. */
export async function readPayload(io: Io, flags: RuleCommandFlags, usageExit: boolean): Promise<FwPayload> {
  return flagged(normalizePayload(await readRawPayload(io, flags.file, usageExit)), flags);
}

/** -e/-g/-O/--desc applied to every rule of a payload. */
export function flagged(payload: FwPayload, flags: RuleCommandFlags): FwPayload {
  const rf = ruleFlagsOf(flags);
  return payload.rules ? { ...payload, rules: payload.rules.map((r) => withFlags(r, rf)) } : payload;
}

/** Whether standard input is a pipe or file that holds something (not a terminal, not empty). */
export async function stdinText(io: Io): Promise<string | undefined> {
  if (io.stdin.isTTY) return undefined;
  const text = await readInputText(io, '-');
  return text.trim() === '' ? undefined : text;
}

export function usage(message: string): never {
  throw new UsageError(message);
}

/** A rule change as add and update plan it: the core's rule plan, and what is stored. */
interface PayloadPlan extends RuleChangePlan {
  readonly rulePlan: RulePlan;
  /** Remote VMs added or replaced (listed when the payload has remoteVMs). */
  readonly listedRvms?: string[];
  readonly noop: boolean;
}

/**
 * Run a rule change: `plan` gets the stored rules and gives the new set;
 * remote VMs of the payload are added (add) or replaced (update).
 */
export async function runRuleChange(
  io: Io,
  action: 'Added' | 'Updated',
  flags: RuleCommandFlags,
  payload: FwPayload,
  plan: (rules: readonly FwRule[]) => RulePlan,
): Promise<void> {
  const rulesOnly = payload.remoteVMs === undefined && payload.localVMs === undefined;
  const planner = (stored: StoredState): PayloadPlan => {
    const rulePlan = plan(stored.rules);
    const localUuids = new Set(stored.vms.map((vm) => vm.uuid));
    const rvms = payload.remoteVMs ? validateRemoteVms(payload.remoteVMs, localUuids) : [];
    if (action === 'Updated') {
      const known = new Set(stored.remoteVms.map((r) => r.uuid));
      const unknown = rvms.filter((r) => !known.has(r.uuid));
      if (unknown.length > 0) throw new AppError(unknown.map((r) => `Unknown remote VM "${r.uuid}"`));
    }
    const forceVms: string[] = [];
    for (const raw of payload.localVMs ?? []) {
      const uuid = (raw as { uuid?: unknown } | null)?.uuid;
      if (typeof uuid !== 'string' || !localUuids.has(uuid)) throw new AppError(`Could not find VM "${String(uuid)}" in VM list`);
      forceVms.push(uuid);
    }
    const storedRvms = new Map(stored.remoteVms.map((r) => [r.uuid, r]));
    const changedRvms: RemoteVmRecord[] = rvms.filter((r) => JSON.stringify(storedRvms.get(r.uuid)) !== JSON.stringify(r));
    for (const r of changedRvms) storedRvms.set(r.uuid, r);
    return {
      rulePlan,
      rules: rulePlan.rules,
      remoteVms: [...storedRvms.values()],
      putRules: rulePlan.changed,
      deleteRules: [],
      putRemoteVms: changedRvms,
      deleteRemoteVms: [],
      forceVms,
      listedRvms: payload.remoteVMs ? changedRvms.map((r) => r.uuid) : undefined,
      noop: rulesOnly && isNoop(rulePlan),
    };
  };
  // Rules that all name their uuid may be stored already as they are (a
  // repeated add): that is decided from one read of the store (what list
  // reads), without the lock, when nothing is left to finish.
  const named = (payload.rules ?? []).every((r) => typeof (r as { uuid?: unknown } | null)?.uuid === 'string');
  const done = await withApp(io, flags.root, true, (rt, app) =>
    app.changeRules(rt, `fwadm ${action === 'Added' ? 'add' : 'update'}`, planner, { dryrun: flags.dryrun, isNoop: (p) => p.noop, quick: rulesOnly && named }),
  );
  const p = done.value.plan;
  const res = p.noop ? { rules: [] } : { rules: p.rulePlan.changed, remoteVms: p.listedRvms };
  printChange(io, action, res, done, flags);
}
