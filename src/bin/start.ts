/**
 * Start a CLI now, or, while a startup snapshot is being built
 * (scripts/bundle.js), register it to start when the snapshot is run.
 */
import * as v8 from 'node:v8';
import { runCli, type CliDefinition } from '../cli/runner';
import { processIo } from '../cli/io';
import { version } from '../../package.json';

export interface StartOptions extends Omit<CliDefinition, 'version'> {
  /**
   * Work done once while the snapshot is built, so that the functions a
   * command runs are already compiled in it (the first run of a large
   * generated validator costs more than the validation itself). Pure
   * computation only: it must leave no state behind.
   */
  warmUp?: () => void;
}

type SnapshotApi = { isBuildingSnapshot(): boolean; setDeserializeMainFunction(fn: () => void): void };

export function startCli({ warmUp, ...def }: StartOptions): void {
  const full = { ...def, version };
  const start = (): void => {
    // a reader that stops early (`fwadm compile | head`) ends the output
    // quietly, as it would end cat's; any other write error is reported
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      process.stderr.write(`${def.bin}: cannot write output: ${err.message}\n`);
      process.exit(1);
    });
    void runCli(full, processIo(process.argv.slice(2))).then((code) => {
      process.exitCode = code;
    });
  };
  const snapshot = (v8 as unknown as { startupSnapshot?: SnapshotApi }).startupSnapshot;
  if (snapshot?.isBuildingSnapshot()) {
    warmUp?.();
    snapshot.setDeserializeMainFunction(start);
  } else {
    start();
  }
}
