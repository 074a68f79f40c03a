/**
 * Start a CLI now, or, while a startup snapshot is being built
 * (scripts/bundle.js), register it to start when the snapshot is run.
 */
import { EventEmitter } from 'node:events';
import * as v8 from 'node:v8';
import { runCli, type CliDefinition } from '../cli/runner';
import { processIo, type SignalSource } from '../cli/io';
import { signalExitCode } from '../core/errors';
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

/**
 * SIGINT, SIGTERM and SIGHUP from the start: a change in progress takes
 * them over (cli/app.ts) and finishes or undoes itself first; with none in
 * progress nothing has been changed, and the process says so and stops
 * (docs/state.md "Interrupts").
 */
function processSignals(): SignalSource {
  const signals = new EventEmitter();
  for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(name, (signal) => {
      if (signals.listenerCount(name) > 0) {
        signals.emit(name, signal);
        return;
      }
      process.stderr.write('interrupted: nothing was changed\n');
      process.exit(signalExitCode(signal));
    });
  }
  return signals as SignalSource;
}

type SnapshotApi = { isBuildingSnapshot(): boolean; setDeserializeMainFunction(fn: () => void): void };

export function startCli({ warmUp, ...def }: StartOptions): void {
  const full = { ...def, version };
  const start = (): void => {
    const io = processIo(process.argv.slice(2), processSignals());
    // a reader that stops early (`fwadm compile | head`) ends the output
    // quietly, as it would end cat's, with the exit status so far (vmadm
    // send's is 1 until its stream is whole); any other write error is reported
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(io.exitCode ?? process.exitCode ?? 0);
      process.stderr.write(`${def.bin}: cannot write output: ${err.message}\n`);
      process.exit(1);
    });
    void runCli(full, io).then((code) => {
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
