/**
 * The linux host in tests: whether it can run here (root, ip, nft,
 * network namespaces), an environment of its own for each world (a
 * namespace prefix and a vmadm namespace no other test run uses), and
 * taking away every namespace such a world made. Tests change only the
 * namespaces they make, with documentation addresses; the machine's own
 * namespace is never given a link, address, route or rule.
 *
 * What must hold of a world's network once a command has run
 * (linuxInvariants, called by invariants.ts): no namespace without a
 * running VM, none missing for one; each running VM's links, MACs, mtus,
 * addresses and routes as its record says; its host ends on their bridges
 * and guarded, and no host end or guard without its VM; its loaded table
 * (rules and set elements) what its ipf files translate to, and none when
 * its firewall is disabled.
 */
import { spawnSync } from 'node:child_process';
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { translate } from '../../src/core/nft/firewall';
import type { VmRecord } from '../../src/core/vm/record';
import { linuxSettings } from '../../src/hosts/linux/config';
import { linuxPrerequisites, readCounters } from '../../src/hosts/linux/host';
import { netnsId } from '../../src/hosts/linux/net';
import { netPlan, type NicInput } from '../../src/hosts/linux/plan';
import { programPath } from '../../src/hosts/linux/programs';
import { run, type CliResult } from './run-cli';

let counter = 0;

/** Why the linux host's tests cannot run here (one line), or undefined. */
export function linuxSkipReason(): string | undefined {
  const missing = linuxPrerequisites();
  if (missing) return missing;
  const r = spawnSync(programPath('ip') as string, ['netns', 'list'], { encoding: 'utf8' });
  if (r.status !== 0) return `network namespaces do not work here: ${r.stderr.split('\n')[0]}`;
  return undefined;
}

export interface LinuxEnv {
  /** Every namespace of the world starts with it. */
  readonly prefix: string;
  readonly hostNetns: string;
  readonly env: NodeJS.ProcessEnv;
}

/** A fresh prefix and vmadm namespace: VMADM_HOST=linux and its two variables. */
export function linuxEnv(): LinuxEnv {
  const prefix = `vt${process.pid.toString(36)}${(counter++).toString(36)}-`;
  const hostNetns = `${prefix}host`;
  return { prefix, hostNetns, env: { VMADM_HOST: 'linux', VMADM_LINUX_NETNS: hostNetns, VMADM_LINUX_NETNS_PREFIX: prefix } };
}

