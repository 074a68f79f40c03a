/**
 * Remote VMs (docs/fwadm-cli.md §6.1): input shapes, the stored shape, every
 * message, and the compiler's view.
 */
import { strict as assert } from 'node:assert';
import { FwError, FwNotFoundError } from '../../../src/core/fw/errors';
import {
  findRemoteVm, knownRemoteVms, remoteVmFromJson, remoteVmToFwVm, remoteVmToJson, remoteVmsFromPayload,
  validateRemoteVm, validateRemoteVms, type RemoteVmRecord,
} from '../../../src/core/fw/remote-vms';

const R1 = 'aaaaaaaa-0000-4000-8000-000000000001';
const R2 = 'aaaaaaaa-0000-4000-8000-000000000002';
const LOCAL = '5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11';
const OWNER = '930896af-bf8c-48d4-885c-6573a94b1853';
const none = new Set<string>();

function messages(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof FwError || err instanceof FwNotFoundError, String(err));
    return [...err.messages];
  }
  assert.fail('accepted');
}

describe('core/fw remote VMs', () => {
  it('a vmadm get object from another host: addresses from nics (prefix stripped, dhcp/addrconf ignored), the rest dropped', () => {
    const rvm = validateRemoteVm({
      uuid: R1,
      alias: 'web',
      owner_uuid: OWNER,
      brand: 'joyent',
      tags: { role: 'www', n: 3, ok: true },
      nics: [
        { ips: ['198.51.100.10/24', '2001:DB8:0:1:0:0:0:11/64', 'addrconf', 'dhcp'] },
        { ip: '10.0.0.5', netmask: '255.255.255.0' },
        { ip: 'dhcp' },
      ],
    }, none);
    assert.equal(
      JSON.stringify(remoteVmToJson(rvm), null, 2),
      JSON.stringify({ uuid: R1, ips: ['10.0.0.5', '198.51.100.10', '2001:db8:0:1::11'], tags: { role: 'www', n: 3, ok: true }, owner_uuid: OWNER }, null, 2),
    );
  });

  it('{uuid, ips}: canonical addresses, each once, in numeric order; no tags or owner keys when absent', () => {
    const rvm = validateRemoteVm({ uuid: R1, ips: ['fd00::1', '10.0.0.10', '10.0.0.9', 'FD00:0::1'] }, none);
    assert.deepEqual(Object.keys(rvm), ['uuid', 'ips']);
    assert.deepEqual(rvm.ips, ['10.0.0.9', '10.0.0.10', 'fd00::1']);
  });

  it('refuses with the exact messages', () => {
    assert.deepEqual(messages(() => validateRemoteVm({ ips: ['10.0.0.1'] }, none)), ['Remote VM must have UUID']);
    assert.deepEqual(messages(() => validateRemoteVm({ uuid: 'ABC', ips: ['10.0.0.1'] }, none)), ['Invalid Remote VM UUID: ABC']);
    assert.deepEqual(messages(() => validateRemoteVm({ uuid: R1 }, none)), [`Remote VM "${R1}": missing IPs`]);
    assert.deepEqual(messages(() => validateRemoteVm({ uuid: R1, nics: [{ ips: ['dhcp'] }] }, none)), [`Remote VM "${R1}": missing IPs`]);
    assert.deepEqual(messages(() => validateRemoteVm({ uuid: R1, ips: ['10.0.0.256'] }, none)), ['Invalid IP address: 10.0.0.256']);
    assert.deepEqual(messages(() => validateRemoteVm({ uuid: R1, nics: [{ ips: ['fe80::1%net0/64'] }] }, none)), ['Invalid IP address: fe80::1%net0']);
    assert.deepEqual(messages(() => validateRemoteVm({ uuid: LOCAL, ips: ['10.0.0.1'] }, new Set([LOCAL]))), [`Remote VM "${LOCAL}" must not have the same UUID as a local VM`]);
    assert.deepEqual(messages(() => validateRemoteVm({ uuid: R1, ips: ['10.0.0.1'], owner_uuid: 'x' }, none)), ['Invalid owner UUID: x']);
  });

  it('a payload: one object or {"remoteVMs": [...]}; every bad one reported, the later of one uuid kept', () => {
    assert.deepEqual(remoteVmsFromPayload({ uuid: R1 }), [{ uuid: R1 }]);
    assert.deepEqual(remoteVmsFromPayload({ remoteVMs: [{ uuid: R1 }, { uuid: R2 }] }), [{ uuid: R1 }, { uuid: R2 }]);
    assert.deepEqual(messages(() => validateRemoteVms([{ uuid: R1 }, { uuid: R2, ips: ['x'] }], none)), [`Remote VM "${R1}": missing IPs`, 'Invalid IP address: x']);
    assert.deepEqual(validateRemoteVms([{ uuid: R1, ips: ['10.0.0.1'] }, { uuid: R1, ips: ['10.0.0.2'] }], none).map((r) => r.ips), [['10.0.0.2']]);
  });

  it('unknown remote VMs: Unknown remote VM "<uuid>"', () => {
    const stored = new Map<string, RemoteVmRecord>([[R1, { uuid: R1, ips: ['10.0.0.1'] }]]);
    assert.equal(findRemoteVm(stored, R1).uuid, R1);
    assert.deepEqual(messages(() => findRemoteVm(stored, R2)), [`Unknown remote VM "${R2}"`]);
    assert.deepEqual(messages(() => knownRemoteVms(stored, [R1, R2])), [`Unknown remote VM "${R2}"`]);
    assert.deepEqual(knownRemoteVms(stored, [R1, R1]).map((r) => r.uuid), [R1]);
  });

  it('stored files read back; the compiler sees a remote VM with string tags and parsed addresses', () => {
    const rec = validateRemoteVm({ uuid: R1, ips: ['fd00::1', '10.0.0.1'], tags: { n: 3 }, owner_uuid: OWNER }, none);
    assert.deepEqual(remoteVmFromJson(JSON.parse(JSON.stringify(rec)), 'f'), rec);
    assert.deepEqual(messages(() => remoteVmFromJson({ uuid: R1 }, '/x.json')), [`/x.json: Remote VM "${R1}": missing IPs`]);
    const vm = remoteVmToFwVm(rec);
    assert.equal(vm.remote, true);
    assert.equal(vm.firewallEnabled, false);
    assert.equal(vm.owner_uuid, OWNER);
    assert.deepEqual([...vm.tags], [['n', '3']]);
    assert.deepEqual(vm.addresses.map((a) => a.text), ['10.0.0.1', 'fd00::1']);
  });
});
