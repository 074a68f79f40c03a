/**
 * The events log (docs/vmadm-cli.md §16.2, docs/state.md "Events"): what
 * `vmadm events` follows.
 *
 *   <root>/events.log     one event a line, JSON, appended by the command
 *                         that made the change, while it holds the lock
 *   <root>/events.log.1   the previous log: when an append would take the
 *                         log past its bound (1 MiB), the log is renamed to
 *                         this (replacing the one before) and a new one begun
 *
 * Writers append whole lines, each with one write(2) on a file opened for
 * appending, under the state lock. Readers take no lock and never wait:
 * they read what is there, keep what follows the last newline for later
 * (a line being written), and follow the log across a rotation by reading
 * the renamed file to its end through the descriptor they hold.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { isEnoent } from '../core/errno';
import { prepareWrite } from './paths';

/** How large the log grows before it is rotated. */
export const EVENTS_MAX_BYTES = 1024 * 1024;

export class EventLog {
  readonly file: string;
  readonly previous: string;

  constructor(
    readonly root: string,
    private readonly maxBytes = EVENTS_MAX_BYTES,
  ) {
    this.file = path.join(root, 'events.log');
    this.previous = path.join(root, 'events.log.1');
  }

  /** Append events, one line each (call with the lock held). */
  append(events: readonly unknown[]): void {
    if (events.length === 0) return;
    const text = events.map((e) => JSON.stringify(e) + '\n').join('');
    prepareWrite(this.root, this.file);
    let size = 0;
    try {
      size = fs.statSync(this.file).size;
    } catch (err) {
      if (!isEnoent(err)) throw err;
    }
    if (size > 0 && size + Buffer.byteLength(text) > this.maxBytes) {
      prepareWrite(this.root, this.previous);
      fs.renameSync(this.file, this.previous);
    }
    const fd = fs.openSync(this.file, 'a', 0o644);
    try {
      fs.writeSync(fd, text);
    } finally {
      fs.closeSync(fd);
    }
  }

  /** The last event of the log for which `match` holds (the current log only), or undefined. */
  last<T>(match: (event: T) => boolean): T | undefined {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if (isEnoent(err)) return undefined;
      throw err;
    }
    const lines = text.split('\n');
    for (let i = lines.length - 1; i >= 0; i--) {
      if (lines[i] === '') continue;
      try {
        const ev = JSON.parse(lines[i]) as T;
        if (match(ev)) return ev;
      } catch {
        // a line cut short: not an event
      }
    }
    return undefined;
  }

  /** A reader of the lines appended from now on. */
  follower(): EventFollower {
    return new EventFollower(this.file);
  }
}

/**
 * Reads the lines appended to the log after it was made. `read()` returns
 * the whole lines there are now (none: []), never waiting.
 */
export class EventFollower {
  private fd: number | undefined;
  private ino = -1;
  private offset = 0;
  private partial = '';
  private decoder = new StringDecoder('utf8');

  constructor(private readonly file: string) {
    // from the end of the log as it is now
    this.open(true);
  }

  private open(atEnd: boolean): void {
    try {
      const fd = fs.openSync(this.file, 'r');
      const st = fs.fstatSync(fd);
      this.fd = fd;
      this.ino = st.ino;
      this.offset = atEnd ? st.size : 0;
    } catch (err) {
      if (!isEnoent(err)) throw err;
      this.fd = undefined;
      this.ino = -1;
      this.offset = 0;
    }
  }

  /** Every whole line appended since the last read. */
  read(): string[] {
    const lines: string[] = [];
    for (;;) {
      if (this.fd === undefined) {
        this.open(false);
        if (this.fd === undefined) return lines;
      }
      this.drain(lines);
      // rotated (or removed) since: what is at the name now is a new log, read from its start
      let ino: number | undefined;
      try {
        ino = fs.statSync(this.file).ino;
      } catch (err) {
        if (!isEnoent(err)) throw err;
      }
      if (ino === this.ino) return lines;
      this.drain(lines);
      this.close();
      this.partial = '';
      this.decoder = new StringDecoder('utf8');
      if (ino === undefined) return lines;
    }
  }

  private drain(lines: string[]): void {
    if (this.fd === undefined) return;
    const buf = Buffer.allocUnsafe(64 * 1024);
    for (;;) {
      const n = fs.readSync(this.fd, buf, 0, buf.length, this.offset);
      if (n === 0) break;
      this.offset += n;
      const text = this.partial + this.decoder.write(buf.subarray(0, n));
      const parts = text.split('\n');
      this.partial = parts.pop() ?? '';
      lines.push(...parts.filter((l) => l !== ''));
    }
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}
