/**
 * The rule and remote VM store: file layout and shapes, loading, applying
 * a change (again: idempotent), what readers see of a committed change,
 * and the rule cache.
 */
import { strict as assert } from 'node:assert';
import * as fsSync from 'node:fs';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { planAdd, ruleToJson } from '../../src/core/fw/rules';
import type { RemoteVmRecord } from '../../src/core/fw/remote-vms';
import type { FwRule } from '../../src/core/fwrule/types';
import { FwStore } from '../../src/store/fw-store';
import type { RuleChange } from '../../src/store/journal';

const U1 = '0a1b2c3d-1111-4222-8333-444455556666';
const U2 = '9f8e7d6c-1111-4222-8333-444455556666';
const R1 = 'aaaaaaaa-0000-4000-8000-000000000001';

/** A whole change from its parts. */
function change(c: { putRules?: FwRule[]; deleteRules?: string[]; putRemoteVms?: RemoteVmRecord[]; deleteRemoteVms?: string[] }): RuleChange {
  return {
    kind: 'rules',
    putRules: (c.putRules ?? []).map(ruleToJson),
    deleteRules: c.deleteRules ?? [],
    putRemoteVms: c.putRemoteVms ?? [],
    deleteRemoteVms: c.deleteRemoteVms ?? [],
  };
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
  const { rules, remoteVms } = await store.load();
  return JSON.stringify({ rules: rules.map((r) => [r.uuid, r.rule, r.version]), remoteVms });
}

/** What `<root>/fw` holds besides the rule cache (which a load may write). */
async function fwFiles(root: string): Promise<string[]> {
  return (await fs.readdir(path.join(root, 'fw'))).filter((n) => n !== '.rules-cache.json').sort();
}

after(async () => {
  await Promise.all(made.map((d) => fs.rm(d, { recursive: true, force: true })));
});

