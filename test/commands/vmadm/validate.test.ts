/**
 * `vmadm validate create|update` as operators and scripts run it (in this
 * process, as bin/vmadm runs it): -f, stdin, -j, exit statuses, and inputs
 * that must not crash it.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { examplePath, run, spawnCli } from '../../helpers/run-cli';

/** The -j report's three lists, always present (docs/vmadm-cli.md §4). */
const EMPTY = { bad_values: [], bad_properties: [], missing_properties: [] };

const VALID_SPECS = ['dual-stack-zone.json', 'lx-dhcp.json', 'bhyve-vm.json', 'legacy-ipv4.json'];
const IMAGE = '2b683a82-a066-11e3-97ab-2faa44701c5a';

describe('vmadm validate create', () => {
  for (const file of VALID_SPECS) {
    it(`examples/vms/${file} is VALID, exit 0`, async () => {
      const spec = JSON.parse(fs.readFileSync(examplePath('vms', file), 'utf8')) as { brand: string };
      const r = await run('vmadm', ['validate', 'create', '-f', examplePath('vms', file)]);
      assert.deepEqual([r.status, r.stdout, r.stderr], [0, `VALID create payload for ${spec.brand} brand VMs.\n`, '']);
    });
  }

  it('reads stdin', async () => {
    const r = await run('vmadm', ['validate', 'create'], { input: fs.readFileSync(examplePath('vms', 'dual-stack-zone.json'), 'utf8') });
    assert.equal(r.status, 0);
    assert.equal(r.stdout, 'VALID create payload for joyent brand VMs.\n');
  });

  it('examples/vms/invalid/README.txt shows what the command prints', async () => {
    const text = fs.readFileSync(examplePath('vms', 'invalid', 'README.txt'), 'utf8');
    const sessions = text.split(/\n(?=\$ )/);
    assert.ok(sessions.length >= 4);
    for (const session of sessions) {
      const [command, ...output] = session.trimEnd().split('\n');
      const args = command.replace(/^\$ \.\/bin\/vmadm /, '').split(' ');
      const r = await run('vmadm', args);
      assert.equal(r.status, 1, command);
      assert.equal(r.stdout + r.stderr, output.join('\n') + '\n', command);
    }
  });

  it('-j prints the report as one JSON object on stdout, sentences on stderr', async () => {
    const r = await run('vmadm', ['validate', 'create', '-j', '-f', examplePath('vms', 'invalid', 'routes-and-types.json')]);
    assert.equal(r.status, 1);
    assert.deepEqual(JSON.parse(r.stdout), {
      bad_properties: ['nics.0.model'],
      bad_values: ['ram', 'nics.0.vlan_id', 'routes.10.2.0.1/16', 'routes.fd00::/64', 'routes.192.168.0.0/16'],
      missing_properties: [],
    });
    assert.equal(r.stderr.trimEnd().split('\n').length, 6);
  });

  it('a missing brand and an unknown brand', async () => {
    const missing = await run('vmadm', ['validate', 'create', '-j'], { input: '{"nics": []}' });
    assert.deepEqual([missing.status, JSON.parse(missing.stdout)], [1, { ...EMPTY, missing_properties: ['brand'] }]);
    const bad = await run('vmadm', ['validate', 'create', '-j'], { input: '{"brand": "xen"}' });
    assert.deepEqual([bad.status, JSON.parse(bad.stdout)], [1, { bad_brand: 'xen', ...EMPTY }]);
  });

  it('bad JSON: one line naming line and column, exit 1', async () => {
    const r = await run('vmadm', ['validate', 'create'], { input: '{\n  "brand": "joyent",\n  "nics": [,]\n}' });
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^vmadm: Invalid JSON payload: <stdin>: line 3, column 12: .*\n$/);
  });

  it('a payload that is not an object, exit 1', async () => {
    for (const input of ['[]', '"joyent"', 'null', '42']) {
      const r = await run('vmadm', ['validate', 'create'], { input });
      assert.equal(r.status, 1, input);
      assert.match(r.stderr, /^vmadm: <stdin>: a create payload must be a JSON object, not .*\n$/);
    }
  });

  it('deep nesting and a 10 MB payload do not crash it', async () => {
    const deep = await run('vmadm', ['validate', 'create', '-j'], { input: `{"brand": "joyent", "image_uuid": "${IMAGE}", "tags": {"a": ${'['.repeat(100000)}${']'.repeat(100000)}}}` });
    assert.equal(deep.status, 1);
    assert.deepEqual(JSON.parse(deep.stdout), { ...EMPTY, bad_values: ['tags.a'] });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmadm-'));
    const big = path.join(dir, 'big.json');
    fs.writeFileSync(big, JSON.stringify({ brand: 'joyent', image_uuid: IMAGE, customer_metadata: { blob: 'x'.repeat(10 * 1024 * 1024) } }));
    const r = await run('vmadm', ['validate', 'create', '-f', big]);
    fs.rmSync(dir, { recursive: true });
    assert.deepEqual([r.status, r.stdout], [0, 'VALID create payload for joyent brand VMs.\n']);
  });

  it('a bare vmadm is a usage error, as in SmartOS: the usage, a line per command, on stderr, exit 2', async () => {
    const r = await run('vmadm', []);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^Usage: vmadm <command> \[options\]\n\n/);
    for (const cmd of ['create', 'get', 'list', 'lookup', 'update', 'delete', 'start', 'stop', 'reboot', 'validate create', 'validate update']) {
      assert.match(r.stderr, new RegExp(`^${cmd} `, 'm'));
    }
  });

  it('usage errors exit 2', async () => {
    assert.equal((await run('vmadm', ['validate', 'create', '--bogus'])).status, 2);
    assert.equal((await run('vmadm', ['validate', 'create', '-f'])).status, 2);
    assert.equal((await run('vmadm', ['frobnicate'])).status, 2);
    for (const args of [['validate'], ['validate', '-f', 'spec.json'], ['validate', '-j']]) {
      const bare = await run('vmadm', args);
      assert.deepEqual([bare.status, bare.stdout, bare.stderr], [2, '', 'vmadm: Will not validate without a valid action.\n'], args.join(' '));
    }
    const sub = await run('vmadm', ['validate', 'frob']);
    assert.deepEqual([sub.status, sub.stderr], [2, 'vmadm: Invalid command: "validate frob".\n']);
  });

  it('a missing file: one line, exit 1', async () => {
    const r = await run('vmadm', ['validate', 'create', '-f', '/nonexistent.json']);
    assert.deepEqual([r.status, r.stderr], [1, 'vmadm: File: /nonexistent.json does not exist.\n']);
  });
});

