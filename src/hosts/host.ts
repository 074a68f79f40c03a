/**
 * The host a command acts on: the zone and firewall operations vmadm and
 * fwadm need, one interface, chosen at start (selectHost).
 *
 * - illumos (hosts/illumos.ts): runs zonecfg, zoneadm, zlogin, zfs, ipf and
 *   ipfstat from /usr/sbin through execa (argument arrays, scripts on stdin).
 * - local (hosts/local.ts): an embedded host that needs nothing installed;
 *   it keeps each zone's state in files under the state root and writes down
 *   what it would have run, so it can be read back.
 * - linux (hosts/linux/host.ts): the local host's zones with a real network:
 *   each running VM a network namespace, its NICs veth pairs on bridges, its
 *   firewall an nftables table translated from its ipf files.
 *
 * Every failure is a HostError with one line:
 * `<program> <args...> failed: <first line of its stderr>`.
 */
import type { Signal } from '../core/signals';
import type { HostKind } from '../store/root';
import { IllumosHost } from './illumos';
import { LinuxHost } from './linux/host';
import { LocalHost } from './local';
import type { ZoneDataItem } from './zone-data';

export type { ZoneDataItem };

export interface ZoneRef {
  zonename: string;
  uuid: string;
  zonepath: string;
  brand: string;
}

/**
 * The volume behind an HVM disk (docs/vmadm-cli.md §10, §15 "Disks and
 * filesystems"): its dataset, size in MiB, and the ZFS properties vmadm
 * sets; a disk of an image is a clone of `<zpool>/<image_uuid>@final`.
 */
export interface DiskVolume {
  zfs_filesystem: string;
  size: number;
  block_size?: number;
  compression?: string;
  refreservation?: number;
  image_uuid?: string;
}

export interface Host {
  readonly kind: HostKind;
  /**
   * How many VMs are brought up to date side by side (default 8): more
   * where a load takes little of the process, so that more VMs' file syncs
   * overlap (linux: libnftables in the process).
   */
  readonly parallelLoads?: number;
  /** zonecfg -z <zonename>, the script on stdin (create). */
  configure(zone: ZoneRef, script: string): Promise<void>;
  /** zonecfg -u <uuid>, the script on stdin (update). */
  reconfigure(zone: ZoneRef, script: string): Promise<void>;
  /** zoneadm -z <zonename> install -q <quota> [-t <image>] -x nodataset */
  install(zone: ZoneRef, opts: { quota: number; imageUuid?: string }): Promise<void>;
  /** zoneadm -z <zonename> boot */
  boot(zone: ZoneRef): Promise<void>;
  /**
   * Stop the zone. Graceful (as SmartOS vmadm): the zone's own shutdown
   * (OS brands: `zlogin -Q <zn> /usr/sbin/shutdown -y -g 0 -i 5`, lx
   * `/sbin/shutdown -h now`; HVM: `zoneadm -z <zn> shutdown`), then up to
   * 60 s (or `timeoutSeconds`: `vmadm stop -t`, HVM and docker VMs) for
   * the zone to reach `installed`, then a forced halt.
   * Forced: `zoneadm -u <uuid> halt -X`.
   */
  halt(zone: ZoneRef, force: boolean, timeoutSeconds?: number): Promise<void>;
  /** Graceful: the zone's own reboot (`shutdown ... -i 6`, lx `/sbin/shutdown -r now`, HVM `zoneadm -z <zn> reboot`); forced: `zoneadm -u <uuid> reboot -X`. */
  reboot(zone: ZoneRef, force: boolean): Promise<void>;
  /** zoneadm -z <zonename> uninstall -F */
  uninstall(zone: ZoneRef): Promise<void>;
  /** zonecfg -z <zonename> delete -F */
  unconfigure(zone: ZoneRef): Promise<void>;
  /** The zone's state (zoneadm list -p, 3rd field): configured, incomplete, installed, ready, running, ...; undefined when the zone does not exist. */
  zoneState(zone: ZoneRef): Promise<string | undefined>;
  /** zfs set quota=<n>g <zonepath without its leading slash> */
  setQuota(zone: ZoneRef, gib: number): Promise<void>;

  // ---- HVM disks (docs/vmadm-cli.md §10, §15 "Disks and filesystems")

