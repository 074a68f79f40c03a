/**
 * `vmadm list` and `vmadm lookup` read each VM without building its `get`
 * view (listView, project, store.scan): on a generated store of every
 * brand, their output must equal what the plain pipeline gives — each VM's
 * full view (withListFields(getView)), filtered, sorted and formatted.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createVm } from '../../../src/core/vm/create';
import { filterVms, parseFilters } from '../../../src/core/vm/filter';
import { formatTable, pickFields, planList, sortVms, valueAt, withListFields, type VmView } from '../../../src/core/vm/list';
import type { VmRecord } from '../../../src/core/vm/record';
import { getView, type HostFacts } from '../../../src/core/vm/view';
import { examplePath, run } from '../../helpers/run-cli';
import { version } from '../../../package.json';

const EXAMPLES = ['dual-stack-web.json', 'dual-stack-zone.json', 'lx-dhcp.json', 'bhyve-vm.json', 'legacy-ipv4.json'];

function example(name: string): Record<string, unknown> {
  const spec = JSON.parse(fs.readFileSync(examplePath('vms', name), 'utf8')) as Record<string, unknown>;
  delete spec.uuid;
  return spec;
}

/** What get, list -j and lookup -j show of the host (the root's server_uuid, written below). */
const HOST: HostFacts = { server_uuid: '0f1e2d3c-4b5a-4697-8877-665544332211', platform_buildstamp: `smartos-netadm-${version}` };

/** 30 VMs of the example specs, with varied aliases, memory, tags and states, written as the store writes them. */
function makeStore(root: string): VmRecord[] {
  fs.mkdirSync(path.join(root, 'vms'), { recursive: true });
  fs.writeFileSync(path.join(root, '.server_uuid'), `${HOST.server_uuid}\n`);
  const records: VmRecord[] = [];
  let n = 0;
  for (let i = 0; i < 30; i++) {
    const spec = example(EXAMPLES[i % EXAMPLES.length]);
    spec.alias = i % 7 === 3 ? undefined : `vm-${(i * 13) % 30}`;
    if (spec.brand !== 'bhyve' && spec.brand !== 'kvm') spec.max_physical_memory = 256 * (1 + (i % 4));
    spec.tags = { ...(spec.tags as object), role: i % 3 === 0 ? 'db' : 'www', n: i };
    const out = createVm(spec, {
      now: new Date(Date.UTC(2025, 0, 1, 0, 0, i)),
      newUuid: () => `7e57${String(i).padStart(4, '0')}-0000-4000-8000-${String(++n).padStart(12, '0')}`,
      randomBytes: (k) => Uint8Array.from({ length: k }, (_, j) => (i * 31 + j * 7 + n) & 0xff),
      zonepathOf: (zpool, uuid) => path.join(root, 'zones', uuid),
    });
    if (!out.ok) throw new Error(`${EXAMPLES[i % EXAMPLES.length]}: ${JSON.stringify(out.result)}`);
    const vm: VmRecord = { ...out.record, state: i % 4 === 0 ? 'stopped' : 'running' };
    fs.writeFileSync(path.join(root, 'vms', `${vm.uuid}.json`), JSON.stringify(vm, null, 2) + '\n');
    records.push(vm);
  }
  return records;
}

function splitArgs(args: string[]): { flags: Map<string, string | true>; filters: string[] } {
  const flags = new Map<string, string | true>();
  const filters: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-o' || a === '-s') flags.set(a, args[++i]);
    else if (a.startsWith('-')) flags.set(a, true);
    else filters.push(a);
  }
  return { flags, filters };
}

/** `vmadm list` as the plain pipeline computes it. */
function referenceList(records: VmRecord[], args: string[]): string {
  const { flags, filters } = splitArgs(args);
  const views = [...records].sort((a, b) => (a.uuid < b.uuid ? -1 : 1)).map((r) => withListFields(getView(r, HOST)));
  const plan = planList({ order: flags.get('-o') as string | undefined, sortby: flags.get('-s') as string | undefined });
  const vms = sortVms(filterVms(views, parseFilters(filters, 'filter')), plan.sort);
  if (flags.has('-j')) {
    const out = flags.has('-o')
      ? vms.map((vm) => {
          const picked: VmView = {};
          for (const c of plan.columns) if (valueAt(vm, c.key) !== undefined) picked[c.key] = valueAt(vm, c.key);
          return picked;
        })
      : vms;
    return JSON.stringify(out, null, 2) + '\n';
  }
  const header = flags.has('-H') ? false : flags.has('-h') ? true : !flags.has('-p');
  return formatTable(vms, plan.columns, { parsable: flags.has('-p'), header });
}

/** `vmadm lookup` as the plain pipeline computes it. */
function referenceLookup(records: VmRecord[], args: string[]): string {
  const { flags, filters } = splitArgs(args);
  const views = [...records].sort((a, b) => (a.uuid < b.uuid ? -1 : 1)).map((r) => withListFields(getView(r, HOST)));
  const found = filterVms(views, parseFilters(filters, 'lookup'));
  if (!flags.has('-j')) return found.map((vm) => `${String(vm.uuid)}\n`).join('');
  const out = flags.has('-o') ? pickFields(found, String(flags.get('-o')).split(',')) : found;
  return JSON.stringify(out, null, 2) + '\n';
}

