/**
 * Memory on create and update (docs/vmadm-cli.md §15 "Memory", SmartOS
 * VM.js fixPayloadMemory): (stored VM, payload) → (max_physical_memory,
 * max_locked_memory, max_swap, tmpfs), each value SmartOS gives, derived
 * from its rules. The two checks: a zone created with 128 MiB then
 * raised to 1024 has max_swap 1024 (this vmadm gave 1152), and a bhyve VM
 * updated to ram 2048 with max_physical_memory 2048 gets 2304 (it kept 2048).
 */
import { strict as assert } from 'node:assert';
import { createVm } from '../../../src/core/vm/create';
import type { VmRecord } from '../../../src/core/vm/record';
import { updateVm } from '../../../src/core/vm/update';
import { testEnv } from './helpers';

type Payload = Record<string, unknown>;
const IMAGE = 'e75c9d82-3156-11ea-9220-c7a6bb9f41b6';
/** max_physical_memory, max_locked_memory, max_swap, tmpfs (undefined for HVM). */
type Memory = [number, number, number, number | undefined];

function create(payload: Payload): VmRecord {
  const out = createVm({ image_uuid: IMAGE, ...payload }, testEnv());
  if (!out.ok) assert.fail(`refused: ${out.result.messages.join('; ')}`);
  return out.record;
}

function memory(vm: VmRecord): Memory {
  return [vm.max_physical_memory, vm.max_locked_memory, vm.max_swap, vm.tmpfs];
}

describe('vm/memory on create (§15 "Memory")', () => {
  const table: Array<[string, Payload, Memory, number?]> = [
    ['a zone without memory: 256 everywhere', { brand: 'joyent' }, [256, 256, 256, 256]],
    ['a zone of 128: max_swap at its floor of 256', { brand: 'joyent', max_physical_memory: 128 }, [128, 128, 256, 128]],
    ['a zone\'s ram stands for max_physical_memory', { brand: 'joyent', ram: 1024 }, [1024, 1024, 1024, 1024]],
    ['kvm: ram + 1024', { brand: 'kvm', ram: 1024 }, [2048, 2048, 2048, undefined], 1024],
    ['bhyve: ram + 1280', { brand: 'bhyve', ram: 2048 }, [3328, 3328, 3328, undefined], 2048],
    ['bhyve: max_physical_memory raised to ram + 256', { brand: 'bhyve', ram: 2048, max_physical_memory: 2048 }, [2304, 2304, 2304, undefined], 2048],
    ['bhyve: max_locked_memory raised to ram + 256', { brand: 'bhyve', ram: 1024, max_physical_memory: 4096, max_locked_memory: 512 }, [4096, 1280, 4096, undefined], 1024],
    ['kvm: max_physical_memory as given, below ram + 1024', { brand: 'kvm', ram: 1024, max_physical_memory: 1100 }, [1100, 1100, 1100, undefined], 1024],
    ['max_locked_memory lowered to max_physical_memory', { brand: 'joyent', max_physical_memory: 1024, max_locked_memory: 2048 }, [1024, 1024, 1024, 1024]],
    ['max_swap raised to max_physical_memory', { brand: 'joyent', max_physical_memory: 1024, max_swap: 512 }, [1024, 1024, 1024, 1024]],
    ['max_swap as given above it', { brand: 'joyent', max_physical_memory: 1024, max_swap: 4096 }, [1024, 1024, 4096, 1024]],
    ['tmpfs lowered to max_physical_memory', { brand: 'joyent', max_physical_memory: 1024, tmpfs: 2048 }, [1024, 1024, 1024, 1024]],
    ['tmpfs as given below it', { brand: 'lx', kernel_version: '4.3.0', max_physical_memory: 1024, tmpfs: 100 }, [1024, 1024, 1024, 100]],
  ];
  for (const [what, payload, want, ram] of table) {
    it(`${what}: ${JSON.stringify(payload)} -> ${JSON.stringify(want)}`, () => {
      const vm = create(payload);
      assert.deepEqual(memory(vm), want);
      assert.equal(vm.ram, ram);
      assert.equal(vm.max_shm_memory, want[0], 'max_shm_memory defaults to max_physical_memory');
    });
  }

  it('a max_swap below 256 or below ram is a bad value, named and explained', () => {
    for (const [payload, says] of [
      [{ brand: 'joyent', max_swap: 128 }, 'max_swap: 128 is below the minimum of 256'],
      [{ brand: 'kvm', ram: 1024, max_swap: 512 }, 'max_swap: 512 is below ram (1024)'],
      [{ brand: 'joyent', ram: 2048, max_swap: 1024 }, 'max_swap: 1024 is below ram (2048)'],
    ] as const) {
      const out = createVm({ image_uuid: IMAGE, ...payload }, testEnv());
      assert.equal(out.ok, false, JSON.stringify(payload));
      if (!out.ok) {
        assert.deepEqual(out.result.report, { bad_values: ['max_swap'] });
        assert.deepEqual(out.result.messages, [says]);
      }
    }
  });

  it('a value given and stored otherwise gets a note', () => {
    const out = createVm({ brand: 'bhyve', ram: 2048, max_physical_memory: 2048, max_swap: 2100 }, testEnv());
    assert.ok(out.ok);
    assert.ok(out.notes.includes('max_physical_memory: 2048 stored as 2304 (a bhyve VM needs at least ram + 256)'), out.notes.join('\n'));
    assert.ok(out.notes.includes('max_swap: 2100 stored as 2304 (at least max_physical_memory)'), out.notes.join('\n'));
  });
});

