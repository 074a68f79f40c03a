/**
 * The illumos host's part of vmadm kill, console, send/receive and
 * reprovision (docs/vmadm-cli.md §16), with the programs SmartOS's vmadm
 * uses for them:
 *
 * - kill: the zone's init pid from its zone_misc kstat (what SmartOS reads
 *   it from), `kstat -p -m zones -c zone_misc -n <zonename, 30 chars>`,
 *   then `kill -s <NAME> <pid>` (SmartOS calls kill(2) itself);
 * - console: `zlogin -C -e \035 <zonename>` on the process's own terminal;
 * - send: `zfs snapshot <ds>@vmadm-send`, `zfs send -p <ds>@vmadm-send`,
 *   the snapshot destroyed after (SmartOS: `@sending`); receive:
 *   `zfs recv <ds>`, its snapshot destroyed;
 * - reprovision: the root dataset renamed away (`<ds>-reprovisioning-root`,
 *   its delegated `<ds>/data` to `<ds>-reprovisioning-data`), a clone of
 *   the image's `@final` snapshot (else of a snapshot `@<uuid>` made of
 *   it) with the zone's quota, the brand's install script run with `-r`,
 *   the data put back, the old root destroyed: the names and steps
 *   SmartOS's reprovision uses.
 *
 * <ds> is the zonepath without its leading `/` (`zones/<uuid>`).
 */
import { AppError } from '../core/errors';
import type { Signal } from '../core/signals';
import { hostFailure } from './common';
import type { DiskVolume, ZoneRef } from './host';
import type { IllumosHost } from './illumos';
import type { ZoneDataItem } from './zone-data';

/** The snapshot a send streams (SmartOS's is `@sending`). */
const SEND_SNAPSHOT = 'vmadm-send';

/** The pid the kernel reports for a zone whose init has died. */
const NO_INIT = 4294967295;

function dataset(zone: ZoneRef): string {
  return zone.zonepath.replace(/^\/+/, '');
}

function pool(zone: ZoneRef): string {
  return dataset(zone).split('/')[0];
}

// ------------------------------------------------------------ kill

export async function signalInit(h: IllumosHost, zone: ZoneRef, signal: Signal): Promise<boolean> {
  if ((await h.zoneState(zone)) !== 'running') return false;
  const args = ['-p', '-m', 'zones', '-c', 'zone_misc', '-n', zone.zonename.slice(0, 30)];
  const r = await h.exec('kstat', args);
  // no statistics for a zone that is not running: kstat prints nothing
  if (r.exitCode !== 0 && r.stdout.trim() !== '') throw hostFailure('kstat', args, r.stderr, r.exitCode);
  // zones:<zoneid>:<name>:<statistic>\t<value>, one instance per zone whose name starts so
  const byInstance = new Map<string, Map<string, string>>();
  for (const line of r.stdout.split('\n')) {
    const m = /^zones:(\d+):[^:\t]*:(\w+)\t(.*)$/.exec(line);
    if (!m) continue;
    if (!byInstance.has(m[1])) byInstance.set(m[1], new Map());
    byInstance.get(m[1])?.set(m[2], m[3].trim());
  }
  const stats = [...byInstance.values()].find((s) => s.get('zonename') === zone.zonename);
  const pid = Number(stats?.get('init_pid'));
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid === NO_INIT) return false;
  await h.run('kill', ['-s', signal.name, String(pid)]);
  return true;
}

// ------------------------------------------------------------ console

export async function attachConsole(h: IllumosHost, zone: ZoneRef): Promise<void> {
  const { execa } = await import('execa');
  const args = ['-C', '-e', '\\035', zone.zonename];
  // the terminal itself: zlogin reads and writes it until the escape
  const r = await execa(h.program('zlogin'), args, { stdio: 'inherit', env: h.env, extendEnv: false, reject: false });
  if (r.exitCode !== 0) throw hostFailure('zlogin', args, '', r.exitCode);
}

// ------------------------------------------------------------ send / receive

