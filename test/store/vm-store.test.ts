import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { VmStore } from '../../src/store/vm-store';
import type { VmRecord } from '../../src/core/vm/record';
import { makeRecord, uuidOf } from './records';

const WORKER = path.join(__dirname, 'worker.js');

function tmpRoot(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'vmstore-'));
}

function rec(store: VmStore, n: number, over: Partial<VmRecord> = {}): VmRecord {
  const uuid = uuidOf(n);
  return makeRecord(uuid, store.zonepathOf('zones', uuid), over);
}

function readJson(file: string): unknown {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** Every file under dir, relative, sorted. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

describe('store/VmStore', () => {
  let root: string;
  beforeEach(() => {
    root = tmpRoot();
  });
  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('zonepaths: <root>/zones/<uuid> locally, /<zpool>/<uuid> on illumos', () => {
    const u = uuidOf(1);
    assert.equal(new VmStore(root, 'local').zonepathOf('zones', u), path.join(root, 'zones', u));
    assert.equal(new VmStore(root, 'illumos').zonepathOf('data', u), `/data/${u}`);
  });

  it('put stores the record and the SmartOS config files; get and list read it back', async () => {
    const store = new VmStore(root, 'local');
    const r = rec(store, 1, { tags: { role: 'db' }, routes: { '10.2.0.0/16': '10.0.0.1' }, internal_metadata: { k: 'v' } });
    await store.lock(() => store.put(r));
    assert.deepEqual(store.get(r.uuid), r);
    assert.deepEqual(new VmStore(root, 'local').list(), [r]);
    const cfg = path.join(r.zonepath, 'config');
    assert.equal(
      fs.readFileSync(path.join(cfg, 'metadata.json'), 'utf8'),
      JSON.stringify({ internal_metadata: { k: 'v' }, customer_metadata: r.customer_metadata }, null, 2),
    );
    assert.equal(fs.readFileSync(path.join(cfg, 'tags.json'), 'utf8'), '{\n  "role": "db"\n}');
    assert.equal(fs.readFileSync(path.join(cfg, 'routes.json'), 'utf8'), '{\n  "10.2.0.0/16": "10.0.0.1"\n}');
    // nothing else left behind: no temp files, no journal, the lock released
    assert.deepEqual(tree(root), [
      `vms/${r.uuid}.json`,
      `zones/${r.uuid}/config/metadata.json`,
      `zones/${r.uuid}/config/routes.json`,
      `zones/${r.uuid}/config/tags.json`,
    ]);
  });

  it('list is sorted by uuid; get of an unknown or malformed uuid is undefined', async () => {
    const store = new VmStore(root, 'local');
    await store.lock(async () => {
      for (const n of [5, 1, 3]) await store.put(rec(store, n));
    });
    assert.deepEqual(store.list().map((v) => v.uuid), [uuidOf(1), uuidOf(3), uuidOf(5)]);
    assert.equal(store.get(uuidOf(2)), undefined);
    assert.equal(store.get('../vms/x'), undefined);
    assert.deepEqual(new VmStore(path.join(root, 'none'), 'local').list(), []);
  });

  it('put and remove refuse to run without the lock', async () => {
    const store = new VmStore(root, 'local');
    await assert.rejects(store.put(rec(store, 1)), /without the lock/);
    await assert.rejects(store.remove(uuidOf(1)), /without the lock/);
    assert.deepEqual(store.list(), []);
  });

  it('the lock is re-entrant within a process', async () => {
    const store = new VmStore(root, 'local');
    const got = await store.lock(() => new VmStore(root, 'local').lock(async () => 'inner'));
    assert.equal(got, 'inner');
  });

  it('remove deletes the record and, on the local host, the whole zonepath', async () => {
    const store = new VmStore(root, 'local');
    const a = rec(store, 1);
    const b = rec(store, 2);
    await store.lock(async () => {
      await store.put(a);
      await store.put(b);
    });
    fs.writeFileSync(path.join(a.zonepath, 'config', 'ipf.conf'), 'x');
    await store.lock(() => store.remove(a.uuid));
    assert.deepEqual(store.list(), [b]);
    assert.equal(fs.existsSync(a.zonepath), false);
    assert.equal(fs.existsSync(b.zonepath), true);
  });

  it('remove of a zonepath outside the root (illumos) deletes only the config files it wrote', async () => {
    const zp = fs.mkdtempSync(path.join(os.tmpdir(), 'zonepath-'));
    try {
      const store = new VmStore(root, 'illumos');
      const r = makeRecord(uuidOf(7), zp);
      await store.lock(() => store.put(r));
      fs.writeFileSync(path.join(zp, 'config', 'ipf.conf'), 'x');
      await store.lock(() => store.remove(r.uuid));
      assert.equal(store.get(r.uuid), undefined);
      assert.deepEqual(tree(zp), ['config/ipf.conf']);
    } finally {
      fs.rmSync(zp, { recursive: true, force: true });
    }
  });

  it('a temp file left by an interrupted atomic write is never read as a record', async () => {
    const store = new VmStore(root, 'local');
    const r = rec(store, 1);
    await store.lock(() => store.put(r));
    fs.writeFileSync(path.join(root, 'vms', `${uuidOf(2)}.json.12345`), '{"uuid": "half');
    assert.deepEqual(store.list(), [r]);
  });

  describe('journal', () => {
    async function interrupted(previous: VmRecord | null, next: VmRecord | null, op: 'put' | 'remove' = 'put'): Promise<VmStore> {
      const store = new VmStore(root, 'local');
      const subject = (next ?? previous)!;
      await store.lock(async () => {
        if (previous) await store.put(previous);
      });
      // the state a change killed half-way leaves: journal written, some files new
      fs.mkdirSync(path.join(root, '.journal'), { recursive: true });
      fs.writeFileSync(
        path.join(root, '.journal', `${subject.uuid}.json`),
        JSON.stringify({ op, uuid: subject.uuid, zonepath: subject.zonepath, previous }),
      );
      if (next) {
        fs.mkdirSync(path.join(next.zonepath, 'config'), { recursive: true });
        fs.writeFileSync(path.join(next.zonepath, 'config', 'tags.json'), JSON.stringify(next.tags, null, 2));
        fs.writeFileSync(path.join(root, 'vms', `${next.uuid}.json`), JSON.stringify(next));
        fs.writeFileSync(path.join(next.zonepath, 'config', 'routes.json.4242'), '{');
      }
      return new VmStore(root, 'local');
    }

    it('an interrupted update: readers see the previous version; the next lock restores every file', async () => {
      const s0 = new VmStore(root, 'local');
      const v1 = rec(s0, 1, { tags: { v: 1 } });
      const v2 = { ...v1, tags: { v: 2 } };
      fs.mkdirSync(path.join(root, 'vms'), { recursive: true });
      const store = await interrupted(v1, v2);
      assert.deepEqual(store.get(v1.uuid), v1);
      assert.deepEqual(store.list(), [v1]);
      await store.lock(async () => undefined);
      assert.deepEqual(store.recovered, [{ uuid: v1.uuid, op: 'put', outcome: 'restored', zonepath: v1.zonepath }]);
      assert.deepEqual(readJson(path.join(root, 'vms', `${v1.uuid}.json`)), v1);
      assert.deepEqual(readJson(path.join(v1.zonepath, 'config', 'tags.json')), { v: 1 });
      assert.deepEqual(tree(root).filter((f) => f.includes('.journal') || /\.\d+$/.test(f)), []);
    });

    it('an interrupted create: the VM does not exist for readers, and the next lock removes what it made', async () => {
      const s0 = new VmStore(root, 'local');
      const v = rec(s0, 2);
      fs.mkdirSync(path.join(root, 'vms'), { recursive: true });
      const store = await interrupted(null, v);
      assert.equal(store.get(v.uuid), undefined);
      assert.deepEqual(store.list(), []);
      await store.lock(async () => undefined);
      assert.equal(store.recovered[0].outcome, 'removed');
      assert.equal(fs.existsSync(path.join(root, 'vms', `${v.uuid}.json`)), false);
      assert.equal(fs.existsSync(v.zonepath), false);
    });

    it('an interrupted remove is finished', async () => {
      const s0 = new VmStore(root, 'local');
      const v = rec(s0, 3);
      const store = await interrupted(v, null, 'remove');
      assert.equal(store.get(v.uuid), undefined);
      assert.deepEqual(store.list(), []);
      await store.lock(async () => undefined);
      assert.equal(store.recovered[0].outcome, 'finished');
      assert.deepEqual(tree(root), []);
    });
  });

  describe('processes', function () {
    this.timeout(60000);

    it('kill -9 of a command in the middle of changes: the next lock is acquired and the VM is whole', async () => {
      const store = new VmStore(root, 'local');
      const v = rec(store, 1, { tags: { n: 0 } });
      await store.lock(() => store.put(v));
      const child = spawn(process.execPath, [WORKER, 'loop', root, v.uuid], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve, reject) => {
        let seen = '';
        child.stdout.on('data', (d: Buffer) => {
          seen += d.toString();
          if (seen.split('\n').length > 30) resolve();
        });
        child.on('exit', (code) => reject(new Error(`worker exited ${code}`)));
      });
      child.kill('SIGKILL');
      await new Promise((r) => child.on('close', r));

      // the next command waits for the dead holder's lock to go stale, then
      // settles the interrupted change
      const got = await new VmStore(root, 'local').lock(async () => {
        const now = store.get(v.uuid)!;
        const n = now.tags.n as number;
        // all-or-nothing: the record and its config files are the same version
        assert.deepEqual(readJson(path.join(v.zonepath, 'config', 'tags.json')), now.tags);
        assert.deepEqual(readJson(path.join(v.zonepath, 'config', 'metadata.json')), {
          internal_metadata: {},
          customer_metadata: { n: String(n) },
        });
        return n;
      });
      assert.ok(got >= 29, `version ${got} reached`);
      assert.equal(fs.existsSync(path.join(root, '.journal', `${v.uuid}.json`)), false);
    });

    it('10 writers in parallel processes: none lost', async () => {
      const store = new VmStore(root, 'local');
      const shared = rec(store, 1, { tags: {} });
      await store.lock(() => store.put(shared));
      const codes = await Promise.all(
        Array.from({ length: 10 }, (_, k) =>
          new Promise<number | null>((resolve) => {
            const c = spawn(process.execPath, [WORKER, 'add', root, shared.uuid, String(k)], { stdio: 'inherit' });
            c.on('close', resolve);
          }),
        ),
      );
      assert.deepEqual(codes, Array(10).fill(0));
      const after = store.get(shared.uuid)!;
      assert.deepEqual(Object.keys(after.tags).sort(), Array.from({ length: 10 }, (_, k) => `w${k}`).sort());
      assert.equal(store.list().length, 11);
      assert.deepEqual(readJson(path.join(shared.zonepath, 'config', 'tags.json')), after.tags);
    });

    it('a reader in another process never blocks on the lock', async () => {
      const store = new VmStore(root, 'local');
      const v = rec(store, 1);
      await store.lock(async () => {
        await store.put(v);
        const r = spawnSync(process.execPath, ['-e', `
          const { VmStore } = require(${JSON.stringify(path.resolve(__dirname, '../../src/store/vm-store.js'))});
          process.stdout.write(String(new VmStore(${JSON.stringify(root)}, 'local').list().length));
        `], { encoding: 'utf8', timeout: 10000 });
        assert.equal(r.stdout, '1');
      });
    });
  });
});
