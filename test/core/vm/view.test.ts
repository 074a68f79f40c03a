/**
 * `vmadm get`'s view of a VM and its NICs (docs/vmadm-cli.md §3.2, §5): key
 * order, and the deprecated ip/netmask/gateway view older consumers read.
 */
import { strict as assert } from 'node:assert';
import type { NicRecord } from '../../../src/core/vm/record';
import { nicView } from '../../../src/core/vm/view';

function nic(props: Partial<NicRecord>): NicRecord {
  return { interface: 'net0', mac: '02:08:20:aa:bb:01', nic_tag: 'external', ips: [], ...props };
}

describe('vm/view nicView', () => {
  it('shows the first static IPv4 address, its netmask and the first IPv4 gateway', () => {
    const v = nicView(nic({ ips: ['2001:db8::5/64', '10.0.0.5/24', '10.1.0.5/16'], gateways: ['fe80::1', '10.0.0.1'] }));
    assert.equal(v.ip, '10.0.0.5');
    assert.equal(v.netmask, '255.255.255.0');
    assert.equal(v.gateway, '10.0.0.1');
  });

  it('shows no ip, netmask or gateway for an IPv6-only NIC', () => {
    const v = nicView(nic({ ips: ['2001:db8::5/64', 'addrconf'], gateways: ['fe80::1'] }));
    assert.equal('ip' in v, false);
    assert.equal('netmask' in v, false);
    assert.equal('gateway' in v, false);
  });

  it('shows ip "dhcp" for a NIC that takes its IPv4 address by DHCP', () => {
    const v = nicView(nic({ ips: ['dhcp'] }));
    assert.equal(v.ip, 'dhcp');
    assert.equal('netmask' in v, false);
  });

  it('lists keys in the order of vmadm get', () => {
    const v = nicView(nic({ primary: true, mtu: 1500, ips: ['10.0.0.5/24'], gateways: ['10.0.0.1'], vlan_id: 4, allowed_ips: ['10.0.0.9'] }));
    assert.deepEqual(Object.keys(v), ['interface', 'mac', 'vlan_id', 'nic_tag', 'gateway', 'gateways', 'netmask', 'ip', 'ips', 'allowed_ips', 'mtu', 'primary']);
  });
});
