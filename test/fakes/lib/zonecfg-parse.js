'use strict';
/*
 * How zonecfg(8) reads a command file, for the fake zonecfg and for tests:
 * tokenize as illumos zonecfg_lex.l does (subcommand words at the start of
 * a command; `#` comments only there; `;` and newline end a command; a
 * quoted string runs from `"` to the next `"` with no escapes; an unquoted
 * word ends at blank, `"`, `;`, `=`, `[`, `]`, `(`, `)` and is a keyword
 * when it spells one), then check each command against its scope: known
 * resource types, known properties per scope, `add`/`select` balanced by
 * `end`. The first problem is thrown as a ZonecfgError with a
 * zonecfg-like message. Plain Node, no dependencies.
 */

class ZonecfgError extends Error {}

const SUBCOMMANDS = new Set(['add', 'cancel', 'commit', 'create', 'delete', 'end', 'exit', 'export', 'help', '?',
  'info', 'remove', 'revert', 'select', 'set', 'clear', 'verify']);

// Words the lexer returns as keywords after a subcommand (TSTATE).
const KEYWORDS = new Set(['net', 'fs', 'device', 'rctl', 'attr', 'admin', 'zonename', 'dataset', 'dedicated-cpu',
  'capped-cpu', 'capped-memory', 'zonepath', 'brand', 'autoboot', 'ip-type', 'pool', 'limitpriv', 'bootargs', 'type',
  'value', 'options', 'allowed-address', 'address', 'physical', 'defrouter', 'mac-addr', 'vlan-id', 'global-nic',
  'property', 'dir', 'special', 'raw', 'name', 'match', 'priv', 'limit', 'action', 'ncpus', 'locked', 'swap',
  'importance', 'cpu-shares', 'max-lwps', 'max-processes', 'max-shm-memory', 'max-shm-ids', 'max-msg-ids',
  'max-sem-ids', 'scheduling-class', 'hostid', 'user', 'auths', 'fs-allowed', 'uuid', 'zfs-io-priority', 'alias']);

const GLOBAL_PROPS = new Set(['zonename', 'zonepath', 'brand', 'autoboot', 'ip-type', 'pool', 'limitpriv', 'bootargs',
  'scheduling-class', 'hostid', 'fs-allowed', 'uuid', 'cpu-shares', 'max-lwps', 'max-processes', 'max-shm-memory',
  'max-shm-ids', 'max-msg-ids', 'max-sem-ids', 'zfs-io-priority']);

const RESOURCES = {
  attr: new Set(['name', 'type', 'value']),
  net: new Set(['address', 'allowed-address', 'physical', 'defrouter', 'mac-addr', 'vlan-id', 'global-nic']),
  'capped-memory': new Set(['physical', 'locked', 'swap']),
  'capped-cpu': new Set(['ncpus']),
  rctl: new Set(['name', 'value']),
  dataset: new Set(['name', 'alias']),
  fs: new Set(['dir', 'special', 'raw', 'type', 'options']),
  device: new Set(['match']),
};
// Resources holding `property (name=..., value=...)` entries.
const WITH_PROPERTIES = new Set(['net', 'device']);
// Resources a zone has at most one of.
const SINGLETONS = new Set(['capped-memory', 'capped-cpu']);

const CHECKS = {
  autoboot: /^(true|false)$/,
  'ip-type': /^(exclusive|shared)$/,
  'cpu-shares': /^\d+$/, 'max-lwps': /^\d+$/, 'max-processes': /^\d+$/, 'max-shm-memory': /^\d+[kmgt]?$/i,
  'max-shm-ids': /^\d+$/, 'max-msg-ids': /^\d+$/, 'max-sem-ids': /^\d+$/, 'zfs-io-priority': /^\d+$/,
  'vlan-id': /^\d+$/, 'mac-addr': /^[0-9a-f]{1,2}(:[0-9a-f]{1,2}){5}$/i,
  physical: /^[A-Za-z0-9_.-]+$/, locked: /^\d+[kmgt]?$/i, swap: /^\d+[kmgt]?$/i,
  ncpus: /^\d+(\.\d+)?$/, type: /^(string|int|uint|boolean)$/,
};
const MEMORY_PHYSICAL = /^\d+[kmgt]?$/i;

