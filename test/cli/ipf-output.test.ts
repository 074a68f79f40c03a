/**
 * Writing compiled files: the streamed text and JSON forms are exactly
 * what joining each file and printing it whole would give, whatever the
 * pieces hold, however large, and however slowly the reader takes them.
 */
import { strict as assert } from 'node:assert';
import { Writable } from 'node:stream';
import { writeFilesAsJson, writeFilesAsText } from '../../src/cli/ipf-output';
import type { VmFilePieces } from '../../src/core/ipf/model';

/** A reader that takes 64 KiB at a time, a turn of the event loop each. */
function slowReader(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    highWaterMark: 64 * 1024,
    write(chunk: Buffer, _enc, done) {
      chunks.push(Buffer.from(chunk));
      setImmediate(done);
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

const shared = '\n\n# rule=r1, version=1, tag=a "quoted" \\ back\u0001slash é ☃\npass in quick proto tcp from any to any port = 22 keep frags';
const big = 'x'.repeat(3 * 1024 * 1024 + 17);
const files: VmFilePieces[] = [
  { uuid: 'u1', ipf: ['# header', shared, big, '\nend\n'], ipf6: ['# header', '\nend6\n'] },
  { uuid: 'u2', ipf: ['# header', shared, shared, '\nend\n'], ipf6: [] },
  ...Array.from({ length: 50 }, (_, i) => ({ uuid: `v${i}`, ipf: ['# header', shared, `\n${i}\n`], ipf6: ['# header', shared] })),
];
const joined = files.map((f) => ({ uuid: f.uuid, ipf: f.ipf.join(''), ipf6: f.ipf6.join('') }));

describe('compiled file output', () => {
  it('-j: the same bytes as JSON.stringify(…, null, 2) of the joined files', async () => {
    const r = slowReader();
    await writeFilesAsJson(files, r.stream);
    const expected = Object.fromEntries(joined.map((f) => [f.uuid, { ipf: f.ipf, ipf6: f.ipf6 }]));
    assert.equal(r.text(), JSON.stringify(expected, null, 2) + '\n');
  });

  it('-j with no firewall-enabled VM: {}', async () => {
    const r = slowReader();
    await writeFilesAsJson([], r.stream);
    assert.equal(r.text(), '{}\n');
  });

  it('text: each file under its ==> <uuid>/<file> <== line, a blank line between files', async () => {
    const r = slowReader();
    await writeFilesAsText(files, r.stream);
    const expected = joined
      .flatMap((f) => [`==> ${f.uuid}/ipf.conf <==\n${f.ipf}`, `==> ${f.uuid}/ipf6.conf <==\n${f.ipf6}`])
      .join('\n');
    assert.equal(r.text(), expected);
  });
});
