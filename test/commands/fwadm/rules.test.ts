/**
 * fwadm's stateful commands, run in this process as bin/fwadm and
 * bin/vmadm run them, on the embedded local host (a temp VMADM_ROOT):
 * every command's -j output, unknown uuids changing nothing, 20 parallel
 * adds, the vmadm hooks, and the files on disk always equal to `fwadm
 * compile` of the stored rules and VMs (property).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { run, type CliResult } from '../../helpers/run-cli';

const OWNER = '930896af-bf8c-48d4-885c-6573a94b1853';
const WEB = '5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11';
const DB = '6a1d1b3f-1a4b-4c2d-8e7f-9a0b1c2d3e22';
const OFF = '7b2e2c4a-2b5c-4d3e-9f80-ab1c2d3e4f33';
const RVM = 'b1c2d3e4-1111-4222-8333-444455556666';

interface Host {
  root: string;
  env: NodeJS.ProcessEnv;
  fw(args: string[], input?: string): Promise<CliResult>;
  vm(args: string[], input?: string): Promise<CliResult>;
  /** fwadm ... -j, exit 0, parsed. */
  fwJson<T = unknown>(args: string[], input?: string): Promise<T>;
  files(uuid: string): { ipf?: string; ipf6?: string };
}

function vmPayload(uuid: string, n: number, tags: Record<string, string>, firewall: boolean): string {
  return JSON.stringify({
    brand: 'joyent',
    uuid,
    alias: `vm${n}`,
    owner_uuid: OWNER,
    image_uuid: '2b683a82-a066-11e3-97ab-2faa44701c5a',
    firewall_enabled: firewall,
    tags,
    nics: [{ nic_tag: 'external', ips: [`198.51.100.${10 + n}/24`, `2001:db8:0:1::${10 + n}/64`], gateways: ['198.51.100.1'] }],
  });
}

const roots: string[] = [];
after(() => {
  for (const root of roots.splice(0)) fs.rmSync(root, { recursive: true, force: true });
});

async function newHost(vms: boolean): Promise<Host> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fwadm-'));
  roots.push(root);
  const env = { VMADM_ROOT: root, VMADM_HOST: 'local', TZ: 'UTC' };
  const h: Host = {
    root,
    env,
    fw: (args, input) => run('fwadm', args, { env, input }),
    vm: (args, input) => run('vmadm', args, { env, input }),
    async fwJson<T>(args: string[], input?: string): Promise<T> {
      const r = await h.fw([...args, '-j'], input);
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout) as T;
    },
    files(uuid) {
      const dir = path.join(root, 'zones', uuid, 'config');
      const read = (f: string): string | undefined => (fs.existsSync(path.join(dir, f)) ? fs.readFileSync(path.join(dir, f), 'utf8') : undefined);
      return { ipf: read('ipf.conf'), ipf6: read('ipf6.conf') };
    },
  };
  if (vms) {
    for (const [uuid, n, tags, fwOn] of [
      [WEB, 1, { role: 'www' }, true],
      [DB, 2, { role: 'db' }, true],
      [OFF, 3, { role: 'db' }, false],
    ] as const) {
      const r = await h.vm(['create'], vmPayload(uuid, n, tags, fwOn));
      assert.equal(r.status, 0, r.stderr);
    }
  }
  return h;
}

