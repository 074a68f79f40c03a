/**
 * Which host a command drives and where its state lives.
 *
 * Host: `VMADM_HOST=local|illumos`; without it, `illumos` when
 * /usr/sbin/zonecfg exists, `local` otherwise.
 *
 * State root: `--root DIR`, else `VMADM_ROOT`, else
 * - local: `$XDG_STATE_HOME/vmadm`, else `~/.local/state/vmadm`;
 * - illumos: `/var/vmadm` (VM records, the lock, the firewall rules under
 *   `/var/vmadm/fw`). The zones themselves live where SmartOS keeps them:
 *   zonepath `/<zpool>/<uuid>` (`/zones/<uuid>`), their zonecfg in
 *   /etc/zones, written by zonecfg.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UsageError } from '../core/errors';
import { UUID_ANY_CASE as UUID } from '../core/uuid';
import { prepareWrite } from './paths';

export type HostKind = 'local' | 'illumos';

/** The program whose presence makes a machine an illumos (SmartOS) host. */
const ILLUMOS_MARKER = '/usr/sbin/zonecfg';

/** The state root of the illumos host when neither --root nor VMADM_ROOT is given. */
const ILLUMOS_ROOT = '/var/vmadm';

export function hostKind(env: NodeJS.ProcessEnv = process.env): HostKind {
  const v = env.VMADM_HOST;
  if (v !== undefined && v !== '') {
    if (v === 'local' || v === 'illumos') return v;
    throw new UsageError(`VMADM_HOST: "${v}" is not a host kind (expected local or illumos)`);
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

/** Where the host's server_uuid is kept: `<root>/.server_uuid`. */
const SERVER_UUID_FILE = '.server_uuid';

/**
 * The host's `server_uuid` as `vmadm get` shows it (docs/vmadm-cli.md §15
 * "get"): a random UUID made the first time it is asked for and kept in
 * the state root, so that it stays the same for every VM of the root and
 * every command. Made without the lock: the file is linked into place
 * whole, and of two commands making it at once the first one's wins.
 */
export function serverUuid(root: string): string {
  const file = path.join(root, SERVER_UUID_FILE);
  const read = (): string | undefined => {
    try {
      const text = fs.readFileSync(file, 'utf8').trim();
      return UUID.test(text) ? text : undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  };
  const kept = read();
  if (kept !== undefined) return kept;
  prepareWrite(root, file);
  if (fs.existsSync(file)) fs.rmSync(file); // damaged: made again
  const tmp = `${file}.${process.pid}`;
  fs.writeFileSync(tmp, `${randomUUID()}\n`);
  try {
    fs.linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  const made = read();
  if (made === undefined) throw new Error(`${file}: could not be made`);
  return made;
}
