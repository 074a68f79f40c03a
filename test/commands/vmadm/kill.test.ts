/**
 * vmadm kill (docs/vmadm-cli.md §16.1): SmartOS's argument forms and
 * words, the signal reaching the zone's init (the local host records it;
 * on illumos the fakes' kstat gives init's pid and kill(1) is run with
 * it), and the refusals.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { mochaCleanup, place } from '../../helpers/hosts';

const U = '5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11'; // examples/vms/dual-stack-zone.json
const sent = (sig: string): string => `Sent signal "${sig}" to init process for VM ${U}\n`;

afterEach(mochaCleanup.afterEach);

describe('vmadm kill', () => {
  it('on the local host: SIGTERM by default, -s SIG and -SIG, the signal as given in the success line; the zone records each', async () => {
    const p = place('local');
    await p.create('dual-stack-zone.json');
    for (const [args, line] of [
      [[U], sent('SIGTERM')],
      [['-s', 'SIGHUP', U], sent('SIGHUP')],
      [['--signal', 'USR1', U], sent('USR1')],
      [['-9', U], sent('9')],
      [['-KILL', U], sent('KILL')],
      [['-SIGUSR2', U], sent('SIGUSR2')],
      [['-0', U], sent('0')],
    ] as const) {
      const r = await p.vm(['kill', ...args]);
      assert.deepEqual([r.status, r.stdout, r.stderr], [0, '', line], args.join(' '));
    }
    // illumos numbering: 16 is USR1 there
    assert.equal((await p.vm(['kill', '-16', U])).status, 0);
    assert.deepEqual(p.zone(U)!.signals, ['SIGTERM', 'SIGHUP', 'SIGUSR1', 'SIGKILL', 'SIGKILL', 'SIGUSR2', '0', 'SIGUSR1']);
    // nothing else changes: the VM still runs
    assert.equal((await p.get(U)).state, 'running');
  });

  it("refuses as SmartOS does: its usage words (exit 2), an unknown signal, a stopped VM, an unknown VM (exit 1); nothing is sent", async () => {
    const p = place('local');
    await p.create('dual-stack-zone.json');
    for (const [args, status, line] of [
      [[], 2, 'vmadm: Invalid or missing argument UUID'],
      [['not-a-uuid'], 2, 'vmadm: Too many arguments.'],
      [[U, U], 2, 'vmadm: Too many arguments.'],
      [['-s', 'KILL'], 2, 'vmadm: Invalid or missing UUID for kill'],
      [['-9', 'not-a-uuid'], 2, 'vmadm: Unexpected args: ["9"]'],
      [['-9', '-KILL', U], 2, 'vmadm: Unexpected args: ["KILL"]'],
      [['-99', U], 1, 'vmadm: Unknown signal "99"'],
      [['-s', 'sigkill', U], 1, 'vmadm: Unknown signal "sigkill"'],
      [['aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee'], 1, 'vmadm: VM aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee not found'],
    ] as const) {
      const r = await p.vm(['kill', ...args]);
      assert.deepEqual([r.status, r.stderr], [status, `${line}\n`], args.join(' '));
    }
    assert.equal((await p.vm(['stop', U])).status, 0);
    const r = await p.vm(['kill', U]);
    assert.deepEqual([r.status, r.stderr], [1, `vmadm: Cannot find running init PID for VM ${U}\n`]);
    assert.equal(p.zone(U)!.signals, undefined);
  });

  it("on illumos: init's pid from its zone_misc kstat, then kill -s NAME <pid>", async () => {
    const p = place('illumos');
    await p.create('dual-stack-zone.json');
    p.calls();
    const r = await p.vm(['kill', '-SIGHUP', U]);
    assert.deepEqual([r.status, r.stderr], [0, sent('SIGHUP')]);
    const calls = p.calls();
    assert.deepEqual(calls.slice(0, 2), [`zoneadm -z ${U} list -p`, `kstat -p -m zones -c zone_misc -n ${U.slice(0, 30)}`]);
    assert.match(calls[2], /^kill -s HUP \d+$/);
    assert.deepEqual(calls.length, 3);
    assert.equal((await p.vm(['kill', '-9', U])).status, 0);
    assert.match(p.calls()[2], /^kill -s KILL \d+$/);
    assert.deepEqual(p.zone(U)!.signals, ['HUP', 'KILL']);
  });

  it('on illumos: a zone whose init is gone (pid 4294967295) or that is not running has no init to signal; kill is not run', async () => {
    const p = place('illumos');
    await p.create('dual-stack-zone.json');
    const file = `${p.fakeState}/zones/${U}.json`;
    fs.writeFileSync(file, JSON.stringify({ ...p.zone(U), init_pid: 4294967295 }));
    p.calls();
    const r = await p.vm(['kill', U]);
    assert.deepEqual([r.status, r.stderr], [1, `vmadm: Cannot find running init PID for VM ${U}\n`]);
    assert.ok(!p.calls().some((c) => c.startsWith('kill ')));
    assert.equal((await p.vm(['stop', '-F', U])).status, 0);
    p.calls();
    assert.equal((await p.vm(['kill', U])).status, 1);
    assert.deepEqual(p.calls(), [`zoneadm -z ${U} list -p`]);
  });
});
