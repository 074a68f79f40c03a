/**
 * `vmadm send` and `vmadm receive` (docs/vmadm-cli.md §16.3): a VM moved
 * between two state roots or hosts as a byte stream (core/transfer.ts).
 *
 * send, as SmartOS's: the VM is stopped first when it runs (a stop, the
 * change of vm.ts), then the record (as it was before the stop, as
 * SmartOS sends its vmobj) and the zone's data are written; the state lock
 * is held until the stream is written, so that nothing changes the VM
 * under it.
 *
 * receive: one change (change.ts), journal op `receive`: the zone
 * configured, the zone data received into it, the checksum checked, the
 * zone installed, the record stored (the commit), its derived state;
 * anything failing or interrupted before the commit undoes it all
 * (recoverReceive after a kill). The VM arrives stopped, as SmartOS's
 * does; its uuid must be free (`VM with UUID <uuid> already exists`).
 */
import { createHash, type Hash } from 'node:crypto';
import type { Writable } from 'node:stream';
import { AppError, InterruptedError } from '../core/errors';
import { badStream, frameLength, hasBody, headerLine, MAGIC, MAX_FRAME, MAX_HEADER, parseHeader, type SenderHost, type StreamHeader } from '../core/transfer';
import { UUID_ANY_CASE } from '../core/uuid';
import type { VmRecord } from '../core/vm/record';
import { createScript } from '../core/zonecfg/script';
import type { DiskVolume, ZoneDataItem } from '../hosts/host';
import { drain } from '../hosts/zone-data';
import type { StoredVm, VmChange } from '../store/journal';
import { runChange, type Completed } from './change';
import { planVmChange } from './firewall';
import { reconcileDisks, undoDisks, volumesDiffer } from './disks';
import { observed, removeZone } from './recovery';
import { isSimulatedCrash, type Runtime } from './runtime';
import { syncVms, zoneOf } from './sync';
import { mustGet, powerChange, refuseConflicts } from './vm';

// ---------------------------------------------------------------- the stream, written

/** Writes a stream to `out`, waiting when it is full, hashing every byte. */
class StreamWriter {
  private readonly hash: Hash = createHash('sha256');

  constructor(
    private readonly out: Writable,
    private readonly check: () => void,
  ) {}

  async write(bytes: Uint8Array | string): Promise<void> {
    const buf = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
    this.hash.update(buf);
    if (!this.out.write(buf)) {
      await new Promise<void>((resolve, reject) => {
        const done = (err?: Error): void => {
          this.out.off('drain', done);
          this.out.off('error', done);
          if (err) reject(err);
          else resolve();
        };
        this.out.on('drain', done);
        this.out.on('error', done);
      });
    }
    this.check();
  }

  async header(h: StreamHeader): Promise<void> {
    await this.write(headerLine(h));
  }

  async body(chunks: AsyncIterable<Uint8Array> | Uint8Array): Promise<void> {
    const all = chunks instanceof Uint8Array ? [chunks] : chunks;
    for await (const chunk of all) {
      for (let at = 0; at < chunk.length; at += MAX_FRAME) {
        const part = chunk.subarray(at, Math.min(at + MAX_FRAME, chunk.length));
        await this.write(frameLength(part.length));
        await this.write(part);
      }
    }
    await this.write(frameLength(0));
  }

  /** The end line: the checksum of everything before it. */
  async end(): Promise<void> {
    const sha256 = this.hash.copy().digest('hex');
    await this.write(headerLine({ item: 'end', sha256 }));
  }
}

async function writeItem(w: StreamWriter, item: ZoneDataItem): Promise<void> {
  switch (item.kind) {
    case 'dir':
      return w.header({ item: 'dir', path: item.path, mode: item.mode });
    case 'symlink':
      return w.header({ item: 'symlink', path: item.path, target: item.target });
    case 'file':
      await w.header({ item: 'file', path: item.path, mode: item.mode });
      return w.body(item.body);
    case 'dataset':
      await w.header({ item: 'dataset', name: item.name });
      return w.body(item.body);
  }
}

