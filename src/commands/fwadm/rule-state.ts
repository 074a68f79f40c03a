/** What delete, enable and disable share: uuids checked first, one change under the lock. */
import type { ChangeAction } from '../../core/fw/format';
import type { RulePlan } from '../../core/fw/rules';
import type { FwRule } from '../../core/fwrule/types';
import { checkUuids, firewallModule, openFirewall, printChange } from './common';

export interface StateFlags {
  dryrun?: boolean;
  json?: boolean;
  stdout?: boolean;
  verbose?: boolean;
  root?: string;
}

export async function runRuleState(
  action: ChangeAction,
  args: readonly string[],
  flags: StateFlags,
  plan: (rules: readonly FwRule[], uuids: string[]) => RulePlan,
): Promise<void> {
  const uuids = checkUuids(args);
  const env = openFirewall(flags.root);
  const fwm = firewallModule();
  await env.fw.withLock(async () => {
    const before = await fwm.loadSnapshot(env);
    const p = plan(before.rules, uuids);
    const outcome = await fwm.applyFirewall(env, {
      before,
      after: { ...before, rules: p.rules },
      storeChange: { putRules: p.changed, deleteRules: p.removed.map((r) => r.uuid) },
      dryrun: flags.dryrun,
    });
    printChange(action, { rules: action === 'Deleted' ? p.removed : p.changed }, outcome, flags);
  });
}
