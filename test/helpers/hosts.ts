/**
 * Places to run vmadm in for the tests of kill, events, send/receive,
 * reprovision, info/sysrq/console: a state root on the embedded local
 * host, or one on the illumos host of the fakes (test/fakes/bin first on
 * PATH, their log and state in the place's folder). Each is a folder of
 * its own, removed by `cleanup()`.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Place } from './invariants';
import { examplePath, repoRoot, run, type CliResult, type RunOptions } from './run-cli';

export interface Call {
  argv: string[];
  stdin: string;
}

export class TestPlace implements Place {
  readonly dir: string;
  readonly root: string;
  readonly env: NodeJS.ProcessEnv;
  readonly fakeState?: string;
  readonly altroot?: string;
  readonly log?: string;
  private seen = 0;

  constructor(
    readonly kind: 'local' | 'illumos',
    dir = fs.mkdtempSync(path.join(os.tmpdir(), `vmadm-${kind}-`)),
  ) {
    this.dir = dir;
    this.root = path.join(dir, 'root');
    const base: NodeJS.ProcessEnv = { VMADM_ROOT: this.root, TZ: 'UTC', VMADM_IPF_EVENT_LOG: '0' };
    if (kind === 'local') {
      this.env = { ...base, VMADM_HOST: 'local' };
      return;
    }
    this.fakeState = path.join(dir, 'fake-state');
    this.altroot = path.join(dir, 'host-fs');
    this.log = path.join(dir, 'host.log');
    this.env = {
      ...base,
      VMADM_HOST: 'illumos',
      VMADM_HOST_PATH_LOOKUP: '1',
      VMADM_ALTROOT: this.altroot,
      FAKE_HOST_STATE: this.fakeState,
      FAKE_HOST_LOG: this.log,
      PATH: [path.join(repoRoot, 'test', 'fakes', 'bin'), process.env.PATH].join(path.delimiter),
    };
  }

  /** vmadm in this process. */
  vm(args: string[], opts: RunOptions = {}): Promise<CliResult> {
    return run('vmadm', args, { ...opts, env: { ...this.env, ...opts.env } });
  }

  fw(args: string[], opts: RunOptions = {}): Promise<CliResult> {
    return run('fwadm', args, { ...opts, env: { ...this.env, ...opts.env } });
  }

  /** Create the VM of an example spec (or a payload object); its uuid. */
  async create(spec: string | Record<string, unknown>): Promise<string> {
    const r =
      typeof spec === 'string' ? await this.vm(['create', '-f', examplePath('vms', spec)]) : await this.vm(['create'], { input: JSON.stringify(spec) });
    assert.equal(r.status, 0, r.stderr);
    return /^Successfully created VM ([0-9a-f-]{36})\n/.exec(r.stderr)![1];
  }

  async get(uuid: string): Promise<Record<string, any>> {
    const r = await this.vm(['get', uuid]);
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
  }

  /** Where the zonepath of a VM is on this machine. */
  zonepath(uuid: string): string {
    return this.kind === 'local' ? path.join(this.root, 'zones', uuid) : path.join(this.altroot!, 'zones', uuid);
  }

  /** The zone as the host keeps it (local: host/zones/<uuid>.json; illumos: the fakes' state). */
  zone(uuid: string): Record<string, any> | undefined {
    const file = this.kind === 'local' ? path.join(this.root, 'host', 'zones', `${uuid}.json`) : path.join(this.fakeState!, 'zones', `${uuid}.json`);
    return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : undefined;
  }

  /** illumos: the host programs run since the last time this was asked, as `argv` lines. */
  calls(): string[] {
    if (!this.log || !fs.existsSync(this.log)) return [];
    const all = fs.readFileSync(this.log, 'utf8').trimEnd().split('\n').filter(Boolean);
    const out = all.slice(this.seen).map((l) => (JSON.parse(l) as Call).argv.join(' '));
    this.seen = all.length;
    return out;
  }

  cleanup(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Places made by `place()`, removed after each test. */
let made: TestPlace[] = [];

export function place(kind: 'local' | 'illumos'): TestPlace {
  const p = new TestPlace(kind);
  made.push(p);
  return p;
}

export const mochaCleanup = {
  afterEach(): void {
    for (const p of made) p.cleanup();
    made = [];
  },
};
