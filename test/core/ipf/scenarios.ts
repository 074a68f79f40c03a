/**
 * The hosts of the compiler's golden cases (compile.golden.test.ts), by
 * name, so that other tests run on the very same inputs: the explain
 * agreement tests (agreement.test.ts) decide packets on each of them.
 */
import type { CompileInput, FwVm } from '../../../src/core/ipf/model';
import {
  OWNER_B, allVms, any, icmp, icmp6, input, ip, rule, subnet, tag, tcp, tcpAll, udp, uuid, vm, vmT,
} from './fixtures';

export const R = (n: number): string => uuid('r', n);

/** The VM most cases are about, and a dual-stack VM for it. */
export const A = uuid('a', 1);
const dual = (): FwVm => vm(A, { ips: ['10.0.0.1', 'fd00::1'] });

/** The other VMs the cases name. */
export const ID = {
  ports: uuid('b', 1),
  web1: uuid('e1', 1),
  web2: uuid('e2', 2),
  db1: uuid('d1', 3),
  other: uuid('0b', 4),
  rvm1: uuid('f1', 5),
  rvm2: uuid('f2', 6),
  rvm3: uuid('f3', 7),
  x1: uuid('c1', 1),
  x2: uuid('c2', 2),
  disabledFw: uuid('b', 2),
  noAddresses: uuid('b', 3),
  oddTag: uuid('b', 9),
};

/** The tags, owners and remote VMs cases' host. */
const TAGGED = [
  vm(ID.web1, { ips: ['10.0.0.11'], tags: { role: 'web' } }),
  vm(ID.web2, { ips: ['fd00::12'], tags: { role: 'web' } }),
  vm(ID.db1, { ips: ['fd00::21', '10.0.0.21'], tags: { role: 'db' } }),
  vm(ID.other, { ips: ['10.0.0.31'], tags: { role: 'web' }, owner: OWNER_B }),
];
const REMOTE = [
  vm(ID.rvm1, { ips: ['10.1.0.1'], tags: { role: 'web' }, remote: true }),
  vm(ID.rvm2, { ips: ['10.1.0.2'], tags: { role: 'web' }, remote: true, owner: null }),
  vm(ID.rvm3, { ips: ['10.1.0.3'], tags: { role: 'web' }, remote: true, owner: OWNER_B }),
];

