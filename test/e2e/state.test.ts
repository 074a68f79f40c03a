/**
 * State under real processes (./bin/vmadm, ./bin/fwadm): signals delivered
 * by the kernel, a lock holder stopped with SIGSTOP, and a randomized
 * kill -9 campaign from a fixed seed, each followed by the next command
 * and a check of the invariants (test/helpers/invariants.ts). The
 * in-process tests (test/app) stop commands at every named step; these
 * check that the same holds for a process killed at any moment.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { invariants } from '../helpers/invariants';
import { spawnCli, startCli, type CliResult } from '../helpers/run-cli';

const OWNER = '930896af-bf8c-48d4-885c-6573a94b1853';
const IMAGE = '2b683a82-a066-11e3-97ab-2faa44701c5a';

function spec(uuid: string | undefined, n: number, role: string): string {
  return JSON.stringify({
    brand: 'joyent', ...(uuid ? { uuid } : {}), alias: `vm${n}`, owner_uuid: OWNER, image_uuid: IMAGE, firewall_enabled: true, tags: { role },
    nics: [{ nic_tag: 'external', ips: [`198.51.100.${n % 250}/24`, `2001:db8::${(n % 65000).toString(16)}/64`] }],
  });
}

/** A stopped bhyve VM with a boot disk and a data disk (docs/vmadm-cli.md §15 "Disks and filesystems"). */
function hvmSpec(n: number): string {
  return JSON.stringify({
    brand: 'bhyve', alias: `hvm${n}`, owner_uuid: OWNER, autoboot: false, ram: 256, tags: { role: 'db' },
    disks: [{ image_uuid: '462d1d03-8457-e134-a408-cf9ea2b9be96', image_size: 64, boot: true }, { size: 32 }],
    nics: [{ nic_tag: 'external', model: 'virtio', ips: [`203.0.113.${n % 250}/24`] }],
  });
}

