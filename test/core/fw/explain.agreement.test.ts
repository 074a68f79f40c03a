/**
 * `fwadm explain` against the compiler: for every probe, explain (the
 * rules' meaning, core/fw/explain) and the ipf evaluator
 * (test/helpers/ipf-eval.ts) reading what `fwadm compile` writes for the VM
 * must give the same verdict, the same deciding rule and target (or the
 * same fallback line), and the same answer for the replies. On the hosts
 * of the golden compiler cases, on examples/compile/host.json, and on a
 * generated corpus (fixed seed). A disagreement is a bug in explain, the
 * evaluator or the compiler: the case that showed it is kept below.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { explain, type Decision, type ExplainPacket } from '../../../src/core/fw/explain';
import { canonicalText } from '../../../src/core/fwrule/canonical';
import { parseRule } from '../../../src/core/fwrule/parse';
import type { FwRule, ProtocolName, Target } from '../../../src/core/fwrule/types';
import { compileFirewall } from '../../../src/core/ipf/compile';
import type { CompileInput, VmFiles } from '../../../src/core/ipf/model';
import { commentTarget, parseCompilePayload } from '../../../src/core/ipf/payload';
import { commentSafe } from '../../../src/core/ipf/render';
import { parseAddress } from '../../../src/core/net/address';
import { exchange, type Probe } from '../../helpers/ipf-eval';
import { repoRoot } from '../../helpers/run-cli';
import { DATE, OWNER_A, OWNER_B, input, rule, uuid, vm } from '../ipf/fixtures';
import { GOLDEN } from '../ipf/scenarios';

/** The `<type>=<value>` of the rule comment of an entry naming `t` (docs/ipf.md "File layout and order"). */
function commentOf(t: Target): [string, string] {
  const [type, value] = commentTarget(t);
  return [type, commentSafe(value)];
}

function probeOf(p: ExplainPacket, sourcePort: number): Probe {
  return {
    direction: p.direction,
    protocol: p.protocol,
    peer: p.peer.text,
    ...(p.port !== undefined ? { port: p.port, sourcePort } : {}),
    ...(p.icmp !== undefined ? { icmpType: p.icmp.type, icmpCode: p.icmp.code } : {}),
  };
}

function describeProbe(vmUuid: string, p: ExplainPacket): string {
  const target = p.port ?? (p.icmp ? `${p.icmp.type}:${p.icmp.code}` : '');
  return `${vmUuid} ${p.direction} ${p.protocol} ${p.peer.text} ${target}`.trimEnd();
}

function said(d: Decision): string {
  return `${d.verdict} by ${d.by} ${d.rule?.uuid ?? d.fallback ?? ''}`;
}

let probes = 0;

/**
 * Explain and the evaluator agree on one probe. `eventLog`: the files were
 * written for an event-logging host, where every line keeps state, so
 * whether a reply passes by state is not compared (its verdict is).
 */
function agree(inp: CompileInput, files: ReadonlyMap<string, VmFiles>, vmUuid: string, p: ExplainPacket, sourcePort = 40000, eventLog = false): void {
  probes++;
  const d = explain(inp, vmUuid, p);
  const f = files.get(vmUuid);
  const where = describeProbe(vmUuid, p);
  if (f === undefined) {
    assert.equal(d.by, 'firewall-disabled', `${where}: no files, but explain says ${said(d)}`);
    assert.equal(d.verdict, 'allow');
    return;
  }
  const ex = exchange(f.ipf, f.ipf6, probeOf(p, sourcePort));
  const e = ex.first;
  const msg = `${where}: explain says ${said(d)}; ipf ${e.file} line ${e.lineNumber ?? '-'} says ${e.verdict}: ${e.line ?? '(no line)'}`;
  assert.equal(e.verdict, d.verdict === 'allow' ? 'pass' : 'block', msg);
  assert.equal(e.file, d.file, msg);
  if (d.by === 'rule') {
    assert.equal(e.rule?.uuid, d.rule!.uuid, msg);
    assert.deepEqual([e.rule.type, e.rule.value], commentOf(d.matched!.target), msg);
  } else if (d.by === 'fallback') {
    assert.equal(e.rule, undefined, msg);
    assert.equal(e.line?.replace(/\s+/g, ' '), d.fallback, msg);
  } else {
    assert.equal(d.by, 'default', msg);
    assert.equal(e.line, undefined, msg);
  }
  const reply = `${msg}; replies: explain ${JSON.stringify(d.reply)}, ipf ${JSON.stringify(ex.reply && { verdict: ex.reply.verdict, byState: ex.reply.byState, line: ex.reply.evaluation?.line })}`;
  assert.equal(ex.reply?.verdict, d.reply && (d.reply.verdict === 'allow' ? 'pass' : 'block'), reply);
  if (!eventLog && d.reply) assert.equal(ex.reply!.byState, d.reply.by === 'state', reply);
}

