/** Fake host programs for the host tests: test/fakes/bin first on PATH, a log and a state directory per test. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const FAKES_BIN = path.resolve(__dirname, '..', '..', '..', 'test', 'fakes', 'bin');
const HOST_STATE_LIB = path.resolve(__dirname, '..', '..', '..', 'test', 'fakes', 'lib', 'host-state.js');

export interface FakeHost {
  dir: string;
  env: NodeJS.ProcessEnv;
  /** The calls logged so far, {argv, stdin}. */
  calls(): { argv: string[]; stdin: string }[];
  zone(zonename: string): { state: string; quota?: number } | undefined;
}

/**
 * A temporary directory with the state and log of the fakes, and a trivial
 * zonecfg stand-in (the real fake zonecfg is another test's business): it
 * logs, records `create` scripts as a configured zone (zonepath, brand and
 * uuid read from `set` lines) and deletes on `delete -F`.
 */
export function fakeHost(): FakeHost {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fakehost-'));
  const standIn = path.join(dir, 'bin');
  fs.mkdirSync(standIn);
  fs.writeFileSync(
    path.join(standIn, 'zonecfg'),
    `#!/usr/bin/env node
'use strict';
const h = require(${JSON.stringify(HOST_STATE_LIB)});
const args = process.argv.slice(2);
const stdin = h.logCall('zonecfg', args);
if (args[0] === '-z' && args[2] === 'delete') { h.removeZone(args[1]); process.exit(0); }
if (args[0] === '-z') {
  if (h.readZone(args[1])) h.fail('zonecfg:' + args[1] + ': Zone ' + args[1] + ' already exists');
  const get = (k) => (new RegExp('^set ' + k + '=(\\\\S+)$', 'm').exec(stdin) || [])[1];
  h.writeZone({ zonename: args[1], uuid: get('uuid'), zonepath: get('zonepath'), brand: get('brand'), state: 'configured' });
} else if (args[0] === '-u' && !h.zoneByUuid(args[1])) {
  h.fail('zonecfg:' + args[1] + ': No such zone configured');
}
`,
    { mode: 0o755 },
  );
  const log = path.join(dir, 'log');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${standIn}:${FAKES_BIN}:${process.env.PATH}`,
    VMADM_HOST_PATH_LOOKUP: '1',
    FAKE_HOST_STATE: path.join(dir, 'state'),
    FAKE_HOST_LOG: log,
  };
  return {
    dir,
    env,
    calls: () =>
      fs.existsSync(log)
        ? fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { argv: string[]; stdin: string })
        : [],
    zone: (zn) => {
      const f = path.join(dir, 'state', 'zones', `${zn}.json`);
      return fs.existsSync(f) ? (JSON.parse(fs.readFileSync(f, 'utf8')) as { state: string; quota?: number }) : undefined;
    },
  };
}
