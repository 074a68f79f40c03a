/**
 * The scripts vmadm feeds to zonecfg (docs/vmadm-cli.md §11): `createScript`
 * for `zonecfg -z <zonename>` at create, `updateScript` for
 * `zonecfg -u <uuid>` at update. Pure: a record in, text out, nothing run.
 */
import type { VmRecord } from '../vm/record';
import { render, renderLine, type Line } from './commands';
import { headerLines, netKey, primaryLines, provisioningTimeoutMs, zoneItems, type Item } from './resources';

export interface CreateScriptOptions {
  /** How long provisioning may take before the VM is `failed` (default: vmadm's, by brand and ram). */
  provisioningTimeoutMs?: number;
  /** The time of the create, epoch ms (default: now). */
  nowMs?: number;
}

/** The script `zonecfg -z <zonename>` reads on stdin to create the zone of `vm`. */
export function createScript(vm: VmRecord, opts: CreateScriptOptions = {}): string {
  const now = opts.nowMs ?? Date.now();
  const timeout = opts.provisioningTimeoutMs ?? provisioningTimeoutMs(vm);
  const lines: Line[] = [...headerLines(vm)];
  for (const it of zoneItems(vm, { expireMs: now + timeout })) lines.push(...it.lines);
  lines.push(...primaryLines(vm.nics));
  return render(lines);
}

const text = (it: Item): string => it.lines.map(renderLine).join('\n');

/**
 * The script `zonecfg -u <uuid>` reads to turn the zone of `before` into
 * that of `after`: removals first (a changed NIC or attr is removed and
 * added whole), then what is new or changed, then the primary flag
 * where a net gains or loses it (a net added whole starts without it). '' when zonecfg needs no change (tags,
 * metadata, routes, quota live elsewhere).
 */
export function updateScript(before: VmRecord, after: VmRecord): string {
  const old = new Map<string, Item>();
  for (const it of zoneItems(before)) old.set(it.key, it);
  const now = new Map<string, Item>();
  for (const it of zoneItems(after)) now.set(it.key, it);

  const removals: Line[] = [];
  const additions: Line[] = [];
  const fresh = new Set<string>(); // keys of nets added whole by this script (no primary property yet)
  for (const [key, it] of old) {
    const next = now.get(key);
    if (next === undefined || (!it.overwrite && text(it) !== text(next))) removals.push(...it.removal);
  }
  for (const [key, it] of now) {
    const prev = old.get(key);
    if (prev === undefined || text(prev) !== text(it)) {
      additions.push(...it.lines);
      if (it.net) fresh.add(key);
    }
  }
  // The primary flag, where the zone's net does not already have the wanted one.
  const wasPrimary = new Set(before.nics.filter((n) => n.primary === true).map((n) => netKey(n.mac)));
  const changed = after.nics.filter((n) => {
    const key = netKey(n.mac);
    const has = !fresh.has(key) && wasPrimary.has(key);
    return (n.primary === true) !== has && (n.primary === true || has);
  });
  return render([...removals, ...additions, ...primaryLines(changed)]);
}
