/**
 * vmadm send and receive (docs/vmadm-cli.md §16.3): a VM moved between two
 * state roots (local host) or two illumos hosts (the fakes' zfs send and
 * recv), arriving with the same `vmadm get` but for its host's fields and
 * with the firewall files `fwadm compile` of the receiving root gives it;
 * the sender stopped as SmartOS's is; refusals (a uuid in use, a terminal,
 * a stream cut, changed or from the other kind of host) leave nothing;
 * an interrupted receive is undone. Killed at each step: test/app/crash.test.ts.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { invariants } from '../../helpers/invariants';
import { mochaCleanup, place, type TestPlace } from '../../helpers/hosts';
import { repoRoot, signalSource } from '../../helpers/run-cli';

const U = '5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11'; // examples/vms/dual-stack-zone.json, firewall enabled

afterEach(mochaCleanup.afterEach);

/** What `vmadm get` shows that is the host's, not the VM's: where its zone is, its state, its boot. */
const HOST_FIELDS = [
  'zonepath', 'state', 'zone_state', 'autoboot', 'last_modified', 'pid', 'zoneid', 'boot_timestamp', 'init_restarts', 'exit_status', 'exit_timestamp', 'server_uuid',
];

function vmPart(vm: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(vm).filter(([k]) => !HOST_FIELDS.includes(k)));
}

async function send(p: TestPlace, uuid = U): Promise<Buffer> {
  const r = await p.vm(['send', uuid]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, `Successfully sent VM ${uuid}\n`);
  return r.stdoutBytes!;
}

/** A place with the receiving root's own firewall rules, so that the VM's files follow from them. */
async function withRules(p: TestPlace): Promise<TestPlace> {
  for (const rule of ['FROM any TO all vms ALLOW tcp PORT 22', 'FROM tag "role" = "db" TO tag "role" = "www" ALLOW tcp PORT 443']) {
    const r = await p.fw(['add', '-g', '-e', rule]);
    assert.equal(r.status, 0, r.stderr);
  }
  return p;
}

/** The files of a tree, with their content (links as their target), but for `skip`. */
function tree(dir: string, skip: (rel: string) => boolean): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (skip(r)) continue;
      if (e.isDirectory()) walk(r);
      else if (e.isSymbolicLink()) out[r] = `-> ${fs.readlinkSync(path.join(dir, r))}`;
      else out[r] = fs.readFileSync(path.join(dir, r), 'utf8');
    }
  };
  walk('');
  return out;
}

