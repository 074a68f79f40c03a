/**
 * Real traffic between network namespaces, for the linux host's tests:
 * TCP connects (`nc -z`), UDP datagrams (seen by a listener) and ICMP /
 * ICMPv6 echoes (`ping -c 1`), each bounded by a short timeout, all of a
 * round run at once.
 *
 * A probe is from one VM's address to another's. What the firewalls
 * should do with it is said as two packets in the shape `fwadm explain`
 * and the ipf evaluator take ({dir, proto, peer, port?, type?}): the
 * sender's outbound one and the receiver's inbound one. Give runProbes
 * oracles (a function of VM uuid and packet: does that VM's firewall pass
 * it?) and each probe's real result is compared with what they say too:
 * the probe gets through when both packets pass.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** A packet as one VM's firewall sees it. */
export interface Packet {
  dir: 'in' | 'out';
  proto: 'tcp' | 'udp' | 'icmp' | 'icmp6';
  /** The address on the other side. */
  peer: string;
  port?: number;
  /** ICMP type (echo request: 8, ICMPv6 128). */
  type?: number;
}

/** One end of a probe: a VM's namespace and the address it uses. */
export interface End {
  readonly vm: string;
  readonly ns: string;
  readonly addr: string;
}

export interface ProbeCase {
  readonly name: string;
  readonly from: End;
  readonly to: End;
  readonly proto: Packet['proto'];
  readonly port?: number;
  /** Whether it should get through. */
  readonly expect: boolean;
  /** What decides it: the VMs' firewalls (default: the oracles must agree), or the network itself (the anti-spoofing guard, VLANs: no oracle has a say). */
  readonly decidedBy?: 'firewall' | 'network';
}

/** Does `vm`'s firewall pass `packet`? (`fwadm explain`, the ipf evaluator ...) */
export type Oracle = (vm: string, packet: Packet) => boolean | Promise<boolean>;

const first = (paths: string[]): string => paths.find((p) => fs.existsSync(p)) ?? paths[0];
const IP = first(['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip']);
const NC = first(['/usr/bin/nc', '/bin/nc']);
const PING = first(['/usr/bin/ping', '/bin/ping']);
const LISTENER = path.join(__dirname, 'probe-listener.js');
/** How long a blocked probe is waited for (an allowed one answers in a millisecond or two, once its programs have started). */
const TIMEOUT_MS = 1000;

/** The two packets a probe is: the sender's outbound, the receiver's inbound. */
export function packetsOf(c: ProbeCase): Array<{ vm: string; packet: Packet }> {
  const type = c.proto === 'icmp' ? 8 : c.proto === 'icmp6' ? 128 : undefined;
  const extra = { ...(c.port !== undefined ? { port: c.port } : {}), ...(type !== undefined ? { type } : {}) };
  return [
    { vm: c.from.vm, packet: { dir: 'out', proto: c.proto, peer: c.to.addr, ...extra } },
    { vm: c.to.vm, packet: { dir: 'in', proto: c.proto, peer: c.from.addr, ...extra } },
  ];
}

interface Ran {
  code: number | null;
  stdout: string;
}

function exec(args: string[], opts: { input?: string; killAfterMs?: number } = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(IP, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.resume();
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.killAfterMs ?? TIMEOUT_MS + 2000);
    child.on('error', reject);
    child.stdin.on('error', () => undefined);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** One listener per namespace a round's TCP and UDP probes go to (probe-listener.js: any number of connections at once), and what it received. */
class Listeners {
  private readonly children = new Map<string, { child: ChildProcess; out: { text: string } }>();

  async start(cases: readonly ProbeCase[]): Promise<void> {
    const ports = new Map<string, Set<string>>();
    for (const c of cases) {
      if (c.proto !== 'tcp' && c.proto !== 'udp') continue;
      const set = ports.get(c.to.ns) ?? new Set<string>();
      set.add(`${c.proto}:${c.port}`);
      ports.set(c.to.ns, set);
    }
    await Promise.all(
      [...ports].map(
        ([ns, set]) =>
          new Promise<void>((resolve, reject) => {
            const child = spawn(IP, ['netns', 'exec', ns, process.execPath, LISTENER, ...set], { stdio: ['ignore', 'pipe', 'inherit'] });
            const out = { text: '' };
            this.children.set(ns, { child, out });
            const timer = setTimeout(() => reject(new Error(`the probe listener in ${ns} did not start`)), 5000);
            child.on('error', reject);
            child.stdout?.setEncoding('utf8').on('data', (s: string) => {
              out.text += s;
              if (out.text.startsWith('ready\n')) {
                clearTimeout(timer);
                resolve();
              }
            });
          }),
      ),
    );
  }

  received(c: ProbeCase, token: string): boolean {
    return this.children.get(c.to.ns)?.out.text.includes(token) === true;
  }

  stop(): void {
    for (const { child } of this.children.values()) child.kill('SIGKILL');
    this.children.clear();
  }
}

async function probe(c: ProbeCase, listeners: Listeners): Promise<boolean> {
  const six = c.to.addr.includes(':');
  switch (c.proto) {
    case 'tcp': {
      // killed (code null) when no answer came in time
      const r = await exec(['netns', 'exec', c.from.ns, NC, '-z', '-w', '1', '-s', c.from.addr, c.to.addr, String(c.port)], { killAfterMs: TIMEOUT_MS });
      return r.code === 0;
    }
    case 'udp': {
      const token = `probe-${randomBytes(6).toString('hex')}`;
      await exec(['netns', 'exec', c.from.ns, NC, '-u', '-q', '0', '-w', '1', '-s', c.from.addr, c.to.addr, String(c.port)], { input: `${token}\n`, killAfterMs: 1500 });
      for (let waited = 0; waited < TIMEOUT_MS; waited += 50) {
        if (listeners.received(c, token)) return true;
        await new Promise((r) => setTimeout(r, 50));
      }
      return listeners.received(c, token);
    }
    case 'icmp':
    case 'icmp6': {
      const r = await exec(['netns', 'exec', c.from.ns, PING, ...(six ? ['-6'] : ['-4']), '-c', '1', '-W', String(TIMEOUT_MS / 1000), '-I', c.from.addr, c.to.addr]);
      return r.code === 0;
    }
  }
}

/**
 * Run every probe at once; the lines that disagree: with the expectation,
 * and with each oracle given ([] when all agree).
 */
export async function runProbes(cases: readonly ProbeCase[], oracles: Readonly<Record<string, Oracle>> = {}): Promise<string[]> {
  const listeners = new Listeners();
  try {
    await listeners.start(cases);
    const results = await Promise.all(cases.map((c) => probe(c, listeners)));
    const bad: string[] = [];
    for (let i = 0; i < cases.length; i++) {
      const c = cases[i];
      const got = results[i];
      const what = `${c.name}: ${c.proto}${c.port !== undefined ? `/${c.port}` : ''} ${c.from.addr} -> ${c.to.addr}`;
      if (got !== c.expect) bad.push(`${what}: ${got ? 'got through' : 'blocked'}, expected ${c.expect ? 'through' : 'blocked'}`);
      for (const [name, oracle] of Object.entries(c.decidedBy === 'network' ? {} : oracles)) {
        let says = true;
        for (const { vm, packet } of packetsOf(c)) says = says && (await oracle(vm, packet));
        if (says !== got) bad.push(`${what}: ${got ? 'got through' : 'blocked'}, ${name} says ${says ? 'through' : 'blocked'}`);
      }
    }
    return bad;
  } finally {
    listeners.stop();
  }
}