function filesOf(inp: CompileInput, eventLog = false): Map<string, VmFiles> {
  return new Map(compileFirewall(inp, { eventLog, date: DATE }).map((f) => [f.uuid, f]));
}

const STRANGERS = ['192.0.2.77', '10.0.0.200', '2001:db8:ffff::77', 'fd00::99'];

/** Peers worth asking about on a host: every VM's address, every address and subnet the rules name (its first, second and last), strangers. */
function peersOf(inp: CompileInput): string[] {
  const out = new Set<string>(STRANGERS);
  for (const v of [...inp.vms, ...inp.remoteVms]) for (const a of v.addresses) out.add(a.text);
  for (const r of inp.rules) {
    for (const t of [...r.parsed.from, ...r.parsed.to]) {
      if (t.kind === 'ip') out.add(t.address.text);
      if (t.kind === 'subnet') {
        const { address, prefix } = t.cidr;
        const bits = address.family === 4 ? 32 : 128;
        const base = address.bytes.reduce((n, b) => (n << 8n) | BigInt(b), 0n);
        const last = base | ((1n << BigInt(bits - prefix)) - 1n);
        for (const n of [base, base + 1n, last, last + 1n]) out.add(textOf(n, address.family));
      }
    }
  }
  return [...out];
}

function textOf(n: bigint, family: 4 | 6): string {
  const width = family === 4 ? 32 : 128;
  const v = n & ((1n << BigInt(width)) - 1n);
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 0xffn)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => ((v >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  return parseAddress(groups.join(':')).text;
}

/** Ports and ICMP types worth asking about: each one the rules name, its neighbours, and a few others. */
function targetsOf(inp: CompileInput, proto: ProtocolName): Array<number | { type: number; code: number }> {
  if (proto === 'ah' || proto === 'esp') return [];
  const ports = new Set<number>([22, 80, 40000]);
  const types = new Map<string, { type: number; code: number }>();
  const addType = (type: number, code: number): void => void types.set(`${type}:${code}`, { type, code });
  for (const [type, code] of proto === 'icmp' ? [[8, 0], [0, 0], [3, 1]] : [[128, 0], [129, 0], [2, 0], [134, 0], [135, 0], [136, 0], [1, 4]]) addType(type, code);
  for (const r of inp.rules) {
    const p = r.parsed.protocol;
    if (p.name !== proto) continue;
    if ((p.name === 'tcp' || p.name === 'udp') && p.ports !== 'all') {
      for (const x of p.ports) {
        const [lo, hi] = typeof x === 'number' ? [x, x] : [x.start, x.end];
        for (const n of [lo - 1, lo, hi, hi + 1]) if (n >= 1 && n <= 65535) ports.add(n);
      }
    }
    if ((p.name === 'icmp' || p.name === 'icmp6') && p.types !== 'all') {
      for (const t of p.types) for (const code of [t.code ?? 0, (t.code ?? 0) + 1]) addType(t.type, Math.min(code, 255));
    }
  }
  return proto === 'tcp' || proto === 'udp' ? [...ports] : [...types.values()];
}

const PROTOCOLS: readonly ProtocolName[] = ['tcp', 'udp', 'icmp', 'icmp6', 'ah', 'esp'];

/** Every probe of a host: each local VM, direction, protocol, peer of its family, and port or type. */
function everyProbe(inp: CompileInput): Array<[string, ExplainPacket]> {
  const out: Array<[string, ExplainPacket]> = [];
  const peers = peersOf(inp).map(parseAddress);
  for (const v of inp.vms) {
    for (const direction of ['in', 'out'] as const) {
      for (const protocol of PROTOCOLS) {
        for (const peer of peers) {
          if ((protocol === 'icmp' && peer.family !== 4) || (protocol === 'icmp6' && peer.family !== 6)) continue;
          const targets = targetsOf(inp, protocol);
          if (targets.length === 0) out.push([v.uuid, { direction, protocol, peer }]);
          for (const t of targets) {
            out.push([v.uuid, typeof t === 'number' ? { direction, protocol, peer, port: t } : { direction, protocol, peer, icmp: t }]);
          }
        }
      }
    }
  }
  return out;
}

describe('fwadm explain agrees with the ipf text fwadm compile writes', () => {
  after(() => assert.ok(probes >= 200, `${probes} probes`));

  for (const [name, host] of Object.entries(GOLDEN)) {
    it(`on the golden host "${name}", every VM, direction, protocol, peer and port or type`, () => {
      for (const eventLog of [false, true]) {
        const files = filesOf(host, eventLog);
        for (const [v, p] of everyProbe(host)) agree(host, files, v, p, 40000, eventLog);
      }
    });
  }

  it('on a host of ties: rules the line order tells apart only by first port or type, first address or input order', () => {
    const B = uuid('b', 1);
    const texts = [
      // the later a rule is here, the earlier its lines stand: input order decides only the last ties
      'FROM (ip 10.0.0.2 OR subnet 10.0.0.0/16 OR tag a) TO vm A ALLOW icmp TYPE 8 CODE 0',
      'FROM (subnet 10.0.0.0/24 OR vm B) TO vm A ALLOW icmp TYPE 8',
      'FROM any TO vm A ALLOW icmp (TYPE 8 AND TYPE 9)',
      'FROM (ip 10.0.0.2 OR ip fd00::2) TO vm A ALLOW tcp (PORT 80 AND PORT 443)',
      'FROM (subnet 10.0.0.0/24 OR tag a = x) TO vm A ALLOW tcp PORTS 22, 80 - 443',
      'FROM tag a TO vm A ALLOW tcp PORTS 53, 80 - 80',
      'FROM all vms TO vm A ALLOW tcp PORT all',
      'FROM vm A TO (ip 10.0.0.2 OR subnet 10.0.0.0/30 OR vm B) BLOCK udp PORT 53',
      'FROM vm A TO (subnet 10.0.0.0/31 OR tag a) BLOCK udp PORTS 1 - 53',
    ].map((t) => t.replace(/vm A/g, `vm ${uuid('a', 1)}`).replace(/vm B/g, `vm ${B}`));
    const rules = texts.map((text, i): FwRule => {
      const parsed = parseRule(text);
      return { ...rule({ uuid: uuid('r', 9 - i), ...parsed, from: [...parsed.from], to: [...parsed.to] }), rule: canonicalText(parsed) };
    });
    const host = input(
      [vm(uuid('a', 1), { ips: ['10.0.0.1', 'fd00::1'] }), vm(B, { ips: ['10.0.0.2', 'fd00::2'], tags: { a: 'x' } })],
      rules,
      [vm(uuid('f', 1), { ips: ['10.0.0.2'], tags: { a: 'y' }, remote: true })],
    );
    const files = filesOf(host);
    for (const [v, p] of everyProbe(host)) agree(host, files, v, p);
  });

  it('on examples/compile/host.json', () => {
    const host = parseCompilePayload(JSON.parse(fs.readFileSync(path.join(repoRoot, 'examples', 'compile', 'host.json'), 'utf8')));
    const files = filesOf(host);
    for (const [v, p] of everyProbe(host)) agree(host, files, v, p);
  });

  describe('on a generated corpus (random rules, VMs, remote VMs and packets; fixed seed)', () => {
    const V4 = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '192.168.1.10'];
    const V6 = ['fd00::1', 'fd00::2', '2001:db8::5'];
    const PEERS = [...V4, ...V6, '10.0.0.200', '172.16.0.1', 'fd00::99', '2001:db8:1::1'];
    const LOCAL = [0, 1, 2, 3].map((i) => uuid('a', i));
    const REMOTE = [0, 1].map((i) => uuid('f', i));

    const owner = fc.constantFrom<string | null>(OWNER_A, OWNER_A, OWNER_B, null);
    const tags = fc.dictionary(fc.constantFrom('a', 'b'), fc.constantFrom('x', 'y'));
    const locals = fc
      .array(fc.record({ ips: fc.uniqueArray(fc.constantFrom(...V4, ...V6), { maxLength: 3 }), tags, owner, enabled: fc.constantFrom(true, true, true, true, true, true, true, false) }), { minLength: 1, maxLength: 4 })
      .map((specs) => specs.map((s, i) => vm(LOCAL[i], s)));
    const remotes = fc
      .array(fc.record({ ips: fc.uniqueArray(fc.constantFrom(...V4, ...V6), { minLength: 1, maxLength: 2 }), tags, owner }), { maxLength: 2 })
      .map((specs) => specs.map((s, i) => vm(REMOTE[i], { ...s, remote: true })));

    const listTarget = fc.oneof(
      fc.constantFrom(...V4, ...V6).map((a) => `ip ${a}`),
      fc.constantFrom('10.0.0.0/24', '10.0.0.0/8', '10.0.0.0/30', 'fd00::/64', 'fd00::/16').map((s) => `subnet ${s}`),
      fc.constantFrom('tag a', 'tag a = x', 'tag b = y', 'tag b'),
      fc.constantFrom(...LOCAL, ...REMOTE, uuid('9', 9)).map((u) => `vm ${u}`),
    );
    const side = fc.oneof(
      { weight: 1, arbitrary: fc.constantFrom('any', 'all vms') },
      { weight: 3, arbitrary: fc.array(listTarget, { minLength: 1, maxLength: 3 }).map((ts) => `(${ts.join(' OR ')})`) },
    );
    const protocol = fc.oneof(
      fc.constantFrom('tcp', 'udp').chain((p) =>
        fc.constantFrom('PORT all', 'PORT 22', 'PORT 80', '(PORT 80 AND PORT 443)', 'PORTS 8000 - 8100, 22', 'PORTS 53, 80 - 443').map((x) => `${p} ${x}`),
      ),
      fc.constantFrom('icmp TYPE all', 'icmp TYPE 8', 'icmp TYPE 8 CODE 0', 'icmp (TYPE 3 AND TYPE 0)', 'icmp (TYPE 0 AND TYPE 8 CODE 1)'),
      fc.constantFrom('icmp6 TYPE all', 'icmp6 TYPE 128', 'icmp6 TYPE 135', 'icmp6 (TYPE 2 AND TYPE 136 CODE 0)', 'icmp6 (TYPE 128 CODE 0 AND TYPE 135)'),
      fc.constantFrom('ah', 'esp'),
    );
    const ruleText = fc
      .tuple(side, side, fc.constantFrom('ALLOW', 'BLOCK'), protocol, fc.constantFrom('', '', ' PRIORITY 1', ' PRIORITY 2', ' PRIORITY 100'))
      .map(([from, to, action, proto, priority]) => `FROM ${from} TO ${to} ${action} ${proto}${priority}`)
      .filter((text) => {
        try {
          parseRule(text);
          return true;
        } catch {
          return false; // an ICMP rule naming the other family, a rule that names no VM
        }
      });
    const rules = fc
      .array(fc.record({ text: ruleText, enabled: fc.constantFrom(true, true, true, false), owner, global: fc.boolean() }), { maxLength: 7 })
      .map((specs) =>
        specs.map((s, i): FwRule => {
          const parsed = parseRule(s.text);
          return { ...rule({ uuid: uuid('r', i), ...parsed, from: [...parsed.from], to: [...parsed.to], enabled: s.enabled, owner: s.owner, global: s.global || s.owner === null }), rule: canonicalText(parsed) };
        }),
      );
    const direction = fc.constantFrom('in' as const, 'out' as const);
    /** Any packet of the vocabulary. */
    const anyPacket = fc
      .record({
        direction,
        protocol: fc.constantFrom<ProtocolName>('tcp', 'tcp', 'udp', 'icmp', 'icmp6', 'ah', 'esp'),
        peer: fc.constantFrom(...PEERS),
        port: fc.constantFrom(22, 53, 80, 443, 7999, 8000, 8050, 8100, 8101, 40000),
        type: fc.constantFrom(0, 2, 3, 8, 128, 129, 134, 135, 136),
        code: fc.constantFrom(0, 0, 1),
      })
      .map((r): ExplainPacket => {
        const peer = parseAddress(r.peer);
        const protocol: ProtocolName = r.protocol === 'icmp' && peer.family === 6 ? 'icmp6' : r.protocol === 'icmp6' && peer.family === 4 ? 'icmp' : r.protocol;
        const base = { direction: r.direction, protocol, peer };
        if (protocol === 'tcp' || protocol === 'udp') return { ...base, port: r.port };
        return protocol === 'icmp' || protocol === 'icmp6' ? { ...base, icmp: { type: r.type, code: r.code } } : base;
      });
    const hostAndPackets = fc.tuple(locals, rules, remotes, fc.array(fc.record({ p: anyPacket, sourcePort: fc.constantFrom(22, 80, 40000) }), { minLength: 10, maxLength: 10 }));

    it('150 hosts: every VM, direction, protocol, peer and port or type the rules name, and 10 packets of the vocabulary a VM', () => {
      const before = probes;
      fc.assert(
        fc.property(hostAndPackets, fc.boolean(), ([v, r, rv, packets], eventLog) => {
          const inp = input(v, r, rv);
          const files = filesOf(inp, eventLog);
          for (const [vmUuid, p] of everyProbe(inp)) agree(inp, files, vmUuid, p, 40000, eventLog);
          for (const { uuid: vmUuid } of inp.vms) for (const { p, sourcePort } of packets) agree(inp, files, vmUuid, p, sourcePort, eventLog);
        }),
        { numRuns: 150 },
      );
      assert.ok(probes - before >= 200, `${probes - before} generated probes`);
    });
  });
});
