/**
 * What must hold of a state root once the next command has run, whatever
 * happened to the one before (docs/state.md): nothing left in the
 * journal; records, zones and zonepaths in agreement (each record has its
 * zone, in the state the record says, configured as the record says, and
 * its zonepath; no zone or zonepath without a record); every VM's ipf
 * files equal to `fwadm compile` of the stored rules, remote VMs and VMs;
 * every running VM's loaded rules equal to its files.
 *
 * Works on the embedded local host, on the illumos host of the fakes
 * (test/fakes), and on the linux host (its network: test/helpers/linux.ts),
 * reading what each host keeps. Returns the violations, one line each ([]
 * when all hold).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createScript } from '../../src/core/zonecfg/script';
import type { VmRecord } from '../../src/core/vm/record';
import { VmStore } from '../../src/store/vm-store';
import { linuxInvariants } from './linux';
import { repoRoot, run } from './run-cli';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const zonecfg = require(path.join(repoRoot, 'test', 'fakes', 'lib', 'zonecfg-parse.js')) as {
  parse(script: string): unknown[];
  apply(cmds: unknown[], base?: unknown): ZoneConfig;
};

interface ZoneConfig {
  props: Record<string, string>;
  attrs: { name: string; type: string; value: string }[];
  nets: { 'mac-addr': string; properties: { name: string; value: string }[]; [k: string]: unknown }[];
  [k: string]: unknown;
}

export interface Place {
  /** The state root. */
  readonly root: string;
  /** The environment the commands run with (VMADM_HOST, VMADM_ALTROOT, the fakes ...). */
  readonly env: NodeJS.ProcessEnv;
  /** illumos: the fakes' FAKE_HOST_STATE; local: undefined. */
  readonly fakeState?: string;
  /** illumos: VMADM_ALTROOT (where zonepaths are). */
  readonly altroot?: string;
}

/** Attributes that only mark a create in progress (they come and go with provisioning). */
const MARKERS = new Set(['provisioning', 'transition', 'create-timestamp']);

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

function listJson(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.endsWith('.json')) : [];
}

/** A zone configuration in one order: what it holds, not how it got there. */
function normal(c: ZoneConfig): unknown {
  const byName = <T extends { name: string }>(xs: T[]): T[] => [...xs].sort((a, b) => (a.name < b.name ? -1 : 1));
  return {
    ...c,
    // autoboot is compared on its own; the zonepath is where the root was when the zone was made
    props: Object.fromEntries(Object.entries(c.props).filter(([k]) => k !== 'autoboot' && k !== 'zonepath')),
    attrs: byName(c.attrs.filter((a) => !MARKERS.has(a.name))),
    nets: [...c.nets].map((n) => ({ ...n, properties: byName(n.properties) })).sort((a, b) => (a['mac-addr'] < b['mac-addr'] ? -1 : 1)),
    // a disk or filesystem changed by an update is removed and added again: compared in one order
    devices: [...((c.devices as { match: string; properties: { name: string; value: string }[] }[] | undefined) ?? [])]
      .map((d) => ({ ...d, properties: byName(d.properties ?? []) }))
      .sort((a, b) => (a.match < b.match ? -1 : 1)),
    fss: [...((c.fss as { dir: string }[] | undefined) ?? [])].sort((a, b) => (a.dir < b.dir ? -1 : 1)),
  };
}

