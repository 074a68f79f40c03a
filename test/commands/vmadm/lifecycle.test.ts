/**
 * A VM's life through vmadm, as an operator or a script runs it (in this
 * process, as bin/vmadm runs it): create (file, stdin), get, list, lookup,
 * every update form, stop/start/reboot, delete, the texts for unknown VMs,
 * parallel creates; and, through the real ./bin/vmadm, kill -9 in the
 * middle of a change; on the embedded local host. The illumos host (fake
 * zonecfg/zoneadm/zfs/zlogin) is in illumos.test.ts.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { examplePath, repoRoot, run, type CliResult } from '../../helpers/run-cli';

const ZONE_UUID = '5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11';
const UNKNOWN = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
const SUCCESS = /^Successfully created VM ([0-9a-f-]{36})\n/;

let roots: string[] = [];

function newRoot(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vmadm-life-'));
  roots.push(root);
  return root;
}

/** vmadm in this process on `root`. */
function cli(root: string, args: string[], input?: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return run('vmadm', args, { input, env: { VMADM_ROOT: root, VMADM_HOST: 'local', ...env } });
}

async function createVm(root: string, file: string): Promise<string> {
  const r = await cli(root, ['create', '-f', examplePath('vms', file)]);
  assert.equal(r.status, 0, r.stderr);
  const m = SUCCESS.exec(r.stderr);
  assert.ok(m, r.stderr);
  return m[1];
}

/** An example spec's text with its static addresses moved by `n` (…20 → …2n): VMs of one host hold different addresses. */
function moved(text: string, n: number): string {
  return text.replace(/(\.|::)20\/(24|64)/g, `$1${20 + n}/$2`);
}

async function readVm(root: string, uuid: string): Promise<Record<string, any>> {
  const r = await cli(root, ['get', uuid]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

afterEach(() => {
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
  roots = [];
});

describe('vmadm create and get', () => {
  it('creates from a file: success line first, then notes; get shows the VM with the deprecated NIC view', async () => {
    const root = newRoot();
    const r = await cli(root, ['create', '-f', examplePath('vms', 'dual-stack-zone.json')]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines[0], `Successfully created VM ${ZONE_UUID}`);
    assert.ok(lines.slice(1).every((l) => l.startsWith('note: ')), r.stderr);
    assert.ok(lines.includes('note: nics.0.ips: 2001:DB8:0:1:0:0:0:11/64 stored as 2001:db8:0:1::11/64'), r.stderr);

    const vm = await readVm(root, ZONE_UUID);
    assert.equal(vm.state, 'running');
    assert.equal(vm.zone_state, 'running');
    assert.equal(vm.zonepath, path.join(root, 'zones', ZONE_UUID));
    assert.equal(vm.quota, 20);
    assert.equal(vm.dns_domain, 'local');
    assert.deepEqual(vm.resolvers, ['10.0.0.53', '2001:db8:0:1::53']);
    const [nic0, nic1] = vm.nics;
    assert.equal(nic0.interface, 'net0');
    assert.equal(nic0.primary, true);
    assert.deepEqual([nic0.ip, nic0.netmask, nic0.gateway], ['198.51.100.10', '255.255.255.0', '198.51.100.1']);
    assert.deepEqual(nic0.ips, ['198.51.100.10/24', '198.51.100.11/24', '2001:db8:0:1::10/64', '2001:db8:0:1::11/64', 'addrconf']);
    assert.deepEqual([nic1.ip, nic1.netmask, nic1.gateway, nic1.vlan_id], ['10.0.0.10', '255.255.255.0', '10.0.0.1', 42]);
    // the config files SmartOS keeps
    const config = path.join(root, 'zones', ZONE_UUID, 'config');
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(config, 'tags.json'), 'utf8')), { role: 'www', env: 'prod' });
    assert.equal(JSON.parse(fs.readFileSync(path.join(config, 'metadata.json'), 'utf8')).customer_metadata['user-script'], '#!/bin/sh\nsvcadm enable nginx');
  });

  it('creates from stdin; a spec without uuid gets a new one each time', async () => {
    const root = newRoot();
    const text = fs.readFileSync(examplePath('vms', 'dual-stack-web.json'), 'utf8');
    const a = SUCCESS.exec((await cli(root, ['create'], text)).stderr)?.[1];
    const b = SUCCESS.exec((await cli(root, ['create', '-f', '-'], moved(text, 1))).stderr)?.[1];
    assert.ok(a && b && a !== b);
    assert.equal((await cli(root, ['lookup', 'alias=web'])).stdout, [a, b].sort().join('\n') + '\n');
  });

  it('every example spec creates, with the brand defaults', async () => {
    const root = newRoot();
    const lx = await readVm(root, await createVm(root, 'lx-dhcp.json'));
    assert.equal(lx.brand, 'lx');
    assert.deepEqual(lx.nics.map((n: { interface: string }) => n.interface), ['eth0', 'eth1']);
    const bhyve = await readVm(root, await createVm(root, 'bhyve-vm.json'));
    assert.equal(bhyve.brand, 'bhyve');
    assert.equal(bhyve.hvm, true);
    assert.equal(bhyve.dns_domain, undefined);
    const legacy = await readVm(root, await createVm(root, 'legacy-ipv4.json'));
    assert.ok(Array.isArray(legacy.nics[0].ips));
  });

  it('refuses a UUID in use, an invalid spec (the validate report) and bad JSON, changing nothing', async () => {
    const root = newRoot();
    await createVm(root, 'dual-stack-zone.json');
    const before = (await cli(root, ['list', '-p'])).stdout;
    const dup = await cli(root, ['create', '-f', examplePath('vms', 'dual-stack-zone.json')]);
    assert.deepEqual([dup.status, dup.stdout, dup.stderr], [1, '', `vmadm: VM with UUID ${ZONE_UUID} already exists\n`]);

    const bad = await cli(root, ['create', '-f', examplePath('vms', 'invalid', 'gateway-family.json')]);
    const validate = await run('vmadm', ['validate', 'create', '-f', examplePath('vms', 'invalid', 'gateway-family.json')]);
    assert.equal(bad.status, 1);
    assert.equal(bad.stdout, validate.stdout);
    assert.ok(bad.stderr.startsWith(validate.stderr), bad.stderr);

    const json = await cli(root, ['create'], '{"brand": "joyent",');
    assert.equal(json.status, 1);
    assert.match(json.stderr, /^vmadm: Invalid JSON payload: <stdin>: line 1/);
    assert.equal((await cli(root, ['list', '-p'])).stdout, before);
  });

  it('keeps hostile values verbatim', async () => {
    const root = newRoot();
    const alias = 'x"; end; add net\nset physical=evil';
    const spec = { brand: 'joyent', image_uuid: '2b683a82-a066-11e3-97ab-2faa44701c5a', alias, tags: { 'a b': 'end\n;"\'' }, customer_metadata: { k: '$(rm -rf /)' }, nics: [] };
    const r = await cli(root, ['create'], JSON.stringify(spec));
    assert.equal(r.status, 0, r.stderr);
    const vm = await readVm(root, SUCCESS.exec(r.stderr)![1]);
    assert.equal(vm.alias, alias);
    assert.deepEqual(vm.tags, spec.tags);
    assert.deepEqual(vm.customer_metadata, spec.customer_metadata);
  });
});

