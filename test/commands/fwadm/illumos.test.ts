/**
 * Firewall changes on the illumos host, against the fake zonecfg, zoneadm
 * and ipf first on PATH (in-process commands): the exact ipf argv per
 * running VM, only running VMs loaded; a failed load puts the `.old`
 * files back and loads them again while the other VMs are still done
 * (fail closed), and leaves the VM pending: the next command of either
 * program retries it and says so, and a repeated change is not answered
 * "nothing changed" while it stays pending. vmadm's change of a VM is all
 * or nothing.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ipfPaths } from '../../../src/store/ipf-files';
import { repoRoot, run, type CliResult } from '../../helpers/run-cli';

const IMAGE = '2b683a82-a066-11e3-97ab-2faa44701c5a';
const RULE_UUID = 'c0000000-0000-4000-8000-000000000001';

class Host {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-illumos-'));
  readonly root = path.join(this.dir, 'root');
  readonly altroot = path.join(this.dir, 'host-fs');
  readonly log = path.join(this.dir, 'host.log');
  readonly state = path.join(this.dir, 'fake-state');
  readonly env: NodeJS.ProcessEnv = {
    VMADM_HOST: 'illumos',
    VMADM_HOST_PATH_LOOKUP: '1',
    VMADM_ALTROOT: this.altroot,
    VMADM_ROOT: this.root,
    VMADM_IPF_EVENT_LOG: '0',
    FAKE_HOST_LOG: this.log,
    FAKE_HOST_STATE: this.state,
    PATH: [path.join(repoRoot, 'test', 'fakes', 'bin'), process.env.PATH].join(path.delimiter),
  };
  private seen = 0;

  run(bin: 'vmadm' | 'fwadm', args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
    return run(bin, args, { input: opts.input, env: { ...this.env, ...opts.env } });
  }

  async vm(alias: string, autoboot: boolean): Promise<string> {
    const spec = { brand: 'joyent', image_uuid: IMAGE, alias, autoboot, firewall_enabled: true, tags: { role: 'www' }, nics: [{ nic_tag: 'external', ips: [`198.51.100.${10 + this.count++}/24`] }] };
    const r = await this.run('vmadm', ['create'], { input: JSON.stringify(spec) });
    assert.equal(r.status, 0, r.stderr);
    return /^Successfully created VM (\S+)/.exec(r.stderr)![1];
  }
  private count = 0;

  /** ipf calls since the last time this was asked: the zone each named. */
  ipfCalls(): string[][] {
    const all = fs.existsSync(this.log) ? fs.readFileSync(this.log, 'utf8').trimEnd().split('\n').filter(Boolean) : [];
    const out = all.slice(this.seen).map((l) => (JSON.parse(l) as { argv: string[] }).argv).filter((a) => a[0] === 'ipf');
    this.seen = all.length;
    return out;
  }

  ipf(uuid: string): string {
    return fs.readFileSync(ipfPaths(path.join(this.altroot, 'zones', uuid)).ipf, 'utf8');
  }

  loaded(uuid: string): { running: boolean; ipf: string } {
    return JSON.parse(fs.readFileSync(path.join(this.state, 'ipf', `${uuid}.json`), 'utf8')) as { running: boolean; ipf: string };
  }
}

