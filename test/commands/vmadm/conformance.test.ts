/**
 * vmadm's stateful commands against the SmartOS contract
 * (docs/vmadm-cli.md §1-§9), in this process as bin/vmadm runs it, on the
 * embedded local host: the exact bytes scripts and automation match.
 */
import { strict as assert } from 'node:assert';
import { PassThrough } from 'node:stream';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { examplePath, run, type CliResult } from '../../helpers/run-cli';
import { readPayloadObject } from '../../../src/cli/payload';
import { AppError } from '../../../src/core/errors';
import { tree } from '../../helpers/tree';

const ZONE = '11111111-2222-4333-8444-555555555555';
const BHYVE = '22222222-3333-4444-8555-666666666666';
const IMAGE = '2b683a82-a066-11e3-97ab-2faa44701c5a';

let roots: string[] = [];

function newRoot(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vmadm-conf-'));
  roots.push(root);
  return root;
}

function vmadm(root: string, args: string[], input?: string): Promise<CliResult> {
  return run('vmadm', args, { input, env: { VMADM_ROOT: root, VMADM_HOST: 'local' } });
}

async function ok(p: Promise<CliResult>): Promise<CliResult> {
  const r = await p;
  assert.equal(r.status, 0, r.stderr);
  return r;
}

async function createZone(root: string, extra: Record<string, unknown> = {}): Promise<void> {
  await ok(vmadm(root, ['create'], JSON.stringify({ brand: 'joyent', uuid: ZONE, image_uuid: IMAGE, alias: 'zone1', ...extra })));
}

async function createBhyve(root: string): Promise<void> {
  const spec = JSON.parse(fs.readFileSync(examplePath('vms', 'bhyve-vm.json'), 'utf8'));
  await ok(vmadm(root, ['create'], JSON.stringify({ ...spec, uuid: BHYVE })));
}

afterEach(() => {
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
  roots = [];
});

describe('vmadm conformance: global flags and arguments (§1)', () => {
  it('-v/--verbose and -d/--debug are accepted by every command, validate included', async () => {
    const root = newRoot();
    await createZone(root);
    const spec = examplePath('vms', 'dual-stack-zone.json');
    for (const args of [
      ['get', ZONE, '-v'], ['json', '-d', ZONE], ['list', '--verbose'], ['lookup', '--debug', `uuid=${ZONE}`],
      ['validate', 'create', '-v', '-f', spec], ['validate', 'update', 'joyent', '-d', '-f', examplePath('vms', 'update-add-nic.json')],
      ['update', ZONE, '-v', 'alias=zone2'], ['stop', '-d', ZONE], ['start', ZONE, '-v'], ['reboot', '-d', ZONE], ['delete', '-v', ZONE],
    ]) {
      const r = await vmadm(root, args);
      assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    }
  });

  it('a bad or missing UUID is the usage error "Invalid or missing UUID for <command as typed>", exit 2', async () => {
    const root = newRoot();
    for (const cmd of ['get', 'json', 'update', 'delete', 'destroy', 'start', 'boot', 'stop', 'halt', 'reboot']) {
      for (const args of [[cmd], [cmd, 'not-a-uuid'], [cmd, '11111111x2222-4333-8444-555555555555']]) {
        const r = await vmadm(root, args);
        assert.equal(r.status, 2, args.join(' '));
        assert.equal(r.stderr, `vmadm: Invalid or missing UUID for ${cmd}\n`);
        assert.equal(r.stdout, '');
      }
    }
  });

  it('a terminal on stdin is refused naming the verb: create, update, validate (usage, exit 2)', async () => {
    const tty = { stdin: Object.assign(new PassThrough(), { isTTY: true }) };
    for (const [verb, file] of [['create', undefined], ['update', '-'], ['validate', undefined]] as const) {
        await assert.rejects(readPayloadObject(tty, file, 'a payload', verb), (e: unknown) => {
          assert.ok(e instanceof AppError);
          assert.equal((e as AppError).exitCode, 2);
          assert.equal((e as Error).message, `Will not ${verb} from stdin when stdin is a tty.`);
          return true;
        });
    }
  });

  it('a missing payload file and bad JSON are SmartOS\'s words, exit 1', async () => {
    const root = newRoot();
    const r = await vmadm(root, ['create', '-f', '/nonexistent/vm.json']);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, 'vmadm: File: /nonexistent/vm.json does not exist.\n');
    const bad = await vmadm(root, ['create'], '{"brand":');
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /^vmadm: Invalid JSON payload: /);
  });
});

