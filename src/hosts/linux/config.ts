/**
 * What the linux host is told: its environment and `<root>/linux.json`.
 *
 *   VMADM_LINUX_NETNS          the namespace holding the bridges (default
 *                              `vmadm-host`, made by vmadm when missing)
 *   VMADM_LINUX_NETNS_PREFIX   put before each VM's zonename to name its
 *                              namespace (default none): several state roots
 *                              (test runs) on one machine
 *   VMADM_LINUX_NFT            `program`: load each VM's table by running
 *                              `ip netns exec <ns> nft -f -`; default
 *                              `library`: through libnftables in the
 *                              process (./libnftables.ts), the program
 *                              when the library cannot be loaded
 *
 *   <root>/linux.json (optional):
 *   {"nic_tags": {"external": "br0", "lab": {"bridge": "br1", "netns": "lab"}}}
 *
 * A nic_tag named there joins, instead of a bridge of the vmadm namespace,
 * an existing bridge: `"br0"` in the machine's own namespace, or
 * `{"bridge", "netns"}` in another. vmadm adds only its own veth ports to
 * it (and its `bridge` nftables table to that namespace); it never makes,
 * changes or moves the bridge or any other link there. A link that is not
 * a bridge is refused when a NIC would join it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AppError } from '../../core/errors';
import { isObject } from '../../core/object';

/** A namespace name as `ip netns` takes it (a file name under /run/netns). */
export const NETNS_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
/** An interface name (IFNAMSIZ: at most 15 bytes). */
export const IFNAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/;
const PREFIX = /^[A-Za-z0-9_.-]{0,63}$/;
const NIC_TAG = /^[a-zA-Z0-9_]{1,31}$/;

/** Where a nic_tag's bridge is: made by vmadm in its namespace (owned), or named in linux.json. */
export interface Segment {
  readonly tag: string;
  /** null: the machine's own namespace. */
  readonly netns: string | null;
  readonly bridge: string;
  readonly owned: boolean;
}

export interface LinuxSettings {
  readonly hostNetns: string;
  readonly prefix: string;
  /** Tags mapped by linux.json. */
  readonly mapped: ReadonlyMap<string, { bridge: string; netns: string | null }>;
  /** The anti-spoofing table's name (in every namespace holding one of this root's bridges). */
  readonly guardTable: string;
  /** How a VM's table is loaded: libnftables in this process, or the nft program. */
  readonly nft: 'library' | 'program';
}

export const DEFAULT_HOST_NETNS = 'vmadm-host';

function bad(file: string, why: string): never {
  throw new AppError(`${file}: ${why}`);
}

export function linuxSettings(root: string, env: NodeJS.ProcessEnv): LinuxSettings {
  const hostNetns = env.VMADM_LINUX_NETNS || DEFAULT_HOST_NETNS;
  if (!NETNS_NAME.test(hostNetns)) throw new AppError(`VMADM_LINUX_NETNS: "${hostNetns.slice(0, 80)}" is not a namespace name ([A-Za-z0-9][A-Za-z0-9_.-]*, at most 128 characters)`);
  const prefix = env.VMADM_LINUX_NETNS_PREFIX ?? '';
  if (!PREFIX.test(prefix)) throw new AppError(`VMADM_LINUX_NETNS_PREFIX: "${prefix.slice(0, 80)}" is not a name prefix ([A-Za-z0-9_.-]*, at most 63 characters)`);
  const nft = env.VMADM_LINUX_NFT || 'library';
  if (nft !== 'library' && nft !== 'program') throw new AppError(`VMADM_LINUX_NFT: "${nft.slice(0, 80)}" is not library or program`);
  const mapped = new Map<string, { bridge: string; netns: string | null }>();
  const file = path.join(root, 'linux.json');
  let text: string | undefined;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') bad(file, (err as Error).message);
  }
  if (text !== undefined) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      bad(file, `not valid JSON (${(err as Error).message})`);
    }
    if (!isObject(doc)) bad(file, 'expected an object {"nic_tags": {...}}');
    for (const k of Object.keys(doc)) if (k !== 'nic_tags') bad(file, `unknown key ${JSON.stringify(k.slice(0, 40))} (expected nic_tags)`);
    const tags = doc.nic_tags ?? {};
    if (!isObject(tags)) bad(file, 'nic_tags: expected an object {"<nic_tag>": "<bridge>" | {"bridge", "netns"}}');
    for (const [tag, v] of Object.entries(tags)) {
      if (!NIC_TAG.test(tag)) bad(file, `nic_tags: ${JSON.stringify(tag.slice(0, 40))} is not a nic_tag ([a-zA-Z0-9_], 1 to 31 characters)`);
      let bridge: unknown;
      let netns: unknown = null;
      if (typeof v === 'string') bridge = v;
      else if (isObject(v)) {
        for (const k of Object.keys(v)) if (k !== 'bridge' && k !== 'netns') bad(file, `nic_tags.${tag}: unknown key ${JSON.stringify(k.slice(0, 40))} (expected bridge, netns)`);
        bridge = v.bridge;
        netns = v.netns ?? null;
      } else bad(file, `nic_tags.${tag}: expected a bridge name or {"bridge", "netns"}`);
      if (typeof bridge !== 'string' || !IFNAME.test(bridge)) bad(file, `nic_tags.${tag}.bridge: ${JSON.stringify(bridge)} is not an interface name`);
      if (netns !== null && (typeof netns !== 'string' || !NETNS_NAME.test(netns))) bad(file, `nic_tags.${tag}.netns: ${JSON.stringify(netns)} is not a namespace name`);
      if (netns === hostNetns) bad(file, `nic_tags.${tag}.netns: ${hostNetns} is vmadm's own namespace (VMADM_LINUX_NETNS); name a bridge elsewhere`);
      mapped.set(tag, { bridge, netns: netns as string | null });
    }
  }
  return { hostNetns, prefix, mapped, guardTable: `vmadm_${hostNetns.replace(/[^A-Za-z0-9_]/g, '_')}`, nft };
}
