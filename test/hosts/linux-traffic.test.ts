/**
 * The linux host with real traffic (root only: otherwise one skip line).
 * VMs made by vmadm and rules by fwadm, in this process, with
 * VMADM_HOST=linux; then TCP connects, UDP datagrams and pings between
 * their namespaces (test/helpers/probes.ts), in both directions and both
 * families, before and after a tag change, a rule disabled and enabled, a
 * VM's firewall switched off and on; remote VMs and owner scoping; the
 * anti-spoofing guard and VLANs; and after each round, the invariants
 * (namespaces, links, addresses, routes and tables as the records say).
 *
 * Each probe's real result is also compared with what `fwadm explain`
 * (src/core/fw/explain.ts, from the stored rules' meaning) and the ipf
 * evaluator (test/helpers/ipf-eval.ts, from the VM's ipf files) say: the
 * three must agree (oracles below).
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { programPath } from '../../src/hosts/linux/programs';
import { bridgeName } from '../../src/hosts/linux/plan';
import { invariants } from '../helpers/invariants';
import { oracles } from '../helpers/oracles';
import { linuxWorld, ok, skipUnlessLinux, type LinuxWorld } from '../helpers/linux';
import { runProbes, type End, type ProbeCase } from '../helpers/probes';
import { repoRoot, type CliResult } from '../helpers/run-cli';

const OWNER_A = '0a0a0a0a-1111-4111-8111-0000000000aa';
const OWNER_B = '0b0b0b0b-2222-4222-8222-0000000000bb';
const IMAGE = '2b683a82-a066-11e3-97ab-2faa44701c5a';
const WEB = '11111111-0000-4000-8000-000000000001';
const DB = '22222222-0000-4000-8000-000000000002';
const CLIENT = '33333333-0000-4000-8000-000000000003';
const SPARE = '44444444-0000-4000-8000-000000000004';
const VLAN5 = '55555555-0000-4000-8000-000000000005';
const RVM = '66666666-0000-4000-8000-000000000006';

/** Address n of the external segment, in either family. */
const v4 = (n: number): string => `198.51.100.${n}`;
const v6 = (n: number): string => `2001:db8:1::${n.toString(16)}`;

interface VmDef {
  uuid: string;
  n: number;
  owner: string;
  tags: Record<string, string>;
  firewall: boolean;
  vlan?: number;
}

const VMS: VmDef[] = [
  { uuid: WEB, n: 21, owner: OWNER_A, tags: { role: 'web' }, firewall: true },
  { uuid: DB, n: 22, owner: OWNER_A, tags: { role: 'db' }, firewall: true },
  // owner B's web VM: global rules name it, owner A's do not
  { uuid: CLIENT, n: 23, owner: OWNER_B, tags: { role: 'web' }, firewall: false },
  // owner A, not yet web
  { uuid: SPARE, n: 24, owner: OWNER_A, tags: { role: 'spare' }, firewall: false },
  // on VLAN 5 of the same nic_tag: a segment of its own
  { uuid: VLAN5, n: 25, owner: OWNER_A, tags: { role: 'web' }, firewall: false, vlan: 5 },
];

function spec(d: VmDef): string {
  return JSON.stringify({
    brand: 'joyent',
    uuid: d.uuid,
    alias: `vm${d.n}`,
    owner_uuid: d.owner,
    image_uuid: IMAGE,
    firewall_enabled: d.firewall,
    tags: d.tags,
    resolvers: ['192.0.2.53'],
    nics: [{ nic_tag: 'external', ...(d.vlan ? { vlan_id: d.vlan } : {}), ips: [`${v4(d.n)}/24`, `${v6(d.n)}/64`], gateways: ['198.51.100.1'] }],
  });
}

