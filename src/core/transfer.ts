/**
 * The byte stream of `vmadm send` and `vmadm receive` (docs/vmadm-cli.md
 * §16.3), this project's own format (SmartOS's VMBUNDLE carries its vmobj
 * and raw `zfs send` streams; this one carries this project's record and
 * a host's zone data, with lengths and a checksum). Pure: encoding and
 * checking of its parts; the reading and writing are src/app/transfer.ts.
 *
 *   stream  = "VMADM-SEND 1\n" item* end
 *   item    = header body?
 *   header  = one JSON object on one line (at most 64 KiB), "\n"-terminated,
 *             {"item": <kind>, ...}
 *   body    = frame* "\0\0\0\0"            (items vm, file, dataset)
 *   frame   = length (4 bytes, big-endian, 1 to 1 MiB) then that many bytes
 *   end     = {"item": "end", "sha256": <hex>} line: the SHA-256 of every
 *             byte before it; nothing may follow
 *
 *   {"item":"vm","host":"local"|"illumos"}    body: the VM record (JSON)
 *   {"item":"dir","path":P,"mode":M}           local host zone data
 *   {"item":"file","path":P,"mode":M}          body: its bytes
 *   {"item":"symlink","path":P,"target":T}
 *   {"item":"dataset","name":"<zpool>/<uuid>"} illumos: body `zfs send -p`
 *
 * P is relative to the zonepath, `/`-separated, without `.`, `..` or empty
 * parts; M the permission bits (0 to 0o777).
 */
import { AppError } from './errors';

/** The kind of host that sent the stream (its zone data's form). */
export type SenderHost = 'local' | 'illumos';

export const MAGIC = 'VMADM-SEND 1';
export const MAX_HEADER = 64 * 1024;
export const MAX_FRAME = 1024 * 1024;

export type StreamHeader =
  | { item: 'vm'; host: SenderHost }
  | { item: 'dir'; path: string; mode: number }
  | { item: 'file'; path: string; mode: number }
  | { item: 'symlink'; path: string; target: string }
  | { item: 'dataset'; name: string }
  | { item: 'end'; sha256: string };

/** Whether an item of this kind has a body. */
export function hasBody(h: StreamHeader): boolean {
  return h.item === 'vm' || h.item === 'file' || h.item === 'dataset';
}

/** One line refusing a stream (the receive is undone). */
export function badStream(why: string): AppError {
  return new AppError(`not a whole vmadm send stream: ${why}`);
}

/** A zone-data path as the stream may carry it. */
export function checkPath(p: unknown): string {
  if (typeof p !== 'string' || p === '' || p.length > 4096 || p.includes('\0') || p.startsWith('/')) throw badStream(`bad path ${JSON.stringify(p)}`);
  for (const part of p.split('/')) if (part === '' || part === '.' || part === '..') throw badStream(`bad path ${JSON.stringify(p)}`);
  return p;
}

function checkMode(m: unknown): number {
  if (typeof m !== 'number' || !Number.isInteger(m) || m < 0 || m > 0o777) throw badStream(`bad mode ${JSON.stringify(m)}`);
  return m;
}

/** The header of a line, checked. */
export function parseHeader(line: string): StreamHeader {
  let h: Record<string, unknown>;
  try {
    h = JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw badStream('a header line is not JSON');
  }
  if (typeof h !== 'object' || h === null) throw badStream('a header line is not an object');
  switch (h.item) {
    case 'vm':
      if (h.host !== 'local' && h.host !== 'illumos') throw badStream(`unknown host ${JSON.stringify(h.host)}`);
      return { item: 'vm', host: h.host };
    case 'dir':
    case 'file':
      return { item: h.item, path: checkPath(h.path), mode: checkMode(h.mode) };
    case 'symlink':
      if (typeof h.target !== 'string' || h.target === '' || h.target.includes('\0')) throw badStream('bad link target');
      return { item: 'symlink', path: checkPath(h.path), target: h.target };
    case 'dataset':
      if (typeof h.name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.:-]*(\/[A-Za-z0-9][A-Za-z0-9_.:-]*)+$/.test(h.name)) throw badStream('bad dataset name');
      return { item: 'dataset', name: h.name };
    case 'end':
      if (typeof h.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(h.sha256)) throw badStream('bad checksum');
      return { item: 'end', sha256: h.sha256 };
    default:
      throw badStream(`unknown item ${JSON.stringify(h.item)}`);
  }
}

/** A header as its line. */
export function headerLine(h: StreamHeader): string {
  return JSON.stringify(h) + '\n';
}

/** A frame's length prefix. */
export function frameLength(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
}
