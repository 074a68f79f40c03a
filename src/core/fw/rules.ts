/**
 * The rule lifecycle of fwadm (docs/fwadm-cli.md §2, §3, §5, §6): rule objects
 * from `add`/`update` payloads and flags, the stored shape, update merges,
 * enable/disable/delete, and no-op detection. Pure: the clock, the pid and
 * the uuid generator are passed in.
 *
 * Rule text and fields are checked by the one rule checker,
 * core/fwrule/rule-object.ts validateRuleObject.
 */
import { UUID_LOWER_CASE } from '../uuid';
import { validateRuleObject } from '../fwrule/rule-object';
import type { FwRule } from '../fwrule/types';
import { AppError, NotFoundError } from '../errors';
import { isObject, hasValue } from '../object';

/** Where new uuids and versions come from (`version` = `<now>.<pid padded to 6>`). */
export interface RuleDeps {
  /** Milliseconds since the epoch. */
  readonly now: number;
  readonly pid: number;
  readonly newUuid: () => string;
}

/** The `add`/`update` flags that apply to every rule of the payload. */
export interface RuleFlags {
  /** -e/--enable: `enabled: true`. */
  readonly enable?: boolean;
  /** -g/--global: `global: true`. */
  readonly global?: boolean;
  /** -O/--owner_uuid. */
  readonly owner_uuid?: string;
  /** --desc/--description (stored here; SmartOS ignores it). */
  readonly description?: string;
}

/** A rule as stored (`<root>/fw/rules/<uuid>.json`) and shown by get / list -j, in this key order. */
export interface RuleJson {
  created_by?: string;
  description?: string;
  enabled: boolean;
  global?: true;
  log: boolean;
  owner_uuid?: string;
  rule: string;
  uuid: string;
  version: string;
}

/** The fields of a rule object, in stored key order. */
export const RULE_FIELDS = [
  'created_by', 'description', 'enabled', 'global', 'log', 'owner_uuid', 'rule', 'uuid', 'version',
] as const;
export type RuleField = (typeof RULE_FIELDS)[number];

/** The stored shape, keys in §5 order, optional keys only when set. */
export function ruleToJson(r: FwRule): RuleJson {
  const out: Partial<RuleJson> = {};
  if (r.created_by !== undefined) out.created_by = r.created_by;
  if (r.description !== undefined) out.description = r.description;
  out.enabled = r.enabled;
  if (r.global === true) out.global = true;
  out.log = r.log;
  if (r.owner_uuid !== undefined) out.owner_uuid = r.owner_uuid;
  out.rule = r.rule;
  out.uuid = r.uuid;
  out.version = r.version;
  return out as RuleJson;
}

/**
 * A stored rule file read back (`where` names it in errors). It must have
 * its uuid and version; everything else is checked as `add` checks it.
 */
export function ruleFromJson(raw: unknown, where: string): FwRule {
  const o = raw as Record<string, unknown> | null;
  if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new AppError(`${where}: a rule must be a JSON object`);
  if (typeof o.uuid !== 'string') throw new AppError(`${where}: Invalid rule UUID`);
  if (typeof o.version !== 'string') throw new AppError(`${where}: version must be a non-empty string`);
  try {
    return validateRuleObject(o);
  } catch (err) {
    if (err instanceof AppError) throw new AppError(`${where}: ${err.message}`);
    throw err;
  }
}

/**
 * Same rule for the no-op check: same text, flags, owner, description and
 * creator (everything stored but the version).
 */
function sameRule(a: FwRule, b: FwRule): boolean {
  return (
    a.uuid === b.uuid &&
    a.rule === b.rule &&
    a.enabled === b.enabled &&
    (a.global === true) === (b.global === true) &&
    a.log === b.log &&
    a.owner_uuid === b.owner_uuid &&
    a.description === b.description &&
    a.created_by === b.created_by
  );
}

type Obj = Record<string, unknown>;

/** A `fwadm add`/`update` payload, normalised (§6). */
export interface FwPayload {
  readonly rules?: readonly unknown[];
  readonly remoteVMs?: readonly unknown[];
  readonly localVMs?: readonly unknown[];
}

/** Top-level keys that make a payload one rule object (§6). */
const SINGLE_RULE_KEYS = ['rule', 'enabled', 'description', 'owner_uuid', 'version'];

/**
 * A payload object as `add -f`/`update -f`/stdin give it: a single rule
 * object (any top-level rule, enabled, description, owner_uuid or version
 * key) becomes `{rules: [it]}`; otherwise rules, remoteVMs, localVMs (a
 * `vms` key is ignored: the live VM list is used). Throws AppError.
 */