describe('vm/memory on update (§15 "Memory")', () => {
  const table: Array<[string, Payload, Payload, Memory, number?]> = [
    ['a max_swap at the floor of 256 follows a new max_physical_memory (not 1152)', { brand: 'joyent', max_physical_memory: 128 }, { max_physical_memory: 1024 }, [1024, 1024, 1024, 1024]],
    ['a zone\'s ram on update is its max_physical_memory', { brand: 'joyent', max_physical_memory: 128 }, { ram: 1024 }, [1024, 1024, 1024, 1024]],
    ['otherwise max_swap keeps its difference, tmpfs its ratio', { brand: 'joyent', max_physical_memory: 1024, max_swap: 2048, tmpfs: 512 }, { max_physical_memory: 2048 }, [2048, 2048, 3072, 1024]],
    ['max_locked_memory keeps its difference', { brand: 'joyent', max_physical_memory: 1024, max_locked_memory: 512 }, { max_physical_memory: 2048 }, [2048, 1536, 2048, 2048]],
    ['a smaller max_physical_memory: max_swap not below 256', { brand: 'joyent', max_physical_memory: 512 }, { max_physical_memory: 128 }, [128, 128, 256, 128]],
    ['tmpfs keeps its ratio, rounded', { brand: 'joyent', max_physical_memory: 1000, tmpfs: 300 }, { max_physical_memory: 2001 }, [2001, 2001, 2001, 600]],
    ['kvm: ram + 1024 again', { brand: 'kvm', ram: 1024 }, { ram: 2048 }, [3072, 3072, 3072, undefined], 2048],
    ['bhyve: ram + 1280 again', { brand: 'bhyve', ram: 2048 }, { ram: 4096 }, [5376, 5376, 5376, undefined], 4096],
    ['bhyve: ram 2048 with max_physical_memory 2048 is 2304 (not 2048)', { brand: 'bhyve', ram: 1024 }, { ram: 2048, max_physical_memory: 2048 }, [2304, 2304, 2304, undefined], 2048],
    ['bhyve: a smaller max_physical_memory is still at least ram + 256', { brand: 'bhyve', ram: 1024 }, { max_physical_memory: 1024 }, [1280, 1280, 1280, undefined], 1024],
    ['max_locked_memory given above max_physical_memory is lowered', { brand: 'joyent', max_physical_memory: 1024 }, { max_locked_memory: 4096 }, [1024, 1024, 1024, 1024]],
    ['max_swap given below max_physical_memory is raised', { brand: 'joyent', max_physical_memory: 1024, max_swap: 4096 }, { max_swap: 512 }, [1024, 1024, 1024, 1024]],
    ['tmpfs given above max_physical_memory is lowered', { brand: 'joyent', max_physical_memory: 1024 }, { tmpfs: 4096 }, [1024, 1024, 1024, 1024]],
    ['nothing about memory: nothing changes', { brand: 'joyent', max_physical_memory: 1024, max_swap: 4096, tmpfs: 10 }, { alias: 'x' }, [1024, 1024, 4096, 10]],
  ];
  for (const [what, stored, payload, want, ram] of table) {
    it(`${what}: ${JSON.stringify(stored)} + ${JSON.stringify(payload)} -> ${JSON.stringify(want)}`, () => {
      const out = updateVm(create(stored), payload, testEnv());
      if (!out.ok) assert.fail(out.result.messages.join('; '));
      assert.deepEqual(memory(out.record), want);
      assert.equal(out.record.ram, ram);
    });
  }

  it('a max_swap below 256 or below ram is a bad value, nothing changed', () => {
    for (const [stored, payload] of [
      [{ brand: 'joyent' }, { max_swap: 200 }],
      [{ brand: 'kvm', ram: 2048 }, { max_swap: 1024 }],
    ] as const) {
      const out = updateVm(create(stored), payload, testEnv());
      assert.equal(out.ok, false, JSON.stringify(payload));
      if (!out.ok) assert.deepEqual(out.result.report, { bad_values: ['max_swap'] });
    }
  });

  it('max_shm_memory is defaulted on create only: it does not follow max_physical_memory, nor come back once removed', () => {
    const vm = create({ brand: 'joyent', max_physical_memory: 1024 });
    const bigger = updateVm(vm, { max_physical_memory: 2048 }, testEnv());
    assert.ok(bigger.ok);
    if (!bigger.ok) return;
    assert.equal(bigger.record.max_shm_memory, 1024);
    const removed = updateVm(bigger.record, { max_shm_memory: null }, testEnv());
    assert.ok(removed.ok);
    if (!removed.ok) return;
    assert.equal('max_shm_memory' in removed.record, false);
    const again = updateVm(removed.record, { max_physical_memory: 4096 }, testEnv());
    assert.ok(again.ok);
    if (again.ok) assert.equal('max_shm_memory' in again.record, false);
  });
});
