/**
 * Ctrl-C (SIGINT), SIGTERM and SIGHUP at every step of a change
 * (docs/state.md "Interrupts"), in-process: the signal comes at the step,
 * the change is finished or undone, never left between, and what the
 * command prints says which and matches what is stored: "interrupted:
 * nothing was changed" and the state as before, or the usual output then
 * "interrupted after the change was made" and the state as an
 * uninterrupted run leaves it; exit 128 + the signal. A second signal
 * changes nothing.
 */
import { strict as assert } from 'node:assert';
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SignalSource } from '../../src/cli/io';
import { acquireLock } from '../../src/store/lock';
import { invariants } from '../helpers/invariants';
import { run, type CliResult } from '../helpers/run-cli';

const OWNER = '930896af-bf8c-48d4-885c-6573a94b1853';
const IMAGE = '2b683a82-a066-11e3-97ab-2faa44701c5a';
const WEB = '5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11';
const NEW = '8c3f3d5b-3c6d-4e4f-a091-bc2d3e4f5a44';
const RULE = 'c0000000-0000-4000-8000-000000000001';

function spec(uuid: string, n: number): string {
  return JSON.stringify({
    brand: 'joyent', uuid, alias: `vm${n}`, owner_uuid: OWNER, image_uuid: IMAGE, firewall_enabled: true, tags: { role: 'www' },
    nics: [{ nic_tag: 'external', ips: [`198.51.100.${10 + n}/24`, `2001:db8::${10 + n}/64`] }],
  });
}

type Run = (args: string[], input?: string, opts?: { signals?: SignalSource; crashPoint?: (p: string) => void }) => Promise<CliResult>;

interface World {
  root: string;
  env: NodeJS.ProcessEnv;
  vm: Run;
  fw: Run;
}

function world(root: string): World {
  const env = { VMADM_ROOT: root, VMADM_HOST: 'local', TZ: 'UTC' };
  return {
    root,
    env,
    vm: (args, input, o = {}) => run('vmadm', args, { input, env, ...o }),
    fw: (args, input, o = {}) => run('fwadm', args, { input, env, ...o }),
  };
}

/** What is stored, less what differs from run to run (MACs, versions, times). */
async function stored(w: World): Promise<string> {
  const vms = JSON.parse((await w.vm(['lookup', '-j'])).stdout) as Record<string, unknown>[];
  const rules = JSON.parse((await w.fw(['list', '-j'])).stdout || '[]') as Record<string, unknown>[];
  const scrub = (v: unknown): unknown =>
    JSON.parse(JSON.stringify(v), (k, x) => (['mac', 'last_modified', 'create_timestamp', 'version', 'boot_timestamp', 'zonepath', 'server_uuid', 'created_at'].includes(k) ? undefined : x));
  return JSON.stringify({ vms: scrub(vms), rules: scrub(rules) });
}

interface Op {
  name: string;
  /** The success output an uninterrupted run prints first (stderr for vmadm, stdout for fwadm). */
  made: RegExp;
  go: (w: World, o: { signals?: SignalSource; crashPoint?: (p: string) => void }) => Promise<CliResult>;
}

const OPS: Op[] = [
  { name: 'vmadm create', made: new RegExp(`^Successfully created VM ${NEW}\n`), go: (w, o) => w.vm(['create'], spec(NEW, 2), o) },
  { name: 'vmadm update', made: new RegExp(`^Successfully updated VM ${WEB}\n`), go: (w, o) => w.vm(['update', WEB], JSON.stringify({ alias: 'renamed', set_tags: { role: 'db' } }), o) },
  { name: 'vmadm stop', made: new RegExp(`^Successfully completed stop for VM ${WEB}\n`), go: (w, o) => w.vm(['stop', WEB], undefined, o) },
  { name: 'vmadm delete', made: new RegExp(`^Successfully deleted VM ${WEB}\n`), go: (w, o) => w.vm(['delete', WEB], undefined, o) },
  { name: 'vmadm create-snapshot', made: new RegExp(`^Created snapshot two for VM ${WEB}\n`), go: (w, o) => w.vm(['create-snapshot', WEB, 'two'], undefined, o) },
  { name: 'vmadm rollback-snapshot', made: new RegExp(`^Rolled back snapshot one for VM ${WEB}\n`), go: (w, o) => w.vm(['rollback-snapshot', WEB, 'one'], undefined, o) },
  { name: 'vmadm delete-snapshot', made: new RegExp(`^Deleted snapshot one for VM ${WEB}\n`), go: (w, o) => w.vm(['delete-snapshot', WEB, 'one'], undefined, o) },
  {
    name: 'fwadm add',
    made: new RegExp(`^Added rules:\n${RULE} true`),
    go: (w, o) => w.fw(['add'], JSON.stringify({ rules: [{ uuid: RULE, rule: 'FROM any TO tag role ALLOW tcp PORT 80', global: true, enabled: true }] }), o),
  },
];

const EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

describe('signals during a change: finished or undone, and said so (in-process)', function () {
  this.timeout(60000);
  const made: string[] = [];
  let template = '';
  before(async () => {
    template = fs.mkdtempSync(path.join(os.tmpdir(), 'signals-'));
    made.push(template);
    const w = world(path.join(template, 'root'));
    assert.equal((await w.vm(['create'], spec(WEB, 1))).status, 0);
    assert.equal((await w.fw(['add', '-g', '-e', 'FROM', 'any', 'TO', 'all', 'vms', 'ALLOW', 'tcp', 'PORT', '22'])).status, 0);
    // a snapshot, then the VM changed: what a rollback puts back (docs/vmadm-cli.md §17)
    assert.equal((await w.vm(['create-snapshot', WEB, 'one'])).status, 0);
    assert.equal((await w.vm(['update', WEB, 'quota=20'])).status, 0);
  });
  after(() => {
    for (const d of made) fs.rmSync(d, { recursive: true, force: true });
  });

  function copy(): World {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'signals-'));
    made.push(dir);
    fs.cpSync(template, dir, { recursive: true });
    return world(path.join(dir, 'root'));
  }

  for (const op of OPS) {
    it(`${op.name}: a signal at each step`, async () => {
      const before = await stored(copy());
      const clean = copy();
      const points: string[] = [];
      const r0 = await op.go(clean, { crashPoint: (p) => points.push(p) });
      assert.equal(r0.status, 0, r0.stderr);
      const afterwards = await stored(clean);
      let k = 0;
      for (const point of [...new Set(points)]) {
        const signal = ['SIGINT', 'SIGTERM', 'SIGHUP'][k++ % 3];
        const w = copy();
        const signals = new EventEmitter() as EventEmitter & SignalSource;
        const r = await op.go(w, {
          signals,
          crashPoint: (p) => {
            if (p !== point) return;
            signals.emit(signal, signal);
            signals.emit('SIGINT', 'SIGINT'); // a second Ctrl-C changes nothing
          },
        });
        const where = `${op.name}, ${signal} at ${point}:\n${r.stdout}${r.stderr}`;
        assert.equal(r.status, EXIT[signal], where);
        const out = op.name.startsWith('fwadm') ? r.stdout : r.stderr;
        if (/^interrupted: nothing was changed\n$/.test(r.stderr)) {
          assert.equal(r.stdout, '', where);
          assert.equal(await stored(w), before, where);
        } else {
          assert.match(out, op.made, where);
          assert.match(r.stderr, /interrupted after the change was made\n$/, where);
          assert.equal(await stored(w), afterwards, where);
        }
        assert.deepEqual(await invariants({ root: w.root, env: w.env }), [], where);
      }
    });
  }

  it('while waiting for the lock: nothing was changed, and the holder goes on', async () => {
    const w = copy();
    const held = await acquireLock(w.root, { verb: 'test' });
    const signals = new EventEmitter() as EventEmitter & SignalSource;
    const pending = w.vm(['update', WEB, 'alias=x'], undefined, { signals });
    await new Promise((res) => setTimeout(res, 100));
    signals.emit('SIGINT', 'SIGINT');
    const r = await pending;
    held.release();
    assert.deepEqual([r.status, r.stdout, r.stderr], [130, '', 'interrupted: nothing was changed\n']);
    assert.equal(JSON.parse((await w.vm(['get', WEB])).stdout).alias, 'vm1');
  });
});