describe('vmadm conformance: create and get (§3, §5)', () => {
  it('a UUID in use: "VM with UUID <u> already exists", exit 1', async () => {
    const root = newRoot();
    await createZone(root);
    const r = await vmadm(root, ['create'], JSON.stringify({ brand: 'joyent', uuid: ZONE, image_uuid: IMAGE }));
    assert.equal(r.status, 1);
    assert.equal(r.stderr, `vmadm: VM with UUID ${ZONE} already exists\n`);
  });

  it('get prints the default keys of a joyent VM in SmartOS order: firewall_enabled, resolvers and snapshots always present', async () => {
    const root = newRoot();
    await createZone(root, { autoboot: false });
    const vm = JSON.parse((await ok(vmadm(root, ['get', ZONE]))).stdout);
    assert.equal(vm.firewall_enabled, false);
    assert.deepEqual(vm.resolvers, []);
    assert.deepEqual(vm.snapshots, []);
    assert.deepEqual(Object.keys(vm), [
      'alias', 'autoboot', 'billing_id', 'brand', 'cpu_shares', 'create_timestamp', 'customer_metadata', 'dns_domain', 'firewall_enabled',
      'hvm', 'image_uuid', 'internal_metadata', 'last_modified', 'limit_priv', 'max_locked_memory', 'max_lwps', 'max_msg_ids',
      'max_physical_memory', 'max_sem_ids', 'max_shm_ids', 'max_shm_memory', 'max_swap', 'nics', 'owner_uuid', 'platform_buildstamp',
      'quota', 'resolvers', 'routes', 'server_uuid', 'snapshots', 'state', 'tags', 'tmpfs', 'uuid', 'v', 'zfs_filesystem',
      'zfs_io_priority', 'zfs_root_recsize', 'zonename', 'zonepath', 'zpool', 'zone_state',
    ]);
    assert.equal(vm.limit_priv, 'default');
  });

  it('get of an HVM VM: hvm true, disks, ram and vcpus; no dns_domain or tmpfs', async () => {
    const root = newRoot();
    await createBhyve(root);
    const vm = JSON.parse((await ok(vmadm(root, ['json', BHYVE]))).stdout);
    assert.equal(vm.hvm, true);
    assert.ok(Array.isArray(vm.disks));
    assert.equal(typeof vm.ram, 'number');
    assert.equal(typeof vm.vcpus, 'number');
    assert.equal('dns_domain' in vm, false);
    assert.equal('tmpfs' in vm, false);
  });
});

