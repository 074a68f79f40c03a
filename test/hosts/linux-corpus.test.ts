/**
 * A generated corpus of real probes on the linux host (root only: else one
 * skip line): rule sets drawn from a fixed seed (tags, VMs, addresses,
 * subnets, any, all vms; ALLOW and BLOCK; priorities; owners and global
 * rules; some disabled), and one round written for the shapes of the
 * nftables sets (networks, ranges, ranges that meet), and for each round,
 * every VM to every other VM over TCP,
 * UDP and ICMP echo, IPv4 and IPv6. Each probe's real outcome must be what
 * `fwadm explain` says and what the ipf evaluator of the generated files
 * says (test/helpers/oracles.ts): the nftables back end, the ipf text and
 * the rules' meaning agree. At least 200 probes in all.
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { oracles } from '../helpers/oracles';
import { linuxWorld, ok, skipUnlessLinux, type LinuxWorld } from '../helpers/linux';
import { packetsOf, runProbes, type End, type ProbeCase } from '../helpers/probes';

const OWNER_A = '0a0a0a0a-1111-4111-8111-0000000000aa';
const OWNER_B = '0b0b0b0b-2222-4222-8222-0000000000bb';
const IMAGE = '2b683a82-a066-11e3-97ab-2faa44701c5a';

const v4 = (n: number): string => `203.0.113.${n}`;
const v6 = (n: number): string => `2001:db8:7::${n.toString(16)}`;

interface VmDef {
  uuid: string;
  n: number;
  owner: string;
  role: string;
  firewall: boolean;
}

const VMS: VmDef[] = [
  { uuid: 'c1111111-0000-4000-8000-000000000001', n: 31, owner: OWNER_A, role: 'web', firewall: true },
  { uuid: 'c2222222-0000-4000-8000-000000000002', n: 32, owner: OWNER_A, role: 'db', firewall: true },
  { uuid: 'c3333333-0000-4000-8000-000000000003', n: 33, owner: OWNER_B, role: 'web', firewall: true },
  { uuid: 'c4444444-0000-4000-8000-000000000004', n: 34, owner: OWNER_B, role: 'db', firewall: false },
];

const TCP_PORTS = [22, 80, 5432];
const UDP_PORTS = [53, 123];

/** A rule text of the vocabulary, and its owner flags. */
const side = fc.oneof(
  fc.constant('any'),
  fc.constant('all vms'),
  fc.constantFrom('tag "role" = "web"', 'tag "role" = "db"', 'tag "role"'),
  fc.constantFrom(...VMS.map((v) => `vm ${v.uuid}`)),
  fc.constantFrom(...VMS.flatMap((v) => [`ip ${v4(v.n)}`, `ip ${v6(v.n)}`])),
  fc.constantFrom('subnet 203.0.113.0/24', 'subnet 2001:db8:7::/64', 'subnet 203.0.113.32/30'),
);
const what = fc.oneof(
  fc.constantFrom(...TCP_PORTS).map((p) => `tcp PORT ${p}`),
  fc.constantFrom(...UDP_PORTS).map((p) => `udp PORT ${p}`),
  // ranges (interval sets in the nftables table), ranges that meet, every port (a rule of its own)
  fc.constantFrom('tcp PORTS 20 - 90', 'tcp PORTS 80 - 6000', 'udp PORTS 50 - 60', 'tcp PORT all', 'udp PORT all'),
  fc.constant('icmp TYPE 8'),
  fc.constant('icmp6 TYPE 128'),
);
const rule = fc.record({
  from: side,
  to: side,
  action: fc.constantFrom('ALLOW', 'BLOCK'),
  what,
  priority: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3 })),
  owner: fc.constantFrom('-g', '-O A', '-O B'),
  enabled: fc.boolean(),
})
  // fwrule(7): one side at least names VMs (all vms, a tag, a vm)
  .filter((r) => [r.from, r.to].some((x) => x === 'all vms' || x.startsWith('tag ') || x.startsWith('vm ')))
  // and ICMP of one family names no address of the other
  .filter((r) => !(r.what.startsWith('icmp ') && [r.from, r.to].some((x) => x.includes(':'))) && !(r.what.startsWith('icmp6') && [r.from, r.to].some((x) => /\d+\.\d+\./.test(x))));

