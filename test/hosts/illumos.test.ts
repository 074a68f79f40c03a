import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HostError } from '../../src/core/errors';
import { selectHost, type Host, type ZoneRef } from '../../src/hosts/host';
import { fakeHost, type FakeHost } from './fixtures';

const UUID = '5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11';
const SCRIPT = `create -b\nset zonepath=/zones/${UUID}\nset brand=joyent\nset uuid=${UUID}\nset ip-type=exclusive\n`;

function hostError(message: string): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof HostError, `a HostError, not ${String(err)}`);
    assert.equal(err.message, message);
    assert.equal(err.exitCode, 1);
    return true;
  };
}

describe('hosts/illumos (against the fake programs)', () => {
  let fake: FakeHost;
  let host: Host;
  const zone: ZoneRef = { zonename: UUID, uuid: UUID, zonepath: `/zones/${UUID}`, brand: 'joyent' };

  beforeEach(() => {
    fake = fakeHost();
    host = selectHost('illumos', '/nonexistent', fake.env);
  });
  afterEach(() => fs.rmSync(fake.dir, { recursive: true, force: true }));

  /** The calls made by one step, then forget them. */
  async function step(fn: () => Promise<unknown>): Promise<{ argv: string[]; stdin: string }[]> {
    const before = fake.calls().length;
    await fn();
    return fake.calls().slice(before);
  }

  async function running(): Promise<void> {
    await host.configure(zone, SCRIPT);
    await host.install(zone, { quota: 20 });
    await host.boot(zone);
  }

  it('is the illumos kind', () => {
    assert.equal(host.kind, 'illumos');
  });

  it('create: zonecfg -z with the script on stdin, zoneadm install with quota and image, boot', async () => {
    assert.deepEqual(await step(() => host.configure(zone, SCRIPT)), [{ argv: ['zonecfg', '-z', UUID], stdin: SCRIPT }]);
    assert.deepEqual(
      (await step(() => host.install(zone, { quota: 20, imageUuid: '2b683a82-a066-11e3-97ab-2faa44701c5a' }))).map((c) => c.argv),
      [['zoneadm', '-z', UUID, 'install', '-q', '20', '-t', '2b683a82-a066-11e3-97ab-2faa44701c5a', '-x', 'nodataset']],
    );
    assert.deepEqual((await step(() => host.boot(zone))).map((c) => c.argv), [['zoneadm', '-z', UUID, 'boot']]);
    assert.equal(await host.zoneState(zone), 'running');
    assert.deepEqual(fake.calls().at(-1)!.argv, ['zoneadm', '-z', UUID, 'list', '-p']);
  });

  it('install without an image leaves out -t', async () => {
    await host.configure(zone, SCRIPT);
    assert.deepEqual((await step(() => host.install(zone, { quota: 5 }))).map((c) => c.argv), [
      ['zoneadm', '-z', UUID, 'install', '-q', '5', '-x', 'nodataset'],
    ]);
  });

  it('update: zonecfg -u <uuid> with the script on stdin', async () => {
    await host.configure(zone, SCRIPT);
    const s = 'select net mac-addr=90:b8:d0:aa:bb:1; set global-nic=internal; end\n';
    assert.deepEqual(await step(() => host.reconfigure(zone, s)), [{ argv: ['zonecfg', '-u', UUID], stdin: s }]);
  });

  it('a refusal is one line naming the program, its arguments and its stderr', async () => {
    await host.configure(zone, SCRIPT);
    await assert.rejects(host.boot(zone), hostError(`zoneadm -z ${UUID} boot failed: zoneadm: zone '${UUID}': must be installed before boot.`));
    await host.install(zone, { quota: 20 });
    await assert.rejects(host.install(zone, { quota: 20 }), hostError(`zoneadm -z ${UUID} install -q 20 -x nodataset failed: zoneadm: zone '${UUID}': is already installed.`));
    await assert.rejects(host.configure(zone, SCRIPT), hostError(`zonecfg -z ${UUID} failed: zonecfg:${UUID}: Zone ${UUID} already exists`));
  });

  it('zoneState is undefined for a zone that does not exist', async () => {
    assert.equal(await host.zoneState(zone), undefined);
  });

  it('a program that cannot be run is a HostError naming it', async () => {
    const h = selectHost('illumos', '/x', { ...fake.env, PATH: path.join(fake.dir, 'empty') });
    await assert.rejects(h.boot(zone), hostError(`zoneadm -z ${UUID} boot failed: cannot run zoneadm (ENOENT)`));
  });

  it('without VMADM_HOST_PATH_LOOKUP the programs are the fixed /usr/sbin ones', async () => {
    const h = selectHost('illumos', '/x', { ...fake.env, VMADM_HOST_PATH_LOOKUP: undefined });
    if (fs.existsSync('/usr/sbin/zoneadm')) return; // a real illumos host: nothing to show here
    await assert.rejects(h.boot(zone), hostError(`zoneadm -z ${UUID} boot failed: cannot run /usr/sbin/zoneadm (ENOENT)`));
    assert.deepEqual(fake.calls(), []);
  });

  it('stop -F: zoneadm -u <uuid> halt -X; reboot -F: zoneadm -u <uuid> reboot -X', async () => {
    await running();
    assert.deepEqual((await step(() => host.reboot(zone, true))).map((c) => c.argv), [['zoneadm', '-u', UUID, 'reboot', '-X']]);
    assert.deepEqual((await step(() => host.halt(zone, true))).map((c) => c.argv), [['zoneadm', '-u', UUID, 'halt', '-X']]);
    assert.equal(fake.zone(UUID)!.state, 'installed');
  });

  it('a graceful stop of an OS zone runs its shutdown in the zone and waits for it', async () => {
    await running();
    const calls = (await step(() => host.halt(zone, false))).map((c) => c.argv);
    assert.deepEqual(calls[0], ['zlogin', '-Q', UUID, '/usr/sbin/shutdown', '-y', '-g', '0', '-i', '5']);
    assert.deepEqual(calls.slice(1), [['zoneadm', '-z', UUID, 'list', '-p']]);
    assert.equal(fake.zone(UUID)!.state, 'installed');
  });

  it('lx: /sbin/shutdown -h now; a zone that ignores it is halted after the timeout', async () => {
    const lx = { ...zone, brand: 'lx' };
    await running();
    const h = selectHost('illumos', '/x', { ...fake.env, FAKE_ZLOGIN_IGNORE: '1', VMADM_STOP_TIMEOUT: '0.3' });
    const calls = (await step(() => h.halt(lx, false))).map((c) => c.argv);
    assert.deepEqual(calls[0], ['zlogin', '-Q', UUID, '/sbin/shutdown', '-h', 'now']);
    assert.deepEqual(calls.at(-1), ['zoneadm', '-u', UUID, 'halt', '-X']);
    assert.equal(fake.zone(UUID)!.state, 'installed');
  });

  it('a graceful reboot runs the zone\'s own reboot', async () => {
    await running();
    assert.deepEqual((await step(() => host.reboot(zone, false))).map((c) => c.argv), [
      ['zlogin', '-Q', UUID, '/usr/sbin/shutdown', '-y', '-g', '0', '-i', '6'],
    ]);
    assert.equal(fake.zone(UUID)!.state, 'running');
  });

  it('delete: uninstall -F then zonecfg delete -F; uninstall of a running zone is refused', async () => {
    await running();
    await assert.rejects(host.uninstall(zone), /zoneadm -z \S+ uninstall -F failed: zoneadm: zone '\S+': must be halted before uninstall\./);
    await host.halt(zone, true);
    assert.deepEqual((await step(() => host.uninstall(zone))).map((c) => c.argv), [['zoneadm', '-z', UUID, 'uninstall', '-F']]);
    assert.deepEqual((await step(() => host.unconfigure(zone))).map((c) => c.argv), [['zonecfg', '-z', UUID, 'delete', '-F']]);
    assert.equal(await host.zoneState(zone), undefined);
  });

  it('quota: zfs set quota=<n>g <zpool>/<uuid>', async () => {
    await host.configure(zone, SCRIPT);
    await assert.rejects(host.setQuota(zone, 30), hostError(`zfs set quota=30g zones/${UUID} failed: cannot open 'zones/${UUID}': dataset does not exist`));
    await host.install(zone, { quota: 20 });
    assert.deepEqual((await step(() => host.setQuota(zone, 30))).map((c) => c.argv), [['zfs', 'set', 'quota=30g', `zones/${UUID}`]]);
    assert.equal(fake.zone(UUID)!.quota, 30);
  });

  describe('firewall', () => {
    let v4: string;
    let v6: string;
    beforeEach(() => {
      v4 = path.join(fake.dir, 'ipf.conf');
      v6 = path.join(fake.dir, 'ipf6.conf');
      fs.writeFileSync(v4, '# header\n\nblock in all\npass out quick proto tcp from any to any flags S/SA keep state\n');
      fs.writeFileSync(v6, 'block in all\npass out quick proto ipv6-icmp from any to any keep state\n');
    });

    it('load: one ipf call with both files; status and stats read back', async () => {
      await running();
      assert.deepEqual((await step(() => host.loadFirewall(zone, v4, v6))).map((c) => c.argv), [
        ['ipf', '-G', '-E', '-I', '-Fa', '-f', v4, '-6', '-Fa', '-f', v6, '-sy', UUID],
      ]);
      const status = await host.firewallStatus(zone);
      assert.match(status, /^Running: yes$/m);
      assert.deepEqual(fake.calls().at(-1)!.argv, ['ipf', '-GV', UUID]);
      assert.equal(
        await host.firewallStats(zone),
        '0 pass out quick proto tcp from any to any flags S/SA keep state\n0 pass out quick proto ipv6-icmp from any to any keep state\n0 block in all\n0 block in all\n',
      );
      assert.deepEqual(fake.calls().at(-1)!.argv, ['ipfstat', '-hoi', '-G', UUID]);
      assert.deepEqual((await step(() => host.disableFirewall(zone))).map((c) => c.argv), [['ipf', '-GD', UUID]]);
      assert.match(await host.firewallStatus(zone), /^Running: no$/m);
      assert.equal(await host.firewallStats(zone), '');
    });

    it('a zone that is not running: load and disable are no error, status says not running', async () => {
      await host.configure(zone, SCRIPT);
      await host.loadFirewall(zone, v4, v6);
      await host.disableFirewall(zone);
      assert.equal(await host.firewallStatus(zone), 'Running: no\n');
      assert.equal(await host.firewallStats(zone), '');
      assert.equal(fake.calls().filter((c) => c.argv[0] === 'ipf').length, 3);
    });

    it('a failing load is a HostError with ipf\'s message', async () => {
      await running();
      const h = selectHost('illumos', '/x', { ...fake.env, FAKE_IPF_FAIL: UUID });
      await assert.rejects(
        h.loadFirewall(zone, v4, v6),
        hostError(`ipf -G -E -I -Fa -f ${v4} -6 -Fa -f ${v6} -sy ${UUID} failed: ipf: ${v4}: load of rules failed (FAKE_IPF_FAIL)`),
      );
    });

    it('event-log mode: VMADM_IPF_EVENT_LOG decides, else /dev/ipfev', () => {
      assert.equal(selectHost('illumos', '/x', { VMADM_IPF_EVENT_LOG: '1' }).eventLog(), true);
      assert.equal(selectHost('illumos', '/x', { VMADM_IPF_EVENT_LOG: '0' }).eventLog(), false);
      assert.equal(selectHost('illumos', '/x', {}).eventLog(), fs.existsSync('/dev/ipfev'));
    });
  });
});
