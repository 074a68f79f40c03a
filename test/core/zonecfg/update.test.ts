/**
 * Update scripts (`zonecfg -u <uuid>`): the exact text for each kind of
 * change, and, for every case, that the script applied to the zone the
 * create script made gives the zone the create script of the new record
 * would make (through the fake zonecfg's parser).
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { createScript, updateScript } from '../../../src/core/zonecfg/script';
import type { VmRecord } from '../../../src/core/vm/record';
import { NOW, UUID, exampleVm, fakeZonecfg, nic, normalise, zparse } from './fixtures';

function clone(vm: VmRecord): VmRecord {
  return JSON.parse(JSON.stringify(vm)) as VmRecord;
}

/** updateScript(before, after), checked to take the zone of `before` to the zone of `after`. */
function update(before: VmRecord, after: VmRecord): string {
  const script = updateScript(before, after);
  const zone = zparse.apply(zparse.parse(createScript(before, { nowMs: NOW })));
  const updated = zparse.apply(zparse.parse(script), zone);
  const expected = zparse.apply(zparse.parse(createScript(after, { nowMs: NOW })));
  assert.deepEqual(normalise(updated), normalise(expected));
  return script;
}

const PRIMARY_1 = 'select net mac-addr=52:b:7:a:3c:1; add property (name=primary,value="true"); end';
const NOT_PRIMARY_2 = 'select net mac-addr=52:b:7:a:3c:2; remove -F property (name=primary,value="true"); end';

