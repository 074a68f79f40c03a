/** What delete, enable and disable share: uuids checked first, one change under the lock. */
import { withApp } from '../../cli/app';
import type { Io } from '../../cli/io';
import type { ChangeAction } from '../../core/fw/format';
import type { RulePlan } from '../../core/fw/rules';
import type { FwRule } from '../../core/fwrule/types';
import { checkUuids, printChange } from './common';

export interface StateFlags {
  dryrun?: boolean;
  json?: boolean;
  stdout?: boolean;
  verbose?: boolean;
  root?: string;
}

export async function runRuleState(
  io: Io,
  action: ChangeAction,
  args: readonly string[],
  flags: StateFlags,
  plan: (rules: readonly FwRule[], uuids: string[]) => RulePlan,
): Promise<void> {
  const uuids = checkUuids(args);
  const done = await withApp(io, flags.root, true, (rt, app) =>
    app.changeRules(
      rt,
      `fwadm ${action.toLowerCase().replace(/d$/, '')}`,
      (stored) => {
        const p = plan(stored.rules, uuids);
        return {
          rulePlan: p,
          rules: p.rules,
          remoteVms: stored.remoteVms,
          putRules: p.changed,
          deleteRules: p.removed.map((r) => r.uuid),
          putRemoteVms: [],
          deleteRemoteVms: [],
        };
      },
      { dryrun: flags.dryrun, isNoop: (p) => p.putRules.length === 0 && p.deleteRules.length === 0 },
    ),
  );
  const p = done.value.plan.rulePlan;
  printChange(io, action, { rules: action === 'Deleted' ? p.removed : p.changed }, done, flags);
}
