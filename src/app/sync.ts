/**
 * Derived state follows the stored truth (docs/state.md "Derived state"):
 * for each VM named, its SmartOS config files are made to say what its
 * record says, its ipf.conf/ipf6.conf what `fwadm compile` of the stored
 * rules, remote VMs and VMs gives it (firewall enabled) or moved to `.old`
 * (disabled), and, when it runs, those files are loaded (or ipf disabled).
 *
 * Whatever happened before (a kill, a failed load, a file removed by
 * hand), one call brings a VM's derived state back: a file whose text
 * (but for its date line) is already right stays as it is; a VM that is
 * synced is loaded again when it runs, since what is loaded cannot be
 * compared. A load that fails puts the previous files back and loads
 * them (docs/fwadm-cli.md §0: never unfiltered, fail closed) and leaves
 * the VM pending, so the next command tries again.
 */
import * as fs from 'node:fs';
import type { WrittenFile } from '../core/fw/format';
import { compileOnly } from '../core/fw/affected';
import type { VmFiles } from '../core/ipf/model';
import { sameIpfText } from '../core/ipf/render';
import type { VmRecord } from '../core/vm/record';
import type { ZoneRef } from '../hosts/host';
import { cleanIpfTemps, disableIpfFiles, ipfPaths, readIpfFiles, restoreIpfFiles, writeIpfFiles } from '../store/ipf-files';
import { prepareWrite } from '../store/paths';
import type { Runtime } from './runtime';
import { compileInputOf, type StoredState } from './state';

export interface SyncOptions {
  /** Files already compiled (core/fw/affected's after side), by VM uuid. */
  readonly compiled?: ReadonlyMap<string, VmFiles>;
  /** Also remove temporary files interrupted writes left (recovery). */
  readonly clean?: boolean;
  /** false: the config files only (a change that cannot change any firewall). Default true. */
  readonly firewall?: boolean;
  /** More VMs whose config files alone are brought up to date (their firewall is not touched unless named too). */
  readonly configOnly?: Iterable<string>;
  /**
   * The VMs named are those whose ipf text the change gives anew
   * (core/fw/affected), and their records did not change (but those in
   * configOnly): their files are written without being read and compared
   * first, and their config files are left alone. Default: compared, and
   * config files made to follow.
   */
  readonly changedFirewallOnly?: boolean;
}

export interface SyncResult {
  /** VMs whose derived state is now what their record and the rules say. */
  readonly done: string[];
  /** VMs left pending, and one line each saying why. */
  readonly failed: string[];
  readonly failures: string[];
  /** VMs whose ipf files were written or moved away. */
  readonly rewritten: string[];
  /** The ipf files of the firewall-enabled VMs synced, in VM order (fwadm --stdout). */
  readonly files: WrittenFile[];
}

/** How many VMs' files are written, then loaded, at a time (their fsyncs, and the host programs loading them, overlap), unless the host says. */
const PARALLEL_VMS = 8;