describe('vmadm validate update', () => {
  it('without a brand: "VALID update payload."', async () => {
    const r = await run('vmadm', ['validate', 'update', '-f', examplePath('vms', 'update-add-nic.json')]);
    assert.deepEqual([r.status, r.stdout], [0, 'VALID update payload.\n']);
  });

  it('with a brand: "VALID update payload for <brand> brand VMs."', async () => {
    const r = await run('vmadm', ['validate', 'update', 'bhyve'], { input: fs.readFileSync(examplePath('vms', 'update-add-nic.json'), 'utf8') });
    assert.deepEqual([r.status, r.stdout], [0, 'VALID update payload for bhyve brand VMs.\n']);
  });

  it('brand rules apply when the brand is given', async () => {
    const input = JSON.stringify({ add_nics: [{ nic_tag: 'external', ips: ['10.0.0.5/24', 'fd00::5/64'] }] });
    assert.equal((await run('vmadm', ['validate', 'update'], { input })).status, 0);
    const r = await run('vmadm', ['validate', 'update', 'kvm', '-j'], { input });
    assert.deepEqual([r.status, JSON.parse(r.stdout)], [1, { ...EMPTY, bad_values: ['add_nics.0.ips'] }]);
    assert.match(r.stderr, /^add_nics\.0\.ips: .*a kvm VM's NIC takes only/);
  });

  it('an unknown brand is a bad_brand report', async () => {
    const r = await run('vmadm', ['validate', 'update', 'xen', '-j'], { input: '{}' });
    assert.deepEqual([r.status, JSON.parse(r.stdout)], [1, { bad_brand: 'xen', ...EMPTY }]);
  });

  it('--help has examples', async () => {
    const r = await run('vmadm', ['validate', 'update', '--help']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /EXAMPLES[\s\S]*vmadm validate update bhyve -f examples\/vms\/update-add-nic\.json/);
  });
});

describe('vmadm validate: -j output is always JSON', () => {
  it('a valid payload: the report with its three lists empty on stdout, the VALID line on stderr, exit 0', async () => {
    const r = await run('vmadm', ['validate', 'create', '-j', '-f', examplePath('vms', 'dual-stack-zone.json')]);
    assert.deepEqual([r.status, JSON.parse(r.stdout), r.stderr], [0, EMPTY, 'VALID create payload for joyent brand VMs.\n']);
    const u = await run('vmadm', ['validate', 'update', 'bhyve', '-j', '-f', examplePath('vms', 'update-add-nic.json')]);
    assert.deepEqual([u.status, JSON.parse(u.stdout), u.stderr], [0, EMPTY, 'VALID update payload for bhyve brand VMs.\n']);
  });
});

describe('vmadm validate: names from the input cannot forge lines', () => {
  const FORGED = 'VALID create payload for joyent brand VMs.';

  it('route, property, tag and NIC keys holding a newline are printed quoted, one line per problem', async () => {
    const input = JSON.stringify({
      brand: 'joyent',
      [`bogus\n${FORGED}`]: 1,
      routes: { [`10.9.0.0/16\n${FORGED}`]: '10.0.0.1' },
      nics: [{ nic_tag: 'external', ips: ['10.0.0.5/24'], [`x\r${FORGED}`]: 1 }],
    });
    const r = await run('vmadm', ['validate', 'create'], { input });
    assert.equal(r.status, 1);
    for (const line of [...r.stdout.split('\n'), ...r.stderr.split('\n')]) assert.notEqual(line, FORGED);
    assert.doesNotMatch(r.stdout + r.stderr, /[\r\u0000-\u0009\u000b-\u001f]/);
    assert.match(r.stdout, /"bogus\\nVALID create payload for joyent brand VMs\."/);
    assert.match(r.stdout, /"routes\.10\.9\.0\.0\/16\\nVALID create payload for joyent brand VMs\."/);
    const reportLines = r.stdout.trimEnd().split('\n');
    assert.equal(reportLines.length, reportLines.filter((l) => /^(bad_brand|bad_properties|bad_values|missing_properties): /.test(l)).length);
  });

  it('the BRAND argument of validate update', async () => {
    const r = await run('vmadm', ['validate', 'update', `x\nVALID update payload.`], { input: '{}' });
    assert.equal(r.status, 1);
    assert.deepEqual(r.stdout, 'bad_brand: "x\\nVALID update payload."\n');
    assert.equal(r.stderr.split('\n').length, 2);
  });

  it('a -f file name holding a newline or an escape is quoted and escaped', async () => {
    const r = await run('vmadm', ['validate', 'create', '-f', `/nonexistent\n${FORGED}\u001b[2J`]);
    assert.deepEqual([r.status, r.stdout, r.stderr], [1, '', `vmadm: File: "/nonexistent\\n${FORGED}\\x1b[2J" does not exist.\n`]);
  });

  it('control characters in a command name or a flag are escaped', async () => {
    const r = await run('vmadm', ['\u001b[31mred\u0007']);
    assert.deepEqual([r.status, r.stderr], [2, 'vmadm: Invalid command: "\\x1b[31mred\\x07".\n']);
    const f = await run('vmadm', ['validate', 'create', '--bo\rgus']);
    assert.equal(f.status, 2);
    assert.doesNotMatch(f.stderr, /\r/);
    assert.equal(f.stderr.split('\n').length, 2);
  });
});

describe('vmadm validate: what JSON.parse alone gets wrong', () => {
  it('a brand given twice is refused, not read as the last one', async () => {
    const r = await run('vmadm', ['validate', 'create'], { input: '{"brand":"joyent","brand":"kvm","vcpus":2}' });
    assert.deepEqual([r.status, r.stdout, r.stderr], [
      1,
      '',
      'vmadm: Invalid JSON payload: <stdin>: line 1, column 19: duplicate key "brand" (first at line 1, column 2): a key may appear only once in an object\n',
    ]);
  });

  it('a second ips key cannot hide the first', async () => {
    const input = '{"add_nics": [{"nic_tag": "external",\n  "ips": ["fe80::1%net0"],\n  "ips": ["10.0.0.5/24"]}]}';
    const r = await run('vmadm', ['validate', 'update', '-j'], { input });
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^vmadm: Invalid JSON payload: <stdin>: line 3, column 3: duplicate key "ips" in add_nics\.0 \(first at line 2, column 3\)/);
  });

  it('an integer beyond the safe range and an overflowing number are refused as typed', async () => {
    const big = await run('vmadm', ['validate', 'create'], { input: '{"brand": "kvm", "vcpus": 9007199254740993}' });
    assert.deepEqual([big.status, big.stderr], [1, 'vmadm: Invalid JSON payload: <stdin>: line 1, column 27: the number 9007199254740993 is outside the range of exact integers (-9007199254740991 to 9007199254740991)\n']);
    const inf = await run('vmadm', ['validate', 'create'], { input: '{"brand": "kvm", "vcpus": 1e400}' });
    assert.deepEqual([inf.status, inf.stderr], [1, 'vmadm: Invalid JSON payload: <stdin>: line 1, column 27: the number 1e400 is out of range (a JSON number here is at most about 1.8e308)\n']);
  });
});

