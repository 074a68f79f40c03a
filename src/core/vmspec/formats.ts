/** The text formats of VM properties that are not addresses. */

export const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
export const MAC = /^[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}$/;
export const NIC_TAG = /^[a-zA-Z0-9_]{1,31}$/;
export const INTERFACE = /^net\d+$/;
/** lx names its NICs as Linux does. */
export const LX_INTERFACE = /^eth\d+$/;
export const DHCP_CID = /^0x(?:[0-9a-fA-F]{2})+$/;
/** `nics[<index>]` or `macs[<mac>]` as a route's gateway. */
export const ROUTE_VIA_NIC = /^nics\[(\d+)\]$/;
export const ROUTE_VIA_MAC = /^macs\[([^\]]*)\]$/;

/** Why a MAC is not a unicast address a NIC can have, or undefined. */
export function macProblem(mac: string): string | undefined {
  if (!MAC.test(mac)) return 'is not a MAC address (six colon-separated hex pairs)';
  const first = parseInt(mac.slice(0, 2), 16);
  if (/^(?:ff:){5}ff$/i.test(mac)) return 'is the broadcast address';
  if (first & 1) return 'is a multicast address';
  if (/^(?:00:){5}00$/.test(mac)) return 'is all zeros';
  return undefined;
}
