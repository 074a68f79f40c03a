/**
 * The linux host (VMADM_HOST=linux; root, ip and nft): the embedded local
 * host's zones (hosts/local.ts: states, configurations through the one
 * zonecfg model, under the state root) with a real network. Each running
 * VM is a network namespace (its zonename, after VMADM_LINUX_NETNS_PREFIX);
 * each NIC a veth pair on its nic_tag's bridge in vmadm's namespace
 * (VMADM_LINUX_NETNS, default vmadm-host), guarded there against spoofing;
 * its firewall one nftables `inet` table in its namespace, translated from
 * its ipf files (core/nft). See man/vmadm.8 LINUX HOST.
 *
 * - boot makes the namespace whole (whatever a killed command left of it),
 *   loading the VM's ipf files (when its firewall is enabled) before its
 *   links come up; halt takes the namespace away (links, guards, table,
 *   resolv.conf); reboot does both. The zone's state is written running
 *   before the network is made, and the network taken away before the
 *   state says installed: a network is never left without a running zone,
 *   and a running zone's network is made again by the next call about it.
 * - reconfigure (zonecfg -u) of a running zone, and its routes.json written
 *   anew (applyConfig), change its network in place.
 * - loadFirewall: when the table there has the files' rules (its set
 *   `rules_id` names them: core/nft), the elements of its sets, in one
 *   transaction that checks that name; else the whole table, in one
 *   transaction. Run in the VM's namespace by libnftables in this process
 *   (./libnftables.ts), or by the nft program (VMADM_LINUX_NFT=program, or
 *   no library here). A failed load leaves what was loaded (nft takes a
 *   transaction whole or not at all). Nothing is kept beside the kernel's
 *   table: the table says what it was loaded from.
 * - firewallStatus asks the namespace whether the table is there;
 *   firewallStats reads its counters, and the lines of the files (or of
 *   the .old ones) whose rules the table names.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AppError, HostError } from '../../core/errors';
import { dropScript, fullScript, FW_TABLE, RULES_ID, setsScript, statsText, translate, type NftFirewall } from '../../core/nft/firewall';
import { parseAddress } from '../../core/net/address';
import { envCrashPoint, hostFailure } from '../common';
import type { ZoneRef } from '../host';
import { LocalHost, statusText, type LocalZone } from '../local';
import { apply, type ZoneConfig } from '../zonecfg-model';
import { linuxSettings, NETNS_NAME, type LinuxSettings } from './config';
import { nftLibrary } from './libnftables';
import { LinuxNet, NETNS_DIR, netnsId } from './net';
import { netPlan, nicsFromZone, resolversFromZone, type NetPlan } from './plan';
import { exec, programPath, programPaths, type Program } from './programs';

/** One line saying what the linux host lacks, or undefined. */
export function linuxPrerequisites(): string | undefined {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'VMADM_HOST=linux needs root (it makes network namespaces, links and nftables tables)';
  for (const p of ['ip', 'nft', 'tee'] as Program[]) {
    if (!programPath(p)) return `VMADM_HOST=linux needs ${p === 'ip' ? 'ip (iproute2)' : p === 'nft' ? 'nft (nftables)' : 'tee (coreutils)'}: not found at ${programPaths(p).join(', ')}`;
  }
  if (!fs.existsSync('/proc/self/ns/net')) return 'VMADM_HOST=linux needs network namespaces (/proc/self/ns/net is missing)';
  return undefined;
}

export class LinuxHost extends LocalHost {
  override readonly kind = 'linux' as const;
  /** Loads take little of the process (./libnftables.ts): more VMs at a time let more of their file syncs overlap (docs/state.md "Derived state"). */
  readonly parallelLoads = 64;
  private readonly settings: LinuxSettings;
  private readonly net: LinuxNet;

  constructor(root: string, env: NodeJS.ProcessEnv = process.env) {
    super(root, env);
    const missing = linuxPrerequisites();
    if (missing) throw new AppError(missing);
    this.settings = linuxSettings(root, env);
    this.net = new LinuxNet(root, this.settings, (point) => envCrashPoint(env, point));
  }

  // ------------------------------------------------------------ the zone's network

  /** The namespace of a zone. */
  netnsOf(zonename: string): string {
    const ns = `${this.settings.prefix}${zonename}`;
    if (!NETNS_NAME.test(ns)) throw new HostError(`zone ${zonename}: "${ns}" cannot name a network namespace`);
    return ns;
  }

