/**
 * The nftables back end's translator (core/nft): what the compiler writes
 * becomes one inet table with the same meaning; anything else is refused;
 * a change of a tag's or VM's addresses is a change of set elements only.
 */
import { strict as assert } from 'node:assert';
import { compileFirewall } from '../../../src/core/ipf/compile';
import type { FwRule } from '../../../src/core/fwrule/types';
import type { FwVm } from '../../../src/core/ipf/model';
import { elementScript, fullScript, setContents, statsText, translate, type NftFirewall } from '../../../src/core/nft/firewall';
import { readIpf } from '../../../src/core/nft/ipf-lines';
import { DATE, OWNER_B, allVms, any, icmp, icmp6, input, ip, rule, subnet, tag, tcp, tcpAll, udp, uuid, vm, vmT } from '../ipf/fixtures';

const A = uuid('a', 1);
const B = uuid('b', 2);
const C = uuid('c', 3);
const R = (n: number): string => uuid('r', n);

function files(vms: FwVm[], rules: FwRule[], opts: { eventLog?: boolean; remote?: FwVm[] } = {}): { ipf: string; ipf6: string } {
  const out = compileFirewall(input(vms, rules, opts.remote ?? []), { eventLog: opts.eventLog === true, date: DATE });
  const f = out.find((x) => x.uuid === A);
  assert.ok(f, 'A has files');
  return f;
}

function fw(vms: FwVm[], rules: FwRule[], opts: { eventLog?: boolean; remote?: FwVm[] } = {}): NftFirewall {
  const f = files(vms, rules, opts);
  return translate(f.ipf, f.ipf6);
}

