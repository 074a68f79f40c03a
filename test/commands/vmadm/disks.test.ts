/**
 * vmadm disks (kvm, bhyve) and filesystems (OS VMs), on the embedded local
 * host and on the illumos host of the fakes (docs/vmadm-cli.md §8, §10,
 * §15 "Disks and filesystems"): create, get, the update forms, refusals
 * (nothing changed), delete.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { examplePath, repoRoot, run, type CliResult } from '../../helpers/run-cli';
import { tree } from '../../helpers/tree';

const KVM = '3a1d2c3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const BHYVE = '4b2e3d4c-5f60-4b7c-9d8e-0f1a2b3c4d5e';
const ZONE = '5c3f4e5d-6071-4c8d-ae9f-1a2b3c4d5e6f';
const IMAGE = '2b683a82-a066-11e3-97ab-2faa44701c5a';
const DISK_IMAGE = '462d1d03-8457-e134-a408-cf9ea2b9be96';
const MIB = 1024 * 1024;

interface Place {
  dir: string;
  root: string;
  env: NodeJS.ProcessEnv;
  /** illumos: the fakes' state; local: undefined. */
  fake?: string;
  log?: string;
  vm(args: string[], input?: unknown): Promise<CliResult>;
}

const made: string[] = [];
after(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

function place(kind: 'local' | 'illumos'): Place {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `vmadm-disks-${kind}-`));
  made.push(dir);
  const root = path.join(dir, 'root');
  const env: NodeJS.ProcessEnv =
    kind === 'local'
      ? { VMADM_HOST: 'local' }
      : {
          VMADM_HOST: 'illumos',
          VMADM_HOST_PATH_LOOKUP: '1',
          VMADM_ALTROOT: path.join(dir, 'host-fs'),
          FAKE_HOST_STATE: path.join(dir, 'fake-state'),
          FAKE_HOST_LOG: path.join(dir, 'host.log'),
          PATH: [path.join(repoRoot, 'test', 'fakes', 'bin'), process.env.PATH].join(path.delimiter),
        };
  return {
    dir,
    root,
    env,
    fake: env.FAKE_HOST_STATE,
    log: env.FAKE_HOST_LOG,
    vm: (args, input) =>
      run('vmadm', [args[0], '--root', root, ...args.slice(1)], { input: input === undefined ? undefined : typeof input === 'string' ? input : JSON.stringify(input), env }),
  };
}

async function ok(p: Promise<CliResult>): Promise<CliResult> {
  const r = await p;
  assert.equal(r.status, 0, r.stderr);
  return r;
}

async function get(p: Place, uuid: string): Promise<Record<string, any>> {
  return JSON.parse((await ok(p.vm(['get', uuid]))).stdout);
}

/** Everything under the root (records, zones, disks), to show a refusal changed nothing. */
function snapshot(p: Place): unknown {
  // the lock file holds its last holder's pid; disks are compared by size (they are sparse and large)
  const disks = fs.existsSync(path.join(p.root, 'zones')) ? fs.readdirSync(path.join(p.root, 'zones')).map((u) => localDisks(p, u)) : [];
  return [tree(p.root, ['.lock', 'disks']), disks, p.fake && fs.existsSync(p.fake) ? tree(p.fake) : undefined];
}

function localDisks(p: Place, uuid: string): Record<string, number> {
  const dir = path.join(p.root, 'zones', uuid, 'disks');
  if (!fs.existsSync(dir)) return {};
  return Object.fromEntries(fs.readdirSync(dir).sort().map((n) => [n, fs.statSync(path.join(dir, n)).size / MIB]));
}

function fakeVolumes(p: Place): Record<string, string> {
  const file = path.join(p.fake!, 'datasets.json');
  const ds = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, { type?: string; props: Record<string, string>; origin?: string }>) : {};
  return Object.fromEntries(Object.entries(ds).filter(([, d]) => d.type === 'volume').map(([n, d]) => [n, d.props.volsize ?? `clone of ${d.origin}`]));
}

/** The host calls logged since the last call (illumos). */
function calls(p: Place): string[] {
  if (!p.log || !fs.existsSync(p.log)) return [];
  const lines = fs.readFileSync(p.log, 'utf8').trimEnd().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { argv: string[] }).argv.join(' '));
  fs.writeFileSync(p.log, '');
  return lines;
}

