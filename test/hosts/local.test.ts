import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HostError } from '../../src/core/errors';
import type { NicRecord, VmRecord } from '../../src/core/vm/record';
import { createScript, updateScript } from '../../src/core/zonecfg/script';
import { selectHost, type Host, type ZoneRef } from '../../src/hosts/host';
import { apply, parse, type Property, type Resource, type ZoneConfig } from '../../src/hosts/zonecfg-model';
import { makeRecord } from '../store/records';

const UUID = '5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11';

describe('hosts/local', () => {
  let root: string;
  let host: Host;
  let zone: ZoneRef;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'localhost-'));
    host = selectHost('local', root, {});
    zone = { zonename: UUID, uuid: UUID, zonepath: path.join(root, 'zones', UUID), brand: 'joyent' };
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const refused = (message: string) => (err: unknown): boolean => {
    assert.ok(err instanceof HostError, String(err));
    assert.equal(err.message, message);
    return true;
  };

  it('is the local kind and needs nothing installed', () => {
    assert.equal(host.kind, 'local');
  });

  it('configured → installed → running → installed → configured → gone', async () => {
    assert.equal(await host.zoneState(zone), undefined);
    await host.configure(zone, 'create -b\n');
    assert.equal(await host.zoneState(zone), 'configured');
    await host.install(zone, { quota: 20, imageUuid: '2b683a82-a066-11e3-97ab-2faa44701c5a' });
    assert.equal(await host.zoneState(zone), 'installed');
    await host.boot(zone);
    assert.equal(await host.zoneState(zone), 'running');
    await host.reboot(zone, false);
    assert.equal(await host.zoneState(zone), 'running');
    await host.halt(zone, false);
    assert.equal(await host.zoneState(zone), 'installed');
    await host.uninstall(zone);
    assert.equal(await host.zoneState(zone), 'configured');
    await host.unconfigure(zone);
    assert.equal(await host.zoneState(zone), undefined);
    // the state survives the process: it is in files under the root
    assert.deepEqual(fs.readdirSync(path.join(root, 'host', 'zones')), []);
  });

  it('keeps each zone in a file under the root', async () => {
    await host.configure(zone, 'create -b\n');
    await host.install(zone, { quota: 20 });
    const z = JSON.parse(fs.readFileSync(path.join(root, 'host', 'zones', `${UUID}.json`), 'utf8'));
    assert.equal(z.state, 'installed');
    assert.equal(z.quota, 20);
    assert.equal(await selectHost('local', root, {}).zoneState(zone), 'installed');
  });

  it('writes every zonecfg script it runs to the zone\'s directory, in order', async () => {
    await host.configure(zone, 'create -b\nset brand=joyent\n');
    await host.reconfigure(zone, 'set autoboot=false\n');
    await host.reconfigure(zone, 'set autoboot=true\n');
    const dir = path.join(zone.zonepath, 'zonecfg');
    assert.deepEqual(fs.readdirSync(dir).sort(), ['1-create.txt', '2-update.txt', '3-update.txt']);
    assert.equal(fs.readFileSync(path.join(dir, '1-create.txt'), 'utf8'), 'create -b\nset brand=joyent\n');
    assert.equal(fs.readFileSync(path.join(dir, '3-update.txt'), 'utf8'), 'set autoboot=true\n');
  });

  it('refuses what zonecfg and zoneadm refuse', async () => {
    await assert.rejects(host.reconfigure(zone, 'x\n'), refused(`zonecfg -u ${UUID} failed: zonecfg:${UUID}: No such zone configured`));
    await assert.rejects(host.boot(zone), refused(`zoneadm -z ${UUID} boot failed: zoneadm: ${UUID}: No such zone configured`));
    await host.configure(zone, 'create -b\n');
    await assert.rejects(host.configure(zone, 'create -b\n'), refused(`zonecfg -z ${UUID} failed: zonecfg:${UUID}: Zone ${UUID} already exists`));
    await assert.rejects(host.boot(zone), refused(`zoneadm -z ${UUID} boot failed: zoneadm: zone '${UUID}': must be installed before boot.`));
    await assert.rejects(host.halt(zone, true), refused(`zoneadm -u ${UUID} halt -X failed: zoneadm: zone '${UUID}': must be installed before halt.`));
    await assert.rejects(host.uninstall(zone), /must be installed before uninstall\.$/);
    await assert.rejects(host.setQuota(zone, 5), refused(`zfs set quota=5g ${zone.zonepath.slice(1)} failed: cannot open '${zone.zonepath.slice(1)}': dataset does not exist`));
    await host.install(zone, { quota: 20 });
    await assert.rejects(host.install(zone, { quota: 20 }), refused(`zoneadm -z ${UUID} install -q 20 -x nodataset failed: zoneadm: zone '${UUID}': is already installed.`));
    await assert.rejects(host.reboot(zone, true), /must be running before reboot\.$/);
    await assert.rejects(host.unconfigure(zone), refused(`zonecfg -z ${UUID} delete -F failed: zonecfg:${UUID}: Zone ${UUID} already installed; delete not allowed.`));
    await host.boot(zone);
    await assert.rejects(host.boot(zone), /zone is already booted\.$/);
    await assert.rejects(host.uninstall(zone), /must be halted before uninstall\.$/);
    assert.equal(await host.zoneState(zone), 'running');
  });

  describe('zonecfg scripts, read and applied as zonecfg does', () => {
    const NOW = Date.UTC(2026, 10, 28, 10);
    const zoneFile = (): string => path.join(root, 'host', 'zones', `${UUID}.json`);
    const scriptsDir = (): string => path.join(zone.zonepath, 'zonecfg');
    /** The zone file's bytes and the scripts kept: what a refusal must leave as it was. */
    const snapshot = (): { file: string; scripts: string[] } => ({
      file: fs.readFileSync(zoneFile(), 'utf8'),
      scripts: fs.readdirSync(scriptsDir()).sort(),
    });
    const storedConfig = (): ZoneConfig => (JSON.parse(fs.readFileSync(zoneFile(), 'utf8')) as { config: ZoneConfig }).config;
    /**
     * A configuration in one order (attrs by name, nets by mac-addr,
     * properties by name): what it holds, not how it got there; without the
     * attrs only a create sets (provisioning, transition: its target state
     * follows autoboot at the time of the create).
     */
    const normal = (c: ZoneConfig): unknown => {
      const by = (key: string) => (a: Resource, b: Resource): number => (String(a[key]) < String(b[key]) ? -1 : String(a[key]) > String(b[key]) ? 1 : 0);
      const props = (ps: Property[] | undefined): Property[] | undefined => ps && [...ps].sort((a, b) => (a.name < b.name ? -1 : 1));
      return {
        ...c,
        attrs: c.attrs.filter((a) => a.name !== 'provisioning' && a.name !== 'transition').sort(by('name')),
        nets: c.nets.map((n) => ({ ...n, properties: props(n.properties) })).sort(by('mac-addr')),
      };
    };
    const record = (over: Partial<VmRecord> = {}): VmRecord => makeRecord(UUID, zone.zonepath, over);
    const net2: NicRecord = { interface: 'net2', mac: '90:b8:d0:02:00:01', nic_tag: 'storage', ips: ['192.168.5.5/24'], vlan_id: 0 };

    it('a create script zonecfg would refuse creates nothing', async () => {
      await assert.rejects(
        host.configure(zone, 'create -b\nadd net\nset physical=net0\n'),
        refused(`zonecfg -z ${UUID} failed: zonecfg:${UUID}: end of input inside resource "net": missing 'end'`),
      );
      await assert.rejects(host.configure(zone, 'set autoboot=true\n'), refused(`zonecfg -z ${UUID} failed: zonecfg:${UUID}: No such zone configured`));
      assert.equal(await host.zoneState(zone), undefined);
      assert.equal(fs.existsSync(zoneFile()), false);
      assert.equal(fs.existsSync(scriptsDir()), false);
    });

    it('an update script zonecfg would refuse is refused whole and changes nothing', async () => {
      await host.configure(zone, createScript(record(), { nowMs: NOW }));
      await host.install(zone, { quota: 20 });
      const before = snapshot();
      const cases: Array<[string, string]> = [
        ['add net\nset physical=net9\n', `end of input inside resource "net": missing 'end'`],
        ['end\n', 'end is only allowed inside a resource on line 1 at \'end\''],
        ['add frob; end\n', 'unknown resource type on line 1 at \'frob\''],
        ['add net; set name=x; end\n', 'unknown property for resource "net" on line 1 at \'name\''],
        ['set autoboot=maybe\n', 'invalid value "maybe" for autoboot on line 1 at \'autoboot\''],
        ['add attr; set name="alias"; set type=string; set value="eA=="; end\n', 'attr "alias" already exists on line 1'],
        ['add net; set physical=net5; set mac-addr=90:b8:d0:0:0:cb; end\n', 'net with mac-addr 90:b8:d0:0:0:cb already exists on line 1'],
        ['select net mac-addr=90:b8:d0:9:9:9; set vlan-id=3; end\n', 'No such net resource on line 1'],
        // the first lines apply, the last is refused: zonecfg takes none of it
        ['set autoboot=false\nremove attr name=alias\nremove attr name=alias\n', 'No such attr resource on line 3'],
        ['create -b\n', `create is not allowed with -u (zone ${UUID} exists)`],
      ];
      for (const [script, message] of cases) {
        await assert.rejects(host.reconfigure(zone, script), refused(`zonecfg -u ${UUID} failed: zonecfg:${UUID}: ${message}`), script);
        assert.deepEqual(snapshot(), before, script);
      }
      assert.equal(await host.zoneState(zone), 'installed');
    });

    it('an update that removes a NIC the zone lacks is refused (the reverse of an update the zone never got)', async () => {
      const vm = record();
      await host.configure(zone, createScript(vm, { nowMs: NOW }));
      const before = snapshot();
      const script = updateScript({ ...vm, nics: [...vm.nics, net2] }, vm);
      assert.equal(script, 'remove net mac-addr=90:b8:d0:2:0:1\n');
      await assert.rejects(host.reconfigure(zone, script), refused(`zonecfg -u ${UUID} failed: zonecfg:${UUID}: No such net resource on line 1`));
      assert.deepEqual(snapshot(), before);
      // the forward update applies, and then its reverse does
      await host.reconfigure(zone, updateScript(vm, { ...vm, nics: [...vm.nics, net2] }));
      await host.reconfigure(zone, script);
      assert.deepEqual(normal(storedConfig()), normal((JSON.parse(before.file) as { config: ZoneConfig }).config));
      assert.deepEqual(fs.readdirSync(scriptsDir()).sort(), ['1-create.txt', '2-update.txt', '3-update.txt']);
    });

    it('the configuration after a create and updates is the one a create of the final record gives', async () => {
      const versions: VmRecord[] = [record()];
      const next = (over: (vm: VmRecord) => Partial<VmRecord>): void => {
        const last = versions[versions.length - 1];
        versions.push({ ...last, ...over(last) });
      };
      next((vm) => ({ nics: [...vm.nics, net2] })); // a NIC added
      next(() => ({ alias: 'db1', hostname: 'db1', max_physical_memory: 2048, max_locked_memory: 2048, max_swap: 2048, resolvers: ['10.0.0.54'] }));
      next((vm) => ({ nics: [{ ...vm.nics[0], primary: undefined }, vm.nics[1], { ...vm.nics[2], primary: true }] })); // the primary moves
      next((vm) => ({ nics: [vm.nics[0], { ...vm.nics[2], ips: ['192.168.5.6/24'], gateways: ['192.168.5.1'] }] })); // one removed, one changed
      next(() => ({ autoboot: false, cpu_shares: 50, firewall_enabled: false }));
      await host.configure(zone, createScript(versions[0], { nowMs: NOW }));
      for (let i = 1; i < versions.length; i++) {
        const script = updateScript(versions[i - 1], versions[i]);
        assert.notEqual(script, '', `update ${i}`);
        await host.reconfigure(zone, script);
      }
      const expected = apply(parse(createScript(versions[versions.length - 1], { nowMs: NOW })));
      // the zone file keeps the zonepath relative to the root, as it keeps its own
      assert.equal(expected.props.zonepath, zone.zonepath);
      expected.props.zonepath = `zones/${UUID}`;
      assert.deepEqual(normal(storedConfig()), normal(expected));
      assert.equal(fs.readdirSync(scriptsDir()).length, versions.length);
    });

    it('a zone file from before configurations were kept: its scripts are applied in order, those zonecfg refuses skipped', async () => {
      const vm = record();
      const withNet2 = { ...vm, nics: [...vm.nics, net2] };
      await host.configure(zone, createScript(vm, { nowMs: NOW }));
      // what the local host wrote before: every script, a reverse one the zone never got the forward of too
      fs.writeFileSync(path.join(scriptsDir(), '2-update.txt'), updateScript(withNet2, vm));
      fs.writeFileSync(path.join(scriptsDir(), '3-update.txt'), 'set autoboot=false\n');
      const old = JSON.parse(fs.readFileSync(zoneFile(), 'utf8')) as { config?: ZoneConfig; scripts: number };
      delete old.config;
      old.scripts = 3;
      fs.writeFileSync(zoneFile(), JSON.stringify(old, null, 2) + '\n');
      await assert.rejects(host.reconfigure(zone, updateScript(withNet2, vm)), /No such net resource on line 1$/);
      await host.reconfigure(zone, updateScript({ ...vm, autoboot: false }, { ...withNet2, autoboot: false }));
      const expected = apply(parse(createScript({ ...withNet2, autoboot: false }, { nowMs: NOW })));
      expected.props.zonepath = `zones/${UUID}`;
      assert.deepEqual(normal(storedConfig()), normal(expected));
    });

    it('a delete in a script deletes a zone that is not installed, and is refused for one that is', async () => {
      await host.configure(zone, 'create -b\n');
      await host.install(zone, { quota: 20 });
      await assert.rejects(host.reconfigure(zone, 'delete -F\n'), refused(`zonecfg -u ${UUID} failed: zonecfg:${UUID}: Zone ${UUID} already installed; delete not allowed.`));
      await host.uninstall(zone);
      await host.reconfigure(zone, 'delete -F\n');
      assert.equal(await host.zoneState(zone), undefined);
    });
  });

  it('a zone name that could leave the root is refused', async () => {
    await assert.rejects(host.configure({ ...zone, zonename: '../x' }, 'create\n'), /invalid zone name/);
  });

  it('quota on an installed zone', async () => {
    await host.configure(zone, 'create -b\n');
    await host.install(zone, { quota: 20 });
    await host.setQuota(zone, 40);
    assert.equal(JSON.parse(fs.readFileSync(path.join(root, 'host', 'zones', `${UUID}.json`), 'utf8')).quota, 40);
  });

  describe('firewall', () => {
    let v4: string;
    let v6: string;
    beforeEach(async () => {
      const cfg = path.join(zone.zonepath, 'config');
      fs.mkdirSync(cfg, { recursive: true });
      v4 = path.join(cfg, 'ipf.conf');
      v6 = path.join(cfg, 'ipf6.conf');
      fs.writeFileSync(v4, '# DO NOT EDIT\n\nblock in all\npass in quick proto tcp from 10.0.0.2 to any port = 22 keep state\npass out quick proto tcp from any to any flags S/SA keep state\n');
      fs.writeFileSync(v6, '# DO NOT EDIT\nblock in all\npass out quick proto ipv6-icmp from any to any keep state\n');
      await host.configure(zone, 'create -b\n');
      await host.install(zone, { quota: 20 });
    });

    it('a running zone: load, then status says running and stats list the loaded rules with 0 hits', async () => {
      await host.boot(zone);
      fs.renameSync(v4, `${v4}.old`); // boot loaded nothing; now load explicitly from other paths
      await host.loadFirewall(zone, `${v4}.old`, v6);
      assert.match(await host.firewallStatus(zone), /^Running: yes$/m);
      assert.equal(
        await host.firewallStats(zone),
        [
          '0 pass out quick proto tcp from any to any flags S/SA keep state',
          '0 pass out quick proto ipv6-icmp from any to any keep state',
          '0 block in all',
          '0 pass in quick proto tcp from 10.0.0.2 to any port = 22 keep state',
          '0 block in all',
          '',
        ].join('\n'),
      );
      assert.deepEqual(fs.readdirSync(path.join(root, 'host', 'ipf', UUID)).sort(), ['ipf.conf', 'ipf6.conf', 'state.json']);
      await host.disableFirewall(zone);
      assert.match(await host.firewallStatus(zone), /^Running: no$/m);
      assert.equal(await host.firewallStats(zone), '');
    });

    it('status answers the ipf -GV shape', async () => {
      await host.boot(zone);
      assert.equal(
        await host.firewallStatus(zone),
        'ipf: IP Filter: v4.1.9 (592)\nKernel: IP Filter: v4.1.9\nRunning: yes\nLog Flags: 0 = none set\nDefault: nomatch -> block all, Logging: available\nActive list: 0\nFeature mask: 0x107\n',
      );
    });

    it('a stopped zone loads nothing (not an error); boot loads the zone\'s files, halt drops them', async () => {
      await host.loadFirewall(zone, v4, v6);
      assert.match(await host.firewallStatus(zone), /^Running: no$/m);
      await host.boot(zone);
      assert.match(await host.firewallStatus(zone), /^Running: yes$/m);
      await host.halt(zone, true);
      assert.match(await host.firewallStatus(zone), /^Running: no$/m);
      assert.equal(fs.existsSync(path.join(root, 'host', 'ipf', UUID)), false);
    });

    it('a missing file fails the load with ipf\'s kind of message', async () => {
      await host.boot(zone);
      await assert.rejects(host.loadFirewall(zone, path.join(root, 'nope'), v6), (err: unknown) => {
        assert.ok(err instanceof HostError);
        assert.match(err.message, /^ipf -G -E -I -Fa -f \S+\/nope -6 -Fa -f \S+ -sy \S+ failed: ipf: ENOENT: no such file or directory/);
        return true;
      });
    });
  });

  it('event-log mode only when VMADM_IPF_EVENT_LOG=1', () => {
    assert.equal(selectHost('local', root, {}).eventLog(), false);
    assert.equal(selectHost('local', root, { VMADM_IPF_EVENT_LOG: '1' }).eventLog(), true);
  });
});
