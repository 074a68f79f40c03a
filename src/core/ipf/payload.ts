/**
 * Checking a compile payload `{vms, rules, remoteVMs}` the way `fwadm add`
 * does, into the compiler's input. The first problem found is thrown as an
 * AppError (compileInputError): one line naming the item.
 */
import type { FwRule, Target } from '../fwrule/types';
import { validateRuleObject } from '../fwrule/rule-object';
import { excerpt } from '../fwrule/errors';
import { compileInputError, type CompileInput, type FwVm } from './model';
import { firewallVmFromObject } from '../vm/firewall';
import { IPF_MAX_LINE_BYTES, commentSafe, ruleComment, utf8Length } from './render';
import { isObject } from '../object';
import { AppError } from '../errors';
import { remoteVmToFwVm, validateRemoteVm } from '../fw/remote-vms';

type Obj = Record<string, unknown>;

/** A value quoted for a message (never breaks the line; a long one is cut). */
function q(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(excerpt(v)) : excerpt(JSON.stringify(v) ?? String(v));
}

function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ');
}

function arrayField(payload: Obj, key: string): unknown[] {
  const v = payload[key];
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw compileInputError(`${key} must be an array`);
  return v;
}

/** A local VM (`vmadm get` object): the one VM model's reading, as vmadm itself checks it. */
function localVm(raw: unknown, i: number): FwVm {
  return firewallVmFromObject(raw, `vms[${i}]`);
}

/** A remote VM, read as `fwadm add` and `add-rvm` read it (core/fw/remote-vms), with their messages. */
function remoteVm(raw: unknown, local: ReadonlySet<string>): FwVm {
  try {
    return remoteVmToFwVm(validateRemoteVm(raw, local));
  } catch (err) {
    if (err instanceof AppError) throw compileInputError(err.message);
    throw err;
  }
}

/**
 * The longest comment line a rule can give (its version and the longest
 * target value: a tag name, most often), refused when ipf could not read
 * it whole. Checked for every rule, enabled or not, so enabling one later
 * cannot make an unreadable file.
 */
function checkCommentLength(r: FwRule, item: string): void {
  // the comment with neither type nor value, then the longest `type=value`
  const base = utf8Length(ruleComment(r, '', ''));
  let longest = 0;
  let tag: string | undefined;
  for (const t of [...r.parsed.from, ...r.parsed.to]) {
    const [type, value] = commentTarget(t);
    const bytes = type.length + utf8Length(commentSafe(value));
    if (bytes > longest) {
      longest = bytes;
      tag = t.kind === 'tag' ? t.name : undefined;
    }
  }
  const bytes = base + longest;
  if (bytes <= IPF_MAX_LINE_BYTES) return;
  const cause = tag !== undefined ? `its version and tag name ${q(tag)} make` : 'its version makes';
  throw compileInputError(
    `${item}: ${cause} the ipf comment line "# rule=${r.uuid}, ..." ${bytes} bytes long; ipf reads at most ${IPF_MAX_LINE_BYTES} bytes of a line`,
  );
}

/** The `<type>=<value>` a target gives an entry comment (compile.ts, vm-index.ts), before commentSafe. */
export function commentTarget(t: Target): [string, string] {
  switch (t.kind) {
    case 'any': return ['wildcard', 'any'];
    case 'allvms': return ['wildcard', 'vmall'];
    case 'ip': return ['ip', t.address.text];
    case 'subnet': return ['subnet', t.cidr.text];
    case 'vm': return ['vm', t.uuid];
    case 'tag': return [t.value === undefined ? 'tag' : 'tagValue', t.name];
  }
}

function rule(raw: unknown, i: number): FwRule {
  const item = `rules[${i}]`;
  if (!isObject(raw)) throw compileInputError(`${item}: expected a rule object`);
  let r: FwRule;
  try {
    r = validateRuleObject(raw);
  } catch (err) {
    // a rule's own fault; anything else is a bug, and shows as one
    if (!(err instanceof AppError)) throw err;
    throw compileInputError(`${item}: ${oneLine(err.message)}`);
  }
  if (r.owner_uuid === undefined && r.global !== true) throw compileInputError(`${item}: owner_uuid required`);
  checkCommentLength(r, item);
  return r;
}

function unique<T extends { uuid: string }>(items: T[], what: (i: number) => string): void {
  const seen = new Set<string>();
  items.forEach((it, i) => {
    if (seen.has(it.uuid)) throw compileInputError(`${what(i)}: duplicate uuid ${it.uuid}`);
    seen.add(it.uuid);
  });
}

/** Validate a compile payload into the compiler's input. */
export function parseCompilePayload(payload: unknown): CompileInput {
  if (!isObject(payload)) {
    throw compileInputError('expected a JSON object {"vms": [...], "rules": [...], "remoteVMs": [...]}');
  }
  const vms = arrayField(payload, 'vms').map(localVm);
  unique(vms, (i) => `vms[${i}]`);
  const localUuids = new Set(vms.map((vm) => vm.uuid));
  const remoteVms = arrayField(payload, 'remoteVMs').map((r) => remoteVm(r, localUuids));
  unique(remoteVms, (i) => `remoteVMs[${i}]`);
  const rules = arrayField(payload, 'rules').map(rule);
  unique(rules, (i) => `rules[${i}]`);
  return { vms, remoteVms, rules };
}
