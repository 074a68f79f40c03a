/**
 * What fwadm prints (docs/fwadm-cli.md §3, §4, §7): the change summary of
 * add/update/delete/enable/disable and the *-rvm commands, their -j
 * object and --stdout blocks, the list/rules/rvm-rules table, and the
 * status and stats text from ipf's and ipfstat's output. Pure: text in,
 * text out. Every text returned ends with a newline unless empty.
 */
import type { FwRule } from '../fwrule/types';
import { AppError } from '../errors';
import { RULE_FIELDS, ruleToJson, type RuleField, type RuleJson } from './rules';

// ---------------------------------------------------------------- §3 changes

export type ChangeAction = 'Added' | 'Updated' | 'Deleted' | 'Enabled' | 'Disabled';

/** A file that was (or with --dryrun would be) written. */
export interface WrittenFile {
  readonly path: string;
  readonly text: string;
}

/** The outcome of one change, as the summary and -j show it. */
export interface ChangeResult {
  /** Rules written or deleted, in the order to list them. */
  readonly rules: readonly FwRule[];
  /** Remote VM uuids added or deleted; undefined: the command deals with none. */
  readonly remoteVms?: readonly string[];
  /** Local VMs whose ipf files were rewritten. */
  readonly vms: readonly string[];
  /** With --stdout: the files written, in order. */
  readonly files?: readonly WrittenFile[];
}

export interface ChangeTextOptions {
  /** -v: an empty line, `VMs affected:` and the VM uuids. */
  readonly verbose?: boolean;
  /** --stdout: `=== <path>`, the file's text and an empty line per file. */
  readonly stdout?: boolean;
}

/** `<uuid> true    <rule>`: uuid, enabled padded to 7, rule text. */
function ruleLine(r: FwRule): string {
  return `${r.uuid} ${r.enabled ? 'true   ' : 'false  '} ${r.rule}`;
}

/**
 * The non-JSON output of a change (one console.log: lines joined by `\n`,
 * then a newline). Nothing to say: a single empty line.
 */
export function formatChange(action: ChangeAction, res: ChangeResult, opts: ChangeTextOptions = {}): string {
  // --stdout: each file is three console.log calls ("=== <path>", the
  // text, an empty line) before the summary's one
  let files = '';
  if (opts.stdout && res.files) {
    for (const f of res.files) files += `=== ${f.path}\n${f.text}\n\n`;
  }
  const out: string[] = [];
  if (res.rules.length > 0) {
    out.push(`${action} rules:`);
    for (const r of res.rules) out.push(ruleLine(r));
  }
  if (res.remoteVms && res.remoteVms.length > 0) {
    out.push(`${action} remote VMs:`);
    out.push(...[...res.remoteVms].sort());
  }
  if (opts.verbose) out.push('', 'VMs affected:', ...res.vms);
  return files + out.join('\n') + '\n';
}

/** The -j object of a change: vms, rules (§5 objects), remoteVMs (when any), files (with --stdout). */
export interface ChangeJson {
  vms: string[];
  rules: RuleJson[];
  remoteVMs?: string[];
  files?: Record<string, string>;
}

export function changeJson(res: ChangeResult, opts: ChangeTextOptions = {}): ChangeJson {
  const out: ChangeJson = { vms: [...res.vms], rules: res.rules.map(ruleToJson) };
  if (res.remoteVms && res.remoteVms.length > 0) out.remoteVMs = [...res.remoteVms].sort();
  if (opts.stdout && res.files) {
    out.files = {};
    for (const f of res.files) out.files[f.path] = f.text;
  }
  return out;
}

/** `JSON.stringify(res, null, 2)` and a newline, as printed. */
export function formatChangeJson(res: ChangeResult, opts: ChangeTextOptions = {}): string {
  return JSON.stringify(changeJson(res, opts), null, 2) + '\n';
}

// ---------------------------------------------------------------- §4 tables

const DEFAULT_FIELDS: readonly RuleField[] = ['uuid', 'enabled', 'rule'];

/** Minimum column widths of the node `tab` layout; `log` has none (unpadded). */
const WIDTHS: Partial<Record<RuleField, number>> = {
  uuid: 36,
  enabled: 7,
  owner_uuid: 36,
  rule: 20,
  description: 15,
  created_by: 10,
  global: 6,
  version: 20,
};

/**
 * `-o a,b,c` checked: `Invalid display field: x` or `Invalid display
 * fields: a, b` (sorted). Undefined: the default fields.
 */
export function parseFields(spec: string | undefined): RuleField[] {
  if (spec === undefined) return [...DEFAULT_FIELDS];
  const fields = spec.split(',');
  const known = new Set<string>(RULE_FIELDS);
  const bad = [...new Set(fields.filter((f) => !known.has(f)))].sort();
  if (bad.length === 1) throw new AppError(`Invalid display field: ${bad[0]}`);
  if (bad.length > 1) throw new AppError(`Invalid display fields: ${bad.join(', ')}`);
  return fields as RuleField[];
}

export interface TableOptions {
  /** -o; default uuid, enabled, rule. */
  readonly fields?: readonly RuleField[];
  /** -p: no header, no padding, `:`-separated. */
  readonly parseable?: boolean;
  /** -d (with -p): the separator. */
  readonly delim?: string;
  /** -H: no header. */
  readonly noHeader?: boolean;
}

function byUuid(a: RuleJson, b: RuleJson): number {
  return a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0;
}

