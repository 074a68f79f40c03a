/**
 * Printing compiled ipf files as they are made, one VM at a time, so a
 * host's whole output (hundreds of MB for a large host) is never one
 * string: under `==> <uuid>/ipf.conf <==` headers, or as one JSON object.
 *
 * Most of a host's output is shared: the same entry blocks, header and
 * fallbacks appear in many VMs' files (see VmFilePieces). Each distinct
 * piece is encoded (and, for JSON, escaped) once; a VM's output is then a
 * copy of ready bytes.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { VmFilePieces } from '../core/ipf/model';

/** Encoded bytes of each distinct piece, for one output form. */
class PieceEncoder {
  private readonly cache = new Map<string, Buffer>();

  constructor(private readonly encode: (piece: string) => string) {}

  bytes(piece: string): Buffer {
    let b = this.cache.get(piece);
    if (b === undefined) {
      b = Buffer.from(this.encode(piece), 'utf8');
      this.cache.set(piece, b);
    }
    return b;
  }
}

/** The text inside a JSON string literal: JSON escapes one character at a time, so pieces escape alone. */
function jsonStringBody(text: string): string {
  const quoted = JSON.stringify(text);
  return quoted.slice(1, quoted.length - 1);
}

const CHUNK = 1 << 20;

/**
 * Bytes gathered into 1 MiB chunks and written a chunk at a time: few
 * writes and no per-VM concatenation. `put` only copies; `send` writes the
 * full chunks and waits while the stream is over its high-water mark.
 */
class ChunkWriter {
  private chunk = Buffer.allocUnsafe(CHUNK);
  private used = 0;
  private readonly full: Buffer[] = [];

  constructor(private readonly out: Writable) {}

  put(bytes: Buffer): void {
    let from = 0;
    while (from < bytes.length) {
      const n = Math.min(bytes.length - from, CHUNK - this.used);
      bytes.copy(this.chunk, this.used, from, from + n);
      this.used += n;
      from += n;
      if (this.used === CHUNK) this.seal();
    }
  }

  text(text: string): void {
    this.put(Buffer.from(text, 'utf8'));
  }

  /** The chunk goes to the queue (the stream will own it); a new one is taken. */
  private seal(): void {
    this.full.push(this.chunk.subarray(0, this.used));
    this.chunk = Buffer.allocUnsafe(CHUNK);
    this.used = 0;
  }

  /** Write the full chunks (all of it, with `end`). */
  async send(end = false): Promise<void> {
    if (end && this.used > 0) this.seal();
    let ok = true;
    for (const c of this.full.splice(0)) ok = this.out.write(c);
    if (!ok) await once(this.out, 'drain');
  }
}

/** Each file under a `==> <uuid>/ipf.conf <==` line, files a blank line apart, as tail(1) prints several. */
export async function writeFilesAsText(files: Iterable<VmFilePieces>, out: Writable): Promise<void> {
  const enc = new PieceEncoder((p) => p);
  const w = new ChunkWriter(out);
  let first = true;
  for (const f of files) {
    for (const [name, pieces] of [['ipf.conf', f.ipf], ['ipf6.conf', f.ipf6]] as const) {
      w.text(`${first ? '' : '\n'}==> ${f.uuid}/${name} <==\n`);
      for (const p of pieces) w.put(enc.bytes(p));
      first = false;
    }
    await w.send();
  }
  await w.send(true);
}

/** `{"<uuid>": {"ipf": ..., "ipf6": ...}, ...}` as JSON.stringify(…, null, 2) prints it. */
export async function writeFilesAsJson(files: Iterable<VmFilePieces>, out: Writable): Promise<void> {
  const enc = new PieceEncoder(jsonStringBody);
  const w = new ChunkWriter(out);
  let first = true;
  for (const f of files) {
    w.text(`${first ? '{\n' : ',\n'}  ${JSON.stringify(f.uuid)}: {\n    "ipf": "`);
    for (const p of f.ipf) w.put(enc.bytes(p));
    w.text('",\n    "ipf6": "');
    for (const p of f.ipf6) w.put(enc.bytes(p));
    w.text('"\n  }');
    first = false;
    await w.send();
  }
  w.text(first ? '{}\n' : '\n}\n');
  await w.send(true);
}
