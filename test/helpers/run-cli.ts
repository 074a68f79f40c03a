/**
 * Run the built CLIs as a user does (./bin/vmadm, ./bin/fwadm) and capture
 * what they print. Tests that use this need `npm run build` first (npm test
 * does it).
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..', '..');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(
  bin: 'vmadm' | 'fwadm',
  args: string[],
  opts: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): CliResult {
  const r = spawnSync(path.join(repoRoot, 'bin', bin), args, {
    input: opts.input ?? '',
    encoding: 'utf8',
    cwd: opts.cwd ?? repoRoot,
    env: { ...process.env, ...opts.env },
    maxBuffer: 512 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function examplePath(...parts: string[]): string {
  return path.join(repoRoot, 'examples', ...parts);
}