describe('store/fw-store', () => {
  it('writes 2-space JSON files under <root>/fw/rules and <root>/fw/vms, and loads them back sorted', async () => {
    const root = await tmpRoot();
    const store = new FwStore(root);
    const [a, b] = mkRules([U2, 'FROM any TO all vms ALLOW tcp PORT 22', 1700000000000], [U1, 'FROM any TO all vms ALLOW udp PORT 53', 1700000000001]);
    await store.apply(change({ putRules: [a, b], putRemoteVms: [RVM] }));
    assert.equal(
      await fs.readFile(path.join(root, 'fw/rules', `${U2}.json`), 'utf8'),
      `{\n  "enabled": true,\n  "global": true,\n  "log": false,\n  "rule": "FROM any TO all vms ALLOW tcp PORT 22",\n  "uuid": "${U2}",\n  "version": "1700000000000.000007"\n}\n`,
    );
    assert.equal(
      await fs.readFile(path.join(root, 'fw/vms', `${R1}.json`), 'utf8'),
      `{\n  "uuid": "${R1}",\n  "ips": [\n    "10.0.0.1",\n    "fd00::1"\n  ],\n  "tags": {\n    "role": "db"\n  },\n  "owner_uuid": "${U2}"\n}\n`,
    );
    await fs.writeFile(path.join(root, 'fw/rules', 'README'), 'not a rule');
    const state = await store.load();
    assert.deepEqual(state.rules.map((r) => r.uuid), [U1, U2]);
    assert.deepEqual(state.remoteVms, [RVM]);
    assert.deepEqual(await fwFiles(root), ['rules', 'vms']);
  });

  it('deletes by unlinking; deleting what is not there is fine', async () => {
    const root = await tmpRoot();
    const store = new FwStore(root);
    const [a] = mkRules([U1, 'FROM any TO all vms ALLOW tcp PORT 22', 1]);
    await store.apply(change({ putRules: [a], putRemoteVms: [RVM] }));
    await store.apply(change({ deleteRules: [U1, U2], deleteRemoteVms: [R1] }));
    assert.deepEqual(await fs.readdir(path.join(root, 'fw/rules')), []);
    assert.deepEqual(await fs.readdir(path.join(root, 'fw/vms')), []);
  });

  it('an empty store loads as empty; a broken file is named in the error', async () => {
    const root = await tmpRoot();
    const store = new FwStore(root);
    assert.deepEqual(await store.load(), { rules: [], remoteVms: [] });
    await fs.mkdir(path.join(root, 'fw/rules'), { recursive: true });
    await fs.writeFile(path.join(root, 'fw/rules', `${U1}.json`), '{"uuid":');
    await assert.rejects(store.load(), (err: Error) => err.message.startsWith(path.join(root, 'fw/rules', `${U1}.json`) + ': '));
  });

  describe('a committed change', () => {
    const before = mkRules([U1, 'FROM any TO all vms ALLOW tcp PORT 22', 1], [U2, 'FROM any TO all vms ALLOW tcp PORT 23', 2]);
    const next = change({ putRules: mkRules([U1, 'FROM any TO all vms ALLOW tcp PORT 2222', 3]), deleteRules: [U2], putRemoteVms: [RVM] });

    it('applied twice (a recovery after a kill during the first) gives the same files', async () => {
      const root = await tmpRoot();
      const store = new FwStore(root);
      await store.apply(change({ putRules: before }));
      await store.apply(next);
      const once = await snapshot(store);
      await store.apply(next);
      assert.equal(await snapshot(store), once);
      assert.deepEqual(await fs.readdir(path.join(root, 'fw/rules')), [`${U1}.json`]);
    });

    it('overlay: what readers see while its journal is there is the state it commits', async () => {
      const a = await tmpRoot();
      const b = await tmpRoot();
      const s1 = new FwStore(a);
      const s2 = new FwStore(b);
      await s1.apply(change({ putRules: before }));
      await s2.apply(change({ putRules: before }));
      await s2.apply(next);
      const shown = s1.overlay(await s1.load(), next);
      const applied = await s2.load();
      assert.deepEqual(shown.rules.map((r) => [r.uuid, r.rule, r.version]), applied.rules.map((r) => [r.uuid, r.rule, r.version]));
      assert.deepEqual(shown.remoteVms, applied.remoteVms);
    });

    it('temporary files of an interrupted write are removed by cleanTemps, and never loaded', async () => {
      const root = await tmpRoot();
      const store = new FwStore(root);
      await store.apply(change({ putRules: before }));
      await fs.writeFile(path.join(root, 'fw/rules', `${U1}.json.4242`), '{"half');
      const old = await snapshot(store);
      await store.cleanTemps();
      assert.equal(await snapshot(store), old);
      assert.deepEqual((await fs.readdir(path.join(root, 'fw/rules'))).sort(), [`${U1}.json`, `${U2}.json`]);
    });
  });

  describe('the rule cache (<root>/fw/.rules-cache.json)', () => {
    const later = (): number => Date.now() + 10_000;
    const rulesOf = async (store: FwStore): Promise<FwRule[]> => store.loadRules();
    const cachePath = (root: string): string => path.join(root, 'fw', '.rules-cache.json');
    const texts = (rules: readonly FwRule[]): string[] => rules.map((r) => `${r.uuid} ${r.enabled} ${r.rule}`);

    async function stored(): Promise<{ root: string; rules: FwRule[] }> {
      const root = await tmpRoot();
      const rules = [
        ...mkRules(
          [U1, 'FROM (ip 2001:DB8::10 OR subnet 10.0.0.0/8) TO tag role = www ALLOW tcp PORTS 80, 443', 1],
          [U2, 'FROM any TO vm 0a1b2c3d-1111-4222-8333-444455556666 BLOCK udp PORT 53 PRIORITY 5', 2],
        ),
        planAdd([], [{ uuid: R1, rule: 'FROM all vms TO tag db ALLOW icmp6 TYPE 128 CODE 0', owner_uuid: U2, enabled: false, description: 'ping', log: true }], { now: 3, pid: 7, newUuid: () => R1 }).changed[0],
      ];
      const store = new FwStore(root);
      await store.apply(change({ putRules: rules }));
      return { root, rules };
    }

    it('is built on a load, and a load through it gives the same rules, meaning and all', async () => {
      const { root, rules } = await stored();
      const fresh = await rulesOf(new FwStore(root, { now: later }));
      const cache = JSON.parse(await fs.readFile(cachePath(root), 'utf8'));
      assert.deepEqual(Object.keys(cache.entries).sort(), [U1, U2, R1].map((u) => `${u}.json`).sort());
      const cached = await rulesOf(new FwStore(root, { now: later }));
      const byUuid = [...rules].sort((a, b) => (a.uuid < b.uuid ? -1 : 1));
      assert.deepEqual(texts(cached), texts(byUuid));
      // addresses make their text on first use: compare meanings as JSON
      const plain = (r: FwRule): unknown => ({ ...r, parsed: JSON.parse(JSON.stringify(r.parsed)) });
      assert.deepEqual(cached.map(plain), fresh.map(plain));
      assert.deepEqual(cached.map(plain), byUuid.map(plain));
    });

    it('is rebuilt when missing or unreadable', async () => {
      const { root } = await stored();
      const expected = texts(await rulesOf(new FwStore(root, { now: later })));
      await fs.rm(cachePath(root));
      assert.deepEqual(texts(await rulesOf(new FwStore(root, { now: later }))), expected);
      assert.ok((await fs.stat(cachePath(root))).size > 0, 'cache written again');
      await fs.writeFile(cachePath(root), '{"format": "fwadm-rules-cache-3", "entr');
      assert.deepEqual(texts(await rulesOf(new FwStore(root, { now: later }))), expected);
      assert.doesNotThrow(() => JSON.parse(fsSync.readFileSync(cachePath(root), 'utf8')));
    });

    it('a rule file changed on disk is read again, even at the same size with its mtime put back', async () => {
      const { root } = await stored();
      const store = new FwStore(root, { now: later });
      await rulesOf(store);
      const file = path.join(root, 'fw/rules', `${U2}.json`);
      const st = await fs.stat(file);
      const text = await fs.readFile(file, 'utf8');
      const edited = text.replace('PORT 53', 'PORT 54');
      assert.equal(edited.length, text.length);
      await fs.writeFile(file, edited); // in place: same inode, same size
      await fs.utimes(file, st.atime, st.mtime);
      const rules = await rulesOf(store);
      assert.equal(rules.find((r) => r.uuid === U2)?.rule, 'FROM any TO vm 0a1b2c3d-1111-4222-8333-444455556666 BLOCK udp PORT 54 PRIORITY 5');
      await fs.writeFile(file, '{"uuid":');
      await assert.rejects(rulesOf(store), (err: Error) => err.message.startsWith(`${file}: `));
    });

    it('a file modified a moment ago is not cached (a change in the same clock tick must still show)', async () => {
      const { root } = await stored();
      await rulesOf(new FwStore(root)); // the real clock: every file is brand new
      const cache = await fs.readFile(cachePath(root), 'utf8').catch(() => undefined);
      if (cache !== undefined) assert.deepEqual(JSON.parse(cache).entries, {});
    });

    it('a deleted rule file is gone from the next load, and from the cache', async () => {
      const { root } = await stored();
      const store = new FwStore(root, { now: later });
      await rulesOf(store);
      await fs.rm(path.join(root, 'fw/rules', `${U1}.json`));
      assert.deepEqual((await rulesOf(store)).map((r) => r.uuid), [R1, U2].sort());
      assert.deepEqual(Object.keys(JSON.parse(await fs.readFile(cachePath(root), 'utf8')).entries).sort(), [R1, U2].sort().map((u) => `${u}.json`));
    });

    it('kill -9 while the cache is written leaves the old cache or the new one; the temporary file is ignored, then removed', async () => {
      const { root } = await stored();
      await rulesOf(new FwStore(root, { now: later }));
      const old = await fs.readFile(cachePath(root), 'utf8');
      const expected = texts(await rulesOf(new FwStore(root, { now: later })));
      // a new rule file makes the next load rewrite the cache
      const writer = new FwStore(root);
      await writer.apply(change({ putRules: mkRules(['11111111-1111-4222-8333-444455556666', 'FROM any TO all vms ALLOW tcp PORT 8080', 4]) }));
      let seen = 0;
      const store = new FwStore(root, {
        now: later,
        beforeCacheRename: () => {
          seen++;
          // the moment of a kill: the old cache whole, the new one whole beside it
          assert.equal(fsSync.readFileSync(cachePath(root), 'utf8'), old);
          const tmp = fsSync.readdirSync(path.join(root, 'fw')).filter((n: string) => n.startsWith('.rules-cache.json.'));
          assert.equal(tmp.length, 1);
          JSON.parse(fsSync.readFileSync(path.join(root, 'fw', tmp[0]), 'utf8'));
        },
      });
      await rulesOf(store);
      assert.equal(seen, 1);
      assert.notEqual(await fs.readFile(cachePath(root), 'utf8'), old);
      // a temporary file left by a killed writer
      await fs.writeFile(path.join(root, 'fw', '.rules-cache.json.4242.0'), '{"format": "fwadm-rules-cache-3", "entries": {"');
      const after = new FwStore(root, { now: later });
      assert.equal((await rulesOf(after)).length, expected.length + 1);
      await after.cleanTemps();
      assert.deepEqual(await fwFiles(root), ['rules']);
    });
  });
});