export function normalizePayload(raw: unknown): FwPayload {
  if (!isObject(raw)) throw new AppError('Payload must contain one of: rules, localVMs, remoteVMs');
  if (SINGLE_RULE_KEYS.some((k) => hasValue(raw, k))) return { rules: [raw] };
  const out: { rules?: unknown[]; remoteVMs?: unknown[]; localVMs?: unknown[] } = {};
  for (const key of ['rules', 'remoteVMs', 'localVMs'] as const) {
    if (!hasValue(raw, key)) continue;
    const v = raw[key];
    if (!Array.isArray(v)) throw new AppError(`${key} must be an array`);
    out[key] = v;
  }
  if ((out.rules?.length ?? 0) + (out.remoteVMs?.length ?? 0) + (out.localVMs?.length ?? 0) === 0) {
    throw new AppError('Payload must contain one of: rules, localVMs, remoteVMs');
  }
  return out;
}

/** Rule text from the words left on the command line, joined by single spaces. */
function ruleTextFromArgs(args: readonly string[]): string {
  return args.join(' ');
}

/** The flags written into one rule object (§2: -e, -g, -O, --desc apply to every rule). */
export function withFlags(raw: unknown, flags: RuleFlags): unknown {
  if (!isObject(raw)) return raw;
  const out: Obj = { ...raw };
  if (flags.enable === true) out.enabled = true;
  if (flags.global === true) out.global = true;
  if (flags.owner_uuid !== undefined) out.owner_uuid = flags.owner_uuid;
  if (flags.description !== undefined) out.description = flags.description;
  return out;
}

/** `fwadm add [-e] [-g] [-O owner] [--desc d] <rule words>` as a payload. */
export function addPayloadFromArgs(args: readonly string[], flags: RuleFlags): FwPayload {
  return { rules: [withFlags({ rule: ruleTextFromArgs(args) }, flags)] };
}

/**
 * `fwadm update <uuid> [-e] [-g] [-O owner] [--desc d] [<rule words>]` as
 * a payload; no words keeps the stored rule text.
 */
export function updatePayloadFromArgs(uuid: string, args: readonly string[], flags: RuleFlags): FwPayload {
  const text = ruleTextFromArgs(args);
  return { rules: [withFlags(text === '' ? { uuid } : { uuid, rule: text }, flags)] };
}

/**
 * What a rule command does to the stored rules. `rules` is the whole set
 * after the change, sorted by uuid (the order the compiler gets rules in,
 * before and after alike).
 */
export interface RulePlan {
  /** Rules written (new or changed), in payload order: what the output lists. */
  readonly changed: readonly FwRule[];
  /** Rules removed (delete), in argument order. */
  readonly removed: readonly FwRule[];
  readonly rules: readonly FwRule[];
}

function byUuid(a: FwRule, b: FwRule): number {
  return a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0;
}

function indexRules(stored: readonly FwRule[]): Map<string, FwRule> {
  return new Map(stored.map((r) => [r.uuid, r]));
}

function finish(stored: Map<string, FwRule>, changed: FwRule[], removed: FwRule[]): RulePlan {
  for (const r of removed) stored.delete(r.uuid);
  for (const r of changed) stored.set(r.uuid, r);
  return { changed, removed, rules: [...stored.values()].sort(byUuid) };
}

function check(raw: unknown, deps: RuleDeps): FwRule {
  return validateRuleObject(raw, { newUuid: deps.newUuid, now: () => deps.now, pid: deps.pid });
}

/**
 * Keep the later of two payload rules with one uuid; keep a stored rule
 * the candidate does not change (no-op: the stored version stays).
 */
function collect(stored: Map<string, FwRule>, candidates: FwRule[]): FwRule[] {
  const last = new Map<string, FwRule>();
  for (const r of candidates) {
    last.delete(r.uuid);
    last.set(r.uuid, r);
  }
  const out: FwRule[] = [];
  for (const r of last.values()) {
    const old = stored.get(r.uuid);
    if (old === undefined || !sameRule(old, r)) out.push(r);
  }
  return out;
}

function ruleMessage(err: unknown): string {
  if (err instanceof AppError) return err.message;
  throw err;
}

/** What a rule is, but for its uuid and version: two rules alike in it filter alike. */
function contentKey(r: FwRule): string {
  return JSON.stringify([r.rule, r.enabled, r.global === true, r.log, r.owner_uuid ?? null, r.description ?? null, r.created_by ?? null]);
}

/**
 * `fwadm add`: each payload rule checked and completed (uuid from
 * deps.newUuid, version `<now>.<pid>` unless given). An existing uuid is
 * replaced whole (upsert). A rule given without a uuid that a stored rule
 * already is (same text, flags, owner, description: docs/fwadm-cli.md §0)
 * is not added again, so a repeated add, an add retried after an
 * interrupt among them, makes no duplicate. Every bad rule is reported
 * (AppError, one line each); nothing changes then.
 */
