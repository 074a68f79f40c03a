/**
 * `vmadm list` layout (docs/vmadm-cli.md §6): columns, headers, widths, the
 * `-` for missing values, -p, -H/-h, sorting with -s, the fake type/ram
 * fields and `lookup -j -o`.
 */
import { strict as assert } from 'node:assert';
import {
  LIST_COLUMNS,
  columnSpec,
  formatTable,
  listView,
  planView,
  project,
  readsNics,
  pickFields,
  planList,
  sortVms,
  valueAt,
  vmType,
  withListFields,
  type VmView,
} from '../../../src/core/vm/list';
import { createVm } from '../../../src/core/vm/create';
import { getView } from '../../../src/core/vm/view';
import { testEnv } from './helpers';

const U1 = '11111111-1111-4111-8111-111111111111';
const U2 = '22222222-2222-4222-8222-222222222222';
const U3 = '33333333-3333-4333-8333-333333333333';

function vm(props: VmView): VmView {
  return withListFields({ brand: 'joyent', state: 'running', max_physical_memory: 256, ...props });
}

function table(vms: VmView[], order?: string, sortby?: string, opts: { parsable?: boolean; header?: boolean } = {}): string {
  const plan = planList({ order, sortby });
  return formatTable(sortVms(vms, plan.sort), plan.columns, opts);
}

describe('vm/list fake fields', () => {
  it('type is OS for joyent, joyent-minimal and builder, LX, KVM, BHYV otherwise', () => {
    assert.deepEqual(
      ['joyent', 'joyent-minimal', 'builder', 'lx', 'kvm', 'bhyve'].map(vmType),
      ['OS', 'OS', 'OS', 'LX', 'KVM', 'BHYV'],
    );
  });

  it('ram of a zone is its max_physical_memory; an HVM VM keeps its own ram', () => {
    assert.equal(withListFields({ brand: 'joyent', max_physical_memory: 1024 }).ram, 1024);
    assert.equal(withListFields({ brand: 'lx', max_physical_memory: 512 }).ram, 512);
    assert.equal(withListFields({ brand: 'bhyve', ram: 2048, max_physical_memory: 3328 }).ram, 2048);
  });

  it('does not change the view it is given', () => {
    const view = { brand: 'joyent', max_physical_memory: 1 };
    withListFields(view);
    assert.deepEqual(view, { brand: 'joyent', max_physical_memory: 1 });
  });
});