/** Whether a dataset or snapshot exists (`zfs list -H -o name <name>`). */
export async function exists(h: IllumosHost, name: string): Promise<boolean> {
  const args = ['list', '-H', '-o', 'name', name];
  const r = await h.exec('zfs', args);
  if (r.exitCode === 0) return true;
  if (/does not exist/.test(r.stderr)) return false;
  throw hostFailure('zfs', args, r.stderr, r.exitCode);
}

export async function* sendZoneData(h: IllumosHost, zone: ZoneRef): AsyncGenerator<ZoneDataItem> {
  const ds = dataset(zone);
  const snap = `${ds}@${SEND_SNAPSHOT}`;
  // one an interrupted send left
  await h.exec('zfs', ['destroy', snap]);
  await h.run('zfs', ['snapshot', snap]);
  const { execa } = await import('execa');
  const args = ['send', '-p', snap];
  const sub = execa(h.program('zfs'), args, {
    stdin: 'ignore',
    buffer: { stdout: false, stderr: true },
    detached: true,
    env: h.env,
    extendEnv: false,
    reject: false,
  });
  try {
    yield { kind: 'dataset', name: ds, body: sub.stdout as AsyncIterable<Uint8Array> };
    const r = await sub;
    if (r.exitCode !== 0) throw hostFailure('zfs', args, String(r.stderr ?? ''), r.exitCode);
  } finally {
    if (sub.exitCode === null) sub.kill('SIGKILL');
    await sub.catch(() => undefined);
    await h.exec('zfs', ['destroy', snap]);
  }
}

export async function receiveZoneData(h: IllumosHost, zone: ZoneRef, item: ZoneDataItem): Promise<void> {
  const ds = dataset(zone);
  if (item.kind !== 'dataset') {
    throw new AppError(`the stream holds the zone files of a local host (${item.path}); the illumos host receives a ZFS dataset`);
  }
  if (item.name !== ds) throw new AppError(`the stream holds dataset ${item.name}, not this VM's ${ds}`);
  const { execa } = await import('execa');
  const args = ['recv', ds];
  const r = await execa(h.program('zfs'), args, { stdin: item.body, detached: true, env: h.env, extendEnv: false, reject: false });
  if (r.exitCode !== 0) throw hostFailure('zfs', args, String(r.stderr ?? ''), r.exitCode);
  // the snapshot the sender streamed came along
  await h.exec('zfs', ['destroy', `${ds}@${SEND_SNAPSHOT}`]);
}

export async function discardZoneData(h: IllumosHost, zone: ZoneRef): Promise<void> {
  const ds = dataset(zone);
  if (await exists(h, ds)) await h.run('zfs', ['destroy', '-r', ds]);
}

// ------------------------------------------------------------ reprovision

/** The brand's install script, run with -r to finish a reprovision (SmartOS's brand_install_script). */
function installScript(brand: string): { program: 'jinstall' | 'lx_install'; path: string } {
  if (brand === 'lx') return { program: 'lx_install', path: '/usr/lib/brand/lx/lx_install' };
  return { program: 'jinstall', path: `/usr/lib/brand/${brand}/jinstall` };
}

export async function reinstall(h: IllumosHost, zone: ZoneRef, opts: { imageUuid: string; quota: number }): Promise<void> {
  const ds = dataset(zone);
  const old = `${ds}-reprovisioning-root`;
  const data = `${ds}/data`;
  const oldData = `${ds}-reprovisioning-data`;
  try {
    const hasData = await exists(h, data);
    if (hasData) {
      await h.run('zfs', ['set', 'zoned=off', data]);
      await h.run('zfs', ['rename', '-f', data, oldData]);
    }
    await h.run('zfs', ['rename', '-f', ds, old]);
    const image = `${pool(zone)}/${opts.imageUuid}`;
    let snapshot = `${image}@final`;
    if (!(await exists(h, snapshot))) {
      snapshot = `${image}@${zone.uuid}`;
      if (!(await exists(h, snapshot))) await h.run('zfs', ['snapshot', snapshot]);
    }
    await h.run('zfs', ['clone', '-o', `quota=${opts.quota}g`, '-o', 'devices=off', snapshot, ds]);
    const script = installScript(zone.brand);
    await h.run(script.program, ['-r', '-R', zone.zonepath, '-z', zone.zonename], undefined, script.path);
    if (hasData) {
      await h.run('zfs', ['rename', '-f', oldData, data]);
      await h.run('zfs', ['set', 'zoned=on', data]);
    }
  } catch (err) {
    // the old root back, whatever step failed
    await undoReinstall(h, zone).catch(() => undefined);
    throw err;
  }
  // the point of no return
  await h.run('zfs', ['destroy', '-r', old]);
}

