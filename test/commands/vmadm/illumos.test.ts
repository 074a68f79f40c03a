/**
 * vmadm on the illumos host (in this process, as bin/vmadm runs it; the
 * kill -9 tests through the real ./bin/vmadm), against the fake
 * zonecfg/zoneadm/zlogin/zfs of test/fakes/bin put first on PATH: the fakes
 * record every call (FAKE_HOST_LOG) and keep the zones they were told to
 * make (FAKE_HOST_STATE); the fake zonecfg applies each script to the
 * stored configuration and refuses what zonecfg would refuse. So these
 * tests assert the exact commands sent, that zonecfg took them, and what
 * the host holds afterwards.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { examplePath, repoRoot, run, type CliResult } from '../../helpers/run-cli';

const U = '5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11'; // examples/vms/dual-stack-zone.json
const IMAGE = '2b683a82-a066-11e3-97ab-2faa44701c5a';
const CREATED = /^Successfully created VM ([0-9a-f-]{36})\n/;

interface Call {
  argv: string[];
  stdin: string;
}

interface FakeZone {
  zonename: string;
  uuid: string;
  zonepath: string;
  state: string;
  quota?: number;
  config: { props: Record<string, string>; nets: { 'mac-addr': string; physical: string; 'global-nic': string; properties: { name: string; value: string }[] }[] };
}

class FakeHost {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmadm-illumos-'));
  readonly root = path.join(this.dir, 'root');
  readonly log = path.join(this.dir, 'host.log');
  readonly state = path.join(this.dir, 'fake-state');
  readonly env: NodeJS.ProcessEnv = {
    VMADM_HOST: 'illumos',
    VMADM_HOST_PATH_LOOKUP: '1',
    VMADM_ALTROOT: path.join(this.dir, 'host-fs'),
    VMADM_ROOT: '',
    FAKE_HOST_LOG: this.log,
    FAKE_HOST_STATE: this.state,
    PATH: [path.join(repoRoot, 'test', 'fakes', 'bin'), process.env.PATH].join(path.delimiter),
  };
  private seen = 0;

  /** vmadm in this process. */
  run(args: string[], input?: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
    return run('vmadm', [args[0], '--root', this.root, ...args.slice(1)], { input, env: { ...this.env, ...env } });
  }

  async createVm(file: string): Promise<string> {
    const r = await this.run(['create', '-f', examplePath('vms', file)]);
    assert.equal(r.status, 0, r.stderr);
    return CREATED.exec(r.stderr)![1];
  }

  async getVm(uuid: string): Promise<Record<string, any>> {
    const r = await this.run(['get', uuid]);
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
  }

  /** Calls logged since the last time this was asked. */
  calls(): Call[] {
    const all = fs.existsSync(this.log) ? fs.readFileSync(this.log, 'utf8').trimEnd().split('\n').filter(Boolean) : [];
    const out = all.slice(this.seen).map((l) => JSON.parse(l) as Call);
    this.seen = all.length;
    return out;
  }

  argvs(): string[] {
    return this.calls().map((c) => c.argv.join(' '));
  }

  zones(): FakeZone[] {
    const dir = path.join(this.state, 'zones');
    if (!fs.existsSync(dir)) return [];
    // a fake killed mid-write may leave its temp file (<zone>.json.<pid>.tmp): not a zone
    return fs
      .readdirSync(dir)
      .filter((n) => n.endsWith('.json'))
      .map((n) => JSON.parse(fs.readFileSync(path.join(dir, n), 'utf8')) as FakeZone);
  }

  zone(uuid: string): FakeZone | undefined {
    return this.zones().find((z) => z.uuid === uuid);
  }
}

/** A MAC as zonecfg stores it: leading zeros stripped per octet. */
function zonecfgMac(mac: string): string {
  return mac
    .split(':')
    .map((o) => o.replace(/^0(?=.)/, ''))
    .join(':');
}

/** The NICs of the zone's stored configuration, as `<mac> <physical> <global-nic>[ primary]`, in MAC order. */
function zoneNics(z: FakeZone): string[] {
  return z.config.nets
    .map((n) => `${n['mac-addr']} ${n.physical} ${n['global-nic']}${n.properties.some((p) => p.name === 'primary' && p.value === 'true') ? ' primary' : ''}`)
    .sort();
}

/** The same view of the VM's record. */
function recordNics(vm: Record<string, any>): string[] {
  return (vm.nics as Record<string, any>[]).map((n) => `${zonecfgMac(n.mac)} ${n.interface} ${n.nic_tag}${n.primary ? ' primary' : ''}`).sort();
}

let hosts: FakeHost[] = [];

function newHost(): FakeHost {
  const h = new FakeHost();
  hosts.push(h);
  return h;
}

afterEach(() => {
  for (const h of hosts) fs.rmSync(h.dir, { recursive: true, force: true });
  hosts = [];
});

