/** What the hosts share: the one-line failure, the event-log setting, the environment's crash points. */
import { HostError } from '../core/errors';
import { isHvm } from '../core/vmspec/brands';

/** `<program> <args...> failed: <first line of its stderr>` (or `exit status N` when it printed nothing). */
export function hostFailure(program: string, args: readonly string[], stderr: string, exitCode?: number): HostError {
  const first = stderr
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '');
  const why = first ?? (exitCode === undefined ? 'no output' : `exit status ${exitCode}`);
  return new HostError(`${[program, ...args].join(' ')} failed: ${why}`);
}

/** VMADM_IPF_EVENT_LOG=1|true or 0|false when set, else undefined. */
export function eventLogOverride(env: NodeJS.ProcessEnv): boolean | undefined {
  const v = env.VMADM_IPF_EVENT_LOG;
  if (v === '1' || v === 'true') return true;
  if (v === '0' || v === 'false') return false;
  return undefined;
}

/** What ipf prints for a zone that is not running (docs/fwadm-cli.md §8: not an error for load/disable). */
export const NOT_RUNNING = 'Could not find running zone';

/** Graceful stop/reboot command run inside an OS zone (docs/vmadm-cli.md §9). */
export function inZoneCommand(brand: string, action: 'halt' | 'reboot'): string[] | undefined {
  if (isHvm(brand)) return undefined;
  if (brand === 'lx') return ['/sbin/shutdown', action === 'halt' ? '-h' : '-r', 'now'];
  return ['/usr/sbin/shutdown', '-y', '-g', '0', '-i', action === 'halt' ? '5' : '6'];
}

/**
 * The environment's test hooks at a named step (docs/state.md "Crash
 * points"): VMADM_CRASH_AT=<point> kills the process there with SIGKILL,
 * VMADM_SIGNAL_AT=<point>:<SIGNAL> sends it that signal there.
 */
export function envCrashPoint(env: NodeJS.ProcessEnv, point: string): void {
  if (env.VMADM_CRASH_AT === point) process.kill(process.pid, 'SIGKILL');
  const at = env.VMADM_SIGNAL_AT;
  if (at !== undefined && at.startsWith(`${point}:`)) process.kill(process.pid, at.slice(point.length + 1) as NodeJS.Signals);
}