/** A send interrupted while it wrote: its stream is cut short (a receive of it is undone). */
class SendInterrupted extends InterruptedError {
  constructor(signal: string, stopped: boolean) {
    super(signal);
    if (stopped) this.message = 'interrupted: the VM was stopped, and nothing was sent';
  }
}

/**
 * `vmadm send`: the stream on `out`. The VM is stopped first when it runs
 * (SmartOS: a graceful stop; autoboot cleared).
 */
export async function sendVm(rt: Runtime, uuid: string, out: Writable): Promise<Completed<string>> {
  return runChange(rt, 'vmadm send', async (c) => {
    const vm = mustGet(rt, uuid);
    let stopped = false;
    if (vm.state === 'running') {
      const next: VmRecord = vm.autoboot ? { ...vm, autoboot: false, last_modified: rt.now().toISOString() } : vm;
      await powerChange(rt, c, 'stop', vm, next, { ...next, state: 'stopped', zone_state: 'installed' }, () => rt.host.halt(zoneOf(vm), false));
      stopped = true;
    } else if (vm.state !== 'stopped') {
      // as VM.stop answers
      throw new AppError(`VM ${vm.uuid} is already not 'running' (currently: ${vm.state})`);
    }
    const w = new StreamWriter(out, () => {
      if (rt.interrupt.signal !== undefined) throw new SendInterrupted(rt.interrupt.signal, stopped);
    });
    await w.write(`${MAGIC}\n`);
    await w.header({ item: 'vm', host: dataKind(rt) });
    // the VM as it was found, as SmartOS sends its vmobj (its state is the receiver's)
    await w.body(Buffer.from(JSON.stringify(rt.vms.toStored(vm))));
    for await (const item of rt.host.sendZoneData(zoneOf(vm))) await writeItem(w, item);
    await w.end();
    c.point('send:sent');
    return `Successfully sent VM ${vm.uuid}`;
  });
}

// ---------------------------------------------------------------- the stream, read

/** Reads a stream from its chunks: lines, exact byte counts, bodies; hashes what it reads. */
class StreamReader {
  private buf: Buffer = Buffer.alloc(0);
  private readonly it: AsyncIterator<Uint8Array | string>;
  private eof = false;
  private readonly hash: Hash = createHash('sha256');

  constructor(input: AsyncIterable<Uint8Array | string>) {
    this.it = input[Symbol.asyncIterator]();
  }

  private async more(): Promise<boolean> {
    if (this.eof) return false;
    const next = await this.it.next();
    if (next.done) {
      this.eof = true;
      return false;
    }
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : Buffer.from(next.value);
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    return true;
  }

  private take(n: number, hashed: boolean): Buffer {
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    if (hashed) this.hash.update(out);
    return out;
  }

  /** The next line (without its newline); undefined at the end of the input. */
  async line(hashed = true): Promise<string | undefined> {
    for (;;) {
      const nl = this.buf.indexOf(10);
      if (nl >= 0) {
        if (nl > MAX_HEADER) throw badStream('a header line is too long');
        return this.take(nl + 1, hashed).subarray(0, nl).toString('utf8');
      }
      if (this.buf.length > MAX_HEADER) throw badStream('a header line is too long');
      if (!(await this.more())) {
        if (this.buf.length === 0) return undefined;
        throw badStream('it ends in the middle of a line');
      }
    }
  }

  async exact(n: number): Promise<Buffer> {
    while (this.buf.length < n) if (!(await this.more())) throw badStream('it ends in the middle of an item');
    return this.take(n, true);
  }

  /** A body, frame by frame. */
  async *body(): AsyncGenerator<Uint8Array> {
    for (;;) {
      const n = (await this.exact(4)).readUInt32BE(0);
      if (n === 0) return;
      if (n > MAX_FRAME) throw badStream('a frame is too long');
      let left = n;
      while (left > 0) {
        if (this.buf.length === 0 && !(await this.more())) throw badStream('it ends in the middle of an item');
        const part = this.take(Math.min(left, this.buf.length), true);
        left -= part.length;
        yield part;
      }
    }
  }

  async bodyBytes(max: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let size = 0;
    for await (const p of this.body()) {
      size += p.length;
      if (size > max) throw badStream('the VM record is too large');
      parts.push(Buffer.from(p));
    }
    return Buffer.concat(parts);
  }