describe('vmadm conformance: list (§6)', () => {
  it('-h and -H set one switch: the last given wins, and -h forces the header with -p', async () => {
    const root = newRoot();
    await createZone(root, { autoboot: false });
    assert.equal((await ok(vmadm(root, ['list', '-p', '-o', 'uuid,alias', '-h']))).stdout, `UUID:ALIAS\n${ZONE}:zone1\n`);
    assert.equal((await ok(vmadm(root, ['list', '-H', '-h', '-o', 'alias']))).stdout, 'ALIAS\nzone1\n');
    assert.equal((await ok(vmadm(root, ['list', '-h', '-H', '-o', 'alias']))).stdout, 'zone1\n');
    assert.equal((await ok(vmadm(root, ['list', '-p', '-o', 'alias,autoboot,firewall_enabled,quota']))).stdout, 'zone1:::10\n');
  });

  it('-s takes a descending key that looks like a flag (-s -hostname, -s-alias)', async () => {
    const root = newRoot();
    await createZone(root, { autoboot: false, hostname: 'aaa' });
    await ok(vmadm(root, ['create'], JSON.stringify({ brand: 'joyent', image_uuid: IMAGE, alias: 'zone2', hostname: 'bbb', autoboot: false })));
    assert.equal((await ok(vmadm(root, ['list', '-H', '-o', 'hostname', '-s', '-hostname']))).stdout, 'bbb\naaa\n');
    assert.equal((await ok(vmadm(root, ['list', '-H', '-o', 'alias', '-s-alias']))).stdout, 'zone2\nzone1\n');
    assert.equal((await ok(vmadm(root, ['list', '-H', '-o', 'alias', '--sortby=+alias']))).stdout, 'zone1\nzone2\n');
  });

  it('default columns and widths, two-space join, right-trimmed; nested columns 20 wide', async () => {
    const root = newRoot();
    await createZone(root, { autoboot: false, nics: [{ nic_tag: 'admin', ips: ['10.1.1.5/24'] }] });
    const r = await ok(vmadm(root, ['list']));
    assert.equal(
      r.stdout,
      'UUID                                  TYPE  RAM      STATE             ALIAS\n' +
        `${ZONE}  OS    256      stopped           zone1\n`,
    );
    const n = await ok(vmadm(root, ['list', '-o', 'nics.0.ip,alias,cpu_cap']));
    assert.equal(n.stdout, 'NICS.0.IP             ALIAS       CPU_CAP\n10.1.1.5              zone1       -\n');
  });
});

describe('vmadm conformance: update key=value (§8)', () => {
  it('splits as SmartOS: a key without "=" unsets it, a key given twice keeps the last value', async () => {
    const root = newRoot();
    await createZone(root, { autoboot: false });
    assert.equal((await ok(vmadm(root, ['update', ZONE, 'alias=a', 'alias=b']))).stderr, `Successfully updated VM ${ZONE}\n`);
    assert.equal(JSON.parse((await ok(vmadm(root, ['get', ZONE]))).stdout).alias, 'b');
    assert.equal((await ok(vmadm(root, ['update', ZONE, 'alias']))).stderr, `Successfully updated VM ${ZONE}\n`);
    assert.equal('alias' in JSON.parse((await ok(vmadm(root, ['get', ZONE]))).stdout), false);
  });

  it('booleans and integers given as strings; k=v wins over -f', async () => {
    const root = newRoot();
    await createZone(root, { autoboot: false });
    const file = path.join(root, 'u.json');
    fs.writeFileSync(file, JSON.stringify({ alias: 'from-file' }));
    await ok(vmadm(root, ['update', ZONE, '-f', file, 'firewall_enabled=true', 'cpu_shares=50', 'do_not_inventory=1']));
    const vm = JSON.parse((await ok(vmadm(root, ['get', ZONE]))).stdout);
    assert.deepEqual([vm.alias, vm.firewall_enabled, vm.cpu_shares, vm.do_not_inventory], ['zone1', true, 50, true]);
  });
});

