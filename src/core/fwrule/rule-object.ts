/**
 * Rule objects (the `fwadm add` payload): checked field by field as
 * SmartOS does, with its messages, and completed (uuid, version,
 * defaults) into an FwRule whose `rule` is the canonical text.
 */
import { randomUUID } from 'node:crypto';
import { UUID_LOWER_CASE } from '../uuid';
import { canonicalText } from './canonical';
import { AppError } from '../errors';
import { ruleError } from './errors';
import { MAX_STRING_LENGTH } from './limits';
import { parseRule } from './parse';
import { loneSurrogate } from './quoting';
import type { FwRule, ParsedRule } from './types';

export interface RuleObjectOptions {
  /**
   * Require `owner_uuid` or `global: true` (fwadm add, the compiler).
   * Default true.
   */
  readonly requireOwner?: boolean;
  /** Where generated uuids and versions come from (tests pin them). */
  readonly newUuid?: () => string;
  readonly now?: () => number;
  readonly pid?: number;
}

/** `<ms since epoch>.<6-digit pid>`, as SmartOS versions rules. */
export function generateVersion(now: number, pid: number): string {
  return `${now}.${String(pid).padStart(6, '0')}`;
}

type Payload = Record<string, unknown>;

function has(o: Payload, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

function stringProp(o: Payload, key: 'created_by' | 'description', errors: AppError[]): string | undefined {
  if (!has(o, key)) return undefined;
  const v = o[key];
  if (typeof v !== 'string') errors.push(ruleError(`${key} must be a string`, key));
  else if (v.length > MAX_STRING_LENGTH) errors.push(ruleError(`${key} must be shorter than ${MAX_STRING_LENGTH} characters`, key));
  else if (!wellFormed(v, key, errors)) return undefined;
  else return v;
  return undefined;
}

/** Refuse a lone surrogate (no Unicode character: it prints as U+FFFD). */
function wellFormed(v: string, key: string, errors: AppError[]): boolean {
  const lone = loneSurrogate(v);
  if (lone !== undefined) errors.push(ruleError(`${key} holds ${lone}, a lone surrogate: not a Unicode character`, key));
  return lone === undefined;
}

function boolProp(o: Payload, key: 'enabled' | 'log', errors: AppError[]): boolean {
  if (!has(o, key)) return false;
  if (typeof o[key] !== 'boolean') errors.push(ruleError(`${key} must be true or false`, key));
  return o[key] === true;
}

/** `owner_uuid` / `global`: a rule belongs to one owner, or is global. */
function ownership(o: Payload, requireOwner: boolean, errors: AppError[]): void {
  if (has(o, 'global') && typeof o.global !== 'boolean') {
    errors.push(ruleError('global must be true or false', 'global'));
  }
  if (o.global === true && has(o, 'owner_uuid')) {
    errors.push(ruleError('cannot specify both global and owner_uuid', 'global'));
  }
  if (requireOwner && !has(o, 'owner_uuid') && o.global !== true) {
    errors.push(ruleError('owner_uuid required', 'owner_uuid'));
  }
}

/**
 * Check a rule payload and complete it. Throws an AppError (ruleError): the
 * one error, or `first of N errors: <first>` when there are several
 * (SmartOS's form).
 */
export function validateRuleObject(raw: unknown, opts: RuleObjectOptions = {}): FwRule {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw ruleError('a rule must be a JSON object', 'rule');
  }
  const o = raw as Payload;
  const errors: AppError[] = [];
  let parsed: ParsedRule | undefined;
  if (!has(o, 'rule') || o.rule === '' || o.rule === null) {
    errors.push(ruleError('No rule specified'));
  } else {
    try {
      parsed = parseRule(o.rule as string);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      errors.push(err);
    }
  }
  if (has(o, 'uuid') && (typeof o.uuid !== 'string' || !UUID_LOWER_CASE.test(o.uuid))) {
    errors.push(ruleError('Invalid rule UUID', 'uuid'));
  }
  if (has(o, 'version') && (typeof o.version !== 'string' || o.version === '')) {
    errors.push(ruleError('version must be a non-empty string', 'version'));
  } else if (has(o, 'version')) {
    wellFormed(o.version as string, 'version', errors);
  }
  if (has(o, 'owner_uuid') && (typeof o.owner_uuid !== 'string' || !UUID_LOWER_CASE.test(o.owner_uuid))) {
    errors.push(ruleError('Invalid owner UUID', 'owner_uuid'));
  }
  const enabled = boolProp(o, 'enabled', errors);
  const log = boolProp(o, 'log', errors);
  const createdBy = stringProp(o, 'created_by', errors);
  const description = stringProp(o, 'description', errors);
  ownership(o, opts.requireOwner ?? true, errors);

  if (errors.length === 1) throw errors[0];
  if (errors.length > 1 || parsed === undefined) {
    throw ruleError(`first of ${errors.length} errors: ${errors[0].message}`, errors[0].field);
  }
  const rule: FwRule = {
    uuid: (o.uuid as string | undefined) ?? (opts.newUuid ?? randomUUID)(),
    version: (o.version as string | undefined) ?? generateVersion((opts.now ?? Date.now)(), opts.pid ?? process.pid),
    enabled,
    ...(has(o, 'owner_uuid') ? { owner_uuid: o.owner_uuid as string } : {}),
    ...(o.global === true ? { global: true as const } : {}),
    log,
    ...(description !== undefined ? { description } : {}),
    ...(createdBy !== undefined ? { created_by: createdBy } : {}),
    rule: canonicalText(parsed),
    parsed,
  };
  return rule;
}