describe('linux host: a generated corpus of real probes agrees with explain and the ipf evaluator (root)', function () {
  this.timeout(120000);
  let w: LinuxWorld | undefined;

  before(async function () {
    skipUnlessLinux(this);
    w = linuxWorld('linux-corpus');
    for (const d of VMS) {
      const spec = {
        brand: 'joyent', uuid: d.uuid, alias: `c${d.n}`, owner_uuid: d.owner, image_uuid: IMAGE, firewall_enabled: d.firewall, tags: { role: d.role },
        nics: [{ nic_tag: 'external', ips: [`${v4(d.n)}/24`, `${v6(d.n)}/64`] }],
      };
      ok(await w.vm(['create'], JSON.stringify(spec)));
    }
  });

  after(() => w?.remove());

  it('rule sets from a fixed seed: every VM to every other, TCP, UDP and ICMP, both families', async () => {
    const lx = w as LinuxWorld;
    type Rule = { from: string; to: string; action: string; what: string; priority: number; owner: string; enabled: boolean };
    const r = (owner: string, from: string, to: string, action: string, what: string, priority = 0): Rule => ({ owner, from, to, action, what, priority, enabled: true });
    // and one round written for the shapes of the nftables sets: networks and ranges (interval sets), a
    // network with ranges that meet (a second set), an address with a range, a network with every port
    const shapes: Rule[] = [
      r('-g', 'subnet 203.0.113.0/24', 'all vms', 'ALLOW', 'tcp PORTS 20 - 90'),
      r('-g', 'subnet 203.0.113.0/24', 'all vms', 'ALLOW', 'tcp PORT 22'),
      r('-g', 'subnet 203.0.113.32/30', 'tag "role" = "web"', 'ALLOW', 'udp PORTS 50 - 60'),
      r('-O A', 'any', 'tag "role" = "db"', 'ALLOW', 'tcp PORTS 5000 - 6000'),
      r('-g', 'tag "role" = "db"', 'all vms', 'BLOCK', 'tcp PORTS 20 - 90', 2),
      r('-g', `ip ${v6(31)}`, 'all vms', 'ALLOW', 'udp PORTS 100 - 200'),
      r('-g', 'subnet 2001:db8:7::/64', 'tag "role" = "web"', 'ALLOW', 'tcp PORT all'),
      r('-g', 'all vms', `vm ${VMS[0].uuid}`, 'ALLOW', 'icmp TYPE 8'),
    ];
    const sets = [...fc.sample(fc.array(rule, { minLength: 4, maxLength: 8 }), { numRuns: 2 }), shapes];
    const end = (d: VmDef, family: 4 | 6): End => ({ vm: d.uuid, ns: `${lx.prefix}${d.uuid}`, addr: family === 4 ? v4(d.n) : v6(d.n) });
    const ask = oracles(lx.root, lx.cmdEnv);
    let probes = 0;
    let blocked = 0;
    for (const [k, rules] of sets.entries()) {
      // this round's rules, and nothing else
      const stored = JSON.parse(ok(await lx.fw(['list', '-j'])).stdout || '[]') as { uuid: string }[];
      if (stored.length > 0) ok(await lx.fw(['delete', ...stored.map((r) => r.uuid)]));
      for (const r of rules) {
        const owner = r.owner === '-g' ? ['-g'] : ['-O', r.owner === '-O A' ? OWNER_A : OWNER_B];
        const priority = r.priority > 0 ? ` PRIORITY ${r.priority}` : '';
        ok(await lx.fw(['add', ...owner, ...(r.enabled ? ['-e'] : []), `FROM ${r.from} TO ${r.to} ${r.action} ${r.what}${priority}`]));
      }
      const cases: ProbeCase[] = [];
      for (const a of VMS) {
        for (const b of VMS) {
          if (a === b) continue;
          for (const family of [4, 6] as const) {
            const from = end(a, family);
            const to = end(b, family);
            for (const port of TCP_PORTS) cases.push({ name: `round ${k}`, from, to, proto: 'tcp', port, expect: true });
            for (const port of UDP_PORTS) cases.push({ name: `round ${k}`, from, to, proto: 'udp', port, expect: true });
            cases.push({ name: `round ${k}`, from, to, proto: family === 4 ? 'icmp' : 'icmp6', expect: true });
          }
        }
      }
      // what the rules mean is what is expected of the wire: explain's answer for both ends
      for (const c of cases) {
        let pass = true;
        for (const { vm, packet } of packetsOf(c)) pass = pass && (await ask['fwadm explain'](vm, packet));
        (c as { expect: boolean }).expect = pass;
      }
      const bad = await runProbes(cases, ask);
      assert.deepEqual(bad, [], `rules of round ${k}:\n${rules.map((r) => `${r.owner} ${r.enabled ? '-e' : ''} FROM ${r.from} TO ${r.to} ${r.action} ${r.what} P${r.priority}`).join('\n')}`);
      probes += cases.length;
      blocked += cases.filter((c) => !c.expect).length;
    }
    assert.ok(probes >= 200, `${probes} probes`);
    // a corpus that says something: both answers, each many times
    assert.ok(blocked >= 20 && probes - blocked >= 20, `${blocked} blocked of ${probes}`);
  });
});
