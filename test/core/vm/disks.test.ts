/**
 * core/vm/disks.ts: disks and filesystems in stored form, and the update
 * forms (docs/vmadm-cli.md §15 "Disks and filesystems"). Pure.
 */
import { strict as assert } from 'node:assert';
import { AppError } from '../../../src/core/errors';
import { createVm } from '../../../src/core/vm/create';
import type { VmRecord } from '../../../src/core/vm/record';
import { updateVm } from '../../../src/core/vm/update';
import { getView } from '../../../src/core/vm/view';
import { createScript, updateScript } from '../../../src/core/zonecfg/script';
import { testEnv } from './helpers';

const U = '3a1d2c3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const IMAGE = '2b683a82-a066-11e3-97ab-2faa44701c5a';

function made(payload: Record<string, unknown>): VmRecord {
  const out = createVm({ uuid: U, autoboot: false, ...payload }, testEnv());
  assert.ok(out.ok, JSON.stringify(out));
  return { ...out.record, state: 'stopped', zone_state: 'installed' };
}

function refused(out: ReturnType<typeof createVm> | ReturnType<typeof updateVm>): Record<string, unknown> {
  assert.equal(out.ok, false, 'accepted');
  return out.ok ? {} : (out.result.report as Record<string, unknown>);
}

describe('core/vm/disks', () => {
  it('kvm: a disk on another pool is named there; a cdrom has no volume; nocreate keeps the path given', () => {
    const vm = made({
      brand: 'kvm',
      disks: [{ size: 10, zpool: 'fast' }, { media: 'cdrom', path: '/iso/boot.iso', model: 'ide' }, { size: 20, nocreate: true, path: '/dev/zvol/rdsk/zones/old-disk5' }, { size: 30 }],
    });
    assert.deepEqual(vm.disks!.map((d) => [d.path, d.zfs_filesystem, d.zpool]), [
      [`/dev/zvol/rdsk/fast/${U}-disk0`, `fast/${U}-disk0`, 'fast'],
      ['/iso/boot.iso', undefined, undefined],
      ['/dev/zvol/rdsk/zones/old-disk5', 'zones/old-disk5', 'zones'],
      [`/dev/zvol/rdsk/zones/${U}-disk1`, `zones/${U}-disk1`, 'zones'],
    ]);
    // get hides nocreate; the cdrom shows no size
    const view = getView(vm).disks as Record<string, unknown>[];
    assert.equal('nocreate' in view[2], false);
    assert.deepEqual(Object.keys(view[1]), ['path', 'boot', 'model', 'media']);
  });

  it('refused: a bhyve disk on another pool, a cdrom without path or with a size, an image disk without image_size or with size', () => {
    assert.deepEqual(refused(createVm({ brand: 'bhyve', disks: [{ size: 10, zpool: 'fast' }] }, testEnv())), { bad_values: ['disks.0.zpool'] });
    assert.deepEqual(refused(createVm({ brand: 'kvm', disks: [{ media: 'cdrom', size: 1 }] }, testEnv())), { bad_values: ['disks.0.size'], missing_properties: ['disks.0.path'] });
    assert.deepEqual(refused(createVm({ brand: 'kvm', disks: [{ image_uuid: IMAGE, size: 1 }] }, testEnv())), { bad_values: ['disks.0.size'], missing_properties: ['disks.0.image_size'] });
  });

  it('the update forms: remove first, then update, then add (lowest free number); the zonecfg update takes the zone there', () => {
    const vm = made({ brand: 'bhyve', disks: [{ size: 10, boot: true }, { size: 20 }, { size: 30 }] });
    const d = (n: number): string => `/dev/zvol/rdsk/zones/${U}/disk${n}`;
    const out = updateVm(vm, { remove_disks: [d(0)], update_disks: [{ path: d(1), size: 25, boot: true, block_size: 512 }], add_disks: [{ size: 5 }] }, testEnv());
    assert.ok(out.ok && out.changed);
    if (!out.ok) return;
    assert.deepEqual(out.record.disks!.map((x) => [x.path, x.size, x.boot]), [[d(1), 25, true], [d(2), 30, false], [d(0), 5, false]]);
    assert.ok(out.notes.includes('"update_disks.0.block_size" cannot be changed by update_disks and was ignored'));
    assert.equal(out.record.disks![0].uuid, vm.disks![1].uuid);
    const script = updateScript(vm, out.record);
    assert.match(script, new RegExp(`^remove device match=${d(0).replace(/\//g, '\\/')}$`, 'm'));
    assert.match(script, new RegExp(`^remove device match=${d(1).replace(/\//g, '\\/')}$`, 'm'));
    assert.ok(createScript(out.record).includes(`set match=${d(0)}`));
  });

  it('refused while not stopped, naming the forms and the state', () => {
    const vm = { ...made({ brand: 'kvm', disks: [{ size: 10 }] }), state: 'running' as const };
    assert.throws(() => updateVm(vm, { remove_disks: [vm.disks![0].path] }, testEnv()), (e: Error) => e instanceof AppError && e.message === `Cannot change the disks of VM ${U} (remove_disks) while it is running: stop it first`);
  });

  it('filesystems: stored in get\'s order; update merges by target; remove of the last one leaves none', () => {
    const vm = made({ brand: 'joyent', image_uuid: IMAGE, filesystems: [{ options: ['ro'], target: '/a', type: 'lofs', source: '/s' }] });
    assert.deepEqual(Object.keys(vm.filesystems![0]), ['source', 'target', 'type', 'options']);
    const up = updateVm(vm, { update_filesystems: [{ target: '/a', source: '/t' }] }, testEnv());
    assert.ok(up.ok);
    if (!up.ok) return;
    assert.deepEqual(up.record.filesystems, [{ source: '/t', target: '/a', type: 'lofs', options: ['ro'] }]);
    const gone = updateVm(up.record, { remove_filesystems: ['/a'] }, testEnv());
    assert.ok(gone.ok && !('filesystems' in gone.record));
  });
});
