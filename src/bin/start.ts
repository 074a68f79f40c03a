/**
 * Start a CLI now, or, while a startup snapshot is being built
 * (scripts/bundle.js), register it to start when the snapshot is run.
 */
import * as v8 from 'node:v8';
import { runCli, CliDefinition } from './cli';
import { version } from '../../package.json';

export interface StartOptions extends Omit<CliDefinition, 'version'> {
  /**
   * Work done once while the snapshot is built, so that the functions a
   * command runs are already compiled in it (the first run of a large
   * generated validator costs more than the validation itself). Pure
   * computation only: it must leave no state behind.
   */
  warmUp?: () => void;
  /**
   * The command line as the CLI reads it, before oclif: the argv to run,
   * or what to print on stderr and the exit status (fwadm: options before
   * the subcommand, `help <cmd>`, unknown subcommands).
   */
  prepareArgv?: (argv: string[]) => { argv: string[] } | { exitCode: number; stderr: string };
}

type SnapshotApi = { isBuildingSnapshot(): boolean; setDeserializeMainFunction(fn: () => void): void };

export function startCli({ warmUp, prepareArgv, ...def }: StartOptions): void {
  const full = { ...def, version };
  const start = (): void => {
    const prepared = prepareArgv ? prepareArgv(process.argv.slice(2)) : { argv: process.argv.slice(2) };
    if ('argv' in prepared) {
      void runCli(full, prepared.argv);
      return;
    }
    process.stderr.write(prepared.stderr);
    process.exitCode = prepared.exitCode;
  };
  const snapshot = (v8 as unknown as { startupSnapshot?: SnapshotApi }).startupSnapshot;
  if (snapshot?.isBuildingSnapshot()) {
    warmUp?.();
    snapshot.setDeserializeMainFunction(start);
  } else {
    start();
  }
}
