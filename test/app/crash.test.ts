/**
 * kill -9 at every named step of every change (docs/state.md "Crash
 * points"), in-process: a command is stopped at a step exactly where a
 * kill would stop it (nothing after it runs, no undo; its lock goes, as
 * the kernel's would), then the next command of either program runs, and
 * the invariants must hold (test/helpers/invariants.ts): records, zones
 * and zonepaths agree; every VM's ipf files are `fwadm compile` of the
 * stored truth; every running VM has its files loaded. What the killed
 * command was doing is there whole or not at all. On the linux host (root
 * only) also its network: namespaces, links, addresses, routes and tables
 * as the records say (test/helpers/linux.ts).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SimulatedCrash } from '../../src/app/runtime';
import { zoneOf } from '../../src/app/sync';
import { LinuxHost } from '../../src/hosts/linux/host';
import { VmStore } from '../../src/store/vm-store';
import { invariants, type Place } from '../helpers/invariants';
import { linuxEnv, linuxSkipReason, removeLinuxWorld } from '../helpers/linux';
import { repoRoot, run, type CliResult } from '../helpers/run-cli';

const OWNER = '930896af-bf8c-48d4-885c-6573a94b1853';
const IMAGE = '2b683a82-a066-11e3-97ab-2faa44701c5a';
/** An image the fake illumos host has besides IMAGE (test/fakes/lib/host-state.js). */
const NEW_IMAGE = 'c0ffee00-1234-4abc-8def-000000000001';
const WEB = '5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11';
const DB = '6a1d1b3f-1a4b-4c2d-8e7f-9a0b1c2d3e22';
const OFF = '7b2e2c4a-2b5c-4d3e-9f80-ab1c2d3e4f33';
const NEW = '8c3f3d5b-3c6d-4e4f-a091-bc2d3e4f5a44';
const RULE = 'c0000000-0000-4000-8000-000000000001';
const RVM = 'b1c2d3e4-1111-4222-8333-444455556666';
const RECEIVED = '9d404e6c-4d7e-4f50-b1a2-cd3e4f5a6b55';
/** A stopped bhyve VM with two disks (seeded), and one a create makes. */
const HVM = 'ae515f7d-5e8f-4061-82b3-de4f5a6b7c66';
const NEW_HVM = 'bf626a8e-6f90-4172-93c4-ef5a6b7c8d77';
const DISK_IMAGE = '462d1d03-8457-e134-a408-cf9ea2b9be96';

function hvmSpec(uuid: string): string {
  return JSON.stringify({ brand: 'bhyve', uuid, alias: 'hvm', autoboot: false, disks: [{ image_uuid: DISK_IMAGE, image_size: 16, boot: true }, { size: 8 }] });
}
const hvmDisk = (n: number): string => `/dev/zvol/rdsk/zones/${HVM}/disk${n}`;

function vmSpec(uuid: string, n: number, role: string, firewall: boolean, autoboot = true): string {
  return JSON.stringify({
    brand: 'joyent',
    uuid,
    alias: `vm${n}`,
    owner_uuid: OWNER,
    image_uuid: IMAGE,
    autoboot,
    firewall_enabled: firewall,
    tags: { role },
    nics: [{ nic_tag: 'external', ips: [`198.51.100.${10 + n}/24`, `2001:db8:0:1::${10 + n}/64`], gateways: ['198.51.100.1'] }],
  });
}

interface World extends Place {
  readonly dir: string;
  readonly kind: Kind;
  vm(args: string[], input?: string | Buffer, crashPoint?: (p: string) => void): Promise<CliResult>;
  fw(args: string[], input?: string, crashPoint?: (p: string) => void): Promise<CliResult>;
}

type Kind = 'local' | 'illumos' | 'linux';

/** The namespace prefixes of the linux worlds made (all taken away at the end). */
const linuxPrefixes: string[] = [];

function world(dir: string, kind: Kind): World {
  const root = path.join(dir, 'root');
  const base: NodeJS.ProcessEnv = { VMADM_ROOT: root, TZ: 'UTC', VMADM_IPF_EVENT_LOG: '0' };
  const lx = kind === 'linux' ? linuxEnv() : undefined;
  if (lx) linuxPrefixes.push(lx.prefix);
  const place: Place =
    kind === 'local' || lx
      ? { root, env: { ...base, VMADM_HOST: 'local', ...lx?.env } }
      : {
          root,
          fakeState: path.join(dir, 'fake-state'),
          altroot: path.join(dir, 'host-fs'),
          env: {
            ...base,
            VMADM_HOST: 'illumos',
            VMADM_HOST_PATH_LOOKUP: '1',
            VMADM_ALTROOT: path.join(dir, 'host-fs'),
            FAKE_HOST_STATE: path.join(dir, 'fake-state'),
            PATH: [path.join(repoRoot, 'test', 'fakes', 'bin'), process.env.PATH].join(path.delimiter),
          },
        };
  return {
    ...place,
    dir,
    kind,
    vm: (args, input, crashPoint) => run('vmadm', args, { input, env: place.env, crashPoint }),
    fw: (args, input, crashPoint) => run('fwadm', args, { input, env: place.env, crashPoint }),
  };
}

