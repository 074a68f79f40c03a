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
import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UsageError } from '../core/errors';
import { UUID_ANY_CASE as UUID } from '../core/uuid';
import { prepareWrite } from './paths';

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
  const tmp = `${file}.${process.pid}`;
  try {
    prepareWrite(root, file);
    if (fs.existsSync(file)) fs.rmSync(file); // damaged: made again
    fs.writeFileSync(tmp, `${randomUUID()}\n`);
    fs.linkSync(tmp, file);
  } catch (err) {
    // EEXIST: another command made it first; otherwise (a root this command
    // cannot write) the UUID the root's path names, the same for every reader
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return pathUuid(root);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return read() ?? pathUuid(root);
}

/** A UUID (version 4 layout) made from the root's path: stable while no .server_uuid can be kept. */
function pathUuid(root: string): string {
  const h = createHash('sha256').update(`server_uuid:${path.resolve(root)}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