function ip(args: string[]): string {
  const r = spawnSync(programPath('ip') as string, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function nft(ns: string, args: string[]): { status: number | null; stdout: string } {
  const r = spawnSync(programPath('ip') as string, ['netns', 'exec', ns, programPath('nft') as string, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout };
}

/** Skip a suite (or test) when the linux host cannot run here, saying why in one line. */
export function skipUnlessLinux(ctx: Mocha.Context): void {
  const why = linuxSkipReason();
  if (!why) return;
  console.log(`      (skipped: ${why})`);
  ctx.skip();
}

/** A state root of its own on the linux host, with vmadm and fwadm to drive it. */
export interface LinuxWorld extends LinuxEnv {
  readonly dir: string;
  readonly root: string;
  /** The environment its commands run with. */
  readonly cmdEnv: NodeJS.ProcessEnv;
  vm(args: string[], input?: string): Promise<CliResult>;
  fw(args: string[], input?: string): Promise<CliResult>;
  /** Its namespaces, /etc/netns entries and root taken away. */
  remove(): void;
}

export function linuxWorld(name: string): LinuxWorld {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-`));
  const root = path.join(dir, 'root');
  const lx = linuxEnv();
  const cmdEnv = { ...lx.env, VMADM_ROOT: root, TZ: 'UTC' };
  return {
    ...lx,
    dir,
    root,
    cmdEnv,
    vm: (args, input) => run('vmadm', args, { input, env: cmdEnv }),
    fw: (args, input) => run('fwadm', args, { input, env: cmdEnv }),
    remove: () => {
      removeLinuxWorld(lx.prefix);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A command that must succeed: its result. */
export function ok(r: CliResult): CliResult {
  assert.equal(r.status, 0, r.stderr);
  return r;
}

/** The namespaces whose names start with `prefix`. */
export function namespacesOf(prefix: string): string[] {
  try {
    return fs.readdirSync('/run/netns').filter((n) => n.startsWith(prefix));
  } catch {
    return [];
  }
}

/** Take away every namespace (and /etc/netns entry) of a world. */
export function removeLinuxWorld(prefix: string): void {
  if (!prefix.startsWith('vt')) throw new Error(`not a test prefix: ${prefix}`);
  for (const ns of namespacesOf(prefix)) spawnSync(programPath('ip') as string, ['netns', 'delete', ns]);
  try {
    for (const n of fs.readdirSync('/etc/netns')) if (n.startsWith(prefix)) fs.rmSync(path.join('/etc/netns', n), { recursive: true, force: true });
  } catch {
    // no /etc/netns
  }
}

/** A VM record's NICs as the network plan reads them. */
export function nicInputs(vm: VmRecord): NicInput[] {
  return vm.nics.map((n) => ({
    iface: n.interface,
    mac: n.mac,
    nicTag: n.nic_tag,
    vlan: n.vlan_id ?? 0,
    ...(n.mtu !== undefined ? { mtu: n.mtu } : {}),
    ips: n.ips,
    gateways: n.gateways ?? [],
    allowedIps: n.allowed_ips ?? [],
    primary: n.primary === true,
    allowIpSpoofing: n.allow_ip_spoofing === true,
    allowMacSpoofing: n.allow_mac_spoofing === true,
    allowDhcpSpoofing: n.allow_dhcp_spoofing === true,
    allowRestrictedTraffic: n.allow_restricted_traffic === true,
    blockedPorts: n.blocked_outgoing_ports ?? [],
  }));
}

interface JsonLink {
  ifname: string;
  address?: string;
  mtu?: number;
  master?: string;
  ifalias?: string;
  flags?: string[];
  addr_info?: Array<{ family: string; local: string; prefixlen: number; scope: string }>;
}

/** The violations of the linux host's invariants in a root (see the top of this file). */
export function linuxInvariants(root: string, env: NodeJS.ProcessEnv, vms: readonly VmRecord[]): string[] {
  const problems: string[] = [];
  const settings = linuxSettings(root, env);
  const prefix = settings.prefix;
  const running = vms.filter((vm) => vm.state === 'running');
  const nsOf = (vm: VmRecord): string => `${prefix}${vm.zonename}`;
  const wanted = new Set(running.map(nsOf));
  for (const ns of namespacesOf(prefix)) {
    if (ns !== settings.hostNetns && !wanted.has(ns)) problems.push(`namespace ${ns} has no running VM`);
  }
  const linksIn = new Map<string | null, JsonLink[]>();
  const linksOf = (ns: string | null): JsonLink[] => {
    let l = linksIn.get(ns);
    if (!l) {
      l = ns !== null && netnsId(ns) === undefined ? [] : (JSON.parse(ip([...(ns === null ? [] : ['-n', ns]), '-j', 'link', 'show'])) as JsonLink[]);
      linksIn.set(ns, l);
    }
    return l;
  };
  const hostLinks = linksOf(settings.hostNetns);
  const ports = new Set<string>();
  /** Each running VM's host end, and the namespace whose guard table must hold its chains. */
  const guarded = new Map<string, string | null>();
  for (const vm of running) {
    const ns = nsOf(vm);
    if (netnsId(ns) === undefined) {
      problems.push(`VM ${vm.uuid}: runs, but has no namespace ${ns}`);
      continue;
    }
    const plan = netPlan(ns, nicInputs(vm), vm.routes ?? {}, vm.resolvers ?? [], settings);
    const links = JSON.parse(ip(['-n', ns, '-j', 'addr', 'show'])) as JsonLink[];
    const names = links.map((l) => l.ifname).filter((n) => n !== 'lo').sort();
    const want = plan.nics.map((n) => n.iface).sort();
    if (JSON.stringify(names) !== JSON.stringify(want)) problems.push(`VM ${vm.uuid}: links ${names.join(',')}, record ${want.join(',')}`);
    for (const n of plan.nics) {
      ports.add(n.port);
      guarded.set(n.port, n.segment.netns);
      const l = links.find((x) => x.ifname === n.iface);
      if (!l) continue;
      if (l.address !== n.mac) problems.push(`VM ${vm.uuid}: ${n.iface} has MAC ${l.address}, record ${n.mac}`);
      if (n.mtu !== undefined && l.mtu !== n.mtu) problems.push(`VM ${vm.uuid}: ${n.iface} has mtu ${l.mtu}, record ${n.mtu}`);
      if (!l.flags?.includes('UP')) problems.push(`VM ${vm.uuid}: ${n.iface} is down`);
      const addrs = (l.addr_info ?? []).filter((a) => a.scope === 'global').map((a) => `${a.local}/${a.prefixlen}`).sort();
      if (JSON.stringify(addrs) !== JSON.stringify([...n.addrs].sort())) problems.push(`VM ${vm.uuid}: ${n.iface} has ${addrs.join(',') || 'no addresses'}, record ${n.addrs.join(',') || 'none'}`);
      const h = linksOf(n.segment.netns).find((x) => x.ifname === n.port);
      if (!h) problems.push(`VM ${vm.uuid}: ${n.iface}'s host end ${n.port} is missing`);
      else if (h.master !== n.segment.bridge) problems.push(`VM ${vm.uuid}: ${n.port} is on ${h.master ?? 'no bridge'}, not ${n.segment.bridge}`);
    }
    // routes vmadm adds (not the kernel's own)
    const routes = [4, 6].flatMap((f) => JSON.parse(ip(['-n', ns, `-${f}`, '-j', 'route', 'show'])) as Array<{ dst: string; gateway?: string; dev: string; protocol?: string; metric?: number }>)
      .filter((r) => r.protocol !== 'kernel' && !r.dst.startsWith('fe80') && !(r.dst.startsWith('ff00') || r.dst === 'multicast'))
      .map((r) => `${r.dst === 'default' ? 'default' : r.dst.includes('/') ? r.dst : `${r.dst}/${r.dst.includes(':') ? 128 : 32}`}${r.gateway ? ` via ${r.gateway}` : ''} dev ${r.dev}`)
      .sort();
    const planned = plan.routes.map((r) => `${r.dest} ${r.via ? `via ${r.via} ` : ''}dev ${r.dev}`).sort();
    if (JSON.stringify(routes) !== JSON.stringify(planned)) problems.push(`VM ${vm.uuid}: routes [${routes.join('; ')}], record [${planned.join('; ')}]`);
    // the firewall
    const table = nft(ns, ['-n', '-j', 'list', 'table', 'inet', 'fwadm']);
    const dir = path.join(vm.zonepath, 'config');
    if (vm.firewall_enabled !== true) {
      if (table.status === 0) problems.push(`VM ${vm.uuid}: firewall disabled, but a table is loaded`);
      continue;
    }
    if (table.status !== 0) {
      problems.push(`VM ${vm.uuid}: runs with its firewall enabled, but no table is loaded`);
      continue;
    }
    let fw;
    try {
      fw = translate(fs.readFileSync(path.join(dir, 'ipf.conf'), 'utf8'), fs.readFileSync(path.join(dir, 'ipf6.conf'), 'utf8'));
    } catch (err) {
      problems.push(`VM ${vm.uuid}: its ipf files do not translate: ${(err as Error).message}`);
      continue;
    }
    const doc = JSON.parse(table.stdout) as { nftables: Array<Record<string, { comment?: string; chain?: string; name?: string; elem?: unknown[] }>> };
    const loadedRules = doc.nftables.flatMap((i) => (i.rule?.comment ? [`${i.rule.chain}:${i.rule.comment}`] : []));
    const wantRules = [...fw.skeleton.matchAll(/^ {2}chain (\w+) \{$|comment "([^"]+)"$/gm)].reduce<{ chain: string; out: string[] }>(
      (acc, m) => (m[1] ? { ...acc, chain: m[1] } : { ...acc, out: [...acc.out, `${acc.chain}:${m[2]}`] }),
      { chain: '', out: [] },
    ).out;
    if (JSON.stringify(loadedRules) !== JSON.stringify(wantRules)) problems.push(`VM ${vm.uuid}: the loaded table's rules are not what its ipf files translate to`);
    const loadedSets = readCounters(table.stdout).elements;
    for (const s of fw.sets) {
      const have = [...(loadedSets.get(s.name)?.keys() ?? [])].sort();
      if (JSON.stringify(have) !== JSON.stringify([...s.elements].sort())) problems.push(`VM ${vm.uuid}: set ${s.name} holds [${have.join(', ')}], its files say [${s.elements.join(', ')}]`);
    }
  }
  // host ends and guards of no running VM
  for (const l of hostLinks) {
    if (l.ifalias?.startsWith(prefix) && !ports.has(l.ifname)) problems.push(`host end ${l.ifname} (${l.ifalias}) has no running VM`);
  }
  if (netnsId(settings.hostNetns) !== undefined) {
    const chains = nft(settings.hostNetns, ['-j', 'list', 'chains', 'bridge']);
    const doc = JSON.parse(chains.stdout || '{"nftables":[]}') as { nftables: Array<{ chain?: { table: string; name: string } }> };
    for (const c of doc.nftables) {
      const m = c.chain?.table === settings.guardTable ? /^(?:in|out)_(.+)$/.exec(c.chain.name) : null;
      if (m && !ports.has(m[1])) problems.push(`guard chain ${c.chain?.name} has no running VM`);
    }
  }
  for (const [p, space] of guarded) {
    if (space === null || nft(space, ['list', 'chain', 'bridge', settings.guardTable, `in_${p}`]).status !== 0) problems.push(`host end ${p} is not guarded`);
  }
  return problems;
}
