import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { acquireLock, readLockOwner } from '../../src/store/lock';

const WORKER = path.join(__dirname, 'worker.js');

/** A process holding the lock of `root` (resolves once it holds it). */
async function holder(root: string, verb = 'vmadm update'): Promise<ChildProcess> {
  const child = spawn(process.execPath, [WORKER, 'hold', root, verb], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('held') && resolve());
    child.on('exit', (code) => reject(new Error(`worker exited ${code}`)));
  });
  return child;
}

async function killed(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await new Promise((r) => child.once('close', r));
  }
}

describe('store/lock', function () {
  this.timeout(20000);
  let root: string;
  const children: ChildProcess[] = [];
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'lock-'));
  });
  afterEach(async () => {
    for (const c of children.splice(0)) {
      c.kill('SIGCONT');
      await killed(c);
    }
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('two takers in one process: the second waits until the first releases', async () => {
    const first = await acquireLock(root, { verb: 'vmadm create' });
    let second = false;
    const pending = acquireLock(root, { verb: 'fwadm add' }).then((l) => {
      second = true;
      return l;
    });
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(second, false);
    assert.deepEqual(readLockOwner(first.file), { pid: process.pid, verb: 'vmadm create' });
    first.release();
    const l2 = await pending;
    assert.equal(second, true);
    assert.equal(readLockOwner(l2.file)?.verb, 'fwadm add');
    l2.release();
  });

  it('a holder killed with kill -9 holds nothing: the next taker gets the lock at once', async () => {
    const child = await holder(root);
    children.push(child);
    await killed(child);
    const t0 = Date.now();
    const l = await acquireLock(root, { verb: 'vmadm create' });
    assert.ok(Date.now() - t0 < 500, `${Date.now() - t0} ms`);
    l.release();
  });

  it('a stopped holder keeps the lock however long it is stopped; the waiter says once whom it waits for', async () => {
    const child = await holder(root, 'vmadm update');
    children.push(child);
    child.kill('SIGSTOP');
    const said: string[] = [];
    let got = false;
    const waiting = acquireLock(root, {
      verb: 'vmadm create',
      noticeAfterMs: 200,
      onWait: (o) => said.push(`waiting for ${o?.verb} (pid ${o?.pid}) to finish`),
    }).then((l) => {
      got = true;
      return l;
    });
    // far past the 5 s after which the old lock called a silent holder stale
    await new Promise((r) => setTimeout(r, 6000));
    assert.equal(got, false);
    assert.deepEqual(said, [`waiting for vmadm update (pid ${child.pid}) to finish`]);
    child.kill('SIGCONT');
    await killed(child);
    (await waiting).release();
    assert.equal(said.length, 1);
  });

  it('a lock that cannot be taken for another reason fails at once, naming the path and the reason', async () => {
    const lockPath = path.join(root, '.lock');
    fs.mkdirSync(lockPath);
    const t0 = Date.now();
    await assert.rejects(acquireLock(root, { verb: 'x' }), new RegExp(`^AppError: cannot lock ${lockPath}: it is a directory`));
    fs.rmdirSync(lockPath);
    fs.symlinkSync('/etc/passwd', lockPath);
    await assert.rejects(acquireLock(root, { verb: 'x' }), /cannot lock .*\.lock: it is a symbolic link/);
    fs.unlinkSync(lockPath);
    const file = path.join(root, 'file');
    fs.writeFileSync(file, '');
    await assert.rejects(acquireLock(path.join(file, 'sub'), { verb: 'x' }), /cannot lock .*: a file stands where a directory/);
    assert.ok(Date.now() - t0 < 1000);
  });

  it('a read-only state root is refused at once', async function () {
    if (process.getuid?.() === 0) {
      // root ignores permissions: a read-only bind is what refuses root, and
      // that needs a mount namespace; the reason is checked through EROFS's words instead
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const real = require('node:fs') as { openSync: unknown };
      const orig = real.openSync;
      real.openSync = () => {
        throw Object.assign(new Error('EROFS: read-only file system'), { code: 'EROFS' });
      };
      try {
        await assert.rejects(acquireLock(root, { verb: 'x' }), /cannot lock .*\.lock: the file system is read-only/);
      } finally {
        real.openSync = orig;
      }
      return;
    }
    fs.chmodSync(root, 0o500);
    await assert.rejects(acquireLock(root, { verb: 'x' }), /cannot lock .*: permission denied/);
  });

  it('an interrupt while waiting stops the wait', async () => {
    const first = await acquireLock(root, { verb: 'a' });
    let stop = false;
    setTimeout(() => (stop = true), 100);
    await assert.rejects(
      acquireLock(root, {
        verb: 'b',
        checkpoint: () => {
          if (stop) throw new Error('interrupted');
        },
      }),
      /interrupted/,
    );
    first.release();
    (await acquireLock(root, { verb: 'c' })).release();
  });
});