describe('vm/list columns', () => {
  it('the default columns, headers and widths (UUID 36, TYPE 4, RAM 7, STATE 16, ALIAS 10)', () => {
    const out = table([vm({ uuid: U1, brand: 'bhyve', ram: 2048, state: 'stopped' })]);
    assert.equal(
      out,
      `UUID${' '.repeat(34)}TYPE  RAM      STATE             ALIAS\n` + `${U1}  BHYV  2048     stopped           -\n`,
    );
  });

  it('has the 44 columns of SmartOS with their headers and widths', () => {
    assert.equal(Object.keys(LIST_COLUMNS).length, 44);
    assert.deepEqual(LIST_COLUMNS.cpu_shares, { header: 'CPU_SHARE', width: 9 });
    assert.deepEqual(LIST_COLUMNS.dns_domain, { header: 'DOMAIN', width: 32 });
    assert.deepEqual(LIST_COLUMNS.zonepath, { header: 'ZONEPATH', width: 40 });
    assert.deepEqual(LIST_COLUMNS.indestructible_delegated, { header: 'INDESTR_DATA', width: 12 });
  });

  it('nested columns: header upper-cased, width 20', () => {
    assert.deepEqual(columnSpec('nics.0.ip'), { header: 'NICS.0.IP', width: 20 });
    assert.deepEqual(columnSpec('tags.role'), { header: 'TAGS.ROLE', width: 20 });
    assert.deepEqual(columnSpec('routes.10.0.0.0/8'), { header: 'ROUTES.10.0.0.0/8', width: 20 });
    assert.equal(columnSpec('nics.ip'), undefined);
    assert.equal(columnSpec('bogus'), undefined);
  });

  it('a value longer than its column overflows without truncation; the row is right-trimmed', () => {
    const out = table([vm({ uuid: U1, alias: 'a-very-long-alias-indeed' })], 'alias,state', undefined, { header: false });
    assert.equal(out, 'a-very-long-alias-indeed  running\n');
    assert.equal(table([vm({ uuid: U1, alias: 'x' })], 'state,alias', undefined, { header: false }), 'running           x\n');
  });

  it('missing, false and empty values print -, 0 prints 0, true prints true', () => {
    const out = table(
      [vm({ uuid: U1, firewall_enabled: false, autoboot: true, cpu_cap: 0, alias: '' })],
      'firewall_enabled,autoboot,cpu_cap,alias,hostname',
      undefined,
      { header: false },
    );
    assert.equal(out, `-${' '.repeat(15)}  true      0        -           -\n`);
  });

  it('lists print comma-joined; nested columns read one element or key', () => {
    const v = vm({ uuid: U1, nics: [{ ip: '10.0.0.5', ips: ['10.0.0.5/24', '2001:db8::5/64'] }], tags: { role: 'db' } });
    assert.equal(
      table([v], 'nics.0.ips,tags.role,nics.1.ip', undefined, { parsable: true }),
      '10.0.0.5/24,2001\\:db8\\:\\:5/64:db:\n',
    );
  });

  it('-p: values joined by :, no padding, missing and false empty, no header unless -h', () => {
    const vms = [vm({ uuid: U1, alias: 'web', firewall_enabled: false, quota: 0 })];
    assert.equal(table(vms, 'uuid,alias,firewall_enabled,quota,hostname', undefined, { parsable: true }), `${U1}:web::0:\n`);
    assert.equal(
      table(vms, 'uuid,alias', undefined, { parsable: true, header: true }),
      `UUID:ALIAS\n${U1}:web\n`,
    );
  });

  it('-H: no header; no VMs and -H: no output at all', () => {
    assert.equal(table([vm({ uuid: U1 })], 'uuid', undefined, { header: false }), `${U1}\n`);
    assert.equal(table([], 'uuid', undefined, { header: false }), '');
    assert.equal(table([], 'uuid,alias'), `UUID${' '.repeat(34)}ALIAS\n`);
  });

  it('refuses * in -o/-s and unknown fields with SmartOS texts, in its order', () => {
    assert.throws(() => planList({ order: 'uuid,nics.*.ip' }), { message: 'Invalid order key: "nics.*.ip"' });
    assert.throws(() => planList({ sortby: '-nics.*.ip' }), { message: 'Invalid sort key: "nics.*.ip"' });
    assert.throws(() => planList({ sortby: '-bogus' }), { message: 'invalid sort field: -bogus' });
    assert.throws(() => planList({ order: 'uuid,bogus' }), { message: 'invalid order field: bogus' });
    assert.throws(() => planList({ order: 'bogus', sortby: 'bogus2' }), { message: 'invalid sort field: bogus2' });
  });
});

describe('vm/list sorting', () => {
  const a = vm({ uuid: U1, alias: 'b', max_physical_memory: 1024, quota: 5 });
  const b = vm({ uuid: U2, alias: 'a', max_physical_memory: 256, quota: 20 });
  const c = vm({ uuid: U3, max_physical_memory: 256 });
  const uuids = (vms: VmView[]): unknown[] => vms.map((v) => v.uuid);

  it('default ram,uuid: numbers numeric (256 before 1024), then uuid', () => {
    assert.deepEqual(uuids(sortVms([a, c, b], planList({}).sort)), [U2, U3, U1]);
  });

  it('- sorts descending, + ascending; numbers compare as numbers (5 < 20)', () => {
    assert.deepEqual(uuids(sortVms([a, b], planList({ sortby: '-quota' }).sort)), [U2, U1]);
    assert.deepEqual(uuids(sortVms([b, a], planList({ sortby: '+quota' }).sort)), [U1, U2]);
  });

  it('strings compare lexically; missing values sort last ascending, first descending', () => {
    assert.deepEqual(uuids(sortVms([c, a, b], planList({ sortby: 'alias' }).sort)), [U2, U1, U3]);
    assert.deepEqual(uuids(sortVms([a, c, b], planList({ sortby: '-alias' }).sort)), [U3, U1, U2]);
  });

  it('sorts by a nested key', () => {
    const x = vm({ uuid: U1, tags: { n: 'z' } });
    const y = vm({ uuid: U2, tags: { n: 'a' } });
    assert.deepEqual(uuids(sortVms([x, y], planList({ sortby: 'tags.n' }).sort)), [U2, U1]);
  });
});

