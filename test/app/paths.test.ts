/**
 * Paths (docs/state.md "Paths"): a copied state root is a root of its own,
 * nothing is written through a link planted inside a root, and a lock
 * that cannot be taken is refused at once, in one line.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run } from '../helpers/run-cli';
import { tree } from '../helpers/tree';

const SPEC = JSON.stringify({
  brand: 'joyent',
  image_uuid: '2b683a82-a066-11e3-97ab-2faa44701c5a',
  alias: 'web',
  firewall_enabled: true,
  tags: { role: 'www' },
  nics: [{ nic_tag: 'external', ips: ['198.51.100.10/24', '2001:db8::10/64'] }],
});

describe('paths: copied roots, links, locks that cannot be taken', () => {
  const made: string[] = [];
  const tmp = (): string => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'paths-'));
    made.push(d);
    return d;
  };
  after(() => {
    for (const d of made) fs.rmSync(d, { recursive: true, force: true });
  });
  const env = (root: string): NodeJS.ProcessEnv => ({ VMADM_ROOT: root, VMADM_HOST: 'local' });

  async function created(root: string): Promise<string> {
    const r = await run('vmadm', ['create'], { input: SPEC, env: env(root) });
    assert.equal(r.status, 0, r.stderr);
    return /^Successfully created VM (\S+)/.exec(r.stderr)![1];
  }

  it('a root copied with cp -a is a root of its own: changes to the copy leave the original as it was', async () => {
    const a = path.join(tmp(), 'a');
    const uuid = await created(a);
    const b = path.join(tmp(), 'b');
    fs.cpSync(a, b, { recursive: true, preserveTimestamps: true });
    const before = tree(a);
    for (const args of [['update', uuid, 'alias=copy'], ['stop', uuid], ['start', uuid]]) {
      const r = await run('vmadm', args, { env: env(b) });
      assert.equal(r.status, 0, r.stderr);
    }
    const fw = await run('fwadm', ['add', '-g', '-e', 'FROM', 'any', 'TO', 'all', 'vms', 'ALLOW', 'tcp', 'PORT', '22'], { env: env(b) });
    assert.equal(fw.status, 0, fw.stderr);
    assert.deepEqual(tree(a), before);
    const got = JSON.parse((await run('vmadm', ['get', uuid], { env: env(b) })).stdout);
    assert.equal(got.zonepath, path.join(b, 'zones', uuid));
    assert.match(fs.readFileSync(path.join(b, 'zones', uuid, 'config', 'ipf.conf'), 'utf8'), /port = 22/);
    const del = await run('vmadm', ['delete', uuid], { env: env(b) });
    assert.equal(del.status, 0, del.stderr);
    assert.deepEqual(tree(a), before);
  });

  it('a link planted inside the root is not written through: the change is refused in one line and nothing changes', async () => {
    const root = path.join(tmp(), 'root');
    const outside = tmp();
    const uuid = await created(root);
    const config = path.join(root, 'zones', uuid, 'config');
    const saved = tmp();
    fs.cpSync(config, path.join(saved, 'config'), { recursive: true });
    fs.rmSync(config, { recursive: true });
    fs.symlinkSync(outside, config);
    const before = (await run('vmadm', ['get', uuid], { env: env(root) })).stdout;
    const r = await run('vmadm', ['update', uuid], { input: JSON.stringify({ set_tags: { role: 'db' } }), env: env(root) });
    assert.equal(r.status, 1);
    assert.equal(r.stderr.split('\n').length, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`${config.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: is a symbolic link`));
    assert.deepEqual(fs.readdirSync(outside), []);
    assert.equal((await run('vmadm', ['get', uuid], { env: env(root) })).stdout, before);
  });

  it('a zpool that is not a pool name ("../../tmp/x") is refused naming the field, and nothing is made', async () => {
    const root = path.join(tmp(), 'root');
    for (const zpool of ['../../tmp/x', 'a/b', 'mirror', 'c0t0d0', '']) {
      const r = await run('vmadm', ['create'], { input: JSON.stringify({ ...JSON.parse(SPEC), zpool }), env: env(root) });
      assert.equal(r.status, 1, `${zpool}: ${r.stderr}`);
      assert.match(r.stdout, /^bad_values: zpool\n$/, zpool);
    }
    assert.deepEqual(fs.existsSync(root) ? fs.readdirSync(root).filter((n) => !n.startsWith('.')) : [], []);
  });

  it('a directory where .lock belongs: refused in under a second, one line naming the path, exit 1', async () => {
    const root = path.join(tmp(), 'root');
    fs.mkdirSync(path.join(root, '.lock'), { recursive: true });
    const t0 = Date.now();
    const r = await run('vmadm', ['create'], { input: SPEC, env: env(root) });
    assert.ok(Date.now() - t0 < 1000, `${Date.now() - t0} ms`);
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`^vmadm: cannot lock ${path.join(root, '.lock')}: it is a directory[^\n]*\n$`));
    const f = await run('fwadm', ['add', '-g', 'FROM', 'any', 'TO', 'all', 'vms', 'ALLOW', 'tcp', 'PORT', '22'], { env: env(root) });
    assert.equal(f.status, 1);
    assert.match(f.stderr, /^cannot lock .*\.lock: it is a directory/);
  });
});
