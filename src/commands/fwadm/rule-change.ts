/**
 * What add and update share: the payload (rule words on the command line,
 * or JSON from -f / stdin), and the whole change under the lock.
 */
import { readJsonInput } from '../../cli/input';
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

/** The payload of -f FILE or stdin, normalised, with -e/-g/-O/--desc applied to every rule. */
export async function readPayload(flags: RuleCommandFlags, missing: () => never): Promise<FwPayload> {
  if (flags.file === undefined && process.stdin.isTTY) missing();
  const raw = await readJsonInput(flags.file);
  const payload = normalizePayload(raw);
  const rf = ruleFlagsOf(flags);
  return payload.rules ? { ...payload, rules: payload.rules.map((r) => withFlags(r, rf)) } : payload;
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
