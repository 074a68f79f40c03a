/**
 * A VM's ipf files: replace with `.old` copies, disable, and restore after
 * a failed load (docs/fwadm-cli.md §8).
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { disableIpfFiles, ipfPaths, readIpfFiles, restoreIpfFiles, writeIpfFiles } from '../../src/store/ipf-files';

const made: string[] = [];

async function zonepath(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ipf-files-'));
  made.push(dir);
  return dir;
}

async function read(p: string): Promise<string | undefined> {
  try {
    return await fs.readFile(p, 'utf8');
  } catch {
    return undefined;
  }
}

after(async () => {
  await Promise.all(made.map((d) => fs.rm(d, { recursive: true, force: true })));
});

describe('store/ipf-files', () => {
  it('paths: <zonepath>/config/ipf.conf and ipf6.conf', () => {
    assert.deepEqual(ipfPaths('/zones/x'), { ipf: '/zones/x/config/ipf.conf', ipf6: '/zones/x/config/ipf6.conf' });
  });

  it('the first write creates the files (and config/), no .old, no temporary files left', async () => {
    const z = await zonepath();
    await writeIpfFiles(z, { ipf: 'v4 one\n', ipf6: 'v6 one\n' }, '1700000000000.000001');
    assert.deepEqual(await readIpfFiles(z), { ipf: 'v4 one\n', ipf6: 'v6 one\n' });
    assert.deepEqual((await fs.readdir(path.join(z, 'config'))).sort(), ['ipf.conf', 'ipf6.conf']);
  });

  it('a rewrite keeps the previous files as .old', async () => {
    const z = await zonepath();
    await writeIpfFiles(z, { ipf: 'v4 one\n', ipf6: 'v6 one\n' }, '1');
    await writeIpfFiles(z, { ipf: 'v4 two\n', ipf6: 'v6 two\n' }, '2');
    await writeIpfFiles(z, { ipf: 'v4 three\n', ipf6: 'v6 three\n' }, '3');
    const p = ipfPaths(z);
    assert.equal(await read(p.ipf), 'v4 three\n');
    assert.equal(await read(p.ipf + '.old'), 'v4 two\n');
    assert.equal(await read(p.ipf6 + '.old'), 'v6 two\n');
    assert.deepEqual((await fs.readdir(path.join(z, 'config'))).sort(), ['ipf.conf', 'ipf.conf.old', 'ipf6.conf', 'ipf6.conf.old']);
  });

  it('restore puts the .old files back (they stay), and the next write keeps working', async () => {
    const z = await zonepath();
    const p = ipfPaths(z);
    await writeIpfFiles(z, { ipf: 'good4\n', ipf6: 'good6\n' }, '1');
    await writeIpfFiles(z, { ipf: 'bad4\n', ipf6: 'bad6\n' }, '2');
    assert.deepEqual(await restoreIpfFiles(z), { ipf: true, ipf6: true });
    assert.deepEqual(await readIpfFiles(z), { ipf: 'good4\n', ipf6: 'good6\n' });
    assert.equal(await read(p.ipf + '.old'), 'good4\n');
    await writeIpfFiles(z, { ipf: 'next4\n', ipf6: 'next6\n' }, '3');
    assert.equal(await read(p.ipf), 'next4\n');
    assert.equal(await read(p.ipf + '.old'), 'good4\n');
  });

  it('restore without .old leaves the files alone and says so', async () => {
    const z = await zonepath();
    await writeIpfFiles(z, { ipf: 'first4\n', ipf6: 'first6\n' }, '1');
    assert.deepEqual(await restoreIpfFiles(z), { ipf: false, ipf6: false });
    assert.deepEqual(await readIpfFiles(z), { ipf: 'first4\n', ipf6: 'first6\n' });
  });

  it('disable moves the files to .old; disabling again is fine', async () => {
    const z = await zonepath();
    const p = ipfPaths(z);
    await writeIpfFiles(z, { ipf: 'a\n', ipf6: 'b\n' }, '1');
    await disableIpfFiles(z);
    assert.deepEqual(await readIpfFiles(z), {});
    assert.equal(await read(p.ipf + '.old'), 'a\n');
    assert.equal(await read(p.ipf6 + '.old'), 'b\n');
    await disableIpfFiles(z);
    await disableIpfFiles(await zonepath());
  });

  it('refuses a version that is not a file name suffix', async () => {
    await assert.rejects(writeIpfFiles(await zonepath(), { ipf: '', ipf6: '' }, '../x'), /invalid ipf file version/);
  });
});