  /** A line read unhashed, counted after all (once known not to be the end line). */
  absorb(text: string): void {
    this.hash.update(text);
  }

  /** The checksum of what was read so far. */
  digest(): string {
    return this.hash.copy().digest('hex');
  }

  /** Whether nothing follows. */
  async atEnd(): Promise<boolean> {
    return this.buf.length === 0 && !(await this.more());
  }
}

/** The record of a received VM, made this root's: its zonepath here, stopped (as SmartOS's receive leaves it). */
function receivedRecord(rt: Runtime, text: Buffer): VmRecord {
  let stored: StoredVm;
  try {
    stored = JSON.parse(text.toString('utf8')) as StoredVm;
  } catch {
    throw badStream('the VM record is not JSON');
  }
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) throw badStream('the VM record is not an object');
  const uuid = stored.uuid;
  if (typeof uuid !== 'string' || !UUID_ANY_CASE.test(uuid) || uuid !== uuid.toLowerCase()) throw badStream('the VM record has no uuid');
  const rec = stored as unknown as VmRecord;
  if (typeof rec.zpool !== 'string' || typeof rec.brand !== 'string' || !Array.isArray(rec.nics) || typeof rec.zonename !== 'string') {
    throw badStream('the VM record lacks its zpool, brand, zonename or nics');
  }
  const zonepath = rt.vms.zonepathOf(rec.zpool, uuid);
  return {
    ...rec,
    zonepath,
    zfs_filesystem: `${rec.zpool}/${uuid}`,
    state: 'stopped',
    zone_state: 'installed',
    last_modified: rt.now().toISOString(),
    // a stream carries the VM's data, not its snapshots (as SmartOS's send): none here (docs/vmadm-cli.md §17)
    snapshots: undefined,
  };
}

/** The stream's zone data items, one at a time, up to its end line (whose checksum is checked). */
async function* zoneData(r: StreamReader): AsyncGenerator<ZoneDataItem> {
  for (;;) {
    const sum = r.digest();
    const line = await r.line(false);
    if (line === undefined) throw badStream('it ends before its end line');
    const h = parseHeader(line);
    if (h.item === 'end') {
      if (h.sha256 !== sum) throw badStream('its checksum does not match (it was changed or cut)');
      if (!(await r.atEnd())) throw badStream('something follows its end line');
      return;
    }
    // the line is part of what the end line's checksum covers
    r.absorb(`${line}\n`);
    if (h.item === 'vm') throw badStream('a second VM record');
    const body = hasBody(h) ? r.body() : undefined;
    if (h.item === 'dir') yield { kind: 'dir', path: h.path, mode: h.mode };
    else if (h.item === 'symlink') yield { kind: 'symlink', path: h.path, target: h.target };
    else if (h.item === 'file') yield { kind: 'file', path: h.path, mode: h.mode, body: body as AsyncGenerator<Uint8Array> };
    else yield { kind: 'dataset', name: h.name, body: body as AsyncGenerator<Uint8Array> };
    // whatever the host left of the body, read past it
    if (body) await drain(body);
  }
}