describe('core/zonecfg updateScript', () => {
  it('is empty when nothing zonecfg holds changed (tags, metadata, routes, quota, state, last_modified)', () => {
    const a = exampleVm();
    const b = clone(a);
    b.tags = { role: 'db' };
    b.customer_metadata = { k: 'v' };
    b.internal_metadata = { x: 'y' };
    b.routes = { '10.1.0.0/16': '10.0.0.1' };
    b.quota = 50;
    b.state = 'running';
    b.last_modified = '2025-02-02T00:00:00.000Z';
    assert.equal(update(a, b), '');
    assert.equal(update(a, clone(a)), '');
  });

  it('adding a NIC: its add net block; the primary NIC keeps its flag untouched', () => {
    const a = exampleVm();
    const b = clone(a);
    b.nics.push(nic({ interface: 'net2', mac: '52:0b:07:0a:3c:03', nic_tag: 'storage', ips: ['192.168.5.5/16'] }));
    assert.equal(update(a, b), [
      'add net',
      'set physical=net2',
      'set mac-addr=52:b:7:a:3c:3',
      'set global-nic=storage',
      'add property (name=netmask, value="255.255.0.0")',
      'add property (name=ip, value="192.168.5.5")',
      'add property (name=ips, value="192.168.5.5/16")',
      'end',
      '',
    ].join('\n'));
  });

  it('removing a NIC: remove net by its mac-addr', () => {
    const a = exampleVm();
    const b = clone(a);
    b.nics.pop();
    assert.equal(update(a, b), ['remove net mac-addr=52:b:7:a:3c:2', ''].join('\n'));
  });

  it('removing the primary NIC when another becomes primary', () => {
    const a = exampleVm();
    const b = clone(a);
    b.nics.shift();
    b.nics[0].primary = true;
    assert.equal(update(a, b), [
      'remove net mac-addr=52:b:7:a:3c:1',
      'select net mac-addr=52:b:7:a:3c:2; add property (name=primary,value="true"); end',
      '',
    ].join('\n'));
  });

  it('changing a NIC (update_nics): remove net mac-addr=<m> and the full add net block', () => {
    const a = exampleVm();
    const b = clone(a);
    b.nics[1].ips = ['10.0.0.20/24', 'addrconf'];
    b.nics[1].vlan_id = 7;
    delete b.nics[1].mtu;
    assert.equal(update(a, b), [
      'remove net mac-addr=52:b:7:a:3c:2',
      'add net',
      'set physical=net1',
      'set mac-addr=52:b:7:a:3c:2',
      'set global-nic=internal',
      'add property (name=netmask, value="255.255.255.0")',
      'add property (name=ip, value="10.0.0.20")',
      'add property (name=ips, value="10.0.0.20/24,addrconf")',
      'add property (name=allowed_ips, value="10.0.0.11")',
      'set vlan-id=7',
      'end',
      '',
    ].join('\n'));
  });

  it('changing the primary NIC: re-added whole, then its primary flag set again', () => {
    const a = exampleVm();
    const b = clone(a);
    b.nics[0].gateways = ['203.0.113.254'];
    const script = update(a, b);
    assert.ok(script.startsWith('remove net mac-addr=52:b:7:a:3c:1\nadd net\nset physical=net0\n'));
    assert.ok(script.includes('add property (name=gateway, value="203.0.113.254")\n'));
    assert.ok(script.endsWith(`end\n${PRIMARY_1}\n`));
    assert.ok(!script.includes(NOT_PRIMARY_2));
  });

  it('moving the primary flag only: the select lines, no net re-added', () => {
    const a = exampleVm();
    const b = clone(a);
    delete b.nics[0].primary;
    b.nics[1].primary = true;
    assert.equal(update(a, b), [
      'select net mac-addr=52:b:7:a:3c:2; add property (name=primary,value="true"); end',
      'select net mac-addr=52:b:7:a:3c:1; remove -F property (name=primary,value="true"); end',
      '',
    ].join('\n'));
  });

  it('setting rctls and limit_priv overwrites them with set', () => {
    const a = exampleVm();
    const b = clone(a);
    b.cpu_shares = 250;
    b.max_lwps = 5000;
    b.limit_priv = 'default,dtrace_user';
    assert.equal(update(a, b), ['set cpu-shares=250', 'set limitpriv="default,dtrace_user"', 'set max-lwps=5000', ''].join('\n'));
  });

  it('changing memory replaces capped-memory; max_shm_memory is in bytes', () => {
    const a = exampleVm();
    const b = clone(a);
    b.max_physical_memory = 2048;
    b.max_locked_memory = 2048;
    b.max_swap = 4096;
    b.max_shm_memory = 2048;
    assert.equal(update(a, b), [
      'remove capped-memory',
      'set max-shm-memory=2147483648',
      'add capped-memory; set physical=2048m; set locked=2048m; set swap=4096m; end',
      '',
    ].join('\n'));
  });

  it('setting, changing and unsetting attrs: alias (base64), hostname, firewall_enabled, resolvers', () => {
    const a = exampleVm();
    const b = clone(a);
    b.alias = 'web02';
    delete b.hostname;
    b.firewall_enabled = false;
    b.resolvers = [];
    b.do_not_inventory = true;
    assert.equal(update(a, b), [
      'remove attr name=hostname',
      'remove attr name=firewall-enabled',
      'remove attr name=resolvers',
      'remove attr name=alias',
      'add attr; set name="do-not-inventory"; set type=string; set value="true"; end',
      'add attr; set name="alias"; set type=string; set value="d2ViMDI="; end',
      '',
    ].join('\n'));
  });

  it('cpu_cap set, changed, unset (0 removes capped-cpu); fs_allowed unset is cleared', () => {
    const a = exampleVm();
    const b = clone(a);
    b.cpu_cap = 200;
    b.fs_allowed = 'ufs';
    assert.equal(update(a, b), ['set fs-allowed="ufs"', 'add capped-cpu; set ncpus=2; end', ''].join('\n'));
    const c = clone(b);
    c.cpu_cap = 50;
    assert.equal(update(b, c), ['remove capped-cpu', 'add capped-cpu; set ncpus=0.5; end', ''].join('\n'));
    const d = clone(c);
    d.cpu_cap = 0;
    delete d.fs_allowed;
    assert.equal(update(c, d), ['clear fs-allowed', 'remove capped-cpu', ''].join('\n'));
  });

  it('every update script above is accepted by the fake zonecfg -u', () => {
    const a = exampleVm();
    const b = clone(a);
    b.alias = 'x"; end\nadd net; end';
    b.nics.pop();
    b.nics.push(nic({ interface: 'net1', mac: '52:0b:07:0a:3c:09', nic_tag: 'internal', ips: ['10.0.0.9/24'] }));
    b.cpu_shares = 7;
    const script = update(a, b);
    const r = spawnSync(fakeZonecfg, ['-u', UUID], { input: script, encoding: 'utf8' });
    assert.equal(r.stderr, '');
    assert.equal(r.status, 0);
  });
});
