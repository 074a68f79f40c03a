/**
 * vmadm create-snapshot, rollback-snapshot, delete-snapshot
 * (docs/vmadm-cli.md §17): `snapshots` in get as SmartOS shows it; a
 * rollback puts back the VM's files and record (alias, tags, config
 * files) and drops the newer snapshots; a running VM is halted and booted
 * again; the refusals (exit 1, nothing changed) and usage errors (exit 2);
 * the local host's copies (no link followed, sparse files kept sparse, a
 * copied root works) and the illumos host's zfs calls through the fakes.
 * Killed at each step: test/app/crash.test.ts.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { invariants } from '../../helpers/invariants';
import { mochaCleanup, place, TestPlace } from '../../helpers/hosts';
import { spawnCli } from '../../helpers/run-cli';

const U = '5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11'; // examples/vms/dual-stack-zone.json (running)
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

afterEach(mochaCleanup.afterEach);

async function ok(p: TestPlace, args: string[], line: string): Promise<void> {
  const r = await p.vm(args);
  assert.deepEqual([r.status, r.stdout, r.stderr], [0, '', `${line}\n`], args.join(' '));
}

function snapDirs(p: TestPlace, uuid: string): string[] {
  const dir = path.join(p.root, 'host', 'snapshots', uuid);
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}

describe('vmadm snapshots', () => {
  it('get shows no snapshots, then each taken as {name, created_at}, oldest first', async () => {
    const p = place('local');
    await p.create('dual-stack-zone.json');
    assert.deepEqual((await p.get(U)).snapshots, []);
    await ok(p, ['create-snapshot', U, 'first'], `Created snapshot first for VM ${U}`);
    await ok(p, ['create-snapshot', U, 'b:2%x_y.z-w'], `Created snapshot b:2%x_y.z-w for VM ${U}`);
    const snaps = (await p.get(U)).snapshots as { name: string; created_at: string }[];
    assert.deepEqual(snaps.map((s) => s.name), ['first', 'b:2%x_y.z-w']);
    for (const s of snaps) {
      assert.deepEqual(Object.keys(s), ['name', 'created_at']);
      assert.match(s.created_at, ISO);
    }
    assert.deepEqual(snapDirs(p, U), ['vmsnap-b:2%x_y.z-w', 'vmsnap-first']);
    assert.deepEqual(await invariants(p), []);
  });

  it('local host: rollback puts back the files and the record (alias, tags, config files), drops newer snapshots, and boots the VM it halted', async () => {
    const p = place('local');
    await p.create('dual-stack-zone.json');
    const zp = p.zonepath(U);
    fs.mkdirSync(path.join(zp, 'root', 'etc'), { recursive: true });
    fs.writeFileSync(path.join(zp, 'root', 'etc', 'motd'), 'then\n');
    const then = await p.get(U);
    await ok(p, ['create-snapshot', U, 's1'], `Created snapshot s1 for VM ${U}`);
    await ok(p, ['update', U, 'alias=renamed'], `Successfully updated VM ${U}`);
    assert.equal((await p.vm(['update', U], { input: JSON.stringify({ set_tags: { role: 'db' }, quota: 30 }) })).status, 0);
    fs.writeFileSync(path.join(zp, 'root', 'etc', 'motd'), 'now\n');
    fs.writeFileSync(path.join(zp, 'root', 'new-file'), 'new\n');
    await ok(p, ['create-snapshot', U, 's2'], `Created snapshot s2 for VM ${U}`);
    await ok(p, ['create-snapshot', U, 's3'], `Created snapshot s3 for VM ${U}`);
    const zoneScripts = p.zone(U)!.scripts;

    await ok(p, ['rollback-snapshot', U, 's1'], `Rolled back snapshot s1 for VM ${U}`);
    const vm = await p.get(U);
    assert.deepEqual([vm.alias, vm.tags, vm.quota, vm.state], [then.alias, then.tags, then.quota, 'running']);
    assert.deepEqual(vm.snapshots.map((s: { name: string }) => s.name), ['s1']);
    const same = (v: Record<string, unknown>): Record<string, unknown> => ({ ...v, last_modified: undefined, boot_timestamp: undefined, snapshots: undefined });
    assert.deepEqual(same(vm), same(then));
    assert.equal(fs.readFileSync(path.join(zp, 'root', 'etc', 'motd'), 'utf8'), 'then\n');
    assert.ok(!fs.existsSync(path.join(zp, 'root', 'new-file')));
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(zp, 'config', 'tags.json'), 'utf8')), then.tags);
    assert.deepEqual(snapDirs(p, U), ['vmsnap-s1']);
    // the zone follows the record through zonecfg, its scripts kept
    const zone = p.zone(U)!;
    assert.ok(zone.scripts > zoneScripts);
    assert.equal(zone.quota, then.quota);
    assert.equal(zone.state, 'running');
    assert.ok(fs.existsSync(path.join(zp, 'zonecfg', '1-create.txt')));
    assert.deepEqual(await invariants(p), []);
  });

  it('a stopped VM stays stopped; rolling back twice to the same snapshot gives the same VM', async () => {
    const p = place('local');
    await p.create('dual-stack-zone.json');
    assert.equal((await p.vm(['stop', U])).status, 0);
    await ok(p, ['create-snapshot', U, 'base'], `Created snapshot base for VM ${U}`);
    fs.writeFileSync(path.join(p.zonepath(U), 'later'), 'x');
    await ok(p, ['rollback-snapshot', U, 'base'], `Rolled back snapshot base for VM ${U}`);
    const once = await p.get(U);
    await ok(p, ['rollback-snapshot', U, 'base'], `Rolled back snapshot base for VM ${U}`);
    const twice = await p.get(U);
    assert.equal(twice.state, 'stopped');
    assert.deepEqual({ ...twice, last_modified: 0 }, { ...once, last_modified: 0 });
    assert.ok(!fs.existsSync(path.join(p.zonepath(U), 'later')));
    assert.deepEqual(await invariants(p), []);
  });

  it('local host: copies follow no link, keep sparse files sparse, and a copied root rolls back as the original', async () => {
    const p = place('local');
    await p.create('dual-stack-zone.json');
    const zp = p.zonepath(U);
    const outside = path.join(p.dir, 'outside.txt');
    fs.writeFileSync(outside, 'outside\n');
    fs.symlinkSync(outside, path.join(zp, 'link'));
    // a 256 MiB file with 4 bytes written in its middle
    const disk = path.join(zp, 'disk0');
    const fd = fs.openSync(disk, 'w');
    fs.writeSync(fd, Buffer.from('DATA'), 0, 4, 128 * 1024 * 1024);
    fs.ftruncateSync(fd, 256 * 1024 * 1024);
    fs.closeSync(fd);
    await ok(p, ['create-snapshot', U, 'disks'], `Created snapshot disks for VM ${U}`);
    const copy = path.join(p.root, 'host', 'snapshots', U, 'vmsnap-disks');
    assert.equal(fs.readlinkSync(path.join(copy, 'link')), outside);
    assert.ok(!fs.existsSync(path.join(copy, 'zonecfg')), 'zonecfg/ is the host\'s, not the zone\'s');
    const st = fs.statSync(path.join(copy, 'disk0'));
    assert.equal(st.size, 256 * 1024 * 1024);
    assert.ok(st.blocks * 512 < 8 * 1024 * 1024, `the copy takes ${st.blocks * 512} bytes`);

    // a copy of the whole state root is a root of its own
    const other = new TestPlace('local');
    try {
      fs.cpSync(p.root, other.root, { recursive: true, verbatimSymlinks: true });
      const ozp = other.zonepath(U);
      fs.rmSync(path.join(ozp, 'disk0'));
      fs.rmSync(path.join(ozp, 'link'));
      await ok(other, ['rollback-snapshot', U, 'disks'], `Rolled back snapshot disks for VM ${U}`);
      const back = fs.openSync(path.join(ozp, 'disk0'), 'r');
      const buf = Buffer.alloc(4);
      fs.readSync(back, buf, 0, 4, 128 * 1024 * 1024);
      fs.closeSync(back);
      assert.equal(buf.toString(), 'DATA');
      assert.ok(fs.statSync(path.join(ozp, 'disk0')).blocks * 512 < 8 * 1024 * 1024);
      assert.equal(fs.readlinkSync(path.join(ozp, 'link')), outside);
      assert.equal(fs.readFileSync(outside, 'utf8'), 'outside\n');
      // the original root is untouched
      assert.ok(fs.existsSync(path.join(zp, 'disk0')));
      assert.deepEqual(await invariants(other), []);
    } finally {
      other.cleanup();
    }
  });

  it('local host: a large sparse disk is copied and put back without its holes being filled; a file of zeros gets holes', async () => {
    const p = place('local');
    await p.create('dual-stack-zone.json');
    const zp = p.zonepath(U);
    const at = (file: string, pos: number): string => {
      const fd = fs.openSync(file, 'r');
      const buf = Buffer.alloc(4);
      fs.readSync(fd, buf, 0, 4, pos);
      fs.closeSync(fd);
      return buf.toString();
    };
    const write = (file: string, text: string, pos: number, size?: number): void => {
      const fd = fs.openSync(file, fs.existsSync(file) ? 'r+' : 'w');
      fs.writeSync(fd, Buffer.from(text), 0, 4, pos);
      if (size !== undefined) fs.ftruncateSync(fd, size);
      fs.closeSync(fd);
    };
    // a 16 GiB disk image, 4 bytes written at 8 GiB (as an HVM disk's file is: sparse)
    fs.mkdirSync(path.join(zp, 'root', 'var'), { recursive: true });
    const disk = path.join(zp, 'root', 'var', 'disk.img');
    write(disk, 'DISK', 8 * 1024 ** 3, 16 * 1024 ** 3);
    // a file written whole, zeros and all (not sparse)
    const dense = Buffer.alloc(4 * 1024 * 1024);
    dense.write('head', 0);
    dense.write('tail', dense.length - 4);
    fs.writeFileSync(path.join(zp, 'dense'), dense);
    await ok(p, ['create-snapshot', U, 'big'], `Created snapshot big for VM ${U}`);
    const copy = path.join(p.root, 'host', 'snapshots', U, 'vmsnap-big');
    const bigCopy = fs.statSync(path.join(copy, 'root', 'var', 'disk.img'));
    assert.equal(bigCopy.size, 16 * 1024 ** 3);
    assert.ok(bigCopy.blocks * 512 < 8 * 1024 * 1024, `the disk's copy takes ${bigCopy.blocks * 512} bytes`);
    assert.equal(at(path.join(copy, 'root', 'var', 'disk.img'), 8 * 1024 ** 3), 'DISK');
    assert.deepEqual(fs.readFileSync(path.join(copy, 'dense')), dense);
    const denseCopy = fs.statSync(path.join(copy, 'dense'));
    assert.ok(denseCopy.blocks * 512 <= 256 * 1024, `the dense file's copy takes ${denseCopy.blocks * 512} bytes`);
    write(disk, 'XXXX', 8 * 1024 ** 3);
    write(disk, 'MORE', 12 * 1024 ** 3);
    await ok(p, ['rollback-snapshot', U, 'big'], `Rolled back snapshot big for VM ${U}`);
    assert.deepEqual([at(disk, 8 * 1024 ** 3), at(disk, 12 * 1024 ** 3)], ['DISK', '\0\0\0\0']);
    assert.equal(fs.statSync(disk).size, 16 * 1024 ** 3);
    assert.ok(fs.statSync(disk).blocks * 512 < 8 * 1024 * 1024);
    assert.deepEqual(await invariants(p), []);
  });

  it('local host: a link where the snapshots are kept is refused, nothing written through it', async () => {
    const p = place('local');
    await p.create('dual-stack-zone.json');
    const elsewhere = path.join(p.dir, 'elsewhere');
    fs.mkdirSync(elsewhere);
    fs.writeFileSync(path.join(elsewhere, '.keep'), 'x');
    fs.mkdirSync(path.join(p.root, 'host', 'snapshots'), { recursive: true });
    fs.symlinkSync(elsewhere, path.join(p.root, 'host', 'snapshots', U));
    const r = await p.vm(['create-snapshot', U, 's']);
    assert.deepEqual([r.status, r.stderr], [1, `vmadm: ${path.join(p.root, 'host', 'snapshots', U)}: is a symbolic link; nothing is written through links inside the state root\n`]);
    assert.deepEqual(fs.readdirSync(elsewhere), ['.keep']);
    assert.deepEqual((await p.get(U)).snapshots, []);
  });

  it('delete-snapshot removes it from the VM and the host; vmadm delete removes the VM\'s snapshots', async () => {
    const p = place('local');
    await p.create('dual-stack-zone.json');
    await ok(p, ['create-snapshot', U, 'a'], `Created snapshot a for VM ${U}`);
    await ok(p, ['create-snapshot', U, 'b'], `Created snapshot b for VM ${U}`);
    await ok(p, ['delete-snapshot', U, 'a'], `Deleted snapshot a for VM ${U}`);
    assert.deepEqual((await p.get(U)).snapshots.map((s: { name: string }) => s.name), ['b']);
    assert.deepEqual(snapDirs(p, U), ['vmsnap-b']);
    await ok(p, ['delete-snapshot', U, 'b'], `Deleted snapshot b for VM ${U}`);
    assert.deepEqual((await p.get(U)).snapshots, []);
    assert.equal(JSON.parse(fs.readFileSync(path.join(p.root, 'vms', `${U}.json`), 'utf8')).snapshots, undefined);
    await ok(p, ['create-snapshot', U, 'c'], `Created snapshot c for VM ${U}`);
    await ok(p, ['delete', U], `Successfully deleted VM ${U}`);
    assert.ok(!fs.existsSync(path.join(p.root, 'host', 'snapshots', U)));
    assert.deepEqual(await invariants(p), []);
  });

  it('refusals: exit 1, one line, nothing changed; usage errors: exit 2', async () => {
    const p = place('local');
    await p.create('dual-stack-zone.json');
    const b = await p.create('bhyve-vm.json');
    const d = await p.create({ brand: 'joyent', image_uuid: '2b683a82-a066-11e3-97ab-2faa44701c5a', delegate_dataset: true, autoboot: false });
    const k = await p.create({ brand: 'kvm', ram: 256, autoboot: false });
    await ok(p, ['create-snapshot', U, 'taken'], `Created snapshot taken for VM ${U}`);
    const long = 'x'.repeat(65);
    const none = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
    const cases: [string[], number, string][] = [
      [['create-snapshot', U, 'bad name'], 1, 'snapname: "bad name" is not a valid snapshot name: it may hold only letters, digits and the characters -_.:%'],
      [['create-snapshot', U, 'a/b'], 1, 'snapname: "a/b" is not a valid snapshot name: it may hold only letters, digits and the characters -_.:%'],
      [['create-snapshot', U, long], 1, `snapname: "${long}" is not a valid snapshot name: it is 65 characters long (at most 64)`],
      [['rollback-snapshot', U, '..'], 1, `VM ${U} has no snapshot ".."`],
      [['create-snapshot', U, 'taken'], 1, `VM ${U} already has a snapshot "taken"`],
      [['rollback-snapshot', U, 'nope'], 1, `VM ${U} has no snapshot "nope"`],
      [['delete-snapshot', U, 'nope'], 1, `VM ${U} has no snapshot "nope"`],
      [['create-snapshot', none, 's'], 1, `VM ${none} not found`],
      [['rollback-snapshot', none, 's'], 1, `VM ${none} not found`],
      [['create-snapshot', d, 's'], 1, `VM ${d} has a delegated dataset: snapshots of VMs with delegated datasets are not supported`],
      [['create-snapshot', k, 's'], 1, `VM ${k} is a kvm VM: snapshots of kvm VMs are not supported`],
      [['delete-snapshot', k, 's'], 1, `VM ${k} is a kvm VM: snapshots of kvm VMs are not supported`],
      [['create-snapshot'], 2, 'Invalid or missing UUID for create-snapshot'],
      [['rollback-snapshot', 'x', 's'], 2, 'Invalid or missing UUID for rollback-snapshot'],
      [['delete-snapshot', U], 2, 'Wrong number of parameters to "delete-snapshot"'],
      [['create-snapshot', U, 's', 'more'], 2, 'Wrong number of parameters to "create-snapshot"'],
      [['rollback-snapshot', U, 's', 'more'], 2, 'Wrong number of parameters to "rollback-snapshot"'],
      [['create-snapshot', U, ''], 1, 'snapname: "" is not a valid snapshot name: it may hold only letters, digits and the characters -_.:%'],
    ];
    const before = await p.get(U);
    const files = snapDirs(p, U);
    for (const [args, status, line] of cases) {
      const r = await p.vm(args);
      assert.deepEqual([r.status, r.stdout, r.stderr], [status, '', `vmadm: ${line}\n`], args.join(' '));
    }
    assert.deepEqual(await p.get(U), before);
    assert.deepEqual(snapDirs(p, U), files);
    // bhyve VMs have snapshots (SmartOS: "bhyve VMs and OS VMs which also have no additional datasets")
    await ok(p, ['create-snapshot', b, 'hvm'], `Created snapshot hvm for VM ${b}`);
    assert.deepEqual(await invariants(p), []);
  });

  it('a rollback to a record holding an address another VM has taken since is refused as create refuses it, nothing changed', async () => {
    const p = place('local');
    await p.create('dual-stack-zone.json');
    await ok(p, ['create-snapshot', U, 'net'], `Created snapshot net for VM ${U}`);
    const vm = await p.get(U);
    const internal = vm.nics.find((n: { nic_tag: string }) => n.nic_tag === 'internal');
    assert.equal((await p.vm(['update', U], { input: JSON.stringify({ remove_nics: [internal.mac], remove_routes: ['169.254.169.254'] }) })).status, 0);
    await p.create({ brand: 'joyent', image_uuid: '2b683a82-a066-11e3-97ab-2faa44701c5a', autoboot: false, nics: [{ nic_tag: 'internal', vlan_id: 42, ips: ['10.0.0.10/24'] }] });
    const before = await p.get(U);
    const r = await p.vm(['rollback-snapshot', U, 'net']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^vmadm: Conflict detected with another vm, please check the MAC, IP, and VRID \(IP 10\.0\.0\.10 on nic_tag internal vlan 42 is in use by VM [0-9a-f-]{36}\)\n$/);
    assert.deepEqual(await p.get(U), before);
    assert.deepEqual(await invariants(p), []);
  });

  it('a received VM comes without the snapshots of the one sent', async () => {
    const p = place('local');
    await p.create('dual-stack-zone.json');
    await ok(p, ['create-snapshot', U, 's'], `Created snapshot s for VM ${U}`);
    const sent = await p.vm(['send', U]);
    assert.equal(sent.status, 0, sent.stderr);
    const q = place('local');
    const r = await q.vm(['receive'], { input: sent.stdoutBytes });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual((await q.get(U)).snapshots, []);
    assert.deepEqual(await invariants(q), []);
  });

  it('illumos: zfs snapshot, the halt, zfs rollback -r, the zone set as the snapshot\'s record says, the boot; zfs destroy; the files as they were', async () => {
    const p = place('illumos');
    await p.create('dual-stack-zone.json');
    const ds = `zones/${U}`;
    const file = path.join(p.zonepath(U), 'f');
    fs.writeFileSync(file, 'one\n');
    p.calls();
    const zfs = (): string[] => p.calls().filter((c) => /^(zfs (snapshot|rollback|destroy)|zoneadm -[uz] \S+ (halt|boot)|zonecfg -u)/.test(c));
    await ok(p, ['create-snapshot', U, 's1'], `Created snapshot s1 for VM ${U}`);
    assert.deepEqual(zfs(), [`zfs snapshot ${ds}@vmsnap-s1`]);
    fs.writeFileSync(file, 'two\n');
    await ok(p, ['create-snapshot', U, 's2'], `Created snapshot s2 for VM ${U}`);
    await ok(p, ['update', U, 'alias=renamed'], `Successfully updated VM ${U}`);
    zfs();
    await ok(p, ['rollback-snapshot', U, 's1'], `Rolled back snapshot s1 for VM ${U}`);
    assert.deepEqual(zfs(), [`zoneadm -u ${U} halt -X`, `zfs rollback -r ${ds}@vmsnap-s1`, `zonecfg -u ${U}`, `zoneadm -z ${U} boot`]);
    assert.equal(fs.readFileSync(file, 'utf8'), 'one\n');
    const vm = await p.get(U);
    assert.deepEqual([vm.alias, vm.state, vm.snapshots.map((s: { name: string }) => s.name)], ['web01', 'running', ['s1']]);
    const datasets = JSON.parse(fs.readFileSync(path.join(p.fakeState!, 'datasets.json'), 'utf8'));
    assert.deepEqual(datasets[ds].snapshots, ['vmsnap-s1']);
    await ok(p, ['delete-snapshot', U, 's1'], `Deleted snapshot s1 for VM ${U}`);
    assert.deepEqual(zfs(), [`zfs destroy ${ds}@vmsnap-s1`]);
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(p.fakeState!, 'datasets.json'), 'utf8'))[ds].snapshots, []);
    assert.deepEqual(await invariants(p), []);
  });

  it('illumos: a bhyve VM\'s snapshots are recursive (its disks with it); a snapshot the host has lost is refused by zfs, nothing changed', async () => {
    const p = place('illumos');
    const b = await p.create('bhyve-vm.json');
    const ds = `zones/${b}`;
    p.calls();
    await ok(p, ['create-snapshot', b, 'r'], `Created snapshot r for VM ${b}`);
    assert.ok(p.calls().includes(`zfs snapshot -r ${ds}@vmsnap-r`));
    // a snapshot destroyed behind vmadm's back
    const file = path.join(p.fakeState!, 'datasets.json');
    const datasets = JSON.parse(fs.readFileSync(file, 'utf8'));
    datasets[ds].snapshots = [];
    fs.writeFileSync(file, JSON.stringify(datasets));
    const before = await p.get(b);
    const r = await p.vm(['rollback-snapshot', b, 'r']);
    assert.deepEqual([r.status, r.stderr], [1, `vmadm: zfs rollback -r ${ds}@vmsnap-r failed: cannot open '${ds}@vmsnap-r': dataset does not exist\n`]);
    assert.deepEqual(await p.get(b), before);
    // deleting it then clears the record (the host has none to destroy)
    await ok(p, ['delete-snapshot', b, 'r'], `Deleted snapshot r for VM ${b}`);
    assert.deepEqual((await p.get(b)).snapshots, []);
    // a dataset below the VM's (as a disk's volume is) is taken, rolled back and destroyed with it
    const withDisk = JSON.parse(fs.readFileSync(file, 'utf8'));
    withDisk[`${ds}/disk9`] = { props: {}, snapshots: [] };
    fs.writeFileSync(file, JSON.stringify(withDisk));
    await ok(p, ['create-snapshot', b, 'd1'], `Created snapshot d1 for VM ${b}`);
    await ok(p, ['create-snapshot', b, 'd2'], `Created snapshot d2 for VM ${b}`);
    p.calls();
    await ok(p, ['rollback-snapshot', b, 'd1'], `Rolled back snapshot d1 for VM ${b}`);
    const calls = p.calls().filter((c) => /^zfs (rollback|list -H -o name -r)/.test(c));
    // (and each of its disks' volumes, which are below its dataset too)
    assert.deepEqual(calls.slice(0, 2), [`zfs list -H -o name -r -t filesystem,volume ${ds}`, `zfs rollback -r ${ds}@vmsnap-d1`]);
    assert.ok(calls.includes(`zfs rollback -r ${ds}/disk9@vmsnap-d1`), calls.join('\n'));
    for (const c of calls.slice(1)) assert.match(c, new RegExp(`^zfs rollback -r ${ds}(/[^@]+)?@vmsnap-d1$`));
    const after = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.deepEqual([after[ds].snapshots, after[`${ds}/disk9`].snapshots], [['vmsnap-d1'], ['vmsnap-d1']]);
    await ok(p, ['delete-snapshot', b, 'd1'], `Deleted snapshot d1 for VM ${b}`);
    assert.ok(p.calls().includes(`zfs destroy -r ${ds}@vmsnap-d1`));
    const gone = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.deepEqual([gone[ds].snapshots, gone[`${ds}/disk9`].snapshots], [[], []]);
    assert.deepEqual(await invariants(p), []);
  });

  it('help: the usage lists the three commands as SmartOS does; each has its help with an example', async () => {
    const p = place('local');
    const usage = await p.vm(['help']);
    for (const c of ['create-snapshot', 'delete-snapshot', 'rollback-snapshot']) {
      assert.ok(usage.stdout.split('\n').includes(`${c} <uuid> <snapname>`), c);
      const h = spawnCli('vmadm', [c, '--help'], { env: p.env });
      assert.equal(h.status, 0, h.stderr);
      assert.match(h.stdout, new RegExp(`EXAMPLES[\\s\\S]*vmadm ${c} 5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11 before-upgrade`));
    }
  });
});
