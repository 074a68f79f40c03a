import { strict as assert } from 'node:assert';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ignoreENOENT, isCode, isEnoent } from '../../src/core/errno';

describe('core/errno', () => {
  it('reads a system error by its code; anything else is no such error', async () => {
    const missing = await fs.readFile(path.join(os.tmpdir(), `no-such-file-${process.pid}-${Date.now()}`)).catch((e: unknown) => e);
    assert.equal(isEnoent(missing), true);
    assert.equal(isCode(missing, 'ENOENT'), true);
    assert.equal(isCode(missing, 'EEXIST'), false);
    for (const other of [new Error('ENOENT'), null, undefined, 'ENOENT', { code: 'EACCES' }]) assert.equal(isEnoent(other), false);
  });

  it('ignoreENOENT: true when done, false when nothing was there, any other failure thrown', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'errno-'));
    try {
      const file = path.join(dir, 'f');
      await fs.writeFile(file, 'x');
      assert.equal(await ignoreENOENT(fs.unlink(file)), true);
      assert.equal(await ignoreENOENT(fs.unlink(file)), false);
      await assert.rejects(ignoreENOENT(fs.mkdir(dir)), (e: unknown) => isCode(e, 'EEXIST'));
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