describe('vmadm conformance: start, stop, reboot, delete (§9)', () => {
  it('stop -t on a zone is refused (exit 1, nothing changed); on bhyve it is taken', async () => {
    const root = newRoot();
    await createZone(root);
    const r = await vmadm(root, ['stop', ZONE, '-t', '5']);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, 'vmadm: Timeout option is only supported for bhyve, KVM and docker containers.\n');
    assert.equal(JSON.parse((await ok(vmadm(root, ['get', ZONE]))).stdout).state, 'running');
    await createBhyve(root);
    assert.equal((await ok(vmadm(root, ['stop', BHYVE, '-t', '5']))).stderr, `Successfully completed stop for VM ${BHYVE}\n`);
    const vm = JSON.parse((await ok(vmadm(root, ['get', BHYVE]))).stdout);
    assert.deepEqual([vm.state, vm.autoboot], ['stopped', false]);
  });

  it('start of a running VM: message on stderr, exit 0; start args other than order/disk/cdrom are usage errors', async () => {
    const root = newRoot();
    await createZone(root);
    const r = await ok(vmadm(root, ['start', ZONE]));
    assert.equal(r.stderr, `Unable to start VM ${ZONE}: VM ${ZONE} is already 'running'\n`);
    const bad = await vmadm(root, ['start', ZONE, 'foo=bar']);
    assert.equal(bad.status, 2);
    assert.equal(bad.stderr, 'vmadm: Invalid argument to start: foo\n');
    const bare = await vmadm(root, ['boot', ZONE, 'order']);
    assert.equal(bare.status, 0, bare.stderr);
  });

  it('stop of a stopped VM: message, exit 0; reboot of a stopped VM: exit 1', async () => {
    const root = newRoot();
    await createZone(root, { autoboot: false });
    assert.equal((await ok(vmadm(root, ['halt', ZONE]))).stderr, `VM ${ZONE} is already not 'running' (currently: stopped)\n`);
    const r = await vmadm(root, ['reboot', ZONE]);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, 'vmadm: Cannot reboot vm from state "stopped", must be "running"\n');
  });

  it('delete refuses indestructible_* with the exact text and clears nothing else; destroy removes the VM', async () => {
    const root = newRoot();
    await createZone(root, { indestructible_zoneroot: true });
    const r = await vmadm(root, ['delete', ZONE]);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, `vmadm: Failed to delete VM ${ZONE}: indestructible_zoneroot is set, cannot delete\n`);
    await ok(vmadm(root, ['update', ZONE, 'indestructible_zoneroot=false', 'indestructible_delegated=true']));
    const d = await vmadm(root, ['delete', ZONE]);
    assert.equal(d.stderr, `vmadm: Failed to delete VM ${ZONE}: indestructible_delegated is set, cannot delete\n`);
    await ok(vmadm(root, ['update', ZONE, 'indestructible_delegated=false']));
    assert.equal((await ok(vmadm(root, ['destroy', ZONE]))).stderr, `Successfully deleted VM ${ZONE}\n`);
    assert.equal((await ok(vmadm(root, ['list', '-H']))).stdout, '');
  });
});

