/** Realistic VM records for the store tests, the worker and bench/store. */
import type { VmRecord } from '../../src/core/vm/record';

export function uuidOf(n: number, prefix = 'a'): string {
  const hex = n.toString(16).padStart(12, '0');
  return `${prefix.repeat(8).slice(0, 8)}-0000-4000-8000-${hex}`;
}

export function makeRecord(uuid: string, zonepath: string, over: Partial<VmRecord> = {}): VmRecord {
  const n = parseInt(uuid.slice(-4), 16) % 250;
  return {
    uuid,
    zonename: uuid,
    brand: 'joyent',
    alias: `web${n}`,
    hostname: `web${n}`,
    autoboot: true,
    owner_uuid: '930896af-bf8c-48d4-885c-6573a94b1853',
    billing_id: '00000000-0000-0000-0000-000000000000',
    image_uuid: '2b683a82-a066-11e3-97ab-2faa44701c5a',
    zpool: 'zones',
    zonepath,
    zfs_filesystem: `zones/${uuid}`,
    create_timestamp: '2026-11-28T10:00:00.000Z',
    last_modified: '2026-11-28T10:00:00.000Z',
    state: 'running',
    zone_state: 'running',
    v: 1,
    firewall_enabled: true,
    nics: [
      {
        interface: 'net0',
        mac: `90:b8:d0:00:${(n >> 8).toString(16).padStart(2, '0')}:${(n & 255).toString(16).padStart(2, '0')}`,
        nic_tag: 'external',
        ips: [`198.51.100.${n + 1}/24`, `2001:db8:0:1::${(n + 1).toString(16)}/64`, 'addrconf'],
        gateways: ['198.51.100.1', 'fe80::1'],
        vlan_id: 0,
        primary: true,
      },
      {
        interface: 'net1',
        mac: `90:b8:d0:01:${(n >> 8).toString(16).padStart(2, '0')}:${(n & 255).toString(16).padStart(2, '0')}`,
        nic_tag: 'internal',
        ips: [`10.0.${n}.10/24`, `fd00:42::${(n + 16).toString(16)}/64`],
        gateways: ['10.0.0.1', 'fd00:42::1'],
        allowed_ips: ['10.0.0.100', 'fd00:42::/120'],
        vlan_id: 42,
        mtu: 9000,
      },
    ],
    resolvers: ['10.0.0.53', '2001:db8:0:1::53'],
    routes: { '10.2.0.0/16': '10.0.0.1', 'fd00:99::/48': 'fd00:42::1' },
    tags: { role: n % 2 ? 'db' : 'www', env: 'prod' },
    customer_metadata: { 'user-script': '#!/bin/sh\nsvcadm enable nginx' },
    internal_metadata: {},
    quota: 20,
    cpu_shares: 100,
    zfs_io_priority: 100,
    max_lwps: 2000,
    max_physical_memory: 1024,
    max_locked_memory: 1024,
    max_swap: 1024,
    max_shm_memory: 1024,
    max_msg_ids: 4096,
    max_sem_ids: 4096,
    max_shm_ids: 4096,
    limit_priv: 'default',
    dns_domain: 'local',
    tmpfs: 1024,
    ...over,
  };
}
