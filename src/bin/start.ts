/**
 * Start a CLI now, or, while a startup snapshot is being built
 * (scripts/bundle.js), register it to start when the snapshot is run.
 */
import * as v8 from 'node:v8';
import { runCli, CliDefinition } from './cli';
import { version } from '../../package.json';

export function startCli(def: Omit<CliDefinition, 'version'>): void {
  const full = { ...def, version };
  const snapshot = (v8 as unknown as { startupSnapshot?: { isBuildingSnapshot(): boolean; setDeserializeMainFunction(fn: () => void): void } }).startupSnapshot;
  if (snapshot?.isBuildingSnapshot()) {
    snapshot.setDeserializeMainFunction(() => {
      void runCli(full, process.argv.slice(2));
    });
  } else {
    void runCli(full, process.argv.slice(2));
  }
}