describe('vmadm send | vmadm receive', () => {
  it('local host: the VM arrives with the same get (but for its host fields), its zone data, and the firewall files its new root compiles; the sender is stopped', async () => {
    const a = place('local');
    const b = await withRules(place('local'));
    await a.create('dual-stack-zone.json');
    const zp = a.zonepath(U);
    fs.mkdirSync(path.join(zp, 'root', 'etc'), { recursive: true });
    fs.writeFileSync(path.join(zp, 'root', 'etc', 'motd'), 'hello\n');
    fs.chmodSync(path.join(zp, 'root', 'etc', 'motd'), 0o600);
    fs.mkdirSync(path.join(zp, 'data'));
    fs.writeFileSync(path.join(zp, 'data', 'big'), Buffer.alloc(3 * 1024 * 1024, 7)); // more than a frame
    fs.symlinkSync('etc/motd', path.join(zp, 'root', 'motd'));
    const before = await a.get(U);

    const stream = await send(a);
    const r = await b.vm(['receive'], { input: stream });
    assert.deepEqual([r.status, r.stdout, r.stderr], [0, '', `Successfully received VM ${U}\n`]);

    const got = await b.get(U);
    assert.deepEqual(vmPart(got), vmPart(before));
    assert.equal(got.zonepath, b.zonepath(U));
    // as SmartOS leaves it: stopped, its autoboot as sent
    assert.deepEqual([got.state, got.autoboot], ['stopped', true]);
    const sender = await a.get(U);
    assert.deepEqual([sender.state, sender.autoboot], ['stopped', false]);
    // the zone's data, but for the host's own zonecfg/ and the ipf files (this root's)
    const skip = (rel: string): boolean => rel === 'zonecfg' || /^config\/ipf6?\.conf/.test(rel);
    assert.deepEqual(tree(b.zonepath(U), skip), tree(zp, skip));
    assert.equal(fs.statSync(path.join(b.zonepath(U), 'root', 'etc', 'motd')).mode & 0o777, 0o600);
    assert.deepEqual(fs.readdirSync(path.join(b.zonepath(U), 'zonecfg')), ['1-create.txt']);
    // records, zones and files agree in both roots; b's ipf files are fwadm compile of b's rules and VMs
    assert.deepEqual(await invariants(a), []);
    assert.deepEqual(await invariants(b), []);
    assert.match(fs.readFileSync(path.join(b.zonepath(U), 'config', 'ipf.conf'), 'utf8'), /port = 22/);
    // it starts there
    assert.equal((await b.vm(['start', U])).status, 0);
    assert.deepEqual(await invariants(b), []);
  });

  it('the acceptance check: ./bin/vmadm send <uuid> | VMADM_ROOT=<other> ./bin/vmadm receive, through real processes and a pipe', async function () {
    this.timeout(30000);
    const a = place('local');
    const b = await withRules(place('local'));
    await a.create('dual-stack-zone.json');
    const before = await a.get(U);
    const bin = path.join(repoRoot, 'bin', 'vmadm');
    const r = spawnSync('sh', ['-c', `"${bin}" send ${U} | VMADM_ROOT="${b.root}" "${bin}" receive`], { encoding: 'utf8', env: { ...process.env, ...a.env } });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, `Successfully sent VM ${U}\nSuccessfully received VM ${U}\n`);
    assert.deepEqual(vmPart(await b.get(U)), vmPart(before));
    assert.deepEqual(await invariants(b), []);
  });

  it('illumos: zfs snapshot, zfs send -p of the zone\'s dataset, zfs recv on the other host, install -x nodataset; the files of the dataset arrive', async () => {
    const a = place('illumos');
    const b = await withRules(place('illumos'));
    await a.create('dual-stack-zone.json');
    fs.writeFileSync(path.join(a.zonepath(U), 'root-file'), 'zone data\n');
    const before = await a.get(U);
    a.calls();
    const stream = await send(a);
    const ds = `zones/${U}`;
    // stopped as vmadm stop does (autoboot cleared, its shutdown), then its dataset sent
    assert.deepEqual(
      a.calls().filter((c) => !/ list -p$/.test(c)),
      [`zonecfg -u ${U}`, `zlogin -Q ${U} /usr/sbin/shutdown -y -g 0 -i 5`, `zfs destroy ${ds}@vmadm-send`, `zfs snapshot ${ds}@vmadm-send`, `zfs send -p ${ds}@vmadm-send`, `zfs destroy ${ds}@vmadm-send`],
    );
    b.calls();
    const r = await b.vm(['receive'], { input: stream });
    assert.deepEqual([r.status, r.stderr], [0, `Successfully received VM ${U}\n`]);
    const calls = b.calls().filter((c) => !/ list -p$/.test(c));
    assert.deepEqual(calls.slice(0, 4), [`zonecfg -z ${U}`, `zfs recv ${ds}`, `zfs destroy ${ds}@vmadm-send`, `zoneadm -z ${U} install -q 20 -t 2b683a82-a066-11e3-97ab-2faa44701c5a -x nodataset`]);
    assert.equal(fs.readFileSync(path.join(b.zonepath(U), 'root-file'), 'utf8'), 'zone data\n');
    assert.deepEqual(vmPart(await b.get(U)), vmPart(before));
    assert.deepEqual(await invariants(a), []);
    assert.deepEqual(await invariants(b), []);
  });
});

