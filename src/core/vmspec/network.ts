/**
 * VM-level network properties: `resolvers` and `routes` (docs/vm-network.md).
 */
import { AddressError, parseAddress, parseCidr, type Family } from '../net/address';
import { MAC, ROUTE_VIA_MAC, ROUTE_VIA_NIC } from './formats';
import type { NicFacts } from './nic';
import { ReportBuilder, show } from './report';

/** The address model's reason, with the value shown short (`show`). */
function reason(err: unknown): string {
  return err instanceof AddressError ? `${show(err.input)} ${err.reason}` : String(err);
}

export function checkResolvers(resolvers: unknown, name: string, report: ReportBuilder): void {
  if (!Array.isArray(resolvers)) return;
  for (const r of resolvers) {
    if (typeof r !== 'string') continue;
    try {
      parseAddress(r);
    } catch (err) {
      report.badValue(name, r.includes('/') ? `${show(r)} has a prefix: a resolver is a single address` : reason(err));
    }
  }
}

/** The family of a route's destination, an address or a network without host bits. */
function destinationFamily(key: string): Family {
  return key.includes('/') ? parseCidr(key, 'reject').address.family : parseAddress(key).family;
}

/** Whether a NIC has an address of a family, static or dynamic. */
function nicHasFamily(nic: NicFacts, family: Family): boolean {
  return nic.subnets.some((s) => s.address.family === family) || (family === 4 ? nic.dhcp : nic.addrconf);
}

/**
 * `routes` (or `set_routes`): destination -> gateway address of the same
 * family, or `nics[N]` / `macs[<mac>]`. `nics` is undefined when the VM's
 * NICs are not known (an update checked on its own).
 */
export function checkRoutes(routes: unknown, prefix: string, nics: readonly NicFacts[] | undefined, report: ReportBuilder): void {
  if (routes === null || typeof routes !== 'object' || Array.isArray(routes)) return;
  let byMacs: Map<string, NicFacts> | undefined;
  for (const [key, value] of Object.entries(routes as Record<string, unknown>)) {
    const name = `${prefix}.${key}`;
    let family: Family;
    try {
      family = destinationFamily(key);
    } catch (err) {
      report.badValue(name, `destination ${reason(err)}`);
      continue;
    }
    if (typeof value !== 'string') continue;
    const byIndex = ROUTE_VIA_NIC.exec(value);
    const byMac = ROUTE_VIA_MAC.exec(value);
    if (byIndex || byMac) {
      if (byMac && !MAC.test(byMac[1])) {
        report.badValue(name, `${show(value)}: ${show(byMac[1])} is not a MAC address`);
        continue;
      }
      if (nics === undefined) continue;
      if (!byIndex && byMacs === undefined) {
        byMacs = new Map();
        for (const n of nics) if (n.mac !== undefined && !byMacs.has(n.mac)) byMacs.set(n.mac, n);
      }
      const nic = byIndex ? nics[Number(byIndex[1])] : byMacs!.get(byMac![1].toLowerCase());
      if (!nic) report.badValue(name, `${show(value)} names no NIC of this VM`);
      else if (!nicHasFamily(nic, family)) report.badValue(name, `${show(value)}: ${nic.name} has no IPv${family} address for an IPv${family} route`);
      continue;
    }
    try {
      const gw = parseAddress(value);
      if (gw.family !== family) report.badValue(name, `gateway ${value} is IPv${gw.family} but the destination is IPv${family}`);
    } catch (err) {
      report.badValue(name, `gateway ${reason(err)}`);
    }
  }
}
