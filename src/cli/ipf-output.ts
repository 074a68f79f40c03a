/**
 * Printing compiled ipf files as they are made, one VM at a time, so a
 * host's whole output (hundreds of MB for a large host) is never one
 * string: under `==> <uuid>/ipf.conf <==` headers, or as one JSON object.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { VmFiles } from '../core/ipf/model';

async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

/** Each file under a `==> <uuid>/ipf.conf <==` line, files a blank line apart, as tail(1) prints several. */
export async function writeFilesAsText(files: Iterable<VmFiles>, out: Writable): Promise<void> {
  let first = true;
  for (const f of files) {
    for (const [name, text] of [['ipf.conf', f.ipf], ['ipf6.conf', f.ipf6]] as const) {
      await write(out, `${first ? '' : '\n'}==> ${f.uuid}/${name} <==\n${text}`);
      first = false;
    }
  }
}

/** `{"<uuid>": {"ipf": ..., "ipf6": ...}, ...}` as JSON.stringify(…, null, 2) prints it. */
export async function writeFilesAsJson(files: Iterable<VmFiles>, out: Writable): Promise<void> {
  let first = true;
  for (const f of files) {
    const entry = `  ${JSON.stringify(f.uuid)}: {\n    "ipf": ${JSON.stringify(f.ipf)},\n    "ipf6": ${JSON.stringify(f.ipf6)}\n  }`;
    await write(out, (first ? '{\n' : ',\n') + entry);
    first = false;
  }
  await write(out, first ? '{}\n' : '\n}\n');
}
