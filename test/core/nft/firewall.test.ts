/**
 * The nftables back end's translator (core/nft): what the compiler writes
 * becomes one inet table with the same meaning; anything else is refused;
 * a change of a tag's or VM's addresses is a change of set elements only.
 */
import { strict as assert } from 'node:assert';
import { compileFirewall } from '../../../src/core/ipf/compile';
import type { FwRule } from '../../../src/core/fwrule/types';
import type { FwVm } from '../../../src/core/ipf/model';
import { fullScript, setsScript, statsText, translate, type NftFirewall } from '../../../src/core/nft/firewall';
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

/** Each set's elements, by name. */
const setContents = (t: NftFirewall): Record<string, readonly string[]> => Object.fromEntries(t.sets.map((x) => [x.name, x.elements]));

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
      // per family: the block (priority 1), then the pass: two runs, each a set
      'meta nfproto ipv4 tcp dport @in4_0_tcp_port drop',
      'meta nfproto ipv4 ip saddr . tcp dport @in4_1_tcp_addr_port accept',
      'meta nfproto ipv6 tcp dport @in6_0_tcp_port drop',
      'meta nfproto ipv6 ip6 saddr . tcp dport @in6_1_tcp_addr_port accept',
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
    assert.deepEqual(setContents(t), {
      in4_0_tcp_port: ['25'],
      in4_1_tcp_addr_port: ['10.0.0.2 . 80'],
      in6_0_tcp_port: ['25'],
      in6_1_tcp_addr_port: ['fd00::2 . 80'],
    });
    assert.match(t.skeleton, /^ {2}set in4_1_tcp_addr_port \{ type ipv4_addr \. inet_service; counter; \}$/m);
  });

  it('a thousand rules of one verdict are a few sets: one per shape, not a rule per line', () => {
    const rules = Array.from({ length: 1000 }, (_, i) =>
      rule({ uuid: R(i + 1), from: [[tag('role', 'web'), ip(`192.0.2.${i % 250}`), any][i % 3]], to: [vmT(A)], protocol: tcp(1000 + i) }),
    );
    const t = fw([vm(A, { ips: ['10.0.0.1', 'fd00::1'] }), web(B, 2), web(C, 3)], rules);
    assert.deepEqual(
      t.sets.map((s) => `${s.name} ${s.elements.length}`),
      // 334 tag rules (2 VMs each), 333 ip rules, 333 any rules
      ['in4_0_tcp_addr_port 1001', 'in4_0_tcp_port 333', 'in6_0_tcp_addr_port 668', 'in6_0_tcp_port 333'],
    );
    assert.equal(chain(t, 'input').filter((r) => r.includes('@')).length, 4);
    assert.equal(t.lines.filter((l) => l.element !== undefined).length, 1001 + 333 + 668 + 333);
  });

  it('networks and port ranges are interval sets by prefix length; overlapping or repeated elements go to a set of their own', () => {
    const t = fw([vm(A, { ips: ['10.0.0.1', 'fd00::1'] }), web(B, 2)], [
      rule({ uuid: R(1), from: [subnet('198.51.100.0/24'), subnet('203.0.113.0/24'), subnet('192.0.2.0/25')], to: [vmT(A)], protocol: tcp(22) }),
      rule({ uuid: R(2), from: [subnet('198.51.100.0/24')], to: [vmT(A)], protocol: tcp([20, 30]) }),
      rule({ uuid: R(3), from: [ip('192.0.2.200'), tag('role', 'web')], to: [vmT(A)], protocol: tcp([8000, 8100]) }),
      rule({ uuid: R(4), from: [tag('role', 'web')], to: [vmT(A)], protocol: tcp(443) }),
      rule({ uuid: R(5), from: [ip('10.0.0.2')], to: [vmT(A)], protocol: tcp(443) }),
      rule({ uuid: R(6), from: [subnet('192.0.2.0/32')], to: [vmT(A)], protocol: tcp(443) }),
    ]);
    const sets = Object.fromEntries(t.sets.map((s) => [s.name, `${s.type}${s.interval ? ' interval' : ''}: ${s.elements.join(', ')}`]));
    assert.deepEqual(sets, {
      // 198.51.100.0/24 . 20-30 and . 22 meet: the one later in the file goes to a set of its own
      in4_0_tcp_addr_port_i24: 'ipv4_addr . inet_service interval: 198.51.100.0/24 . 20-30, 203.0.113.0/24 . 22',
      in4_0_tcp_addr_port_i24_1: 'ipv4_addr . inet_service interval: 198.51.100.0/24 . 22',
      in4_0_tcp_addr_port_i25: 'ipv4_addr . inet_service interval: 192.0.2.0/25 . 22',
      in4_0_tcp_addr_port_i32: 'ipv4_addr . inet_service interval: 10.0.0.2 . 8000-8100, 192.0.2.200 . 8000-8100',
      // the /32 is its address; 10.0.0.2 . 443 twice (the tag and the ip): the second is a set of its own
      in4_0_tcp_addr_port: 'ipv4_addr . inet_service: 10.0.0.2 . 443, 192.0.2.0 . 443',
      in4_0_tcp_addr_port_1: 'ipv4_addr . inet_service: 10.0.0.2 . 443',
      in6_0_tcp_addr_port: 'ipv6_addr . inet_service: fd00::2 . 443',
      in6_0_tcp_addr_port_i128: 'ipv6_addr . inet_service interval: fd00::2 . 8000-8100',
    });
    assert.match(t.skeleton, /^ {2}set in4_0_tcp_addr_port_i24 \{ type ipv4_addr \. inet_service; flags interval; counter; \}$/m);
    // each line its own element
    const where = new Set(t.lines.filter((l) => l.element !== undefined).map((l) => `${l.rule} ${l.element}`));
    assert.equal(where.size, t.lines.filter((l) => l.element !== undefined).length);
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
      'meta nfproto ipv4 icmp type . icmp code @in4_0_icmp_type_code accept',
      'meta nfproto ipv6 icmpv6 type @in6_0_icmp6_type accept',
      'meta nfproto ipv4 tcp dport @in4_0_tcp_port_i0 accept',
      'meta nfproto ipv4 meta l4proto ah counter accept',
      'meta nfproto ipv6 ip6 nexthdr ah counter accept',
    ]) assert.ok(rules.includes(want), `${want} in\n${rules.join('\n')}`);
    assert.deepEqual(setContents(t).in4_0_icmp_type_code, ['3 . 4']);
    assert.deepEqual(setContents(t).in4_0_tcp_port_i0, ['8000-8100']);
    assert.match(t.skeleton, /set in4_0_icmp_type_code \{ type icmp_type \. icmp_code; counter; \}/);
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
    assert.equal(after.id, before.id);
    assert.deepEqual(setContents(after), {
      in4_0_tcp_addr_port: ['10.0.0.3 . 443', '10.0.0.3 . 80', '10.0.0.40 . 80', '10.0.0.50 . 80', '10.0.0.60 . 443', '10.0.0.60 . 80'],
      in6_0_tcp_addr_port: ['fd00::3 . 443', 'fd00::3 . 80', 'fd00::40 . 80', 'fd00::60 . 443', 'fd00::60 . 80'],
    });
    // the sets emptied and filled again, after a check that the table loaded has these rules
    assert.equal(
      setsScript(after),
      [
        `delete element inet fwadm rules_id { "${after.id}" }`,
        `add element inet fwadm rules_id { "${after.id}" }`,
        'flush set inet fwadm in4_0_tcp_addr_port',
        'flush set inet fwadm in6_0_tcp_addr_port',
        'add element inet fwadm in4_0_tcp_addr_port { 10.0.0.3 . 443, 10.0.0.3 . 80, 10.0.0.40 . 80, 10.0.0.50 . 80, 10.0.0.60 . 443, 10.0.0.60 . 80 }',
        'add element inet fwadm in6_0_tcp_addr_port { fd00::3 . 443, fd00::3 . 80, fd00::40 . 80, fd00::60 . 443, fd00::60 . 80 }',
        '',
      ].join('\n'),
    );
    // a rule more is another table
    const more = fw([a, web(B, 60), web(C, 3), db], [...rules, rule({ uuid: R(4), from: [any], to: [vmT(A)], protocol: udp(53) })]);
    assert.notEqual(more.skeleton, after.skeleton);
    assert.notEqual(more.id, after.id);
    assert.match(more.id, /^[0-9a-f]{15}$/);
  });

  it('owner scoping and remote VMs end up as set elements like local VMs', () => {
    const t = fw([vm(A, { ips: ['10.0.0.1'] }), web(B, 2), web(C, 3, { owner: OWNER_B })], [rule({ uuid: R(1), from: [tag('role', 'web')], to: [vmT(A)], protocol: tcp(80) })], {
      remote: [vm(uuid('e', 5), { ips: ['192.0.2.5'], tags: { role: 'web' }, remote: true })],
    });
    assert.deepEqual(Object.values(setContents(t)).flat().sort(), ['10.0.0.2 . 80', '192.0.2.5 . 80', 'fd00::2 . 80']);
  });

  it('the full script replaces the table in one transaction', () => {
    const t = fw([vm(A, { ips: ['10.0.0.1'] }), web(B, 2)], [rule({ uuid: R(1), from: [tag('role', 'web')], to: [vmT(A)], protocol: tcp(80) })]);
    const s = fullScript(t);
    assert.match(s, /^add table inet fwadm\ndelete table inet fwadm\ntable inet fwadm \{\n {2}set rules_id \{ type ifname; \}\n/);
    assert.ok(s.includes(`\nadd element inet fwadm rules_id { "${t.id}" }\n`));
    assert.match(s, /\nadd element inet fwadm in4_0_tcp_addr_port \{ 10\.0\.0\.2 \. 80 \}\n/);
  });

  it('stats: each line with its hits, outbound list first, a set line from its element', () => {
    const t = fw([vm(A, { ips: ['10.0.0.1'] }), web(B, 2), web(C, 3)], [rule({ uuid: R(1), from: [tag('role', 'web')], to: [vmT(A)], protocol: tcp(80) })]);
    const blockAll = t.lines.find((l) => l.text === 'block in all' && l.family === 4)?.rule as string;
    const text = statsText(t, new Map([[blockAll, 7]]), new Map([['in4_0_tcp_addr_port', new Map([['10.0.0.3 . 80', 5]])]]));
    const lines = text.trimEnd().split('\n');
    assert.equal(lines[0], '0 pass out quick proto tcp from any to any flags S/SA keep state');
    assert.ok(lines.includes('0 pass in quick proto tcp from 10.0.0.2 to any port = 80 keep frags'));
    assert.ok(lines.includes('5 pass in quick proto tcp from 10.0.0.3 to any port = 80 keep frags'));
    assert.ok(lines.includes('7 block in all'));
    assert.ok(lines.indexOf('7 block in all') > lines.indexOf('0 pass out proto icmp from any to any'));
  });
});
