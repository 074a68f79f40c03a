/**
 * How zonecfg(8) reads a command file and what it does with it: the one
 * model both hosts' zonecfg follows (the local host applies it to the
 * configuration it keeps; the fake zonecfg of test/fakes runs the compiled
 * module through test/fakes/lib/zonecfg-parse.js). Pure: no I/O.
 *
 * - tokenize as illumos zonecfg_lex.l does: subcommand words at the start
 *   of a command; `#` comments only there; `;` and newline end a command; a
 *   quoted string runs from `"` to the next `"` with no escapes; an unquoted
 *   word ends at blank, `"`, `;`, `=`, `[`, `]`, `(`, `)` and is a keyword
 *   when it spells one;
 * - parse, checking each command against its scope as zonecfg_grammar.y
 *   and zonecfg.c do: known resource types, known properties per scope,
 *   values of the properties zonecfg checks, `add`/`select` balanced by `end`;
 * - apply the commands to a zone configuration, refusing what zonecfg
 *   refuses there (select/remove of what the zone lacks, a second attr with
 *   the same name, a net with a mac-addr already there, ...).
 *
 * The first problem is thrown as a ZonecfgError with a zonecfg-like message.
 *
 * Simpler than zonecfg in three places (as the fakes always were): `cancel`
 * does not undo what was set on a selected resource, and a global `set` or
 * `clear` after a `cancel` (before the next add/select) lands on the
 * cancelled resource; `create` leaves a capped-memory/capped-cpu already
 * there; attr names and net mac-addrs are checked for uniqueness when a
 * resource is added, not when a selected one is changed.
 */

export class ZonecfgError extends Error {}

/* ---------- vocabulary ---------- */

const SUBCOMMANDS: ReadonlySet<string> = new Set(['add', 'cancel', 'commit', 'create', 'delete', 'end', 'exit', 'export', 'help', '?',
  'info', 'remove', 'revert', 'select', 'set', 'clear', 'verify']);

/** Words the lexer returns as keywords after a subcommand (TSTATE). */
export const KEYWORDS: ReadonlySet<string> = new Set(['net', 'fs', 'device', 'rctl', 'attr', 'admin', 'zonename', 'dataset', 'dedicated-cpu',
  'capped-cpu', 'capped-memory', 'zonepath', 'brand', 'autoboot', 'ip-type', 'pool', 'limitpriv', 'bootargs', 'type',
  'value', 'options', 'allowed-address', 'address', 'physical', 'defrouter', 'mac-addr', 'vlan-id', 'global-nic',
  'property', 'dir', 'special', 'raw', 'name', 'match', 'priv', 'limit', 'action', 'ncpus', 'locked', 'swap',
  'importance', 'cpu-shares', 'max-lwps', 'max-processes', 'max-shm-memory', 'max-shm-ids', 'max-msg-ids',
  'max-sem-ids', 'scheduling-class', 'hostid', 'user', 'auths', 'fs-allowed', 'uuid', 'zfs-io-priority', 'alias']);

const GLOBAL_PROPS: ReadonlySet<string> = new Set(['zonename', 'zonepath', 'brand', 'autoboot', 'ip-type', 'pool', 'limitpriv', 'bootargs',
  'scheduling-class', 'hostid', 'fs-allowed', 'uuid', 'cpu-shares', 'max-lwps', 'max-processes', 'max-shm-memory',
  'max-shm-ids', 'max-msg-ids', 'max-sem-ids', 'zfs-io-priority']);

/** Resources a zone holds a list of. */
export type ListResource = 'attr' | 'net' | 'device' | 'rctl' | 'dataset' | 'fs';
/** Resources a zone has at most one of. */
export type SingletonResource = 'capped-memory' | 'capped-cpu';
export type ResourceType = ListResource | SingletonResource;

/** The properties each resource type knows. */
const RESOURCES: Readonly<Record<ResourceType, ReadonlySet<string>>> = {
  attr: new Set(['name', 'type', 'value']),
  net: new Set(['address', 'allowed-address', 'physical', 'defrouter', 'mac-addr', 'vlan-id', 'global-nic']),
  'capped-memory': new Set(['physical', 'locked', 'swap']),
  'capped-cpu': new Set(['ncpus']),
  rctl: new Set(['name', 'value']),
  dataset: new Set(['name', 'alias']),
  fs: new Set(['dir', 'special', 'raw', 'type', 'options']),
  device: new Set(['match']),
};