function undated(text: string | undefined): string | undefined {
  return text?.replace(/^# File generated at .*$/m, '');
}

interface HostZone {
  uuid: string;
  state: string;
  config: ZoneConfig;
  autoboot?: string;
}

/** The zones the host has, with their configuration (local: its scripts replayed; illumos: what the fake zonecfg keeps). */
function hostZones(p: Place, problems: string[]): Map<string, HostZone> {
  const out = new Map<string, HostZone>();
  if (p.fakeState) {
    for (const n of listJson(path.join(p.fakeState, 'zones'))) {
      const z = readJson<{ uuid: string; state: string; config: ZoneConfig }>(path.join(p.fakeState, 'zones', n));
      out.set(z.uuid, { uuid: z.uuid, state: z.state, config: z.config, autoboot: z.config.props.autoboot });
    }
    return out;
  }
  for (const n of listJson(path.join(p.root, 'host', 'zones'))) {
    const z = readJson<{ uuid: string; state: string; zonepath: string; scripts: number; config?: ZoneConfig }>(path.join(p.root, 'host', 'zones', n));
    const zonepath = path.resolve(p.root, z.zonepath);
    // the configuration the host keeps, and the scripts it took, replayed: the two must agree
    let config: ZoneConfig | undefined;
    try {
      for (let i = 1; i <= z.scripts; i++) {
        const dir = path.join(zonepath, 'zonecfg');
        const file = [`${i}-create.txt`, `${i}-update.txt`].map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
        if (!file) throw new Error(`script ${i} is missing`);
        config = zonecfg.apply(zonecfg.parse(fs.readFileSync(file, 'utf8')), config);
      }
    } catch (err) {
      problems.push(`zone ${z.uuid}: its scripts do not apply in order: ${(err as Error).message}`);
    }
    if (z.config && JSON.stringify(normal(z.config)) !== JSON.stringify(normal(config ?? zonecfg.apply([])))) {
      problems.push(`zone ${z.uuid}: the configuration the host keeps is not its scripts replayed`);
    }
    out.set(z.uuid, { uuid: z.uuid, state: z.state, config: config ?? zonecfg.apply([]), autoboot: config?.props.autoboot });
  }
  return out;
}

/**
 * Disk volumes exist exactly for the stored disks, of their sizes
 * (docs/vmadm-cli.md §15 "Disks and filesystems"): on the local host the
 * sparse files `<zonepath>/disks/disk<N>`, on the illumos host the fake
 * zfs's volumes (a clone of an image has its image's size until grown).
 */
function diskProblems(p: Place, vms: readonly VmRecord[]): string[] {
  const problems: string[] = [];
  const want = new Map<string, { vm: string; size: number; file: string }>();
  for (const vm of vms) {
    for (const d of vm.disks ?? []) {
      if (d.media === 'cdrom' || d.nocreate === true || d.zfs_filesystem === undefined) continue;
      const n = /disk(\d+)$/.exec(d.zfs_filesystem)?.[1];
      want.set(d.zfs_filesystem, { vm: vm.uuid, size: d.size ?? 0, file: path.join(vm.zonepath, 'disks', `disk${n}`) });
    }
  }
  if (p.fakeState) {
    const file = path.join(p.fakeState, 'datasets.json');
    const ds = fs.existsSync(file) ? readJson<Record<string, { type?: string; props: Record<string, string> }>>(file) : {};
    const have = Object.entries(ds).filter(([, d]) => d.type === 'volume');
    for (const [name, d] of have) {
      const w = want.get(name);
      if (!w) problems.push(`volume ${name} has no disk in any record`);
      else if (d.props.volsize !== undefined && d.props.volsize !== `${w.size}M`) problems.push(`VM ${w.vm}: volume ${name} is ${d.props.volsize}, its disk ${w.size}M`);
    }
    const names = new Set(have.map(([n]) => n));
    for (const [name, w] of want) if (!names.has(name)) problems.push(`VM ${w.vm}: no volume ${name} for its disk`);
    return problems;
  }
  const files = new Set<string>();
  for (const vm of vms) {
    const dir = path.join(vm.zonepath, 'disks');
    if (fs.existsSync(dir)) for (const n of fs.readdirSync(dir)) files.add(path.join(dir, n));
  }
  for (const [name, w] of want) {
    if (!files.delete(w.file)) problems.push(`VM ${w.vm}: no file ${w.file} for its disk ${name}`);
    else if (fs.statSync(w.file).size !== w.size * 1024 * 1024) problems.push(`VM ${w.vm}: ${w.file} is ${fs.statSync(w.file).size} bytes, its disk ${w.size} MiB`);
  }
  for (const f of files) problems.push(`disk file ${f} has no disk in its VM's record`);
  return problems;
}

/** The vmadm snapshots the host has of a VM's zone (illumos: its dataset's @vmsnap-*; local: its copies), sorted. */
function hostSnapshots(p: Place, vm: VmRecord): string[] {
  if (p.fakeState) {
    const file = path.join(p.fakeState, 'datasets.json');
    const ds = fs.existsSync(file) ? readJson<Record<string, { snapshots: string[] }>>(file)[vm.zonepath.replace(/^\/+/, '')] : undefined;
    return (ds?.snapshots ?? []).filter((s) => s.startsWith('vmsnap-')).sort();
  }
  const dir = path.join(p.root, 'host', 'snapshots', vm.uuid);
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.startsWith('vmsnap-')).sort() : [];
}