  private configOf(z: LocalZone): ZoneConfig {
    return z.config ?? apply([]);
  }

  /** The network a running zone should have: its nets and resolvers, and its routes.json. */
  private planOf(z: LocalZone): NetPlan {
    const config = this.configOf(z);
    const file = path.join(z.zonepath, 'config', 'routes.json');
    let routes: Record<string, unknown> = {};
    try {
      const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) routes = parsed as Record<string, unknown>;
      else throw new Error('not an object');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new HostError(`${file}: ${(err as Error).message}`);
    }
    return netPlan(this.netnsOf(z.zonename), nicsFromZone(z.zonename, config), routes, resolversFromZone(config), this.settings);
  }

  /** A running zone's network as its configuration says (made again whole when what is there cannot be trusted). */
  private async ensureNet(z: LocalZone): Promise<void> {
    await this.net.ensure(this.planOf(z), () => this.bootFirewall(z));
  }

  protected override async started(z: LocalZone): Promise<void> {
    this.dropFirewall(z.uuid);
    await this.net.rebuild(this.planOf(z), () => this.bootFirewall(z));
  }

  protected override async stopping(z: LocalZone): Promise<void> {
    const ns = this.netnsOf(z.zonename);
    let plans: NetPlan[] = [];
    try {
      plans = [this.planOf(z)];
    } catch {
      // a configuration no plan can be made of: what is on file and found by alias is taken away
    }
    await this.net.down(ns, plans);
    this.dropFirewall(z.uuid);
  }

  protected override async reconfigured(z: LocalZone): Promise<void> {
    if (z.state === 'running') await this.ensureNet(z);
  }

  protected override async removed(z: LocalZone): Promise<void> {
    const ns = this.netnsOf(z.zonename);
    if (this.net.anyLeft(ns)) await this.net.down(ns);
  }

  /** The zone's config files changed (routes.json): a running zone's routes follow. */
  async applyConfig(zone: ZoneRef): Promise<void> {
    const z = this.runningZone(zone);
    if (z) await this.ensureNet(z);
  }

  // ------------------------------------------------------------ firewall

  /** What the platform does as a zone boots: its ipf files loaded when it has them (firewall enabled). */
  private async bootFirewall(z: LocalZone): Promise<void> {
    const v4 = path.join(z.zonepath, 'config', 'ipf.conf');
    const v6 = path.join(z.zonepath, 'config', 'ipf6.conf');
    if (!fs.existsSync(v4) || !fs.existsSync(v6)) return;
    await this.loadTables(z, fs.readFileSync(v4, 'utf8'), fs.readFileSync(v6, 'utf8'), true);
  }

  override async loadFirewall(zone: ZoneRef, ipfConf: string, ipf6Conf: string): Promise<void> {
    const z = this.runningZone(zone);
    if (!z) return;
    const { v4, v6 } = this.readIpfPair('nft', ['-f', '-'], ipfConf, ipf6Conf);
    if (!this.net.isMade(this.netnsOf(z.zonename))) await this.ensureNet(z);
    await this.loadTables(z, v4, v6);
  }

  override async disableFirewall(zone: ZoneRef): Promise<void> {
    const z = this.runningZone(zone);
    if (!z) return;
    await this.ensureNet(z);
    await this.nft(this.netnsOf(z.zonename), dropScript());
  }

  override async firewallStatus(zone: ZoneRef): Promise<string> {
    return statusText(await this.tableLoaded(zone));
  }

  override async firewallStats(zone: ZoneRef): Promise<string> {
    const z = this.runningZone(zone);
    if (!z || !(await this.tableLoaded(zone))) return '';
    const ns = this.netnsOf(z.zonename);
    const r = await exec('nft', ['-n', '-j', 'list', 'table', 'inet', FW_TABLE], { ns });
    if (r.exitCode !== 0) return '';
    const { rules, elements } = readCounters(r.stdout);
    // the lines are those of the files the table was loaded from: the VM's files, or after a load that failed, the .old ones
    const loaded = [...(elements.get(RULES_ID)?.keys() ?? [])];
    const dir = path.join(z.zonepath, 'config');
    for (const suffix of ['', '.old']) {
      let fw: NftFirewall;
      try {
        fw = translate(fs.readFileSync(path.join(dir, `ipf.conf${suffix}`), 'utf8'), fs.readFileSync(path.join(dir, `ipf6.conf${suffix}`), 'utf8'));
      } catch {
        continue;
      }
      if (loaded.includes(`"${fw.id}"`)) return statsText(fw, rules, elements);
    }
    return '';
  }

  private async tableLoaded(zone: ZoneRef): Promise<boolean> {
    const z = this.runningZone(zone);
    if (!z) return false;
    const ns = this.netnsOf(z.zonename);
    if (netnsId(ns) === undefined) return false;
    // the tables' names only (listing the table would print every rule)
    const r = await exec('nft', ['list', 'tables', 'inet'], { ns });
    return r.exitCode === 0 && r.stdout.split('\n').includes(`table inet ${FW_TABLE}`);
  }

  /**
   * Load a VM's files as its table: when the table there has the same
   * rules, its sets' elements only (the table kept), else the whole table;
   * one transaction either way. Whether the rules are the same is asked of
   * the table itself (setsScript), not of anything kept beside it.
   */
  private async loadTables(z: LocalZone, v4: string, v6: string, fresh = false): Promise<void> {
    let fw: NftFirewall;
    try {
      fw = translate(v4, v6);
    } catch (err) {
      throw new HostError(`nft: ${(err as Error).message}`);
    }
    // its namespace is there (the network was made, or is being made, just before): a load into none says so itself
    const ns = this.netnsOf(z.zonename);
    if (!fresh) {
      try {
        await this.nft(ns, setsScript(fw));
        return;
      } catch {
        // another table, or none: the whole table
      }
    }
    await this.nft(ns, fullScript(fw));
  }

  /** Run an nft script in a VM's namespace: through libnftables in this process (./libnftables.ts), else the nft program. */
  private async nft(ns: string, script: string): Promise<void> {
    const lib = this.settings.nft === 'library' ? nftLibrary() : undefined;
    if (lib) {
      const failed = lib.run(path.join(NETNS_DIR, ns), script);
      if (failed !== undefined) throw hostFailure('nft', ['-f', '-'], failed);
      return;
    }
    const r = await exec('nft', ['-f', '-'], { ns, input: script });
    if (r.exitCode !== 0) throw hostFailure('nft', ['-f', '-'], r.stderr, r.exitCode);
  }
}