describe('vm/list valueAt and pickFields', () => {
  it('reads top-level, hash and list paths', () => {
    const v: VmView = { alias: 'x', routes: { '10.0.0.0/8': '10.0.0.1' }, nics: [{ mac: 'm' }] };
    assert.equal(valueAt(v, 'alias'), 'x');
    assert.equal(valueAt(v, 'routes.10.0.0.0/8'), '10.0.0.1');
    assert.equal(valueAt(v, 'nics.0.mac'), 'm');
    assert.equal(valueAt(v, 'nics.1.mac'), undefined);
    assert.equal(valueAt(v, 'nics.x.mac'), undefined);
    assert.equal(valueAt(v, 'tags.toString'), undefined);
  });

  it('lookup -j -o keeps the named keys and drops VMs left empty', () => {
    assert.deepEqual(pickFields([{ uuid: U1, alias: 'a', ram: 1 }, { ram: 2 }], ['uuid', 'alias']), [{ uuid: U1, alias: 'a' }]);
  });
});

describe('vm/list listView and project (list and lookup without the get view)', () => {
  const specs: Record<string, unknown>[] = [
    { brand: 'joyent', image_uuid: '2b683a82-a066-11e3-97ab-2faa44701c5a', alias: 'a', max_physical_memory: 512, tags: { role: 'db' }, routes: { '10.2.0.0/16': '10.0.0.1' },
      nics: [{ nic_tag: 'external', ips: ['2001:db8::5/64', '10.0.0.5/24', 'addrconf'], gateways: ['fe80::1', '10.0.0.1'] },
        { nic_tag: 'internal', ips: ['dhcp'] }, { nic_tag: 'internal', ips: ['fd00::5/64'], gateways: ['fd00::1'] }] },
    { brand: 'bhyve', ram: 1024, vcpus: 2, disks: [{ boot: true, image_uuid: '2b683a82-a066-11e3-97ab-2faa44701c5a', image_size: 10240 }], nics: [{ nic_tag: 'external', ips: ['10.0.0.9/16'], gateways: ['10.0.0.1'], model: 'virtio' }] },
    { brand: 'lx', kernel_version: '4.3.0', image_uuid: '2b683a82-a066-11e3-97ab-2faa44701c5a', nics: [] },
  ];
  const keys = [
    ...Object.keys(LIST_COLUMNS), 'hvm', 'nics', 'tags.role', 'tags.none', 'routes.10.2.0.0/16', 'disks.0.size',
    ...[0, 1, 2, 3].flatMap((i) => ['ip', 'netmask', 'gateway', 'ips', 'gateways', 'mac', 'primary', 'model'].map((p) => `nics.${i}.${p}`)),
  ];

  it('holds the value of every key that the full view holds (NICs included when asked)', () => {
    for (const spec of specs) {
      const made = createVm(spec, testEnv());
      assert.ok(made.ok, JSON.stringify(made));
      if (!made.ok) continue;
      const out = made;
      const full = withListFields(getView(out.record));
      const all = listView(out.record, planView(keys));
      for (const key of keys) {
        const one = listView(out.record, planView([key]));
        assert.deepEqual(valueAt(all, key), valueAt(full, key), `${String(spec.brand)} ${key}`);
        assert.deepEqual(valueAt(one, key), valueAt(full, key), `${String(spec.brand)} ${key} (alone)`);
        assert.deepEqual(valueAt(project(one, [key]), key), valueAt(full, key), `${String(spec.brand)} ${key} (row)`);
      }
    }
  });

  it('planView: the top-level properties the keys read; NICs as get shows them only for nics.* keys', () => {
    assert.equal(readsNics(['uuid', 'tags.nics', 'alias']), false);
    assert.equal(readsNics(['uuid', 'nics.0.ip']), true);
    assert.deepEqual(planView(['uuid', 'tags.role', 'nics.*.ips', 'routes.10.0.0.0/8']), {
      props: ['uuid', 'tags.role', 'tags', 'nics.*.ips', 'nics', 'routes.10.0.0.0/8', 'routes'],
      nics: true,
    });
  });
});
