import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HostError } from '../../src/core/errors';
import { selectHost, type Host, type ZoneRef } from '../../src/hosts/host';

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