/** A cell: falsy (false, missing, '') as `-`. */
function cell(r: RuleJson, f: RuleField): string {
  const v = r[f];
  return v === undefined || v === false || v === '' ? '-' : String(v);
}

/**
 * The list / rules / rvm-rules table, rows sorted by uuid. Human form:
 * columns padded to their width (last one too), one space between, a
 * header of upper-cased field names only when there is a row. -p: `:`
 * or `delim` between, the separator escaped as `\<c>` inside values.
 */
export function formatRuleTable(rules: readonly (FwRule | RuleJson)[], opts: TableOptions = {}): string {
  if (rules.length === 0) return '';
  const fields = opts.fields ?? DEFAULT_FIELDS;
  const rows = rules.map((r) => ('parsed' in r ? ruleToJson(r) : r)).sort(byUuid);
  const cells = rows.map((r) => fields.map((f) => cell(r, f)));
  if (opts.parseable) {
    const sep = opts.delim ?? ':';
    return cells.map((row) => row.map((v) => v.split(sep).join('\\' + sep)).join(sep)).join('\n') + '\n';
  }
  const header = fields.map((f) => f.toUpperCase());
  const all = opts.noHeader ? cells : [header, ...cells];
  const widths = fields.map((f, i) => {
    const min = WIDTHS[f];
    return min === undefined ? 0 : Math.max(min, ...all.map((row) => row[i].length));
  });
  return all.map((row) => row.map((v, i) => v.padEnd(widths[i])).join(' ')).join('\n') + '\n';
}

/** `list -j`: rule objects (key order §5), only the -o fields when given. */
export function rulesJsonList(rules: readonly (FwRule | RuleJson)[], fields?: readonly RuleField[]): Partial<RuleJson>[] {
  const rows = rules.map((r) => ('parsed' in r ? ruleToJson(r) : { ...r })).sort(byUuid);
  if (fields === undefined) return rows;
  const keep = new Set<string>(fields);
  return rows.map((r) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r)) if (keep.has(k)) out[k] = v;
    return out as Partial<RuleJson>;
  });
}

// ---------------------------------------------------------------- §7 status / stats

/** What a host program printed. */
export interface ProgramOutput {
  readonly stdout: string;
  readonly stderr: string;
  /** 0 on success. */
  readonly exitCode: number;
}

/** `ipf -GV` parsed: lower-cased keys; `running` a boolean, `active list` a number. */
export type IpfStatus = Record<string, string | number | boolean>;

/** Parse `Key: value` lines of `ipf -GV`. */
export function parseIpfStatus(stdout: string): IpfStatus {
  const out: IpfStatus = {};
  for (const line of stdout.split('\n')) {
    const at = line.indexOf(': ');
    if (at < 0) continue;
    const key = line.slice(0, at).trim().toLowerCase();
    let value: string | number | boolean = line.slice(at + 2).trim();
    if (key === 'ipf' || key === 'kernel') value = value.replace(/^IP Filter: /, '');
    else if (key === 'running') value = value === 'yes';
    else if (key === 'active list') value = Number(value);
    out[key] = value;
  }
  return out;
}

/**
 * `fwadm status`: the status from `ipf -GV <uuid>`'s output. A zone ipf
 * cannot find is `{running: false}`; any other failure is ipf's error, or
 * `No output from ipf`.
 */
export function statusFromIpf(out: ProgramOutput): IpfStatus {
  if (out.stderr.includes('Could not find running zone')) return { running: false };
  if (out.exitCode !== 0) throw new AppError(out.stderr.trim().split('\n')[0] || 'No output from ipf');
  if (out.stdout.trim() === '') throw new AppError('No output from ipf');
  return parseIpfStatus(out.stdout);
}

/** `running` / `stopped`, or with -v one `<key>: <value>` line per key. */
export function formatStatus(status: IpfStatus, verbose = false): string {
  if (!verbose) return (status.running === true ? 'running' : 'stopped') + '\n';
  return Object.entries(status).map(([k, v]) => `${k}: ${String(v)}`).join('\n') + '\n';
}

/** One `ipfstat -hoi` line: the hit count (a string, as SmartOS gives it) and the rule. */
export interface IpfStat {
  hits: string;
  rule: string;
}

/** Each non-empty line split at its first space. */
export function parseIpfStats(stdout: string): IpfStat[] {
  const out: IpfStat[] = [];
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    const at = line.indexOf(' ');
    out.push(at < 0 ? { hits: line, rule: '' } : { hits: line.slice(0, at), rule: line.slice(at + 1) });
  }
  return out;
}

/**
 * `fwadm stats`: the hit counts from `ipfstat -hoi -G <uuid>`. A VM whose
 * firewall is not running: `Firewall is not running for VM "<uuid>"`;
 * an empty list on a running firewall: none; no output: `No output from
 * ipfstat`.
 */
export function statsFromIpfstat(uuid: string, out: ProgramOutput, firewallRunning: boolean): IpfStat[] {
  if (!firewallRunning) throw new AppError(`Firewall is not running for VM "${uuid}"`);
  if (out.stderr.includes('empty list')) return [];
  if (out.stdout === '') {
    throw new AppError(out.exitCode !== 0 && out.stderr.trim() !== '' ? out.stderr.trim().split('\n')[0] : 'No output from ipfstat');
  }
  return parseIpfStats(out.stdout);
}

/** `<hits> <rule>` per line. */
export function formatStats(stats: readonly IpfStat[]): string {
  return stats.map((s) => `${s.hits} ${s.rule}`).join('\n') + (stats.length > 0 ? '\n' : '');
}