describe('vmadm on the illumos host: create', () => {
  it('a dual-stack joyent VM: zonecfg -z with the script on stdin, zoneadm install -q -t -x nodataset, boot', async () => {
    const h = newHost();
    const r = await h.run(['create', '-f', examplePath('vms', 'dual-stack-zone.json')]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr.split('\n')[0], `Successfully created VM ${U}`);
    const calls = h.calls();
    assert.deepEqual(
      calls.map((c) => c.argv.join(' ')),
      [`zoneadm -z ${U} list -p`, `zonecfg -z ${U}`, `zoneadm -z ${U} install -q 20 -t ${IMAGE} -x nodataset`, `zoneadm -z ${U} boot`],
    );
    const script = calls[1].stdin;
    assert.match(script, new RegExp(`^create -b\\nset zonepath=/zones/${U}\\nset brand=joyent\\nset uuid=${U}\\nset ip-type=exclusive\\n`));
    assert.match(script, /\nadd net\nset physical=net0\nset mac-addr=90:b8:d0:aa:bb:1\nset global-nic=external\n/);
    // zonecfg took it: the host holds the zone, running, with both NICs and the primary marked
    const z = h.zone(U)!;
    assert.deepEqual([z.state, z.quota, z.config.props.zonepath, z.config.props.autoboot], ['running', 20, `/zones/${U}`, 'true']);
    const vm = await h.getVm(U);
    assert.deepEqual([vm.state, vm.zonepath], ['running', `/zones/${U}`]);
    assert.deepEqual(zoneNics(z), recordNics(vm));
    assert.equal(zoneNics(z).filter((n) => n.endsWith(' primary')).length, 1);
    // the config files SmartOS keeps, in the zonepath (under VMADM_ALTROOT)
    const config = path.join(h.env.VMADM_ALTROOT!, 'zones', U, 'config');
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(config, 'tags.json'), 'utf8')), { role: 'www', env: 'prod' });
  });

  it('lx and bhyve VMs: their brands, the default quota, no -t without an image, no boot without autoboot', async () => {
    const h = newHost();
    const lx = await h.createVm('lx-dhcp.json');
    assert.deepEqual(h.argvs(), [`zonecfg -z ${lx}`, `zoneadm -z ${lx} install -q 10 -t 7b5981c4-1889-11e7-b4c5-3f3bdfc9b88b -x nodataset`, `zoneadm -z ${lx} boot`]);
    assert.equal(h.zone(lx)!.config.props.brand, 'lx');
    assert.deepEqual(zoneNics(h.zone(lx)!), recordNics(await h.getVm(lx)));

    const spec = { ...JSON.parse(fs.readFileSync(examplePath('vms', 'bhyve-vm.json'), 'utf8')), autoboot: false };
    const r = await h.run(['create'], JSON.stringify(spec));
    assert.equal(r.status, 0, r.stderr);
    const bhyve = CREATED.exec(r.stderr)![1];
    // its disks after the install, inside the zone's dataset: the image's a clone, the data disk a new volume
    assert.deepEqual(h.argvs(), [
      `zonecfg -z ${bhyve}`,
      `zoneadm -z ${bhyve} install -q 1 -x nodataset`,
      `zfs clone -o refreservation=10240M -o compression=off zones/462d1d03-8457-e134-a408-cf9ea2b9be96@final zones/${bhyve}/disk0`,
      `zfs create -o refreservation=102400M -o compression=off -b 8192 -V 102400M zones/${bhyve}/disk1`,
    ]);
    const z = h.zone(bhyve)!;
    assert.deepEqual([z.state, z.config.props.brand], ['installed', 'bhyve']);
    assert.equal((await h.getVm(bhyve)).state, 'stopped');
    h.calls();
    assert.deepEqual((await h.run(['start', bhyve])).stderr, `Successfully started VM ${bhyve}\n`);
    const calls = h.calls();
    assert.deepEqual(
      calls.map((c) => c.argv.join(' ')),
      [`zonecfg -u ${bhyve}`, `zoneadm -z ${bhyve} boot`],
    );
    assert.equal(h.zone(bhyve)!.state, 'running');
  });

  it('a failing host program: one line naming it and its stderr, exit 1, no record, no zone left', async () => {
    const h = newHost();
    const r = await h.run(['create', '-f', examplePath('vms', 'dual-stack-zone.json')], undefined, { FAKE_ZONEADM_FAIL: 'install' });
    assert.deepEqual(
      [r.status, r.stdout, r.stderr],
      [1, '', `vmadm: zoneadm -z ${U} install -q 20 -t ${IMAGE} -x nodataset failed: zoneadm: zone '${U}': install failed: cannot create ZFS dataset zones/${U}: out of space\n`],
    );
    assert.deepEqual(h.argvs(), [
      `zoneadm -z ${U} list -p`,
      `zonecfg -z ${U}`,
      `zoneadm -z ${U} install -q 20 -t ${IMAGE} -x nodataset`,
      `zoneadm -z ${U} list -p`,
      `zonecfg -z ${U} delete -F`,
    ]);
    assert.deepEqual(h.zones(), []);
    assert.equal((await h.run(['list', '-H'])).stdout, '');
    assert.deepEqual(fs.readdirSync(h.root).filter((n) => !n.startsWith('.')), []);
    assert.equal(fs.existsSync(path.join(h.root, '.journal.json')), false);
    // the same create then works
    assert.equal((await h.run(['create', '-f', examplePath('vms', 'dual-stack-zone.json')])).status, 0);
    assert.equal(h.zones().length, 1);
  });

  it('a boot that fails undoes the installed zone too', async () => {
    const h = newHost();
    const r = await h.run(['create', '-f', examplePath('vms', 'dual-stack-zone.json')], undefined, { FAKE_ZONEADM_FAIL: 'boot' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`^vmadm: zoneadm -z ${U} boot failed: zoneadm: zone '${U}': boot failed: `));
    assert.deepEqual(h.argvs().slice(3), [`zoneadm -z ${U} boot`, `zoneadm -z ${U} list -p`, `zoneadm -z ${U} uninstall -F`, `zonecfg -z ${U} delete -F`]);
    assert.deepEqual(h.zones(), []);
    assert.equal((await h.run(['get', U])).stderr, `vmadm: zoneadm: ${U}: No such zone configured\n`);
    assert.ok(!fs.existsSync(path.join(h.env.VMADM_ALTROOT!, 'zones', U, 'config', 'tags.json')));
  });
});