/** An ipf file less its "File generated at" line. */
function undated(text: string): string {
  return text.replace(/^# File generated at .*$/m, '');
}

const hosts: Host[] = [];
function newHost(): Host {
  const h = new Host();
  hosts.push(h);
  return h;
}
afterEach(() => {
  for (const h of hosts.splice(0)) fs.rmSync(h.dir, { recursive: true, force: true });
});

describe('firewall changes on the illumos host (fake ipf)', function () {
  this.timeout(30000);

  it('writes every affected VM, loads only running ones with the exact ipf argv', async () => {
    const h = newHost();
    const a = await h.vm('a', true);
    const b = await h.vm('b', true);
    const c = await h.vm('c', false);
    h.ipfCalls();
    const r = await h.run('fwadm', ['add', '-g', '-e', 'FROM', 'any', 'TO', 'tag', 'role', 'ALLOW', 'tcp', 'PORT', '80']);
    assert.equal(r.status, 0, r.stderr);
    const zp = (u: string): string => path.join(h.altroot, 'zones', u);
    // loaded side by side: in any order
    const byZone = (x: string[], y: string[]): number => (x[x.length - 1] < y[y.length - 1] ? -1 : 1);
    assert.deepEqual(
      h.ipfCalls().sort(byZone),
      [a, b].sort().map((u) => ['ipf', '-G', '-E', '-I', '-Fa', '-f', `${zp(u)}/config/ipf.conf`, '-6', '-Fa', '-f', `${zp(u)}/config/ipf6.conf`, '-sy', u]),
    );
    assert.match(h.ipf(c), /port = 80/, 'a stopped VM still gets its files');
  });

  it('a failed load: .old restored and loaded again, the others done, exit 1; the VM stays pending and the next command retries it', async () => {
    const h = newHost();
    const a = await h.vm('a', true);
    const b = await h.vm('b', true);
    assert.equal((await h.run('fwadm', ['add', '-g', '-e', 'FROM', 'any', 'TO', 'tag', 'role', 'ALLOW', 'tcp', 'PORT', '80'])).status, 0);
    const previous = h.ipf(a);
    h.ipfCalls();
    const payload = JSON.stringify({ rules: [{ uuid: RULE_UUID, rule: 'FROM any TO tag role ALLOW tcp PORT 8080', global: true, enabled: true }] });
    const failOnce = { FAKE_IPF_FAIL: `${a}:once` };
    const r = await h.run('fwadm', ['add'], { input: payload, env: failOnce });
    assert.equal(r.status, 1);
    assert.match(r.stdout, new RegExp(`^Added rules:\n${RULE_UUID} true    FROM any TO tag "role" ALLOW tcp PORT 8080\n$`));
    assert.match(r.stderr, new RegExp(`^VM ${a}: ipf .* failed: .*FAKE_IPF_FAIL.*\\(previous rules restored\\)\n$`));
    assert.equal(h.ipf(a), previous, 'A keeps its previous file');
    assert.equal(h.loaded(a).ipf, previous, 'and its previous rules are loaded');
    assert.match(h.ipf(b), /port = 8080/, 'B was still done');
    // the VMs of one batch are loaded side by side: A twice (the failed load, then the reload of .old), B once
    const loads = h.ipfCalls().map((c) => c[c.length - 1]);
    assert.deepEqual(loads.sort(), [a, a, b].sort(), 'A: the failed load then the reload of .old; B once');

    // the same add again while A's load still fails: not "nothing changed"
    fs.rmSync(path.join(h.state, 'ipf', `${a}.failed-once`));
    const again = await h.run('fwadm', ['add'], { input: payload, env: failOnce });
    assert.equal(again.status, 1);
    assert.equal(again.stdout, '\n');
    assert.match(again.stderr, new RegExp(`^VM ${a}: ipf .* failed: .*\\(previous rules restored\\)\n$`));

    // the next command of the other program, with ipf working again: A is repaired first, and it says so
    const next = await h.run('vmadm', ['update', b, 'alias=b2']);
    assert.equal(next.status, 0, next.stderr);
    assert.match(next.stderr, new RegExp(`^Successfully updated VM ${b}\nnote: brought VM up to date with the stored records and rules: ${a}\n$`));
    assert.match(h.ipf(a), /port = 8080/);
    assert.match(h.loaded(a).ipf, /port = 8080/);
    // and now the repeated add is answered "nothing changed", writing and loading nothing
    h.ipfCalls();
    const quiet = await h.run('fwadm', ['add'], { input: payload });
    assert.deepEqual([quiet.status, quiet.stdout, quiet.stderr], [0, '\n', '']);
    assert.deepEqual(h.ipfCalls(), []);
  });

  it('fwadm start of a VM whose files are missing or stale makes them again and loads them', async () => {
    const h = newHost();
    const a = await h.vm('a', true);
    assert.equal((await h.run('fwadm', ['add', '-g', '-e', 'FROM', 'any', 'TO', 'all', 'vms', 'ALLOW', 'tcp', 'PORT', '22'])).status, 0);
    const good = h.ipf(a);
    const p = ipfPaths(path.join(h.altroot, 'zones', a));
    fs.writeFileSync(p.ipf, '# stale\n');
    fs.rmSync(p.ipf6);
    const r = await h.run('fwadm', ['start', a]);
    assert.deepEqual([r.status, r.stdout], [0, `Firewall started for VM ${a}\n`]);
    assert.equal(undated(h.ipf(a)), undated(good));
    assert.ok(fs.existsSync(p.ipf6));
    assert.equal(h.loaded(a).ipf, h.ipf(a));
  });

  it("vmadm update: a firewall failure undoes the VM's change and every VM's files, in one line", async () => {
    const h = newHost();
    const a = await h.vm('a', true);
    const b = await h.vm('b', true);
    const c = await h.vm('c', false);
    assert.equal((await h.run('fwadm', ['add', '-g', '-e', 'FROM', 'tag', 'role', 'TO', 'tag', 'role', 'ALLOW', 'tcp', 'PORT', '80'])).status, 0);
    const aBefore = h.ipf(a);
    const cBefore = (await h.run('vmadm', ['get', c])).stdout;
    const r = await h.run('vmadm', ['update', c], {
      input: JSON.stringify({ update_nics: [{ mac: JSON.parse(cBefore).nics[0].mac, ips: ['198.51.100.77/24'] }] }),
      env: { FAKE_IPF_FAIL: b },
    });
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`^vmadm: Error updating firewall rules for VM: VM ${b}: ipf .* failed: [^\n]*\n$`));
    assert.equal((await h.run('vmadm', ['get', c])).stdout, cBefore, 'the VM is as it was');
    assert.equal(undated(h.ipf(a)), undated(aBefore), 'A (rewritten before B failed) is back to its previous rules');
    assert.equal(h.loaded(a).ipf, h.ipf(a), 'and they are loaded again');
  });
});