describe('vmadm conformance: §15 "Settled"', () => {
  const A = ZONE;
  const B = BHYVE;
  const C = '33333333-4444-4555-8666-777777777777';
  const CONFLICT = 'Conflict detected with another vm, please check the MAC, IP, and VRID';
  const send = (root: string, args: string[], payload: object): Promise<CliResult> => vmadm(root, args, JSON.stringify(payload));
  const get = async (root: string, uuid: string): Promise<Record<string, any>> => JSON.parse((await ok(vmadm(root, ['get', uuid]))).stdout);
  /** What "nothing changed" compares: every file of the root but the lock (which names its last holder). */
  const unchanged = (root: string): Record<string, string> => tree(root, ['.lock']);

  describe('vmadm §15: conflicts across VMs', () => {
    /** A zone with an address and a VRID on external vlan 5, a kvm VM with VNC port 5901, a bhyve VM. */
    async function threeVms(root: string): Promise<void> {
      await ok(send(root, ['create'], { uuid: A, image_uuid: IMAGE, autoboot: false, nics: [{ nic_tag: 'external', vlan_id: 5, ips: ['10.0.0.5/24'], vrrp_vrid: 9 }] }));
      await ok(send(root, ['create'], { uuid: B, brand: 'kvm', autoboot: false, vnc_port: 5901, nics: [{ nic_tag: 'external', mac: '90:b8:d0:00:00:02', ips: ['10.0.0.6/24'] }] }));
      await ok(send(root, ['create'], { uuid: C, brand: 'bhyve', autoboot: false }));
    }

    const refusals: Array<[string, string[], object, string]> = [
      ['create with an IP another VM holds on its nic_tag and vlan', ['create'], { image_uuid: IMAGE, nics: [{ nic_tag: 'external', vlan_id: 5, ips: ['10.0.0.5/16'] }] }, `IP 10.0.0.5 on nic_tag external vlan 5 is in use by VM ${A}`],
      ['create with a VRID another VM holds on its nic_tag and vlan', ['create'], { image_uuid: IMAGE, nics: [{ nic_tag: 'external', vlan_id: 5, vrrp_vrid: 9 }] }, `VRID 9 on nic_tag external vlan 5 is in use by VM ${A}`],
      ['create with a VNC port another VM holds', ['create'], { brand: 'bhyve', vnc_port: 5901 }, `vnc_port 5901 is in use by VM ${B}`],
      ['add_nics with a MAC another VM holds', ['update', C], { add_nics: [{ nic_tag: 'internal', mac: '90:B8:D0:00:00:02' }] }, `MAC 90:b8:d0:00:00:02 is in use by VM ${B}`],
      ['update_nics to an IP another VM holds', ['update', B], { update_nics: [{ mac: '90:b8:d0:00:00:02', ips: ['10.0.0.5/24'], vlan_id: 5 }] }, `IP 10.0.0.5 on nic_tag external vlan 5 is in use by VM ${A}`],
      ['update to a VNC port another VM holds', ['update', C], { vnc_port: 5901 }, `vnc_port 5901 is in use by VM ${B}`],
    ];
    for (const [what, args, payload, held] of refusals) {
      it(`${what}: refused, exit 1, nothing changed`, async () => {
        const root = newRoot();
        await threeVms(root);
        const before = unchanged(root);
        const r = await send(root, args, payload);
        assert.deepEqual([r.status, r.stdout, r.stderr], [1, '', `vmadm: ${CONFLICT} (${held})\n`]);
        assert.deepEqual(unchanged(root), before);
      });
    }

    it('the same IP on another nic_tag or vlan, dhcp, and a VM\'s own addresses are no conflict', async () => {
      const root = newRoot();
      await threeVms(root);
      await ok(send(root, ['create'], { image_uuid: IMAGE, nics: [{ nic_tag: 'internal', vlan_id: 5, ips: ['10.0.0.5/24'] }] }));
      await ok(send(root, ['create'], { image_uuid: IMAGE, nics: [{ nic_tag: 'external', ips: ['10.0.0.5/24', 'dhcp'] }] }));
      await ok(send(root, ['create'], { image_uuid: IMAGE, nics: [{ nic_tag: 'external', vlan_id: 5, ips: ['dhcp'] }] }));
      // an update checks what it adds: the VM's own MAC, address and VNC port are not in conflict with it
      await ok(send(root, ['update', B], { update_nics: [{ mac: '90:b8:d0:00:00:02', ips: ['10.0.0.6/24'], mtu: 1500 }], vnc_port: 5901, ram: 512 }));
    });
  });

  describe('vmadm §15: get', () => {
    it('server_uuid (the same for every VM of the root) and platform_buildstamp; boot_timestamp and init_restarts while running', async () => {
      const root = newRoot();
      await ok(send(root, ['create'], { uuid: A, image_uuid: IMAGE, nics: [{ nic_tag: 'external' }] }));
      await ok(send(root, ['create'], { uuid: B, brand: 'bhyve', autoboot: false }));
      const a = await get(root, A);
      const b = await get(root, B);
      assert.match(a.server_uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.equal(b.server_uuid, a.server_uuid);
      assert.match(a.platform_buildstamp, /^smartos-netadm-\d+\.\d+\.\d+/);
      assert.ok(!Number.isNaN(Date.parse(a.boot_timestamp)), a.boot_timestamp);
      assert.equal(a.init_restarts, 0);
      assert.equal('boot_timestamp' in b, false);
      assert.equal('init_restarts' in b, false);
      // a NIC without addresses has no ips; compression off is not shown; an HVM VM has disks
      assert.equal('ips' in a.nics[0], false);
      assert.equal('zfs_root_compression' in a, false);
      assert.deepEqual(b.disks, []);
      await ok(vmadm(root, ['stop', A]));
      assert.equal('boot_timestamp' in (await get(root, A)), false);
      await ok(vmadm(root, ['start', A]));
      assert.ok('boot_timestamp' in (await get(root, A)));
      const lookup = JSON.parse((await ok(vmadm(root, ['lookup', '-j', `uuid=${A}`]))).stdout);
      assert.equal(lookup[0].server_uuid, a.server_uuid);
    });
  });

  describe('vmadm §15: update', () => {
    it('a gateway for a stored NIC\'s address is accepted (it was refused: "the NIC has no IPv4 address")', async () => {
      const root = newRoot();
      await ok(send(root, ['create'], { uuid: A, image_uuid: IMAGE, nics: [{ nic_tag: 'external', mac: '90:b8:d0:00:00:01', ips: ['10.1.0.5/24'] }] }));
      const payload = { update_nics: [{ mac: '90:b8:d0:00:00:01', gateways: ['10.1.0.254'] }] };
      assert.deepEqual((await ok(run('vmadm', ['validate', 'update', 'joyent'], { input: JSON.stringify(payload) }))).stdout, 'VALID update payload for joyent brand VMs.\n');
      assert.equal((await ok(send(root, ['update', A], payload))).stderr.split('\n')[0], `Successfully updated VM ${A}`);
      assert.deepEqual((await get(root, A)).nics[0].gateways, ['10.1.0.254']);
      const bad = await send(root, ['update', A], { update_nics: [{ mac: '90:b8:d0:00:00:01', gateways: ['10.2.0.1'] }] });
      assert.deepEqual([bad.status, bad.stdout], [1, 'bad_values: update_nics.0.gateways\n']);
      assert.equal(bad.stderr, 'update_nics.0.gateways: 10.2.0.1 is not inside any of the NIC\'s IPv4 subnets (10.1.0.5/24)\n');
    });

    it('remove_filesystems of a target the VM has no filesystem on is refused, never "unchanged"', async () => {
      const root = newRoot();
      await ok(send(root, ['create'], { uuid: A, image_uuid: IMAGE }));
      const before = unchanged(root);
      const r = await send(root, ['update', A], { remove_filesystems: ['/data'] });
      assert.deepEqual([r.status, r.stdout, r.stderr], [1, 'bad_values: remove_filesystems\n', 'remove_filesystems: "/data": the VM has no filesystem mounted there\n']);
      assert.deepEqual(unchanged(root), before);
    });

    it('max_shm_memory: null removes the rctl (it was an internal error that left a journal no command could finish)', async () => {
      const root = newRoot();
      await ok(send(root, ['create'], { uuid: A, image_uuid: IMAGE }));
      assert.equal((await ok(send(root, ['update', A], { max_shm_memory: null, owner_uuid: null }))).stderr.split('\n')[0], `Successfully updated VM ${A}`);
      const vm = await get(root, A);
      assert.equal('max_shm_memory' in vm, false);
      assert.equal('owner_uuid' in vm, false);
      await ok(send(root, ['update', A], { max_shm_memory: 512 }));
      assert.equal((await get(root, A)).max_shm_memory, 512);
    });

    it('vnc_port -1 creates a VM without VNC (it was an internal error)', async () => {
      const root = newRoot();
      await ok(send(root, ['create'], { uuid: B, brand: 'kvm', vnc_port: -1, autoboot: false }));
      assert.equal((await get(root, B)).vnc_port, -1);
    });

    it('loose types are taken and said: "ram": "512", "autoboot": "false"', async () => {
      const root = newRoot();
      const r = await ok(send(root, ['create'], { uuid: A, image_uuid: IMAGE, ram: '512', autoboot: 'false' }));
      assert.deepEqual(r.stderr.split('\n').slice(0, 3), [`Successfully created VM ${A}`, 'note: ram: "512" stored as 512', 'note: autoboot: "false" stored as false']);
      const vm = await get(root, A);
      assert.deepEqual([vm.max_physical_memory, vm.autoboot, vm.state], [512, false, 'stopped']);
    });
  });
});
