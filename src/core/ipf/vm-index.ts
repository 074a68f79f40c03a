/**
 * Which VMs a rule's side names: local VMs (the ones that get files) and
 * the VMs behind `tag`, `vm` and `all vms` targets on the other side
 * (local first, then remote). Indexed by uuid and tag so that a rule costs
 * what it matches, not the size of the host.
 */
import type { FwRule, Target } from '../fwrule/types';
import type { FwVm } from './model';

/** How an entry of the other side names its VM, for the rule comment. */
export type VmMatchType = 'tag' | 'tagValue' | 'vm' | 'wildcard';

export interface VmMatch {
  readonly vm: FwVm;
  readonly type: VmMatchType;
  /** Tag name, VM uuid, or `vmall`. */
  readonly value: string;
}

type VmTarget = Extract<Target, { kind: 'tag' | 'vm' | 'allvms' }>;

/** The order in which a side's VM targets claim a VM (first one wins). */
function claimOrder(t: Target): number {
  switch (t.kind) {
    case 'tag': return t.value === undefined ? 0 : 1;
    case 'vm': return 2;
    case 'allvms': return 3;
    default: return -1;
  }
}

function isVmTarget(t: Target): t is VmTarget {
  return claimOrder(t) >= 0;
}

export class VmIndex {
  private readonly all: readonly FwVm[];
  private readonly byUuid = new Map<string, FwVm>();
  private readonly byTag = new Map<string, FwVm[]>();
  /** `name` NUL `value`: the VMs with that tag value, in the same order. */
  private readonly byTagValue = new Map<string, FwVm[]>();

  /** `local` then `remote`, each in input order. */
  constructor(local: readonly FwVm[], remote: readonly FwVm[]) {
    this.all = [...local, ...remote];
    for (const vm of this.all) {
      this.byUuid.set(vm.uuid, vm);
      for (const [name, value] of vm.tags) {
        let list = this.byTag.get(name);
        if (!list) this.byTag.set(name, (list = []));
        list.push(vm);
        const key = `${name}\u0000${value}`;
        let byValue = this.byTagValue.get(key);
        if (!byValue) this.byTagValue.set(key, (byValue = []));
        byValue.push(vm);
      }
    }
  }

  /** VMs a target names (local first, then remote), before owner scoping. */
  private candidates(t: VmTarget): readonly FwVm[] {
    switch (t.kind) {
      case 'allvms': return this.all;
      case 'vm': {
        const vm = this.byUuid.get(t.uuid);
        return vm ? [vm] : [];
      }
      case 'tag': {
        if (t.value === undefined) return this.byTag.get(t.name) ?? [];
        return this.byTagValue.get(`${t.name}\u0000${t.value}`) ?? [];
      }
    }
  }

  /**
   * VMs matched by a side of a rule, each once, with the first target
   * (bare tags, tag = value, vm, all vms) that claims it. Owner-scoped
   * rules match only VMs of that owner (and remote VMs without one).
   */
  matchSide(rule: FwRule, side: readonly Target[], localOnly: boolean): VmMatch[] {
    const targets = side.filter(isVmTarget);
    if (targets.length === 0) return [];
    const ordered = targets.length === 1 ? targets : [...targets].sort((a, b) => claimOrder(a) - claimOrder(b));
    const owner = rule.owner_uuid;
    const seen = new Set<string>();
    const out: VmMatch[] = [];
    for (const t of ordered) {
      const type: VmMatchType = t.kind === 'allvms' ? 'wildcard' : t.kind === 'vm' ? 'vm' : t.value === undefined ? 'tag' : 'tagValue';
      const value = t.kind === 'allvms' ? 'vmall' : t.kind === 'vm' ? t.uuid : t.name;
      for (const vm of this.candidates(t)) {
        if (localOnly && vm.remote) continue;
        if (owner !== undefined && vm.owner_uuid !== owner && !(vm.remote && vm.owner_uuid === undefined)) continue;
        if (seen.has(vm.uuid)) continue;
        seen.add(vm.uuid);
        out.push({ vm, type, value });
      }
    }
    return out;
  }
}
