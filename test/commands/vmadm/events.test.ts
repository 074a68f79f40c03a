/**
 * vmadm events (docs/vmadm-cli.md §16.2): SmartOS's line format, -j, -r,
 * -f, a uuid filter, the events of each kind of change (in this process,
 * the follower interrupted as a user would), the log's rotation; and one
 * spawned `vmadm events` that sees a create made after it started.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { recordVmEvent } from '../../../src/app/events';
import { openRuntime, SimulatedCrash } from '../../../src/app/runtime';
import { EventLog } from '../../../src/store/events';
import { mochaCleanup, place, type TestPlace } from '../../helpers/hosts';
import { examplePath, signalSource, startCli, type CliResult } from '../../helpers/run-cli';

const U = '5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11'; // dual-stack-zone.json, alias "web01"

afterEach(mochaCleanup.afterEach);

/**
 * `vmadm events <args>` following while `act` runs: the follower is
 * started, `act` runs once it has printed its first line (its ready line:
 * -r is added when not given, and its line taken out of the result), then
 * it is interrupted when `until` says it has printed enough.
 */
async function follow(p: TestPlace, args: string[], act: () => Promise<void>, until: (out: string) => boolean): Promise<CliResult> {
  if (!args.includes('-r')) {
    const r = await follow(p, ['-r', ...args], act, (out) => until(out.slice(out.indexOf('\n') + 1)));
    return { ...r, stdout: r.stdout.slice(r.stdout.indexOf('\n') + 1) };
  }
  const signals = signalSource();
  let out = '';
  let acted: Promise<void> | undefined;
  let actDone = false;
  let stopped = false;
  const running = p.vm(['events', ...args], {
    signals,
    onStdout: (s) => {
      out += s;
      if (acted === undefined) {
        acted = act().then(() => {
          actDone = true;
          if (until(out)) stop();
        });
      } else if (actDone && until(out)) {
        stop();
      }
    },
  });
  function stop(): void {
    if (stopped) return;
    stopped = true;
    // after the act, and after what it logged is read
    setTimeout(() => signals.emit('SIGINT', 'SIGINT'), 50);
  }
  const r = await running;
  await acted;
  return r;
}