describe('vmadm send and receive: refusals', () => {
  it('a uuid in use on the receiving side: SmartOS\'s "VM with UUID <uuid> already exists", nothing changed', async () => {
    const a = place('local');
    const b = place('local');
    await a.create('dual-stack-zone.json');
    await b.create('dual-stack-zone.json');
    const before = await b.get(U);
    const r = await b.vm(['receive'], { input: await send(a) });
    assert.deepEqual([r.status, r.stderr], [1, `vmadm: VM with UUID ${U} already exists\n`]);
    assert.deepEqual(await b.get(U), before);
  });

  it('send to a terminal: "Cannot send VM to a TTY.", nothing done; an unknown VM; receive from a terminal: usage', async () => {
    const a = place('local');
    await a.create('dual-stack-zone.json');
    const tty = await a.vm(['send', U], { stdoutTty: true });
    assert.deepEqual([tty.status, tty.stdout, tty.stderr], [1, '', 'vmadm: Cannot send VM to a TTY.\n']);
    assert.equal((await a.get(U)).state, 'running');
    const unknown = await a.vm(['send', 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee']);
    assert.deepEqual([unknown.status, unknown.stdout, unknown.stderr], [1, '', 'vmadm: VM aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee not found\n']);
    const recv = await a.vm(['recv'], { tty: true });
    assert.deepEqual([recv.status, recv.stderr], [2, 'vmadm: Will not receive from stdin when stdin is a tty.\n']);
  });

  it('a stream cut anywhere, changed, empty or not a send stream is refused in one line, and nothing of it is left', async () => {
    const a = place('local');
    await a.create('dual-stack-zone.json');
    fs.mkdirSync(path.join(a.zonepath(U), 'root'));
    fs.writeFileSync(path.join(a.zonepath(U), 'root', 'file'), 'x'.repeat(5000));
    const stream = await send(a);
    const b = place('local');
    const tries: [Buffer | string, RegExp][] = [
      ['', /^vmadm: unable to find JSON in stdin\.\n$/],
      ['hello\n', /^vmadm: not a whole vmadm send stream: it does not begin with "VMADM-SEND 1"\n$/],
      [Buffer.concat([stream.subarray(0, 100)]), /^vmadm: not a whole vmadm send stream: it ends in the middle of an item\n$/],
      [stream.subarray(0, stream.length - 1), /^vmadm: not a whole vmadm send stream: it ends in the middle of a line\n$/],
      [stream.subarray(0, stream.lastIndexOf('{"item":"end"')), /^vmadm: not a whole vmadm send stream: it ends before its end line\n$/],
      [Buffer.concat([stream, Buffer.from('more')]), /^vmadm: not a whole vmadm send stream: something follows its end line\n$/],
    ];
    // every cut between the record and the end: refused
    const at = stream.indexOf('{"item":"dir"');
    for (let cut = at; cut < stream.length; cut += Math.ceil((stream.length - at) / 7)) tries.push([stream.subarray(0, cut), /^vmadm: not a whole vmadm send stream: /]);
    const changed = Buffer.from(stream);
    changed[changed.indexOf('xxxx')] = 'y'.charCodeAt(0);
    tries.push([changed, /^vmadm: not a whole vmadm send stream: its checksum does not match \(it was changed or cut\)\n$/]);
    for (const [input, want] of tries) {
      const r = await b.vm(['receive'], { input });
      assert.equal(r.status, 1, `${input.length} bytes: ${r.stderr}`);
      assert.match(r.stderr, want);
      assert.equal((await b.vm(['list', '-H'])).stdout, '');
      assert.ok(!fs.existsSync(b.zonepath(U)), `${input.length} bytes: the zonepath is left`);
      assert.equal(b.zone(U), undefined);
      assert.deepEqual(await invariants(b), []);
    }
    // and the whole stream still arrives
    assert.equal((await b.vm(['receive'], { input: stream })).status, 0);
  });

  it('a local host\'s stream on illumos (and the other way round) is refused before anything is made', async () => {
    const a = place('local');
    await a.create('dual-stack-zone.json');
    const i = place('illumos');
    const r = await i.vm(['receive'], { input: await send(a) });
    assert.deepEqual([r.status, r.stderr], [1, 'vmadm: the stream was sent from the embedded local or linux host: its zone data cannot be received on an illumos host\n']);
    assert.deepEqual(i.calls(), []);
    const j = place('illumos');
    await j.create('dual-stack-zone.json');
    const l = place('local');
    const back = await l.vm(['receive'], { input: await send(j) });
    assert.deepEqual([back.status, back.stderr], [1, 'vmadm: the stream was sent from an illumos host: its zone data cannot be received on the embedded local or linux host\n']);
  });

  it('a MAC another VM of the receiving root holds: "Conflict detected with another vm", nothing made', async () => {
    const a = place('local');
    await a.create('dual-stack-zone.json');
    const mac = (await a.get(U)).nics[0].mac as string;
    const b = place('local');
    await b.create({ brand: 'joyent', image_uuid: '2b683a82-a066-11e3-97ab-2faa44701c5a', nics: [{ nic_tag: 'external', mac, ips: ['10.0.0.9/24'] }] });
    const r = await b.vm(['receive'], { input: await send(a) });
    const holder = JSON.parse((await b.vm(['list', '-j'])).stdout)[0].uuid as string;
    assert.deepEqual([r.status, r.stderr], [1, `vmadm: Conflict detected with another vm, please check the MAC, IP, and VRID (MAC ${mac} is in use by VM ${holder})\n`]);
    assert.equal(b.zone(U), undefined);
  });

  it('a receive interrupted while it receives: undone, "interrupted: nothing was changed", exit 130', async () => {
    const a = place('local');
    await a.create('dual-stack-zone.json');
    const stream = await send(a);
    const b = place('local');
    const signals = signalSource();
    const r = await b.vm(['receive'], {
      input: stream,
      signals,
      crashPoint: (p) => {
        if (p === 'receive:configured') signals.emit('SIGINT', 'SIGINT');
      },
    });
    assert.deepEqual([r.status, r.stderr], [130, 'interrupted: nothing was changed\n']);
    assert.equal(b.zone(U), undefined);
    assert.ok(!fs.existsSync(b.zonepath(U)));
    assert.deepEqual(await invariants(b), []);
  });
});
