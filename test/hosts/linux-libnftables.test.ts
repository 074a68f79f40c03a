/**
 * nft scripts through libnftables in this process (hosts/linux/libnftables):
 * a script runs in the namespace named, as one transaction, says nft's own
 * error when refused, and the process comes back to its own namespace
 * every time. Root only (else one skip line).
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { nftLibrary } from '../../src/hosts/linux/libnftables';
import { programPath } from '../../src/hosts/linux/programs';
import { linuxEnv, linuxWorld, ok, removeLinuxWorld, skipUnlessLinux, type LinuxWorld } from '../helpers/linux';
import { run } from '../helpers/run-cli';

const ownNetns = (): number => fs.statSync('/proc/thread-self/ns/net').ino;

function nftList(ns: string): { status: number | null; stdout: string } {
  return spawnSync(programPath('ip') as string, ['netns', 'exec', ns, programPath('nft') as string, 'list', 'ruleset'], { encoding: 'utf8' });
}

describe('linux host: nft scripts through libnftables in the process (root)', () => {
  let prefix = '';
  beforeEach(function () {
    skipUnlessLinux(this);
    prefix = linuxEnv().prefix;
  });
  afterEach(() => {
    if (prefix) removeLinuxWorld(prefix);
  });

  it('runs a script in the namespace named, and only there; a refused script changes nothing and says why', () => {
    const lib = nftLibrary();
    assert.ok(lib, 'libnftables and koffi load here');
    const ns = `${prefix}a`;
    assert.equal(spawnSync(programPath('ip') as string, ['netns', 'add', ns]).status, 0);
    const home = ownNetns();
    const own = spawnSync(programPath('nft') as string, ['list', 'tables'], { encoding: 'utf8' }).stdout;

    assert.equal(lib.run(`/run/netns/${ns}`, 'table inet t {\n  set s { type ipv4_addr; }\n}\nadd element inet t s { 192.0.2.1 }\n'), undefined);
    assert.match(nftList(ns).stdout, /table inet t \{[^]*elements = \{ 192\.0\.2\.1 \}/);
    assert.equal(ownNetns(), home, 'back in its own namespace');
    assert.equal(spawnSync(programPath('nft') as string, ['list', 'tables'], { encoding: 'utf8' }).stdout, own, "the machine's own namespace is untouched");

    // one transaction: the element before the bad line is not added either
    const before = nftList(ns).stdout;
    const why = lib.run(`/run/netns/${ns}`, 'add element inet t s { 192.0.2.2 }\nadd element inet t nosuch { 192.0.2.3 }\n');
    assert.match(why ?? '', /Error: .*(No such file or directory|does not exist)/);
    assert.equal(nftList(ns).stdout, before);
    assert.equal(ownNetns(), home);

    // a namespace that is not there: said, nothing run
    assert.equal(lib.run(`/run/netns/${prefix}missing`, 'add table inet x\n'), `cannot open the namespace /run/netns/${prefix}missing (ENOENT)`);
    assert.equal(ownNetns(), home);
  });
});

describe('linux host: VMADM_LINUX_NFT chooses how tables are loaded (root)', function () {
  this.timeout(60000);
  let w: LinuxWorld | undefined;
  beforeEach(function () {
    skipUnlessLinux(this);
    w = linuxWorld('linux-nft');
  });
  afterEach(() => {
    w?.remove();
    w = undefined;
  });

  it('program: each table is loaded by `ip netns exec <ns> nft -f -`, to the same table', async () => {
    const lx = w as LinuxWorld;
    const spec = {
      brand: 'joyent', uuid: '7a7a7a7a-0000-4000-8000-0000000000f1', image_uuid: '2b683a82-a066-11e3-97ab-2faa44701c5a', firewall_enabled: true, tags: { role: 'web' },
      nics: [{ nic_tag: 'external', ips: ['198.51.100.71/24', '2001:db8::71/64'] }],
    };
    ok(await lx.vm(['create'], JSON.stringify(spec)));
    ok(await lx.fw(['add', '-g', '-e', 'FROM any TO tag role = web ALLOW tcp PORT 443']));
    const ns = `${lx.prefix}${spec.uuid}`;
    const library = nftList(ns).stdout;
    const program = { ...lx.cmdEnv, VMADM_LINUX_NFT: 'program' };
    // the table loaded again, whole, by the program: the same text
    ok(await run('fwadm', ['stop', spec.uuid], { env: program }));
    ok(await run('fwadm', ['start', spec.uuid], { env: program }));
    assert.equal(nftList(ns).stdout.replace(/packets \d+ bytes \d+/g, ''), library.replace(/packets \d+ bytes \d+/g, ''));
    assert.match(library, /tcp dport @in4_0_tcp_port accept/);
    const bad = await run('fwadm', ['list'], { env: { ...lx.cmdEnv, VMADM_LINUX_NFT: 'spawn' } });
    assert.equal(bad.status, 1);
    assert.equal(bad.stderr, 'VMADM_LINUX_NFT: "spawn" is not library or program\n');
  });
});