describe('vmadm on the illumos host: update', () => {
  it('NIC changes go to zonecfg -u and apply to the stored zone configuration', async () => {
    const h = newHost();
    await h.createVm('dual-stack-zone.json');
    h.calls();
    const update = async (payload: object): Promise<Call[]> => {
      const r = await h.run(['update', U], JSON.stringify(payload));
      assert.equal(r.stderr.split('\n')[0], `Successfully updated VM ${U}`, r.stderr);
      assert.equal(r.status, 0);
      const calls = h.calls();
      assert.deepEqual(
        calls.map((c) => c.argv.join(' ')),
        [`zonecfg -u ${U}`],
      );
      // the zone's configuration now says what the record says
      assert.deepEqual(zoneNics(h.zone(U)!), recordNics(await h.getVm(U)));
      return calls;
    };
    // add_nics
    let [call] = await update({ add_nics: [{ nic_tag: 'admin', mac: '02:08:20:00:00:0a', ips: ['192.0.2.5/24', 'FD00:1::5/64'] }] });
    assert.match(call.stdin, /add net\nset physical=net2\nset mac-addr=2:8:20:0:0:a\nset global-nic=admin\n/);
    assert.equal(h.zone(U)!.config.nets.length, 3);
    // update_nics: the net is removed and added again
    [call] = await update({ update_nics: [{ mac: '02:08:20:00:00:0a', mtu: 1500 }] });
    assert.match(call.stdin, /remove net mac-addr=2:8:20:0:0:a/);
    const net2 = h.zone(U)!.config.nets.find((n) => n['mac-addr'] === '2:8:20:0:0:a')!;
    assert.ok(net2.properties.some((p) => p.name === 'mtu' && p.value === '1500'), JSON.stringify(net2));
    // the primary moves by update_nics
    await update({ update_nics: [{ mac: '02:08:20:00:00:0a', primary: true }] });
    assert.ok(zoneNics(h.zone(U)!).includes('2:8:20:0:0:a net2 admin primary'));
    // remove_nics of the primary: another one becomes primary, in the zone too
    [call] = await update({ remove_nics: ['02:08:20:00:00:0a'] });
    assert.match(call.stdin, /remove net mac-addr=2:8:20:0:0:a/);
    assert.equal(h.zone(U)!.config.nets.length, 2);
    assert.equal(zoneNics(h.zone(U)!).filter((n) => n.endsWith(' primary')).length, 1);
  });

  it('quota goes to zfs set; a change of properties only to zonecfg -u; an unchanged update runs nothing', async () => {
    const h = newHost();
    await h.createVm('dual-stack-zone.json');
    h.calls();
    let r = await h.run(['update', U, 'quota=30']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(h.argvs(), [`zfs set quota=30g zones/${U}`]);
    assert.equal(h.zone(U)!.quota, 30);
    r = await h.run(['update', U, 'max_lwps=3000', 'alias=web02']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(h.argvs(), [`zonecfg -u ${U}`]);
    assert.equal(h.zone(U)!.config.props['max-lwps'], '3000');
    r = await h.run(['update', U, 'alias=web02']);
    assert.deepEqual([r.status, r.stderr, h.argvs()], [0, `VM ${U} unchanged\n`, []]);
  });

  it('a host program that fails leaves the record as it was', async () => {
    const h = newHost();
    await h.createVm('dual-stack-zone.json');
    const before = await h.getVm(U);
    fs.rmSync(path.join(h.state, 'zones', `${U}.json`)); // the zone vanished behind vmadm's back
    h.calls();
    const r = await h.run(['update', U, 'max_lwps=3000']);
    assert.deepEqual([r.status, r.stderr], [1, `vmadm: zonecfg -u ${U} failed: zonecfg:${U}: No such zone configured\n`]);
    assert.deepEqual(await h.getVm(U), before);
  });
});

describe('vmadm on the illumos host: stop, start, reboot, delete', () => {
  it('graceful and forced stop and reboot, start, and delete with the calls SmartOS makes', async () => {
    const h = newHost();
    await h.createVm('dual-stack-zone.json');
    const lx = await h.createVm('lx-dhcp.json');
    h.calls();
    const outcome = async (...args: string[]): Promise<[number | null, string, string[]]> => {
      const r = await h.run(args);
      return [r.status, r.stderr, h.argvs()];
    };
    assert.deepEqual(await outcome('reboot', U), [0, `Successfully completed reboot for VM ${U}\n`, [`zlogin -Q ${U} /usr/sbin/shutdown -y -g 0 -i 6`]]);
    assert.deepEqual(await outcome('reboot', '-F', U), [0, `Successfully completed reboot for VM ${U}\n`, [`zoneadm -u ${U} reboot -X`]]);
    assert.deepEqual(await outcome('stop', U), [
      0,
      `Successfully completed stop for VM ${U}\n`,
      [`zonecfg -u ${U}`, `zlogin -Q ${U} /usr/sbin/shutdown -y -g 0 -i 5`, `zoneadm -z ${U} list -p`],
    ]);
    assert.deepEqual([h.zone(U)!.state, h.zone(U)!.config.props.autoboot], ['installed', 'false']);
    assert.deepEqual(await outcome('start', U), [0, `Successfully started VM ${U}\n`, [`zonecfg -u ${U}`, `zoneadm -z ${U} boot`]]);
    assert.deepEqual([h.zone(U)!.state, h.zone(U)!.config.props.autoboot], ['running', 'true']);
    assert.deepEqual(await outcome('stop', '-F', U), [0, `Successfully completed stop for VM ${U}\n`, [`zonecfg -u ${U}`, `zoneadm -u ${U} halt -X`]]);
    assert.equal(h.zone(U)!.state, 'installed');
    assert.deepEqual(await outcome('stop', U), [0, `VM ${U} is already not 'running' (currently: stopped)\n`, []]);
    // lx: its own shutdown command
    assert.deepEqual(await outcome('reboot', lx), [0, `Successfully completed reboot for VM ${lx}\n`, [`zlogin -Q ${lx} /sbin/shutdown -r now`]]);
    assert.deepEqual((await outcome('stop', lx)).slice(0, 2), [0, `Successfully completed stop for VM ${lx}\n`]);

    // delete a running VM and a stopped one
    assert.equal((await h.run(['start', lx])).status, 0);
    h.calls();
    assert.deepEqual(await outcome('delete', lx), [
      0,
      `Successfully deleted VM ${lx}\n`,
      // autoboot cleared first, as SmartOS does
      [`zonecfg -u ${lx}`, `zoneadm -z ${lx} list -p`, `zoneadm -u ${lx} halt -X`, `zoneadm -z ${lx} uninstall -F`, `zonecfg -z ${lx} delete -F`],
    ]);
    assert.deepEqual(await outcome('delete', U), [
      0,
      `Successfully deleted VM ${U}\n`,
      [`zoneadm -z ${U} list -p`, `zoneadm -z ${U} uninstall -F`, `zonecfg -z ${U} delete -F`],
    ]);
    assert.deepEqual(h.zones(), []);
    assert.equal((await h.run(['list', '-H'])).stdout, '');
  });

  it('a graceful stop the zone ignores ends in a forced halt', async () => {
    const h = newHost();
    await h.createVm('dual-stack-zone.json');
    h.calls();
    const r = await h.run(['stop', U], undefined, { FAKE_ZLOGIN_IGNORE: '1', VMADM_STOP_TIMEOUT: '1' });
    assert.deepEqual([r.status, r.stderr], [0, `Successfully completed stop for VM ${U}\n`]);
    const argvs = h.argvs();
    assert.equal(argvs.at(-1), `zoneadm -u ${U} halt -X`);
    assert.equal(h.zone(U)!.state, 'installed');
  });
});

/** Start a create in its own process group, wait until the fake host shows `ready`, then kill -9 the group (vmadm and the host program it waits for). */