export const GOLDEN = {
  noRules: input([dual()], []),
  blockNeighbourDiscovery: input([dual()], [
    rule({ uuid: R(70), from: [ip('fd00::9')], to: [vmT(A)], action: 'block', priority: 1, protocol: icmp6([135]) }),
  ]),
  blockNeighbourDiscoveryAtPriorityZero: input([dual()], [
    rule({ uuid: R(73), from: [ip('fd00::9')], to: [vmT(A)], action: 'block', protocol: icmp6([128], [135]) }),
    rule({ uuid: R(74), from: [any], to: [vmT(A)], action: 'block', protocol: icmp6([128]) }),
    rule({ uuid: R(75), from: [any], to: [vmT(A)], action: 'block', protocol: { name: 'icmp6', types: 'all' } }),
  ]),
  anyOnTheOtherSide: input([dual()], [rule({ uuid: R(1), from: [any], to: [vmT(A)], protocol: tcp(22) })]),
  ipsAndSubnets: input([dual()], [
    rule({ uuid: R(2), from: [vmT(A)], to: [ip('10.99.99.254'), ip('fd00::5'), subnet('10.8.0.0/16')], action: 'block', protocol: tcp(8080) }),
  ]),
  priorityZero: input([dual()], [
    rule({ uuid: R(3), from: [vmT(A)], to: [any], protocol: tcp(80) }),
    rule({ uuid: R(4), from: [any], to: [vmT(A)], action: 'block', protocol: tcp(25) }),
  ]),
  priorityOne: input([dual()], [
    rule({ uuid: R(3), from: [vmT(A)], to: [any], protocol: tcp(80), priority: 1 }),
    rule({ uuid: R(4), from: [any], to: [vmT(A)], action: 'block', protocol: tcp(25), priority: 1 }),
  ]),
  keepState: input([dual()], [
    rule({ uuid: R(5), from: [vmT(A)], to: [ip('10.99.99.254')], action: 'block', protocol: tcp(8080) }),
    rule({ uuid: R(6), from: [any], to: [vmT(A)], protocol: tcp(80) }),
    rule({ uuid: R(7), from: [any], to: [vmT(A)], protocol: udp(53) }),
  ]),
  sort: input([dual()], [
    rule({ uuid: R(11), from: [any], to: [vmT(A)], protocol: tcp(80) }),
    rule({ uuid: R(12), from: [any], to: [vmT(A)], action: 'block', protocol: tcp(22), priority: 10 }),
    rule({ uuid: R(13), from: [vmT(A)], to: [any], action: 'block', protocol: tcp(25) }),
    rule({ uuid: R(14), from: [vmT(A)], to: [any], protocol: tcpAll, priority: 3 }),
    rule({ uuid: R(15), from: [any], to: [vmT(A)], protocol: tcp(22), priority: 10 }),
    rule({ uuid: R(16), from: [any], to: [vmT(A)], protocol: udp(53) }),
    rule({ uuid: R(17), from: [any], to: [vmT(A)], protocol: { name: 'ah' } }),
    rule({ uuid: R(18), from: [ip('10.0.0.9')], to: [vmT(A)], protocol: tcp(443) }),
    rule({ uuid: R(19), from: [any], to: [vmT(A)], protocol: tcp(443) }),
    rule({ uuid: R(20), from: [any], to: [vmT(A)], protocol: tcpAll }),
    rule({ uuid: R(21), from: [any], to: [vmT(A)], protocol: tcp([100, 200]) }),
    rule({ uuid: R(22), from: [any], to: [vmT(A)], protocol: tcp(443) }),
  ]),
  ports: input(
    [dual(), vm(ID.ports, { ips: ['10.0.0.2', '10.0.0.3', 'fd00::2'] })],
    [rule({ uuid: R(30), from: [vmT(ID.ports)], to: [vmT(A)], protocol: tcp([8000, 8100], 443, 22) })],
  ),
  icmpTypes: input([dual()], [
    rule({ uuid: R(40), from: [ip('10.0.0.5')], to: [vmT(A)], protocol: icmp([8, 0], [3], [8]) }),
    rule({ uuid: R(41), from: [any], to: [vmT(A)], protocol: { name: 'icmp6', types: 'all' } }),
    rule({ uuid: R(42), from: [any], to: [vmT(A)], protocol: icmp6([135], [128, 0]) }),
    rule({ uuid: R(43), from: [any], to: [vmT(A)], protocol: icmp([0]) }),
  ]),
  tagValue: input(TAGGED, [
    rule({ uuid: R(50), from: [tag('role', 'web'), vmT(ID.web1)], to: [tag('role', 'db')], protocol: tcp(5432) }),
  ], REMOTE),
  bareTag: input(TAGGED, [rule({ uuid: R(51), from: [ip('192.0.2.1')], to: [tag('role')], protocol: tcp(80) })], REMOTE),
  globalAllVms: input(TAGGED, [
    rule({ uuid: R(52), from: [allVms], to: [vmT(ID.other)], protocol: udp(53), global: true }),
  ], REMOTE),
  bothSides: input(
    [vm(ID.x1, { ips: ['10.0.0.1'], tags: { x: '1' } }), vm(ID.x2, { ips: ['10.0.0.2'], tags: { x: '2' } })],
    [rule({ uuid: R(60), from: [tag('x')], to: [tag('x')], protocol: tcp(1), priority: 1 })],
  ),
  disabled: input(
    [dual(), vm(ID.disabledFw, { ips: ['10.0.0.2'], enabled: false }), vm(ID.noAddresses, { ips: [] })],
    [
      rule({ uuid: R(70), from: [any], to: [vmT(A)], protocol: tcp(1), enabled: false }),
      rule({ uuid: R(71), from: [vmT(ID.disabledFw), vmT(ID.noAddresses)], to: [vmT(A)], protocol: tcp(2) }),
      rule({ uuid: R(72), from: [any], to: [vmT(ID.disabledFw)], protocol: tcp(3) }),
    ],
  ),
  eventLog: input([dual()], [
    rule({ uuid: R(80), from: [vmT(A)], to: [ip('10.99.99.254')], action: 'block', protocol: tcp(8080), log: true }),
    rule({ uuid: R(81), from: [any], to: [vmT(A)], protocol: udp(53) }),
  ]),
  oddTagName: input(
    [dual(), vm(ID.oddTag, { ips: ['10.0.0.9'], tags: { 'a\nblock in all': 'x' } })],
    [rule({ uuid: R(90), from: [tag('a\nblock in all')], to: [vmT(A)], protocol: tcp(1) })],
  ),
} satisfies Record<string, CompileInput>;