export async function hasRoot(h: IllumosHost, zone: ZoneRef, imageUuid: string): Promise<boolean> {
  const ds = dataset(zone);
  if ((await exists(h, `${ds}-reprovisioning-root`)) || !(await exists(h, ds))) return false;
  const origin = (await h.run('zfs', ['get', '-H', '-o', 'value', 'origin', ds])).trim();
  return origin.startsWith(`${pool(zone)}/${imageUuid}@`);
}

export async function undoReinstall(h: IllumosHost, zone: ZoneRef): Promise<void> {
  const ds = dataset(zone);
  const old = `${ds}-reprovisioning-root`;
  const data = `${ds}/data`;
  const oldData = `${ds}-reprovisioning-data`;
  if (await exists(h, old)) {
    if (await exists(h, ds)) {
      // data already put into the new root goes back out with it
      if (!(await exists(h, oldData)) && (await exists(h, data))) await h.run('zfs', ['rename', '-f', data, oldData]);
      await h.run('zfs', ['destroy', '-r', ds]);
    }
    await h.run('zfs', ['rename', '-f', old, ds]);
  }
  if (await exists(h, oldData)) {
    await h.run('zfs', ['rename', '-f', oldData, data]);
    await h.run('zfs', ['set', 'zoned=on', data]);
  }
}

// ------------------------------------------------------------ disks

/** The ZFS properties a disk's volume is made with (`-o name=value` each), as SmartOS sets them. */
function volumeOptions(disk: DiskVolume): string[] {
  const out: string[] = [];
  if (disk.refreservation !== undefined) out.push('-o', `refreservation=${disk.refreservation}M`);
  if (disk.compression !== undefined) out.push('-o', `compression=${disk.compression}`);
  return out;
}

export async function createDisk(h: IllumosHost, zone: ZoneRef, disk: DiskVolume): Promise<void> {
  const ds = disk.zfs_filesystem;
  if (disk.image_uuid !== undefined) {
    const image = `${ds.split('/')[0]}/${disk.image_uuid}@final`;
    await h.run('zfs', ['clone', ...volumeOptions(disk), image, ds]);
    return;
  }
  const args = ['create', ...volumeOptions(disk)];
  if (disk.block_size !== undefined) args.push('-b', String(disk.block_size));
  args.push('-V', `${disk.size}M`, ds);
  await h.run('zfs', args);
}

export async function changeDisk(h: IllumosHost, from: DiskVolume, to: DiskVolume): Promise<void> {
  const ds = to.zfs_filesystem;
  const volsize = async (): Promise<void> => {
    if (to.size !== from.size) await h.run('zfs', ['set', `volsize=${to.size}M`, ds]);
  };
  const refres = async (): Promise<void> => {
    if (to.refreservation !== from.refreservation) await h.run('zfs', ['set', `refreservation=${to.refreservation ?? 0}M`, ds]);
  };
  // a reservation never above the volume: grown first, then reserved; shrunk (an undo) the other way round
  if (to.size >= from.size) {
    await volsize();
    await refres();
  } else {
    await refres();
    await volsize();
  }
  if (to.compression !== from.compression) await h.run('zfs', ['set', `compression=${to.compression ?? 'off'}`, ds]);
}
