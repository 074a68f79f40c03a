/**
 * Properties of the compiler over random hosts and rules (fast-check).
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { compileFirewall } from '../../../src/core/ipf/compile';
import type { CompileInput, FwVm } from '../../../src/core/ipf/model';
import type { FwRule, Protocol, Target } from '../../../src/core/fwrule/types';
import {
  DATE, FALLBACKS, OWNER_A, OWNER_B, allVms, any, input, ip, rule, subnet, tag, uuid, vm, vmT,
} from './fixtures';

const V4 = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '192.168.1.10'];
const V6 = ['fd00::1', 'fd00::2', '2001:db8::5'];

const owner = fc.constantFrom<string | null>(OWNER_A, OWNER_B, null);
const tags = fc.dictionary(fc.constantFrom('a', 'b'), fc.constantFrom('x', 'y'));
const ips = fc.uniqueArray(fc.constantFrom(...V4, ...V6), { maxLength: 4 });

const localVms = fc
  .array(fc.record({ ips, tags, owner, enabled: fc.boolean() }), { minLength: 1, maxLength: 5 })
  .map((specs) => specs.map((s, i) => vm(uuid('a', i), s)));
const remoteVms = fc
  .array(fc.record({ ips: fc.uniqueArray(fc.constantFrom(...V4, ...V6), { minLength: 1, maxLength: 2 }), tags, owner }), { maxLength: 2 })
  .map((specs) => specs.map((s, i) => vm(uuid('f', i), { ...s, remote: true })));

const listTarget: fc.Arbitrary<Target> = fc.oneof(
  fc.constantFrom(...V4, ...V6).map(ip),
  fc.constantFrom('10.0.0.0/8', 'fd00::/64').map(subnet),
  fc.tuple(fc.constantFrom('a', 'b'), fc.option(fc.constantFrom('x', 'y'), { nil: undefined })).map(([n, v]) => tag(n, v)),
  fc.integer({ min: 0, max: 6 }).map((i) => vmT(uuid(i % 2 ? 'a' : 'f', i >> 1))),
);
const side: fc.Arbitrary<Target[]> = fc.oneof(
  fc.constant<Target[]>([any]),
  fc.constant<Target[]>([allVms]),
  fc.array(listTarget, { minLength: 1, maxLength: 4 }),
);
const protocol: fc.Arbitrary<Protocol> = fc.oneof(
  fc.record({
    name: fc.constantFrom('tcp' as const, 'udp' as const),
    ports: fc.oneof(fc.constant('all' as const), fc.uniqueArray(fc.integer({ min: 1, max: 65535 }), { minLength: 1, maxLength: 3 })),
  }),
  fc.record({
    name: fc.constantFrom('icmp' as const, 'icmp6' as const),
    types: fc.oneof(fc.constant('all' as const), fc.array(fc.record({ type: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 2 })),
  }),
  fc.constantFrom<Protocol>({ name: 'ah' }, { name: 'esp' }),
);
const ruleArb = (n: number): fc.Arbitrary<FwRule> =>
  fc
    .record({
      from: side,
      to: side,
      action: fc.constantFrom('allow' as const, 'block' as const),
      protocol,
      priority: fc.constantFrom(0, 0, 1, 50),
      enabled: fc.boolean(),
      owner,
      global: fc.boolean(),
      log: fc.boolean(),
    })
    .map((s) => rule({ uuid: uuid('r', n), ...s }));
const rules = fc.array(fc.nat(), { maxLength: 6 }).chain((xs) => fc.tuple(...xs.map((_, i) => ruleArb(i))));

const host: fc.Arbitrary<CompileInput> = fc.tuple(localVms, rules, remoteVms).map(([v, r, rv]) => input(v, r, rv));

function compile(inp: CompileInput, eventLog = false): Map<string, { ipf: string; ipf6: string }> {
  return new Map(compileFirewall(inp, { eventLog, date: DATE }).map((f) => [f.uuid, f]));
}

const ruleLines = (text: string): string[] => text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));

describe('core/ipf compile: properties', () => {
  it('every firewall-enabled VM gets both files, ending with the fallbacks and a newline', () => {
    fc.assert(
      fc.property(host, fc.boolean(), (inp, eventLog) => {
        const out = compile(inp, eventLog);
        assert.deepEqual([...out.keys()], inp.vms.filter((v) => v.firewallEnabled).map((v) => v.uuid));
        for (const f of out.values()) {
          assert.ok(f.ipf.endsWith('\n' + FALLBACKS('icmp').join('\n') + '\n'));
          assert.ok(f.ipf6.endsWith('\n' + FALLBACKS('ipv6-icmp').join('\n') + '\n'));
        }
      }),
    );
  });

  it('a rule that touches no VM changes no file', () => {
    const nowhere = fc.constantFrom<Target[]>([vmT(uuid('9', 9))], [tag('nosuchtag')], [tag('a', 'nosuchvalue')]);
    fc.assert(
      fc.property(host, ruleArb(99), nowhere, nowhere, (inp, r, from, to) => {
        const extra: FwRule = { ...r, enabled: true, parsed: { ...r.parsed, from, to } };
        assert.deepEqual(compile({ ...inp, rules: [...inp.rules, extra] }), compile(inp));
      }),
    );
  });

  it('a rule scoped to an owner with no VMs changes no file', () => {
    fc.assert(
      fc.property(host, ruleArb(99), (inp, r) => {
        const others = inp.vms.concat(inp.remoteVms).map((v) => v.owner_uuid);
        const lonely = uuid('ee', 1);
        fc.pre(!others.includes(lonely));
        const extra: FwRule = { ...r, owner_uuid: lonely, global: undefined };
        const onlyVmTargets = (s: readonly Target[]): boolean => s.every((t) => t.kind !== 'any' && t.kind !== 'ip' && t.kind !== 'subnet');
        fc.pre(onlyVmTargets(r.parsed.from) || onlyVmTargets(r.parsed.to));
        assert.deepEqual(compile({ ...inp, rules: [extra, ...inp.rules] }), compile(inp));
      }),
    );
  });

  it('adding a disabled rule changes nothing', () => {
    fc.assert(
      fc.property(host, ruleArb(99), fc.nat(), (inp, r, at) => {
        const rs = [...inp.rules];
        rs.splice(at % (rs.length + 1), 0, { ...r, enabled: false });
        assert.deepEqual(compile({ ...inp, rules: rs }), compile(inp));
      }),
    );
  });

  it('rule lines of ipf.conf never name an IPv6 address, those of ipf6.conf never an IPv4 one', () => {
    fc.assert(
      fc.property(host, (inp) => {
        for (const f of compile(inp).values()) {
          for (const l of ruleLines(f.ipf)) assert.ok(!/[0-9a-f]*:[0-9a-f:]*:/.test(l.replace(/ : /g, ' ')), l);
          for (const l of ruleLines(f.ipf6)) assert.ok(!/\d+\.\d+\.\d+\.\d+/.test(l), l);
          assert.ok(!ruleLines(f.ipf).some((l) => l.includes('ipv6-icmp')));
          assert.ok(!ruleLines(f.ipf6).some((l) => / proto icmp /.test(l)));
        }
      }),
    );
  });

  it('output does not depend on the order of remote VMs with distinct addresses (entries sort by address)', () => {
    fc.assert(
      fc.property(host, (inp) => {
        const firsts = inp.remoteVms.map((v: FwVm) => v.addresses[0].key);
        fc.pre(new Set(firsts).size === firsts.length && inp.vms.every((v) => !firsts.includes(v.addresses[0]?.key ?? '')));
        assert.deepEqual(compile({ ...inp, remoteVms: [...inp.remoteVms].reverse() }), compile(inp));
      }),
    );
  });
});
