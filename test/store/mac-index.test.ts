/**
 * VmStore.inUse (what `vmadm create` and `update` check a VM against:
 * MACs, addresses, VRIDs, VNC ports) and the index behind it: always the
 * keys of the records as they
 * are, whether the records were written by the store, behind its back, or
 * by a command killed before it updated the index.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { VmRecord } from '../../src/core/vm/record';
import { VmStore } from '../../src/store/vm-store';
import { makeRecord, uuidOf } from './records';

function rec(store: VmStore, n: number, mac: string): VmRecord {
  const uuid = uuidOf(n);
  const r = makeRecord(uuid, store.zonepathOf('zones', uuid));
  return { ...r, nics: [{ ...r.nics[0], mac }] };
}

/** A record written as the store lays it out, without the store (as bench/vmadm and older versions do). */
function writeBehind(root: string, r: VmRecord): void {
  fs.mkdirSync(path.join(root, 'vms'), { recursive: true });
  fs.writeFileSync(path.join(root, 'vms', `${r.uuid}.json`), JSON.stringify(r, null, 2) + '\n');
}

/** Which of these MACs the store holds. */
const ALL = ['90:b8:d0:00:00:01', '90:b8:d0:00:00:02', '90:b8:d0:00:00:03', '90:b8:d0:00:00:05', '90:b8:d0:00:00:09'];
/** The index is read and written by commands holding the state lock (src/app); here, one command at a time. */
const held = async <T>(fn: () => Promise<T>): Promise<T> => fn();

const sorted = (macs: { has(mac: string): boolean }): string[] => ALL.filter((m) => macs.has(m));

