/**
 * Makes a VM's planned network real on Linux (hosts/linux/plan.ts), and
 * takes it away: namespaces, veth pairs, bridges, addresses, routes,
 * resolv.conf, the guard of each NIC's host end (core/nft/guard.ts).
 *
 * What it made is kept beside the zones, so that bringing a running VM's
 * network up to its plan is a file read when nothing changed:
 *
 *   <root>/host/linux/host.json       {ino, bridges, segments}: vmadm's
 *                                     namespace as set up (its inode), the
 *                                     bridges made in it, the namespaces
 *                                     holding mapped bridges as checked
 *   <root>/host/linux/vms/<ns>.json   {ino, plan, dirty?}: the plan a VM's
 *                                     namespace (that inode) was made to
 *
 * A namespace is told by the inode of /run/netns/<name> (a namespace
 * mounted there, on nsfs; a namespace made again has another). Before a
 * change a VM's file is marked dirty, and written clean after it: a
 * change a kill stopped half-way is found (dirty, another inode, or no
 * file) and the VM's network is taken away and made again whole. Taking
 * away finds the host ends by their alias (`<ns>/<interface>`) and by the
 * plans on file, and removes each thing whether it is there or not.
 *
 * Order, so that a VM is never on a bridge unguarded and never up
 * unfiltered: guards, then the veth pairs (host ends up, VM ends down),
 * then the VM's firewall (the caller's), then the VM's links up with
 * their addresses and routes. Taking away: host ends, guards, namespace.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HostError } from '../../core/errors';
import { guardBaseScript, guardPutScript, guardRemoveScript } from '../../core/nft/guard';
import { replaceUnsynced } from '../local';
import type { LinuxSettings, Segment } from './config';
import type { NetPlan, NicPlan } from './plan';
import { exec, run, type Netns } from './programs';

/** Where `ip netns` keeps the namespaces it names. */
export const NETNS_DIR = '/run/netns';
const ETC_NETNS = '/etc/netns';

interface HostRecord {
  ino: number;
  bridges: string[];
  /** Namespaces holding a mapped bridge (`''`: the machine's), by the inode they had when checked. */
  segments: Record<string, number>;
}

interface VmNetRecord {
  ino: number;
  plan: NetPlan;
  dirty?: boolean;
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The namespace a segment's ports live in, as a key (`''`: the machine's). */
const nsKey = (ns: Netns): string => ns ?? '';

let nsfsDev: number | undefined;

/** The inode of the namespace mounted at /run/netns/<name>, or undefined (none, or a file with no namespace on it). */
export function netnsId(name: string): number | undefined {
  nsfsDev ??= fs.statSync('/proc/self/ns/net').dev;
  try {
    const st = fs.statSync(path.join(NETNS_DIR, name));
    return st.dev === nsfsDev ? st.ino : undefined;
  } catch {
    return undefined;
  }
}

/** The machine's own namespace (this process's), as an inode. */
function ownNetnsId(): number {
  return fs.statSync('/proc/self/ns/net').ino;
}

