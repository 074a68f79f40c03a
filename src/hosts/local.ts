/**
 * The embedded local host: needs nothing installed. It keeps what a real
 * host keeps, in files under the state root, and refuses what zoneadm and
 * zonecfg refuse, with their kind of message: a zonecfg script is read and
 * applied to the zone's configuration as zonecfg does (./zonecfg-model.ts,
 * the model the fake zonecfg of the tests runs too), whole or not at all.
 *
 *   <root>/host/zones/<zonename>.json   the zone: {zonename, uuid, zonepath,
 *                                       brand, state, scripts, quota, image_uuid,
 *                                       config}
 *                                       state: configured → installed → running
 *                                       config: its configuration (ZoneConfig),
 *                                       what its scripts made of it
 *   <zonepath>/zonecfg/<n>-create.txt   each zonecfg script it took, in
 *   <zonepath>/zonecfg/<n>-update.txt   order (n = 1, 2, ...); one it refused
 *                                       is not written
 *   <zonepath>/disks/disk<N>            each HVM disk's volume, a sparse
 *                                       file of its size (local-ops.ts)
 *   <root>/host/snapshots/<uuid>/       the zone's snapshots (local-snapshot.ts)
 *   <root>/host/ipf/<uuid>/ipf.conf     copies of the files last loaded, and
 *   <root>/host/ipf/<uuid>/ipf6.conf    state.json {"running": bool}
 *
 * Like the platform, booting a zone loads its <zonepath>/config/ipf.conf
 * and ipf6.conf when both exist (fwadm keeps them only while the firewall
 * is enabled), and halting it drops what was loaded. Event-logging mode:
 * VMADM_IPF_EVENT_LOG=1 (off otherwise).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { HostError } from '../core/errors';
import type { DiskVolume, Host, ZoneRef } from './host';
import type { HostKind } from '../store/root';
import { eventLogOverride, hostFailure } from './common';
import { UUID_ANY_CASE as UUID } from '../core/uuid';
import { ZonecfgError, apply, parse, type ZoneConfig } from './zonecfg-model';
import type { Signal } from '../core/signals';
import * as ops from './local-ops';
import * as snapshots from './local-snapshot';
import type { ZoneDataItem } from './zone-data';

/** A file replaced by a temporary one renamed over it (old or new, never half), not synced: loaded firewall state. */
export function replaceUnsynced(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

type ZoneState = 'configured' | 'installed' | 'running';

/** A zone as the local host keeps it (<root>/host/zones/<zonename>.json). */
export interface LocalZone {
  zonename: string;
  uuid: string;
  zonepath: string;
  brand: string;
  state: ZoneState;
  /** zonecfg scripts written so far. */
  scripts: number;
  quota?: number;
  image_uuid?: string;
  /** Its configuration, as zonecfg keeps it (absent in zone files written before it was kept: see replayed). */
  config?: ZoneConfig;
  /** Signals sent to its init (vmadm kill), the last 64 (local-ops.ts). */
  signals?: string[];
  /** The image of the root a reinstall is replacing (local-ops.ts). */
  previous_image?: string;
}

interface FirewallState {
  running: boolean;
}

const ZONENAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** `ipf -GV` text (docs/fwadm-cli.md §7). */
export function statusText(running: boolean): string {
  return [
    'ipf: IP Filter: v4.1.9 (592)',
    'Kernel: IP Filter: v4.1.9',
    `Running: ${running ? 'yes' : 'no'}`,
    'Log Flags: 0 = none set',
    'Default: nomatch -> block all, Logging: available',
    'Active list: 0',
    'Feature mask: 0x107',
    '',
  ].join('\n');
}

function ruleLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

export class LocalHost implements Host {
  readonly kind: HostKind = 'local';
  private readonly zonesDir: string;
  protected readonly ipfDir: string;

  constructor(
    readonly root: string,
    protected readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.zonesDir = path.join(root, 'host', 'zones');
    this.ipfDir = path.join(root, 'host', 'ipf');
  }

  // ------------------------------------------------------------ zones

  async configure(zone: ZoneRef, script: string): Promise<void> {
    const args = ['-z', zone.zonename];
    this.checkName(zone, 'zonecfg', args);
    if (this.read(zone.zonename)) throw hostFailure('zonecfg', args, `zonecfg:${zone.zonename}: Zone ${zone.zonename} already exists`);
    const config = this.zonecfg(args, () => {
      const cmds = parse(script);
      // a zone that does not exist is begun with create
      if (!cmds.some((c) => c.cmd === 'create')) throw new ZonecfgError('No such zone configured');
      return apply(cmds);
    });
    if (config.deleted) return; // deleted by the script itself: no zone
    const z: LocalZone = { zonename: zone.zonename, uuid: zone.uuid, zonepath: zone.zonepath, brand: zone.brand, state: 'configured', scripts: 0, config };
    await this.writeScript(z, 'create', script);
    await this.write(z);
  }

  async reconfigure(zone: ZoneRef, script: string): Promise<void> {
    const args = ['-u', zone.uuid];
    const z = this.existing(zone, 'zonecfg', args, `zonecfg:${zone.uuid}: No such zone configured`);
    const config = this.zonecfg(args, () => {
      const cmds = parse(script);
      if (cmds.some((c) => c.cmd === 'create')) throw new ZonecfgError(`create is not allowed with -u (zone ${zone.uuid} exists)`);
      return apply(cmds, z.config ?? this.replayed(z));
    });
    if (config.deleted) {
      await this.deleteZone(zone, args);
      return;
    }
    z.config = config;
    await this.writeScript(z, 'update', script);
    await this.write(z);
    await this.reconfigured(z);
  }

  async install(zone: ZoneRef, opts: { quota: number; imageUuid?: string }): Promise<void> {
    const args = ['-z', zone.zonename, 'install', '-q', String(opts.quota)];
    if (opts.imageUuid) args.push('-t', opts.imageUuid);
    args.push('-x', 'nodataset');
    const z = this.existing(zone, 'zoneadm', args);
    if (z.state !== 'configured') throw this.zoneadmRefusal(z, args, `is already ${z.state === 'running' ? 'installed' : z.state}.`);
    z.state = 'installed';
    z.quota = opts.quota;
    if (opts.imageUuid) z.image_uuid = opts.imageUuid;
    await this.write(z);
  }

  async boot(zone: ZoneRef): Promise<void> {
    const args = ['-z', zone.zonename, 'boot'];
    const z = this.existing(zone, 'zoneadm', args);
    if (z.state === 'running') throw this.zoneadmRefusal(z, args, 'zone is already booted.');
    if (z.state !== 'installed') throw this.zoneadmRefusal(z, args, 'must be installed before boot.');
    z.state = 'running';
    await this.write(z);
    await this.started(z);
  }

  async halt(zone: ZoneRef, force: boolean): Promise<void> {
    const args = force ? ['-u', zone.uuid, 'halt', '-X'] : ['-z', zone.zonename, 'halt'];
    const z = this.existing(zone, 'zoneadm', args);
    if (z.state === 'configured') throw this.zoneadmRefusal(z, args, 'must be installed before halt.');
    if (z.state === 'installed') return;
    await this.stopping(z);
    z.state = 'installed';
    await this.write(z);
  }

  async reboot(zone: ZoneRef, force: boolean): Promise<void> {
    const args = force ? ['-u', zone.uuid, 'reboot', '-X'] : ['-z', zone.zonename, 'reboot'];
    const z = this.existing(zone, 'zoneadm', args);
    if (z.state !== 'running') throw this.zoneadmRefusal(z, args, 'must be running before reboot.');
    await this.stopping(z);
    await this.started(z);
  }

  async uninstall(zone: ZoneRef): Promise<void> {
    const args = ['-z', zone.zonename, 'uninstall', '-F'];
    const z = this.existing(zone, 'zoneadm', args);
    if (z.state === 'running') throw this.zoneadmRefusal(z, args, 'must be halted before uninstall.');
    if (z.state !== 'installed') throw this.zoneadmRefusal(z, args, 'must be installed before uninstall.');
    z.state = 'configured';
    delete z.quota;
    delete z.image_uuid;
    await this.write(z);
  }

  async unconfigure(zone: ZoneRef): Promise<void> {
    await this.deleteZone(zone, ['-z', zone.zonename, 'delete', '-F']);
  }

  /** zonecfg's delete (`zonecfg -z <zone> delete -F`, or a `delete` in a script): only a zone that is not installed. */
  private async deleteZone(zone: ZoneRef, args: string[]): Promise<void> {
    const z = this.existing(zone, 'zonecfg', args, `zonecfg:${args[1]}: No such zone configured`);
    if (z.state !== 'configured') {
      throw hostFailure('zonecfg', args, `zonecfg:${args[1]}: Zone ${z.zonename} already installed; delete not allowed.`);
    }
    fs.rmSync(this.zonePath(z.zonename), { force: true });
    // temp files of writes a killed command left (write-file-atomic: <name>.json.<n>)
    for (const name of fs.readdirSync(this.zonesDir)) {
      if (name.startsWith(`${z.zonename}.json.`)) fs.rmSync(path.join(this.zonesDir, name), { force: true });
    }
    fs.rmSync(path.join(this.ipfDir, z.uuid), { recursive: true, force: true });
    // its snapshots go with it (docs/vmadm-cli.md §17)
    snapshots.removeAll(this, z.uuid);
    await this.removed(z);
  }

  // ------------------------------------------------------------ what a host built on this one adds

  /** The zone runs (boot, and the second half of a reboot); its state says so already. The platform loads its ipf files. */
  protected async started(z: LocalZone): Promise<void> {
    await this.loadAtBoot(z);
  }

  /** The zone stops running (halt, and the first half of a reboot); its state still says running. */
  protected async stopping(z: LocalZone): Promise<void> {
    this.dropFirewall(z.uuid);
  }

  /** The configuration of the zone changed (zonecfg -u), whatever its state; it is kept already. */
  protected async reconfigured(_z: LocalZone): Promise<void> {}

  /** The zone is deleted (its file is gone). */
  protected async removed(_z: LocalZone): Promise<void> {}

  async zoneState(zone: ZoneRef): Promise<string | undefined> {
    if (!ZONENAME.test(zone.zonename)) return undefined;
    return this.read(zone.zonename)?.state;
  }

  async setQuota(zone: ZoneRef, gib: number): Promise<void> {
    const dataset = zone.zonepath.replace(/^\/+/, '');
    const args = ['set', `quota=${gib}g`, dataset];
    const z = ZONENAME.test(zone.zonename) ? this.read(zone.zonename) : undefined;
    if (!z || z.state === 'configured') throw hostFailure('zfs', args, `cannot open '${dataset}': dataset does not exist`);
    z.quota = gib;
    await this.write(z);
  }

  // ------------------------------------------------------------ disks (local-ops.ts: sparse files under the zonepath)

  createDisk(zone: ZoneRef, disk: DiskVolume): Promise<void> {
    return ops.createDisk(this, zone, disk);
  }

  changeDisk(zone: ZoneRef, from: DiskVolume, to: DiskVolume): Promise<void> {
    return ops.changeDisk(this, zone, from, to);
  }

  destroyDisk(zone: ZoneRef, disk: DiskVolume): Promise<void> {
    return ops.destroyDisk(this, zone, disk);
  }

  hasDisk(zone: ZoneRef, disk: DiskVolume): Promise<boolean> {
    return ops.hasDisk(zone, disk);
  }

  // ------------------------------------------------------------ firewall

  async loadFirewall(zone: ZoneRef, ipfConf: string, ipf6Conf: string): Promise<void> {
    const args = ['-G', '-E', '-I', '-Fa', '-f', ipfConf, '-6', '-Fa', '-f', ipf6Conf, '-sy', zone.uuid];
    const z = this.runningZone(zone);
    if (!z) return; // ipf: "Could not find running zone": not an error
    const { v4, v6 } = this.readIpfPair('ipf', args, ipfConf, ipf6Conf);
    await this.loadTexts(zone.uuid, v4, v6);
  }

  async disableFirewall(zone: ZoneRef): Promise<void> {
    if (!this.runningZone(zone)) return;
    const dir = path.join(this.ipfDir, this.checkUuid(zone.uuid));
    if (!fs.existsSync(dir)) return;
    replaceUnsynced(path.join(dir, 'state.json'), JSON.stringify({ running: false } satisfies FirewallState) + '\n');
  }

  async firewallStatus(zone: ZoneRef): Promise<string> {
    return statusText(this.firewallRunning(zone));
  }

  async firewallStats(zone: ZoneRef): Promise<string> {
    if (!this.firewallRunning(zone)) return '';
    const dir = path.join(this.ipfDir, zone.uuid);
    const rules = [...ruleLines(fs.readFileSync(path.join(dir, 'ipf.conf'), 'utf8')), ...ruleLines(fs.readFileSync(path.join(dir, 'ipf6.conf'), 'utf8'))];
    // ipfstat -hoi: the outbound list, then the inbound one
    const out = rules.filter((r) => /^\S+\s+out\b/.test(r));
    const inb = rules.filter((r) => !/^\S+\s+out\b/.test(r));
    return [...out, ...inb].map((r) => `0 ${r}\n`).join('');
  }

  eventLog(): boolean {
    return eventLogOverride(this.env) ?? false;
  }

  // ------------------------------------------------------------ kill, console, send/receive, reprovision (local-ops.ts)

  signalInit(zone: ZoneRef, signal: Signal): Promise<boolean> {
    return ops.signalInit(this, zone, signal);
  }

  console(): Promise<void> {
    return Promise.reject(ops.noHypervisor('console'));
  }

  sendZoneData(zone: ZoneRef): AsyncIterable<ZoneDataItem> {
    return ops.sendZoneData(this, zone);
  }

  receiveZoneData(zone: ZoneRef, item: ZoneDataItem): Promise<void> {
    return ops.receiveZoneData(this, zone, item);
  }

  discardZoneData(zone: ZoneRef): Promise<void> {
    return ops.discardZoneData(this, zone);
  }

  reinstall(zone: ZoneRef, opts: { imageUuid: string; quota: number }): Promise<void> {
    return ops.reinstall(this, zone, opts);
  }

  hasRoot(zone: ZoneRef, imageUuid: string): Promise<boolean> {
    return ops.hasRoot(this, zone, imageUuid);
  }

  undoReinstall(zone: ZoneRef): Promise<void> {
    return ops.undoReinstall(this, zone);
  }

  // ------------------------------------------------------------ snapshots (local-snapshot.ts)

  createSnapshot(zone: ZoneRef, name: string): Promise<void> {
    return snapshots.createSnapshot(this, zone, name);
  }

  hasSnapshot(zone: ZoneRef, name: string): Promise<boolean> {
    return snapshots.hasSnapshot(this, zone, name);
  }

  rollbackSnapshot(zone: ZoneRef, name: string, newer: readonly string[]): Promise<void> {
    return snapshots.rollbackSnapshot(this, zone, name, newer);
  }

  deleteSnapshot(zone: ZoneRef, name: string): Promise<void> {
    return snapshots.deleteSnapshot(this, zone, name);
  }

  // ------------------------------------------------------------ internals

  private zonePath(zonename: string): string {
    return path.join(this.zonesDir, `${zonename}.json`);
  }

  /** The zone's file (local-ops.ts reads and writes it too). */
  read(zonename: string): LocalZone | undefined {
    try {
      const z = JSON.parse(fs.readFileSync(this.zonePath(zonename), 'utf8')) as LocalZone;
      // a zonepath under the root is kept relative to it (the root can be copied or moved), the configuration's too
      if (!path.isAbsolute(z.zonepath)) z.zonepath = path.join(this.root, z.zonepath);
      const zp = z.config?.props.zonepath;
      if (z.config && typeof zp === 'string' && zp !== '' && !path.isAbsolute(zp)) z.config.props.zonepath = path.join(this.root, zp);
      return z;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new HostError(`${this.zonePath(zonename)}: ${(err as Error).message}`);
    }
  }

  async write(z: LocalZone): Promise<void> {
    fs.mkdirSync(this.zonesDir, { recursive: true });
    const stored: LocalZone = { ...z, zonepath: this.underRoot(z.zonepath) };
    const zp = z.config?.props.zonepath;
    if (z.config && typeof zp === 'string') stored.config = { ...z.config, props: { ...z.config.props, zonepath: this.underRoot(zp) } };
    await writeFileAtomic(this.zonePath(z.zonename), JSON.stringify(stored, null, 2) + '\n');
  }

  /** A path as the zone file keeps it: relative to the root when under it, as it is otherwise. */
  private underRoot(p: string): string {
    if (!path.isAbsolute(p)) return p;
    const rel = path.relative(this.root, p);
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : p;
  }

  /**
   * Run the zonecfg model: a ZonecfgError is zonecfg's refusal,
   * `zonecfg <args> failed: zonecfg:<zone>: <message>`.
   */
  private zonecfg<T>(args: string[], step: () => T): T {
    try {
      return step();
    } catch (err) {
      if (err instanceof ZonecfgError) throw hostFailure('zonecfg', args, `zonecfg:${args[1]}: ${err.message}`);
      throw err;
    }
  }

  /**
   * The configuration of a zone whose file was written before zone files
   * kept it: its scripts applied in order, each one zonecfg would have
   * refused skipped (zonecfg takes a script whole or not at all).
   */
  private replayed(z: LocalZone): ZoneConfig {
    let config = apply([]);
    for (let i = 1; i <= z.scripts; i++) {
      for (const kind of ['create', 'update']) {
        let text: string;
        try {
          text = fs.readFileSync(path.join(z.zonepath, 'zonecfg', `${i}-${kind}.txt`), 'utf8');
        } catch {
          continue;
        }
        try {
          config = apply(parse(text), config);
        } catch (err) {
          if (!(err instanceof ZonecfgError)) throw err;
        }
      }
    }
    return config;
  }

  private checkName(zone: ZoneRef, program: string, args: string[]): void {
    if (!ZONENAME.test(zone.zonename)) throw hostFailure(program, args, `${program}: invalid zone name "${zone.zonename}"`);
  }

  /** The two files a load names; one it cannot read is `<program>`'s failure. */
  protected readIpfPair(program: string, args: string[], ipfConf: string, ipf6Conf: string): { v4: string; v6: string } {
    try {
      return { v4: fs.readFileSync(ipfConf, 'utf8'), v6: fs.readFileSync(ipf6Conf, 'utf8') };
    } catch (err) {
      throw hostFailure(program, args, `${program}: ${(err as Error).message}`);
    }
  }

  protected checkUuid(uuid: string): string {
    if (!UUID.test(uuid)) throw new HostError(`ipf: "${uuid}" is not a zone uuid`);
    return uuid;
  }

  private existing(zone: ZoneRef, program: string, args: string[], missing?: string): LocalZone {
    this.checkName(zone, program, args);
    const z = this.read(zone.zonename);
    if (!z) throw hostFailure(program, args, missing ?? `${program}: ${zone.zonename}: No such zone configured`);
    return z;
  }

  private zoneadmRefusal(z: LocalZone, args: string[], why: string): HostError {
    return hostFailure('zoneadm', args, `zoneadm: zone '${z.zonename}': ${why}`);
  }

  private async writeScript(z: LocalZone, kind: 'create' | 'update', script: string): Promise<void> {
    z.scripts += 1;
    const dir = path.join(z.zonepath, 'zonecfg');
    fs.mkdirSync(dir, { recursive: true });
    await writeFileAtomic(path.join(dir, `${z.scripts}-${kind}.txt`), script);
  }

  protected runningZone(zone: ZoneRef): LocalZone | undefined {
    if (!ZONENAME.test(zone.zonename)) return undefined;
    const z = this.read(zone.zonename);
    return z && z.state === 'running' ? z : undefined;
  }

  private firewallRunning(zone: ZoneRef): boolean {
    if (!UUID.test(zone.uuid) || !this.runningZone(zone)) return false;
    try {
      const st = JSON.parse(fs.readFileSync(path.join(this.ipfDir, zone.uuid, 'state.json'), 'utf8')) as FirewallState;
      return st.running === true;
    } catch {
      return false;
    }
  }

  protected async loadTexts(uuid: string, v4: string, v6: string): Promise<void> {
    const dir = path.join(this.ipfDir, this.checkUuid(uuid));
    fs.mkdirSync(dir, { recursive: true });
    // What ipf holds is kernel state on a real host, gone at reboot and
    // loaded again from the zone's files (loadAtBoot): replaced atomically,
    // not synced.
    replaceUnsynced(path.join(dir, 'ipf.conf'), v4);
    replaceUnsynced(path.join(dir, 'ipf6.conf'), v6);
    replaceUnsynced(path.join(dir, 'state.json'), JSON.stringify({ running: true } satisfies FirewallState) + '\n');
  }

  /** What the platform does at zone boot: load the zone's ipf files when it has them (firewall enabled). */
  protected async loadAtBoot(z: LocalZone): Promise<void> {
    const v4 = path.join(z.zonepath, 'config', 'ipf.conf');
    const v6 = path.join(z.zonepath, 'config', 'ipf6.conf');
    if (!UUID.test(z.uuid) || !fs.existsSync(v4) || !fs.existsSync(v6)) return;
    await this.loadTexts(z.uuid, fs.readFileSync(v4, 'utf8'), fs.readFileSync(v6, 'utf8'));
  }

  protected dropFirewall(uuid: string): void {
    if (UUID.test(uuid)) fs.rmSync(path.join(this.ipfDir, uuid), { recursive: true, force: true });
  }
}
