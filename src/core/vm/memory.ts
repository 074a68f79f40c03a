/**
 * A VM's memory properties, on create and on update alike
 * (docs/vmadm-cli.md §3.1, §15 "Memory"; VM.js fixPayloadMemory):
 *
 * - `ram` without `max_physical_memory` sets it: ram + 1024 (kvm), + 1280
 *   (bhyve), ram itself (zones, which keep no ram: it stands for
 *   max_physical_memory);
 * - bhyve: max_physical_memory and max_locked_memory are at least ram + 256;
 * - max_locked_memory not given follows a new max_physical_memory: the old
 *   difference kept (update), equal to it (create);
 * - max_swap not given follows it too: equal when the stored max_swap was
 *   exactly the floor of 256 (it was raised to the floor, not chosen) and
 *   the new max_physical_memory is at least 256, else the old difference
 *   kept; never below 256;
 * - then max_locked_memory is lowered to max_physical_memory and max_swap
 *   raised to it; a max_swap given below 256 or below ram is refused;
 * - tmpfs (zones) keeps its old ratio to max_physical_memory, at most it;
 * - max_shm_memory is defaulted (to max_physical_memory) on create only.
 *
 * Pure: the stored values and the payload in, the values to store out.
 */
import { isHvm } from '../vmspec/brands';
import type { ReportBuilder } from '../vmspec/report';
import type { Brand } from './record';

type Obj = Record<string, unknown>;

/** The least max_swap (MiB). */
export const MIN_SWAP = 256;
/** What HVM brands add to ram for max_physical_memory when it is not given. */
const DEFAULT_OVERHEAD: Partial<Record<Brand, number>> = { kvm: 1024, bhyve: 1280 };
/** What bhyve needs at least beyond ram, in max_physical_memory and max_locked_memory. */
const BHYVE_MIN_OVERHEAD = 256;
/** ram of an HVM VM created without one. */
const DEFAULT_RAM = 256;
/** max_physical_memory of a zone created without it or ram. */
const DEFAULT_ZONE_MEMORY = 256;

/** The memory values of a VM: its record's, or none (create). */
export interface StoredMemory {
  ram?: number;
  max_physical_memory?: number;
  max_locked_memory?: number;
  max_swap?: number;
  tmpfs?: number;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

/**
 * The memory properties to store for payload `p` (checked by the
 * validator) on a VM of `brand` whose stored values are `stored`
 * (undefined: create). Values given and stored otherwise get a note; a
 * max_swap below its floor is reported in `report`.
 */
export function fixMemory(brand: Brand, stored: StoredMemory | undefined, p: Obj, notes: string[], report: ReportBuilder): Obj {
  const hvm = isHvm(brand);
  const old = stored ?? {};
  const out: Obj = {};
  const givenRam = num(p.ram);
  const givenMpm = num(p.max_physical_memory);
  const ram = hvm ? (givenRam ?? old.ram ?? DEFAULT_RAM) : givenRam;
  if (hvm) out.ram = ram;

  let mpm: number;
  if (givenMpm !== undefined) {
    mpm = givenMpm;
    if (!hvm && givenRam !== undefined) notes.push(`ram: ${givenRam} ignored (max_physical_memory ${givenMpm} is given)`);
  } else if (givenRam !== undefined) {
    mpm = givenRam + (DEFAULT_OVERHEAD[brand] ?? 0);
    if (!hvm) notes.push(`ram: ${givenRam} stored as max_physical_memory ${mpm}`);
  } else mpm = old.max_physical_memory ?? (hvm ? ram! + (DEFAULT_OVERHEAD[brand] ?? 0) : DEFAULT_ZONE_MEMORY);
  const least = brand === 'bhyve' ? ram! + BHYVE_MIN_OVERHEAD : undefined;
  if (least !== undefined && mpm < least) {
    if (givenMpm !== undefined) notes.push(`max_physical_memory: ${givenMpm} stored as ${least} (a bhyve VM needs at least ram + ${BHYVE_MIN_OVERHEAD})`);
    mpm = least;
  }
  out.max_physical_memory = mpm;
  const follows = stored === undefined || mpm !== old.max_physical_memory;
  const oldMpm = old.max_physical_memory;

  const givenLocked = num(p.max_locked_memory);
  let locked: number | undefined;
  if (givenLocked !== undefined) locked = givenLocked;
  else if (!follows) locked = old.max_locked_memory;
  else if (old.max_locked_memory !== undefined && oldMpm !== undefined) locked = Math.max(0, mpm - (oldMpm - old.max_locked_memory));
  else locked = mpm;
  if (least !== undefined && locked !== undefined && locked < least) {
    if (givenLocked !== undefined) notes.push(`max_locked_memory: ${givenLocked} stored as ${least} (a bhyve VM needs at least ram + ${BHYVE_MIN_OVERHEAD})`);
    locked = least;
  }
  if (locked !== undefined && locked > mpm) {
    if (givenLocked !== undefined) notes.push(`max_locked_memory: ${givenLocked} stored as ${mpm} (at most max_physical_memory)`);
    locked = mpm;
  }
  out.max_locked_memory = locked;

  const givenSwap = num(p.max_swap);
  let swap: number | undefined;
  if (givenSwap !== undefined) {
    swap = givenSwap;
    if (givenSwap < MIN_SWAP) report.badValue('max_swap', `${givenSwap} is below the minimum of ${MIN_SWAP}`);
    else if (ram !== undefined && givenSwap < ram) report.badValue('max_swap', `${givenSwap} is below ram (${ram})`);
    else if (givenSwap < mpm) {
      notes.push(`max_swap: ${givenSwap} stored as ${mpm} (at least max_physical_memory)`);
      swap = mpm;
    }
  } else {
    if (!follows) swap = old.max_swap;
    else if (old.max_swap !== undefined && oldMpm !== undefined) {
      swap = old.max_swap === MIN_SWAP && mpm >= MIN_SWAP ? mpm : mpm - (oldMpm - old.max_swap);
    } else swap = mpm;
    if (swap !== undefined) swap = Math.max(swap, MIN_SWAP, mpm);
  }
  out.max_swap = swap;

  if (!hvm) {
    const givenTmpfs = num(p.tmpfs);
    let tmpfs: number | undefined;
    if (givenTmpfs !== undefined) tmpfs = givenTmpfs;
    else if (stored === undefined) tmpfs = mpm;
    else if (follows && old.tmpfs !== undefined && oldMpm) tmpfs = Math.round((old.tmpfs * mpm) / oldMpm);
    else tmpfs = old.tmpfs;
    if (tmpfs !== undefined && tmpfs > mpm) {
      if (givenTmpfs !== undefined) notes.push(`tmpfs: ${givenTmpfs} stored as ${mpm} (at most max_physical_memory)`);
      tmpfs = mpm;
    }
    out.tmpfs = tmpfs;
  }
  if (stored === undefined) out.max_shm_memory = num(p.max_shm_memory) ?? mpm;
  return out;
}