const made: string[] = [];
function newRoot(): { root: string; env: NodeJS.ProcessEnv } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-state-'));
  made.push(root);
  return { root, env: { VMADM_ROOT: root, VMADM_HOST: 'local', TZ: 'UTC' } };
}
after(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

/** A small deterministic generator (mulberry32): the campaign is the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('state under real processes', function () {
  this.timeout(120000);

  it('SIGINT before the commit: "interrupted: nothing was changed", exit 130, no VM', async () => {
    const { root, env } = newRoot();
    const child = startCli('vmadm', ['create'], { input: spec(undefined, 10, 'www'), env: { ...env, VMADM_SIGNAL_AT: 'create:configured:SIGINT' } });
    const r = await child.output;
    assert.deepEqual([r.status, r.stdout, r.stderr], [130, '', 'interrupted: nothing was changed\n']);
    assert.equal(spawnCli('vmadm', ['list', '-H'], { env }).stdout, '');
    assert.deepEqual(await invariants({ root, env }), []);
  });

  it('SIGTERM after the commit: the VM is made, the success line, then "interrupted after the change was made", exit 143', async () => {
    const { root, env } = newRoot();
    const child = startCli('vmadm', ['create'], { input: spec(undefined, 11, 'www'), env: { ...env, VMADM_SIGNAL_AT: 'create:stored:SIGTERM' } });
    const r = await child.output;
    assert.equal(r.status, 143, r.stderr);
    const m = /^Successfully created VM (\S+)\n(?:note: .*\n)*interrupted after the change was made\n$/.exec(r.stderr);
    assert.ok(m, r.stderr);
    assert.equal(JSON.parse(spawnCli('vmadm', ['get', m[1]], { env }).stdout).state, 'running');
    assert.deepEqual(await invariants({ root, env }), []);
  });

  it('a holder stopped (SIGSTOP) keeps the lock; the other command waits, says so once, and both changes are made', async () => {
    const { root, env } = newRoot();
    const c = spawnCli('vmadm', ['create'], { input: spec(undefined, 12, 'www'), env });
    const uuid = /^Successfully created VM (\S+)/.exec(c.stderr)![1];
    const first = startCli('vmadm', ['update', uuid, 'alias=first'], { env: { ...env, VMADM_SIGNAL_AT: 'update:reconfigured:SIGSTOP' } });
    // wait until it has stopped itself, holding the lock
    for (let i = 0; i < 100 && !/^T/.test(procState(first.pid!)); i++) await sleep(20);
    assert.match(procState(first.pid!), /^T/);
    const second = startCli('fwadm', ['add', '-g', '-e', 'FROM', 'any', 'TO', 'all', 'vms', 'ALLOW', 'tcp', 'PORT', '22'], { env });
    await sleep(1500);
    first.kill('SIGCONT');
    const [r1, r2] = await Promise.all([first.output, second.output]);
    assert.deepEqual([r1.status, r1.stderr], [0, `Successfully updated VM ${uuid}\n`]);
    assert.equal(r2.status, 0, r2.stderr);
    assert.equal(r2.stderr, `waiting for vmadm update (pid ${first.pid}) to finish\n`);
    assert.equal(JSON.parse(spawnCli('vmadm', ['get', uuid], { env }).stdout).alias, 'first');
    assert.equal(JSON.parse(spawnCli('fwadm', ['list', '-j'], { env }).stdout).length, 1);
    assert.deepEqual(await invariants({ root, env }), []);
  });

  // KILL_CAMPAIGN_SECONDS=<n> runs it longer (default 6), FC_SEED=<n> another campaign
  const seconds = Number(process.env.KILL_CAMPAIGN_SECONDS ?? 6);
  it('kill -9 at random moments of random changes (fixed seed, bounded): the next command of either program restores every invariant', async function () {
    this.timeout(seconds * 1000 + 60000);
    const { root, env } = newRoot();
    const rand = prng(Number(process.env.FC_SEED ?? 20261202));
    const deadline = Date.now() + seconds * 1000;
    let n = 20;
    const uuids = (): string[] => spawnCli('vmadm', ['lookup'], { env }).stdout.split('\n').filter(Boolean);
    const hvms = (): string[] => spawnCli('vmadm', ['lookup', 'brand=bhyve', 'state=stopped'], { env }).stdout.split('\n').filter(Boolean);
    const snapshots = (): Array<[string, string]> =>
      (JSON.parse(spawnCli('vmadm', ['lookup', '-j', '-o', 'uuid,snapshots'], { env }).stdout || '[]') as { uuid: string; snapshots?: { name: string }[] }[]).flatMap((v) =>
        (v.snapshots ?? []).map((sn) => [v.uuid, sn.name] as [string, string]),
      );
    const rules = (): string[] => (JSON.parse(spawnCli('fwadm', ['list', '-j'], { env }).stdout || '[]') as { uuid: string }[]).map((r) => r.uuid);
    for (let i = 0; i < 3; i++) assert.equal(spawnCli('vmadm', ['create'], { input: spec(undefined, n++, i % 2 ? 'db' : 'www'), env }).status, 0);
    const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
    const ops: Array<() => [string, string[], string?] | undefined> = [
      () => ['vmadm', ['create'], spec(undefined, n++, pick(['www', 'db']))],
      () => (uuids().length ? ['vmadm', ['update', pick(uuids()), `alias=a${n++}`, 'quota=20']] : undefined),
      () => (uuids().length ? ['vmadm', ['update', pick(uuids())], JSON.stringify({ set_tags: { role: pick(['www', 'db']) } })] : undefined),
      () => (uuids().length > 2 ? ['vmadm', ['delete', pick(uuids())]] : undefined),
      () => (uuids().length ? ['vmadm', [pick(['stop', 'start']), pick(uuids())]] : undefined),
      () => ['fwadm', ['add', '-g', '-e', `FROM tag "role" = "db" TO tag "role" = "www" ALLOW tcp PORT ${1000 + Math.floor(rand() * 100)}`]],
      () => (rules().length ? ['fwadm', [pick(['disable', 'enable', 'delete']), pick(rules())]] : undefined),
      // disks and snapshots (docs/vmadm-cli.md §15, §17): their volumes and copies follow the records too
      () => ['vmadm', ['create'], hvmSpec(n++)],
      () => (hvms().length ? ['vmadm', ['update', pick(hvms())], JSON.stringify({ add_disks: [{ size: 16 + Math.floor(rand() * 16) }] })] : undefined),
      () => (uuids().length ? ['vmadm', ['create-snapshot', pick(uuids()), `s${n++}`]] : undefined),
      () => {
        const had = snapshots();
        if (!had.length) return undefined;
        const [vm, name] = pick(had);
        return ['vmadm', [pick(['rollback-snapshot', 'delete-snapshot']), vm, name]];
      },
    ];
    let kills = 0;
    let runs = 0;
    while (Date.now() < deadline || runs < 5) {
      const op = pick(ops)();
      if (!op) continue;
      const [bin, args, input] = op;
      const child = startCli(bin as 'vmadm' | 'fwadm', args, { input, env });
      await sleep(Math.floor(rand() * 250));
      if (child.exitCode === null) {
        child.kill('SIGKILL');
        kills++;
      }
      const killed: CliResult = await child.output;
      const next: [string, string[]] = rand() < 0.5 ? ['vmadm', ['update', uuids()[0] ?? '00000000-0000-4000-8000-000000000000', `alias=n${n++}`]] : ['fwadm', ['add', '-g', '-e', `FROM any TO all vms ALLOW udp PORT ${2000 + runs}`]];
      const r = spawnCli(next[0] as 'vmadm' | 'fwadm', next[1], { env });
      const ctx = `run ${runs}: ${bin} ${args.join(' ')} (${killed.status === null ? 'killed' : `exit ${killed.status}`}), then ${next[0]} ${next[1].join(' ')}: ${r.stderr}`;
      if (!/not found/.test(r.stderr)) assert.equal(r.status, 0, ctx);
      assert.deepEqual(await invariants({ root, env }), [], ctx);
      runs++;
    }
    assert.ok(kills >= 2, `${kills} kills in ${runs} runs`);
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((res) => setTimeout(res, ms));
}

/** The process state letter from /proc (T: stopped). */
function procState(pid: number): string {
  try {
    return /^\d+ \(.*\) (\S)/.exec(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1] ?? '';
  } catch {
    return '';
  }
}