// Spawned: oclif loads its configuration, reading HOME and XDG_DATA_HOME
// from the process environment, once per process.
describe('vmadm and fwadm read no user plugin files', () => {
  for (const bin of ['vmadm', 'fwadm'] as const) {
    it(`${bin}: a malformed or unreadable package.json in its data directory changes nothing`, () => {
      const home = fs.mkdtempSync(path.join(os.tmpdir(), `${bin}-home-`));
      const xdg = fs.mkdtempSync(path.join(os.tmpdir(), `${bin}-xdg-`));
      try {
        fs.mkdirSync(path.join(home, '.local', 'share', bin), { recursive: true });
        fs.writeFileSync(path.join(home, '.local', 'share', bin, 'package.json'), '{"oclif": {"plugins": [');
        // a directory where the file should be: unreadable as a file, even for root
        fs.mkdirSync(path.join(xdg, bin, 'package.json'), { recursive: true });
        fs.chmodSync(path.join(xdg, bin), 0o000);
        const args = bin === 'vmadm' ? ['validate', 'update'] : ['lint'];
        const input = bin === 'vmadm' ? '{}' : 'FROM any TO all vms ALLOW tcp PORT 22\n';
        const plain = spawnCli(bin, args, { input });
        for (const env of [{ HOME: home }, { HOME: home, XDG_DATA_HOME: xdg }]) {
          const r = spawnCli(bin, args, { input, env });
          assert.deepEqual([r.status, r.stdout, r.stderr], [plain.status, plain.stdout, plain.stderr], JSON.stringify(env));
        }
        assert.equal(plain.status, 0);
      } finally {
        fs.chmodSync(path.join(xdg, bin), 0o755);
        fs.rmSync(home, { recursive: true, force: true });
        fs.rmSync(xdg, { recursive: true, force: true });
      }
    });
  }
});
