/** The text formats of VM properties that are not addresses. */

export const MAC = /^[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}$/;
export const NIC_TAG = /^[a-zA-Z0-9_]{1,31}$/;
export const INTERFACE = /^net\d+$/;
/** lx names its NICs as Linux does. */
export const LX_INTERFACE = /^eth\d+$/;
export const DHCP_CID = /^0x(?:[0-9a-fA-F]{2})+$/;
/** `nics[<index>]` or `macs[<mac>]` as a route's gateway. */
export const ROUTE_VIA_NIC = /^nics\[(\d+)\]$/;
export const ROUTE_VIA_MAC = /^macs\[([^\]]*)\]$/;
/** A guest PCI slot of pci_devices: `[<bus 0-255>:]<slot 0-31>:<function 0-7>`. */
export const PCI_SLOT = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d):)?(?:3[01]|[12]?\d):[0-7]$/;

/** Why a MAC is not a unicast address a NIC can have, or undefined. */
export function macProblem(mac: string): string | undefined {
  if (!MAC.test(mac)) return 'is not a MAC address (six colon-separated hex pairs)';
  const first = parseInt(mac.slice(0, 2), 16);
  if (/^(?:ff:){5}ff$/i.test(mac)) return 'is the broadcast address';
  if (first & 1) return 'is a multicast address';
  if (/^(?:00:){5}00$/.test(mac)) return 'is all zeros';
  return undefined;
}

/** Longest pool name taken, in bytes (its characters are ASCII). */
const ZPOOL_MAX_LENGTH = 255;
const ZPOOL_CHARACTERS = /^[A-Za-z0-9_.:-]*$/;
/** Names `zpool create` keeps for vdev types (`mirror2` is refused as well as `mirror`). */
const ZPOOL_RESERVED_PREFIXES = ['mirror', 'raidz', 'draid', 'spare'];

/**
 * Why a text is not a ZFS pool name as `zpool create` takes one, or
 * undefined: letters, digits, `_`, `-`, `.` and `:`, starting with a
 * letter, at most ZPOOL_MAX_LENGTH bytes, none of ZFS's reserved names,
 * not `c<digit>...` (a disk device's name). The zonepath and datasets are
 * made from it: `../x` is not a pool.
 */
export function zpoolProblem(name: string): string | undefined {
  if (name === '') return 'it is empty';
  if (!ZPOOL_CHARACTERS.test(name)) return 'only letters, digits, "_", "-", "." and ":" may be used';
  if (name.length > ZPOOL_MAX_LENGTH) return `it is ${name.length} bytes long, at most ${ZPOOL_MAX_LENGTH} are allowed`;
  if (!/^[A-Za-z]/.test(name)) return 'it must begin with a letter';
  if (name === 'log') return '"log" is reserved by ZFS';
  const reserved = ZPOOL_RESERVED_PREFIXES.find((p) => name.startsWith(p));
  if (reserved !== undefined) {
    return name === reserved ? `"${reserved}" is reserved by ZFS` : `names beginning with "${reserved}" are reserved by ZFS`;
  }
  if (/^c[0-9]/.test(name)) return 'names of "c" and a digit are reserved by ZFS for disk devices';
  return undefined;
}