describe('store/VmStore inUse and the conflict index (MACs)', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'vmstore-macs-'));
  });
  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('an empty store holds no MACs; has() is false; has() is exact', async () => {
    const store = new VmStore(root, 'local');
    await held(async () => {
      assert.deepEqual(sorted(store.inUse()), []);
      assert.equal(store.has(uuidOf(1)), false);
      await store.put(rec(store, 1, '90:b8:d0:00:00:01'));
      const macs = store.inUse();
      assert.equal(macs.has('90:b8:d0:00:00:01'), true);
      for (const m of ['90:b8:d0:00:00:0', '0:b8:d0:00:00:01', '', ' ', '90:b8:d0:00:00:01 ']) assert.equal(macs.has(m), false, m);
    });
  });

  it('put and remove keep it current, across commands (new stores)', async () => {
    const s1 = new VmStore(root, 'local');
    await held(async () => {
      s1.inUse();
      await s1.put(rec(s1, 1, '90:b8:d0:00:00:01'));
      await s1.put(rec(s1, 2, '90:b8:d0:00:00:02'));
      assert.deepEqual(sorted(s1.inUse()), ['90:b8:d0:00:00:01', '90:b8:d0:00:00:02']);
    });
    const s2 = new VmStore(root, 'local');
    await held(async () => {
      const r1 = s2.get(uuidOf(1))!;
      await s2.put({ ...r1, nics: [{ ...r1.nics[0], mac: '90:b8:d0:00:00:03' }] });
      await s2.removeRecord(uuidOf(2));
      assert.equal(s2.has(uuidOf(1)), true);
      assert.equal(s2.has(uuidOf(2)), false);
    });
    const s3 = new VmStore(root, 'local');
    await held(async () => assert.deepEqual(sorted(s3.inUse()), ['90:b8:d0:00:00:03']));
    assert.ok(fs.existsSync(path.join(root, '.conflicts')));
  });

  it('records added, changed or removed behind the store are seen (the index is stale, rebuilt)', async () => {
    const store = new VmStore(root, 'local');
    await held(async () => {
      await store.put(rec(store, 1, '90:b8:d0:00:00:01'));
      store.inUse();
    });
    writeBehind(root, rec(store, 2, '90:b8:d0:00:00:02'));
    await held(async () => assert.deepEqual(sorted(store.inUse()), ['90:b8:d0:00:00:01', '90:b8:d0:00:00:02']));
    writeBehind(root, rec(store, 1, '90:b8:d0:00:00:09'));
    fs.unlinkSync(path.join(root, 'vms', `${uuidOf(2)}.json`));
    await held(async () => assert.deepEqual(sorted(store.inUse()), ['90:b8:d0:00:00:09']));
  });

  it('a missing or damaged index is rebuilt from the records', async () => {
    const store = new VmStore(root, 'local');
    writeBehind(root, rec(store, 1, '90:b8:d0:00:00:01'));
    await held(async () => assert.deepEqual(sorted(store.inUse()), ['90:b8:d0:00:00:01']));
    fs.writeFileSync(path.join(root, '.conflicts'), '{"stamp":');
    await held(async () => assert.deepEqual(sorted(store.inUse()), ['90:b8:d0:00:00:01']));
    fs.rmSync(path.join(root, '.conflicts'));
    await held(async () => assert.deepEqual(sorted(store.inUse()), ['90:b8:d0:00:00:01']));
  });

  it('an index left behind by a change killed before it was updated is not used', async () => {
    const store = new VmStore(root, 'local');
    await held(async () => {
      await store.put(rec(store, 1, '90:b8:d0:00:00:01'));
      store.inUse();
    });
    const before = fs.readFileSync(path.join(root, '.conflicts'), 'utf8');
    await held(async () => {
      const r1 = store.get(uuidOf(1))!;
      await store.put({ ...r1, nics: [{ ...r1.nics[0], mac: '90:b8:d0:00:00:05' }] });
    });
    fs.writeFileSync(path.join(root, '.conflicts'), before); // as if killed between the record and the index
    await held(async () => assert.deepEqual(sorted(store.inUse()), ['90:b8:d0:00:00:05']));
  });

  it('a change of the record alone writes the record alone', async () => {
    const store = new VmStore(root, 'local');
    const r = rec(store, 1, '90:b8:d0:00:00:01');
    await held(() => store.put(r));
    await store.writeConfig(r);
    const tags = path.join(r.zonepath, 'config', 'tags.json');
    const ino = fs.statSync(tags).ino;
    await held(() => store.put({ ...r, state: 'stopped' }));
    assert.equal(store.get(r.uuid)!.state, 'stopped');
    assert.equal(fs.statSync(tags).ino, ino);
  });

  it('holds addresses, VRIDs and VNC ports too (by index key), and names the VMs that hold them', async () => {
    const store = new VmStore(root, 'local');
    const r = rec(store, 1, '90:b8:d0:00:00:01');
    const vm = { ...r, vnc_port: 5901, nics: [{ ...r.nics[0], nic_tag: 'external', vlan_id: 4, ips: ['10.0.0.5/24', 'dhcp'], vrrp_vrid: 9 }] };
    await held(async () => {
      await store.put(vm);
      await store.put(rec(store, 2, '90:b8:d0:00:00:02'));
      const inUse = store.inUse();
      for (const key of ['10.0.0.5', 'vrid/9', 'vnc/5901']) assert.equal(inUse.has(key), true, key);
      for (const key of ['10.0.0.6', 'dhcp', 'vrid/90', 'vnc/590']) assert.equal(inUse.has(key), false, key);
      assert.deepEqual(inUse.holders(['vnc/5901', 'nothing']), [uuidOf(1)]);
      assert.deepEqual(inUse.holders(['90:b8:d0:00:00:02']), [uuidOf(2)]);
    });
  });

  it('an index of another layout is not used: rebuilt from the records', async () => {
    const store = new VmStore(root, 'local');
    const r = rec(store, 1, '90:b8:d0:00:00:01');
    await held(() => store.put({ ...r, vnc_port: 5901 }));
    const stamp = String(fs.statSync(path.join(root, 'vms'), { bigint: true }).mtimeNs);
    fs.writeFileSync(path.join(root, '.conflicts'), `vmadm-conflicts 1 ${stamp}\n${r.uuid} 90:b8:d0:00:00:01 \n`);
    await held(async () => assert.equal(new VmStore(root, 'local').inUse().has('vnc/5901'), true));
  });
});