function isResourceType(word: string): word is ResourceType {
  return Object.prototype.hasOwnProperty.call(RESOURCES, word);
}

/** Resources holding `property (name=..., value=...)` entries. */
const WITH_PROPERTIES: ReadonlySet<ResourceType> = new Set<ResourceType>(['net', 'device']);

function isSingleton(r: ResourceType): r is SingletonResource {
  return r === 'capped-memory' || r === 'capped-cpu';
}

/** Where a zone configuration keeps each list resource. */
type ListKey = 'attrs' | 'nets' | 'devices' | 'rctls' | 'datasets' | 'fss';
const LISTS: Readonly<Record<ListResource, ListKey>> = {
  attr: 'attrs', net: 'nets', device: 'devices', rctl: 'rctls', dataset: 'datasets', fs: 'fss',
};

/** Values zonecfg checks when a property is set. */
const CHECKS: ReadonlyMap<string, RegExp> = new Map([
  ['autoboot', /^(true|false)$/],
  ['ip-type', /^(exclusive|shared)$/],
  ['cpu-shares', /^\d+$/], ['max-lwps', /^\d+$/], ['max-processes', /^\d+$/], ['max-shm-memory', /^\d+[kmgt]?$/i],
  ['max-shm-ids', /^\d+$/], ['max-msg-ids', /^\d+$/], ['max-sem-ids', /^\d+$/], ['zfs-io-priority', /^\d+$/],
  ['vlan-id', /^\d+$/], ['mac-addr', /^[0-9a-f]{1,2}(:[0-9a-f]{1,2}){5}$/i],
  ['physical', /^[A-Za-z0-9_.-]+$/], ['locked', /^\d+[kmgt]?$/i], ['swap', /^\d+[kmgt]?$/i],
  ['ncpus', /^\d+(\.\d+)?$/], ['type', /^(string|int|uint|boolean)$/],
]);
const MEMORY_PHYSICAL = /^\d+[kmgt]?$/i;

/* ---------- types ---------- */

/** A property value: a word, a list `[a,b]`, or a complex value `(k=v,...)`. */
export type Value = string | string[] | { [name: string]: string };

/** A `property (name=..., value=...)` entry of a net or device. */
export interface Property {
  name: string;
  value: string;
}

/** A resource: its properties; net and device entries also keep `properties`. */
export interface Resource {
  [prop: string]: Value | Property[] | undefined;
  properties?: Property[];
}

/** A zone configuration as zonecfg keeps it. */
export interface ZoneConfig {
  /** Global properties. */
  props: { [prop: string]: Value };
  attrs: Resource[];
  nets: Resource[];
  devices: Resource[];
  rctls: Resource[];
  datasets: Resource[];
  fss: Resource[];
  'capped-memory'?: Resource;
  'capped-cpu'?: Resource;
  /** Set by `delete`. */
  deleted?: boolean;
}

type Punctuation = '=' | '[' | ']' | '(' | ')' | ',';

/**
 * A token: a keyword or subcommand (`word`), a value (`token`), punctuation,
 * or the end of a command (`eoc`: `;`, newline, or '' at the end of input),
 * each with its line.
 */
export type Token = WordToken | ValueToken | { t: Punctuation; line: number } | { t: 'eoc'; v: string; line: number };
type WordToken = { t: 'word'; v: string; line: number };
type ValueToken = { t: 'token'; v: string; quoted: boolean; line: number };

/** Subcommands that change nothing here (their arguments are skipped). */
type OtherSubcommand = 'commit' | 'verify' | 'exit' | 'revert' | 'info' | 'export' | 'help';
const OTHERS: ReadonlySet<string> = new Set<OtherSubcommand>(['commit', 'verify', 'exit', 'revert', 'info', 'export', 'help']);
function isOther(word: string): word is OtherSubcommand {
  return OTHERS.has(word);
}

