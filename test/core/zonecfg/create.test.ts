/**
 * Golden create scripts, one per brand. The joyent case is the
 * docs/vmadm-cli.md §11 example, line for line (written from the spec, not by
 * running the code); the others follow §10's attr rules for each brand.
 * Every script is also fed to the fake zonecfg, which must accept it.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { createScript } from '../../../src/core/zonecfg/script';
import { AppError } from '../../../src/core/errors';
import { IMAGE, NOW, UUID, ZERO, exampleVm, fakeZonecfg, nic, record } from './fixtures';

function zonecfgAccepts(script: string): void {
  const r = spawnSync(fakeZonecfg, ['-z', UUID], { input: script, encoding: 'utf8' });
  assert.equal(r.stderr, '');
  assert.equal(r.status, 0);
}

const HEADER = (brand: string): string[] => [
  'create -b',
  `set zonepath=/zones/${UUID}`,
  `set brand=${brand}`,
  `set uuid=${UUID}`,
  'set ip-type=exclusive',
  'add attr; set name="provisioning"; set type=string; set value=true;end',
  'add attr; set name="vm-version"; set type=string; set value="1"; end',
  'add attr; set name="create-timestamp"; set type=string; set value="2025-01-01T00:00:00.000Z"; end',
];
const RCTLS = (mem: number, limitpriv: string): string[] => [
  'set cpu-shares=100',
  `set limitpriv="${limitpriv}"`,
  'set max-lwps=2000',
  'set max-msg-ids=4096',
  'set max-sem-ids=4096',
  'set max-shm-ids=4096',
  `set max-shm-memory=${mem * 1024 * 1024}`,
  'set zfs-io-priority=100',
];
const OWNER = [
  `add attr; set name="billing-id"; set type=string; set value="${ZERO}"; end`,
  `add attr; set name="owner-uuid"; set type=string; set value="${ZERO}"; end`,
];
const HVM_PRIV = 'default,-file_link_any,-net_access,-proc_fork,-proc_info,-proc_session';
const lines = (s: string): string[] => s.split('\n');

describe('core/zonecfg createScript: golden scripts per brand', () => {
  it('joyent: the vmadm-cli.md §11 example, line for line', () => {
    const expected = [
      ...HEADER('joyent'),
      `add attr; set name=transition; set value="provisioning:running:${NOW + 300000}"; set type=string; end`,
      `add attr; set name="dataset-uuid"; set type=string; set value="${IMAGE}"; end`,
      ...RCTLS(1024, 'default'),
      'set autoboot=true',
      'add capped-memory; set physical=1024m; set locked=1024m; set swap=1024m; end',
      ...OWNER,
      'add attr; set name="tmpfs"; set type=string; set value="1024"; end',
      'add attr; set name="hostname"; set type=string; set value="web01"; end',
      'add attr; set name="dns-domain"; set type=string; set value="local"; end',
      'add attr; set name="firewall-enabled"; set type=string; set value="true"; end',
      'add attr; set name="resolvers"; set type=string; set value="8.8.8.8,2001:4860:4860::8888"; end',
      'add attr; set name="alias"; set type=string; set value="d2ViMDE="; end',
      'add net',
      'set physical=net0',
      'set mac-addr=52:b:7:a:3c:1',
      'set global-nic=external',
      'add property (name=gateway, value="203.0.113.1")',
      'add property (name=gateways, value="203.0.113.1")',
      'add property (name=netmask, value="255.255.255.0")',
      'add property (name=ip, value="203.0.113.10")',
      'add property (name=ips, value="203.0.113.10/24,2001:db8:100::10/64")',
      'set vlan-id=100',
      'add property (name=network_uuid, value="5b4a8a2e-1111-4c4c-8888-0123456789ab")',
      'end',
      'add net',
      'set physical=net1',
      'set mac-addr=52:b:7:a:3c:2',
      'set global-nic=internal',
      'add property (name=netmask, value="255.255.255.0")',
      'add property (name=ip, value="10.0.0.10")',
      'add property (name=ips, value="10.0.0.10/24,addrconf")',
      'add property (name=allowed_ips, value="10.0.0.11")',
      'add property (name=mtu, value="9000")',
      'end',
      'select net mac-addr=52:b:7:a:3c:1; add property (name=primary,value="true"); end',
      'select net mac-addr=52:b:7:a:3c:2; remove -F property (name=primary,value="true"); end',
      '',
    ];
    const script = createScript(exampleVm(), { nowMs: NOW });
    assert.deepEqual(lines(script), expected);
    zonecfgAccepts(script);
  });

  it('joyent-minimal without NICs, alias or hostname: no net, no primary lines, no empty attrs', () => {
    const script = createScript(record('joyent-minimal', { autoboot: false }), { nowMs: NOW });
    assert.deepEqual(lines(script), [
      ...HEADER('joyent-minimal'),
      `add attr; set name=transition; set value="provisioning:stopped:${NOW + 300000}"; set type=string; end`,
      `add attr; set name="dataset-uuid"; set type=string; set value="${IMAGE}"; end`,
      ...RCTLS(256, 'default'),
      'set autoboot=false',
      'add capped-memory; set physical=256m; set locked=256m; set swap=256m; end',
      ...OWNER,
      'add attr; set name="tmpfs"; set type=string; set value="256"; end',
      'add attr; set name="dns-domain"; set type=string; set value="local"; end',
      '',
    ]);
    zonecfgAccepts(script);
  });

  it('lx: kernel-version, restart-init only when false, docker only when true, cpu_cap as capped-cpu', () => {
    const vm = record('lx', {
      kernel_version: '4.3.0', restart_init: false, docker: true, cpu_cap: 150, maintain_resolvers: false,
      nics: [nic({ interface: 'eth0', mac: 'a2:00:00:00:00:0f', nic_tag: 'admin', ips: ['dhcp'] })],
    });
    // a lone NIC is the primary in a stored record
    vm.nics[0].primary = true;
    const script = createScript(vm, { nowMs: NOW, provisioningTimeoutMs: 1000 });
    assert.deepEqual(lines(script), [
      ...HEADER('lx'),
      `add attr; set name=transition; set value="provisioning:running:${NOW + 1000}"; set type=string; end`,
      `add attr; set name="dataset-uuid"; set type=string; set value="${IMAGE}"; end`,
      ...RCTLS(256, 'default'),
      'set autoboot=true',
      'add capped-memory; set physical=256m; set locked=256m; set swap=256m; end',
      'add capped-cpu; set ncpus=1.5; end',
      ...OWNER,
      'add attr; set name="tmpfs"; set type=string; set value="256"; end',
      'add attr; set name="dns-domain"; set type=string; set value="local"; end',
      'add attr; set name="docker"; set type=string; set value="true"; end',
      'add attr; set name="restart-init"; set type=string; set value="false"; end',
      'add attr; set name="kernel-version"; set type=string; set value="4.3.0"; end',
      'add net',
      'set physical=eth0',
      'set mac-addr=a2:0:0:0:0:f',
      'set global-nic=admin',
      'add property (name=ips, value="dhcp")',
      'end',
      'select net mac-addr=a2:0:0:0:0:f; add property (name=primary,value="true"); end',
      '',
    ]);
    zonecfgAccepts(script);
  });

  it('builder: same zone attrs as joyent, fs_allowed as fs-allowed, package name and version', () => {
    const script = createScript(record('builder', { fs_allowed: ['ufs', 'pcfs'], package_name: 'small', package_version: '1.0.0' }), { nowMs: NOW });
    const l = lines(script);
    assert.equal(l[2], 'set brand=builder');
    assert.ok(l.includes('set fs-allowed="ufs,pcfs"'));
    assert.equal(l.indexOf('set fs-allowed="ufs,pcfs"'), l.indexOf('set limitpriv="default"') + 1);
    assert.deepEqual(l.filter((x) => x.startsWith('add attr; set name="package')), [
      'add attr; set name="package-name"; set type=string; set value="small"; end',
      'add attr; set name="package-version"; set type=string; set value="1.0.0"; end',
    ]);
    zonecfgAccepts(script);
  });

  it('kvm: zone autoboot false with vm-autoboot, ram/vcpus attrs, no dataset-uuid/tmpfs/dns-domain, one device per disk, longer timeout for big ram', () => {
    const vm = record('kvm', {
      ram: 8192, max_physical_memory: 9216, max_locked_memory: 9216, max_swap: 9216, max_shm_memory: 9216,
      vnc_password: 'pa"ss;w', disks: [{ path: `/dev/zvol/rdsk/zones/${UUID}-disk0`, boot: true, model: 'virtio', media: 'disk', size: 10240 }],
    });
    const script = createScript(vm, { nowMs: NOW });
    assert.deepEqual(lines(script), [
      ...HEADER('kvm'),
      `add attr; set name=transition; set value="provisioning:running:${NOW + 600000}"; set type=string; end`,
      ...RCTLS(9216, HVM_PRIV),
      'set autoboot=false',
      'add capped-memory; set physical=9216m; set locked=9216m; set swap=9216m; end',
      ...OWNER,
      'add attr; set name="ram"; set type=string; set value="8192"; end',
      'add attr; set name="vcpus"; set type=string; set value="1"; end',
      `add attr; set name="vnc-password"; set type=string; set value="${Buffer.from('pa"ss;w').toString('base64')}"; end`,
      'add attr; set name="vm-autoboot"; set type=string; set value="true"; end',
      'add device',
      `set match=/dev/zvol/rdsk/zones/${UUID}-disk0`,
      'add property (name=boot, value="true")',
      'add property (name=model, value="virtio")',
      'add property (name=media, value="disk")',
      'add property (name=size, value="10240")',
      'end',
      '',
    ]);
    zonecfgAccepts(script);
  });

  it('bhyve: the zone autoboots itself; com1/com2 attrs', () => {
    const script = createScript(record('bhyve', { com1: '/dev/zconsole', com2: 'socket,/tmp/vm.ttyb' }), { nowMs: NOW });
    const l = lines(script);
    assert.ok(l.includes('set autoboot=true'));
    assert.ok(!l.some((x) => x.includes('vm-autoboot')));
    assert.ok(l.includes('add capped-memory; set physical=1536m; set locked=1536m; set swap=1536m; end'));
    assert.ok(l.includes('add attr; set name="com1"; set type=string; set value="/dev/zconsole"; end'));
    assert.ok(l.includes('add attr; set name="com2"; set type=string; set value="socket,/tmp/vm.ttyb"; end'));
    zonecfgAccepts(script);
  });
});

describe('core/zonecfg createScript: what never reaches zonecfg, and what cannot', () => {
  it('tags, metadata, routes and quota are not in the script', () => {
    const vm = exampleVm();
    vm.tags = { role: 'db-marker-tag' };
    vm.customer_metadata = { 'user-script': 'echo meta-marker' };
    vm.internal_metadata = { secret: 'internal-marker' };
    vm.routes = { '10.9.0.0/16': '10.0.0.1' };
    vm.quota = 777;
    const script = createScript(vm, { nowMs: NOW });
    for (const marker of ['db-marker-tag', 'meta-marker', 'internal-marker', '10.9.0.0', '777', 'quota', 'route']) {
      assert.ok(!script.includes(marker), marker);
    }
    assert.equal(script, createScript(exampleVm(), { nowMs: NOW }));
  });

  it('a nic_tag spelling a zonecfg keyword (admin, net) is written bare, as zonecfg takes keywords as values', () => {
    const vm = exampleVm();
    vm.nics[1].nic_tag = 'net';
    const script = createScript(vm, { nowMs: NOW });
    assert.ok(lines(script).includes('set global-nic=net'));
    zonecfgAccepts(script);
  });

  it('a nic_tag with characters zonecfg splits words on is quoted', () => {
    const vm = exampleVm();
    vm.nics[1].nic_tag = 'a b;c#d';
    const script = createScript(vm, { nowMs: NOW });
    assert.ok(lines(script).includes('set global-nic="a b;c#d"'));
    zonecfgAccepts(script);
  });

  for (const [field, bad, why] of [
    ['hostname', 'web\n01', 'a newline'],
    ['hostname', 'we"b', 'a double quote'],
    ['dns_domain', 'a\u0000b', 'the character U+0000'],
  ] as const) {
    it(`${field} holding ${why} is refused with one line naming the property`, () => {
      const vm = exampleVm();
      (vm as Record<string, unknown>)[field] = bad;
      assert.throws(() => createScript(vm, { nowMs: NOW }), (e: unknown) => {
        assert.ok(e instanceof AppError);
        assert.equal(e.message, `${field}: cannot be written to the zone configuration (it contains ${why})`);
        return true;
      });
    });
  }

  it('a resolver holding a quote is refused naming resolvers; a nic_tag with a newline names the NIC', () => {
    const a = exampleVm();
    a.resolvers = ['8.8.8.8', '1.1.1.1"; add attr'];
    assert.throws(() => createScript(a, { nowMs: NOW }), /^AppError: resolvers: cannot be written .*double quote/);
    const b = exampleVm();
    b.nics[1].nic_tag = 'internal\nend';
    assert.throws(() => createScript(b, { nowMs: NOW }), /^AppError: nics\.1\.nic_tag: cannot be written .*newline/);
  });

  it('an alias with quotes, newlines and `end` is base64 and cannot add a command', () => {
    const vm = exampleVm();
    vm.alias = 'x"; end\nadd attr; set name="evil"; end #';
    const script = createScript(vm, { nowMs: NOW });
    assert.ok(lines(script).includes(`add attr; set name="alias"; set type=string; set value="${Buffer.from(vm.alias).toString('base64')}"; end`));
    assert.ok(!script.includes('evil'));
    zonecfgAccepts(script);
  });
});
