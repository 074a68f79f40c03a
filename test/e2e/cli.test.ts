/**
 * ./bin/vmadm and ./bin/fwadm as processes, end to end: what the in-process
 * command tests cannot see. The launcher runs the startup snapshot and the
 * snapshot works (a create, list, get round trip); exit statuses and which
 * stream gets what; --help and a bare command; a reader that stops early;
 * a signal while a change waits for the state lock. Needs `npm run build`.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { acquireLock } from '../../src/store/lock';
import { examplePath, repoRoot, run, spawnCli, startCli } from '../helpers/run-cli';

const U = '5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11'; // examples/vms/dual-stack-zone.json

let roots: string[] = [];

function newRoot(): NodeJS.ProcessEnv {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-'));
  roots.push(root);
  return { VMADM_ROOT: root, VMADM_HOST: 'local' };
}

afterEach(() => {
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
  roots = [];
});

/** bash -c `script` in the repository, its status that of the pipeline's `stage` (0-based). */
function pipeline(script: string, stage: number): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('bash', ['-c', `${script}; exit \${PIPESTATUS[${stage}]}`], { cwd: repoRoot, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('bin/vmadm and bin/fwadm (processes)', function () {
  this.timeout(30000);

  for (const bin of ['vmadm', 'fwadm'] as const) {
    it(`bin/${bin} starts from its startup snapshot`, () => {
      // the launcher's own trace shows the node command line it runs
      const r = spawnSync('sh', ['-x', path.join(repoRoot, 'bin', bin), '--version'], { cwd: repoRoot, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^${bin}/\\d+\\.\\d+\\.\\d+ `));
      assert.match(
        r.stderr,
        new RegExp(`^\\+ exec \\S+ --snapshot-blob \\S*/dist/${bin}\\.blob \\S*/dist/${bin}\\.js --version$`, 'm'),
        `bin/${bin} ran without its snapshot: is the node on PATH the one that built dist/${bin}.blob (npm run build)?\n${r.stderr}`,
      );
    });
  }

  it('create, list, get: a round trip on a temporary root, the success line on stderr, data on stdout, exit 0', () => {
    const env = newRoot();
    const created = spawnCli('vmadm', ['create', '-f', examplePath('vms', 'dual-stack-zone.json')], { env });
    assert.equal(created.status, 0, created.stderr);
    assert.equal(created.stdout, '');
    assert.match(created.stderr, new RegExp(`^Successfully created VM ${U}\n(note: .*\n)*$`));
    const list = spawnCli('vmadm', ['list', '-H', '-o', 'uuid,alias,state'], { env });
    assert.deepEqual([list.status, list.stdout, list.stderr], [0, `${U}  web01       running\n`, '']);
    const get = spawnCli('vmadm', ['get', U], { env });
    assert.deepEqual([get.status, get.stderr], [0, '']);
    const vm = JSON.parse(get.stdout) as { uuid: string; state: string; nics: { ips: string[] }[] };
    assert.deepEqual([vm.uuid, vm.state, vm.nics[0].ips[0]], [U, 'running', '198.51.100.10/24']);
  });

  it('bad input: exit 1, the report on stdout, one sentence per problem on stderr', () => {
    const r = spawnCli('vmadm', ['validate', 'create', '-f', examplePath('vms', 'invalid', 'gateway-family.json')]);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /^bad_values: /);
    assert.notEqual(r.stderr, '');
  });

  it('a usage error and an unknown command: one line on stderr, nothing on stdout, exit 2', () => {
    const usage = spawnCli('vmadm', ['validate', 'create', '--bogus']);
    assert.equal(usage.status, 2);
    assert.equal(usage.stdout, '');
    assert.match(usage.stderr, /^vmadm: .*--bogus.*\n$/);
    const unknown = spawnCli('fwadm', ['frobnicate']);
    assert.deepEqual([unknown.status, unknown.stdout, unknown.stderr], [2, '', 'unknown command: "frobnicate"\n']);
  });

  for (const [bin, command] of [['vmadm', 'create'], ['fwadm', 'list']] as const) {
    it(`${bin} ${command} --help: usage and examples on stdout, exit 0`, () => {
      const r = spawnCli(bin, [command, '--help']);
      assert.deepEqual([r.status, r.stderr], [0, '']);
      assert.match(r.stdout, new RegExp(`USAGE\n {2}\\$ ${bin} ${command}[\\s\\S]*EXAMPLES\n {2}\\$ ${bin} ${command} `));
    });
  }

  for (const bin of ['vmadm', 'fwadm'] as const) {
    it(`a bare ${bin}: the usage on stderr, nothing on stdout, exit 2; ${bin} -h: the same usage on stdout, exit 0`, () => {
      const r = spawnCli(bin, []);
      assert.equal(r.status, 2);
      assert.equal(r.stdout, '');
      const head = bin === 'vmadm' ? /^Usage: vmadm <command> \[options\]\n\nconsole <uuid>\ncreate \[-f <filename>\]\n/ : /\n\nUsage:\n {4}fwadm \[OPTIONS\] COMMAND \[ARGS\.\.\.\]\n/;
      assert.match(r.stderr, head);
      assert.deepEqual(spawnCli(bin, ['-h']), { status: 0, stdout: r.stderr, stderr: '' });
    });
  }

  it('fwadm compile | head -1: the reader stopping early ends the output quietly, exit 0', () => {
    // 300 VMs: far more output (about 900 kB) than a pipe holds, so fwadm is still writing when head exits
    const host = JSON.parse(fs.readFileSync(examplePath('compile', 'host.json'), 'utf8')) as { vms: { uuid: string; zonepath: string }[] };
    const uuids = Array.from({ length: 300 }, (_, i) => `5f0c0a2e-0f3a-4b1c-9b6e-${String(i).padStart(12, '0')}`);
    host.vms = uuids.map((uuid) => ({ ...host.vms[0], uuid, zonepath: `/zones/${uuid}` }));
    const file = path.join(newRoot().VMADM_ROOT!, 'host.json');
    fs.writeFileSync(file, JSON.stringify(host));
    const r = pipeline(`"${path.join(repoRoot, 'bin', 'fwadm')}" compile -f "${file}" | head -n 1`, 0);
    assert.deepEqual(r, { status: 0, stdout: `==> ${uuids[0]}/ipf.conf <==\n`, stderr: '' });
  });

  it('fwadm lint | head -1 on a long input: the same', () => {
    const bin = path.join(repoRoot, 'bin', 'fwadm');
    const r = pipeline(`yes 'FROM any TO all vms ALLOW tcp PORT 22' | head -n 200000 | "${bin}" lint | head -n 1`, 2);
    assert.equal(r.stdout, 'FROM any TO all vms ALLOW tcp PORT 22\n');
    assert.equal(r.stderr, '');
    assert.equal(r.status, 0);
  });

  it('SIGINT while a create waits for the state lock: nothing changed, it says so, exit 130', async () => {
    const env = newRoot();
    const lock = await acquireLock(env.VMADM_ROOT!, { verb: 'the e2e test' });
    try {
      const child = startCli('vmadm', ['create', '-f', examplePath('vms', 'dual-stack-zone.json')], { env });
      // signal it once it says whom it waits for (or has ended: the assertion below says how)
      let stderr = '';
      await new Promise<void>((resolve) => {
        child.stderr!.on('data', (s: string) => {
          stderr += s;
          if (stderr.includes('\n')) resolve();
        });
        child.on('close', () => resolve());
      });
      child.kill('SIGINT');
      const r = await child.output;
      assert.deepEqual(r, { status: 130, stdout: '', stderr: `waiting for the e2e test (pid ${process.pid}) to finish\ninterrupted: nothing was changed\n` });
    } finally {
      lock.release();
    }
    const list = await run('vmadm', ['list', '-H'], { env });
    assert.deepEqual([list.status, list.stdout], [0, '']);
  });
});
