/**
 * The linux host's own promises (root only, but the refusal): it refuses
 * to run without root in one line; a failed load leaves the table that was
 * loaded; a boot stopped half-way leaves the VM's links down and the next
 * command makes its network whole; a nic_tag mapped in linux.json joins
 * the bridge named there, and a link that is not a bridge is refused.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { zoneOf } from '../../src/app/sync';
import { LinuxHost } from '../../src/hosts/linux/host';
import { programPath } from '../../src/hosts/linux/programs';
import { portName } from '../../src/hosts/linux/plan';
import { VmStore } from '../../src/store/vm-store';
import { invariants } from '../helpers/invariants';
import { linuxWorld, ok, skipUnlessLinux, type LinuxWorld } from '../helpers/linux';
import { run, type CliResult } from '../helpers/run-cli';

const IMAGE = '2b683a82-a066-11e3-97ab-2faa44701c5a';
const VM1 = '7a7a7a7a-0000-4000-8000-000000000001';

function spec(uuid: string, nics: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ brand: 'joyent', uuid, image_uuid: IMAGE, firewall_enabled: true, nics, ...extra });
}

const ipRun = (args: string[]): { status: number | null; stdout: string; stderr: string } => spawnSync(programPath('ip') as string, args, { encoding: 'utf8' });

describe('linux host', function () {
  this.timeout(60000);

  it('refuses to run without root, in one line, exit 1', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'linux-refuse-'));
    // as root: this process seen as nobody's while the command runs (a process spawned as nobody
    // could not even start where the checkout is not open to others, as in a mktemp -d clone)
    const realGetuid = process.getuid;
    if (realGetuid?.() === 0) process.getuid = () => 65534;
    try {
      const r: CliResult = await run('vmadm', ['list'], { env: { VMADM_HOST: 'linux', VMADM_ROOT: root } });
      assert.equal(r.status, 1, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^vmadm: VMADM_HOST=linux needs root \(it makes network namespaces, links and nftables tables\)\n$/);
    } finally {
      process.getuid = realGetuid;
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  describe('as root', () => {
    let w: LinuxWorld | undefined;
    const extra: string[] = [];
    const world = (): LinuxWorld => w as LinuxWorld;
    const vm = (args: string[], input?: string): Promise<CliResult> => world().vm(args, input);
    const fw = (args: string[], input?: string): Promise<CliResult> => world().fw(args, input);
    const env = (): NodeJS.ProcessEnv => world().cmdEnv;
    const ns = (): string => `${world().prefix}${VM1}`;
    // the table as listed, its counters left out (a neighbour solicitation may count between two listings)
    const table = (): string =>
      spawnSync(programPath('ip') as string, ['netns', 'exec', ns(), programPath('nft') as string, 'list', 'table', 'inet', 'fwadm'], { encoding: 'utf8' }).stdout.replace(/ counter packets \d+ bytes \d+/g, ' counter');

    beforeEach(function () {
      skipUnlessLinux(this);
      w = linuxWorld('linux-host');
    });

    afterEach(() => {
      for (const n of extra.splice(0)) ipRun(['netns', 'delete', n]);
      w?.remove();
      w = undefined;
    });

    it('a load that fails is reported in one line and leaves the table that was loaded', async () => {
      ok(await vm(['create'], spec(VM1, [{ nic_tag: 'external', ips: ['198.51.100.31/24'] }])));
      ok(await fw(['add', '-g', '-e', 'FROM any TO all vms ALLOW tcp PORT 22']));
      const before = table();
      assert.match(before, /tcp dport @in4_0_tcp_port /);
      assert.match(before, /set in4_0_tcp_port \{[^}]*elements = \{ 22 counter/);
      const bad = path.join(world().dir, 'bad.conf');
      fs.writeFileSync(bad, 'pass in quick proto gre from any to any\n');
      const host = new LinuxHost(world().root, env());
      const zone = zoneOf(new VmStore(world().root, 'linux').get(VM1) as NonNullable<ReturnType<VmStore['get']>>);
      await assert.rejects(host.loadFirewall(zone, bad, bad), (e: Error) => /^nft: ipf\.conf line 1: not a line this translator knows/.test(e.message) && !e.message.includes('\n'));
      assert.equal(table(), before);
      assert.deepEqual(await invariants({ root: world().root, env: env() }), []);
    });

    it('a boot stopped half-way leaves the VM unreachable (links down); the next command makes its network whole', async () => {
      ok(await vm(['create'], spec(VM1, [{ nic_tag: 'external', ips: ['198.51.100.32/24', '2001:db8::32/64'] }])));
      const conf = path.join(world().root, 'zones', VM1, 'config', 'ipf.conf');
      fs.writeFileSync(conf, 'pass in quick proto gre from any to any\n');
      const r = await vm(['reboot', VM1]);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /^vmadm: nft: ipf\.conf line 1: not a line this translator knows/);
      // the namespace and its link are there, down, with no address: nothing reaches the VM unfiltered
      const links = JSON.parse(ipRun(['-n', ns(), '-j', 'addr', 'show', 'dev', 'net0']).stdout) as Array<{ flags: string[]; addr_info: Array<{ scope: string }> }>;
      assert.equal(links[0].flags.includes('UP'), false);
      assert.deepEqual(links[0].addr_info.filter((a) => a.scope === 'global'), []);
      // fwadm start writes its files from the stored truth and loads them: the network is made whole on the way
      ok(await fw(['start', VM1]));
      assert.deepEqual(await invariants({ root: world().root, env: env() }), []);
    });

    it('a stop killed when the links were taken away and the namespace not yet: the next command makes the network whole again', async () => {
      ok(await vm(['create'], spec(VM1, [{ nic_tag: 'external', ips: ['198.51.100.35/24', '2001:db8::35/64'] }])));
      const bin = path.join(__dirname, '..', '..', '..', 'bin', 'vmadm');
      const r = spawnSync(bin, ['stop', VM1], { env: { ...process.env, ...env(), VMADM_CRASH_AT: 'linux:links-removed' }, encoding: 'utf8' });
      assert.equal(r.signal, 'SIGKILL', r.stderr);
      assert.equal(JSON.parse(ipRun(['-n', ns(), '-j', 'link', 'show']).stdout).length, 1, 'only lo is left in the namespace');
      // the next writer undoes the stop (the zone still runs) and makes its network whole
      ok(await fw(['add', '-g', '-e', 'FROM any TO all vms ALLOW tcp PORT 80']));
      assert.deepEqual(await invariants({ root: world().root, env: env() }), []);
    });

    it('a nic_tag mapped in linux.json joins the bridge named there (and a link that is not a bridge is refused)', async () => {
      const lab = `vr${world().prefix.slice(2)}lab`;
      extra.push(lab);
      assert.equal(ipRun(['netns', 'add', lab]).status, 0);
      assert.equal(ipRun(['-n', lab, 'link', 'add', 'name', 'br0', 'type', 'bridge']).status, 0);
      assert.equal(ipRun(['-n', lab, 'link', 'set', 'dev', 'br0', 'up']).status, 0);
      assert.equal(ipRun(['-n', lab, 'link', 'add', 'name', 'notbr', 'type', 'veth', 'peer', 'name', 'notbr2']).status, 0);
      fs.mkdirSync(world().root, { recursive: true });
      fs.writeFileSync(path.join(world().root, 'linux.json'), JSON.stringify({ nic_tags: { lab: { bridge: 'br0', netns: lab }, odd: { bridge: 'notbr', netns: lab } } }));
      ok(await vm(['create'], spec(VM1, [{ nic_tag: 'lab', ips: ['198.51.100.33/24'] }])));
      const port = portName(ns(), 'net0');
      const shown = JSON.parse(ipRun(['-n', lab, '-j', 'link', 'show', 'dev', port]).stdout) as Array<{ master?: string }>;
      assert.equal(shown[0].master, 'br0');
      assert.deepEqual(await invariants({ root: world().root, env: env() }), []);
      const r = await vm(['create'], spec('7a7a7a7a-0000-4000-8000-000000000002', [{ nic_tag: 'odd', ips: ['198.51.100.34/24'] }]));
      assert.equal(r.status, 1);
      assert.match(r.stderr, /^vmadm: linux\.json: nic_tags\.odd: notbr in namespace vr\S+ is not a bridge \(vmadm joins NICs to a bridge you made; it never changes your links\)\n$/);
      ok(await vm(['delete', VM1]));
      assert.equal(ipRun(['-n', lab, 'link', 'show', 'dev', port]).status, 1, 'the host end is gone');
      assert.deepEqual(await invariants({ root: world().root, env: env() }), []);
    });
  });
});
