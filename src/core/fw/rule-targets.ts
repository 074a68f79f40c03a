/**
 * What a stored rule names, without parsing it: the keys of its VM targets
 * (`vm <uuid>`, `tag name`, `tag name = value`, `all vms`) on each side,
 * and rules rebuilt from their stored JSON whose `parsed` meaning is made
 * from the canonical text only when something asks for it. Pure.
 *
 * The rule store's cache (store/fw-store) keeps each rule's JSON and keys,
 * so a command that only lists rules, or only needs the few rules that
 * name some VMs, parses none or few of them.
 */
import { parseRule } from '../fwrule/parse';
import { parseAddress, parseCidr } from '../net/address';
import type { FwRule, ParsedRule, Target } from '../fwrule/types';
import type { RuleJson } from './rules';

/**
 * One side's VM target keys: `a` (all vms), `v<uuid>`, `t<name>` (bare
 * tag), `t<name>\0<value>` (tag = value); each once, in target order.
 */
export type SideKeys = readonly string[];

export interface RuleKeys {
  readonly from: SideKeys;
  readonly to: SideKeys;
}

/** `name` for a bare tag, `name` NUL `value` for `tag name = value`. */
export function tagKey(name: string, value?: string): string {
  return value === undefined ? name : `${name}\u0000${value}`;
}

/** The key of a VM target, undefined for any, ip and subnet targets. */
function targetKey(t: Target): string | undefined {
  switch (t.kind) {
    case 'allvms': return 'a';
    case 'vm': return `v${t.uuid}`;
    case 'tag': return `t${tagKey(t.name, t.value)}`;
    default: return undefined;
  }
}

function sideKeys(side: readonly Target[]): string[] {
  const out: string[] = [];
  for (const t of side) {
    const k = targetKey(t);
    if (k !== undefined && !out.includes(k)) out.push(k);
  }
  return out;
}

/** The keys of a parsed rule's VM targets. */
export function keysOf(parsed: ParsedRule): RuleKeys {
  return { from: sideKeys(parsed.from), to: sideKeys(parsed.to) };
}

/**
 * A rule's meaning as JSON text (addresses as their canonical text), which
 * reviveMeaning turns back into the meaning parseRule gives, much faster
 * than parsing the rule text.
 */
export function meaningText(parsed: ParsedRule): string {
  return JSON.stringify(parsed);
}

type TargetJson =
  | { kind: 'ip'; address: { text: string } }
  | { kind: 'subnet'; cidr: { address: { text: string }; prefix: number } }
  | { kind: 'any' | 'allvms' | 'tag' | 'vm' };

function reviveTarget(t: TargetJson): Target {
  switch (t.kind) {
    case 'ip': return { kind: 'ip', address: parseAddress(t.address.text) };
    case 'subnet': return { kind: 'subnet', cidr: parseCidr(`${t.cidr.address.text}/${t.cidr.prefix}`, 'reject') };
    case 'any': case 'allvms': case 'tag': case 'vm': return t as Target;
    default: throw new Error(`unknown target kind ${JSON.stringify((t as { kind: unknown }).kind)}`);
  }
}

/** The meaning meaningText wrote. Throws on text it did not write. */
export function reviveMeaning(text: string): ParsedRule {
  const m = JSON.parse(text) as { from: TargetJson[]; to: TargetJson[] } & Omit<ParsedRule, 'from' | 'to'>;
  if (!Array.isArray(m.from) || !Array.isArray(m.to) || typeof m.protocol !== 'object' || m.protocol === null) throw new Error('not a rule meaning');
  return { from: m.from.map(reviveTarget), to: m.to.map(reviveTarget), action: m.action, protocol: m.protocol, priority: m.priority };
}

const known = new WeakMap<FwRule, RuleKeys>();

/** A rule's VM target keys: remembered for rules from the store's cache, else from its meaning (once). */
export function ruleKeys(rule: FwRule): RuleKeys {
  let keys = known.get(rule);
  if (keys === undefined) {
    keys = keysOf(rule.parsed);
    known.set(rule, keys);
  }
  return keys;
}

/**
 * The rule stored as `json` (already checked: its `rule` is canonical
 * text), with `parsed` made on first use from `meaning` (meaningText of
 * it) when given, else from the text. `where` names
 * the rule file in an error should the text no longer parse.
 */
export function lazyRule(json: RuleJson, keys: RuleKeys, where: string, fail: (message: string) => Error, meaning?: string): FwRule {
  let parsed: ParsedRule | undefined;
  const rule: FwRule = {
    uuid: json.uuid,
    version: json.version,
    enabled: json.enabled,
    ...(json.owner_uuid !== undefined ? { owner_uuid: json.owner_uuid } : undefined),
    ...(json.global === true ? { global: true as const } : undefined),
    log: json.log,
    ...(json.description !== undefined ? { description: json.description } : undefined),
    ...(json.created_by !== undefined ? { created_by: json.created_by } : undefined),
    rule: json.rule,
    get parsed(): ParsedRule {
      if (parsed === undefined && meaning !== undefined) {
        try {
          parsed = reviveMeaning(meaning);
        } catch {
          // not as written: parse the text instead
        }
      }
      if (parsed === undefined) {
        try {
          parsed = parseRule(json.rule);
        } catch (err) {
          throw fail(`${where}: ${(err as Error).message}`);
        }
      }
      return parsed;
    },
  };
  known.set(rule, keys);
  return rule;
}