export function planAdd(stored: readonly FwRule[], rawRules: readonly unknown[], deps: RuleDeps): RulePlan {
  const errors: string[] = [];
  const candidates: FwRule[] = [];
  let existing: Set<string> | undefined;
  for (const raw of rawRules) {
    try {
      const rule = check(raw, deps);
      if (!(isObject(raw) && raw.uuid !== undefined)) {
        existing ??= new Set(stored.map(contentKey));
        if (existing.has(contentKey(rule))) continue;
      }
      candidates.push(rule);
    } catch (err) {
      errors.push(ruleMessage(err));
    }
  }
  if (errors.length > 0) throw new AppError(errors);
  const index = indexRules(stored);
  return finish(index, collect(index, candidates), []);
}

/**
 * One payload rule merged over the stored one (§3): unspecified fields
 * kept; `owner_uuid` given drops a stored `global` and `global: true`
 * drops a stored `owner_uuid`; the version is new unless given.
 */
function mergeRule(old: FwRule, update: Obj): Obj {
  const merged: Obj = { ...ruleToJson(old) };
  delete merged.version;
  for (const [k, v] of Object.entries(update)) if (v !== undefined) merged[k] = v;
  if (hasValue(update, 'owner_uuid') && !hasValue(update, 'global')) delete merged.global;
  if (update.global === true && !hasValue(update, 'owner_uuid')) delete merged.owner_uuid;
  return merged;
}

/**
 * `fwadm update`: every payload rule needs a uuid (`Missing UUID of rule:
 * <json>`) of a stored rule (`Unknown rule: <uuid>`); all are checked
 * before anything changes.
 */
export function planUpdate(stored: readonly FwRule[], rawRules: readonly unknown[], deps: RuleDeps): RulePlan {
  const index = indexRules(stored);
  const errors: string[] = [];
  const candidates: FwRule[] = [];
  for (const raw of rawRules) {
    if (!isObject(raw)) {
      errors.push('a rule must be a JSON object');
      continue;
    }
    if (!hasValue(raw, 'uuid')) {
      errors.push(`Missing UUID of rule: ${JSON.stringify(raw)}`);
      continue;
    }
    const old = typeof raw.uuid === 'string' ? index.get(raw.uuid) : undefined;
    if (old === undefined) {
      errors.push(typeof raw.uuid === 'string' && UUID_LOWER_CASE.test(raw.uuid) ? `Unknown rule: ${raw.uuid}` : 'Invalid rule UUID');
      continue;
    }
    try {
      candidates.push(check(mergeRule(old, raw), deps));
    } catch (err) {
      errors.push(ruleMessage(err));
    }
  }
  if (errors.length > 0) throw new AppError(errors);
  return finish(index, collect(index, candidates), []);
}

/** Each uuid once, in the order given; every unknown one reported (`Unknown rule: <uuid>`). */
function knownRules(index: Map<string, FwRule>, uuids: readonly string[]): FwRule[] {
  const unknown: string[] = [];
  const found = new Map<string, FwRule>();
  for (const u of uuids) {
    const r = index.get(u);
    if (r === undefined) {
      if (!unknown.includes(u)) unknown.push(u);
    } else found.set(u, r);
  }
  if (unknown.length > 0) throw new NotFoundError(unknown.map((u) => `Unknown rule: ${u}`));
  return [...found.values()];
}

/** `fwadm delete <uuid...>`. */
export function planDelete(stored: readonly FwRule[], uuids: readonly string[]): RulePlan {
  const index = indexRules(stored);
  const removed = knownRules(index, uuids);
  return finish(index, [], removed);
}

/**
 * `fwadm enable|disable <uuid...>`: rules already in that state are left
 * as they are (not listed as changed); the others get a new version.
 */
export function planEnable(stored: readonly FwRule[], uuids: readonly string[], enabled: boolean, deps: RuleDeps): RulePlan {
  const index = indexRules(stored);
  const changed = knownRules(index, uuids)
    .filter((r) => r.enabled !== enabled)
    .map((r) => {
      const raw: Obj = { ...ruleToJson(r), enabled };
      delete raw.version;
      return check(raw, deps);
    });
  return finish(index, changed, []);
}

/** `fwadm get` / `fwadm vms`: the stored rule, or `Unknown rule "<uuid>"`. */
export function findRule(stored: readonly FwRule[] | ReadonlyMap<string, FwRule>, uuid: string): FwRule {
  const r = stored instanceof Map ? stored.get(uuid) : (stored as readonly FwRule[]).find((x) => x.uuid === uuid);
  if (r === undefined) throw new NotFoundError(`Unknown rule "${uuid}"`);
  return r;
}

/** True when a plan changes no stored rule (print the empty-change output, write nothing). */
export function isNoop(plan: RulePlan): boolean {
  return plan.changed.length === 0 && plan.removed.length === 0;
}
