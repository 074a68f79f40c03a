/**
 * Output for commands that print many small lines: collected and written
 * in large pieces, respecting back-pressure.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';

const FLUSH_AT = 64 * 1024;

export class BufferedOutput {
  private parts: string[] = [];
  private size = 0;

  constructor(private readonly stream: Writable) {}

  /** Queue a line (a newline is added); resolves once it may go on. */
  async line(text: string): Promise<void> {
    this.parts.push(text, '\n');
    this.size += text.length + 1;
    if (this.size >= FLUSH_AT) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const ok = this.stream.write(this.parts.join(''));
    this.parts = [];
    this.size = 0;
    if (!ok) await once(this.stream, 'drain');
  }
}
