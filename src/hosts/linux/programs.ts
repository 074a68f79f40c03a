/**
 * The programs the linux host runs: ip (iproute2), nft (nftables) and tee
 * (coreutils, to write a namespace's sysctls), from fixed paths (the first
 * of each list that exists: Debian puts ip in /bin and /sbin, reached as
 * /usr/sbin/ip on a merged /usr), through execa with argument arrays and
 * any script on stdin, never a shell. Each runs in its own process group
 * (docs/state.md "Interrupts"). Every failure is one line:
 * `<program> <args...> failed: <first line of its stderr>`.
 */
import * as fs from 'node:fs';
import { HostError } from '../../core/errors';
import { hostFailure } from '../common';

export type Program = 'ip' | 'nft' | 'tee';

const PATHS: Readonly<Record<Program, readonly string[]>> = {
  ip: ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'],
  nft: ['/usr/sbin/nft', '/sbin/nft'],
  tee: ['/usr/bin/tee', '/bin/tee'],
};

const found = new Map<Program, string | null>();

/** Where a program is, or undefined when none of its paths exists. */
export function programPath(p: Program): string | undefined {
  if (!found.has(p)) found.set(p, PATHS[p].find((f) => fs.existsSync(f)) ?? null);
  return found.get(p) ?? undefined;
}

/** The paths a program is looked for at (for messages). */
export function programPaths(p: Program): readonly string[] {
  return PATHS[p];
}

export interface Ran {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A network namespace by name, or null: the machine's own. */
export type Netns = string | null;

/**
 * Run a program (inside namespace `ns` when given: `ip netns exec <ns>`;
 * `ip` itself takes `-n <ns>` instead); its status and output, whatever
 * the status.
 */
export async function exec(p: Program, args: readonly string[], opts: { ns?: Netns; input?: string } = {}): Promise<Ran> {
  const file = programPath(p);
  const ip = programPath('ip');
  if (!file || !ip) throw new HostError(`${p}: not found at ${PATHS[file ? 'ip' : p].join(', ')}`);
  let argv: string[];
  let cmd: string;
  if (opts.ns == null) {
    cmd = file;
    argv = [...args];
  } else if (p === 'ip') {
    cmd = ip;
    argv = ['-n', opts.ns, ...args];
  } else {
    cmd = ip;
    argv = ['netns', 'exec', opts.ns, file, ...args];
  }
  const { execa } = await import('execa');
  const r = await execa(cmd, argv, {
    ...(opts.input === undefined ? { stdin: 'ignore' as const } : { input: opts.input }),
    detached: true,
    extendEnv: false,
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' },
    reject: false,
    stripFinalNewline: false,
  });
  if (r.exitCode === undefined) {
    const code = (r as { code?: string }).code;
    throw new HostError(`${[cmd, ...argv].join(' ')} failed: ${code ? `cannot run ${cmd} (${code})` : (r.shortMessage ?? 'killed').split('\n')[0]}`);
  }
  return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Run a program that must succeed; its stdout. The failure names the program and its arguments (in `ns`). */
export async function run(p: Program, args: readonly string[], opts: { ns?: Netns; input?: string } = {}): Promise<string> {
  const r = await exec(p, args, opts);
  if (r.exitCode !== 0) throw hostFailure(p, [...(opts.ns != null ? ['(netns', `${opts.ns})`] : []), ...args], r.stderr, r.exitCode);
  return r.stdout;
}
