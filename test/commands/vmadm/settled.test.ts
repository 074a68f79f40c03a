/**
 * docs/vmadm-cli.md §15 "Settled" as an operator or a script meets it (in
 * this process, as bin/vmadm runs it, on the embedded local host): the
 * conflicts across VMs, what get shows, the update of a stored NIC's
 * gateway, unsupported keys, and the unsets that used to end in an
 * internal error.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run, type CliResult } from '../../helpers/run-cli';

const IMAGE = '2b683a82-a066-11e3-97ab-2faa44701c5a';
const A = '11111111-2222-4333-8444-555555555555';
const B = '22222222-3333-4444-8555-666666666666';
const C = '33333333-4444-4555-8666-777777777777';
const CONFLICT = 'Conflict detected with another vm, please check the MAC, IP, and VRID';

let roots: string[] = [];

function newRoot(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vmadm-settled-'));
  roots.push(root);
  return root;
}

function vmadm(root: string, args: string[], input?: object): Promise<CliResult> {
  return run('vmadm', args, { input: input === undefined ? undefined : JSON.stringify(input), env: { VMADM_ROOT: root, VMADM_HOST: 'local' } });
}

async function ok(p: Promise<CliResult>): Promise<CliResult> {
  const r = await p;
  assert.equal(r.status, 0, r.stderr);
  return r;
}

async function get(root: string, uuid: string): Promise<Record<string, any>> {
  return JSON.parse((await ok(vmadm(root, ['get', uuid]))).stdout);
}

/** Every file under the root, with its content: what "nothing changed" compares. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name !== '.lock') out[path.relative(root, p)] = fs.readFileSync(p, 'utf8');
    }
  };
  walk(root);
  return out;
}

afterEach(() => {
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
  roots = [];
});

describe('vmadm §15: conflicts across VMs', () => {
  /** A zone with an address and a VRID on external vlan 5, a kvm VM with VNC port 5901, a bhyve VM. */
  async function threeVms(root: string): Promise<void> {
    await ok(vmadm(root, ['create'], { uuid: A, image_uuid: IMAGE, autoboot: false, nics: [{ nic_tag: 'external', vlan_id: 5, ips: ['10.0.0.5/24'], vrrp_vrid: 9 }] }));
    await ok(vmadm(root, ['create'], { uuid: B, brand: 'kvm', autoboot: false, vnc_port: 5901, nics: [{ nic_tag: 'external', mac: '90:b8:d0:00:00:02', ips: ['10.0.0.6/24'] }] }));
    await ok(vmadm(root, ['create'], { uuid: C, brand: 'bhyve', autoboot: false }));
  }

  const refusals: Array<[string, string[], object, string]> = [
    ['create with an IP another VM holds on its nic_tag and vlan', ['create'], { image_uuid: IMAGE, nics: [{ nic_tag: 'external', vlan_id: 5, ips: ['10.0.0.5/16'] }] }, `IP 10.0.0.5 on nic_tag external vlan 5 is in use by VM ${A}`],
    ['create with a VRID another VM holds on its nic_tag and vlan', ['create'], { image_uuid: IMAGE, nics: [{ nic_tag: 'external', vlan_id: 5, vrrp_vrid: 9 }] }, `MAC 00:00:5e:00:01:09 is in use by VM ${A}`],
    ['create with a VNC port another VM holds', ['create'], { brand: 'bhyve', vnc_port: 5901 }, `vnc_port 5901 is in use by VM ${B}`],
    ['add_nics with a MAC another VM holds', ['update', C], { add_nics: [{ nic_tag: 'internal', mac: '90:B8:D0:00:00:02' }] }, `MAC 90:b8:d0:00:00:02 is in use by VM ${B}`],
    ['update_nics to an IP another VM holds', ['update', B], { update_nics: [{ mac: '90:b8:d0:00:00:02', ips: ['10.0.0.5/24'], vlan_id: 5 }] }, `IP 10.0.0.5 on nic_tag external vlan 5 is in use by VM ${A}`],
    ['update to a VNC port another VM holds', ['update', C], { vnc_port: 5901 }, `vnc_port 5901 is in use by VM ${B}`],
  ];
  for (const [what, args, payload, held] of refusals) {
    it(`${what}: refused, exit 1, nothing changed`, async () => {
      const root = newRoot();
      await threeVms(root);
      const before = snapshot(root);
      const r = await vmadm(root, args, payload);
      assert.deepEqual([r.status, r.stdout, r.stderr], [1, '', `vmadm: ${CONFLICT} (${held})\n`]);
      assert.deepEqual(snapshot(root), before);
    });
  }

  it('the same IP on another nic_tag or vlan, dhcp, and a VM\'s own addresses are no conflict', async () => {
    const root = newRoot();
    await threeVms(root);
    await ok(vmadm(root, ['create'], { image_uuid: IMAGE, nics: [{ nic_tag: 'internal', vlan_id: 5, ips: ['10.0.0.5/24'] }] }));
    await ok(vmadm(root, ['create'], { image_uuid: IMAGE, nics: [{ nic_tag: 'external', ips: ['10.0.0.5/24', 'dhcp'] }] }));
    await ok(vmadm(root, ['create'], { image_uuid: IMAGE, nics: [{ nic_tag: 'external', vlan_id: 5, ips: ['dhcp'] }] }));
    // an update checks what it adds: the VM's own MAC, address and VNC port are not in conflict with it
    await ok(vmadm(root, ['update', B], { update_nics: [{ mac: '90:b8:d0:00:00:02', ips: ['10.0.0.6/24'], mtu: 1500 }], vnc_port: 5901, ram: 512 }));
  });
});

