/**
 * vmadm info, sysrq, console (docs/vmadm-cli.md §16.5): one line on the
 * local host, which has no hypervisor; SmartOS's answers on illumos (OS
 * zones have no info and no sysrq; their console is zlogin -C).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { mochaCleanup, place } from '../../helpers/hosts';
import { examplePath } from '../../helpers/run-cli';

const U = '5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11'; // examples/vms/dual-stack-zone.json (joyent)
const UNKNOWN = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';

afterEach(mochaCleanup.afterEach);

describe('vmadm info, sysrq, console', () => {
  it('on the local host: "<command> needs a hypervisor; the local host has none", exit 1, nothing printed on stdout', async () => {
    const p = place('local');
    await p.create('dual-stack-zone.json');
    for (const [cmd, ...args] of [['info', U], ['info', U, 'vnc,cpus'], ['sysrq', U, 'nmi'], ['console', U]]) {
      const r = await p.vm([cmd, ...args]);
      assert.deepEqual([r.status, r.stdout, r.stderr], [1, '', `vmadm: ${cmd} needs a hypervisor; the local host has none\n`], cmd);
    }
  });

  it("usage as SmartOS's: a missing UUID, sysrq's parameters and type (exit 2)", async () => {
    const p = place('local');
    for (const [args, line] of [
      [['info'], 'Invalid or missing UUID for info'],
      [['console', 'x'], 'Invalid or missing UUID for console'],
      [['sysrq', U], 'Wrong number of parameters to "sysrq"'],
      [['sysrq', U, 'nmi', 'more'], 'Wrong number of parameters to "sysrq"'],
      [['sysrq', U, 'reboot'], 'Invalid sysrq type: reboot'],
    ] as const) {
      const r = await p.vm([...args]);
      assert.deepEqual([r.status, r.stderr], [2, `vmadm: ${line}\n`], args.join(' '));
    }
  });

  it('on illumos, an OS zone: no info and no sysrq (SmartOS\'s words), its console through zlogin -C; a stopped VM, an unknown one', async () => {
    const p = place('illumos');
    await p.create('dual-stack-zone.json');
    p.calls();
    const expect = async (args: string[], status: number, line: string): Promise<void> => {
      const r = await p.vm(args);
      assert.deepEqual([r.status, r.stdout, r.stderr], [status, '', line], args.join(' '));
    };
    await expect(['info', U], 1, `vmadm: Unable to get VM info for VM ${U}: no info types supported for brand joyent\n`);
    await expect(['sysrq', U, 'nmi'], 1, 'vmadm: The sysrq command is only supported for VMs  with brand "bhyve" or "kvm".\n');
    await expect(['console', U], 0, '');
    assert.deepEqual(p.calls(), [`zlogin -C -e \\035 ${U}`]);
    await expect(['info', UNKNOWN], 1, `vmadm: Unable to get VM info for VM ${UNKNOWN}: VM ${UNKNOWN} not found\n`);
    await expect(['sysrq', UNKNOWN, 'nmi'], 1, `vmadm: VM ${UNKNOWN} not found\n`);
    await expect(['console', UNKNOWN], 1, `vmadm: VM ${UNKNOWN} not found\n`);
    assert.equal((await p.vm(['stop', U])).status, 0);
    p.calls();
    await expect(['info', U], 1, `vmadm: Unable to get VM info for VM ${U}: Unable to get info for vm from state "stopped", must be "running" or "stopping".\n`);
    await expect(['sysrq', U, 'screenshot'], 1, 'vmadm: Unable to send request to vm from state "stopped", must be "running" or "stopping".\n');
    await expect(['console', U], 1, 'vmadm: cannot connect to console when state is "stopped" must be "running".\n');
    assert.deepEqual(p.calls(), []);
  });

  it('on illumos, a running bhyve VM: no info (SmartOS\'s words); an NMI or screenshot is refused, saying what it needs', async () => {
    const p = place('illumos');
    const b = await p.create({ ...JSON.parse(fs.readFileSync(examplePath('vms', 'bhyve-vm.json'), 'utf8')), autoboot: true });
    const info = await p.vm(['info', b]);
    assert.deepEqual([info.status, info.stderr], [1, `vmadm: Unable to get VM info for VM ${b}: no info types supported for brand bhyve\n`]);
    const nmi = await p.vm(['sysrq', b, 'nmi']);
    assert.deepEqual([nmi.status, nmi.stderr], [1, 'vmadm: sysrq nmi for bhyve VMs goes through bhyvectl, which this vmadm does not drive\n']);
    const shot = await p.vm(['sysrq', b, 'screenshot']);
    assert.deepEqual([shot.status, shot.stderr], [1, 'vmadm: Invalid sysrq "screenshot" valid values: "nmi".\n']);
  });
});
