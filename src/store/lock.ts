/**
 * The state lock of a root: `<root>/.lock`, held with a kernel advisory
 * lock on the open file (fs-native-extensions: an open-file-description
 * lock on Linux, flock(2) on macOS), as SmartOS's fwadm holds
 * /var/fw/.lockfile with flock.
 *
 * Why a kernel lock (docs/state.md "The lock"): the kernel drops it when
 * its holder dies, however it dies (kill -9 included), and never while the
 * holder lives, however long it is stopped (Ctrl-Z, SIGSTOP, swapping, a
 * slow disk). No clock decides staleness and no lock is ever broken by a
 * waiter. The lock is taken per open of the file, so two commands in one
 * process (tests run commands in-process) exclude each other too.
 *
 * The file is never removed. The holder writes `<pid> <verb>` into it, so
 * a waiter can say whom it waits for. A lock that cannot be taken for any
 * reason other than another holder (read-only file system, a directory or
 * a symbolic link where the file belongs, no permission) fails at once
 * with one line naming the path and the reason.
 *
 * fs-native-extensions is a native addon: it is required on first use,
 * never while a startup snapshot is built (scripts/bundle.js).
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { AppError } from '../core/errors';

/** Who holds the lock, as its holder wrote it. */
export interface LockOwner {
  readonly pid: number;
  readonly verb: string;
}

export interface LockOptions {
  /** What this command is, written for waiters to read (`vmadm create`). */
  readonly verb: string;
  /** Called once when the lock has been waited for `noticeAfterMs`. */
  readonly onWait?: (owner: LockOwner | undefined) => void;
  /** Called between tries; throws to stop waiting (an interrupt). */
  readonly checkpoint?: () => void;
  /** Default 1000. */
  readonly noticeAfterMs?: number;
}

type Native = { tryLock(fd: number): boolean; unlock(fd: number): void };
type Binding = { tryLock(fd: number, offset: number, length: number, exclusive: boolean): void; unlock(fd: number, offset: number, length: number): void };
let native: Native | undefined;

/**
 * The package's prebuilt binary for this platform, loaded directly: its
 * own loader (require-addon, for Node and Bare alike) costs ~9 ms at every
 * start, the binary ~1 ms. Any other platform goes through the package.
 */
function lockApi(file: string): Native {
  if (native) return native;
  // from node_modules beside this file's package: a startup snapshot's
  // own require reaches built-in modules only
  const req = createRequire(__filename);
  try {
    const dir = path.dirname(req.resolve('fs-native-extensions/package.json'));
    const prebuilt = path.join(dir, 'prebuilds', `${process.platform}-${process.arch}`, 'fs-native-extensions.node');
    if (fs.existsSync(prebuilt)) {
      const b = req(prebuilt) as Binding;
      native = {
        tryLock(fd) {
          try {
            b.tryLock(fd, 0, 0, true);
            return true;
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code === 'EAGAIN') return false;
            throw err;
          }
        },
        unlock: (fd) => b.unlock(fd, 0, 0),
      };
    } else {
      native = req('fs-native-extensions') as Native;
    }
  } catch (err) {
    throw new AppError(`cannot lock ${file}: no kernel file lock on this platform (${process.platform}-${process.arch}): ${(err as Error).message.split('\n')[0]}`);
  }
  return native;
}

/** Why a lock file cannot be used, in words (undefined: not a reason we know). */
function reasonOf(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'EROFS':
      return 'the file system is read-only';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory, not a lock file (a lock left by an older vmadm? remove it)';
    case 'ELOOP':
      return 'it is a symbolic link; the state root holds no links';
    case 'ENOTDIR':
      return 'a file stands where a directory of the path belongs';
    case 'ENOSPC':
      return 'no space left on the device';
    default:
      return err.code ?? err.message;
  }
}

function fail(file: string, err: unknown): never {
  // an interrupt while waiting, or a refusal already worded
  if (err instanceof AppError || typeof (err as NodeJS.ErrnoException)?.code !== 'string') throw err;
  throw new AppError(`cannot lock ${file}: ${reasonOf(err as NodeJS.ErrnoException)}`);
}

/** The holder's `<pid> <verb>` line; undefined when unreadable or not yet written. */
export function readLockOwner(file: string): LockOwner | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const m = /^(\d+) (.+)\n/.exec(text);
  return m ? { pid: Number(m[1]), verb: m[2] } : undefined;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A held lock; release() once. */
class StateLock {
  private fd: number | undefined;

  constructor(
    readonly file: string,
    fd: number,
  ) {
    this.fd = fd;
  }

  get held(): boolean {
    return this.fd !== undefined;
  }

  release(): void {
    const fd = this.fd;
    if (fd === undefined) return;
    this.fd = undefined;
    try {
      lockApi(this.file).unlock(fd);
    } finally {
      fs.closeSync(fd);
    }
  }
}

/**
 * Take the lock of `root` (created if missing), waiting as long as another
 * live holder has it.
 */
export async function acquireLock(root: string, opts: LockOptions): Promise<StateLock> {
  const file = path.join(root, '.lock');
  let fd: number;
  try {
    fs.mkdirSync(root, { recursive: true });
    fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK, 0o644);
  } catch (err) {
    fail(file, err);
  }
  try {
    if (!fs.fstatSync(fd).isFile()) throw new AppError(`cannot lock ${file}: it is not a regular file`);
    const api = lockApi(file);
    const started = Date.now();
    const noticeAfter = opts.noticeAfterMs ?? 1000;
    let noticed = false;
    let pause = 5;
    while (!api.tryLock(fd)) {
      opts.checkpoint?.();
      if (!noticed && Date.now() - started >= noticeAfter) {
        noticed = true;
        opts.onWait?.(readLockOwner(file));
      }
      await sleep(pause);
      pause = Math.min(pause * 2, 100);
      opts.checkpoint?.();
    }
    const line = Buffer.from(`${process.pid} ${opts.verb.replace(/\s+/g, ' ')}\n`);
    fs.ftruncateSync(fd, 0);
    fs.writeSync(fd, line, 0, line.length, 0);
    return new StateLock(file, fd);
  } catch (err) {
    fs.closeSync(fd);
    fail(file, err);
  }
}
