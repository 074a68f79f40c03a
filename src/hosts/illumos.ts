/**
 * The illumos (SmartOS) host: zonecfg, zoneadm, zlogin, zfs, ipf and
 * ipfstat from /usr/sbin, run through execa with argument arrays (never a
 * shell), zonecfg scripts on stdin.
 *
 * Programs: /usr/sbin/<name>. With VMADM_HOST_PATH_LOOKUP=1 each is run by
 * its bare name instead, found through PATH, so tests (and odd platforms)
 * can put other programs first.
 *
 * Each program runs in its own process group (docs/state.md "Interrupts").
 *
 * execa is ESM-only and is imported on first use (a dynamic import): the
 * CLI bundles stay CommonJS, and their startup snapshot never holds execa's
 * module state (it is loaded only when a command runs a program).
 */
import * as fs from 'node:fs';
import type { DiskVolume, Host, ZoneRef } from './host';
import { eventLogOverride, hostFailure, inZoneCommand, NOT_RUNNING } from './common';
import { HostError } from '../core/errors';
import type { Signal } from '../core/signals';
import * as ops from './illumos-ops';
import * as snapshots from './illumos-snapshot';
import type { ZoneDataItem } from './zone-data';

/** The programs run, by name; each is /usr/sbin/<name> unless PATHS says otherwise. */
export type Program = 'zonecfg' | 'zoneadm' | 'zlogin' | 'zfs' | 'ipf' | 'ipfstat' | 'kstat' | 'kill' | 'jinstall' | 'lx_install';

/** Programs that are not in /usr/sbin (brand install scripts: by brand, hosts/illumos-ops.ts). */
const PATHS: Partial<Record<Program, string>> = { kstat: '/usr/bin/kstat', kill: '/usr/bin/kill' };

export interface Ran {
  exitCode: number;
  stdout: string;
  stderr: string;
}

const SBIN = '/usr/sbin';
const STOP_POLL_MS = 250;
const DEFAULT_STOP_TIMEOUT_S = 60;

export class IllumosHost implements Host {
  readonly kind = 'illumos' as const;

  constructor(readonly env: NodeJS.ProcessEnv = process.env) {}

  // ------------------------------------------------------------ zones

  async configure(zone: ZoneRef, script: string): Promise<void> {
    await this.run('zonecfg', ['-z', zone.zonename], script);
  }

  async reconfigure(zone: ZoneRef, script: string): Promise<void> {
    await this.run('zonecfg', ['-u', zone.uuid], script);
  }

  async install(zone: ZoneRef, opts: { quota: number; imageUuid?: string }): Promise<void> {
    const args = ['-z', zone.zonename, 'install', '-q', String(opts.quota)];
    if (opts.imageUuid) args.push('-t', opts.imageUuid);
    args.push('-x', 'nodataset');
    await this.run('zoneadm', args);
  }

  async boot(zone: ZoneRef): Promise<void> {
    await this.run('zoneadm', ['-z', zone.zonename, 'boot']);
  }

  async halt(zone: ZoneRef, force: boolean, timeoutSeconds?: number): Promise<void> {
    if (!force) {
      const cmd = inZoneCommand(zone.brand, 'halt');
      try {
        if (cmd) await this.run('zlogin', ['-Q', zone.zonename, ...cmd]);
        else await this.run('zoneadm', ['-z', zone.zonename, 'shutdown']);
        if (await this.waitForStop(zone, timeoutSeconds)) return;
      } catch (err) {
        if (!(err instanceof HostError)) throw err;
        // the zone did not take the graceful shutdown: halt it, as vmadm does
      }
    }
    await this.run('zoneadm', ['-u', zone.uuid, 'halt', '-X']);
  }

  async reboot(zone: ZoneRef, force: boolean): Promise<void> {
    if (force) {
      await this.run('zoneadm', ['-u', zone.uuid, 'reboot', '-X']);
      return;
    }
    const cmd = inZoneCommand(zone.brand, 'reboot');
    if (cmd) await this.run('zlogin', ['-Q', zone.zonename, ...cmd]);
    else await this.run('zoneadm', ['-z', zone.zonename, 'reboot']);
  }

  async uninstall(zone: ZoneRef): Promise<void> {
    await this.run('zoneadm', ['-z', zone.zonename, 'uninstall', '-F']);
  }

  async unconfigure(zone: ZoneRef): Promise<void> {
    await this.run('zonecfg', ['-z', zone.zonename, 'delete', '-F']);
  }

  async zoneState(zone: ZoneRef): Promise<string | undefined> {
    const args = ['-z', zone.zonename, 'list', '-p'];
    const r = await this.exec('zoneadm', args);
    if (r.exitCode !== 0) {
      if (/No such zone configured/.test(r.stderr)) return undefined;
      throw hostFailure('zoneadm', args, r.stderr, r.exitCode);
    }
    // zoneid:zonename:state:zonepath:uuid:brand:ip-type
    const line = r.stdout.split('\n').find((l) => l.trim() !== '');
    const state = line?.split(':')[2];
    if (!state) throw new HostError(`zoneadm ${args.join(' ')} failed: unexpected output "${line ?? ''}"`);
    return state;
  }

  async setQuota(zone: ZoneRef, gib: number): Promise<void> {
    await this.run('zfs', ['set', `quota=${gib}g`, zone.zonepath.replace(/^\/+/, '')]);
  }

  // ------------------------------------------------------------ disks (illumos-ops.ts)

  createDisk(zone: ZoneRef, disk: DiskVolume): Promise<void> {
    return ops.createDisk(this, zone, disk);
  }

  changeDisk(zone: ZoneRef, from: DiskVolume, to: DiskVolume): Promise<void> {
    return ops.changeDisk(this, from, to);
  }