const kvmSpec = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  brand: 'kvm',
  uuid: KVM,
  autoboot: false,
  disk_driver: 'virtio',
  disks: [{ image_uuid: DISK_IMAGE, image_size: 10240, boot: true }, { size: 2048, model: 'scsi', compression: 'lz4', refreservation: 1024 }],
  nics: [{ nic_tag: 'external', ips: ['dhcp'], model: 'virtio' }],
  ...extra,
});

describe('vmadm disks', function () {
  this.timeout(60000);

  it('create (bhyve, the example): get shows each disk as SmartOS does; the local host keeps a sparse file of its size per disk', async () => {
    const p = place('local');
    const spec = JSON.parse(fs.readFileSync(examplePath('vms', 'bhyve-vm.json'), 'utf8'));
    await ok(p.vm(['create'], { ...spec, uuid: BHYVE, autoboot: false }));
    const vm = await get(p, BHYVE);
    assert.equal(vm.disks.length, 2);
    const [d0, d1] = vm.disks;
    assert.deepEqual(Object.keys(d0), ['path', 'boot', 'model', 'media', 'image_size', 'image_uuid', 'uuid', 'zfs_filesystem', 'zpool', 'size', 'compression', 'refreservation']);
    assert.deepEqual(Object.keys(d1), ['path', 'boot', 'model', 'media', 'uuid', 'zfs_filesystem', 'zpool', 'size', 'compression', 'refreservation', 'block_size']);
    assert.deepEqual(
      [d0.path, d0.zfs_filesystem, d0.boot, d0.size, d0.refreservation, d0.media, d0.compression],
      [`/dev/zvol/rdsk/zones/${BHYVE}/disk0`, `zones/${BHYVE}/disk0`, true, 10240, 10240, 'disk', 'off'],
    );
    assert.deepEqual([d1.path, d1.boot, d1.size, d1.block_size, d1.model], [`/dev/zvol/rdsk/zones/${BHYVE}/disk1`, false, 102400, 8192, 'virtio']);
    assert.match(d0.uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.notEqual(d0.uuid, d1.uuid);
    assert.deepEqual(localDisks(p, BHYVE), { disk0: 10240, disk1: 102400 });
    // the zone's configuration: one device per disk with SmartOS's properties
    const script = fs.readFileSync(path.join(p.root, 'zones', BHYVE, 'zonecfg', '1-create.txt'), 'utf8');
    assert.ok(
      script.includes(
        `add device\nset match=/dev/zvol/rdsk/zones/${BHYVE}/disk1\nadd property (name=boot, value="false")\nadd property (name=model, value="virtio")\n` +
          `add property (name=media, value="disk")\nadd property (name=size, value="102400")\nadd property (name=uuid, value="${d1.uuid}")\nend\n`,
      ),
      script,
    );
  });

  it('create (kvm): <zpool>/<uuid>-disk<N> beside the zone; model from disk_driver; list and lookup see disks.*', async () => {
    const p = place('local');
    await ok(p.vm(['create'], kvmSpec()));
    const vm = await get(p, KVM);
    assert.deepEqual(
      vm.disks.map((d: Record<string, unknown>) => [d.path, d.zfs_filesystem, d.model, d.size, d.refreservation, d.compression, 'uuid' in d]),
      [
        [`/dev/zvol/rdsk/zones/${KVM}-disk0`, `zones/${KVM}-disk0`, 'virtio', 10240, 10240, 'off', false],
        [`/dev/zvol/rdsk/zones/${KVM}-disk1`, `zones/${KVM}-disk1`, 'scsi', 2048, 1024, 'lz4', false],
      ],
    );
    assert.deepEqual(localDisks(p, KVM), { disk0: 10240, disk1: 2048 });
    assert.equal((await ok(p.vm(['lookup', 'disks.*.size=2048']))).stdout, `${KVM}\n`);
    assert.equal((await ok(p.vm(['list', '-H', '-o', 'disks.1.model']))).stdout.trim(), 'scsi');
  });

  it('a kvm disk without a model and no disk_driver is ide, a bhyve one virtio', async () => {
    const p = place('local');
    await ok(p.vm(['create'], { brand: 'kvm', uuid: KVM, autoboot: false, disks: [{ size: 10 }] }));
    await ok(p.vm(['create'], { brand: 'bhyve', uuid: BHYVE, autoboot: false, disks: [{ size: 10 }] }));
    assert.equal((await get(p, KVM)).disks[0].model, 'ide');
    assert.equal((await get(p, BHYVE)).disks[0].model, 'virtio');
  });

  it('update while stopped: add_disks, update_disks (grow), remove_disks; the files follow', async () => {
    const p = place('local');
    await ok(p.vm(['create'], kvmSpec()));
    const d1 = `/dev/zvol/rdsk/zones/${KVM}-disk1`;
    const r = await ok(p.vm(['update', KVM], { add_disks: [{ size: 512 }], update_disks: [{ path: d1, size: 4096, refreservation: 4096, boot: false }] }));
    assert.equal(r.stderr, `Successfully updated VM ${KVM}\n`);
    let vm = await get(p, KVM);
    assert.deepEqual(vm.disks.map((d: Record<string, unknown>) => [d.path, d.size, d.refreservation]), [
      [`/dev/zvol/rdsk/zones/${KVM}-disk0`, 10240, 10240],
      [d1, 4096, 4096],
      [`/dev/zvol/rdsk/zones/${KVM}-disk2`, 512, 512],
    ]);
    // an added disk without a model takes disk_driver
    assert.equal(vm.disks[2].model, 'virtio');
    assert.deepEqual(localDisks(p, KVM), { disk0: 10240, disk1: 4096, disk2: 512 });
    await ok(p.vm(['update', KVM], { remove_disks: [d1] }));
    vm = await get(p, KVM);
    assert.deepEqual(vm.disks.map((d: Record<string, unknown>) => d.path), [`/dev/zvol/rdsk/zones/${KVM}-disk0`, `/dev/zvol/rdsk/zones/${KVM}-disk2`]);
    assert.deepEqual(localDisks(p, KVM), { disk0: 10240, disk2: 512 });
    // the lowest free number is taken again
    await ok(p.vm(['update', KVM, 'add_disks=[{"size":64}]']));
    assert.deepEqual(localDisks(p, KVM), { disk0: 10240, disk1: 64, disk2: 512 });
    // a property update_disks does not change is named in a note and ignored
    const note = await ok(p.vm(['update', KVM], { update_disks: [{ path: d1, block_size: 512 }] }));
    assert.equal(note.stderr, `VM ${KVM} unchanged\nnote: "update_disks.0.block_size" cannot be changed by update_disks and was ignored\n`);
  });

  it('refusals change nothing: a running VM, a shrink, an unknown path, a second boot disk, a bad value', async () => {
    const p = place('local');
    await ok(p.vm(['create'], kvmSpec()));
    const d1 = `/dev/zvol/rdsk/zones/${KVM}-disk1`;
    const cases: Array<[unknown, string, string]> = [
      [{ update_disks: [{ path: d1, size: 1024 }] }, 'bad_values: update_disks.0.size\n', 'update_disks.0.size: 1024: a disk cannot shrink (it is 2048 MiB)\n'],
      [{ remove_disks: ['/dev/zvol/rdsk/zones/nope'] }, 'bad_values: remove_disks\n', 'remove_disks: "/dev/zvol/rdsk/zones/nope": the VM has no disk with that path\n'],
      [{ update_disks: [{ path: '/dev/nope', size: 1 }] }, 'bad_values: update_disks.0.path\n', 'update_disks.0.path: "/dev/nope": the VM has no disk with that path\n'],
      [{ add_disks: [{ size: 1, boot: true }] }, 'bad_values: add_disks.0.boot\n', `add_disks.0.boot: 2 disks would have boot: true (/dev/zvol/rdsk/zones/${KVM}-disk0, /dev/zvol/rdsk/zones/${KVM}-disk2); at most one may\n`],
      [{ add_disks: [{ size: 0 }] }, 'bad_values: add_disks.0.size\n', 'add_disks.0.size: 0 is below the minimum 1\n'],
      [{ add_disks: [{ size: 10, compression: 'zstd' }] }, 'bad_values: add_disks.0.compression\n', 'add_disks.0.compression: "zstd" is not one of on, off, lzjb, gzip, gzip-1, gzip-2, gzip-3, gzip-4, gzip-5, gzip-6, gzip-7, gzip-8, gzip-9, zle, lz4\n'],
      [{ add_disks: [{ size: 10, refreservation: 20 }] }, 'bad_values: add_disks.0.refreservation\n', "add_disks.0.refreservation: 20 is more than the disk's size (10 MiB)\n"],
      [{ add_disks: [{ size: 10, path: d1, nocreate: true }] }, 'bad_values: add_disks.0.path\n', `add_disks.0.path: "${d1}" is already a disk of the VM\n`],
      [{ add_disks: [{ size: 10, path: '/dev/zvol/rdsk/zones/x' }] }, 'bad_values: add_disks.0.path\n', 'add_disks.0.path: is named by vmadm for a disk it creates (give nocreate: true to use a volume that exists)\n'],
    ];
    for (const [payload, stdout, stderr] of cases) {
      const before = snapshot(p);
      const r = await p.vm(['update', KVM], payload);
      assert.deepEqual([r.status, r.stdout, r.stderr], [1, stdout, stderr], JSON.stringify(payload));
      assert.deepEqual(snapshot(p), before, JSON.stringify(payload));
    }
    await ok(p.vm(['start', KVM]));
    const before = snapshot(p);
    const r = await p.vm(['update', KVM], { add_disks: [{ size: 10 }] });
    assert.deepEqual([r.status, r.stderr], [1, `vmadm: Cannot change the disks of VM ${KVM} (add_disks) while it is running: stop it first\n`]);
    assert.deepEqual(snapshot(p), before);
  });

  it('disks on an OS VM, filesystems on an HVM VM: dropped with a note naming the field (docs/vmadm-cli.md §0)', async () => {
    const p = place('local');
    const r = await ok(p.vm(['create'], { brand: 'joyent', uuid: ZONE, image_uuid: IMAGE, autoboot: false, disks: [{ size: 10 }] }));
    assert.match(r.stderr, /\nnote: "disks" is not a property of joyent VMs and was ignored\n/);
    assert.equal('disks' in (await get(p, ZONE)), false);
    const u = await ok(p.vm(['update', ZONE], { add_disks: [{ size: 10 }] }));
    assert.equal(u.stderr, `VM ${ZONE} unchanged\nnote: "add_disks" is not a property of joyent VMs and was ignored\n`);
    const b = await ok(p.vm(['create'], { brand: 'bhyve', uuid: BHYVE, autoboot: false, filesystems: [{ type: 'lofs', source: '/a', target: '/b' }] }));
    assert.match(b.stderr, /\nnote: "filesystems" is not a property of bhyve VMs and was ignored\n/);
  });

  it('delete removes the disks with the zone', async () => {
    const p = place('local');
    await ok(p.vm(['create'], kvmSpec()));
    await ok(p.vm(['delete', KVM]));
    assert.equal(fs.existsSync(path.join(p.root, 'zones', KVM)), false);
  });

  describe('on the illumos host (fakes)', () => {
    it('create: zfs clone for an image disk, zfs create -V for a data disk, with SmartOS\'s properties; get as on the local host', async () => {
      const p = place('illumos');
      await ok(p.vm(['create'], kvmSpec({ disks: [{ image_uuid: DISK_IMAGE, image_size: 10240, boot: true }, { size: 2048, block_size: 4096, compression: 'lz4' }] })));
      assert.deepEqual(calls(p).filter((c) => c.startsWith('zfs ') && !c.startsWith('zfs list')), [
        `zfs clone -o refreservation=10240M -o compression=off zones/${DISK_IMAGE}@final zones/${KVM}-disk0`,
        `zfs create -o refreservation=2048M -o compression=lz4 -b 4096 -V 2048M zones/${KVM}-disk1`,
      ]);
      assert.deepEqual(fakeVolumes(p), { [`zones/${KVM}-disk0`]: `clone of zones/${DISK_IMAGE}@final`, [`zones/${KVM}-disk1`]: '2048M' });
      const vm = await get(p, KVM);
      assert.deepEqual(vm.disks.map((d: Record<string, unknown>) => d.path), [`/dev/zvol/rdsk/zones/${KVM}-disk0`, `/dev/zvol/rdsk/zones/${KVM}-disk1`]);
    });

    it('update: zfs set volsize (grow), zfs create (add), zfs destroy -r (remove, after the change is stored); delete destroys the rest', async () => {
      const p = place('illumos');
      await ok(p.vm(['create'], kvmSpec()));
      calls(p);
      const d1 = `/dev/zvol/rdsk/zones/${KVM}-disk1`;
      await ok(p.vm(['update', KVM], { update_disks: [{ path: d1, size: 4096 }], add_disks: [{ size: 64 }] }));
      const zfs = (): string[] => calls(p).filter((c) => c.startsWith('zfs ') && !c.startsWith('zfs list'));
      assert.deepEqual(zfs(), [`zfs set volsize=4096M zones/${KVM}-disk1`, `zfs create -o refreservation=64M -o compression=off -b 8192 -V 64M zones/${KVM}-disk2`]);
      await ok(p.vm(['update', KVM], { remove_disks: [d1] }));
      assert.deepEqual(zfs(), [`zfs destroy -r zones/${KVM}-disk1`]);
      assert.deepEqual(Object.keys(fakeVolumes(p)).sort(), [`zones/${KVM}-disk0`, `zones/${KVM}-disk2`]);
      await ok(p.vm(['delete', KVM]));
      assert.deepEqual(zfs(), [`zfs destroy -r zones/${KVM}-disk0`, `zfs destroy -r zones/${KVM}-disk2`]);
      assert.deepEqual(fakeVolumes(p), {});
    });

    it('a volume zfs refuses to make (it exists) undoes the create: no zone, no record, the volume left as it was', async () => {
      const p = place('illumos');
      fs.mkdirSync(p.fake!, { recursive: true });
      const other = { type: 'volume', props: { volsize: '1M' }, snapshots: [] };
      fs.writeFileSync(path.join(p.fake!, 'datasets.json'), JSON.stringify({ [`zones/${KVM}-disk1`]: other }));
      const r = await p.vm(['create'], kvmSpec());
      assert.equal(r.status, 1);
      assert.equal(r.stderr, `vmadm: zfs create -o refreservation=1024M -o compression=lz4 -b 8192 -V 2048M zones/${KVM}-disk1 failed: cannot create 'zones/${KVM}-disk1': dataset already exists\n`);
      assert.equal((await p.vm(['get', KVM])).status, 1);
      assert.equal(fs.readdirSync(path.join(p.fake!, 'zones')).length, 0);
      // the image disk made before it is destroyed; the one that was there is left alone
      assert.deepEqual(fakeVolumes(p), { [`zones/${KVM}-disk1`]: '1M' });
    });

    it('the fake zfs refuses what zfs refuses: a missing parent, a bad size or block size, destroying what is not there', async () => {
      const p = place('illumos');
      fs.mkdirSync(p.fake!, { recursive: true });
      const { spawnSync } = await import('node:child_process');
      const bin = path.join(repoRoot, 'test', 'fakes', 'bin', 'zfs');
      const z = (...args: string[]): [number | null, string] => {
        const r = spawnSync(process.execPath, [bin, ...args], { env: { ...process.env, ...p.env }, encoding: 'utf8' });
        return [r.status, r.stderr];
      };
      assert.deepEqual(z('create', '-V', '10M', 'zones/nouuid/disk0'), [1, "cannot create 'zones/nouuid/disk0': parent does not exist\n"]);
      assert.deepEqual(z('create', '-V', '0M', 'zones/v'), [2, "bad volume size '0M'\n"]);
      assert.deepEqual(z('create', '-b', '3000', '-V', '10M', 'zones/v'), [1, "cannot create 'zones/v': 'volblocksize' must be power of 2 from 512B to 128KB\n"]);
      assert.deepEqual(z('create', '-V', '10M', 'zones/v'), [0, '']);
      assert.deepEqual(z('create', '-V', '10M', 'zones/v'), [1, "cannot create 'zones/v': dataset already exists\n"]);
      assert.deepEqual(z('set', 'volsize=20M', 'zones/v'), [0, '']);
      assert.deepEqual(z('destroy', '-r', 'zones/v'), [0, '']);
      assert.deepEqual(z('destroy', '-r', 'zones/v'), [1, "cannot open 'zones/v': dataset does not exist\n"]);
    });
  });
});

describe('vmadm filesystems', function () {
  this.timeout(60000);
  const fsSpec = { brand: 'joyent', uuid: ZONE, image_uuid: IMAGE, autoboot: false, filesystems: [{ type: 'lofs', source: '/zones/shared', target: '/shared', options: ['ro', 'nodevices'] }] };

  for (const kind of ['local', 'illumos'] as const) {
    it(`${kind} host: create, get, add, update, remove, each written to zonecfg (add fs / remove fs dir=...)`, async () => {
      const p = place(kind);
      await ok(p.vm(['create'], fsSpec));
      assert.deepEqual((await get(p, ZONE)).filesystems, [{ source: '/zones/shared', target: '/shared', type: 'lofs', options: ['ro', 'nodevices'] }]);
      const script = kind === 'local' ? fs.readFileSync(path.join(p.root, 'zones', ZONE, 'zonecfg', '1-create.txt'), 'utf8') : '';
      if (kind === 'local') assert.ok(script.includes('add fs\nset dir=/shared\nset special=/zones/shared\nset type=lofs\nset options=[ro,nodevices]\nend\n'), script);
      await ok(p.vm(['update', ZONE], { add_filesystems: [{ type: 'lofs', source: '/zones/data', target: '/data', raw: '/dev/rdsk/c0t0d0s0' }] }));
      await ok(p.vm(['update', ZONE], { update_filesystems: [{ target: '/shared', options: ['rw'] }] }));
      assert.deepEqual((await get(p, ZONE)).filesystems, [
        { source: '/zones/data', target: '/data', raw: '/dev/rdsk/c0t0d0s0', type: 'lofs' },
        { source: '/zones/shared', target: '/shared', type: 'lofs', options: ['rw'] },
      ].sort((a, b) => (a.target === '/data' ? 1 : b.target === '/data' ? -1 : 0)));
      await ok(p.vm(['update', ZONE, 'remove_filesystems=/data']));
      assert.deepEqual((await get(p, ZONE)).filesystems, [{ source: '/zones/shared', target: '/shared', type: 'lofs', options: ['rw'] }]);
      if (kind === 'illumos') {
        const zone = JSON.parse(fs.readFileSync(path.join(p.fake!, 'zones', `${ZONE}.json`), 'utf8')) as { config: { fss: unknown[] } };
        assert.deepEqual(zone.config.fss, [{ dir: '/shared', special: '/zones/shared', type: 'lofs', options: ['rw'] }]);
        assert.ok(calls(p).some((c) => c === `zonecfg -u ${ZONE}`));
      }
      await ok(p.vm(['update', ZONE], { remove_filesystems: ['/shared'] }));
      assert.equal('filesystems' in (await get(p, ZONE)), false);
    });
  }

  it('refusals change nothing: a target mounted twice, one the VM has already, one it lacks, a relative path, a hostile value', async () => {
    const p = place('local');
    await ok(p.vm(['create'], fsSpec));
    const cases: Array<[unknown, string]> = [
      [{ add_filesystems: [{ type: 'lofs', source: '/a', target: '/shared' }] }, 'add_filesystems.0.target: "/shared": the VM has a filesystem mounted there already\n'],
      [{ add_filesystems: [{ type: 'lofs', source: '/a', target: '/x' }, { type: 'lofs', source: '/b', target: '/x' }] }, 'add_filesystems: "/x" is mounted twice (add_filesystems.0 and add_filesystems.1)\n'],
      [{ update_filesystems: [{ target: '/nope', source: '/a' }] }, 'update_filesystems.0.target: "/nope": the VM has no filesystem mounted there\n'],
      [{ add_filesystems: [{ type: 'lofs', source: 'a', target: '/x' }] }, 'add_filesystems.0.source: "a" is not an absolute path\n'],
      [{ add_filesystems: [{ type: 'lofs', source: '/a"\nadd net', target: '/x' }] }, 'add_filesystems.0.source: "/a\\"\\nadd net" holds a blank, a double quote or a control character\n'],
      [{ add_filesystems: [{ type: 'lofs', source: '/a', target: '/x', options: ['ro,rw'] }] }, 'add_filesystems.0.options: "ro,rw" is not a mount option\n'],
    ];
    for (const [payload, stderr] of cases) {
      const before = snapshot(p);
      const r = await p.vm(['update', ZONE], payload);
      assert.deepEqual([r.status, r.stderr], [1, stderr], JSON.stringify(payload));
      assert.deepEqual(snapshot(p), before);
    }
  });
});