/* ---------- lexer ---------- */

function isBlank(c) { return c === ' ' || c === '\t'; }

/**
 * Tokens: {t:'word', v} (keyword or subcommand), {t:'token', v, quoted}
 * (a value), {t:'=' | '[' | ']' | '(' | ')' | ','}, {t:'eoc'} (`;`, newline,
 * end of input), each with `line`.
 */
function tokenize(src) {
  const out = [];
  let i = 0;
  let line = 1;
  let state = 'INITIAL'; // INITIAL | T | L | C
  let outer = 'T';
  const n = src.length;
  const push = (tok) => { tok.line = line; out.push(tok); };
  while (i < n) {
    const c = src[i];
    if (isBlank(c)) { i++; continue; }
    if (c === '\n' || c === ';') {
      push({ t: 'eoc', v: c });
      if (c === '\n') line++;
      state = 'INITIAL';
      i++;
      continue;
    }
    if (state === 'INITIAL') {
      if (c === '#') { while (i < n && src[i] !== '\n') i++; continue; }
      let j = i;
      while (j < n && /[a-z?]/.test(src[j])) j++;
      const w = src.slice(i, j);
      if (!SUBCOMMANDS.has(w) || (j < n && !isBlank(src[j]) && src[j] !== ';' && src[j] !== '\n')) {
        const shown = j > i ? src.slice(i, Math.max(j, i + 1)) : c;
        throw new ZonecfgError(`syntax error on line ${line} at '${shown === '\n' ? '\\n' : shown}'`);
      }
      push({ t: 'word', v: w === '?' ? 'help' : w });
      state = 'T';
      outer = 'T';
      i = j;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < n && src[j] !== '"' && src[j] !== '\n') j++;
      if (j >= n || src[j] === '\n') throw new ZonecfgError(`syntax error on line ${line}: unterminated quoted string`);
      push({ t: 'token', v: src.slice(i + 1, j), quoted: true });
      i = j + 1;
      continue;
    }
    if (c === '=') { push({ t: '=' }); i++; continue; }
    if (c === '(' && (state === 'T' || state === 'L')) { outer = state; state = 'C'; push({ t: '(' }); i++; continue; }
    if (c === ')' && state === 'C') { state = outer; push({ t: ')' }); i++; continue; }
    if (c === '[' && state === 'T') { state = 'L'; push({ t: '[' }); i++; continue; }
    if (c === ']' && state === 'L') { state = 'T'; push({ t: ']' }); i++; continue; }
    if (c === ',' && (state === 'L' || state === 'C')) { push({ t: ',' }); i++; continue; }
    const stop = state === 'T' ? ' \t\n";=[]()' : state === 'L' ? ' \t\n",;=[]()' : ' \t\n",;=()';
    let j = i;
    while (j < n && !stop.includes(src[j])) j++;
    if (j === i) throw new ZonecfgError(`syntax error on line ${line} at '${c}'`);
    const w = src.slice(i, j);
    if (KEYWORDS.has(w)) push({ t: 'word', v: w });
    else push({ t: 'token', v: w, quoted: false });
    i = j;
  }
  push({ t: 'eoc', v: '' });
  return out;
}

/* ---------- parser ---------- */

/**
 * Parse and check a command file. Returns the commands, each
 * {cmd, line, ...}: create {flags}, set {prop, value}, clear {prop},
 * add {resource} or add property {property:{name,value}}, remove {resource,
 * force, match:{prop:value}} or remove property, select {resource, match},
 * end, commit, verify, exit, delete {force}, cancel, revert, info, export.
 */