  async destroyDisk(_zone: ZoneRef, disk: DiskVolume): Promise<void> {
    await this.run('zfs', ['destroy', '-r', disk.zfs_filesystem]);
  }

  hasDisk(_zone: ZoneRef, disk: DiskVolume): Promise<boolean> {
    return ops.exists(this, disk.zfs_filesystem);
  }

  // ------------------------------------------------------------ firewall

  async loadFirewall(zone: ZoneRef, ipfConf: string, ipf6Conf: string): Promise<void> {
    await this.runUnlessStopped('ipf', ['-G', '-E', '-I', '-Fa', '-f', ipfConf, '-6', '-Fa', '-f', ipf6Conf, '-sy', zone.uuid]);
  }

  async disableFirewall(zone: ZoneRef): Promise<void> {
    await this.runUnlessStopped('ipf', ['-GD', zone.uuid]);
  }

  async firewallStatus(zone: ZoneRef): Promise<string> {
    const args = ['-GV', zone.uuid];
    const r = await this.exec('ipf', args);
    if (r.exitCode === 0) return r.stdout;
    if (r.stderr.includes(NOT_RUNNING)) return 'Running: no\n';
    throw hostFailure('ipf', args, r.stderr, r.exitCode);
  }

  async firewallStats(zone: ZoneRef): Promise<string> {
    const args = ['-hoi', '-G', zone.uuid];
    const r = await this.exec('ipfstat', args);
    if (r.exitCode === 0) return r.stdout;
    if (r.stderr.includes(NOT_RUNNING) || r.stderr.includes('empty list')) return '';
    throw hostFailure('ipfstat', args, r.stderr, r.exitCode);
  }

  eventLog(): boolean {
    return eventLogOverride(this.env) ?? fs.existsSync('/dev/ipfev');
  }

  // ------------------------------------------------------------ kill, console, send/receive, reprovision (illumos-ops.ts)

  signalInit(zone: ZoneRef, signal: Signal): Promise<boolean> {
    return ops.signalInit(this, zone, signal);
  }

  console(zone: ZoneRef): Promise<void> {
    return ops.attachConsole(this, zone);
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

  // ------------------------------------------------------------ snapshots (illumos-snapshot.ts)

  createSnapshot(zone: ZoneRef, name: string): Promise<void> {
    return snapshots.createSnapshot(this, zone, name);
  }

  hasSnapshot(zone: ZoneRef, name: string): Promise<boolean> {
    return snapshots.hasSnapshot(this, zone, name);
  }

  rollbackSnapshot(zone: ZoneRef, name: string): Promise<void> {
    return snapshots.rollbackSnapshot(this, zone, name);
  }

  deleteSnapshot(zone: ZoneRef, name: string): Promise<void> {
    return snapshots.deleteSnapshot(this, zone, name);
  }

  // ------------------------------------------------------------ running programs

  /** The program's path (its bare name with VMADM_HOST_PATH_LOOKUP=1: found through PATH). */
  program(p: Program, path?: string): string {
    return this.env.VMADM_HOST_PATH_LOOKUP === '1' ? p : (path ?? PATHS[p] ?? `${SBIN}/${p}`);
  }

  /** Run a program; its exit status and output, whatever the status. `path`: where it is when not in /usr/sbin. */
  async exec(p: Program, args: string[], input?: string, path?: string): Promise<Ran> {
    const { execa } = await import('execa');
    const r = await execa(this.program(p, path), args, {
      ...(input === undefined ? { stdin: 'ignore' as const } : { input }),
      // its own process group: a Ctrl-C at the terminal reaches vmadm, which
      // lets the step end and then finishes or undoes its change (docs/state.md "Interrupts")
      detached: true,
      env: this.env,
      extendEnv: false,
      reject: false,
      stripFinalNewline: false,
    });
    if (r.exitCode === undefined) {
      // could not be started, or killed by a signal
      const why = (r as { code?: string }).code ? `cannot run ${this.program(p, path)} (${(r as { code?: string }).code})` : r.shortMessage;
      throw new HostError(`${[p, ...args].join(' ')} failed: ${(why ?? "killed").split('\n')[0]}`);
    }
    return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
  }

  /** Run a program that must succeed; its stdout. */
  async run(p: Program, args: string[], input?: string, path?: string): Promise<string> {
    const r = await this.exec(p, args, input, path);
    if (r.exitCode !== 0) throw hostFailure(p, args, r.stderr, r.exitCode);
    return r.stdout;
  }

  /** ipf on a zone that is not running says so and fails: that is not an error for load/disable. */
  private async runUnlessStopped(p: Program, args: string[]): Promise<void> {
    const r = await this.exec(p, args);
    if (r.exitCode !== 0 && !r.stderr.includes(NOT_RUNNING)) throw hostFailure(p, args, r.stderr, r.exitCode);
  }

  /** Wait for a graceful shutdown to leave the zone installed (`vmadm stop -t`, else VMADM_STOP_TIMEOUT, else 60 s); false on timeout. */
  private async waitForStop(zone: ZoneRef, timeoutSeconds?: number): Promise<boolean> {
    const fromEnv = Number(this.env.VMADM_STOP_TIMEOUT);
    const limit = timeoutSeconds !== undefined && timeoutSeconds >= 0 ? timeoutSeconds : fromEnv > 0 ? fromEnv : DEFAULT_STOP_TIMEOUT_S;
    const deadline = Date.now() + limit * 1000;
    for (;;) {
      const s = await this.zoneState(zone);
      if (s === undefined || s === 'installed' || s === 'configured') return true;
      if (Date.now() >= deadline) return false;
      await new Promise((res) => setTimeout(res, STOP_POLL_MS));
    }
  }
}