/** Three VMs (two firewall-enabled and running, one stopped and disabled), two rules, a remote VM. */
async function seed(w: World): Promise<void> {
  for (const [uuid, n, role, fwOn, boot] of [
    [WEB, 1, 'www', true, true],
    [DB, 2, 'db', true, true],
    [OFF, 3, 'db', false, false],
  ] as const) {
    const r = await w.vm(['create'], vmSpec(uuid, n, role, fwOn, boot));
    assert.equal(r.status, 0, r.stderr);
  }
  for (const rule of ['FROM tag "role" = "db" TO tag "role" = "www" ALLOW tcp PORT 5432', 'FROM any TO all vms ALLOW tcp PORT 22']) {
    const r = await w.fw(['add', '-g', '-e', rule]);
    assert.equal(r.status, 0, r.stderr);
  }
  const h = await w.vm(['create'], hvmSpec(HVM));
  assert.equal(h.status, 0, h.stderr);
  const r = await w.fw(['add-rvm'], JSON.stringify({ uuid: RVM, ips: ['203.0.113.7', '2001:db8::7'], tags: { role: 'db' } }));
  assert.equal(r.status, 0, r.stderr);
  // a snapshot of WEB as a "db" VM, then WEB back to "www" and changed: a rollback changes its record (alias,
  // quota, tags) and the firewalls of the others
  for (const [args, input] of [
    [['update', WEB], JSON.stringify({ set_tags: { role: 'db' } })],
    [['create-snapshot', WEB, 'first'], undefined],
    [['update', WEB], JSON.stringify({ set_tags: { role: 'www' }, alias: 'later', quota: 20 })],
  ] as const) {
    const s = await w.vm([...args], input);
    assert.equal(s.status, 0, s.stderr);
  }
}

interface Op {
  readonly name: string;
  readonly run: (w: World, crashPoint?: (p: string) => void) => Promise<CliResult>;
}

const OPS: Op[] = [
  { name: 'vmadm create', run: (w, c) => w.vm(['create'], vmSpec(NEW, 4, 'db', true), c) },
  { name: 'vmadm update (tags)', run: (w, c) => w.vm(['update', WEB], JSON.stringify({ set_tags: { role: 'db' } }), c) },
  { name: 'vmadm update (alias, quota)', run: (w, c) => w.vm(['update', DB, 'alias=renamed', 'quota=30'], undefined, c) },
  { name: 'vmadm update (add a NIC)', run: (w, c) => w.vm(['update', WEB], JSON.stringify({ add_nics: [{ nic_tag: 'internal', ips: ['10.0.0.5/24', 'fd00::5/64'] }] }), c) },
  { name: 'vmadm update (firewall on)', run: (w, c) => w.vm(['update', OFF, 'firewall_enabled=true'], undefined, c) },
  { name: 'vmadm delete', run: (w, c) => w.vm(['delete', DB], undefined, c) },
  { name: 'vmadm create (bhyve, two disks)', run: (w, c) => w.vm(['create'], hvmSpec(NEW_HVM), c) },
  {
    name: 'vmadm update (disks: add, grow, remove)',
    run: (w, c) => w.vm(['update', HVM], JSON.stringify({ add_disks: [{ size: 4 }], update_disks: [{ path: hvmDisk(1), size: 12 }], remove_disks: [hvmDisk(0)] }), c),
  },
  { name: 'vmadm delete (bhyve, two disks)', run: (w, c) => w.vm(['delete', HVM], undefined, c) },
  { name: 'vmadm update (add a filesystem)', run: (w, c) => w.vm(['update', OFF], JSON.stringify({ add_filesystems: [{ type: 'lofs', source: '/zones/shared', target: '/shared', options: ['ro'] }] }), c) },
  { name: 'vmadm stop', run: (w, c) => w.vm(['stop', WEB], undefined, c) },
  { name: 'vmadm start', run: (w, c) => w.vm(['start', OFF], undefined, c) },
  { name: 'vmadm reprovision', run: (w, c) => w.vm(['reprovision', WEB], JSON.stringify({ image_uuid: NEW_IMAGE }), c) },
  { name: 'vmadm receive', run: (w, c) => w.vm(['receive'], sent[w.kind], c) },
  { name: 'vmadm create-snapshot', run: (w, c) => w.vm(['create-snapshot', DB, 'snap'], undefined, c) },
  { name: 'vmadm rollback-snapshot', run: (w, c) => w.vm(['rollback-snapshot', WEB, 'first'], undefined, c) },
  { name: 'vmadm delete-snapshot', run: (w, c) => w.vm(['delete-snapshot', WEB, 'first'], undefined, c) },
  { name: 'fwadm add', run: (w, c) => w.fw(['add'], JSON.stringify({ rules: [{ uuid: RULE, rule: 'FROM tag "role" TO tag "role" ALLOW udp PORT 53', global: true, enabled: true }] }), c) },
  { name: 'fwadm disable', run: (w, c) => w.fw(['disable', firstRule], undefined, c) },
  { name: 'fwadm delete-rvm', run: (w, c) => w.fw(['delete-rvm', RVM], undefined, c) },
  { name: 'fwadm start', run: (w, c) => w.fw(['start', OFF], undefined, c) },
];