/** A parsed command; `scope` is the resource it is in (null: global). */
export type Command =
  | { cmd: 'create'; flags: string[]; line: number }
  | { cmd: 'set'; prop: string; value: Value; line: number; scope: ResourceType | null }
  | { cmd: 'clear'; prop: string; line: number; scope: ResourceType | null }
  | { cmd: 'add'; resource: ResourceType; line: number }
  | { cmd: 'add'; resource: 'property'; property: Property; line: number; scope: ResourceType }
  | { cmd: 'select'; resource: ResourceType; match: { [prop: string]: string }; line: number }
  | { cmd: 'remove'; resource: 'property'; property: Property; force: boolean; line: number; scope: ResourceType }
  | { cmd: 'remove'; resource: ResourceType; match: { [prop: string]: string }; force: boolean; line: number }
  | { cmd: 'end'; line: number; scope: ResourceType }
  | { cmd: 'delete'; force: boolean; line: number }
  | { cmd: 'cancel'; line: number }
  | { cmd: OtherSubcommand; line: number };

/* ---------- lexer ---------- */

function isBlank(c: string): boolean {
  return c === ' ' || c === '\t';
}

const SUBCOMMAND_CHAR = /[a-z?]/;

/** The tokens of a command file, ending with an `eoc` token (v ''). */
export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  let state: 'INITIAL' | 'T' | 'L' | 'C' = 'INITIAL';
  let outer: 'T' | 'L' = 'T';
  const n = src.length;
  while (i < n) {
    const c = src[i];
    if (isBlank(c)) { i++; continue; }
    if (c === '\n' || c === ';') {
      out.push({ t: 'eoc', v: c, line });
      if (c === '\n') line++;
      state = 'INITIAL';
      i++;
      continue;
    }
    if (state === 'INITIAL') {
      if (c === '#') { while (i < n && src[i] !== '\n') i++; continue; }
      let j = i;
      while (j < n && SUBCOMMAND_CHAR.test(src[j])) j++;
      const w = src.slice(i, j);
      if (!SUBCOMMANDS.has(w) || (j < n && !isBlank(src[j]) && src[j] !== ';' && src[j] !== '\n')) {
        const shown = j > i ? src.slice(i, Math.max(j, i + 1)) : c;
        throw new ZonecfgError(`syntax error on line ${line} at '${shown === '\n' ? '\\n' : shown}'`);
      }
      out.push({ t: 'word', v: w === '?' ? 'help' : w, line });
      state = 'T';
      outer = 'T';
      i = j;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < n && src[j] !== '"' && src[j] !== '\n') j++;
      if (j >= n || src[j] === '\n') throw new ZonecfgError(`syntax error on line ${line}: unterminated quoted string`);
      out.push({ t: 'token', v: src.slice(i + 1, j), quoted: true, line });
      i = j + 1;
      continue;
    }
    if (c === '=') { out.push({ t: '=', line }); i++; continue; }
    if (c === '(' && (state === 'T' || state === 'L')) { outer = state; state = 'C'; out.push({ t: '(', line }); i++; continue; }
    if (c === ')' && state === 'C') { state = outer; out.push({ t: ')', line }); i++; continue; }
    if (c === '[' && state === 'T') { state = 'L'; out.push({ t: '[', line }); i++; continue; }
    if (c === ']' && state === 'L') { state = 'T'; out.push({ t: ']', line }); i++; continue; }
    if (c === ',' && (state === 'L' || state === 'C')) { out.push({ t: ',', line }); i++; continue; }
    const stop = state === 'T' ? ' \t\n";=[]()' : state === 'L' ? ' \t\n",;=[]()' : ' \t\n",;=()';
    let j = i;
    while (j < n && !stop.includes(src[j])) j++;
    if (j === i) throw new ZonecfgError(`syntax error on line ${line} at '${c}'`);
    const w = src.slice(i, j);
    if (KEYWORDS.has(w)) out.push({ t: 'word', v: w, line });
    else out.push({ t: 'token', v: w, quoted: false, line });
    i = j;
  }
  out.push({ t: 'eoc', v: '', line });
  return out;
}

/* ---------- parser ---------- */

/** zonecfg's grammar takes a keyword (resource type or property name) as a value too. */
function isValue(tok: Token): tok is WordToken | ValueToken {
  return tok.t === 'token' || (tok.t === 'word' && KEYWORDS.has(tok.v));
}

function fail(tok: Token, what?: string): never {
  const at = tok.t === 'eoc' ? (tok.v === '\n' ? '\\n' : tok.v) : 'v' in tok ? tok.v : tok.t;
  throw new ZonecfgError(`${what || 'syntax error'} on line ${tok.line} at '${at}'`);
}

function isProperty(cx: { [name: string]: string }): cx is { [name: string]: string } & Property {
  return Object.keys(cx).sort().join(',') === 'name,value';
}

