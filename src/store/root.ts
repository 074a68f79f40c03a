/**
 * Which host a command drives and where its state lives.
 *
 * Host: `VMADM_HOST=local|illumos|linux`; without it, `illumos` when
 * /usr/sbin/zonecfg exists, `local` otherwise (`linux` is only ever
 * chosen: it changes the machine's network namespaces, hosts/linux/).
 *
 * State root: `--root DIR`, else `VMADM_ROOT`, else
 * - local, linux: `$XDG_STATE_HOME/vmadm`, else `~/.local/state/vmadm`;
 * - illumos: `/var/vmadm` (VM records, the lock, the firewall rules under
 *   `/var/vmadm/fw`). The zones themselves live where SmartOS keeps them:
 *   zonepath `/<zpool>/<uuid>` (`/zones/<uuid>`), their zonecfg in
 *   /etc/zones, written by zonecfg.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UsageError } from '../core/errors';

export type HostKind = 'local' | 'illumos' | 'linux';

/** The program whose presence makes a machine an illumos (SmartOS) host. */
const ILLUMOS_MARKER = '/usr/sbin/zonecfg';

/** The state root of the illumos host when neither --root nor VMADM_ROOT is given. */
const ILLUMOS_ROOT = '/var/vmadm';

export function hostKind(env: NodeJS.ProcessEnv = process.env): HostKind {
  const v = env.VMADM_HOST;
  if (v !== undefined && v !== '') {
    if (v === 'local' || v === 'illumos' || v === 'linux') return v;
    throw new UsageError(`VMADM_HOST: "${v}" is not a host kind (expected local, illumos or linux)`);
  }
  return fs.existsSync(ILLUMOS_MARKER) ? 'illumos' : 'local';
}

export function stateRoot(flagRoot: string | undefined, kind: HostKind, env: NodeJS.ProcessEnv = process.env): string {
  if (flagRoot !== undefined) {
    if (flagRoot === '') throw new UsageError('--root: the state root must not be empty');
    return path.resolve(flagRoot);
  }
  if (env.VMADM_ROOT) return path.resolve(env.VMADM_ROOT);
  if (kind === 'illumos') return ILLUMOS_ROOT;
  const xdg = env.XDG_STATE_HOME;
  // XDG base directories: a relative value is invalid and is ignored
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'vmadm');
  const home = env.HOME || os.homedir();
  return path.join(home, '.local', 'state', 'vmadm');
}