/** The violations of the invariants (see the top of this file). */
export async function invariants(p: Place): Promise<string[]> {
  const problems: string[] = [];
  for (const f of ['.journal.json', '.pending.json']) if (fs.existsSync(path.join(p.root, f))) problems.push(`${f} is left`);

  const vms: VmRecord[] = new VmStore(p.root, p.fakeState ? 'illumos' : 'local', p.altroot ?? '').list();
  const zones = hostZones(p, problems);

  // records and zones
  for (const vm of vms) {
    const z = zones.get(vm.uuid);
    if (!z) {
      problems.push(`VM ${vm.uuid}: no zone`);
      continue;
    }
    const want = vm.state === 'running' ? 'running' : 'installed';
    if (z.state !== want) problems.push(`VM ${vm.uuid}: record ${vm.state}, zone ${z.state}`);
    const zoneCfg = normal(z.config) as Record<string, unknown>;
    const recordCfg = normal(zonecfg.apply(zonecfg.parse(createScript(vm)))) as Record<string, unknown>;
    for (const k of new Set([...Object.keys(zoneCfg), ...Object.keys(recordCfg)])) {
      if (JSON.stringify(zoneCfg[k]) !== JSON.stringify(recordCfg[k])) {
        problems.push(`VM ${vm.uuid}: the zone's ${k} is not the record's (zone ${JSON.stringify(zoneCfg[k])}, record ${JSON.stringify(recordCfg[k])})`);
      }
    }
    if (z.autoboot !== String(vm.autoboot)) problems.push(`VM ${vm.uuid}: record autoboot ${vm.autoboot}, zone ${z.autoboot}`);
    if (!fs.existsSync(path.join(p.altroot ?? '', vm.zonepath))) problems.push(`VM ${vm.uuid}: no zonepath ${vm.zonepath}`);
    // its snapshots: the host has those the record lists, and no other (docs/vmadm-cli.md §17)
    const listed = (Array.isArray(vm.snapshots) ? (vm.snapshots as { name: string }[]) : []).map((s) => `vmsnap-${s.name}`);
    const held = hostSnapshots(p, vm);
    if (JSON.stringify([...listed].sort()) !== JSON.stringify(held)) problems.push(`VM ${vm.uuid}: record snapshots ${JSON.stringify(listed)}, host ${JSON.stringify(held)}`);
  }
  problems.push(...diskProblems(p, vms));
  const known = new Set(vms.map((v) => v.uuid));
  for (const u of zones.keys()) if (!known.has(u)) problems.push(`zone ${u} has no record`);
  // local host: zonepaths are the root's own (on illumos the host's zfs datasets are)
  const zonesDir = path.join(p.root, 'zones');
  if (!p.fakeState && fs.existsSync(zonesDir)) for (const d of fs.readdirSync(zonesDir)) if (!known.has(d)) problems.push(`zonepath ${path.join(zonesDir, d)} has no record`);

  // files = compile of the stored truth
  const rules = await run('fwadm', ['list', '-j'], { env: { ...p.env, VMADM_ROOT: p.root } });
  const rvms = await run('fwadm', ['list-rvms'], { env: { ...p.env, VMADM_ROOT: p.root } });
  const lookup = await run('vmadm', ['lookup', '-j'], { env: { ...p.env, VMADM_ROOT: p.root } });
  if (lookup.status !== 0) return [...problems, `vmadm lookup -j: ${lookup.stderr}`];
  const payload = JSON.stringify({ vms: JSON.parse(lookup.stdout), rules: JSON.parse(rules.stdout || '[]'), remoteVMs: JSON.parse(rvms.stdout || '[]') });
  const compiled = await run('fwadm', ['compile', '-j'], { input: payload, env: { ...p.env, SOURCE_DATE_EPOCH: '0' } });
  if (compiled.status !== 0) return [...problems, `fwadm compile: ${compiled.stderr}`];
  const files = JSON.parse(compiled.stdout) as Record<string, { ipf: string; ipf6: string }>;
  for (const vm of vms) {
    const dir = path.join(p.altroot ?? '', vm.zonepath, 'config');
    const read = (f: string): string | undefined => (fs.existsSync(path.join(dir, f)) ? fs.readFileSync(path.join(dir, f), 'utf8') : undefined);
    const disk = { ipf: read('ipf.conf'), ipf6: read('ipf6.conf') };
    const want = files[vm.uuid];
    if (undated(disk.ipf) !== undated(want?.ipf) || undated(disk.ipf6) !== undated(want?.ipf6)) {
      problems.push(`VM ${vm.uuid}: ipf files on disk are not fwadm compile's (${disk.ipf === undefined ? 'none' : 'stale'} on disk, ${want ? 'files' : 'none'} compiled)`);
    }
    // what is loaded (the linux host's: below)
    if (p.env.VMADM_HOST === 'linux') continue;
    const loaded = p.fakeState
      ? fs.existsSync(path.join(p.fakeState, 'ipf', `${vm.uuid}.json`))
        ? readJson<{ running: boolean; ipf: string; ipf6: string }>(path.join(p.fakeState, 'ipf', `${vm.uuid}.json`))
        : undefined
      : fs.existsSync(path.join(p.root, 'host', 'ipf', vm.uuid, 'state.json'))
        ? {
            ...readJson<{ running: boolean }>(path.join(p.root, 'host', 'ipf', vm.uuid, 'state.json')),
            ipf: fs.readFileSync(path.join(p.root, 'host', 'ipf', vm.uuid, 'ipf.conf'), 'utf8'),
            ipf6: fs.readFileSync(path.join(p.root, 'host', 'ipf', vm.uuid, 'ipf6.conf'), 'utf8'),
          }
        : undefined;
    const shouldRun = vm.state === 'running' && vm.firewall_enabled === true;
    if (shouldRun) {
      if (!loaded?.running) problems.push(`VM ${vm.uuid}: runs with its firewall enabled, but nothing is loaded`);
      else if (loaded.ipf !== disk.ipf || loaded.ipf6 !== disk.ipf6) problems.push(`VM ${vm.uuid}: loaded rules are not its files`);
    } else if (vm.state === 'running' && loaded?.running) {
      problems.push(`VM ${vm.uuid}: firewall disabled, but rules are loaded`);
    }
  }
  if (p.env.VMADM_HOST === 'linux') problems.push(...linuxInvariants(p.root, p.env, vms));
  return problems;
}
