/**
 * Child process for the lock tests (not a test itself):
 *   worker hold <root> <verb>   take the lock of <root>, print "held", then
 *                               hold it until killed (or stopped and continued)
 */
import { acquireLock } from '../../src/store/lock';

async function main(): Promise<void> {
  const [mode, root, verb] = process.argv.slice(2);
  if (mode !== 'hold') throw new Error(`worker: unknown mode ${mode}`);
  await acquireLock(root, { verb });
  process.stdout.write('held\n');
  setInterval(() => undefined, 1 << 30);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(3);
});