describe('vmadm events', () => {
  it('-r: the ready line first, then one line per create, modify change and delete, as SmartOS prints them; interrupted: exit 130', async () => {
    const p = place('local');
    await p.create('dual-stack-web.json');
    const r = await follow(
      p,
      ['-r'],
      async () => {
        await p.create('dual-stack-zone.json');
        assert.equal((await p.vm(['update', U, 'alias=renamed', 'quota=30'])).status, 0);
        assert.equal((await p.vm(['stop', U])).status, 0);
        assert.equal((await p.vm(['delete', U])).status, 0);
      },
      (out) => out.includes(' delete\n'),
    );
    assert.equal(r.status, 130);
    assert.equal(r.stderr, 'interrupted: nothing was changed\n');
    const time = '\\[\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\\]';
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0], new RegExp(`^${time} ready$`));
    assert.match(lines[1], new RegExp(`^${time} 5f0c0a2e web01 create$`));
    const modify = lines.slice(2, -1).map((l) => l.replace(/^\[[^\]]+\] /, ''));
    assert.deepEqual(modify.filter((l) => !/last_modified|boot_timestamp/.test(l)), [
      '5f0c0a2e renamed modify: alias changed :: "web01" -> "renamed"',
      '5f0c0a2e renamed modify: quota changed :: 20 -> 30',
      '5f0c0a2e renamed modify: autoboot changed :: true -> false',
      '5f0c0a2e renamed modify: init_restarts removed :: 0 -> undefined',
      '5f0c0a2e renamed modify: state changed :: "running" -> "stopped"',
      '5f0c0a2e renamed modify: zone_state changed :: "running" -> "installed"',
    ]);
    // get shows boot_timestamp while the VM runs (docs/vmadm-cli.md §15 "get")
    assert.equal(modify.filter((l) => /^5f0c0a2e renamed modify: boot_timestamp removed :: "[^"]+" -> undefined$/.test(l)).length, 1);
    assert.match(lines[lines.length - 1], new RegExp(`^${time} 5f0c0a2e - delete$`));
  });

  it('-j: one JSON object per event (vminfod\'s: type, date, zonename, uuid, vm, changes); -r -j: the ready event with every VM', async () => {
    const p = place('local');
    const web = await p.create('dual-stack-web.json');
    const r = await follow(
      p,
      ['-j', '-r'],
      async () => {
        await p.create('dual-stack-zone.json');
        assert.equal((await p.vm(['update', U], { input: JSON.stringify({ add_nics: [{ nic_tag: 'admin', ips: ['10.9.0.5/24'], mac: '02:00:00:00:00:09' }] }) })).status, 0);
      },
      (out) => out.split('\n').filter(Boolean).length >= 3,
    );
    const [ready, create, modify] = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(Object.keys(ready), ['type', 'date', 'uuid', 'vms']);
    assert.equal(ready.type, 'ready');
    assert.deepEqual(Object.keys(ready.vms), [web]);
    assert.equal(ready.vms[web].uuid, web);
    assert.deepEqual(Object.keys(create), ['type', 'date', 'zonename', 'uuid', 'vm']);
    assert.deepEqual([create.type, create.zonename, create.uuid, create.vm.alias, create.vm.state], ['create', U, U, 'web01', 'running']);
    assert.deepEqual(create.vm, await p.get(U).then((vm) => ({ ...vm, nics: create.vm.nics, last_modified: create.vm.last_modified })));
    assert.equal(modify.type, 'modify');
    // a NIC added: one change of nics.*, with the whole NIC
    const nic = modify.changes.find((c: { prettyPath: string }) => c.prettyPath === 'nics.*');
    assert.deepEqual([nic.path, nic.action, nic.newValue.mac, nic.oldValue], [['nics', null], 'added', '02:00:00:00:00:09', undefined]);
    assert.ok(!modify.changes.some((c: { prettyPath: string }) => c.prettyPath === 'last_modified'));
  });

  it('a NIC changed in place is reported property by property, with its MAC as ident; -f: whole date and zonename', async () => {
    const p = place('local');
    await p.create('dual-stack-zone.json');
    const mac = (await p.get(U)).nics[1].mac as string;
    const r = await follow(
      p,
      ['-f', '-j'],
      async () => {
        assert.equal((await p.vm(['update', U], { input: JSON.stringify({ update_nics: [{ mac, mtu: 1400 }] }) })).status, 0);
      },
      (out) => out.includes('\n'),
    );
    const ev = JSON.parse(r.stdout.split('\n')[0]);
    assert.deepEqual(
      ev.changes.map((c: Record<string, unknown>) => [c.prettyPath, c.action, c.oldValue, c.newValue, c.ident]),
      [['nics.*.mtu', 'changed', 9000, 1400, mac]],
    );
    const text = await follow(
      p,
      ['-f'],
      async () => {
        assert.equal((await p.vm(['update', U, 'alias=x'])).status, 0);
      },
      (out) => out.includes('alias'),
    );
    assert.match(text.stdout, new RegExp(`^\\[\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\] ${U} x modify: alias changed :: "web01" -> "x"\n`));
  });

  it('UUID: only that VM\'s events; an unknown one: "VM <uuid> not found", exit 1; a word that is not a UUID: usage', async () => {
    const p = place('local');
    await p.create('dual-stack-zone.json');
    const r = await follow(
      p,
      ['-r', U],
      async () => {
        await p.create('dual-stack-web.json');
        assert.equal((await p.vm(['update', U, 'alias=only'])).status, 0);
      },
      (out) => out.includes('only'),
    );
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 2, r.stdout);
    assert.match(lines[1], / 5f0c0a2e only modify: alias changed/);
    assert.ok(!r.stdout.includes(' create'));
    const unknown = await p.vm(['events', 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee']);
    assert.deepEqual([unknown.status, unknown.stdout, unknown.stderr], [1, '', 'vmadm: VM aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee not found\n']);
    const bad = await p.vm(['events', 'web01']);
    assert.deepEqual([bad.status, bad.stderr], [2, 'vmadm: Invalid or missing UUID for events\n']);
  });

  it('a change that fails or is refused makes no event; fwadm rule changes make none (they change no VM)', async () => {
    const p = place('local');
    await p.create('dual-stack-zone.json');
    const r = await follow(
      p,
      [],
      async () => {
        assert.equal((await p.vm(['update', U, 'quota=-1'])).status, 1);
        assert.equal((await p.vm(['update', U, 'alias=web01'])).status, 0); // unchanged
        assert.equal((await p.fw(['add', '-g', '-e', 'FROM any TO all vms ALLOW tcp PORT 22'])).status, 0);
        assert.equal((await p.vm(['update', U, 'alias=marker'])).status, 0);
      },
      (out) => out.includes('marker'),
    );
    assert.deepEqual(
      r.stdout
        .trimEnd()
        .split('\n')
        .map((l) => l.replace(/^\[[^\]]+\] /, '')),
      ['5f0c0a2e marker modify: alias changed :: "web01" -> "marker"'],
    );
  });

  it('a change killed after its commit: the next command logs its event, once', async () => {
    const p = place('local');
    await p.create('dual-stack-zone.json');
    const log = path.join(p.root, 'events.log');
    const before = fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).length;
    // (the simulated kill ends the command as an internal error)
    const killed = await p.vm(['update', U, 'alias=killed'], {
      crashPoint: (pt) => {
        if (pt === 'update:stored') throw new SimulatedCrash(pt);
      },
    });
    assert.match(killed.stderr, /simulated crash/);
    assert.equal(fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).length, before);
    const next = await p.vm(['update', U, 'quota=25']);
    assert.equal(next.status, 0, next.stderr);
    const events = fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).slice(before).map((l) => JSON.parse(l));
    assert.deepEqual(
      events.map((e) => e.changes.filter((c: { prettyPath: string }) => c.prettyPath !== 'last_modified').map((c: { prettyPath: string; newValue: unknown }) => `${c.prettyPath}=${c.newValue}`)),
      [['alias=killed'], ['quota=25']],
    );
    // recovery again (a journal left once more) does not log it twice
    const rt = openRuntime({ env: p.env });
    const vm = rt.vms.get(U)!;
    assert.equal(recordVmEvent(rt, { kind: 'vm', op: 'update', uuid: U, before: rt.vms.toStored({ ...vm, quota: 20 }), after: rt.vms.toStored(vm) }, { once: true }), undefined);
    assert.equal(fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).length, before + 2);
  });

  it('the log is bounded: past its size it is rotated to events.log.1, and a follower reads on across the rotation', () => {
    const p = place('local');
    fs.mkdirSync(p.root, { recursive: true });
    const log = new EventLog(p.root, 300);
    const follower = log.follower();
    const ev = (n: number): Record<string, unknown> => ({ type: 'delete', date: '2026-01-01T00:00:00.000Z', zonename: `z${n}`, uuid: `z${n}`, pad: 'x'.repeat(60) });
    for (let n = 0; n < 10; n++) log.append([ev(n)]);
    assert.ok(fs.statSync(log.file).size <= 300);
    assert.ok(fs.existsSync(log.previous));
    // rotated more than once: the follower read each file to its end before moving on, as long as it reads between rotations
    const seen: string[] = [];
    const log2 = new EventLog(path.join(p.root), 300);
    const f2 = log2.follower();
    for (let n = 10; n < 20; n++) {
      log2.append([ev(n)]);
      seen.push(...f2.read().map((l) => JSON.parse(l).zonename as string));
    }
    assert.deepEqual(seen, Array.from({ length: 10 }, (_, i) => `z${i + 10}`));
    follower.close();
    f2.close();
  });

  it('a spawned vmadm events -j -r sees a create made after it started', async function () {
    this.timeout(30000);
    const p = place('local');
    const child = startCli('vmadm', ['events', '-j', '-r'], { env: p.env });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (s: string) => {
        out += s;
        if (out.includes('\n')) resolve();
      });
      child.on('close', () => reject(new Error(`events ended: ${out}`)));
    });
    assert.equal(JSON.parse(out.split('\n')[0]).type, 'ready');
    const r = await p.vm(['create', '-f', examplePath('vms', 'dual-stack-zone.json')]);
    assert.equal(r.status, 0, r.stderr);
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (out.split('\n').filter(Boolean).length >= 2) resolve();
        else setTimeout(check, 50);
      };
      check();
    });
    child.kill('SIGINT');
    const done = await child.output;
    assert.equal(done.status, 130);
    assert.equal(done.stderr, 'interrupted: nothing was changed\n');
    const create = JSON.parse(done.stdout.split('\n')[1]);
    assert.deepEqual([create.type, create.uuid, create.vm.state], ['create', U, 'running']);
  });
});
