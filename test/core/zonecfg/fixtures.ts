/** Records for the zonecfg tests: complete VmRecords as the VM model stores them. */
import * as path from 'node:path';
import * as model from '../../../src/hosts/zonecfg-model';
import type { Brand, NicRecord, VmRecord } from '../../../src/core/vm/record';

export const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');
export const fakeZonecfg = path.join(repoRoot, 'test', 'fakes', 'bin', 'zonecfg');

/** A parsed command whose fields tests read without narrowing it first. */
export type ParsedCommand = model.Command & { [k: string]: unknown };
export type ZoneConfig = model.ZoneConfig;

/** The zonecfg model (src/hosts/zonecfg-model.ts: the fake zonecfg's and the local host's). */
export const zparse: {
  parse(src: string): ParsedCommand[];
  apply(cmds: readonly model.Command[], base?: ZoneConfig): ZoneConfig;
  ZonecfgError: typeof model.ZonecfgError;
} = model;

export const UUID = 'a3c1f0de-6c1e-4b7a-9d2f-1c2b3a4d5e6f';
export const ZERO = '00000000-0000-0000-0000-000000000000';
export const IMAGE = 'e75c9d82-3156-11ea-9220-c7a6bb9f41b6';
export const NOW = Date.UTC(2025, 0, 1); // 1735689600000

export function nic(over: Partial<NicRecord> & { mac: string; interface: string }): NicRecord {
  return { nic_tag: 'external', ips: [], ...over };
}

/** A record with the create defaults of docs/vmadm-cli.md §3.1 for `brand`, then `over`. */
export function record(brand: Brand, over: Partial<VmRecord> = {}): VmRecord {
  const hvm = brand === 'kvm' || brand === 'bhyve';
  const ram = 256;
  const mem = brand === 'kvm' ? ram + 1024 : brand === 'bhyve' ? ram + 1280 : ram;
  const base: VmRecord = {
    uuid: UUID,
    zonename: UUID,
    brand,
    autoboot: true,
    owner_uuid: ZERO,
    billing_id: ZERO,
    zpool: 'zones',
    zonepath: `/zones/${UUID}`,
    zfs_filesystem: `zones/${UUID}`,
    create_timestamp: '2025-01-01T00:00:00.000Z',
    last_modified: '2025-01-01T00:00:00.000Z',
    state: 'provisioning',
    zone_state: 'configured',
    v: 1,
    firewall_enabled: false,
    nics: [],
    resolvers: [],
    routes: {},
    tags: {},
    customer_metadata: {},
    internal_metadata: {},
    quota: brand === 'bhyve' ? 1 : 10,
    cpu_shares: 100,
    zfs_io_priority: 100,
    max_lwps: 2000,
    max_physical_memory: mem,
    max_locked_memory: mem,
    max_swap: mem,
    max_shm_memory: mem,
    max_msg_ids: 4096,
    max_sem_ids: 4096,
    max_shm_ids: 4096,
    limit_priv: hvm ? 'default,-file_link_any,-net_access,-proc_fork,-proc_info,-proc_session' : 'default',
  };
  if (hvm) {
    base.ram = ram;
    base.vcpus = 1;
  } else {
    base.image_uuid = IMAGE;
    base.dns_domain = 'local';
    base.tmpfs = mem;
  }
  return { ...base, ...over };
}

/** The VM of the docs/vmadm-cli.md §11 example. */
export function exampleVm(): VmRecord {
  return record('joyent', {
    alias: 'web01',
    hostname: 'web01',
    max_physical_memory: 1024,
    max_locked_memory: 1024,
    max_swap: 1024,
    max_shm_memory: 1024,
    tmpfs: 1024,
    quota: 20,
    firewall_enabled: true,
    resolvers: ['8.8.8.8', '2001:4860:4860::8888'],
    nics: [
      nic({
        interface: 'net0', mac: '52:0b:07:0a:3c:01', nic_tag: 'external', vlan_id: 100,
        ips: ['203.0.113.10/24', '2001:db8:100::10/64'], gateways: ['203.0.113.1'],
        network_uuid: '5b4a8a2e-1111-4c4c-8888-0123456789ab', primary: true,
      }),
      nic({
        interface: 'net1', mac: '52:0b:07:0a:3c:02', nic_tag: 'internal',
        ips: ['10.0.0.10/24', 'addrconf'], allowed_ips: ['10.0.0.11'], mtu: 9000,
      }),
    ],
  });
}

/**
 * A zone configuration in a form that ignores order: props, attrs by name,
 * nets by mac-addr and devices by match, net/device properties sorted;
 * the provisioning markers (create only) left out.
 */
export function normalise(z: ZoneConfig): unknown {
  const props = (l: Array<{ name: string; value: string }>): string[] => l.map((p) => `${p.name}=${p.value}`).sort();
  const byKey = <T extends Record<string, unknown>>(l: T[], key: string): Record<string, unknown> =>
    Object.fromEntries(l.map((r) => [String(r[key]), { ...r, properties: props((r.properties as Array<{ name: string; value: string }>) ?? []) }]));
  return {
    props: z.props,
    attrs: Object.fromEntries(z.attrs.filter((a) => a.name !== 'provisioning' && a.name !== 'transition').map((a) => [a.name, `${a.type}:${a.value}`])),
    nets: byKey(z.nets, 'mac-addr'),
    devices: byKey(z.devices, 'match'),
    'capped-memory': z['capped-memory'],
    'capped-cpu': z['capped-cpu'],
  };
}
