/**
 * Child process for the store tests (not a test itself):
 *   worker loop <root> <uuid>        take the lock, then forever put the VM with tags.n = i
 *                                    (and a matching customer_metadata), print i
 *   worker add <root> <shared> <k>   lock, read the shared VM, add tag w<k>,
 *                                    put it, and create VM number k
 */
import * as path from 'node:path';
import { VmStore } from '../../src/store/vm-store';
import { makeRecord, uuidOf } from './records';

async function main(): Promise<void> {
  const [mode, root, uuid, k] = process.argv.slice(2);
  const store = new VmStore(root, 'local');
  if (mode === 'loop') {
    // one lock held throughout, so a kill lands inside a change or between two
    await store.lock(async () => {
      for (let i = 1; ; i++) {
        const rec = store.get(uuid)!;
        await store.put({ ...rec, tags: { ...rec.tags, n: i }, customer_metadata: { n: String(i) } }, rec);
        process.stdout.write(`${i}\n`);
      }
    });
  } else if (mode === 'add') {
    await store.lock(async () => {
      const rec = store.get(uuid)!;
      await store.put({ ...rec, tags: { ...rec.tags, [`w${k}`]: true } }, rec);
      const own = uuidOf(Number(k), 'b');
      await store.put(makeRecord(own, path.join(root, 'zones', own)));
    });
  } else {
    throw new Error(`worker: unknown mode ${mode}`);
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(3);
});
