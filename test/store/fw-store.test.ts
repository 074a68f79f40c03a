/**
 * The rule and remote VM store: file layout and shapes, loading, and a
 * change that survives an interruption at any step as old-or-new.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { planAdd } from '../../src/core/fw/rules';
import type { RemoteVmRecord } from '../../src/core/fw/remote-vms';
import type { FwRule } from '../../src/core/fwrule/types';
import { FwStore, type ApplyHooks, type FwStoreChange, type Lock } from '../../src/store/fw-store';

const U1 = '0a1b2c3d-1111-4222-8333-444455556666';
const U2 = '9f8e7d6c-1111-4222-8333-444455556666';
const R1 = 'aaaaaaaa-0000-4000-8000-000000000001';

/** A lock that records use and refuses nesting. */
function testLock(): Lock & { taken: number } {
  let held = false;
  const lock = (async <T>(fn: () => Promise<T>): Promise<T> => {
    assert.ok(!held, 'lock taken twice');
    held = true;
    lock.taken++;
    try {
      return await fn();
    } finally {
      held = false;
    }
  }) as Lock & { taken: number };
  lock.taken = 0;
  return lock;
}

function mkRules(...specs: Array<[string, string, number]>): FwRule[] {
  return specs.map(([uuid, rule, now]) =>
    planAdd([], [{ uuid, rule, global: true, enabled: true }], { now, pid: 7, newUuid: () => uuid }).changed[0],
  );
}

const RVM: RemoteVmRecord = { uuid: R1, ips: ['10.0.0.1', 'fd00::1'], tags: { role: 'db' }, owner_uuid: U2 };

const made: string[] = [];

async function tmpRoot(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'fw-store-'));
  made.push(dir);
  return dir;
}

async function snapshot(store: FwStore): Promise<string> {
  const { rules, remoteVms } = await store.withLock(() => store.load());
  return JSON.stringify({ rules: rules.map((r) => [r.uuid, r.rule, r.version]), remoteVms });
}

after(async () => {
  await Promise.all(made.map((d) => fs.rm(d, { recursive: true, force: true })));
});

describe('store/fw-store', () => {
  it('writes 2-space JSON files under <root>/fw/rules and <root>/fw/vms, and loads them back sorted', async () => {
    const root = await tmpRoot();
    const lock = testLock();
    const store = new FwStore(root, lock);
    const [a, b] = mkRules([U2, 'FROM any TO all vms ALLOW tcp PORT 22', 1700000000000], [U1, 'FROM any TO all vms ALLOW udp PORT 53', 1700000000001]);
    await store.withLock(() => store.apply({ putRules: [a, b], putRemoteVms: [RVM] }));
    assert.equal(lock.taken, 1);
    assert.equal(
      await fs.readFile(path.join(root, 'fw/rules', `${U2}.json`), 'utf8'),
      `{\n  "enabled": true,\n  "global": true,\n  "log": false,\n  "rule": "FROM any TO all vms ALLOW tcp PORT 22",\n  "uuid": "${U2}",\n  "version": "1700000000000.000007"\n}\n`,
    );
    assert.equal(
      await fs.readFile(path.join(root, 'fw/vms', `${R1}.json`), 'utf8'),
      `{\n  "uuid": "${R1}",\n  "ips": [\n    "10.0.0.1",\n    "fd00::1"\n  ],\n  "tags": {\n    "role": "db"\n  },\n  "owner_uuid": "${U2}"\n}\n`,
    );
    await fs.writeFile(path.join(root, 'fw/rules', 'README'), 'not a rule');
    const state = await store.withLock(() => store.load());
    assert.deepEqual(state.rules.map((r) => r.uuid), [U1, U2]);
    assert.deepEqual(state.remoteVms, [RVM]);
    assert.deepEqual(await fs.readdir(path.join(root, 'fw')), ['rules', 'vms']);
  });

  it('deletes by unlinking; deleting what is not there is fine', async () => {
    const root = await tmpRoot();
    const store = new FwStore(root, testLock());
    const [a] = mkRules([U1, 'FROM any TO all vms ALLOW tcp PORT 22', 1]);
    await store.withLock(() => store.apply({ putRules: [a], putRemoteVms: [RVM] }));
    await store.withLock(() => store.apply({ deleteRules: [U1, U2], deleteRemoteVms: [R1] }));
    assert.deepEqual(await fs.readdir(path.join(root, 'fw/rules')), []);
    assert.deepEqual(await fs.readdir(path.join(root, 'fw/vms')), []);
  });

  it('an empty store loads as empty; a broken file is named in the error', async () => {
    const root = await tmpRoot();
    const store = new FwStore(root, testLock());
    assert.deepEqual(await store.withLock(() => store.load()), { rules: [], remoteVms: [] });
    await fs.mkdir(path.join(root, 'fw/rules'), { recursive: true });
    await fs.writeFile(path.join(root, 'fw/rules', `${U1}.json`), '{"uuid":');
    await assert.rejects(store.withLock(() => store.load()), (err: Error) => err.message.startsWith(path.join(root, 'fw/rules', `${U1}.json`) + ': '));
  });

  describe('interrupted changes come back old or new', () => {
    const before = mkRules([U1, 'FROM any TO all vms ALLOW tcp PORT 22', 1], [U2, 'FROM any TO all vms ALLOW tcp PORT 23', 2]);
    const change: FwStoreChange = {
      putRules: mkRules([U1, 'FROM any TO all vms ALLOW tcp PORT 2222', 3]),
      deleteRules: [U2],
      putRemoteVms: [RVM],
    };

    async function crashAt(hooks: ApplyHooks): Promise<{ store: FwStore; old: string; fresh: string; root: string }> {
      const root = await tmpRoot();
      const store = new FwStore(root, testLock());
      await store.withLock(() => store.apply({ putRules: before }));
      const old = await snapshot(store);
      const ref = new FwStore(await tmpRoot(), testLock());
      await ref.withLock(() => ref.apply({ putRules: before }));
      await ref.withLock(() => ref.apply(change));
      const fresh = await snapshot(ref);
      await assert.rejects(store.withLock(() => store.apply(change, hooks)), /crash/);
      // a new process opens the store
      return { store: new FwStore(root, testLock()), old, fresh, root };
    }
    const crash = (): never => {
      throw new Error('crash');
    };

    it('before the journal: the old state, temporary files removed', async () => {
      const { store, old, root } = await crashAt({ afterStage: crash });
      assert.equal(await snapshot(store), old);
      assert.deepEqual((await fs.readdir(path.join(root, 'fw/rules'))).sort(), [`${U1}.json`, `${U2}.json`]);
      assert.deepEqual(await fs.readdir(path.join(root, 'fw/vms')), []);
    });

    it('after the journal, at every rename or unlink: the new state', async () => {
      for (const hooks of [{ afterJournal: crash }, ...[0, 1, 2].map((n): ApplyHooks => ({ afterOp: (i) => { if (i === n) crash(); } }))]) {
        const { store, fresh, root } = await crashAt(hooks);
        assert.equal(await snapshot(store), fresh);
        assert.deepEqual(await fs.readdir(path.join(root, 'fw/rules')), [`${U1}.json`]);
        assert.deepEqual(await fs.readdir(path.join(root, 'fw')), ['rules', 'vms']);
      }
    });
  });
});