describe('linux host: real traffic between VMs (root)', function () {
  this.timeout(60000);
  let w: LinuxWorld | undefined;
  const lx = (): LinuxWorld => w as LinuxWorld;
  /** The remote VM's namespace: the test's own (vr...), not one of the world's VMs (vt...). */
  const rvmNs = (): string => `vr${lx().prefix.slice(2)}rvm`;

  const vm = (args: string[], input?: string): Promise<CliResult> => lx().vm(args, input);
  const fw = (args: string[], input?: string): Promise<CliResult> => lx().fw(args, input);
  const end = (uuid: string, family: 4 | 6 = 4): End => {
    const d = VMS.find((x) => x.uuid === uuid);
    if (!d) return { vm: RVM, ns: rvmNs(), addr: family === 4 ? v4(99) : v6(99) };
    return { vm: uuid, ns: `${lx().prefix}${uuid}`, addr: family === 4 ? v4(d.n) : v6(d.n) };
  };
  const both = (name: string, from: string, to: string, proto: 'tcp' | 'udp', port: number, expect: boolean): ProbeCase[] => [
    { name: `${name} (IPv4)`, from: end(from, 4), to: end(to, 4), proto, port, expect },
    { name: `${name} (IPv6)`, from: end(from, 6), to: end(to, 6), proto, port, expect },
  ];
  const check = async (cases: ProbeCase[], between?: () => void): Promise<void> => {
    const bad = await runProbes(cases, oracles(lx().root, lx().cmdEnv));
    between?.();
    assert.deepEqual(bad, []);
    assert.deepEqual(await invariants({ root: lx().root, env: lx().cmdEnv }), []);
  };
  let webToDb = '';

  before(async function () {
    skipUnlessLinux(this);
    w = linuxWorld('linux-traffic');
    for (const d of VMS) ok(await vm(['create'], spec(d)));
    // a remote VM: a namespace of this test's on the same bridge, with the addresses add-rvm gives it
    const ip = programPath('ip') as string;
    const sh = (args: string[]): void => {
      const r = spawnSync(ip, args, { encoding: 'utf8' });
      assert.equal(r.status, 0, `ip ${args.join(' ')}: ${r.stderr}`);
    };
    sh(['netns', 'add', rvmNs()]);
    sh(['-n', lx().hostNetns, 'link', 'add', 'name', `${lx().prefix.slice(0, 9)}r`, 'type', 'veth', 'peer', 'name', 'net0', 'netns', rvmNs()]);
    sh(['-n', lx().hostNetns, 'link', 'set', 'dev', `${lx().prefix.slice(0, 9)}r`, 'master', bridgeName('external'), 'up']);
    sh(['-n', rvmNs(), 'link', 'set', 'dev', 'net0', 'up']);
    sh(['-n', rvmNs(), 'addr', 'add', `${v4(99)}/24`, 'dev', 'net0']);
    sh(['-n', rvmNs(), 'addr', 'add', `${v6(99)}/64`, 'dev', 'net0', 'nodad']);
    ok(await fw(['add-rvm'], JSON.stringify({ uuid: RVM, owner_uuid: OWNER_A, ips: [v4(99), v6(99)], tags: { role: 'web' } })));
    // owner A's rule names owner A's web VMs only; the global ones every owner's
    const add = async (args: string[]): Promise<string> => JSON.parse(ok(await fw(['add', '-j', ...args])).stdout).rules[0].uuid as string;
    webToDb = await add(['-O', OWNER_A, '-e', 'FROM tag "role" = "web" TO tag "role" = "db" ALLOW tcp PORT 5432']);
    await add(['-g', '-e', 'FROM tag "role" = "web" TO tag "role" = "db" ALLOW udp PORT 53']);
    await add(['-g', '-e', 'FROM any TO all vms ALLOW icmp TYPE 8']);
    await add(['-g', '-e', 'FROM tag "role" = "db" TO tag "role" = "web" BLOCK tcp PORT 25']);
  });

  after(() => {
    if (!w) return;
    spawnSync(programPath('ip') as string, ['netns', 'delete', rvmNs()]);
    w.remove();
  });

  it('allows and blocks per rule, family and direction; owner scoping; remote VMs; guards and VLANs', async () => {
    const spoofed = end(WEB, 4);
    const ip = programPath('ip') as string;
    // an address the record does not give WEB: the guard drops what it sends from it
    spawnSync(ip, ['-n', spoofed.ns, 'addr', 'add', `${v4(77)}/24`, 'dev', 'net0']);
    spawnSync(ip, ['-n', spoofed.ns, 'addr', 'add', `${v6(77)}/64`, 'dev', 'net0', 'nodad']);
    await check([
      ...both('owner A web to db, its rule', WEB, DB, 'tcp', 5432, true),
      ...both('owner B web to db, another owner\'s rule', CLIENT, DB, 'tcp', 5432, false),
      ...both('remote web VM of owner A to db', RVM, DB, 'tcp', 5432, true),
      ...both('a port no rule opens', WEB, DB, 'tcp', 22, false),
      ...both('the other way', DB, WEB, 'tcp', 5432, false),
      ...both('global udp rule, owner B', CLIENT, DB, 'udp', 53, true),
      ...both('global udp rule, a port it does not name', CLIENT, DB, 'udp', 54, false),
      ...both('out of a firewalled VM, to one without', DB, CLIENT, 'tcp', 8080, true),
      ...both('blocked out by a rule', DB, WEB, 'tcp', 25, false),
      { name: 'icmp echo to all vms', from: end(CLIENT), to: end(DB), proto: 'icmp', expect: true },
      { name: 'icmpv6 echo: no rule', from: end(CLIENT, 6), to: end(DB, 6), proto: 'icmp6', expect: false },
      { name: 'icmpv6 echo to a VM without firewall', from: end(DB, 6), to: end(CLIENT, 6), proto: 'icmp6', expect: true },
      { name: 'spoofed IPv4 source', from: { ...spoofed, addr: v4(77) }, to: end(CLIENT), proto: 'icmp', expect: false, decidedBy: 'network' },
      { name: 'spoofed IPv6 source', from: { ...end(WEB, 6), addr: v6(77) }, to: end(CLIENT, 6), proto: 'icmp6', expect: false, decidedBy: 'network' },
      { name: 'another VLAN of the same nic_tag', from: end(VLAN5), to: end(CLIENT), proto: 'icmp', expect: false, decidedBy: 'network' },
    ], () => {
      spawnSync(ip, ['-n', spoofed.ns, 'addr', 'del', `${v4(77)}/24`, 'dev', 'net0']);
      spawnSync(ip, ['-n', spoofed.ns, 'addr', 'del', `${v6(77)}/64`, 'dev', 'net0']);
    });
    const stats = ok(await fw(['stats', DB])).stdout;
    assert.match(stats, /^[1-9]\d* pass in quick proto tcp from 198\.51\.100\.21 to any port = 5432 keep frags keep state$/m, stats);
    assert.match(stats, /^0 pass in quick proto tcp from 198\.51\.100\.25 to any port = 5432 keep frags keep state$/m, stats);
    assert.equal(ok(await fw(['status', DB])).stdout, 'running\n');
    assert.equal(ok(await fw(['status', CLIENT])).stdout, 'stopped\n');
  });

  it('a tag change is a change of set elements: the table stays, the new VM gets through', async () => {
    const table = (): string => {
      const r = spawnSync(ip(), ['netns', 'exec', end(DB).ns, programPath('nft') as string, '-j', 'list', 'table', 'inet', 'fwadm'], { encoding: 'utf8' });
      return JSON.stringify((JSON.parse(r.stdout) as { nftables: Array<{ rule?: { handle: number } ; table?: { handle: number } }> }).nftables.flatMap((i) => (i.rule ? [i.rule.handle] : i.table ? [i.table.handle] : [])));
    };
    const ip = (): string => programPath('ip') as string;
    await check([...both('before', SPARE, DB, 'tcp', 5432, false)]);
    const handles = table();
    ok(await vm(['update', SPARE], JSON.stringify({ set_tags: { role: 'web' } })));
    assert.equal(table(), handles, 'the table and its rules are the ones loaded before');
    await check([...both('after', SPARE, DB, 'tcp', 5432, true), ...both('still', WEB, DB, 'tcp', 5432, true)]);
  });

  it('a rule disabled and a firewall switched off stop filtering; enabled again, they filter again', async () => {
    ok(await fw(['disable', webToDb]));
    ok(await vm(['update', WEB, 'firewall_enabled=false']));
    await check([
      ...both('rule disabled', WEB, DB, 'tcp', 5432, false),
      ...both('firewall off: any port', DB, WEB, 'tcp', 22, true),
    ]);
    assert.equal(ok(await fw(['status', WEB])).stdout, 'stopped\n');
    ok(await fw(['enable', webToDb]));
    ok(await vm(['update', WEB, 'firewall_enabled=true']));
    await check([...both('rule enabled', WEB, DB, 'tcp', 5432, true), ...both('firewall on', DB, WEB, 'tcp', 22, false)]);
  });

  it('a NIC added to a running VM, and routes set, are there at once; stop takes the namespace away, start makes it again', async () => {
    ok(await vm(['update', CLIENT], JSON.stringify({ add_nics: [{ nic_tag: 'internal', ips: ['203.0.113.23/24', '2001:db8:2::23/64'] }] })));
    ok(await vm(['update', SPARE], JSON.stringify({ add_nics: [{ nic_tag: 'internal', ips: ['203.0.113.24/24'] }], set_routes: { '192.0.2.0/24': '203.0.113.1', '10.99.0.0/16': 'nics[1]' } })));
    const internal = (uuid: string): End => ({ vm: uuid, ns: `${lx().prefix}${uuid}`, addr: uuid === CLIENT ? '203.0.113.23' : '203.0.113.24' });
    await check([{ name: 'over the new NICs', from: internal(CLIENT), to: internal(SPARE), proto: 'icmp', expect: true }]);
    ok(await vm(['stop', SPARE]));
    assert.equal(fs.existsSync(`/run/netns/${lx().prefix}${SPARE}`), false);
    ok(await vm(['start', SPARE]));
    await check([{ name: 'started again', from: internal(CLIENT), to: internal(SPARE), proto: 'icmp', expect: true }]);
  });
});
