/**
 * The pure side of VM snapshots (docs/vmadm-cli.md §17): SmartOS's
 * snapname rule, which VMs can have snapshots, the record's `snapshots`
 * list, what a rollback puts back and keeps, and what get shows.
 */
import { strict as assert } from 'node:assert';
import type { VmRecord } from '../../../src/core/vm/record';
import {
  checkSnapname,
  newerThan,
  rollbackRefusal,
  rolledBack,
  snapshotRefusal,
  snapshotsView,
  withoutSnapshot,
  withSnapshot,
} from '../../../src/core/vm/snapshots';

const U = '5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11';

function vm(props: Record<string, unknown> = {}): VmRecord {
  return {
    uuid: U, zonename: U, brand: 'joyent', zpool: 'zones', zonepath: `/zones/${U}`, zfs_filesystem: `zones/${U}`, v: 1,
    state: 'running', zone_state: 'running', autoboot: true, alias: 'web', quota: 10, tags: { role: 'www' }, nics: [],
    create_timestamp: '2025-01-01T00:00:00.000Z', last_modified: '2025-01-01T00:00:00.000Z', ...props,
  } as unknown as VmRecord;
}

const at = (s: number): Date => new Date(Date.UTC(2025, 0, 2, 0, 0, s));

describe('vm/snapshots', () => {
  it('snapnames: 64 characters or fewer of letters, digits and -_.:%', () => {
    for (const ok of ['a', 'x'.repeat(64), 'A-b_c.d:e%f', '..', '0']) assert.equal(checkSnapname(ok), ok);
    for (const bad of ['', 'a b', 'a/b', 'a@b', 'bacon&eggs', 'a,b', '\n', 'é']) {
      assert.throws(() => checkSnapname(bad), /^AppError: snapname: .* is not a valid snapshot name: it may hold only letters, digits and the characters -_\.:%$/, JSON.stringify(bad));
    }
    assert.throws(() => checkSnapname('x'.repeat(65)), /it is 65 characters long \(at most 64\)$/);
  });

  it('kvm VMs and VMs with a delegated dataset have no snapshots; OS and bhyve VMs do', () => {
    assert.match(snapshotRefusal(vm({ brand: 'kvm' })) ?? '', /kvm VMs are not supported/);
    assert.match(snapshotRefusal(vm({ delegate_dataset: true })) ?? '', /delegated datasets are not supported/);
    for (const brand of ['joyent', 'joyent-minimal', 'lx', 'bhyve']) assert.equal(snapshotRefusal(vm({ brand })), undefined);
  });

  it('the list, oldest first; get shows name and created_at; a rollback puts the properties back and keeps identity and power', () => {
    let v = withSnapshot(vm(), 'one', at(1));
    v = { ...v, alias: 'renamed', tags: { role: 'db' }, quota: 20, state: 'stopped', zone_state: 'installed', autoboot: false, cpu_cap: 100 };
    v = withSnapshot(v, 'two', at(2));
    v = withSnapshot(v, 'three', at(3));
    assert.deepEqual(snapshotsView(v), [
      { name: 'one', created_at: at(1).toISOString() },
      { name: 'two', created_at: at(2).toISOString() },
      { name: 'three', created_at: at(3).toISOString() },
    ]);
    assert.deepEqual(newerThan(v, 'one'), ['two', 'three']);
    assert.deepEqual(newerThan(v, 'three'), []);
    const back = rolledBack(v, 'one', at(9));
    assert.deepEqual([back.alias, back.tags, back.quota, back.cpu_cap], ['web', { role: 'www' }, 10, undefined]);
    assert.deepEqual([back.state, back.zone_state, back.autoboot, back.uuid, back.zonepath], ['stopped', 'installed', false, U, `/zones/${U}`]);
    assert.equal(back.last_modified, at(9).toISOString());
    assert.deepEqual(snapshotsView(back).map((s) => s.name), ['one']);
    // a snapshot's record holds no snapshots of its own
    assert.equal('snapshots' in (v.snapshots as { record: object }[])[1].record, false);
    assert.deepEqual(snapshotsView(withoutSnapshot(v, 'two')).map((s) => s.name), ['one', 'three']);
    assert.equal(withoutSnapshot(withSnapshot(vm(), 'x', at(1)), 'x').snapshots, undefined);
    assert.deepEqual(snapshotsView(vm()), []);
  });

  it('a rollback is refused when the VM\'s disks are not those of the snapshot (added, removed, resized)', () => {
    const disk = (n: number, size: number): Record<string, unknown> => ({ path: `/dev/zvol/rdsk/zones/${U}/disk${n}`, size });
    const v = withSnapshot(vm({ brand: 'bhyve', disks: [disk(0, 10240)] }), 's', at(1));
    const withDisks = (disks: Record<string, unknown>[]): VmRecord => ({ ...v, disks }) as unknown as VmRecord;
    assert.equal(rollbackRefusal(v, 's'), undefined);
    assert.equal(rollbackRefusal(withDisks([{ ...disk(0, 10240), model: 'virtio' }]), 's'), undefined);
    for (const disks of [[disk(0, 10240), disk(1, 1024)], [], [disk(0, 20480)]]) {
      assert.match(rollbackRefusal(withDisks(disks), 's') ?? '', /its disks have changed since snapshot "s" was taken/);
    }
  });
});