describe('vmadm list and lookup read VMs without their get view', () => {
  let root: string;
  let records: VmRecord[];
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'vmadm-list-'));
    records = makeStore(root);
  });
  after(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  const output = async (args: string[]): Promise<string> => {
    const r = await run('vmadm', args, { env: { VMADM_ROOT: root, VMADM_HOST: 'local' } });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };

  const lists: string[][] = [
    [],
    ['-o', 'uuid,type,ram,hvm,brand,alias,state', '-s', '-alias,uuid'],
    ['-o', 'uuid,nics.0.ip,nics.0.netmask,nics.0.gateway,nics.1.ips,nics.0.mac', '-s', 'nics.0.ip,uuid'],
    ['-p', '-o', 'uuid,tags.role,tags.n,routes.10.2.0.0/16,customer_metadata.user-script', '-s', 'tags.n'],
    ['-H', '-o', 'uuid,max_physical_memory,quota,firewall_enabled,autoboot', 'type=OS'],
    ['-p', '-h', 'tags.role=db', 'state=running'],
    ['nics.*.ip=dhcp'],
    ['-o', 'uuid,alias', 'nics.*.ips=~2001:db8'],
    ['-o', 'uuid,nics.0.gateway', 'nics.0.gateway=~^1'],
    ['-o', 'uuid,ram,type', 'hvm=true'],
    ['-j', 'tags.role=db'],
    ['-j', '-o', 'uuid,alias,nics.0.ip,tags.role', '-s', '-ram'],
  ];
  for (const args of lists) {
    it(`list ${args.join(' ')}`, async () => {
      assert.equal(await output(['list', ...args]), referenceList(records, args));
    });
  }

  const lookups: string[][] = [
    [],
    ['tags.role=db'],
    ['-j', 'tags.role=db'],
    ['-j', '-o', 'uuid,nics,type,ram,hvm', 'nics.*.netmask=255.255.255.0'],
    ['brand=lx', 'alias=~^vm'],
    ['-j', 'nics.0.ip=~^198'],
  ];
  for (const args of lookups) {
    it(`lookup ${args.join(' ')}`, async () => {
      assert.equal(await output(['lookup', ...args]), referenceLookup(records, args));
    });
  }

  it('the generated store covers what the comparisons need', () => {
    const views = records.map((r) => withListFields(getView(r, HOST)));
    const some = (key: string, test: (v: unknown) => boolean) => views.some((v) => test(valueAt(v, key)));
    assert.ok(some('hvm', (v) => v === true) && some('hvm', (v) => v === false), 'HVM and zone VMs');
    assert.ok(some('nics.0.ip', (v) => v === 'dhcp'), 'a DHCP NIC');
    assert.ok(some('nics.0.netmask', (v) => typeof v === 'string'), 'a static IPv4 NIC');
    assert.ok(some('tags.role', (v) => v === 'db'), 'VMs tagged role=db');
    assert.ok(some('alias', (v) => v === undefined), 'VMs without alias');
  });
});

describe('vmadm list -p: ":" and "\\" in values are escaped (not in SmartOS: docs/vmadm-cli.md §0, §6)', () => {
  const ZONE = '5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11'; // examples/vms/dual-stack-zone.json
  let root: string;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'vmadm-list-p-'));
    env = { VMADM_ROOT: root, VMADM_HOST: 'local' };
    const r = await run('vmadm', ['create', '-f', examplePath('vms', 'dual-stack-zone.json')], { env });
    assert.equal(r.status, 0, r.stderr);
    const u = await run('vmadm', ['update', ZONE, '-f', '-'], { env, input: JSON.stringify({ set_tags: { path: 'C:\\vms\\web', empty: '' } }) });
    assert.equal(u.status, 0, u.stderr);
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  /** A -p line split at the colons that are not escaped, each field unescaped. */
  function fields(line: string): string[] {
    return [...line.matchAll(/((?:[^\\:]|\\.)*)(?::|$)/g)].slice(0, -1).map((m) => m[1].replace(/\\(.)/g, '$1'));
  }

  it('IPv6 addresses and MACs: each escaped colon written "\\:", so a line splits into its columns', async () => {
    const r = await run('vmadm', ['list', '-p', '-o', 'uuid,nics.0.mac,nics.0.ips,nics.1.ips,nics.0.gateways,alias'], { env });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(
      r.stdout,
      `${ZONE}:90\\:b8\\:d0\\:aa\\:bb\\:01:` +
        '198.51.100.10/24,198.51.100.11/24,2001\\:db8\\:0\\:1\\:\\:10/64,2001\\:db8\\:0\\:1\\:\\:11/64,addrconf:' +
        '10.0.0.10/24,fd00\\:42\\:\\:10/64:198.51.100.1,fe80\\:\\:1:web01\n',
    );
    const vm = JSON.parse((await run('vmadm', ['get', ZONE], { env })).stdout) as { nics: { mac: string; ips: string[]; gateways: string[] }[] };
    assert.deepEqual(fields(r.stdout.trimEnd()), [ZONE, vm.nics[0].mac, vm.nics[0].ips.join(','), vm.nics[1].ips.join(','), vm.nics[0].gateways.join(','), 'web01']);
  });

  it('a backslash is written "\\\\"; an empty or missing value stays an empty field; -h headers are escaped the same way', async () => {
    const r = await run('vmadm', ['list', '-p', '-h', '-o', 'uuid,tags.path,tags.empty,hostname,routes.fd00:99::/48'], { env });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `UUID:TAGS.PATH:TAGS.EMPTY:HOSTNAME:ROUTES.FD00\\:99\\:\\:/48\n${ZONE}:C\\:\\\\vms\\\\web::web01:fd00\\:42\\:\\:1\n`);
    assert.deepEqual(fields(r.stdout.split('\n')[1]), [ZONE, 'C:\\vms\\web', '', 'web01', 'fd00:42::1']);
  });

  it('without -p nothing is escaped', async () => {
    const r = await run('vmadm', ['list', '-H', '-o', 'uuid,nics.0.mac'], { env });
    assert.equal(r.stdout, `${ZONE}  90:b8:d0:aa:bb:01\n`);
  });
});