/** `vmadm receive`: a VM from a stream (stdin). */
export async function receiveVm(rt: Runtime, input: AsyncIterable<Uint8Array | string>): Promise<Completed<string>> {
  const r = new StreamReader(input);
  const magic = await r.line();
  // SmartOS's words for an empty input
  if (magic === undefined) throw new AppError('unable to find JSON in stdin.');
  if (magic !== MAGIC) throw badStream(`it does not begin with "${MAGIC}"`);
  const first = await r.line();
  if (first === undefined) throw badStream('it holds no VM record');
  const head = parseHeader(first);
  if (head.item !== 'vm') throw badStream('it does not begin with the VM record');
  if (head.host !== dataKind(rt)) {
    throw new AppError(`the stream was sent from ${head.host === 'local' ? 'the embedded local or linux host' : 'an illumos host'}: its zone data cannot be received on ${dataKind(rt) === 'local' ? 'the embedded local or linux host' : 'an illumos host'}`);
  }
  const record = receivedRecord(rt, await r.bodyBytes(16 * 1024 * 1024));
  const exists = (): AppError => new AppError(`VM with UUID ${record.uuid} already exists`);
  // before the lock: a VM of this root (send | receive into the same root) is refused at once
  if (rt.vms.has(record.uuid)) throw exists();

  return runChange(rt, 'vmadm receive', async (c) => {
    const { host } = rt;
    const zone = zoneOf(record);
    if (rt.vms.has(record.uuid) || (await host.zoneState(zone)) !== undefined) throw exists();
    // a MAC, address, VRID or VNC port another VM holds is refused, as create refuses it
    refuseConflicts(rt, record);
    const script = createScript(record);
    const plan = await planVmChange(rt, { created: record });
    const pending = [...new Set([...plan.pending, record.uuid])];
    await c.begin({ kind: 'vm', op: 'receive', uuid: record.uuid, before: null, after: rt.vms.toStored(record) }, pending);
    const madeDisks: DiskVolume[] = [];
    const undo = async (): Promise<boolean> => {
      try {
        await removeZone(host, zone);
        await undoDisks(host, zone, undefined, record, madeDisks);
        await host.discardZoneData(zone);
        rt.vms.removeFiles(record.uuid, record.zonepath);
        return true;
      } catch {
        return false;
      }
    };
    try {
      await host.configure(zone, script);
      c.step('receive:configured');
      for await (const item of zoneData(r)) {
        await host.receiveZoneData(zone, item);
        c.step('receive:item');
      }
      c.step('receive:data');
      await host.install(zone, { quota: record.quota, imageUuid: record.image_uuid });
      c.step('receive:installed');
      // HVM disks: volumes of their sizes, made here (their data is not in the stream: docs/vmadm-cli.md §16.3)
      if (volumesDiffer(undefined, record)) {
        await reconcileDisks(host, zone, undefined, record, { destroy: false, fresh: true, made: madeDisks });
        c.step('receive:disks');
      }
      await rt.vms.put(record);
      c.commit('receive:stored');
    } catch (err) {
      if (isSimulatedCrash(err)) throw err;
      if (await undo()) await c.abandon();
      // a stream cut by a Ctrl-C (the sender's too) is the interrupt's doing
      if (rt.interrupt.signal !== undefined && !(err instanceof InterruptedError)) throw new InterruptedError(rt.interrupt.signal);
      throw err;
    }
    const sync = await syncVms(rt, plan.after, pending, { compiled: plan.compiled });
    c.point('receive:synced');
    if (sync.failed.length > 0) {
      // the whole receive undone, as a create's
      rt.vms.removeRecord(record.uuid);
      const undone = await undo();
      const back = await syncVms(rt, plan.before, plan.pending);
      if (undone) await c.end(back);
      throw new AppError(`Error adding firewall rules for VM: ${sync.failures[0]}`);
    }
    await c.end(sync);
    return `Successfully received VM ${record.uuid}`;
  });
}

/**
 * Recovery of a receive (recovery.ts), as a create's: finished when its
 * record was stored (its state from the host), undone otherwise (its zone
 * removed whatever state it reached, its received data and files too).
 */
export async function recoverReceive(rt: Runtime, change: VmChange, what: string): Promise<string> {
  const { host, vms } = rt;
  const made = vms.fromStored(change.after as StoredVm);
  const stored = vms.get(change.uuid);
  if (stored) {
    const now = await observed(host, stored);
    if (now !== stored) await vms.put(now);
    return `finished ${what}: the VM is stored (${now.state})`;
  }
  const zone = zoneOf(made);
  await removeZone(host, zone);
  await reconcileDisks(host, zone, made, undefined, { destroy: true });
  await host.discardZoneData(zone);
  vms.removeFiles(made.uuid, made.zonepath);
  return `undid ${what}: its zone and the data received are removed`;
}

/** How a host keeps zone data: in ZFS datasets (illumos) or as files under the zonepath (the local host, and the linux host built on it). */
function dataKind(rt: Runtime): SenderHost {
  return rt.kind === 'illumos' ? 'illumos' : 'local';
}