  /**
   * The disk's volume made: illumos `zfs create -o refreservation=<r>M
   * [-o compression=<c>] [-b <block_size>] -V <size>M <dataset>`, or for an
   * image `zfs clone -o refreservation=<r>M [-o compression=<c>]
   * <zpool>/<image>@final <dataset>`; local: a sparse file of its size
   * under the zonepath (`disks/disk<N>`). One that exists is refused.
   */
  createDisk(zone: ZoneRef, disk: DiskVolume): Promise<void>;
  /** Its size (grown or put back), refreservation and compression set to `to`'s where they differ from `from`'s (`zfs set`). */
  changeDisk(zone: ZoneRef, from: DiskVolume, to: DiskVolume): Promise<void>;
  /** The volume destroyed (`zfs destroy -r <dataset>`); one that does not exist is refused. */
  destroyDisk(zone: ZoneRef, disk: DiskVolume): Promise<void>;
  /** Whether the volume exists. */
  hasDisk(zone: ZoneRef, disk: DiskVolume): Promise<boolean>;
  /**
   * ipf -G -E -I -Fa -f <ipf.conf> -6 -Fa -f <ipf6.conf> -sy <uuid>. A zone
   * that is not running ("Could not find running zone") is not an error:
   * nothing is loaded.
   */
  loadFirewall(zone: ZoneRef, ipfConf: string, ipf6Conf: string): Promise<void>;
  /** ipf -GD <uuid>; a zone that is not running is not an error. */
  disableFirewall(zone: ZoneRef): Promise<void>;
  /**
   * stdout of `ipf -GV <uuid>` (`Key: value` lines, `Running: yes|no`). A
   * zone that is not running answers `Running: no` (the text of a stopped
   * firewall) rather than an error.
   */
  firewallStatus(zone: ZoneRef): Promise<string>;
  /**
   * stdout of `ipfstat -hoi -G <uuid>` (`<hits> <rule>` lines). `''` when
   * ipfstat reports an empty list or a zone that is not running (the caller
   * tells the two apart with firewallStatus).
   */
  firewallStats(zone: ZoneRef): Promise<string>;
  /**
   * Whether ipf files are written in event-logging mode (docs/ipf.md).
   * VMADM_IPF_EVENT_LOG=1 or 0 decides on either host; without it, illumos:
   * /dev/ipfev exists; local: false.
   */
  eventLog(): boolean;

  // ---- vmadm kill, console, send/receive, reprovision (hosts/zone-data.ts; docs/vmadm-cli.md §16.1, §16.3-§16.5)

  /**
   * Send `signal` to the zone's init (vmadm kill); false when the zone has
   * no running init. illumos: the pid from the zone's zone_misc kstat, then
   * `kill -s <NAME> <pid>`; local: the signal is recorded in the zone.
   */
  signalInit(zone: ZoneRef, signal: Signal): Promise<boolean>;
  /** The zone's console on this terminal until it is left (illumos: `zlogin -C -e \\035 <zonename>`, the process's own stdio). */
  console(zone: ZoneRef): Promise<void>;
  /** vmadm send: the zone's data, item by item (illumos: `zfs send` of its dataset; local: its zonepath's files). */
  sendZoneData(zone: ZoneRef): AsyncIterable<ZoneDataItem>;
  /** vmadm receive: one item of zone data into a zone that is configured, not installed. */
  receiveZoneData(zone: ZoneRef, item: ZoneDataItem): Promise<void>;
  /** Undo of a receive: the data received for a zone that is no longer there (illumos: its dataset destroyed). */
  discardZoneData(zone: ZoneRef): Promise<void>;
  /**
   * vmadm reprovision: the zone's root replaced by a new one from the image,
   * its delegated data kept, the old root removed last (the point of no
   * return). Fails whole: a failure before that puts the old root back. A
   * reinstall killed half-way is finished (hasRoot) or undone
   * (undoReinstall) by recovery.
   */
  reinstall(zone: ZoneRef, opts: { imageUuid: string; quota: number }): Promise<void>;
  /** Whether the zone's root is (or is being made) one of `imageUuid` (reinstall got past its point of no return). */
  hasRoot(zone: ZoneRef, imageUuid: string): Promise<boolean>;
  /** Undo an interrupted reinstall that had not got its new root in place: the old root back. */
  undoReinstall(zone: ZoneRef): Promise<void>;
  // ---- vmadm create-snapshot, rollback-snapshot, delete-snapshot (illumos-snapshot.ts, local-snapshot.ts; docs/vmadm-cli.md §17)

  /** A snapshot `name` of the zone's data (illumos: `zfs snapshot [-r] <ds>@vmsnap-<name>`); fails when it exists. */
  createSnapshot(zone: ZoneRef, name: string): Promise<void>;
  /** Whether the zone has the snapshot `name`. */
  hasSnapshot(zone: ZoneRef, name: string): Promise<boolean>;
  /**
   * The zone's data as it was at snapshot `name` (illumos: `zfs rollback -r`),
   * the snapshots `newer` than it removed. The zone is not running. Done again,
   * it does the same (recovery finishes a rollback by doing it again).
   */
  rollbackSnapshot(zone: ZoneRef, name: string, newer: readonly string[]): Promise<void>;
  /** Remove the snapshot `name` (illumos: `zfs destroy [-r] <ds>@vmsnap-<name>`); fails when there is none. */
  deleteSnapshot(zone: ZoneRef, name: string): Promise<void>;
  /**
   * The zone's config files (<zonepath>/config/routes.json ...) were
   * brought up to date: a host that applies them to a running zone itself
   * does it now (linux: its routes). Optional; called for running zones.
   */
  applyConfig?(zone: ZoneRef): Promise<void>;
}

export function selectHost(kind: HostKind, root: string, env: NodeJS.ProcessEnv = process.env): Host {
  if (kind === 'illumos') return new IllumosHost(env);
  return kind === 'linux' ? new LinuxHost(root, env) : new LocalHost(root, env);
}
