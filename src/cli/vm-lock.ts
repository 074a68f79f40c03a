/**
 * The state lock as the vmadm commands that change state take it: the
 * store's lock, plus the clean-up on the host of creates that a killed
 * command left behind.
 *
 * A create marks itself begun in the store (VmStore.begin) before it runs
 * zonecfg; killed before its record is stored, it leaves a configured or
 * installed (maybe running) zone and no record. Whoever next takes the lock
 * finds the create rolled back in `store.recovered` (op `put`, outcome
 * `removed`) and here halts, uninstalls and unconfigures that zone, so the
 * host holds no zone without a record and the same uuid can be created
 * again. Readers (get, list, lookup) never show such a VM: it has no record.
 */
import type { Host, ZoneRef } from '../hosts/host';
import type { Recovered } from '../store/vm-store';
import type { VmContext } from './vm-context';

/** Zone states in which a zone must be halted before it can be uninstalled. */
const UP = new Set(['running', 'ready', 'shutting_down', 'down']);

/**
 * Remove a zone whatever state it is in (no zone: nothing to do). The halt
 * is forced (`zoneadm -u <uuid> halt -X`), so the zone's brand plays no part.
 */
export async function removeZone(host: Host, zone: ZoneRef): Promise<void> {
  const state = await host.zoneState(zone);
  if (state === undefined) return;
  if (UP.has(state)) await host.halt(zone, true);
  if (state !== 'configured') await host.uninstall(zone);
  await host.unconfigure(zone);
}

/** The zone of a create that was rolled back (zonename = uuid, as vmadm names zones). */
function leftoverZone(r: Recovered): ZoneRef {
  return { zonename: r.uuid, uuid: r.uuid, zonepath: r.zonepath, brand: '' };
}

/**
 * Run fn holding the state lock, after removing from the host the zones of
 * creates that were interrupted. A zone that cannot be removed now is left
 * marked in the store, to be tried again by the next command; the command
 * itself goes on.
 */
export async function withVmLock<T>(ctx: VmContext, fn: () => Promise<T>): Promise<T> {
  const { store, host } = ctx;
  return store.lock(async () => {
    for (const r of store.recovered) {
      if (r.op !== 'put' || r.outcome !== 'removed') continue;
      try {
        await removeZone(host, leftoverZone(r));
      } catch {
        await store.begin(r.uuid, r.zonepath);
      }
    }
    return fn();
  });
}
