/**
 * `vmadm validate create|update` as operators and scripts run it: -f,
 * stdin, -j, exit statuses, and inputs that must not crash it.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { examplePath, runCli } from '../../helpers/run-cli';

const VALID_SPECS = ['dual-stack-zone.json', 'lx-dhcp.json', 'bhyve-vm.json', 'legacy-ipv4.json'];

describe('vmadm validate create', () => {
  for (const file of VALID_SPECS) {
    it(`examples/vms/${file} is VALID, exit 0`, () => {
      const spec = JSON.parse(fs.readFileSync(examplePath('vms', file), 'utf8')) as { brand: string };
      const r = runCli('vmadm', ['validate', 'create', '-f', examplePath('vms', file)]);
      assert.deepEqual([r.status, r.stdout, r.stderr], [0, `VALID create payload for ${spec.brand} brand VMs.\n`, '']);
    });
  }

  it('reads stdin', () => {
    const r = runCli('vmadm', ['validate', 'create'], { input: fs.readFileSync(examplePath('vms', 'dual-stack-zone.json'), 'utf8') });
    assert.equal(r.status, 0);
    assert.equal(r.stdout, 'VALID create payload for joyent brand VMs.\n');
  });

  it('examples/vms/invalid/README.txt shows what the command prints', () => {
    const text = fs.readFileSync(examplePath('vms', 'invalid', 'README.txt'), 'utf8');
    const sessions = text.split(/\n(?=\$ )/);
    assert.ok(sessions.length >= 4);
    for (const session of sessions) {
      const [command, ...output] = session.trimEnd().split('\n');
      const args = command.replace(/^\$ \.\/bin\/vmadm /, '').split(' ');
      const r = runCli('vmadm', args);
      assert.equal(r.status, 1, command);
      assert.equal(r.stdout + r.stderr, output.join('\n') + '\n', command);
    }
  });

  it('-j prints the report as one JSON object on stdout, sentences on stderr', () => {
    const r = runCli('vmadm', ['validate', 'create', '-j', '-f', examplePath('vms', 'invalid', 'routes-and-types.json')]);
    assert.equal(r.status, 1);
    assert.deepEqual(JSON.parse(r.stdout), {
      bad_properties: ['nics.0.model'],
      bad_values: ['ram', 'nics.0.vlan_id', 'routes.10.2.0.1/16', 'routes.fd00::/64', 'routes.192.168.0.0/16'],
    });
    assert.equal(r.stderr.trimEnd().split('\n').length, 6);
  });

  it('a missing brand and an unknown brand', () => {
    const missing = runCli('vmadm', ['validate', 'create', '-j'], { input: '{"nics": []}' });
    assert.deepEqual([missing.status, JSON.parse(missing.stdout)], [1, { missing_properties: ['brand'] }]);
    const bad = runCli('vmadm', ['validate', 'create', '-j'], { input: '{"brand": "xen"}' });
    assert.deepEqual([bad.status, JSON.parse(bad.stdout)], [1, { bad_brand: 'xen' }]);
  });

  it('bad JSON: one line naming line and column, exit 1', () => {
    const r = runCli('vmadm', ['validate', 'create'], { input: '{\n  "brand": "joyent",\n  "nics": [,]\n}' });
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^vmadm: <stdin>: invalid JSON at line 3, column 12: .*\n$/);
  });

  it('a payload that is not an object, exit 1', () => {
    for (const input of ['[]', '"joyent"', 'null', '42']) {
      const r = runCli('vmadm', ['validate', 'create'], { input });
      assert.equal(r.status, 1, input);
      assert.match(r.stderr, /^vmadm: <stdin>: a create payload must be a JSON object, not .*\n$/);
    }
  });

  it('deep nesting and a 10 MB payload do not crash it', () => {
    const deep = runCli('vmadm', ['validate', 'create', '-j'], { input: `{"brand": "joyent", "tags": {"a": ${'['.repeat(100000)}${']'.repeat(100000)}}}` });
    assert.equal(deep.status, 1);
    assert.deepEqual(JSON.parse(deep.stdout), { bad_values: ['tags.a'] });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmadm-'));
    const big = path.join(dir, 'big.json');
    fs.writeFileSync(big, JSON.stringify({ brand: 'joyent', customer_metadata: { blob: 'x'.repeat(10 * 1024 * 1024) } }));
    const r = runCli('vmadm', ['validate', 'create', '-f', big]);
    fs.rmSync(dir, { recursive: true });
    assert.deepEqual([r.status, r.stdout], [0, 'VALID create payload for joyent brand VMs.\n']);
  });

  it('usage errors exit 2', () => {
    assert.equal(runCli('vmadm', ['validate', 'create', '--bogus']).status, 2);
    assert.equal(runCli('vmadm', ['validate', 'create', '-f']).status, 2);
    assert.equal(runCli('vmadm', ['frobnicate']).status, 2);
    const sub = runCli('vmadm', ['validate', 'frob']);
    assert.deepEqual([sub.status, sub.stderr], [2, 'vmadm: command "validate frob" not found (see vmadm --help)\n']);
  });

  it('a missing file: one line, exit 1', () => {
    const r = runCli('vmadm', ['validate', 'create', '-f', '/nonexistent.json']);
    assert.deepEqual([r.status, r.stderr], [1, 'vmadm: /nonexistent.json: cannot read input: ENOENT\n']);
  });
});

describe('vmadm validate update', () => {
  it('without a brand: "VALID update payload."', () => {
    const r = runCli('vmadm', ['validate', 'update', '-f', examplePath('vms', 'update-add-nic.json')]);
    assert.deepEqual([r.status, r.stdout], [0, 'VALID update payload.\n']);
  });

  it('with a brand: "VALID update payload for <brand> brand VMs."', () => {
    const r = runCli('vmadm', ['validate', 'update', 'bhyve'], { input: fs.readFileSync(examplePath('vms', 'update-add-nic.json'), 'utf8') });
    assert.deepEqual([r.status, r.stdout], [0, 'VALID update payload for bhyve brand VMs.\n']);
  });

  it('brand rules apply when the brand is given', () => {
    const input = JSON.stringify({ add_nics: [{ nic_tag: 'external', ips: ['10.0.0.5/24', 'fd00::5/64'] }] });
    assert.equal(runCli('vmadm', ['validate', 'update'], { input }).status, 0);
    const r = runCli('vmadm', ['validate', 'update', 'kvm', '-j'], { input });
    assert.deepEqual([r.status, JSON.parse(r.stdout)], [1, { bad_values: ['add_nics.0.ips'] }]);
    assert.match(r.stderr, /^add_nics\.0\.ips: .*a kvm VM's NIC takes only/);
  });

  it('an unknown brand is a bad_brand report', () => {
    const r = runCli('vmadm', ['validate', 'update', 'xen', '-j'], { input: '{}' });
    assert.deepEqual([r.status, JSON.parse(r.stdout)], [1, { bad_brand: 'xen' }]);
  });

  it('--help has examples', () => {
    const r = runCli('vmadm', ['validate', 'update', '--help']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /EXAMPLES[\s\S]*vmadm validate update bhyve -f examples\/vms\/update-add-nic\.json/);
  });
});
