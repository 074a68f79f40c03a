/** Brands and the properties that only some brands take: the one list of each. */

export const ZONE_BRANDS = ['joyent', 'joyent-minimal', 'lx', 'builder'] as const;
/** Hardware VMs. */
export const HVM_BRANDS = ['kvm', 'bhyve'] as const;
export const BRANDS: readonly string[] = [...ZONE_BRANDS, ...HVM_BRANDS];

export type ZoneBrand = (typeof ZONE_BRANDS)[number];
export type HvmBrand = (typeof HVM_BRANDS)[number];

/** Whether a brand is a hardware VM's (kvm, bhyve); any value may be asked about. */
export function isHvm(brand: unknown): brand is HvmBrand {
  return (HVM_BRANDS as readonly unknown[]).includes(brand);
}

/** VM properties of hardware VMs only. */
export const HVM_ONLY = new Set([
  'boot', 'bootrom', 'cpu_type', 'disk_driver', 'disks', 'flexible_disk_size', 'nic_driver', 'qemu_extra_opts',
  'qemu_opts', 'spice_opts', 'spice_password', 'spice_port', 'vcpus', 'vga', 'virtio_txburst', 'virtio_txtimer',
  'vnc_password', 'vnc_port', 'add_disks', 'update_disks', 'remove_disks', 'bhyve_extra_opts', 'pci_devices',
]);

/** VM properties of zones only. */
export const ZONE_ONLY = new Set([
  'delegate_dataset', 'filesystems', 'add_filesystems', 'update_filesystems', 'remove_filesystems', 'fs_allowed', 'kernel_version', 'limit_priv', 'tmpfs',
]);

/** VM properties of bhyve VMs only (kvm refuses them too). */
export const BHYVE_ONLY = new Set(['bhyve_extra_opts', 'bootrom', 'flexible_disk_size', 'pci_devices']);

/** The VM properties a brand does not take. */
export function refusedBy(brand: string): ReadonlySet<string> {
  if (!isHvm(brand)) return HVM_ONLY;
  return brand === 'bhyve' ? ZONE_ONLY : KVM_REFUSED;
}

const KVM_REFUSED: ReadonlySet<string> = new Set([...ZONE_ONLY, ...BHYVE_ONLY]);

/** NIC properties of hardware VMs only (dropped with a note elsewhere: docs/vmadm-cli.md §15 "HVM NICs"). */
export const HVM_ONLY_NIC = new Set(['model', 'allow_unfiltered_promisc']);