/** The rules of a chain of the skeleton, without their comments. */
function chain(t: NftFirewall, name: 'input' | 'output'): string[] {
  const body = t.skeleton.split(`  chain ${name} {\n`)[1].split('\n  }')[0];
  return body.split('\n').map((l) => l.trim().replace(/ comment "[^"]*"$/, '')).slice(1);
}

const web = (id: string, n: number, extra: Partial<{ owner: string }> = {}): FwVm => vm(id, { ips: [`10.0.0.${n}`, `fd00::${n}`], tags: { role: 'web' }, ...extra });

describe('core/nft: the ipf files as one nftables table', () => {
  it('reads every line the compiler writes, event-logging mode included', () => {
    const rules = [
      rule({ uuid: R(1), from: [tag('role', 'web'), ip('192.0.2.7'), subnet('198.51.100.0/24')], to: [vmT(A)], protocol: tcp(22, [8000, 8100]) }),
      rule({ uuid: R(2), from: [any], to: [allVms], protocol: udp(53), action: 'block', priority: 5 }),
      rule({ uuid: R(3), from: [vmT(A)], to: [any], protocol: icmp([8], [3, 4]), action: 'block' }),
      rule({ uuid: R(4), from: [allVms], to: [vmT(A)], protocol: icmp6([128]), log: true }),
      rule({ uuid: R(5), from: [any], to: [vmT(A)], protocol: { name: 'ah' } }),
      rule({ uuid: R(6), from: [vmT(A)], to: [tag('role')], protocol: { name: 'esp' }, priority: 1 }),
      rule({ uuid: R(7), from: [vmT(A)], to: [any], protocol: tcpAll, action: 'block' }),
    ];
    const vms = [vm(A, { ips: ['10.0.0.1', 'fd00::1'] }), web(B, 2), web(C, 3)];
    for (const eventLog of [false, true]) {
      const f = files(vms, rules, { eventLog });
      const t = translate(f.ipf, f.ipf6);
      const count = (s: string): number => s.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#')).length;
      assert.equal(t.lines.length, count(f.ipf) + count(f.ipf6), 'every rule line is kept');
    }
  });

  it('refuses, naming the file and line, what the compiler never writes', () => {
    const cases: Array<[string, 4 | 6, RegExp]> = [
      ['pass in log quick proto tcp from any to any', 4, /^ipf\.conf line 1: not a line this translator knows/],
      ['block return-rst in quick proto tcp from any to any', 4, /not a line this translator knows/],
      ['pass in quick proto icmp from any to any', 6, /^ipf6\.conf line 1: proto icmp in the IPv6 file$/],
      ['pass in quick proto tcp from fd00::1 to any port = 22', 4, /fd00::1 is not an IPv4 address/],
      ['pass in quick proto tcp from any to 10.0.0.1 port = 22', 4, /an inbound line must name "any" on the VM's side/],
      ['pass in quick proto udp from any to any port = 70000', 4, /port 70000 is out of range/],
      ['pass in quick proto ah from any to any port = 22', 4, /a port needs proto tcp or udp/],
      ['pass in quick proto tcp from 10.0.0.0/33 to any', 4, /is not an address/],
      ['\n\nfoo', 6, /^ipf6\.conf line 3: /],
    ];
    for (const [line, family, why] of cases) assert.throws(() => readIpf(line, family), (e: Error) => why.test(e.message), line);
  });

  it('quick lines first in file order, the others after them last first; state through the conntrack mark', () => {
    const t = fw([vm(A, { ips: ['10.0.0.1'] }), web(B, 2)], [
      rule({ uuid: R(1), from: [tag('role', 'web')], to: [vmT(A)], protocol: tcp(80) }),
      rule({ uuid: R(2), from: [any], to: [vmT(A)], protocol: tcp(25), action: 'block', priority: 1 }),
    ]);
    assert.deepEqual(chain(t, 'input'), [
      'iif "lo" accept',
      'ct state established,related ct mark 1 accept',
      'meta nfproto ipv4 tcp dport 25 counter drop',
      'meta nfproto ipv6 tcp dport 25 counter drop',
      `meta nfproto ipv4 tcp dport 80 ip saddr @${t.sets[0].name.replace(/_\d$/, '')}_4 counter accept`,
      `meta nfproto ipv6 tcp dport 80 ip6 saddr @${t.sets[0].name.replace(/_\d$/, '')}_6 counter accept`,
      'meta nfproto ipv6 icmpv6 type 2 counter accept',
      'meta nfproto ipv6 icmpv6 type 134 counter accept',
      'meta nfproto ipv6 icmpv6 type 135 counter accept',
      'meta nfproto ipv6 icmpv6 type 136 counter accept',
      // `block in all` of ipf.conf and ipf6.conf, not quick: after every quick line
      'meta nfproto ipv6 counter drop',
      'meta nfproto ipv4 counter drop',
    ]);
    assert.deepEqual(chain(t, 'output'), [
      'oif "lo" accept',
      'ct state established,related ct mark 1 accept',
      'meta nfproto ipv4 tcp flags & (syn | ack) == syn counter ct mark set 1 accept',
      'meta nfproto ipv4 meta l4proto icmp counter ct mark set 1 accept',
      'meta nfproto ipv6 tcp flags & (syn | ack) == syn counter ct mark set 1 accept',
      'meta nfproto ipv6 meta l4proto ipv6-icmp counter ct mark set 1 accept',
      'meta nfproto ipv6 meta l4proto ipv6-icmp counter accept',
      'meta nfproto ipv6 meta l4proto udp counter ct mark set 1 accept',
      'meta nfproto ipv6 meta l4proto tcp counter accept',
      'meta nfproto ipv4 meta l4proto icmp counter accept',
      'meta nfproto ipv4 meta l4proto udp counter ct mark set 1 accept',
      'meta nfproto ipv4 meta l4proto tcp counter accept',
    ]);
    assert.deepEqual(setContents(t), { [t.sets[0].name]: ['10.0.0.2'], [t.sets[1].name]: ['fd00::2'] });
  });

  it('ICMP types and codes, port ranges, IPv6 AH as the first header after IPv6', () => {
    const t = fw([vm(A, { ips: ['10.0.0.1', 'fd00::1'] })], [
      rule({ uuid: R(1), from: [any], to: [vmT(A)], protocol: icmp([3, 4]) }),
      rule({ uuid: R(2), from: [any], to: [vmT(A)], protocol: icmp6([1]) }),
      rule({ uuid: R(3), from: [any], to: [vmT(A)], protocol: tcp([8000, 8100]) }),
      rule({ uuid: R(4), from: [any], to: [vmT(A)], protocol: { name: 'ah' } }),
    ]);
    const rules = chain(t, 'input');
    for (const want of [
      'meta nfproto ipv4 icmp type 3 icmp code 4 counter accept',
      'meta nfproto ipv6 icmpv6 type 1 counter accept',
      'meta nfproto ipv4 tcp dport 8000-8100 counter accept',
      'meta nfproto ipv4 meta l4proto ah counter accept',
      'meta nfproto ipv6 ip6 nexthdr ah counter accept',
    ]) assert.ok(rules.includes(want), `${want} in\n${rules.join('\n')}`);
  });

  it('a VM joining or leaving a tag changes set elements, not the table', () => {
    const rules = [
      rule({ uuid: R(1), from: [tag('role', 'web')], to: [vmT(A)], protocol: tcp(80, 443) }),
      rule({ uuid: R(2), from: [tag('role', 'db')], to: [vmT(A)], protocol: tcp(80) }),
      rule({ uuid: R(3), from: [ip('10.0.0.50')], to: [vmT(A)], protocol: tcp(80) }),
    ];
    const a = vm(A, { ips: ['10.0.0.1'] });
    const db = vm(uuid('d', 9), { ips: ['10.0.0.40', 'fd00::40'], tags: { role: 'db' } });
    const before = fw([a, web(B, 60), db], rules);
    // C's address sorts before every other: its entry goes first in the file
    const after = fw([a, web(B, 60), web(C, 3), db], rules);
    assert.equal(after.skeleton, before.skeleton);
    const script = elementScript(after, setContents(before));
    assert.match(script, /^(add element inet fwadm u[0-9a-f]{12}_[46] \{ (10\.0\.0\.3|fd00::3) \}\n){4}$/);
    assert.equal(elementScript(after, setContents(after)), '');
    assert.match(elementScript(before, setContents(after)), /^(delete element inet fwadm u[0-9a-f]{12}_[46] \{ (10\.0\.0\.3|fd00::3) \}\n){4}$/);
    // a rule more is another table
    const more = fw([a, web(B, 60), web(C, 3), db], [...rules, rule({ uuid: R(4), from: [any], to: [vmT(A)], protocol: udp(53) })]);
    assert.notEqual(more.skeleton, after.skeleton);
  });

  it('owner scoping and remote VMs end up as set elements like local VMs', () => {
    const t = fw([vm(A, { ips: ['10.0.0.1'] }), web(B, 2), web(C, 3, { owner: OWNER_B })], [rule({ uuid: R(1), from: [tag('role', 'web')], to: [vmT(A)], protocol: tcp(80) })], {
      remote: [vm(uuid('e', 5), { ips: ['192.0.2.5'], tags: { role: 'web' }, remote: true })],
    });
    assert.deepEqual(Object.values(setContents(t)).flat().sort(), ['10.0.0.2', '192.0.2.5', 'fd00::2']);
  });

  it('the full script replaces the table in one transaction', () => {
    const t = fw([vm(A, { ips: ['10.0.0.1'] }), web(B, 2)], [rule({ uuid: R(1), from: [tag('role', 'web')], to: [vmT(A)], protocol: tcp(80) })]);
    const s = fullScript(t);
    assert.match(s, /^add table inet fwadm\ndelete table inet fwadm\ntable inet fwadm \{\n/);
    assert.match(s, /\nadd element inet fwadm u[0-9a-f]{12}_4 \{ 10\.0\.0\.2 \}\n/);
  });

  it('stats: each line with its hits, outbound list first, a set line from its element', () => {
    const t = fw([vm(A, { ips: ['10.0.0.1'] }), web(B, 2), web(C, 3)], [rule({ uuid: R(1), from: [tag('role', 'web')], to: [vmT(A)], protocol: tcp(80) })]);
    const set4 = t.sets.find((s) => s.name.endsWith('_4'))?.name as string;
    const blockAll = t.lines.find((l) => l.text === 'block in all' && l.family === 4)?.rule as string;
    const text = statsText(t, new Map([[blockAll, 7]]), new Map([[set4, new Map([['10.0.0.3', 5]])]]));
    const lines = text.trimEnd().split('\n');
    assert.equal(lines[0], '0 pass out quick proto tcp from any to any flags S/SA keep state');
    assert.ok(lines.includes('0 pass in quick proto tcp from 10.0.0.2 to any port = 80 keep frags'));
    assert.ok(lines.includes('5 pass in quick proto tcp from 10.0.0.3 to any port = 80 keep frags'));
    assert.ok(lines.includes('7 block in all'));
    assert.ok(lines.indexOf('7 block in all') > lines.indexOf('0 pass out proto icmp from any to any'));
  });
});
