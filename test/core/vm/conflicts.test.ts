/**
 * Conflicts across VMs (docs/vmadm-cli.md §3, §15 "Conflicts across VMs"):
 * (new or updated VM, other VMs) → SmartOS's sentence or none.
 */
import { strict as assert } from 'node:assert';
import { CONFLICT, conflictKeys, findConflict, indexKeyOf, indexKeys, newConflictKeys } from '../../../src/core/vm/conflicts';
import type { NicRecord } from '../../../src/core/vm/record';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';

function nic(over: Partial<NicRecord>): NicRecord {
  return { interface: 'net0', mac: '90:b8:d0:00:00:01', nic_tag: 'external', ips: [], ...over };
}

interface Vm {
  uuid: string;
  nics: NicRecord[];
  vnc_port?: number;
}

function vm(uuid: string, nics: Array<Partial<NicRecord>>, vnc_port?: number): Vm {
  return { uuid, nics: nics.map((n, i) => nic({ mac: `90:b8:d0:00:0${uuid === A ? 1 : 2}:0${i}`, ...n })), ...(vnc_port === undefined ? {} : { vnc_port }) };
}

describe('vm/conflicts findConflict', () => {
  const table: Array<[string, Vm, Vm, string | undefined]> = [
    ['the same MAC', vm(A, [{ mac: '90:b8:d0:aa:00:01' }]), vm(B, [{ mac: '90:b8:d0:aa:00:01' }]), 'MAC 90:b8:d0:aa:00:01'],
    ['the same MAC on other nic_tags too', vm(A, [{ mac: '90:b8:d0:aa:00:01', nic_tag: 'a' }]), vm(B, [{ mac: '90:b8:d0:aa:00:01', nic_tag: 'b' }]), 'MAC 90:b8:d0:aa:00:01'],
    ['the same IPv4 on the same nic_tag and vlan', vm(A, [{ ips: ['10.0.0.5/24'] }]), vm(B, [{ ips: ['10.0.0.5/16'] }]), 'IP 10.0.0.5 on nic_tag external'],
    ['the same IPv6 on the same nic_tag and vlan', vm(A, [{ ips: ['fd00::5/64'], vlan_id: 7 }]), vm(B, [{ ips: ['fd00::5/64'], vlan_id: 7 }]), 'IP fd00::5 on nic_tag external vlan 7'],
    ['vlan 0 is untagged, as absent', vm(A, [{ ips: ['10.0.0.5/24'], vlan_id: 0 }]), vm(B, [{ ips: ['10.0.0.5/24'] }]), 'IP 10.0.0.5 on nic_tag external'],
    ['the same IP on another nic_tag: no conflict', vm(A, [{ ips: ['10.0.0.5/24'], nic_tag: 'a' }]), vm(B, [{ ips: ['10.0.0.5/24'], nic_tag: 'b' }]), undefined],
    ['the same IP on another vlan: no conflict', vm(A, [{ ips: ['10.0.0.5/24'], vlan_id: 1 }]), vm(B, [{ ips: ['10.0.0.5/24'], vlan_id: 2 }]), undefined],
    ['dhcp and addrconf are not addresses', vm(A, [{ ips: ['dhcp', 'addrconf'] }]), vm(B, [{ ips: ['dhcp', 'addrconf'] }]), undefined],
    ['the same VRID on the same nic_tag and vlan', vm(A, [{ vrrp_vrid: 5, mac: '00:00:5e:00:01:05', nic_tag: 'a' }]), vm(B, [{ vrrp_vrid: 5, nic_tag: 'a', mac: '90:b8:d0:00:00:99' }]), 'VRID 5 on nic_tag a'],
    ['the same VNC port', vm(A, [], 5901), vm(B, [], 5901), 'vnc_port 5901'],
    ['VNC port 0 (any) and -1 (none) are not ports', vm(A, [], 0), vm(B, [], 0), undefined],
    ['VNC port -1', vm(A, [], -1), vm(B, [], -1), undefined],
    ['nothing shared', vm(A, [{ ips: ['10.0.0.5/24'] }], 5901), vm(B, [{ ips: ['10.0.0.6/24'] }], 5902), undefined],
  ];
  for (const [what, mine, other, held] of table) {
    it(`${what}: ${held === undefined ? 'no conflict' : held}`, () => {
      const got = findConflict(mine, [other]);
      assert.equal(got, held === undefined ? undefined : `${CONFLICT} (${held} is in use by VM ${B})`);
    });
  }

  it('a VM is not in conflict with itself (an update sees its own record among the others)', () => {
    const me = vm(A, [{ ips: ['10.0.0.5/24'] }], 5901);
    assert.equal(findConflict(me, [me]), undefined);
  });

  it('an update is checked for what it adds only: a conflict it already had does not block it', () => {
    const before = vm(A, [{ ips: ['10.0.0.5/24'] }]);
    const other = vm(B, [{ ips: ['10.0.0.5/24'] }]);
    const after = { ...before, vnc_port: 5901 };
    assert.equal(findConflict(after, [other], before), undefined);
    assert.deepEqual(newConflictKeys(after, before), ['vnc/5901']);
    const moved = { ...before, nics: [{ ...before.nics[0], ips: ['10.0.0.5/24', '10.0.0.6/24'] }] };
    assert.equal(findConflict(moved, [vm(B, [{ ips: ['10.0.0.6/24'] }])], before), `${CONFLICT} (IP 10.0.0.6 on nic_tag external is in use by VM ${B})`);
  });

  it('keys: vrid/<tag>/<vlan>/<vrid> (before its MAC), a MAC as it is, ip/<tag>/<vlan>/<address>, vnc/<port>; none holds a space', () => {
    assert.deepEqual(conflictKeys(vm(A, [{ mac: '00:00:5e:00:01:05', ips: ['10.0.0.5/24', 'dhcp'], vrrp_vrid: 5, vlan_id: 3 }], 5901)), [
      'vrid/external/3/5', '00:00:5e:00:01:05', 'ip/external/3/10.0.0.5', 'vnc/5901',
    ]);
  });

  it('index keys: every conflict key has its index key among the VM\'s (a store never misses a holder)', () => {
    const me = vm(A, [{ mac: '00:00:5e:00:01:05', ips: ['10.0.0.5/24', 'fd00::5/64', 'dhcp'], vrrp_vrid: 5, vlan_id: 3 }, { ips: ['10.1.0.5/16'] }], 5901);
    const indexed = indexKeys(me);
    assert.deepEqual(indexed, ['vrid/5', '00:00:5e:00:01:05', '10.0.0.5', 'fd00::5', '90:b8:d0:00:01:01', '10.1.0.5', 'vnc/5901']);
    assert.deepEqual(conflictKeys(me).map(indexKeyOf), indexed);
  });
});