/** The uuid of the seeded rules' first (set by the template's seeding). */
let firstRule = '';

/** A VM sent from another root of each kind (vmadm send), for the receive op (set by the template's seeding). */
const sent: Record<Kind, Buffer> = { local: Buffer.alloc(0), illumos: Buffer.alloc(0), linux: Buffer.alloc(0) };

/** The next command, of one program or the other. */
const NEXT: Op[] = [
  { name: 'vmadm update', run: (w) => w.vm(['update', OFF, 'alias=next']) },
  { name: 'fwadm add', run: (w) => w.fw(['add', '-g', '-e', 'FROM', 'any', 'TO', 'all', 'vms', 'ALLOW', 'udp', 'PORT', '123']) },
];

/** Every (point, occurrence) an op passes, in order. */
async function pointsOf(w: World, op: Op): Promise<string[]> {
  const seen: string[] = [];
  const r = await op.run(w, (p) => seen.push(p));
  assert.equal(r.status, 0, `${op.name}: ${r.stderr}`);
  const count = new Map<string, number>();
  return seen.map((p) => {
    const n = (count.get(p) ?? 0) + 1;
    count.set(p, n);
    return `${p}#${n}`;
  });
}

function crashAt(target: string): (p: string) => void {
  const count = new Map<string, number>();
  return (p) => {
    const n = (count.get(p) ?? 0) + 1;
    count.set(p, n);
    if (`${p}#${n}` === target) throw new SimulatedCrash(target);
  };
}

/**
 * A copy of a linux world has the records and zones but not the kernel's
 * state: each running VM's network is made, in the copy's own namespaces,
 * as the host makes it again for a zone whose network is not there.
 */
async function restoreNetworks(w: World): Promise<void> {
  const host = new LinuxHost(w.root, w.env);
  for (const vm of new VmStore(w.root, 'linux').list()) if (vm.state === 'running') await host.applyConfig(zoneOf(vm));
}

/** Where the linux host's crash tests stop each change: around its own (zone and network) steps and a load. */
const LINUX_POINTS: Readonly<Record<string, readonly string[]>> = {
  'vmadm create': ['create:installed#1', 'create:stored#1', 'sync:loaded#1', 'create:booted#1'],
  'vmadm update (tags)': ['update:stored#1', 'sync:loaded#1'],
  'vmadm update (add a NIC)': ['update:reconfigured#1', 'update:stored#1'],
  'vmadm delete': ['delete:halted#1', 'delete:uninstalled#1', 'delete:unconfigured#1'],
  'fwadm add': ['rules:journal#1', 'sync:loaded#1'],
  'vmadm rollback-snapshot': ['rollback-snapshot:halted#1', 'rollback-snapshot:rolled-back#1', 'rollback-snapshot:stored#1', 'rollback-snapshot:booted#1'],
};