describe('vmadm list and lookup', () => {
  it('lists with the default columns and order, -o/-s/-p/-H/-j and filters', async () => {
    const root = newRoot();
    await createVm(root, 'dual-stack-zone.json');
    const lx = await createVm(root, 'lx-dhcp.json');
    const r = await cli(root, ['list']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(
      r.stdout,
      `UUID${' '.repeat(34)}TYPE  RAM      STATE             ALIAS\n` +
        `${ZONE_UUID}  OS    1024     running           web01\n` +
        `${lx}  LX    2048     running           builder\n`,
    );
    assert.equal((await cli(root, ['list', '-H', '-s', '-ram', '-o', 'alias,type'])).stdout, 'builder     LX\nweb01       OS\n');
    assert.equal((await cli(root, ['list', '-p', '-o', 'alias,nics.0.ip,quota', 'type=OS'])).stdout, 'web01:198.51.100.10:20\n');
    assert.equal((await cli(root, ['list', '-p', '-h', '-o', 'alias', 'alias=~^BUI'])).stdout, 'ALIAS\nbuilder\n');
    assert.equal((await cli(root, ['list', '-H', '-o', 'uuid', 'nics.*.ips=2001:DB8:0:1:0:0:0:11/64'])).stdout, `${ZONE_UUID}\n`);
    const j = JSON.parse((await cli(root, ['list', '-j', '-o', 'uuid,alias', 'brand=lx'])).stdout);
    assert.deepEqual(j, [{ uuid: lx, alias: 'builder' }]);
    const bad = await cli(root, ['list', ZONE_UUID]);
    assert.deepEqual([bad.status, bad.stderr], [1, `vmadm: Invalid filter key: "${ZONE_UUID}"\n`]);
    assert.equal((await cli(root, ['list', '-o', 'nics.*.ip'])).stderr, 'vmadm: Invalid order key: "nics.*.ip"\n');
  });

  it('looks VMs up: uuids, -j with type and ram, -o, -1', async () => {
    const root = newRoot();
    await createVm(root, 'dual-stack-zone.json');
    await createVm(root, 'lx-dhcp.json');
    assert.equal((await cli(root, ['lookup', 'tags.role=www'])).stdout, `${ZONE_UUID}\n`);
    assert.equal((await cli(root, ['lookup', 'tags.role=nope'])).stdout, '');
    const full = JSON.parse((await cli(root, ['lookup', '-j', 'alias=web01'])).stdout);
    assert.equal(full.length, 1);
    assert.deepEqual([full[0].type, full[0].ram, full[0].nics[0].ip], ['OS', 1024, '198.51.100.10']);
    assert.deepEqual(JSON.parse((await cli(root, ['lookup', '-j', '-o', 'uuid,type', 'type=OS'])).stdout), [{ uuid: ZONE_UUID, type: 'OS' }]);
    assert.equal((await cli(root, ['lookup', '-1', 'brand=lx'])).status, 0);
    const many = await cli(root, ['lookup', '-1']);
    assert.deepEqual([many.status, many.stderr], [1, 'vmadm: Requested unique lookup but found 2 results.\n']);
    assert.equal((await cli(root, ['lookup', '-o', 'uuid'])).stderr, 'vmadm: Cannot specify -o without -j\n');
    assert.equal((await cli(root, ['lookup', 'nics.*.allowed_ips=x'])).stderr, 'vmadm: Invalid lookup key: "nics.*.allowed_ips"\n');
  });
});

describe('vmadm update', () => {
  it('key=value pairs, unchanged updates, and a JSON payload of every form', async () => {
    const root = newRoot();
    await createVm(root, 'dual-stack-zone.json');
    let r = await cli(root, ['update', ZONE_UUID, 'alias=web02', 'quota=30', 'resolvers=10.0.0.54,2001:DB8::54']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr.split('\n')[0], `Successfully updated VM ${ZONE_UUID}`);
    let vm = await readVm(root, ZONE_UUID);
    assert.deepEqual([vm.alias, vm.quota, vm.resolvers], ['web02', 30, ['10.0.0.54', '2001:db8::54']]);

    r = await cli(root, ['update', ZONE_UUID, 'alias=web02']);
    assert.deepEqual([r.status, r.stderr], [0, `VM ${ZONE_UUID} unchanged\n`]);

    const payload = {
      set_tags: { role: 'db' },
      remove_tags: ['env'],
      set_customer_metadata: { a: 'b' },
      set_routes: { '10.9.0.0/16': 'nics[0]' },
      add_nics: [{ nic_tag: 'admin', ips: ['192.0.2.5/24', 'FD00:1::5/64'] }],
      update_nics: [{ mac: '90:b8:d0:aa:bb:01', mtu: 1500 }],
    };
    r = await cli(root, ['update', ZONE_UUID], JSON.stringify(payload));
    assert.equal(r.status, 0, r.stderr);
    vm = await readVm(root, ZONE_UUID);
    assert.deepEqual(vm.tags, { role: 'db' });
    assert.equal(vm.customer_metadata.a, 'b');
    assert.equal(vm.routes['10.9.0.0/16'], 'nics[0]');
    assert.equal(vm.nics.length, 3);
    assert.deepEqual(vm.nics[2].ips, ['192.0.2.5/24', 'fd00:1::5/64']);
    assert.equal(vm.nics[0].mtu, 1500);
    assert.equal((await cli(root, ['lookup', 'nics.*.ips=fd00:1:0::5/64'])).stdout, `${ZONE_UUID}\n`);

    r = await cli(root, ['update', ZONE_UUID, '-f', '-'], JSON.stringify({ remove_routes: ['fd00:aa::/64'], remove_nics: ['90:b8:d0:aa:bb:01'] }));
    assert.equal(r.status, 0, r.stderr);
    vm = await readVm(root, ZONE_UUID);
    assert.equal(vm.nics.length, 2);
    assert.equal(vm.nics.filter((n: { primary?: boolean }) => n.primary).length, 1);
  });

  it('an invalid update prints the validate report and changes nothing; unknown VMs and UUIDs', async () => {
    const root = newRoot();
    await createVm(root, 'dual-stack-zone.json');
    const before = await readVm(root, ZONE_UUID);
    const r = await cli(root, ['update', ZONE_UUID], JSON.stringify({ add_nics: [{ nic_tag: 'x', ips: ['10.0.0.300/24'] }] }));
    assert.equal(r.status, 1);
    assert.match(r.stdout, /^bad_values: add_nics\.0\.ips\n/);
    assert.deepEqual(await readVm(root, ZONE_UUID), before);
    assert.deepEqual([(await cli(root, ['update', UNKNOWN, 'alias=x'])).stderr], [`vmadm: VM ${UNKNOWN} not found\n`]);
    const usage = await cli(root, ['update', 'nope', 'alias=x']);
    assert.deepEqual([usage.status, usage.stderr], [2, 'vmadm: Invalid or missing UUID for update\n']);
  });
});

describe('vmadm stop, start, reboot, delete', () => {
  it('prints SmartOS lines and exit statuses per state', async () => {
    const root = newRoot();
    await createVm(root, 'dual-stack-zone.json');
    const u = ZONE_UUID;
    const outcome = async (...args: string[]): Promise<[number | null, string]> => {
      const r = await cli(root, args);
      return [r.status, r.stderr];
    };
    assert.deepEqual(await outcome('start', u), [0, `Unable to start VM ${u}: VM ${u} is already 'running'\n`]);
    assert.deepEqual(await outcome('reboot', u), [0, `Successfully completed reboot for VM ${u}\n`]);
    assert.deepEqual(await outcome('stop', u), [0, `Successfully completed stop for VM ${u}\n`]);
    assert.equal((await readVm(root, u)).state, 'stopped');
    assert.equal((await readVm(root, u)).autoboot, false);
    assert.deepEqual(await outcome('halt', u), [0, `VM ${u} is already not 'running' (currently: stopped)\n`]);
    assert.deepEqual(await outcome('reboot', '-F', u), [1, `vmadm: Cannot reboot vm from state "stopped", must be "running"\n`]);
    assert.deepEqual(await outcome('stop', '-t', '5', u), [1, 'vmadm: Timeout option is only supported for bhyve, KVM and docker containers.\n']);
    assert.deepEqual(await outcome('boot', u), [0, `Successfully started VM ${u}\n`]);
    assert.deepEqual([(await readVm(root, u)).state, (await readVm(root, u)).autoboot], ['running', true]);
    assert.deepEqual(await outcome('stop', '-F', u), [0, `Successfully completed stop for VM ${u}\n`]);
    assert.deepEqual(await outcome('delete', u), [0, `Successfully deleted VM ${u}\n`]);
    assert.equal((await cli(root, ['list', '-H'])).stdout, '');
    assert.ok(!fs.existsSync(path.join(root, 'zones', u)));
    assert.deepEqual(await outcome('destroy', u), [1, `vmadm: VM ${u} not found\n`]);
  });

  it('unknown VMs and bad UUIDs', async () => {
    const root = newRoot();
    const outcome = async (...args: string[]): Promise<[number | null, string]> => {
      const r = await cli(root, args);
      return [r.status, r.stderr];
    };
    assert.deepEqual(await outcome('get', UNKNOWN), [1, `vmadm: zoneadm: ${UNKNOWN}: No such zone configured\n`]);
    for (const cmd of ['start', 'stop', 'reboot', 'delete']) assert.deepEqual(await outcome(cmd, UNKNOWN), [1, `vmadm: VM ${UNKNOWN} not found\n`]);
    for (const cmd of ['get', 'json', 'start', 'stop', 'reboot', 'delete']) {
      assert.deepEqual(await outcome(cmd, 'not-a-uuid'), [2, `vmadm: Invalid or missing UUID for ${cmd}\n`]);
    }
    assert.deepEqual(await outcome('start', UNKNOWN, 'frob=1'), [2, 'vmadm: Invalid argument to start: frob\n']);
  });
});

describe('vmadm creates in parallel', () => {
  it('10 parallel creates make 10 VMs with distinct MACs', async () => {
    const root = newRoot();
    const spec = fs.readFileSync(examplePath('vms', 'dual-stack-web.json'), 'utf8');
    // the state lock is taken per open of the lock file: commands in one process exclude each other as processes do
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => cli(root, ['create'], moved(spec, i))));
    assert.deepEqual(results.map((r) => r.status), Array(10).fill(0), results.map((r) => r.stderr).join(''));
    const vms = JSON.parse((await cli(root, ['list', '-j'])).stdout) as { nics: { mac: string }[] }[];
    assert.equal(vms.length, 10);
    const macs = vms.flatMap((vm) => vm.nics.map((n) => n.mac));
    assert.equal(new Set(macs).size, 20);
  });
});