/** Drop the "File generated at" line: the rest must be equal. */
function undated(text: string | undefined): string | undefined {
  return text?.replace(/^# File generated at .*$/m, '# File generated at -');
}

/** `fwadm compile` of what is stored: the VM records, the rules, the remote VMs. */
async function compiledFromStore(h: Host): Promise<Record<string, { ipf: string; ipf6: string }>> {
  const vms = fs
    .readdirSync(path.join(h.root, 'vms'))
    .filter((n) => n.endsWith('.json'))
    .sort()
    .map((n) => JSON.parse(fs.readFileSync(path.join(h.root, 'vms', n), 'utf8')));
  const rules = await h.fwJson<unknown[]>(['list']);
  const remoteVMs = JSON.parse((await h.fw(['list-rvms'])).stdout) as unknown[];
  const r = await run('fwadm', ['compile', '-j'], { input: JSON.stringify({ vms, rules, remoteVMs }), env: { SOURCE_DATE_EPOCH: '0' } });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, { ipf: string; ipf6: string }>;
}

async function assertFilesMatchCompile(h: Host): Promise<void> {
  const compiled = await compiledFromStore(h);
  for (const uuid of [WEB, DB, OFF]) {
    const onDisk = h.files(uuid);
    const want = compiled[uuid];
    assert.deepEqual(
      { ipf: undated(onDisk.ipf), ipf6: undated(onDisk.ipf6) },
      { ipf: undated(want?.ipf), ipf6: undated(want?.ipf6) },
      `files of ${uuid}`,
    );
  }
}

function storedRuleFiles(h: Host): string[] {
  const dir = path.join(h.root, 'fw', 'rules');
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}

describe('fwadm rule commands (local host)', function () {
  this.timeout(120000);
  let h: Host;
  let ruleA: string;
  let ruleB: string;

  before(async () => {
    h = await newHost(true);
  });

  it('add -j: the rule in canonical text, the VMs whose files were written', async () => {
    const res = await h.fwJson<{ vms: string[]; rules: { uuid: string; rule: string; enabled: boolean; owner_uuid: string; description: string }[] }>([
      'add', '-e', '-O', OWNER, '--desc', 'https from db', 'FROM', 'tag', 'role', '=', 'db', 'TO', 'tag', 'role', '=', 'www', 'ALLOW', 'tcp', 'PORT', '443',
    ]);
    assert.equal(res.rules.length, 1);
    assert.equal(res.rules[0].rule, 'FROM tag "role" = "db" TO tag "role" = "www" ALLOW tcp PORT 443');
    assert.equal(res.rules[0].description, 'https from db');
    assert.deepEqual(res.vms, [WEB]);
    ruleA = res.rules[0].uuid;
    assert.match(h.files(WEB).ipf6 ?? '', /pass in quick proto tcp from 2001:db8:0:1::12 to any port = 443/);
    assert.match(h.files(WEB).ipf6 ?? '', /pass in quick proto tcp from 2001:db8:0:1::13 to any port = 443/);
    assert.equal(h.files(OFF).ipf, undefined, 'a firewall-disabled VM gets no files');
    await assertFilesMatchCompile(h);
  });

  it('add: text output; re-adding the same rule (same uuid, text, flags) writes nothing and prints an empty line', async () => {
    const r = await h.fw(['add', '-g', 'FROM', 'any', 'TO', 'all', 'vms', 'ALLOW', 'tcp', 'PORT', '22']);
    assert.equal(r.status, 0, r.stderr);
    const m = /^Added rules:\n([0-9a-f-]{36}) false   FROM any TO all vms ALLOW tcp PORT 22\n$/.exec(r.stdout);
    assert.ok(m, r.stdout);
    ruleB = m[1];
    const stored = await h.fwJson<{ version: string }>(['get', ruleB]);
    const again = await h.fw(['add', '-f', '-'], JSON.stringify({ uuid: ruleB, global: true, rule: 'FROM any TO all vms ALLOW tcp PORT 22' }));
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.stdout, '\n');
    assert.equal((await h.fwJson<{ version: string }>(['get', ruleB])).version, stored.version);
  });

  it('get, list, rules, vms -j', async () => {
    const got = await h.fwJson<Record<string, unknown>>(['get', ruleA]);
    assert.deepEqual(Object.keys(got), ['description', 'enabled', 'log', 'owner_uuid', 'rule', 'uuid', 'version']);
    const list = await h.fwJson<{ uuid: string }[]>(['list']);
    assert.deepEqual(list.map((r) => r.uuid), [ruleA, ruleB].sort());
    assert.deepEqual((await h.fwJson<{ rule: string }[]>(['list', '-o', 'rule'])).map((r) => Object.keys(r)), [['rule'], ['rule']]);
    assert.deepEqual((await h.fwJson<{ uuid: string }[]>(['rules', WEB])).map((r) => r.uuid), [ruleA, ruleB].sort());
    assert.deepEqual(await h.fwJson(['vms', ruleA]), [WEB, DB, OFF].sort());
  });

  it('list: table, -p -d, bad -o, usage errors', async () => {
    const t = await h.fw(['list']);
    assert.equal(t.stdout.split('\n')[0].trimEnd(), 'UUID                                 ENABLED RULE');
    assert.ok(t.stdout.includes(`${ruleB} -       FROM any TO all vms ALLOW tcp PORT 22`));
    const p = await h.fw(['list', '-p', '-d', '|', '-o', 'uuid,enabled,global']);
    assert.ok(p.stdout.split('\n').includes(`${ruleB}|-|true`), p.stdout);
    const bad = await h.fw(['list', '-o', 'uuid,zz,aa']);
    assert.equal(bad.status, 1);
    assert.equal(bad.stderr, 'Invalid display fields: aa, zz\n');
    assert.equal((await h.fw(['list', '-d', ':'])).status, 2);
    assert.equal((await h.fw(['list', '-j', '-p'])).status, 2);
  });

  it('enable / disable -j: only rules whose state changes; files follow', async () => {
    const en = await h.fwJson<{ rules: { uuid: string; enabled: boolean }[]; vms: string[] }>(['enable', ruleB, ruleA]);
    assert.deepEqual(en.rules.map((r) => [r.uuid, r.enabled]), [[ruleB, true]]);
    assert.deepEqual(en.vms, [DB, WEB].sort());
    assert.match(h.files(DB).ipf ?? '', /port = 22/);
    await assertFilesMatchCompile(h);
    const dis = await h.fwJson<{ rules: { uuid: string }[] }>(['disable', ruleB]);
    assert.deepEqual(dis.rules.map((r) => r.uuid), [ruleB]);
    assert.doesNotMatch(h.files(DB).ipf ?? '', /port = 22/);
    await assertFilesMatchCompile(h);
  });

  it('update -j: merged over the stored rule; unknown uuid refused', async () => {
    const up = await h.fwJson<{ rules: { rule: string; description: string; enabled: boolean }[] }>(['update', ruleA, 'FROM', 'tag', 'role', '=', 'db', 'TO', 'tag', 'role', '=', 'www', 'ALLOW', 'tcp', 'PORTS', '443,', '8443']);
    assert.equal(up.rules[0].rule, 'FROM tag "role" = "db" TO tag "role" = "www" ALLOW tcp (PORT 443 AND PORT 8443)');
    assert.equal(up.rules[0].description, 'https from db');
    assert.equal(up.rules[0].enabled, true);
    assert.match(h.files(WEB).ipf ?? '', /port = 8443/);
    const unknown = await h.fw(['update', '00000000-0000-4000-8000-000000000000', '--desc', 'x']);
    assert.equal(unknown.status, 1);
    assert.equal(unknown.stderr, 'Unknown rule: 00000000-0000-4000-8000-000000000000\n');
    await assertFilesMatchCompile(h);
  });

  it('unknown uuid among valid ones: delete/enable/disable change nothing, exit 1', async () => {
    const unknown = '00000000-0000-4000-8000-000000000001';
    const rulesBefore = storedRuleFiles(h).map((f) => fs.readFileSync(path.join(h.root, 'fw', 'rules', f), 'utf8'));
    const filesBefore = h.files(WEB);
    for (const cmd of ['delete', 'enable', 'disable']) {
      const r = await h.fw([cmd, ruleA, unknown, ruleB]);
      assert.equal(r.status, 1, cmd);
      assert.equal(r.stderr, `Unknown rule: ${unknown}\n`);
      assert.equal(r.stdout, '');
    }
    const j = await h.fw(['delete', ruleA, unknown, '-j']);
    assert.deepEqual(JSON.parse(j.stderr), { errors: [{ message: `Unknown rule: ${unknown}` }] });
    assert.deepEqual(storedRuleFiles(h).map((f) => fs.readFileSync(path.join(h.root, 'fw', 'rules', f), 'utf8')), rulesBefore);
    assert.deepEqual(h.files(WEB), filesBefore);
    const get = await h.fw(['get', unknown]);
    assert.equal(get.stderr, `Unknown rule "${unknown}"\n`);
    assert.equal((await h.fw(['get', 'NOT-A-UUID'])).stderr, 'Error: invalid UUID "NOT-A-UUID"\n');
  });

  it('bad rule text: the fwrule error, nothing stored; invalid JSON: line and column', async () => {
    const before = storedRuleFiles(h);
    const r = await h.fw(['add', '-g', 'FROM', 'any', 'TO', 'all', 'vms', 'ALLOW', 'tcp', 'PORT', '99999']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^Port number "99999" is invalid\n$/);
    const j = await h.fw(['add', '-f', '-'], '{"rules": [\n  {"rule": }]}');
    assert.equal(j.status, 1);
    assert.match(j.stderr, /^Invalid JSON payload: <stdin>: line 2, column \d+: .*\n$/);
    assert.deepEqual(storedRuleFiles(h), before);
  });

  it('remote VMs: add-rvm, get-rvm, list-rvms, rvm-rules, delete-rvm (-j); a local uuid refused', async () => {
    const rvm = { uuid: RVM, owner_uuid: OWNER, nics: [{ ips: ['203.0.113.9/24', 'dhcp'] }, { ips: ['2001:db8:9::9/64'] }], tags: { role: 'db' }, alias: 'dropped' };
    const added = await h.fwJson<{ remoteVMs: string[]; vms: string[] }>(['add-rvm', '-f', '-'], JSON.stringify(rvm));
    assert.deepEqual(added.remoteVMs, [RVM]);
    assert.deepEqual(added.vms, [WEB]);
    assert.match(h.files(WEB).ipf6 ?? '', /from 2001:db8:9::9 to any port = 443/);
    await assertFilesMatchCompile(h);
    assert.deepEqual(await h.fwJson(['get-rvm', RVM]), { uuid: RVM, ips: ['203.0.113.9', '2001:db8:9::9'], tags: { role: 'db' }, owner_uuid: OWNER });
    assert.deepEqual((await h.fwJson<{ uuid: string }[]>(['list-rvms'])).map((r) => r.uuid), [RVM]);
    assert.deepEqual((await h.fwJson<{ uuid: string }[]>(['rvm-rules', RVM])).map((r) => r.uuid), [ruleA, ruleB].sort());
    const local = await h.fw(['add-rvm', '-f', '-'], JSON.stringify({ uuid: WEB, ips: ['10.9.9.9'] }));
    assert.equal(local.status, 1);
    assert.equal(local.stderr, `Remote VM "${WEB}" must not have the same UUID as a local VM\n`);
    const del = await h.fwJson<{ remoteVMs: string[] }>(['delete-rvm', RVM]);
    assert.deepEqual(del.remoteVMs, [RVM]);
    assert.doesNotMatch(h.files(WEB).ipf6 ?? '', /2001:db8:9::9/);
    assert.equal((await h.fw(['get-rvm', RVM])).stderr, `Unknown remote VM "${RVM}"\n`);
    await assertFilesMatchCompile(h);
  });

  it('--dryrun --stdout -j: the files that would be written, nothing written', async () => {
    const before = storedRuleFiles(h);
    const filesBefore = h.files(DB);
    const res = await h.fwJson<{ files: Record<string, string>; vms: string[] }>(['add', '--dryrun', '--stdout', '-g', '-e', 'FROM', 'any', 'TO', 'vm', DB, 'ALLOW', 'udp', 'PORT', '53']);
    assert.deepEqual(res.vms, [DB]);
    assert.deepEqual(Object.keys(res.files), [path.join(h.root, 'zones', DB, 'config', 'ipf.conf'), path.join(h.root, 'zones', DB, 'config', 'ipf6.conf')]);
    assert.match(Object.values(res.files)[0], /port = 53/);
    assert.deepEqual(storedRuleFiles(h), before);
    assert.deepEqual(h.files(DB), filesBefore);
  });

  it('status, stats, start, stop (-j)', async () => {
    assert.deepEqual((await h.fwJson<{ running: boolean }>(['status', WEB])).running, true);
    const stats = await h.fwJson<{ hits: string; rule: string }[]>(['stats', WEB]);
    assert.ok(stats.some((s) => s.hits === '0' && /port = 443/.test(s.rule)), JSON.stringify(stats));
    assert.deepEqual(await h.fwJson(['stop', WEB]), { result: 'success' });
    assert.equal(h.files(WEB).ipf, undefined);
    assert.ok(fs.existsSync(path.join(h.root, 'zones', WEB, 'config', 'ipf.conf.old')));
    assert.equal((await h.fw(['status', WEB])).stdout, 'stopped\n');
    assert.equal((await h.fw(['stats', WEB])).stderr, `Firewall is not running for VM "${WEB}"\n`);
    const start = await h.fw(['start', WEB]);
    assert.equal(start.stdout, `Firewall started for VM ${WEB}\n`);
    assert.equal((await h.fw(['status', WEB])).stdout, 'running\n');
    await assertFilesMatchCompile(h);
  });

  it('vmadm hooks: update of tags and firewall_enabled, create, delete keep every file equal to compile', async () => {
    let r = await h.vm(['update', OFF, 'firewall_enabled=true']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(h.files(OFF).ipf ?? '', /fwadm fallbacks/);
    await assertFilesMatchCompile(h);
    r = await h.vm(['update', OFF], JSON.stringify({ set_tags: { role: 'other' } }));
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(h.files(WEB).ipf ?? '', /198\.51\.100\.13/);
    await assertFilesMatchCompile(h);
    const NEW = '9d4a4e6c-4d7e-4f50-b1a2-cd3e4f5a6b55';
    r = await h.vm(['create'], vmPayload(NEW, 4, { role: 'db' }, true));
    assert.equal(r.status, 0, r.stderr);
    assert.match(h.files(WEB).ipf ?? '', /from 198\.51\.100\.14 to any port = 443/);
    await assertFilesMatchCompile(h);
    r = await h.vm(['delete', NEW]);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(h.files(WEB).ipf ?? '', /198\.51\.100\.14/);
    await assertFilesMatchCompile(h);
  });

  it('delete -j; no arguments: the SmartOS message, exit 0', async () => {
    const res = await h.fwJson<{ rules: { uuid: string }[] }>(['delete', ruleA, ruleB]);
    assert.deepEqual(res.rules.map((r) => r.uuid).sort(), [ruleA, ruleB].sort());
    assert.deepEqual(await h.fwJson(['list']), []);
    await assertFilesMatchCompile(h);
    const none = await h.fw(['delete']);
    assert.equal(none.status, 0);
    assert.equal(none.stderr, 'Must specify rules to delete!\n');
  });
});

describe('fwadm adds in parallel', function () {
  this.timeout(60000);
  it('20 parallel adds: 20 rules, none lost; the affected VM\'s files hold all 20', async () => {
    const h = await newHost(true);
    const ports = Array.from({ length: 20 }, (_, i) => 10000 + i);
    // the state lock is taken per open of the lock file: commands in one process exclude each other as processes do
    const results = await Promise.all(ports.map((p) => h.fw(['add', '-e', '-O', OWNER, 'FROM', 'any', 'TO', 'vm', WEB, 'ALLOW', 'tcp', 'PORT', String(p)])));
    for (const r of results) assert.equal(r.status, 0, r.stderr);
    assert.equal((await h.fwJson<unknown[]>(['list'])).length, 20);
    const ipf = h.files(WEB).ipf ?? '';
    for (const p of ports) assert.ok(ipf.includes(`port = ${p} `), `port ${p} missing`);
    await assertFilesMatchCompile(h);
  });
});

describe('files on disk equal compile after any sequence of changes (property)', function () {
  this.timeout(600000);
  const texts = [
    'FROM tag "role" = "db" TO tag "role" = "www" ALLOW tcp PORT 5432',
    'FROM any TO all vms ALLOW tcp PORT 22',
    `FROM vm ${WEB} TO vm ${DB} BLOCK udp PORT 53`,
    'FROM ip 2001:db8::1 TO tag "role" ALLOW icmp6 TYPE 128',
    'FROM tag "role" = "www" TO any BLOCK tcp PORT 25 PRIORITY 5',
  ];
  type Op = { op: 'add'; text: number; enabled: boolean } | { op: 'update' | 'enable' | 'disable' | 'delete'; pick: number; text: number };
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ op: fc.constant('add' as const), text: fc.nat(texts.length - 1), enabled: fc.boolean() }),
    fc.record({ op: fc.constantFrom('update' as const, 'enable' as const, 'disable' as const, 'delete' as const), pick: fc.nat(), text: fc.nat(texts.length - 1) }),
  );

  it('adds, updates, deletes, enables and disables', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 4 }), async (ops) => {
        const h = await newHost(true);
        const uuids: string[] = [];
        for (const o of ops) {
          if (o.op === 'add') {
            const res = await h.fwJson<{ rules: { uuid: string }[] }>(['add', '-O', OWNER, ...(o.enabled ? ['-e'] : []), texts[o.text]]);
            uuids.push(res.rules[0].uuid);
            continue;
          }
          if (uuids.length === 0) continue;
          const u = uuids[o.pick % uuids.length];
          if (o.op === 'update') await h.fwJson(['update', u, texts[o.text]]);
          else await h.fwJson([o.op, u]);
          if (o.op === 'delete') uuids.splice(uuids.indexOf(u), 1);
        }
        await assertFilesMatchCompile(h);
      }),
      { numRuns: 3 },
    );
  });
});