describe('kill -9 at every step of every change, then the next command (crash points)', function () {
  this.timeout(120000);
  const made: string[] = [];
  after(() => {
    for (const d of made) fs.rmSync(d, { recursive: true, force: true });
    for (const p of linuxPrefixes.splice(0)) removeLinuxWorld(p);
  });

  for (const kind of ['local', 'illumos', 'linux'] as const) {
    describe(`${kind} host`, () => {
      let template = '';
      before(async function () {
        this.timeout(60000);
        const skip = kind === 'linux' ? linuxSkipReason() : undefined;
        if (skip) {
          console.log(`      (linux host skipped: ${skip})`);
          this.skip();
        }
        template = fs.mkdtempSync(path.join(os.tmpdir(), `crash-${kind}-`));
        made.push(template);
        const w = world(template, kind);
        await seed(w);
        firstRule = JSON.parse((await w.fw(['list', '-j'])).stdout)[0].uuid as string;
        // a VM of another root, sent
        const other = world(fs.mkdtempSync(path.join(os.tmpdir(), `crash-${kind}-`)), kind);
        made.push(other.dir);
        assert.equal((await other.vm(['create'], vmSpec(RECEIVED, 5, 'www', true))).status, 0);
        const out = await other.vm(['send', RECEIVED]);
        assert.equal(out.status, 0, out.stderr);
        sent[kind] = out.stdoutBytes!;
      });

      /** A copy of the seeded world (roots are relative: a copy is a world of its own; a linux one gets its networks). */
      async function copy(): Promise<World> {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), `crash-${kind}-`));
        made.push(dir);
        fs.cpSync(template, dir, { recursive: true });
        const w = world(dir, kind);
        if (kind === 'linux') await restoreNetworks(w);
        return w;
      }

      if (kind === 'illumos') {
        it('a journal the host cannot finish now stays, and no other change is made over it; once it can, the next command finishes it', async () => {
          const w = await copy();
          await assert.rejects(OPS[0].run(w, crashAt('create:configured#1')).then((r) => { throw new Error(r.stderr); }), /simulated crash/);
          const broken = { ...w.env, PATH: '/nonexistent' };
          const r = await run('fwadm', ['add', '-g', '-e', 'FROM', 'any', 'TO', 'all', 'vms', 'ALLOW', 'udp', 'PORT', '9'], { env: broken });
          assert.equal(r.status, 1);
          assert.match(r.stderr, /^cannot finish an interrupted vmadm create \(pid \d+\) of VM 8c3f3d5b-3c6d-4e4f-a091-bc2d3e4f5a44: .*; nothing was changed \(the next command tries again\)\n$/);
          assert.equal(fs.existsSync(path.join(w.root, '.journal.json')), true);
          assert.equal(JSON.parse((await w.fw(['list', '-j'])).stdout).length, 2, 'the rule was not added');
          const next = await w.fw(['add', '-g', '-e', 'FROM', 'any', 'TO', 'all', 'vms', 'ALLOW', 'udp', 'PORT', '9']);
          assert.equal(next.status, 0, next.stderr);
          assert.match(next.stderr, /^note: undid an interrupted vmadm create .*: its zone is removed\n/);
          assert.deepEqual(await invariants(w), []);
        });
      }

      // the illumos host's fakes are processes: its zone steps only (create, zonecfg -u, zfs quota, disks, delete, reprovision, receive, snapshots);
      // the linux host's namespaces take time to make: create, an update of tags and of a NIC, delete, a rule change, a rollback
      const ops =
        kind === 'local'
          ? OPS
          : kind === 'illumos'
            ? OPS.filter((o) => /^vmadm (create|update \(add a NIC|update \(alias|update \(disks|update \(add a filesystem|delete|reprovision|receive|\w+-snapshot)/.test(o.name))
            : OPS.filter((o) => o.name in LINUX_POINTS);
      for (const op of ops) {
        it(`${op.name}: killed at each of its steps`, async () => {
          // on the illumos host, the steps around its programs (the others are the local host's too); on linux, around its own
          // steps (named: a point the change does not pass fails the test, as no crash comes)
          const all = kind === 'linux' ? [...LINUX_POINTS[op.name]] : await pointsOf(await copy(), op);
          const points = kind === 'illumos' ? all.filter((p) => !/^(sync:|\w+:begin#)/.test(p)) : all;
          assert.ok(points.length >= 2, `${op.name} passes ${all.join(', ')}`);
          const one = async (point: string, i: number): Promise<void> => {
            const w = await copy();
            await assert.rejects(
              (async () => {
                const r = await op.run(w, crashAt(point));
                // the simulated kill ends the command as an internal error
                throw new Error(`${r.status} ${r.stderr}`);
              })(),
              (e: Error) => /simulated crash/.test(e.message),
            );
            // readers do not wait and see no half-made VM or rule
            const list = await w.vm(['list', '-p', '-o', 'uuid,state']);
            assert.equal(list.status, 0, list.stderr);
            const next = NEXT[i % NEXT.length];
            const r = await next.run(w);
            assert.equal(r.status, 0, `${op.name} killed at ${point}, then ${next.name}: ${r.stderr}`);
            const bad = await invariants(w);
            assert.deepEqual(bad, [], `${op.name} killed at ${point}, then ${next.name}:\n${r.stderr}`);
            fs.rmSync(w.dir, { recursive: true, force: true });
            if (kind === 'linux') removeLinuxWorld(w.env.VMADM_LINUX_NETNS_PREFIX as string);
          };
          // the linux and illumos hosts wait on their programs (ip and nft; the fakes, processes of their own): their
          // worlds (each with its own namespaces or fake state) run side by side
          const width = kind === 'linux' ? 4 : kind === 'illumos' ? 3 : 1;
          for (let i = 0; i < points.length; i += width) await Promise.all(points.slice(i, i + width).map((p, j) => one(p, i + j)));
        });
      }
    });
  }
});