function parse(src) {
  const toks = tokenize(src);
  let p = 0;
  const cmds = [];
  let scope = null; // null = global, else resource type
  const peek = () => toks[p];
  const next = () => toks[p++];
  const fail = (tok, what) => {
    const at = tok.t === 'eoc' ? (tok.v === '\n' ? '\\n' : tok.v) : (tok.v !== undefined ? tok.v : tok.t);
    throw new ZonecfgError(`${what || 'syntax error'} on line ${tok.line} at '${at}'`);
  };
  const expect = (t) => { const tok = next(); if (tok.t !== t) fail(tok); return tok; };
  // zonecfg's grammar takes a keyword (resource type or property name) as a value too.
  const isValue = (tok) => tok.t === 'token' || (tok.t === 'word' && KEYWORDS.has(tok.v));
  const value = () => {
    const tok = next();
    if (isValue(tok)) return tok.v;
    if (tok.t === '[') {
      const vals = [];
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
    if (tok.t === '(') return complex(true);
    return fail(tok);
  };
  // `(name=..., value=...)` after its `(`
  function complex() {
    const out = {};
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
  }
  const endOfCommand = () => { const tok = next(); if (tok.t !== 'eoc') fail(tok); };
  const property = (tok) => {
    const cx = (expect('('), complex());
    const keys = Object.keys(cx).sort().join(',');
    if (keys !== 'name,value') fail(tok, 'property needs exactly name and value');
    return cx;
  };
  const matchers = (resource) => {
    const match = {};
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

  while (p < toks.length) {
    const tok = next();
    if (tok.t === 'eoc') continue;
    if (tok.t !== 'word' || !SUBCOMMANDS.has(tok.v) && tok.v !== 'help') fail(tok);
    const line = tok.line;
    switch (tok.v) {
      case 'create': {
        if (scope) fail(tok, 'create is not allowed inside a resource');
        const flags = [];
        while (peek().t === 'token') flags.push(next().v);
        for (const f of flags) if (!['-b', '-F'].includes(f)) fail(tok, `create: unsupported option ${f}`);
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
        const check = scope === 'capped-memory' && k.v === 'physical' ? MEMORY_PHYSICAL : CHECKS[k.v];
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
        if (r.t !== 'word' || !RESOURCES[r.v]) fail(r, 'unknown resource type');
        endOfCommand();
        scope = r.v;
        cmds.push({ cmd: 'add', resource: r.v, line });
        break;
      }
      case 'select': {
        if (scope) fail(tok, 'select is not allowed inside a resource');
        const r = next();
        if (r.t !== 'word' || !RESOURCES[r.v]) fail(r, 'unknown resource type');
        const match = matchers(r.v);
        endOfCommand();
        if (Object.keys(match).length === 0 && !SINGLETONS.has(r.v)) fail(r, `select ${r.v} needs a property to match`);
        scope = r.v;
        cmds.push({ cmd: 'select', resource: r.v, match, line });
        break;
      }
      case 'remove': {
        let force = false;
        if (peek().t === 'token' && peek().v === '-F') { next(); force = true; }
        const r = next();
        if (scope) {
          if (r.t !== 'word' || r.v !== 'property' || !WITH_PROPERTIES.has(scope)) fail(r, `cannot remove that inside resource "${scope}"`);
          const pr = property(r);
          endOfCommand();
          cmds.push({ cmd: 'remove', resource: 'property', property: pr, force, line, scope });
          break;
        }
        if (r.t !== 'word' || !RESOURCES[r.v]) fail(r, 'unknown resource type');
        const match = matchers(r.v);
        endOfCommand();
        if (Object.keys(match).length === 0 && !force && !SINGLETONS.has(r.v)) fail(r, `remove ${r.v} needs a property to match or -F`);
        cmds.push({ cmd: 'remove', resource: r.v, match, force, line });
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
        let force = false;
        if (peek().t === 'token' && peek().v === '-F') { next(); force = true; }
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
      default: // commit, verify, exit, revert, info, export, help
        while (peek().t !== 'eoc') next();
        endOfCommand();
        if (scope && ['commit', 'verify', 'exit'].includes(tok.v)) fail(tok, `resource "${scope}" is incomplete`);
        cmds.push({ cmd: tok.v, line });
    }
  }
  if (scope) throw new ZonecfgError(`end of input inside resource "${scope}": missing 'end'`);
  return cmds;
}

/**
 * Apply parsed commands to a zone configuration (`create -b` starts it
 * blank; `-u` updates start from `base`): {props, attrs, nets, devices,
 * 'capped-memory', 'capped-cpu', rctls, datasets, fss}. Resources are
 * plain objects; net/device entries keep `properties` as [{name, value}].
 * Throws ZonecfgError where zonecfg would (select/remove matching nothing,
 * an attr without name, ...).
 */
function apply(cmds, base) {
  const z = base ? JSON.parse(JSON.stringify(base)) : emptyZone();
  const lists = { attr: 'attrs', net: 'nets', device: 'devices', rctl: 'rctls', dataset: 'datasets', fs: 'fss' };
  let cur = null;
  let curType = null;
  let selected = null;
  const matches = (res, match) => Object.keys(match).every((k) => res[k] === match[k]);
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
          if (cur.properties.some((x) => x.name === c.property.name)) {
            throw new ZonecfgError(`property "${c.property.name}" already set in this ${curType} ${at}`);
          }
          cur.properties.push({ name: c.property.name, value: c.property.value });
        } else {
          curType = c.resource;
          cur = WITH_PROPERTIES.has(c.resource) ? { properties: [] } : {};
          selected = null;
        }
        break;
      case 'select': {
        curType = c.resource;
        if (SINGLETONS.has(c.resource)) {
          if (!z[c.resource]) throw new ZonecfgError(`No such ${c.resource} resource ${at}`);
          selected = z[c.resource];
        } else {
          const hits = z[lists[c.resource]].filter((r) => matches(r, c.match));
          if (hits.length !== 1) throw new ZonecfgError(`${hits.length ? 'More than one' : 'No such'} ${c.resource} resource ${at}`);
          selected = hits[0];
        }
        cur = selected;
        break;
      }
      case 'remove':
        if (c.resource === 'property') {
          const i = cur.properties.findIndex((x) => x.name === c.property.name && x.value === c.property.value);
          if (i >= 0) cur.properties.splice(i, 1);
          else if (!c.force) throw new ZonecfgError(`No such property ${at}`);
        } else if (SINGLETONS.has(c.resource)) {
          if (!z[c.resource] && !c.force) throw new ZonecfgError(`No such ${c.resource} resource ${at}`);
          delete z[c.resource];
        } else {
          const list = z[lists[c.resource]];
          const keep = list.filter((r) => !matches(r, c.match));
          const removed = list.length - keep.length;
          if (removed === 0 && !c.force) throw new ZonecfgError(`No such ${c.resource} resource ${at}`);
          if (removed > 1 && !c.force) throw new ZonecfgError(`More than one ${c.resource} resource matches ${at}`);
          z[lists[c.resource]] = keep;
        }
        break;
      case 'end':
        if (selected) { /* modified in place */ } else if (SINGLETONS.has(curType)) {
          if (z[curType]) throw new ZonecfgError(`A ${curType} resource already exists ${at}`);
          z[curType] = cur;
        } else {
          if (curType === 'attr' && (cur.name === undefined || cur.type === undefined || cur.value === undefined)) {
            throw new ZonecfgError(`attr: name, type and value are required ${at}`);
          }
          if (curType === 'attr' && z.attrs.some((a) => a.name === cur.name)) {
            throw new ZonecfgError(`attr "${cur.name}" already exists ${at}`);
          }
          if (curType === 'net' && cur['mac-addr'] !== undefined && z.nets.some((x) => x['mac-addr'] === cur['mac-addr'])) {
            throw new ZonecfgError(`net with mac-addr ${cur['mac-addr']} already exists ${at}`);
          }
          z[lists[curType]].push(cur);
        }
        cur = null; curType = null; selected = null;
        break;
      default: break;
    }
  }
  return z;
}

function emptyZone() {
  return { props: {}, attrs: [], nets: [], devices: [], rctls: [], datasets: [], fss: [] };
}

module.exports = { ZonecfgError, tokenize, parse, apply, KEYWORDS };