/**
 * Parse and check a command file: its commands, each with its line (see
 * Command). Throws a ZonecfgError at the first problem.
 */
export function parse(src: string): Command[] {
  const toks = tokenize(src);
  let p = 0;
  const cmds: Command[] = [];
  let scope: ResourceType | null = null;
  const peek = (): Token => toks[p];
  const next = (): Token => toks[p++];
  const expect = (t: Token['t']): Token => {
    const tok = next();
    if (tok.t !== t) fail(tok);
    return tok;
  };
  /** `(name=..., value=...)` after its `(` */
  const complex = (): { [name: string]: string } => {
    const out: { [name: string]: string } = {};
    for (;;) {
      const k = next();
      if (k.t !== 'word' || !KEYWORDS.has(k.v)) fail(k); // a property name
      expect('=');
      const v = next();
      if (!isValue(v)) fail(v);
      if (Object.prototype.hasOwnProperty.call(out, k.v)) fail(k, 'duplicate property');
      out[k.v] = v.v;
      const sep = next();
      if (sep.t === ')') return out;
      if (sep.t !== ',') fail(sep);
    }
  };
  const value = (): Value => {
    const tok = next();
    if (isValue(tok)) return tok.v;
    if (tok.t === '[') {
      const vals: string[] = [];
      for (;;) {
        const x = next();
        if (x.t === ']') break;
        if (!isValue(x)) fail(x);
        vals.push(x.v);
        const sep = next();
        if (sep.t === ']') break;
        if (sep.t !== ',') fail(sep);
      }
      return vals;
    }
    if (tok.t === '(') return complex();
    return fail(tok);
  };
  const endOfCommand = (): void => {
    const tok = next();
    if (tok.t !== 'eoc') fail(tok);
  };
  const property = (tok: Token): Property => {
    expect('(');
    const cx = complex();
    if (!isProperty(cx)) fail(tok, 'property needs exactly name and value');
    return cx;
  };
  const matchers = (resource: ResourceType): { [prop: string]: string } => {
    const match: { [prop: string]: string } = {};
    while (peek().t !== 'eoc') {
      const k = next();
      if (k.t !== 'word' || !RESOURCES[resource].has(k.v)) fail(k, `unknown property for resource "${resource}"`);
      expect('=');
      const v = value();
      if (typeof v !== 'string') fail(k);
      match[k.v] = v;
    }
    return match;
  };
  const dashF = (): boolean => {
    const tok = peek();
    if (tok.t === 'token' && tok.v === '-F') { next(); return true; }
    return false;
  };

  while (p < toks.length) {
    const tok = next();
    if (tok.t === 'eoc') continue;
    if (tok.t !== 'word' || (!SUBCOMMANDS.has(tok.v) && tok.v !== 'help')) fail(tok);
    const line = tok.line;
    switch (tok.v) {
      case 'create': {
        if (scope) fail(tok, 'create is not allowed inside a resource');
        const flags: string[] = [];
        for (let f = peek(); f.t === 'token'; f = peek()) { flags.push(f.v); next(); }
        for (const f of flags) if (f !== '-b' && f !== '-F') fail(tok, `create: unsupported option ${f}`);
        endOfCommand();
        cmds.push({ cmd: 'create', flags, line });
        break;
      }
      case 'set': {
        const k = next();
        const allowed = scope ? RESOURCES[scope] : GLOBAL_PROPS;
        if (k.t !== 'word' || !allowed.has(k.v)) fail(k, `unknown property${scope ? ` for resource "${scope}"` : ''}`);
        expect('=');
        const v = value();
        endOfCommand();
        // `physical` of capped-memory is a size; `type` is checked for an attr only (an fs's is its filesystem's)
        const check = scope === 'capped-memory' && k.v === 'physical' ? MEMORY_PHYSICAL : k.v === 'type' && scope !== 'attr' ? undefined : CHECKS.get(k.v);
        if (check && (typeof v !== 'string' || !check.test(v))) fail(k, `invalid value ${JSON.stringify(v)} for ${k.v}`);
        cmds.push({ cmd: 'set', prop: k.v, value: v, line, scope });
        break;
      }
      case 'clear': {
        const k = next();
        const allowed = scope ? RESOURCES[scope] : GLOBAL_PROPS;
        if (k.t !== 'word' || !allowed.has(k.v)) fail(k, 'unknown property');
        endOfCommand();
        cmds.push({ cmd: 'clear', prop: k.v, line, scope });
        break;
      }
      case 'add': {
        const r = next();
        if (scope) {
          if (r.t !== 'word' || r.v !== 'property' || !WITH_PROPERTIES.has(scope)) fail(r, `cannot add that inside resource "${scope}"`);
          const pr = property(r);
          endOfCommand();
          cmds.push({ cmd: 'add', resource: 'property', property: pr, line, scope });
          break;
        }
        if (r.t !== 'word' || !isResourceType(r.v)) fail(r, 'unknown resource type');
        endOfCommand();
        scope = r.v;
        cmds.push({ cmd: 'add', resource: r.v, line });
        break;
      }
      case 'select': {
        if (scope) fail(tok, 'select is not allowed inside a resource');
        const r = next();
        if (r.t !== 'word' || !isResourceType(r.v)) fail(r, 'unknown resource type');
        const resource = r.v;
        const match = matchers(resource);
        endOfCommand();
        if (Object.keys(match).length === 0 && !isSingleton(resource)) fail(r, `select ${resource} needs a property to match`);
        scope = resource;
        cmds.push({ cmd: 'select', resource, match, line });
        break;
      }
      case 'remove': {
        const force = dashF();
        const r = next();
        if (scope) {
          if (r.t !== 'word' || r.v !== 'property' || !WITH_PROPERTIES.has(scope)) fail(r, `cannot remove that inside resource "${scope}"`);
          const pr = property(r);
          endOfCommand();
          cmds.push({ cmd: 'remove', resource: 'property', property: pr, force, line, scope });
          break;
        }
        if (r.t !== 'word' || !isResourceType(r.v)) fail(r, 'unknown resource type');
        const resource = r.v;
        const match = matchers(resource);
        endOfCommand();
        if (Object.keys(match).length === 0 && !force && !isSingleton(resource)) fail(r, `remove ${resource} needs a property to match or -F`);
        cmds.push({ cmd: 'remove', resource, match, force, line });
        break;
      }
      case 'end': {
        if (!scope) fail(tok, 'end is only allowed inside a resource');
        endOfCommand();
        cmds.push({ cmd: 'end', line, scope });
        scope = null;
        break;
      }
      case 'delete': {
        const force = dashF();
        endOfCommand();
        cmds.push({ cmd: 'delete', force, line });
        break;
      }
      case 'cancel':
        endOfCommand();
        if (!scope) fail(tok, 'cancel is only allowed inside a resource');
        scope = null;
        cmds.push({ cmd: 'cancel', line });
        break;
      default: { // commit, verify, exit, revert, info, export, help
        const other = tok.v;
        if (!isOther(other)) return fail(tok);
        while (peek().t !== 'eoc') next();
        endOfCommand();
        if (scope && (other === 'commit' || other === 'verify' || other === 'exit')) fail(tok, `resource "${scope}" is incomplete`);
        cmds.push({ cmd: other, line });
      }
    }
  }
  if (scope) throw new ZonecfgError(`end of input inside resource "${scope}": missing 'end'`);
  return cmds;
}