/**
 * Counters of a table listed as JSON with numbers for names
 * (`nft -n -j list table`): per rule comment, and per set element, the
 * element written as the translator writes it (`192.0.2.7 . 80`).
 */
export function readCounters(json: string): { rules: Map<string, number>; elements: Map<string, Map<string, number>> } {
  const rules = new Map<string, number>();
  const elements = new Map<string, Map<string, number>>();
  const doc = JSON.parse(json) as { nftables: Array<Record<string, unknown>> };
  const part = (v: unknown): string => {
    if (typeof v === 'number') return String(v);
    if (typeof v === 'string') {
      try {
        return parseAddress(v).text;
      } catch {
        return JSON.stringify(v); // a name (the rules' id), quoted as nft writes it
      }
    }
    const p = (v as { prefix?: { addr: string; len: number } })?.prefix;
    if (p) return `${parseAddress(p.addr).text}/${p.len}`;
    const r = (v as { range?: [unknown, unknown] })?.range;
    if (r) return `${part(r[0])}-${part(r[1])}`;
    return JSON.stringify(v); // nothing the translator writes: no line's element
  };
  const canon = (v: unknown): string => {
    const c = typeof v === 'object' && v !== null ? (v as { concat?: unknown }).concat : undefined;
    return Array.isArray(c) ? c.map(part).join(' . ') : part(v);
  };
  for (const item of doc.nftables) {
    const rule = item.rule as { comment?: string; expr?: Array<Record<string, unknown>> } | undefined;
    if (rule?.comment) {
      const c = rule.expr?.find((e) => 'counter' in e)?.counter as { packets?: number } | undefined;
      rules.set(rule.comment, c?.packets ?? 0);
    }
    const set = item.set as { name: string; elem?: unknown[] } | undefined;
    if (set) {
      const m = new Map<string, number>();
      for (const e of set.elem ?? []) {
        const el = (e as { elem?: { val: unknown; counter?: { packets: number } } }).elem;
        m.set(canon(el ? el.val : e), el?.counter?.packets ?? 0);
      }
      elements.set(set.name, m);
    }
  }
  return { rules, elements };
}
