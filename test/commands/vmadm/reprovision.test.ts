/**
 * vmadm reprovision (docs/vmadm-cli.md §16.4): a new image for an OS VM,
 * its data kept, as SmartOS does it: stopped, root reinstalled (local:
 * <zonepath>/root replaced, data/ and config kept; illumos: the zfs
 * rename/clone/install script/destroy of the fakes), image_uuid set,
 * booted. The refusals, with SmartOS's words; a failure leaves the VM as
 * it was. Killed at each step: test/app/crash.test.ts.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { invariants } from '../../helpers/invariants';
import { mochaCleanup, place } from '../../helpers/hosts';
import { startCli } from '../../helpers/run-cli';

const U = '5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11'; // examples/vms/dual-stack-zone.json, image 2b683a82-...
const NEW = 'c0ffee00-1234-4abc-8def-000000000001'; // an image the fake host has
const payload = (image: unknown = NEW): string => JSON.stringify({ image_uuid: image });

afterEach(mochaCleanup.afterEach);

describe('vmadm reprovision', () => {
  it('local host: the zone root replaced, data/ and config kept, image_uuid set, the VM running again; the rest of the VM as it was', async () => {
    const p = place('local');
    await p.create('dual-stack-zone.json');
    const zp = p.zonepath(U);
    fs.mkdirSync(path.join(zp, 'root', 'etc'), { recursive: true });
    fs.writeFileSync(path.join(zp, 'root', 'etc', 'motd'), 'old root\n');
    fs.mkdirSync(path.join(zp, 'data'));
    fs.writeFileSync(path.join(zp, 'data', 'db'), 'kept\n');
    const before = await p.get(U);
    const r = await p.vm(['reprovision', U], { input: payload() });
    assert.deepEqual([r.status, r.stdout, r.stderr], [0, '', `Successfully reprovisioned VM ${U}\n`]);
    const after = await p.get(U);
    assert.deepEqual([after.image_uuid, after.state, after.autoboot], [NEW, 'running', true]);
    const same = (vm: Record<string, unknown>): Record<string, unknown> => ({ ...vm, image_uuid: undefined, last_modified: undefined });
    assert.deepEqual(same(after), same(before));
    assert.ok(!fs.existsSync(path.join(zp, 'root', 'etc', 'motd')));
    assert.ok(fs.existsSync(path.join(zp, 'root')));
    assert.ok(!fs.existsSync(path.join(zp, 'root.reprovisioning')));
    assert.equal(fs.readFileSync(path.join(zp, 'data', 'db'), 'utf8'), 'kept\n');
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(zp, 'config', 'tags.json'), 'utf8')), before.tags);
    assert.equal(p.zone(U)!.image_uuid, NEW);
    assert.deepEqual(await invariants(p), []);
  });

  it('a stopped VM is reprovisioned and booted (autoboot set), as SmartOS does; other payload keys are ignored with a note; -f FILE', async () => {
    const p = place('local');
    await p.create('dual-stack-zone.json');
    assert.equal((await p.vm(['stop', U])).status, 0);
    const file = path.join(p.dir, 'payload.json');
    fs.writeFileSync(file, JSON.stringify({ image_uuid: NEW.toUpperCase(), alias: 'ignored' }));
    const r = await p.vm(['reprovision', U, '-f', file]);
    assert.deepEqual([r.status, r.stderr], [0, `Successfully reprovisioned VM ${U}\nnote: "alias" is not a reprovision property and was ignored\n`]);
    const vm = await p.get(U);
    assert.deepEqual([vm.image_uuid, vm.state, vm.autoboot, vm.alias], [NEW, 'running', true, 'web01']);
    assert.deepEqual(await invariants(p), []);
  });

  it('refusals, "Failed to reprovision VM <uuid>: " then SmartOS\'s reason, exit 1, nothing changed; a tty on stdin: usage', async () => {
    const p = place('local');
    await p.create('dual-stack-zone.json');
    const b = await p.create('bhyve-vm.json');
    const lines: [string[], string, number, string][] = [
      [['reprovision', U], '{}', 1, `vmadm: Failed to reprovision VM ${U}: payload is missing image_uuid`],
      [['reprovision', U], payload('nope'), 1, `vmadm: Failed to reprovision VM ${U}: image_uuid: "nope" is not a UUID`],
      [['reprovision', b], payload(), 1, `vmadm: Failed to reprovision VM ${b}: brand "bhyve" does not yet support reprovision`],
      [['reprovision', 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee'], payload(), 1, 'vmadm: Failed to reprovision VM aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee: VM aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee not found'],
      [['reprovision', U], '[1]', 1, 'vmadm: <stdin>: a reprovision payload must be a JSON object'],
      [['reprovision', 'x'], payload(), 2, 'vmadm: Invalid or missing UUID for reprovision'],
    ];
    const vm = await p.get(U);
    for (const [args, input, status, line] of lines) {
      const r = await p.vm(args, { input });
      assert.deepEqual([r.status, r.stderr], [status, `${line}\n`], input);
    }
    const tty = await p.vm(['reprovision', U], { tty: true });
    assert.deepEqual([tty.status, tty.stderr], [2, 'vmadm: Will not take payload from stdin when stdin is a tty.\n']);
    assert.equal((await p.vm(['update', U, 'indestructible_zoneroot=true'])).status, 0);
    const ind = await p.vm(['reprovision', U], { input: payload() });
    assert.deepEqual([ind.status, ind.stderr], [1, `vmadm: Failed to reprovision VM ${U}: indestructible_zoneroot is set, cannot reprovision\n`]);
    assert.equal((await p.get(U)).image_uuid, vm.image_uuid);
    assert.deepEqual(await invariants(p), []);
  });

  it('illumos: the zfs steps SmartOS takes (rename away, clone of @final with the quota, install script -r, data back, old root destroyed), then the zone set to the image and booted', async () => {
    const p = place('illumos');
    await p.create('dual-stack-zone.json');
    const ds = `zones/${U}`;
    // a delegated data dataset, with a file in it
    const datasets = JSON.parse(fs.readFileSync(path.join(p.fakeState!, 'datasets.json'), 'utf8'));
    datasets[`${ds}/data`] = { props: { zoned: 'on' }, snapshots: [] };
    fs.writeFileSync(path.join(p.fakeState!, 'datasets.json'), JSON.stringify(datasets));
    fs.mkdirSync(path.join(p.zonepath(U), 'data'), { recursive: true });
    fs.writeFileSync(path.join(p.zonepath(U), 'data', 'db'), 'kept\n');
    fs.writeFileSync(path.join(p.zonepath(U), 'old-root-file'), 'gone\n');
    p.calls();
    const r = await p.vm(['reprovision', U], { input: payload() });
    assert.deepEqual([r.status, r.stderr], [0, `Successfully reprovisioned VM ${U}\n`]);
    const calls = p.calls().filter((c) => !/ list (-p|-H)|^ipf /.test(c));
    assert.deepEqual(calls, [
      `zlogin -Q ${U} /usr/sbin/shutdown -y -g 0 -i 5`,
      `zfs set zoned=off ${ds}/data`,
      `zfs rename -f ${ds}/data ${ds}-reprovisioning-data`,
      `zfs rename -f ${ds} ${ds}-reprovisioning-root`,
      `zfs clone -o quota=20g -o devices=off zones/${NEW}@final ${ds}`,
      `jinstall -r -R /zones/${U} -z ${U}`,
      `zfs rename -f ${ds}-reprovisioning-data ${ds}/data`,
      `zfs set zoned=on ${ds}/data`,
      `zfs destroy -r ${ds}-reprovisioning-root`,
      `zonecfg -u ${U}`,
      `zoneadm -z ${U} boot`,
    ]);
    const vm = await p.get(U);
    assert.deepEqual([vm.image_uuid, vm.state], [NEW, 'running']);
    const zone = p.zone(U)!;
    assert.equal(zone.config.attrs.find((a: { name: string }) => a.name === 'dataset-uuid').value, NEW);
    assert.equal(fs.readFileSync(path.join(p.zonepath(U), 'data', 'db'), 'utf8'), 'kept\n');
    assert.ok(!fs.existsSync(path.join(p.zonepath(U), 'old-root-file')));
    assert.ok(fs.existsSync(path.join(p.zonepath(U), 'config', 'metadata.json')));
    assert.deepEqual(await invariants(p), []);
  });

  it('illumos: an image the host lacks fails the clone; the old root is put back, the VM booted again as it was', async () => {
    const p = place('illumos');
    await p.create('dual-stack-zone.json');
    fs.writeFileSync(path.join(p.zonepath(U), 'old-root-file'), 'kept\n');
    const before = await p.get(U);
    const missing = 'deadbeef-0000-4000-8000-000000000000';
    const r = await p.vm(['reprovision', U], { input: payload(missing) });
    assert.equal(r.status, 1);
    assert.equal(r.stderr, `vmadm: Failed to reprovision VM ${U}: zfs snapshot zones/${missing}@${U} failed: cannot open 'zones/${missing}': dataset does not exist\n`);
    const after = await p.get(U);
    assert.deepEqual(after, before);
    assert.equal(fs.readFileSync(path.join(p.zonepath(U), 'old-root-file'), 'utf8'), 'kept\n');
    assert.equal(p.zone(U)!.state, 'running');
    assert.deepEqual(await invariants(p), []);
  });

  for (const [pause, outcome] of [
    ['zfs:clone', 'undid'],
    ['zfs:destroy', 'finished'],
  ] as const) {
    it(`illumos, the real ./bin/vmadm killed after the host's ${pause.slice(4)} (mid-reinstall): the next command ${outcome} it`, async function () {
      this.timeout(60000);
      const p = place('illumos');
      await p.create('dual-stack-zone.json');
      fs.writeFileSync(path.join(p.zonepath(U), 'old-root-file'), 'old\n');
      const child = startCli('vmadm', ['reprovision', U], { input: payload(), env: { ...p.env, FAKE_HOST_PAUSE: pause } });
      const pidFile = path.join(p.fakeState!, 'paused.pid');
      while (!fs.existsSync(pidFile) && child.exitCode === null) await new Promise((res) => setTimeout(res, 50));
      child.kill('SIGKILL');
      await child.output;
      process.kill(Number(fs.readFileSync(pidFile, 'utf8')), 'SIGKILL');
      const next = await p.vm(['update', U, 'alias=next']);
      assert.equal(next.status, 0, next.stderr);
      assert.match(next.stderr, new RegExp(`note: ${outcome} an interrupted vmadm reprovision \\(pid \\d+\\) of VM ${U}`));
      const vm = await p.get(U);
      assert.equal(vm.image_uuid, outcome === 'undid' ? '2b683a82-a066-11e3-97ab-2faa44701c5a' : NEW);
      assert.equal(fs.existsSync(path.join(p.zonepath(U), 'old-root-file')), outcome === 'undid');
      const datasets = JSON.parse(fs.readFileSync(path.join(p.fakeState!, 'datasets.json'), 'utf8'));
      assert.deepEqual(Object.keys(datasets).filter((n) => n.includes(U)), [`zones/${U}`]);
      assert.deepEqual(await invariants(p), []);
    });
  }
});
