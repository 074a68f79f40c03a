/**
 * Remote VMs (docs/fwadm-cli.md §6.1): input shapes, the stored shape, every
 * message, and the compiler's view.
 */
import { strict as assert } from 'node:assert';
import { AppError } from '../../../src/core/errors';
import { normalizePayload } from '../../../src/core/fw/rules';
import { parseCompilePayload } from '../../../src/core/ipf/payload';
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
    assert.ok(err instanceof AppError && err.exitCode === 1, String(err));
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

  describe('one reader: add, update, add-rvm, compile and the stored files refuse alike', () => {
    /** The message each entry point gives for one remote VM (as a payload item). */
    const entryPoints: Array<[string, (rvm: unknown) => string[]]> = [
      // fwadm add -f / update -f: {"remoteVMs": [...]} (rule-change.ts)
      ['add / update payload', (rvm) => messages(() => validateRemoteVms(normalizePayload({ remoteVMs: [rvm] }).remoteVMs ?? [], none))],
      ['add-rvm, one object', (rvm) => messages(() => validateRemoteVms(remoteVmsFromPayload(rvm), none))],
      ['add-rvm, {"remoteVMs": [...]}', (rvm) => messages(() => validateRemoteVms(remoteVmsFromPayload({ remoteVMs: [rvm] }), none))],
      ['compile', (rvm) => {
        try {
          parseCompilePayload({ remoteVMs: [rvm] });
        } catch (err) {
          assert.ok(err instanceof AppError && err.exitCode === 1, String(err));
          return [err.message];
        }
        assert.fail('accepted');
      }],
    ];
    const refused: Array<[string, unknown, string]> = [
      ['a NIC prefix longer than IPv4 has', { uuid: R1, nics: [{ ips: ['10.0.0.1/99'] }] }, 'Invalid IP address: 10.0.0.1/99'],
      ['a NIC prefix longer than IPv6 has', { uuid: R1, nics: [{ ips: ['fd00::20/129'] }] }, 'Invalid IP address: fd00::20/129'],
      ['an empty NIC prefix', { uuid: R1, nics: [{ ips: ['10.0.0.1/'] }] }, 'Invalid IP address: 10.0.0.1/'],
      ['a NIC prefix with a leading zero', { uuid: R1, nics: [{ ips: ['10.0.0.1/024'] }] }, 'Invalid IP address: 10.0.0.1/024'],
      ['two NIC prefixes', { uuid: R1, nics: [{ ips: ['10.0.0.1/24/24'] }] }, 'Invalid IP address: 10.0.0.1/24/24'],
      ['a bad NIC address: named without its prefix', { uuid: R1, nics: [{ ips: ['10.0.0.256/24'] }] }, 'Invalid IP address: 10.0.0.256'],
      ['a NIC address with a scope', { uuid: R1, nics: [{ ips: ['fe80::1%net0/64'] }] }, 'Invalid IP address: fe80::1%net0'],
      ['a prefix in ips', { uuid: R1, ips: ['10.0.0.1/24'] }, 'Invalid IP address: 10.0.0.1/24'],
      ['a hex part in a dotted tail', { uuid: R1, ips: ['2001:db8::0x0a.0.0.1'] }, 'Invalid IP address: 2001:db8::0x0a.0.0.1'],
      ['a prefix in nics[].ip', { uuid: R1, nics: [{ ip: '10.0.0.1/24' }] }, 'Invalid IP address: 10.0.0.1/24'],
      ['a number in ips', { uuid: R1, ips: [10] }, 'Invalid IP address: 10'],
      ['a lone surrogate in a tag name', { uuid: R1, ips: ['10.0.0.1'], tags: { '\ud800': 'x' } }, `Remote VM "${R1}": tag "\\ud800" holds \\uD800, a lone surrogate: not a Unicode character`],
      ['a lone surrogate in a tag value', { uuid: R1, ips: ['10.0.0.1'], tags: { role: 'w\udfff' } }, `Remote VM "${R1}": tag "role" holds \\uDFFF, a lone surrogate: not a Unicode character`],
      ['a tag value that is an object', { uuid: R1, ips: ['10.0.0.1'], tags: { role: {} } }, `Remote VM "${R1}": tag "role" must be a string, number or boolean`],
      ['tags that are not an object', { uuid: R1, ips: ['10.0.0.1'], tags: ['role'] }, `Remote VM "${R1}": tags must be an object`],
      ['no uuid', { ips: ['10.0.0.1'] }, 'Remote VM must have UUID'],
      ['not an object', 'x', 'Remote VM must have UUID'],
      ['an upper-case uuid', { uuid: R1.toUpperCase(), ips: ['10.0.0.1'] }, `Invalid Remote VM UUID: ${R1.toUpperCase()}`],
      ['a bad owner', { uuid: R1, ips: ['10.0.0.1'], owner_uuid: 'me' }, 'Invalid owner UUID: me'],
      ['no addresses', { uuid: R1, nics: [{ ips: ['dhcp', 'addrconf'] }] }, `Remote VM "${R1}": missing IPs`],
      ['ips not an array', { uuid: R1, ips: '10.0.0.1' }, `Remote VM "${R1}": ips must be an array`],
      ['nics not an array', { uuid: R1, nics: {} }, `Remote VM "${R1}": nics must be an array`],
      ['a NIC that is not an object', { uuid: R1, nics: ['10.0.0.1'] }, `Remote VM "${R1}": each NIC must be an object`],
      ['a NIC ips that is not an array', { uuid: R1, nics: [{ ips: '10.0.0.1/24' }] }, `Remote VM "${R1}": nics[].ips must be an array`],
      ['a uuid of a megabyte, cut short', { uuid: 'u'.repeat(1_000_000), ips: ['10.0.0.1'] }, `Invalid Remote VM UUID: ${'u'.repeat(100)}... (1000000 characters)`],
    ];
    for (const [what, rvm, message] of refused) {
      for (const [entry, run] of entryPoints) {
        it(`${what}: ${entry}`, () => assert.deepEqual(run(rvm), [message]));
      }
      it(`${what}: a stored file`, () => assert.deepEqual(messages(() => remoteVmFromJson(rvm, '/f.json')), [`/f.json: ${message}`]));
    }

    it('a local uuid is refused by every entry point that knows the local VMs', () => {
      const rvm = { uuid: LOCAL, ips: ['10.0.0.1'] };
      const message = `Remote VM "${LOCAL}" must not have the same UUID as a local VM`;
      assert.deepEqual(messages(() => validateRemoteVms([rvm], new Set([LOCAL]))), [message]);
      const vm = { uuid: LOCAL, nics: [], state: 'running', tags: {}, zonepath: '/z' };
      assert.throws(() => parseCompilePayload({ vms: [vm], remoteVMs: [rvm] }), (e: unknown) => e instanceof AppError && e.message === message);
    });

    it('what one accepts, all accept alike: NIC prefixes as vmadm writes them, surrogate pairs in tags', () => {
      const rvm = { uuid: R1, nics: [{ ips: ['10.0.0.1/32', 'fd00::1/128', '10.0.0.2/0', 'dhcp'] }], tags: { '\ud83d\ude00': 'ok\ud83d\ude00', n: 1 } };
      assert.deepEqual(validateRemoteVms(remoteVmsFromPayload(rvm), none)[0], { uuid: R1, ips: ['10.0.0.1', '10.0.0.2', 'fd00::1'], tags: { '\u{1f600}': 'ok\u{1f600}', n: 1 } });
      const vm = parseCompilePayload({ remoteVMs: [rvm] }).remoteVms[0];
      assert.deepEqual(vm.addresses.map((a) => a.text), ['10.0.0.1', '10.0.0.2', 'fd00::1']);
      assert.deepEqual([...vm.tags], [['\u{1f600}', 'ok\u{1f600}'], ['n', '1']]);
    });
  });
});
