/**
 * What a change touches: the VMs affectedVms names are exactly those whose
 * compiled ipf.conf or ipf6.conf differ (property, fixed seed), and the
 * helpers fwadm's vms/rules commands use.
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { affectedVms, compileOnly, enabledRuleMayName, ruleVms, vmRules } from '../../../src/core/fw/affected';
import { canonicalText } from '../../../src/core/fwrule/canonical';
import type { FwRule, Protocol, Target } from '../../../src/core/fwrule/types';
import { compileFirewall } from '../../../src/core/ipf/compile';
import type { CompileInput, FwVm } from '../../../src/core/ipf/model';
import { DATE, OWNER_A, OWNER_B, allVms, any, input, ip, rule, subnet, tag, tcp, uuid, vm, vmT } from '../ipf/fixtures';

const V4 = ['10.0.0.1', '10.0.0.2', '192.168.1.10'];
const V6 = ['fd00::1', '2001:db8::5'];

const owner = fc.constantFrom<string | null>(OWNER_A, OWNER_B, null);
const tags = fc.dictionary(fc.constantFrom('a', 'b'), fc.constantFrom('x', 'y'), { maxKeys: 2 });
const ips = fc.uniqueArray(fc.constantFrom(...V4, ...V6), { maxLength: 3 });
const rvmIps = fc.uniqueArray(fc.constantFrom(...V4, ...V6), { minLength: 1, maxLength: 2 });

interface VmSpec { ips: string[]; tags: Record<string, string>; owner: string | null; enabled: boolean }
const vmSpec: fc.Arbitrary<VmSpec> = fc.record({ ips, tags, owner, enabled: fc.boolean() });
const rvmSpec = fc.record({ ips: rvmIps, tags, owner });

const listTarget: fc.Arbitrary<Target> = fc.oneof(
  fc.constantFrom(...V4, ...V6).map(ip),
  fc.constantFrom('10.0.0.0/8', 'fd00::/64').map(subnet),
  fc.tuple(fc.constantFrom('a', 'b'), fc.option(fc.constantFrom('x', 'y'), { nil: undefined })).map(([n, v]) => tag(n, v)),
  fc.integer({ min: 0, max: 7 }).map((i) => vmT(i < 5 ? uuid('a', i) : uuid('f', i - 5))),
);
const side: fc.Arbitrary<Target[]> = fc.oneof(
  { weight: 1, arbitrary: fc.constant<Target[]>([any]) },
  { weight: 1, arbitrary: fc.constant<Target[]>([allVms]) },
  { weight: 4, arbitrary: fc.array(listTarget, { minLength: 1, maxLength: 3 }) },
);
const protocol: fc.Arbitrary<Protocol> = fc.oneof(
  fc.record({ name: fc.constantFrom('tcp' as const, 'udp' as const), ports: fc.oneof(fc.constant('all' as const), fc.uniqueArray(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 2 })) }),
  fc.record({ name: fc.constantFrom('icmp' as const, 'icmp6' as const), types: fc.constant('all' as const) }),
  fc.constantFrom<Protocol>({ name: 'ah' }, { name: 'esp' }),
);
interface RuleSpec { from: Target[]; to: Target[]; action: 'allow' | 'block'; protocol: Protocol; priority: number; enabled: boolean; owner: string | null; global: boolean; log: boolean }
const ruleSpec: fc.Arbitrary<RuleSpec> = fc.record({
  from: side, to: side, action: fc.constantFrom('allow' as const, 'block' as const), protocol,
  priority: fc.constantFrom(0, 0, 5), enabled: fc.boolean(), owner, global: fc.boolean(), log: fc.boolean(),
});

/** A rule as the store holds it: `rule` is the canonical text of `parsed`. */
function mkRule(n: number, s: RuleSpec, version = 1): FwRule {
  const r = rule({ uuid: uuid('c', n), ...s, version: `17000000000${String(version).padStart(2, '0')}.000001` });
  return { ...r, rule: canonicalText(r.parsed) };
}
const mkVm = (i: number, s: VmSpec): FwVm => vm(uuid('a', i), s);
const mkRvm = (i: number, s: { ips: string[]; tags: Record<string, string>; owner: string | null }): FwVm => vm(uuid('f', i), { ...s, remote: true });

type Change =
  | { op: 'addRule'; n: number; spec: RuleSpec }
  | { op: 'updateRule'; at: number; spec: RuleSpec }
  | { op: 'deleteRule'; at: number }
  | { op: 'toggleRule'; at: number }
  | { op: 'touchRule'; at: number }
  | { op: 'vm'; at: number; spec: Partial<VmSpec> }
  | { op: 'addVm'; spec: VmSpec }
  | { op: 'deleteVm'; at: number }
  | { op: 'addRvm'; spec: { ips: string[]; tags: Record<string, string>; owner: string | null } }
  | { op: 'deleteRvm'; at: number };

