import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { acquireLock } from '../../src/store/lock';
import { VmStore } from '../../src/store/vm-store';
import type { VmRecord } from '../../src/core/vm/record';
import { makeRecord, uuidOf } from './records';

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

  it('zonepaths: <root>/zones/<uuid> locally, /<zpool>/<uuid> on illumos; a zpool that would leave its place is refused', () => {
    const u = uuidOf(1);
    assert.equal(new VmStore(root, 'local').zonepathOf('zones', u), path.join(root, 'zones', u));
    assert.equal(new VmStore(root, 'illumos').zonepathOf('data', u), `/data/${u}`);
    for (const bad of ['../../tmp/x', 'a/b', '', '..']) assert.throws(() => new VmStore(root, 'illumos').zonepathOf(bad, u), /zpool/);
  });

  it('put stores the record, writeConfig the SmartOS config files; get and list read it back', async () => {
    const store = new VmStore(root, 'local');
    const r = rec(store, 1, { tags: { role: 'db' }, routes: { '10.2.0.0/16': '10.0.0.1' }, internal_metadata: { k: 'v' } });
    await store.put(r);
    assert.equal(await store.writeConfig(r), 3);
    assert.equal(await store.writeConfig(r), 0, 'files already right are left as they are');
    assert.deepEqual(store.get(r.uuid), r);
    assert.deepEqual(new VmStore(root, 'local').list(), [r]);
    const cfg = path.join(r.zonepath, 'config');
    assert.equal(
      fs.readFileSync(path.join(cfg, 'metadata.json'), 'utf8'),
      JSON.stringify({ internal_metadata: { k: 'v' }, customer_metadata: r.customer_metadata }, null, 2),
    );
    assert.equal(fs.readFileSync(path.join(cfg, 'tags.json'), 'utf8'), '{\n  "role": "db"\n}');
    assert.equal(fs.readFileSync(path.join(cfg, 'routes.json'), 'utf8'), '{\n  "10.2.0.0/16": "10.0.0.1"\n}');
    // nothing else left behind: no temp files
    assert.deepEqual(tree(root).filter((f) => f !== '.conflicts'), [
      `vms/${r.uuid}.json`,
      `zones/${r.uuid}/config/metadata.json`,
      `zones/${r.uuid}/config/routes.json`,
      `zones/${r.uuid}/config/tags.json`,
    ]);
  });

  it('a record stores its zonepath relative to the root: a copied root is a root of its own', async () => {
    const store = new VmStore(root, 'local');
    const r = rec(store, 1);
    await store.put(r);
    assert.equal((readJson(path.join(root, 'vms', `${r.uuid}.json`)) as { zonepath: string }).zonepath, `zones/${r.uuid}`);
    const copy = tmpRoot();
    try {
      fs.cpSync(root, copy, { recursive: true });
      const other = new VmStore(copy, 'local');
      assert.equal(other.get(r.uuid)?.zonepath, path.join(copy, 'zones', r.uuid));
      // a record an older vmadm wrote with an absolute zonepath is read under this root too
      const legacy = { ...r, zonepath: '/elsewhere/zones/' + r.uuid };
      fs.writeFileSync(path.join(copy, 'vms', `${r.uuid}.json`), JSON.stringify(legacy));
      assert.equal(other.get(r.uuid)?.zonepath, path.join(copy, 'zones', r.uuid));
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });

  it('nothing is written through a symbolic link planted inside the root', async () => {
    const outside = tmpRoot();
    try {
      const store = new VmStore(root, 'local');
      const r = rec(store, 1);
      fs.mkdirSync(path.join(root, 'zones'), { recursive: true });
      fs.symlinkSync(outside, path.join(root, 'zones', r.uuid));
      await store.put(r);
      await assert.rejects(store.writeConfig(r), new RegExp(`^AppError: ${path.join(root, 'zones', r.uuid)}: is a symbolic link`));
      fs.mkdirSync(path.join(root, 'vms'), { recursive: true });
      const r2 = rec(store, 2);
      fs.symlinkSync(path.join(outside, 'x.json'), path.join(root, 'vms', `${r2.uuid}.json`));
      await assert.rejects(store.put(r2), /is a symbolic link/);
      assert.deepEqual(fs.readdirSync(outside), []);
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  it('list is sorted by uuid; get of an unknown or malformed uuid is undefined', async () => {
    const store = new VmStore(root, 'local');
    for (const n of [5, 1, 3]) await store.put(rec(store, n));
    assert.deepEqual(store.list().map((v) => v.uuid), [uuidOf(1), uuidOf(3), uuidOf(5)]);
    assert.equal(store.get(uuidOf(2)), undefined);
    assert.equal(store.get('../vms/x'), undefined);
    assert.deepEqual(new VmStore(path.join(root, 'none'), 'local').list(), []);
  });

  it('removeFiles deletes, on the local host, the whole zonepath', async () => {
    const store = new VmStore(root, 'local');
    const a = rec(store, 1);
    const b = rec(store, 2);
    for (const r of [a, b]) {
      await store.put(r);
      await store.writeConfig(r);
    }
    fs.writeFileSync(path.join(a.zonepath, 'config', 'ipf.conf'), 'x');
    store.removeRecord(a.uuid);
    store.removeFiles(a.uuid, a.zonepath);
    assert.deepEqual(store.list(), [b]);
    assert.equal(fs.existsSync(a.zonepath), false);
    assert.equal(fs.existsSync(b.zonepath), true);
  });

  it('removeFiles of a zonepath outside the root (illumos) deletes only the config files it wrote', async () => {
    const zp = fs.mkdtempSync(path.join(os.tmpdir(), 'zonepath-'));
    try {
      const store = new VmStore(root, 'illumos');
      const r = makeRecord(uuidOf(7), zp);
      await store.put(r);
      await store.writeConfig(r);
      fs.writeFileSync(path.join(zp, 'config', 'ipf.conf'), 'x');
      store.removeRecord(r.uuid);
      store.removeFiles(r.uuid, r.zonepath);
      assert.equal(store.get(r.uuid), undefined);
      assert.deepEqual(tree(zp), ['config/ipf.conf']);
    } finally {
      fs.rmSync(zp, { recursive: true, force: true });
    }
  });

  it('a temp file left by an interrupted atomic write is never read as a record, and cleanTemps removes it', async () => {
    const store = new VmStore(root, 'local');
    const r = rec(store, 1);
    await store.put(r);
    fs.writeFileSync(path.join(root, 'vms', `${uuidOf(2)}.json.12345`), '{"uuid": "half');
    assert.deepEqual(store.list(), [r]);
    store.cleanTemps();
    assert.deepEqual(fs.readdirSync(path.join(root, 'vms')), [`${r.uuid}.json`]);
  });

  it('a reader in another process reads while a writer holds the lock', async () => {
    const store = new VmStore(root, 'local');
    await store.put(rec(store, 1));
    const lock = await acquireLock(root, { verb: 'test' });
    try {
      const r = spawnSync(process.execPath, ['-e', `
        const { VmStore } = require(${JSON.stringify(path.resolve(__dirname, '../../src/store/vm-store.js'))});
        process.stdout.write(String(new VmStore(${JSON.stringify(root)}, 'local').list().length));
      `], { encoding: 'utf8', timeout: 10000 });
      assert.equal(r.stdout, '1');
    } finally {
      lock.release();
    }
  });
});