export function zoneOf(vm: VmRecord): ZoneRef {
  return { zonename: vm.zonename, uuid: vm.uuid, zonepath: vm.zonepath, brand: vm.brand };
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

interface Written {
  readonly vm: VmRecord;
  /** ipf files replaced (enabled) or moved away (disabled). */
  readonly rewritten: boolean;
  /** Whether what the host runs is made to follow (the firewall is synced). */
  readonly loads: boolean;
  /** Whether its config files were brought up to date. */
  readonly config: boolean;
}

/** Bring the derived state of `uuids` (any order; unknown ones are skipped) up to `state`. */
export async function syncVms(rt: Runtime, state: StoredState, uuids: Iterable<string>, opts: SyncOptions = {}): Promise<SyncResult> {
  const byUuid = new Map(state.vms.map((vm) => [vm.uuid, vm]));
  const named = new Set(uuids);
  const configFor = new Set(opts.configOnly ?? []);
  const configOnly = new Set([...configFor].filter((u) => !named.has(u)));
  const vms = [...new Set([...named, ...configOnly])].sort().flatMap((u) => byUuid.get(u) ?? []);
  const result: SyncResult = { done: [], failed: [], failures: [], rewritten: [], files: [] };
  if (vms.length === 0) return result;

  // the files of the firewall-enabled ones, compiled once for all of them
  const compiled = new Map(opts.compiled ?? []);
  const firewall = opts.firewall !== false;
  const syncsFirewall = (vm: VmRecord): boolean => firewall && !configOnly.has(vm.uuid);
  const missing = new Set(vms.filter((vm) => syncsFirewall(vm) && vm.firewall_enabled === true && !compiled.has(vm.uuid)).map((vm) => vm.uuid));
  if (missing.size > 0) {
    for (const f of compileOnly(compileInputOf(state), missing, { eventLog: rt.eventLog(), date: rt.now() })) compiled.set(f.uuid, f);
  }
  const version = `${rt.now().getTime()}.${String(process.pid).padStart(6, '0')}`;

  const fail = (vm: VmRecord, line: string): void => {
    result.failed.push(vm.uuid);
    result.failures.push(line);
  };

  /** One VM's files: config files, then its ipf files written or moved away. */
  const write = async (vm: VmRecord): Promise<Written | undefined> => {
    const zonepath = rt.vms.hostPath(vm.zonepath);
    try {
      const config = !opts.changedFirewallOnly || configFor.has(vm.uuid);
      if (config) await rt.vms.writeConfig(vm);
      if (!syncsFirewall(vm)) return { vm, rewritten: false, loads: false, config };
      if (opts.clean) await cleanIpfTemps(zonepath);
      const p = ipfPaths(zonepath);
      const f = vm.firewall_enabled === true ? compiled.get(vm.uuid) : undefined;
      if (f === undefined) {
        const had = fs.existsSync(p.ipf) || fs.existsSync(p.ipf6);
        if (had) await disableIpfFiles(zonepath);
        return { vm, rewritten: had, loads: true, config };
      }
      result.files.push({ path: p.ipf, text: f.ipf }, { path: p.ipf6, text: f.ipf6 });
      if (!opts.changedFirewallOnly) {
        const disk = await readIpfFiles(zonepath);
        const same = disk.ipf !== undefined && disk.ipf6 !== undefined && sameIpfText(disk.ipf, f.ipf) && sameIpfText(disk.ipf6, f.ipf6);
        if (same) return { vm, rewritten: false, loads: true, config };
      }
      const base = rt.vms.filesRoot(vm.zonepath);
      prepareWrite(base, p.ipf, p.ipf6);
      await writeIpfFiles(zonepath, f, version);
      return { vm, rewritten: true, loads: true, config };
    } catch (err) {
      fail(vm, `VM ${vm.uuid}: ${message(err)}`);
      return undefined;
    }
  };

  /** Then what it runs is what its files say: undefined, or why not (one line). */
  const load = async (w: Written): Promise<string | undefined> => {
    const { vm } = w;
    // a host that applies the config files itself (linux: routes) does it for a running zone
    if (w.config && vm.state === 'running' && rt.host.applyConfig) {
      try {
        await rt.host.applyConfig(zoneOf(vm));
      } catch (err) {
        return `VM ${vm.uuid}: ${message(err)}`;
      }
    }
    if (w.loads && vm.state === 'running') {
      const zonepath = rt.vms.hostPath(vm.zonepath);
      const p = ipfPaths(zonepath);
      try {
        if (vm.firewall_enabled === true) await rt.host.loadFirewall(zoneOf(vm), p.ipf, p.ipf6);
        else await rt.host.disableFirewall(zoneOf(vm));
      } catch (err) {
        let line = `VM ${vm.uuid}: ${message(err)}`;
        if (vm.firewall_enabled === true && w.rewritten) {
          // fail closed: the previous files back, and loaded
          try {
            const restored = await restoreIpfFiles(zonepath);
            if (restored.ipf && restored.ipf6) {
              await rt.host.loadFirewall(zoneOf(vm), p.ipf, p.ipf6);
              line += ' (previous rules restored)';
            }
          } catch (again) {
            line += `; restoring the previous rules failed: ${message(again)}`;
          }
        }
        return line;
      }
    }
    return undefined;
  };

  const width = rt.host.parallelLoads ?? PARALLEL_VMS;
  for (let i = 0; i < vms.length; i += width) {
    const written = await Promise.all(vms.slice(i, i + width).map(write));
    rt.crashPoint('sync:written');
    // loaded side by side too (each VM's own load and fail-closed restore); said in VM order
    const loaded = await Promise.all(written.map((w) => (w === undefined ? undefined : load(w))));
    written.forEach((w, k) => {
      if (w === undefined) return;
      if (w.rewritten) result.rewritten.push(w.vm.uuid);
      const why = loaded[k];
      if (why === undefined) result.done.push(w.vm.uuid);
      else fail(w.vm, why);
      rt.crashPoint('sync:loaded');
    });
  }
  return result;
}

/** Two syncs' results as one. */
export function mergeSyncResults(a: SyncResult, b: SyncResult): SyncResult {
  return {
    done: [...a.done, ...b.done],
    failed: [...a.failed, ...b.failed],
    failures: [...a.failures, ...b.failures],
    rewritten: [...a.rewritten, ...b.rewritten],
    files: [...a.files, ...b.files],
  };
}