const change: fc.Arbitrary<Change> = fc.oneof(
  fc.record({ op: fc.constant('addRule' as const), n: fc.integer({ min: 0, max: 20 }), spec: ruleSpec }),
  fc.record({ op: fc.constant('updateRule' as const), at: fc.nat(), spec: ruleSpec }),
  fc.record({ op: fc.constant('deleteRule' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('toggleRule' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('touchRule' as const), at: fc.nat() }),
  fc.record({
    op: fc.constant('vm' as const),
    at: fc.nat(),
    spec: fc.record({ ips, tags, owner, enabled: fc.boolean() }, { requiredKeys: [] }),
  }),
  fc.record({ op: fc.constant('addVm' as const), spec: vmSpec }),
  fc.record({ op: fc.constant('deleteVm' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('addRvm' as const), spec: rvmSpec }),
  fc.record({ op: fc.constant('deleteRvm' as const), at: fc.nat() }),
);

interface Host { vms: Array<[number, VmSpec]>; rvms: Array<[number, { ips: string[]; tags: Record<string, string>; owner: string | null }]>; rules: Array<[number, RuleSpec, number]> }

const host: fc.Arbitrary<Host> = fc.record({
  vms: fc.array(vmSpec, { maxLength: 5 }).map((xs) => xs.map((s, i): [number, VmSpec] => [i, s])),
  rvms: fc.array(rvmSpec, { maxLength: 2 }).map((xs) => xs.map((s, i): [number, typeof s] => [i, s])),
  rules: fc.array(ruleSpec, { maxLength: 8 }).map((xs) => xs.map((s, i): [number, RuleSpec, number] => [i * 2 + 1, s, 1])),
});

function toInput(h: Host): CompileInput {
  return input(
    h.vms.map(([i, s]) => mkVm(i, s)),
    [...h.rules].sort((a, b) => a[0] - b[0]).map(([n, s, v]) => mkRule(n, s, v)),
    h.rvms.map(([i, s]) => mkRvm(i, s)),
  );
}

function apply(h: Host, c: Change): Host {
  const pick = <T>(xs: T[], at: number): number => (xs.length === 0 ? -1 : at % xs.length);
  const vms = [...h.vms];
  const rvms = [...h.rvms];
  const rules = [...h.rules];
  switch (c.op) {
    case 'addRule': {
      const n = c.n * 2; // even: never an existing uuid
      if (!rules.some(([x]) => x === n)) rules.push([n, c.spec, 1]);
      break;
    }
    case 'updateRule': { const i = pick(rules, c.at); if (i >= 0) rules[i] = [rules[i][0], c.spec, rules[i][2] + 1]; break; }
    case 'deleteRule': { const i = pick(rules, c.at); if (i >= 0) rules.splice(i, 1); break; }
    case 'toggleRule': { const i = pick(rules, c.at); if (i >= 0) rules[i] = [rules[i][0], { ...rules[i][1], enabled: !rules[i][1].enabled }, rules[i][2] + 1]; break; }
    case 'touchRule': { const i = pick(rules, c.at); if (i >= 0) rules[i] = [rules[i][0], rules[i][1], rules[i][2] + 1]; break; }
    case 'vm': { const i = pick(vms, c.at); if (i >= 0) vms[i] = [vms[i][0], { ...vms[i][1], ...c.spec }]; break; }
    case 'addVm': if (vms.length < 5) vms.push([Math.max(-1, ...vms.map(([i]) => i)) + 1, c.spec]); break;
    case 'deleteVm': { const i = pick(vms, c.at); if (i >= 0) vms.splice(i, 1); break; }
    case 'addRvm': if (rvms.length < 3) rvms.push([Math.max(-1, ...rvms.map(([i]) => i)) + 1, c.spec]); break;
    case 'deleteRvm': { const i = pick(rvms, c.at); if (i >= 0) rvms.splice(i, 1); break; }
  }
  return { vms, rvms, rules };
}

/** The answer by brute force: compile everything on both sides and compare. */
function differing(before: CompileInput, after: CompileInput): string[] {
  const a = new Map(compileFirewall(before, { eventLog: false, date: DATE }).map((f) => [f.uuid, f]));
  const b = new Map(compileFirewall(after, { eventLog: false, date: DATE }).map((f) => [f.uuid, f]));
  const out: string[] = [];
  for (const uuid of new Set([...a.keys(), ...b.keys()])) {
    const fa = a.get(uuid);
    const fb = b.get(uuid);
    if (fa?.ipf !== fb?.ipf || fa?.ipf6 !== fb?.ipf6) out.push(uuid);
  }
  return out.sort();
}

describe('core/fw affected VMs', () => {
  it('names exactly the VMs whose compiled files differ, for any changes to rules, VMs and remote VMs', () => {
    fc.assert(
      fc.property(host, fc.array(change, { minLength: 1, maxLength: 3 }), (h, changes) => {
        const after = changes.reduce(apply, h);
        const bi = toInput(h);
        const ai = toInput(after);
        assert.deepEqual(affectedVms(bi, ai), differing(bi, ai));
      }),
      { numRuns: 400 },
    );
  });

  it('enabledRuleMayName false: adding the VM changes no other VM\'s files, and its own hold no rule lines (the create hook\'s shortcut)', () => {
    fc.assert(
      fc.property(host, vmSpec, (h, spec) => {
        const added = { ...h, vms: [...h.vms, [99, spec] as [number, VmSpec]] };
        const newVm = mkVm(99, spec);
        const ai = toInput(added);
        if (enabledRuleMayName(ai.rules, newVm)) return;
        assert.deepEqual(affectedVms(toInput(h), ai).filter((u) => u !== newVm.uuid), []);
        const own = compileFirewall(ai, { eventLog: false, date: DATE }).find((f) => f.uuid === newVm.uuid);
        if (own) assert.doesNotMatch(own.ipf + own.ipf6, /# rule=/);
      }),
      { numRuns: 300 },
    );
  });

  it('no change names no VM', () => {
    fc.assert(
      fc.property(host, (h) => {
        assert.deepEqual(affectedVms(toInput(h), toInput(h)), []);
      }),
    );
  });

  it('a rule between two tags touches the VMs of both tags and no other', () => {
    const vms = [
      vm(uuid('a', 0), { ips: ['10.0.0.1'], tags: { role: 'web' } }),
      vm(uuid('a', 1), { ips: ['10.0.0.2'], tags: { role: 'db' } }),
      vm(uuid('a', 2), { ips: ['10.0.0.3'], tags: { role: 'other' } }),
      vm(uuid('a', 3), { ips: ['10.0.0.4'], tags: { role: 'db' }, enabled: false }),
    ];
    const r = mkRule(1, { from: [tag('role', 'web')], to: [tag('role', 'db')], action: 'allow', protocol: tcp(5432), priority: 0, enabled: true, owner: OWNER_A, global: false, log: false });
    assert.deepEqual(affectedVms(input(vms, []), input(vms, [r])), [uuid('a', 1)]);
    // priority > 0: the outbound side gets lines too
    const p = { ...r, rule: r.rule + ' PRIORITY 1', parsed: { ...r.parsed, priority: 1 } };
    assert.deepEqual(affectedVms(input(vms, []), input(vms, [p])), [uuid('a', 0), uuid('a', 1)]);
    // a VM whose firewall is turned on gets files; its addresses in others' files do not depend on it
    const on = vms.map((v, i) => (i === 3 ? { ...v, firewallEnabled: true } : v));
    assert.deepEqual(affectedVms(input(vms, [r]), input(on, [r])), [uuid('a', 3)]);
  });

  it('reordered inputs are still answered exactly', () => {
    fc.assert(
      fc.property(host, (h) => {
        const bi = toInput(h);
        const ai = { ...bi, rules: [...bi.rules].reverse(), vms: [...bi.vms].reverse() };
        assert.deepEqual(affectedVms(bi, ai), differing(bi, ai));
      }),
    );
  });

  it('compileOnly gives the same files as compiling everything', () => {
    fc.assert(
      fc.property(host, fc.uniqueArray(fc.integer({ min: 0, max: 4 })), (h, picks) => {
        const inp = toInput(h);
        const want = new Set(picks.map((i) => uuid('a', i)));
        const all = compileFirewall(inp, { eventLog: true, date: DATE }).filter((f) => want.has(f.uuid));
        assert.deepEqual(compileOnly(inp, want, { eventLog: true, date: DATE }), all);
      }),
    );
  });

  it('ruleVms and vmRules: the VMs a rule names, the rules naming a VM (owner scoped, enabled or not)', () => {
    const vms = [
      vm(uuid('a', 0), { ips: ['10.0.0.1'], tags: { role: 'web' } }),
      vm(uuid('a', 1), { ips: ['10.0.0.2'], tags: { role: 'web' }, owner: OWNER_B, enabled: false }),
    ];
    const mine = mkRule(1, { from: [any], to: [tag('role')], action: 'allow', protocol: tcp(80), priority: 0, enabled: false, owner: OWNER_A, global: false, log: false });
    const all = mkRule(2, { from: [any], to: [allVms], action: 'allow', protocol: tcp(22), priority: 0, enabled: true, owner: null, global: true, log: false });
    assert.deepEqual(ruleVms(input(vms, []), mine), [uuid('a', 0)]);
    assert.deepEqual(ruleVms(input(vms, []), all), [uuid('a', 0), uuid('a', 1)]);
    assert.deepEqual(vmRules([all, mine], vms[0]).map((r) => r.uuid), [uuid('c', 1), uuid('c', 2)]);
    assert.deepEqual(vmRules([all, mine], vms[1]).map((r) => r.uuid), [uuid('c', 2)]);
  });
});
