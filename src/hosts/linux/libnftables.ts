/**
 * nft scripts run inside a network namespace by libnftables, the library
 * the nft program is made of (libnftables(3): nft_ctx_new,
 * nft_run_cmd_from_buffer, nft_ctx_free), called in this process through
 * koffi: the calling thread enters the namespace (setns(2), CLONE_NEWNET),
 * runs the script as one transaction, exactly as `nft -f` would, and comes
 * back before anything else runs. So loading the tables of fifty VMs starts
 * no process: `ip netns exec <ns> nft -f -` costs ~3 ms of this process's
 * CPU to start (Node forks itself) and ~4 ms of the machine's to run, and
 * its exit waits for the kernel to finish the transaction's clean-up (an
 * RCU grace period, ~10 ms, the CPU idle), where here each load is ~0.5 ms.
 * A context is freed (its netlink socket closed: the close is what waits)
 * on a worker thread, never on the main one.
 *
 * Only the thread that calls enters the namespace: libuv's worker threads
 * and child processes are started only from JavaScript, which does not run
 * until the thread is back in its own namespace (in a finally). The
 * library and koffi are loaded on first use, from fixed paths; when either
 * cannot be (another libc, no prebuilt koffi for this platform), `nftLibrary`
 * says undefined and the caller runs the nft program instead.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

const CLONE_NEWNET = 0x40000000;

/** Where libnftables is looked for (the first that exists): Debian's multiarch directories, then others'. */
const LIBRARY_PATHS = [
  `/usr/lib/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu/libnftables.so.1`,
  `/lib/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu/libnftables.so.1`,
  '/usr/lib64/libnftables.so.1',
  '/usr/lib/libnftables.so.1',
];

type Ptr = object;
interface Fn<A extends unknown[], R> {
  (...args: A): R;
  async(...args: [...A, (err: unknown, r: R) => void]): void;
}

export interface NftLibrary {
  /**
   * Run `script` as one transaction inside the namespace whose file is
   * `nsPath` (/run/netns/<name>): undefined when done, else what nft would
   * have printed on stderr.
   */
  run(nsPath: string, script: string): string | undefined;
}

let loaded: NftLibrary | null | undefined;

type Koffi = { load(path: string): { func(decl: string): unknown } };

/**
 * koffi: its prebuilt binary for this platform loaded directly (its
 * package's loader looks in several places first, ~5 ms at every start),
 * else through the package. From node_modules beside this file's package:
 * a startup snapshot's own require reaches built-in modules only.
 */
function loadKoffi(): Koffi | undefined {
  const req = createRequire(__filename);
  try {
    const dir = path.dirname(req.resolve(`@koromix/koffi-${process.platform}-${process.arch}/package.json`));
    const prebuilt = path.join(dir, `${process.platform}_${process.arch}`, 'koffi.node');
    if (fs.existsSync(prebuilt)) return req(prebuilt) as Koffi;
  } catch {
    // not there, or not for this libc: the package's own loader finds what fits
  }
  try {
    return req('koffi') as Koffi;
  } catch {
    return undefined;
  }
}

function open(): NftLibrary | null {
  if (process.platform !== 'linux') return null;
  const file = LIBRARY_PATHS.find((f) => fs.existsSync(f));
  if (!file) return null;
  const koffi = loadKoffi();
  if (!koffi) return null;
  let libc: { func(decl: string): unknown };
  let nft: { func(decl: string): unknown };
  try {
    libc = koffi.load('libc.so.6');
    nft = koffi.load(file);
  } catch {
    return null;
  }
  const setns = libc.func('int setns(int fd, int nstype)') as Fn<[number, number], number>;
  const ctxNew = nft.func('void *nft_ctx_new(uint32_t flags)') as Fn<[number], Ptr | null>;
  const bufferError = nft.func('int nft_ctx_buffer_error(void *ctx)') as Fn<[Ptr], number>;
  const errorBuffer = nft.func('const char *nft_ctx_get_error_buffer(void *ctx)') as Fn<[Ptr], string | null>;
  const runBuffer = nft.func('int nft_run_cmd_from_buffer(void *ctx, const char *buf)') as Fn<[Ptr, string], number>;
  const ctxFree = nft.func('void nft_ctx_free(void *ctx)') as Fn<[Ptr], void>;
  // this thread's own namespace, to come back to (opened before it ever leaves it)
  const home = fs.openSync('/proc/thread-self/ns/net', 'r');
  return {
    run(nsPath, script) {
      let fd: number;
      try {
        fd = fs.openSync(nsPath, 'r');
      } catch (err) {
        return `cannot open the namespace ${nsPath} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
      }
      let ctx: Ptr | null = null;
      try {
        if (setns(fd, CLONE_NEWNET) !== 0) return `cannot enter the namespace ${nsPath}`;
        try {
          // the context's netlink socket is made here: in the namespace
          ctx = ctxNew(0);
          if (ctx === null) return 'libnftables: cannot make a context';
          bufferError(ctx);
          if (runBuffer(ctx, script) === 0) return undefined;
          return errorBuffer(ctx) || 'nft: the script failed';
        } finally {
          if (setns(home, CLONE_NEWNET) !== 0) {
            // never go on in another namespace
            process.stderr.write(`${path.basename(process.argv[1] ?? 'vmadm', '.js')}: cannot come back from the namespace ${nsPath}\n`);
            process.exit(70);
          }
        }
      } finally {
        fs.closeSync(fd);
        if (ctx !== null) ctxFree.async(ctx, () => undefined);
      }
    },
  };
}

/** libnftables in this process, or undefined when it cannot be loaded here. */
export function nftLibrary(): NftLibrary | undefined {
  if (loaded === undefined) loaded = open();
  return loaded ?? undefined;
}