export class LinuxNet {
  private readonly dir: string;
  private readonly vmsDir: string;
  /** Changes of networks, one at a time (they share vmadm's namespace, its files and its guard table); loads go side by side. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    root: string,
    private readonly settings: LinuxSettings,
    /** A named step where a test stops the process as kill -9 would (docs/state.md "Crash points"). */
    private readonly crashPoint: (point: string) => void = () => undefined,
  ) {
    this.dir = path.join(root, 'host', 'linux');
    this.vmsDir = path.join(this.dir, 'vms');
  }

  // ------------------------------------------------------------ vmadm's namespace and the bridges

  private hostRecord(): HostRecord | undefined {
    const r = readJson<HostRecord>(path.join(this.dir, 'host.json'));
    return r && r.ino === netnsId(this.settings.hostNetns) ? r : undefined;
  }

  private writeHostRecord(r: HostRecord): void {
    fs.mkdirSync(this.dir, { recursive: true });
    replaceUnsynced(path.join(this.dir, 'host.json'), JSON.stringify(r) + '\n');
  }

  /** vmadm's namespace, set up (made when missing): no IPv6 on its own links, lo up, the guard table. */
  private async ensureHost(): Promise<HostRecord> {
    const have = this.hostRecord();
    if (have) return have;
    const ns = this.settings.hostNetns;
    if (netnsId(ns) === undefined) {
      if (fs.existsSync(path.join(NETNS_DIR, ns))) await exec('ip', ['netns', 'delete', ns]);
      await run('ip', ['netns', 'add', ns]);
    }
    const ino = netnsId(ns);
    if (ino === undefined) throw new HostError(`ip netns add ${ns}: no namespace at ${NETNS_DIR}/${ns}`);
    await run('tee', ['/proc/sys/net/ipv6/conf/all/disable_ipv6', '/proc/sys/net/ipv6/conf/default/disable_ipv6'], { ns, input: '1\n' });
    await run('ip', ['link', 'set', 'dev', 'lo', 'up'], { ns });
    await run('nft', ['-f', '-'], { ns, input: guardBaseScript(this.settings.guardTable) });
    const r: HostRecord = { ino, bridges: [], segments: { [ns]: ino } };
    this.writeHostRecord(r);
    return r;
  }

  /** Each segment's bridge there: vmadm's made, mapped ones checked (a bridge, in a namespace that exists), with the guard table beside them. */
  private async ensureSegments(segments: readonly Segment[]): Promise<void> {
    const r = await this.ensureHost();
    let changed = false;
    for (const s of segments) {
      if (s.owned) {
        if (r.bridges.includes(s.bridge)) continue;
        const made = await exec('ip', ['link', 'add', 'name', s.bridge, 'type', 'bridge', 'mcast_snooping', '0'], { ns: s.netns });
        if (made.exitCode !== 0 && !/File exists/.test(made.stderr)) throw new HostError(`ip -n ${s.netns} link add name ${s.bridge} type bridge failed: ${made.stderr.split('\n')[0]}`);
        await run('ip', ['link', 'set', 'dev', s.bridge, 'alias', `nic_tag ${s.tag}`, 'up'], { ns: s.netns });
        r.bridges.push(s.bridge);
        changed = true;
        continue;
      }
      const key = nsKey(s.netns);
      const id = s.netns === null ? ownNetnsId() : netnsId(s.netns);
      const where = `linux.json: nic_tags.${s.tag}`;
      if (id === undefined) throw new HostError(`${where}: namespace ${s.netns} does not exist`);
      if (r.segments[`${key}/${s.bridge}`] === id) continue;
      const shown = await exec('ip', ['-j', '-d', 'link', 'show', 'dev', s.bridge], { ns: s.netns });
      const where2 = s.netns === null ? "the machine's namespace" : `namespace ${s.netns}`;
      if (shown.exitCode !== 0) throw new HostError(`${where}: there is no link ${s.bridge} in ${where2}`);
      const kind = (JSON.parse(shown.stdout) as Array<{ linkinfo?: { info_kind?: string } }>)[0]?.linkinfo?.info_kind;
      if (kind !== 'bridge') throw new HostError(`${where}: ${s.bridge} in ${where2} is not a bridge (vmadm joins NICs to a bridge you made; it never changes your links)`);
      await run('nft', ['-f', '-'], { ns: s.netns, input: guardBaseScript(this.settings.guardTable) });
      r.segments[`${key}/${s.bridge}`] = id;
      changed = true;
    }
    if (changed) this.writeHostRecord(r);
  }

  // ------------------------------------------------------------ a VM's network

  private vmFile(ns: string): string {
    return path.join(this.vmsDir, `${ns}.json`);
  }

  private writeVm(ns: string, rec: VmNetRecord): void {
    fs.mkdirSync(this.vmsDir, { recursive: true });
    replaceUnsynced(this.vmFile(ns), JSON.stringify(rec) + '\n');
  }

  /**
   * Whether a VM's network was made whole, in the namespace there now: what
   * a load needs (a change of its plan comes with its own ensure: a
   * reconfigured zone, routes written anew).
   */
  isMade(ns: string): boolean {
    return this.madeRecord(ns) !== undefined;
  }

  /** Whether a VM's namespace is up to `plan` as made (nothing to do). */
  isUpTo(plan: NetPlan): boolean {
    const rec = this.madeRecord(plan.ns);
    return rec !== undefined && same(rec.plan, plan);
  }

  /** The file of a VM's network made whole in the namespace there now, or undefined. */
  private madeRecord(ns: string): VmNetRecord | undefined {
    const rec = readJson<VmNetRecord>(this.vmFile(ns));
    return rec !== undefined && !rec.dirty && rec.ino === netnsId(ns) ? rec : undefined;
  }

  /**
   * Bring a running VM's network to `plan`: nothing when it is made so; a
   * change in place when what is there was made whole (NICs that changed
   * taken away and added again, routes and resolvers rewritten); else
   * taken away and made again, `firewall` loading the VM's tables before
   * its links come up.
   */
  async ensure(plan: NetPlan, firewall: () => Promise<void>): Promise<void> {
    if (this.isUpTo(plan)) return;
    await this.serial(async () => {
      const rec = readJson<VmNetRecord>(this.vmFile(plan.ns));
      const ino = netnsId(plan.ns);
      if (rec && !rec.dirty && ino !== undefined && rec.ino === ino) {
        if (!same(rec.plan, plan)) await this.change(rec, plan, ino);
        return;
      }
      await this.remake(plan, firewall);
    });
  }

  /** Take away whatever there is of the VM's network and make it whole from `plan`. */
  async rebuild(plan: NetPlan, firewall: () => Promise<void>): Promise<void> {
    await this.serial(() => this.remake(plan, firewall));
  }

  /** Take a VM's network away, whatever of it there is (see remove). */
  async down(ns: string, plans: readonly NetPlan[] = []): Promise<void> {
    await this.serial(() => this.remove(ns, plans));
  }

  private serial<T>(step: () => Promise<T>): Promise<T> {
    const next = this.queue.then(step, step);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async remake(plan: NetPlan, firewall: () => Promise<void>): Promise<void> {
    if (this.anyLeft(plan.ns)) await this.remove(plan.ns, [plan]);
    await this.up(plan, firewall);
  }

  private async up(plan: NetPlan, firewall: () => Promise<void>): Promise<void> {
    const { ns } = plan;
    await this.ensureSegments(distinct(plan.nics.map((n) => n.segment)));
    if (fs.existsSync(path.join(NETNS_DIR, ns))) await exec('ip', ['netns', 'delete', ns]);
    await run('ip', ['netns', 'add', ns]);
    const ino = netnsId(ns);
    if (ino === undefined) throw new HostError(`ip netns add ${ns}: no namespace at ${NETNS_DIR}/${ns}`);
    this.writeVm(ns, { ino, plan, dirty: true });
    await this.addNics(ns, plan.nics);
    await firewall();
    await this.vmBatch(ns, [
      'link set dev lo up',
      ...plan.nics.flatMap((n) => nicUp(n)),
      ...plan.routes.map(routeLine),
    ]);
    this.writeResolvers(ns, plan.resolvers);
    this.writeVm(ns, { ino, plan });
  }

  /** A change in place of a VM whose network was made whole to `rec.plan`. */
  private async change(rec: VmNetRecord, plan: NetPlan, ino: number): Promise<void> {
    const { ns } = plan;
    const before = new Map(rec.plan.nics.map((n) => [n.iface, n]));
    const after = new Map(plan.nics.map((n) => [n.iface, n]));
    const gone = rec.plan.nics.filter((n) => !same(after.get(n.iface), n));
    const added = plan.nics.filter((n) => !same(before.get(n.iface), n));
    await this.ensureSegments(distinct(added.map((n) => n.segment)));
    this.writeVm(ns, { ...rec, dirty: true });
    await this.removePorts(gone);
    await this.addNics(ns, added);
    const kept = new Set(plan.nics.filter((n) => !added.includes(n)).map((n) => n.iface));
    const wanted = new Set(plan.routes.map(routeLine));
    await this.vmBatch(ns, [
      ...added.flatMap((n) => nicUp(n)),
      // routes over links that stayed and are no longer wanted; those of links taken away went with them
      ...rec.plan.routes.filter((r) => kept.has(r.dev) && !wanted.has(routeLine(r))).map((r) => routeLine(r).replace(/^route replace /, 'route del ')),
      ...plan.routes.map(routeLine),
    ]);
    this.writeResolvers(ns, plan.resolvers);
    this.writeVm(ns, { ino, plan });
  }

  /**
   * Take a VM's network away, whatever of it there is: the host ends of
   * `plans` and of the plan on file (without a file: also those found by
   * their alias, `<ns>/<interface>`), their guards, the namespace, its
   * resolv.conf, the file.
   */
  private async remove(ns: string, plans: readonly NetPlan[]): Promise<void> {
    const rec = readJson<VmNetRecord>(this.vmFile(ns));
    // marked first: a removal a kill stopped half-way (links gone, the namespace left) is not taken for a network made whole
    if (rec && !rec.dirty) this.writeVm(ns, { ...rec, dirty: true });
    const nics = [...plans, ...(rec ? [rec.plan] : [])].flatMap((p) => p.nics);
    // every namespace this root's bridges are in
    const spaces = new Map<string, Netns>([[this.settings.hostNetns, this.settings.hostNetns]]);
    for (const m of this.settings.mapped.values()) spaces.set(nsKey(m.netns), m.netns);
    for (const n of nics) spaces.set(nsKey(n.segment.netns), n.segment.netns);
    for (const space of spaces.values()) {
      if (space !== null && netnsId(space) === undefined) continue;
      const ports = new Set(nics.filter((n) => n.segment.netns === space).map((n) => n.port));
      // no file says what was made (a make killed before it wrote one, or files lost): the links say
      const links = rec ? [] : (JSON.parse((await run('ip', ['-j', 'link', 'show'], { ns: space })) || '[]') as Array<{ ifname: string; ifalias?: string }>);
      for (const l of links) if (l.ifalias?.startsWith(`${ns}/`)) ports.add(l.ifname);
      if (ports.size === 0) continue;
      // -force: a host end already gone is no error
      await exec('ip', ['-force', '-batch', '-'], { ns: space, input: [...ports].map((p) => `link delete dev ${p}\n`).join('') });
      await run('nft', ['-f', '-'], { ns: space, input: guardRemoveScript(this.settings.guardTable, [...ports]) });
    }
    this.crashPoint('linux:links-removed');
    if (fs.existsSync(path.join(NETNS_DIR, ns))) await run('ip', ['netns', 'delete', ns]);
    fs.rmSync(path.join(ETC_NETNS, ns), { recursive: true, force: true });
    fs.rmSync(this.vmFile(ns), { force: true });
  }

  /** Whether anything of a VM's network may be left (its namespace, or a file saying what was made). */
  anyLeft(ns: string): boolean {
    return fs.existsSync(path.join(NETNS_DIR, ns)) || fs.existsSync(this.vmFile(ns)) || fs.existsSync(path.join(ETC_NETNS, ns));
  }

  /** Guards, then veth pairs with their host ends up on their bridges (the VM ends down), then the VM ends' sysctls. */
  private async addNics(ns: string, nics: readonly NicPlan[]): Promise<void> {
    if (nics.length === 0) return;
    const bySpace = group(nics);
    for (const [space, list] of bySpace) await run('nft', ['-f', '-'], { ns: space, input: guardPutScript(this.settings.guardTable, list.map((n) => n.guard)) });
    for (const [space, list] of bySpace) {
      const lines = list.flatMap((n) => {
        const mtu = n.mtu !== undefined ? ['mtu', String(n.mtu)] : [];
        return [
          ['link', 'add', 'name', n.port, ...mtu, 'type', 'veth', 'peer', 'name', n.iface, 'address', n.mac, ...mtu, 'netns', ns].join(' '),
          ['link', 'set', 'dev', n.port, 'master', n.segment.bridge, 'alias', `${ns}/${n.iface}`, 'up'].join(' '),
        ];
      });
      await run('ip', ['-batch', '-'], { ns: space, input: lines.join('\n') + '\n' });
    }
    // only NICs with addrconf take router advertisements
    const noRa = nics.filter((n) => !n.addrconf).flatMap((n) => ['accept_ra', 'autoconf'].map((k) => `/proc/sys/net/ipv6/conf/${n.iface}/${k}`));
    if (noRa.length > 0) await run('tee', noRa, { ns, input: '0\n' });
  }

  /** Take away NICs' host ends (the VM ends go with them) and their guards. */
  private async removePorts(nics: readonly NicPlan[]): Promise<void> {
    for (const [space, list] of group(nics)) {
      await exec('ip', ['-force', '-batch', '-'], { ns: space, input: list.map((n) => `link delete dev ${n.port}\n`).join('') });
      await run('nft', ['-f', '-'], { ns: space, input: guardRemoveScript(this.settings.guardTable, list.map((n) => n.port)) });
    }
  }

  private async vmBatch(ns: string, lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return;
    await run('ip', ['-batch', '-'], { ns, input: lines.join('\n') + '\n' });
  }

  /** /etc/netns/<ns>/resolv.conf (what `ip netns exec` shows the VM as /etc/resolv.conf); none without resolvers. */
  private writeResolvers(ns: string, resolvers: readonly string[]): void {
    const dir = path.join(ETC_NETNS, ns);
    if (resolvers.length === 0) {
      fs.rmSync(dir, { recursive: true, force: true });
      return;
    }
    fs.mkdirSync(dir, { recursive: true });
    replaceUnsynced(path.join(dir, 'resolv.conf'), resolvers.map((r) => `nameserver ${r}\n`).join(''));
  }
}

function distinct(segments: readonly Segment[]): Segment[] {
  const seen = new Map<string, Segment>();
  for (const s of segments) seen.set(`${nsKey(s.netns)}/${s.bridge}`, s);
  return [...seen.values()];
}

function group(nics: readonly NicPlan[]): Map<Netns, NicPlan[]> {
  const out = new Map<Netns, NicPlan[]>();
  for (const n of nics) {
    const l = out.get(n.segment.netns) ?? [];
    l.push(n);
    out.set(n.segment.netns, l);
  }
  return out;
}

/** The VM end up with its static addresses (IPv6 ones without duplicate address detection). */
function nicUp(n: NicPlan): string[] {
  return [`link set dev ${n.iface} up`, ...n.addrs.map((a) => `addr add ${a} dev ${n.iface}${a.includes(':') ? ' nodad' : ''}`)];
}

function routeLine(r: { dest: string; via?: string; dev: string; metric?: number }): string {
  return ['route', 'replace', r.dest, ...(r.via !== undefined ? ['via', r.via] : []), 'dev', r.dev, ...(r.metric !== undefined ? ['metric', String(r.metric)] : [])].join(' ');
}
