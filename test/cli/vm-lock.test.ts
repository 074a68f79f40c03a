/**
 * Creates killed half-way on the embedded local host: whatever the moment
 * of the kill, the next state-changing command leaves the host with no zone
 * and no zonepath that has no record, and the same uuid creates again.
 * (The illumos host, killed at known points: test/commands/vmadm/illumos.test.ts.)
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { examplePath, repoRoot, spawnCli } from '../helpers/run-cli';

const U = '5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11'; // examples/vms/dual-stack-zone.json

function names(dir: string, ext = ''): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.endsWith(ext)).map((n) => n.slice(0, n.length - ext.length)).sort() : [];
}

describe('interrupted creates on the local host', function () {
  this.timeout(120000);
  let root: string;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'vmadm-lock-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('kill -9 right after the zone is configured: the next create of the same uuid cleans up and succeeds, or finds the whole VM', async () => {
    const env = { VMADM_ROOT: root, VMADM_HOST: 'local' };
    const spec = fs.readFileSync(examplePath('vms', 'dual-stack-zone.json'), 'utf8');
    const zoneFile = path.join(root, 'host', 'zones', `${U}.json`);
    for (let round = 0; round < 3; round++) {
      // the spec from a file: stdin would not be written while this loop below blocks
      const child = spawn(path.join(repoRoot, 'bin', 'vmadm'), ['create', '-f', examplePath('vms', 'dual-stack-zone.json')], {
        env: { ...process.env, ...env },
        stdio: 'ignore',
      });
      const exited = new Promise((resolve) => child.on('exit', resolve));
      // kill it as soon as the host has the zone: between zonecfg and the record
      const deadline = Date.now() + 15000;
      while (!fs.existsSync(zoneFile) && Date.now() < deadline) {
        // busy-wait: the moment to hit lasts milliseconds
      }
      child.kill('SIGKILL');
      await exited;

      const listed = spawnCli('vmadm', ['list', '-H', '-o', 'uuid,state'], { env }).stdout;
      assert.ok(listed === '' || /^\S+ +(running|stopped)\n$/.test(listed), listed);
      const again = spawnCli('vmadm', ['create'], { input: spec, env });
      if (listed === '') {
        assert.equal(again.status, 0, again.stderr);
      } else {
        assert.deepEqual([again.status, again.stderr], [1, `vmadm: VM with UUID ${U} already exists\n`]);
      }
      // exactly one VM, one zone, one zonepath
      assert.deepEqual(names(path.join(root, 'vms'), '.json'), [U]);
      assert.deepEqual(names(path.join(root, 'host', 'zones'), '.json'), [U]);
      assert.deepEqual(names(path.join(root, 'zones')), [U]);
      assert.equal(spawnCli('vmadm', ['delete', U], { env }).status, 0);
      assert.deepEqual([names(path.join(root, 'host', 'zones')), names(path.join(root, 'zones'))], [[], []]);
    }
  });
});
