/**
 * `fwadm explain`, run in this process as bin/fwadm runs it: on the state
 * the docs use (examples/fwadm/state), on a compile payload (-f), on a
 * state root changed by fwadm add; its output, -j, and its errors.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run, spawnCli, type CliResult } from '../../helpers/run-cli';

const WEB = '5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11';
const OFF = '18c835e3-3a2a-4864-98c4-83c019c3570c';
const RVM = 'b1c2d3e4-1111-4222-8333-444455556666';
const SSH = '0a1b2c3d-1111-4222-8333-444455556666';
const HTTPS = '4c5d6e7f-1111-4222-8333-444455556666';
const DB = '6a1d1b3f-1a4b-4c2d-8e7f-9a0b1c2d3e22';

function explain(...args: string[]): Promise<CliResult> {
  return run('fwadm', ['explain', '--root', 'examples/fwadm/state', ...args]);
}

function ok(r: CliResult): string[] {
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  return r.stdout.trimEnd().split('\n');
}

describe('fwadm explain', () => {
  it('the rule that decides, its text and the target that matched: a remote VM', async () => {
    assert.deepEqual(ok(await explain(WEB, 'in', 'tcp', '203.0.113.9', '443')), [
      'ALLOW',
      `rule ${HTTPS}: FROM vm ${RVM} TO tag "role" = "www" ALLOW tcp PORT 443`,
      `matched: vm ${RVM} (a remote VM)`,
      'replies: ALLOW (no state is kept: they are decided as out packets)',
    ]);
  });

  it('IPv6 and IPv4 alike; the fallbacks, named by their ipf line', async () => {
    assert.deepEqual(ok(await explain(WEB, 'in', 'tcp', '2001:DB8::99', '22')).slice(0, 3), [
      'ALLOW',
      `rule ${SSH}: FROM any TO all vms ALLOW tcp PORT 22`,
      'matched: any',
    ]);
    assert.deepEqual(ok(await explain(WEB, 'in', 'tcp', '2001:db8::99', '80')), ['BLOCK', 'fallback: block in all']);
    assert.deepEqual(ok(await explain(WEB, 'in', 'icmp6', 'fe80::1', '135')), ['ALLOW', 'fallback: pass in quick proto ipv6-icmp from any to any icmp-type 135']);
    assert.deepEqual(ok(await explain(WEB, 'out', 'tcp', '192.0.2.1', '25')), [
      'ALLOW',
      'fallback: pass out quick proto tcp from any to any flags S/SA keep state',
      'replies: ALLOW (ipf keeps state for the exchange)',
    ]);
  });

  it('a disabled rule decides nothing; a VM whose firewall is disabled passes everything', async () => {
    // 9f8e7d6c... (FROM tag role = www TO any BLOCK udp PORT 53) is disabled
    assert.equal(ok(await explain(WEB, 'out', 'udp', '10.0.0.53', '53'))[1], 'fallback: pass out proto udp from any to any keep state');
    assert.deepEqual(ok(await explain(OFF, 'in', 'tcp', '10.0.0.1', '22')), ['ALLOW', `firewall: disabled for VM ${OFF}: it has no ipf rules, every packet passes`]);
  });

  it('-j: the decision as an object', async () => {
    const r = await explain('-j', WEB, 'in', 'icmp', '198.51.100.99', '8');
    assert.deepEqual(JSON.parse(ok(r).join('\n')), {
      vm: WEB,
      packet: { direction: 'in', protocol: 'icmp', peer: '198.51.100.99', type: 8, code: 0 },
      verdict: 'block',
      by: 'fallback',
      file: 'ipf.conf',
      rule: null,
      matched: null,
      fallback: 'block in all',
      reply: null,
      notes: [],
    });
  });

  it('-f: a compile payload, as fwadm compile reads it (a file, or - for standard input)', async () => {
    const lines = [
      'ALLOW',
      'rule a1000000-0000-4000-8000-000000000002: FROM tag "role" = "www" TO tag "role" = "db" ALLOW tcp PORTS 5432, 6000 - 6010',
      `matched: tag "role" = "www" (VM ${WEB})`,
    ];
    assert.deepEqual(ok(await run('fwadm', ['explain', '-f', 'examples/compile/host.json', DB, 'in', 'tcp', '10.0.0.10', '5432'])).slice(0, 3), lines);
    const input = fs.readFileSync('examples/compile/host.json', 'utf8');
    assert.deepEqual(ok(await run('fwadm', ['explain', '-f', '-', DB, 'in', 'tcp', '10.0.0.10', '5432'], { input })).slice(0, 3), lines);
    const bad = await run('fwadm', ['explain', '-f', '-', DB, 'in', 'tcp', '10.0.0.10', '5432'], { input: '{"rules": [{"rule": "FROM any TO all vms ALLOW tcp PORT 22"}]}' });
    assert.deepEqual([bad.status, bad.stdout, bad.stderr], [1, '', 'rules[0]: owner_uuid required\n']);
  });

  it('the stored state as the last change left it', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fwadm-explain-'));
    try {
      const env = { VMADM_ROOT: root, VMADM_HOST: 'local' };
      assert.equal((await run('vmadm', ['create', '-f', 'examples/vms/dual-stack-zone.json'], { env })).status, 0);
      const add = await run('fwadm', ['add', '-e', '-g', 'FROM', 'subnet', '2001:db8::/32', 'TO', 'all', 'vms', 'BLOCK', 'tcp', 'PORT', '22', 'PRIORITY', '5'], { env });
      assert.equal(add.status, 0, add.stderr);
      const uuid = /^([0-9a-f-]{36}) true/m.exec(add.stdout)![1];
      const r = await run('fwadm', ['explain', WEB, 'in', 'tcp', '2001:db8:0:1::30', '22'], { env });
      assert.deepEqual(ok(r), ['BLOCK', `rule ${uuid}: FROM subnet 2001:db8::/32 TO all vms BLOCK tcp PORT 22 PRIORITY 5`, 'matched: subnet 2001:db8::/32']);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  describe('errors', () => {
    const usage: Array<[string[], string]> = [
      [[WEB], 'missing direction: in or out'],
      [[WEB, 'in', 'tcp', '10.0.0.1'], 'tcp: give the destination port (1-65535)'],
      [[WEB, 'in', 'icmp', '2001:db8::1', '8'], 'icmp is ICMPv4, but the peer 2001:db8::1 is an IPv6 address: use icmp6'],
      [[WEB, 'in', 'icmp6', '10.0.0.1', '128'], 'icmp6 is ICMPv6, but the peer 10.0.0.1 is an IPv4 address: use icmp'],
      [[WEB, 'in', 'tcp', 'example.com', '22'], 'peer address "example.com" is not a valid IPv4 or IPv6 address'],
      [[WEB, 'in', 'tcp', '10.0.0.1', '22', '23'], 'unexpected argument "23": explain takes one packet'],
    ];
    for (const [args, message] of usage) {
      it(`${args.slice(1).join(' ') || '(no packet)'}: ${message}, exit status 2`, async () => {
        const r = await explain(...args);
        assert.deepEqual([r.status, r.stdout, r.stderr], [2, '', message + '\n']);
      });
    }

    it('-j: usage errors as {"errors": [...]} on standard error', async () => {
      const r = await explain('-j', WEB, 'sideways', 'tcp', '10.0.0.1', '22');
      assert.equal(r.status, 2);
      assert.deepEqual(JSON.parse(r.stderr), { errors: [{ message: 'direction must be in or out, got "sideways"' }] });
    });

    it('a bad or missing uuid, an unknown VM, a remote VM: exit status 1', async () => {
      const cases: Array<[string[], string]> = [
        [[], 'Error: missing UUID'],
        [['WEB', 'in', 'tcp', '10.0.0.1', '22'], 'Error: invalid UUID "WEB"'],
        [['00000000-0000-4000-8000-000000000000', 'in', 'tcp', '10.0.0.1', '22'], 'VM "00000000-0000-4000-8000-000000000000" not found'],
        [[RVM, 'in', 'tcp', '10.0.0.1', '22'], `VM "${RVM}" not found: it is a remote VM, whose firewall is on its own host`],
      ];
      for (const [args, message] of cases) {
        const r = await explain(...args);
        assert.deepEqual([r.status, r.stdout, r.stderr], [1, '', message + '\n'], args.join(' '));
      }
    });
  });

  it('--help: what it answers, with examples on the state the docs use', () => {
    const r = spawnCli('fwadm', ['explain', '--help']);
    assert.deepEqual([r.status, r.stderr], [0, '']);
    assert.match(r.stdout, /fwadm explain --root examples\/fwadm\/state 5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11 in tcp 203\.0\.113\.9 443/);
    assert.match(r.stdout, /-f, --file=FILE/);
  });
});