describe('vmadm §15: get', () => {
  it('server_uuid (the same for every VM of the root) and platform_buildstamp; boot_timestamp and init_restarts while running', async () => {
    const root = newRoot();
    await ok(vmadm(root, ['create'], { uuid: A, image_uuid: IMAGE, nics: [{ nic_tag: 'external' }] }));
    await ok(vmadm(root, ['create'], { uuid: B, brand: 'bhyve', autoboot: false }));
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
    await ok(vmadm(root, ['create'], { uuid: A, image_uuid: IMAGE, nics: [{ nic_tag: 'external', mac: '90:b8:d0:00:00:01', ips: ['10.1.0.5/24'] }] }));
    const payload = { update_nics: [{ mac: '90:b8:d0:00:00:01', gateways: ['10.1.0.254'] }] };
    assert.deepEqual((await ok(run('vmadm', ['validate', 'update', 'joyent'], { input: JSON.stringify(payload) }))).stdout, 'VALID update payload for joyent brand VMs.\n');
    assert.equal((await ok(vmadm(root, ['update', A], payload))).stderr.split('\n')[0], `Successfully updated VM ${A}`);
    assert.deepEqual((await get(root, A)).nics[0].gateways, ['10.1.0.254']);
    const bad = await vmadm(root, ['update', A], { update_nics: [{ mac: '90:b8:d0:00:00:01', gateways: ['10.2.0.1'] }] });
    assert.deepEqual([bad.status, bad.stdout], [1, 'bad_values: update_nics.0.gateways\n']);
    assert.equal(bad.stderr, 'update_nics.0.gateways: 10.2.0.1 is not inside any of the NIC\'s IPv4 subnets (10.1.0.5/24)\n');
  });

  it('a key known but not implemented is refused, never "unchanged"', async () => {
    const root = newRoot();
    await ok(vmadm(root, ['create'], { uuid: A, image_uuid: IMAGE }));
    const before = snapshot(root);
    const r = await vmadm(root, ['update', A], { remove_filesystems: ['/data'] });
    assert.deepEqual([r.status, r.stdout, r.stderr], [1, 'bad_values: remove_filesystems\n', 'remove_filesystems is not supported by this vmadm\n']);
    assert.deepEqual(snapshot(root), before);
  });

  it('max_shm_memory: null removes the rctl (it was an internal error that left a journal no command could finish)', async () => {
    const root = newRoot();
    await ok(vmadm(root, ['create'], { uuid: A, image_uuid: IMAGE }));
    assert.equal((await ok(vmadm(root, ['update', A], { max_shm_memory: null, owner_uuid: null }))).stderr.split('\n')[0], `Successfully updated VM ${A}`);
    const vm = await get(root, A);
    assert.equal('max_shm_memory' in vm, false);
    assert.equal('owner_uuid' in vm, false);
    await ok(vmadm(root, ['update', A], { max_shm_memory: 512 }));
    assert.equal((await get(root, A)).max_shm_memory, 512);
  });

  it('vnc_port -1 creates a VM without VNC (it was an internal error)', async () => {
    const root = newRoot();
    await ok(vmadm(root, ['create'], { uuid: B, brand: 'kvm', vnc_port: -1, autoboot: false }));
    assert.equal((await get(root, B)).vnc_port, -1);
  });

  it('loose types are taken and said: "ram": "512", "autoboot": "false"', async () => {
    const root = newRoot();
    const r = await ok(vmadm(root, ['create'], { uuid: A, image_uuid: IMAGE, ram: '512', autoboot: 'false' }));
    assert.deepEqual(r.stderr.split('\n').slice(0, 3), [`Successfully created VM ${A}`, 'note: ram: "512" stored as 512', 'note: autoboot: "false" stored as false']);
    const vm = await get(root, A);
    assert.deepEqual([vm.max_physical_memory, vm.autoboot, vm.state], [512, false, 'stopped']);
  });
});