/* ---------- applying ---------- */

/** A zone configuration with nothing in it. */
function emptyZone(): ZoneConfig {
  return { props: {}, attrs: [], nets: [], devices: [], rctls: [], datasets: [], fss: [] };
}

function matches(res: Resource, match: { [prop: string]: string }): boolean {
  return Object.keys(match).every((k) => res[k] === match[k]);
}

/** The resource being added or selected (a command outside one never gets here from parse). */
function inResource(cur: Resource | null): Resource {
  if (!cur) throw new Error('zonecfg model: a resource command outside a resource');
  return cur;
}

/**
 * Apply parsed commands to a zone configuration: to a copy of `base` (an
 * update, `zonecfg -u`), or to an empty one (`create -b` starts blank).
 * Resources are plain objects; net and device entries keep `properties`.
 * Throws a ZonecfgError where zonecfg would (select/remove matching
 * nothing, an attr without name, ...); `base` is never changed.
 */
export function apply(cmds: readonly Command[], base?: ZoneConfig): ZoneConfig {
  const z: ZoneConfig = base ? (JSON.parse(JSON.stringify(base)) as ZoneConfig) : emptyZone();
  let cur: Resource | null = null;
  let curType: ResourceType | null = null;
  let selected: Resource | null = null;
  for (const c of cmds) {
    const at = `on line ${c.line}`;
    switch (c.cmd) {
      case 'create': Object.assign(z, emptyZone()); break;
      case 'delete': Object.assign(z, emptyZone()); z.deleted = true; break;
      case 'set':
        if (cur) cur[c.prop] = c.value; else z.props[c.prop] = c.value;
        break;
      case 'clear':
        if (cur) delete cur[c.prop]; else delete z.props[c.prop];
        break;
      case 'add':
        if (c.resource === 'property') {
          const r = inResource(cur);
          const list = r.properties ?? (r.properties = []);
          if (list.some((x) => x.name === c.property.name)) {
            throw new ZonecfgError(`property "${c.property.name}" already set in this ${curType} ${at}`);
          }
          list.push({ name: c.property.name, value: c.property.value });
        } else {
          curType = c.resource;
          cur = WITH_PROPERTIES.has(c.resource) ? { properties: [] } : {};
          selected = null;
        }
        break;
      case 'select': {
        curType = c.resource;
        if (isSingleton(c.resource)) {
          const one = z[c.resource];
          if (!one) throw new ZonecfgError(`No such ${c.resource} resource ${at}`);
          selected = one;
        } else {
          const match = c.match;
          const hits = z[LISTS[c.resource]].filter((r) => matches(r, match));
          if (hits.length !== 1) throw new ZonecfgError(`${hits.length ? 'More than one' : 'No such'} ${c.resource} resource ${at}`);
          selected = hits[0];
        }
        cur = selected;
        break;
      }
      case 'remove':
        if (c.resource === 'property') {
          const list = inResource(cur).properties ?? [];
          const i = list.findIndex((x) => x.name === c.property.name && x.value === c.property.value);
          if (i >= 0) list.splice(i, 1);
          else if (!c.force) throw new ZonecfgError(`No such property ${at}`);
        } else if (isSingleton(c.resource)) {
          if (!z[c.resource] && !c.force) throw new ZonecfgError(`No such ${c.resource} resource ${at}`);
          delete z[c.resource];
        } else {
          const match = c.match;
          const key = LISTS[c.resource];
          const list = z[key];
          const keep = list.filter((r) => !matches(r, match));
          const removed = list.length - keep.length;
          if (removed === 0 && !c.force) throw new ZonecfgError(`No such ${c.resource} resource ${at}`);
          if (removed > 1 && !c.force) throw new ZonecfgError(`More than one ${c.resource} resource matches ${at}`);
          z[key] = keep;
        }
        break;
      case 'end': {
        const r = inResource(cur);
        if (selected) {
          /* modified in place */
        } else if (curType === null) {
          throw new Error('zonecfg model: end outside a resource');
        } else if (isSingleton(curType)) {
          if (z[curType]) throw new ZonecfgError(`A ${curType} resource already exists ${at}`);
          z[curType] = r;
        } else {
          if (curType === 'attr' && (r.name === undefined || r.type === undefined || r.value === undefined)) {
            throw new ZonecfgError(`attr: name, type and value are required ${at}`);
          }
          if (curType === 'attr' && z.attrs.some((a) => a.name === r.name)) {
            throw new ZonecfgError(`attr "${String(r.name)}" already exists ${at}`);
          }
          // a device needs its match, an fs its dir, special and type; neither twice (zonecfg's end checks)
          if (curType === 'device') {
            if (r.match === undefined) throw new ZonecfgError(`device: match is required ${at}`);
            if (z.devices.some((d) => d.match === r.match)) throw new ZonecfgError(`device with match ${String(r.match)} already exists ${at}`);
          }
          if (curType === 'fs') {
            for (const k of ['dir', 'special', 'type']) if (r[k] === undefined) throw new ZonecfgError(`fs: ${k} is required ${at}`);
            if (z.fss.some((f) => f.dir === r.dir)) throw new ZonecfgError(`fs with dir ${String(r.dir)} already exists ${at}`);
          }
          const mac = r['mac-addr'];
          if (curType === 'net' && mac !== undefined && z.nets.some((x) => x['mac-addr'] === mac)) {
            throw new ZonecfgError(`net with mac-addr ${String(mac)} already exists ${at}`);
          }
          z[LISTS[curType]].push(r);
        }
        cur = null;
        curType = null;
        selected = null;
        break;
      }
      default:
        break;
    }
  }
  return z;
}
