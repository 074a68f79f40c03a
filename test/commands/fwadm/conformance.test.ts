/**
 * fwadm as scripts written for SmartOS see it (docs/fwadm-cli.md §1-§4, §6,
 * §10), run in this process as bin/fwadm runs it, on the embedded local
 * host (a temp VMADM_ROOT): the exact bytes on stdout and stderr and the
 * exit status of each case, including cmdln's conventions (options before the
 * subcommand, `help <cmd>`, unknown commands and options).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run, spawnCli, type CliResult } from '../../helpers/run-cli';

const OWNER = '930896af-bf8c-48d4-885c-6573a94b1853';
const WEB = '5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11';
const R1 = '0a1b2c3d-1111-4222-8333-444455556666';
const R2 = '9f8e7d6c-1111-4222-8333-444455556666';
const UNKNOWN = '00000000-0000-4000-8000-000000000009';

interface Host {
  root: string;
  fw(args: string[], input?: string): Promise<CliResult>;
}

const roots: string[] = [];
after(() => {
  for (const root of roots.splice(0)) fs.rmSync(root, { recursive: true, force: true });
});

function newHost(): Host {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fwadm-conf-'));
  roots.push(root);
  const env = { VMADM_ROOT: root, VMADM_HOST: 'local', TZ: 'UTC' };
  return { root, fw: (args, input) => run('fwadm', args, { env, input }) };
}

async function expect(result: CliResult | Promise<CliResult>, status: number, stdout: string, stderr = ''): Promise<void> {
  const r = await result;
  assert.deepEqual({ status: r.status, stdout: r.stdout, stderr: r.stderr }, { status, stdout, stderr });
}

/** Two rules with known uuids: R1 enabled global, R2 disabled, owned. */
async function seedRules(h: Host): Promise<void> {
  const payload = {
    rules: [
      { uuid: R1, enabled: true, global: true, rule: 'FROM any TO all vms ALLOW tcp PORT 22' },
      { uuid: R2, owner_uuid: OWNER, rule: 'FROM tag role = web TO any BLOCK udp PORT 53' },
    ],
  };
  const r = await h.fw(['add'], JSON.stringify(payload));
  assert.equal(r.status, 0, r.stderr);
}

async function createWeb(h: Host): Promise<void> {
  const vm = {
    brand: 'joyent',
    uuid: WEB,
    alias: 'web',
    owner_uuid: OWNER,
    image_uuid: '2b683a82-a066-11e3-97ab-2faa44701c5a',
    firewall_enabled: true,
    tags: { role: 'web' },
    nics: [{ nic_tag: 'external', ips: ['198.51.100.10/24'] }],
  };
  const r = await run('vmadm', ['create'], { env: { VMADM_ROOT: h.root, VMADM_HOST: 'local' }, input: JSON.stringify(vm) });
  assert.equal(r.status, 0, r.stderr);
}

describe('fwadm conformance with SmartOS (bytes and exit codes)', function () {
  this.timeout(60000);

  describe('list table (§4)', () => {
    let h: Host;
    before(async () => {
      h = newHost();
      await seedRules(h);
    });

    it('prints the verified layout: padded columns, one space, "-" for a disabled rule', async () => {
      await expect(
        h.fw(['list']),
        0,
        'UUID                                 ENABLED RULE                                            \n' +
          `${R1} true    FROM any TO all vms ALLOW tcp PORT 22           \n` +
          `${R2} -       FROM tag "role" = "web" TO any BLOCK udp PORT 53\n`,
      );
    });

    it('-p and -p -d escape the separator inside values; -d without -p and -j with -p are usage errors', async () => {
      await expect(h.fw(['list', '-p', '-o', 'uuid,enabled']), 0, `${R1}:true\n${R2}:-\n`);
      await expect(h.fw(['list', '-p', '-d', '|', '-o', 'uuid,enabled,global,owner_uuid']), 0, `${R1}|true|true|-\n${R2}|-|-|${OWNER}\n`);
      await expect(h.fw(['list', '-p', '-d', ' ', '-o', 'enabled,rule']), 0, 'true FROM\\ any\\ TO\\ all\\ vms\\ ALLOW\\ tcp\\ PORT\\ 22\n- FROM\\ tag\\ "role"\\ =\\ "web"\\ TO\\ any\\ BLOCK\\ udp\\ PORT\\ 53\n');
      await expect(h.fw(['list', '-d', '|']), 2, '', '-d requires -p\n');
      await expect(h.fw(['list', '-j', '-p']), 2, '', '{\n  "errors": [\n    {\n      "message": "cannot specify both -j and -p"\n    }\n  ]\n}\n');
    });

    it('-o: unknown fields named (sorted), exit 1; -j keeps only the fields asked for', async () => {
      await expect(h.fw(['list', '-o', 'uuid,zz']), 1, '', 'Invalid display field: zz\n');
      await expect(h.fw(['list', '-o', 'zz,uuid,aa']), 1, '', 'Invalid display fields: aa, zz\n');
      await expect(h.fw(['list', '-j', '-o', 'enabled']), 0, '[\n  {\n    "enabled": true\n  },\n  {\n    "enabled": false\n  }\n]\n');
    });

    it('options before the subcommand, long names, and -j in a group apply to it', async () => {
      const json = (await h.fw(['list', '-j', '-o', 'uuid'])).stdout;
      assert.equal(json, `[\n  {\n    "uuid": "${R1}"\n  },\n  {\n    "uuid": "${R2}"\n  }\n]\n`);
      await expect(h.fw(['-j', 'list', '-o', 'uuid']), 0, json);
      await expect(h.fw(['--json', 'list', '--fields', 'uuid']), 0, json);
      await expect(h.fw(['-jv', 'list', '-o', 'uuid', '-j']), 0, json);
      await expect(h.fw(['list', '--parseable', '--delim=/', '--fields=uuid,enabled']), 0, `${R1}/true\n${R2}/-\n`);
    });

    it('an empty list prints nothing (no header)', async () => {
      await expect(newHost().fw(['list']), 0, '');
    });
  });

  describe('change summaries (§3)', () => {
    let h: Host;
    beforeEach(async () => {
      h = newHost();
      await createWeb(h);
    });

    it('add: "Added rules:" and "<uuid> <enabled padded to 7> <rule>"; -v adds "VMs affected:"', async () => {
      const r = await h.fw(['add', '-g', '-e', '-v', 'FROM', 'any', 'TO', 'all', 'vms', 'ALLOW', 'tcp', 'PORT', '22']);
      assert.match(r.stdout, new RegExp(`^Added rules:\n[0-9a-f-]{36} true    FROM any TO all vms ALLOW tcp PORT 22\n\nVMs affected:\n${WEB}\n$`));
      const off = await h.fw(['add', `--owner_uuid=${OWNER}`, 'FROM', 'any', 'TO', 'all', 'vms', 'ALLOW', 'tcp', 'PORT', '23']);
      assert.match(off.stdout, /^Added rules:\n[0-9a-f-]{36} false   FROM any TO all vms ALLOW tcp PORT 23\n$/);
      assert.equal(off.stderr, '');
    });

    it('delete/enable/disable: the action line; a change that changes nothing is one empty line', async () => {
      await seedRules(h);
      await expect(h.fw(['disable', R1]), 0, `Disabled rules:\n${R1} false   FROM any TO all vms ALLOW tcp PORT 22\n`);
      await expect(h.fw(['disable', R1]), 0, '\n');
      await expect(h.fw(['enable', R1, '-v']), 0, `Enabled rules:\n${R1} true    FROM any TO all vms ALLOW tcp PORT 22\n\nVMs affected:\n${WEB}\n`);
      await expect(h.fw(['delete', R2]), 0, `Deleted rules:\n${R2} false   FROM tag "role" = "web" TO any BLOCK udp PORT 53\n`);
    });

    it('--stdout: "=== <path>", the file, an empty line, then the summary (also when it is empty)', async () => {
      await seedRules(h);
      const r = await h.fw(['disable', R1, '--dryrun', '--stdout']);
      assert.equal(r.status, 0, r.stderr);
      const conf = path.join(h.root, 'zones', WEB, 'config');
      const m = /^=== (.*)\n[\s\S]*?\n\n=== (.*)\n[\s\S]*\n\nDisabled rules:\n(.*)\n$/.exec(r.stdout);
      assert.ok(m, r.stdout);
      assert.deepEqual([m[1], m[2]], [path.join(conf, 'ipf.conf'), path.join(conf, 'ipf6.conf')]);
      assert.equal(m[3], `${R1} false   FROM any TO all vms ALLOW tcp PORT 22`);
    });

    it('-j: {"vms", "rules"} with the full rule objects', async () => {
      await seedRules(h);
      const r = await h.fw(['disable', '-j', R1]);
      assert.equal(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout) as { vms: string[]; rules: Record<string, unknown>[] };
      assert.deepEqual(Object.keys(out), ['vms', 'rules']);
      assert.deepEqual(out.vms, [WEB]);
      assert.deepEqual(Object.keys(out.rules[0]), ['enabled', 'global', 'log', 'rule', 'uuid', 'version']);
    });
  });

  describe('usage, arguments and errors (§1, §10)', () => {
    let h: Host;
    before(async () => {
      h = newHost();
      await seedRules(h);
    });

    it('delete / delete-rvm without arguments: the message, exit 0; enable / disable: exit 2', async () => {
      await expect(h.fw(['delete']), 0, '', 'Must specify rules to delete!\n');
      await expect(h.fw(['delete-rvm']), 0, '', 'Must specify remote VMs to delete!\n');
      await expect(h.fw(['enable']), 2, '', 'Must specify rules to enable!\n');
      await expect(h.fw(['disable']), 2, '', 'Must specify rules to enable!\n');
    });

    it('UUID arguments: "Error: invalid UUID" / "Error: missing UUID", exit 1, never JSON', async () => {
      await expect(h.fw(['get', 'nope']), 1, '', 'Error: invalid UUID "nope"\n');
      await expect(h.fw(['get', '-j', R1.toUpperCase()]), 1, '', `Error: invalid UUID "${R1.toUpperCase()}"\n`);
      await expect(h.fw(['vms']), 1, '', 'Error: missing UUID\n');
      // a piped stdin is not taken for the missing argument
      await expect(h.fw(['get'], `${R1}\n`), 1, '', 'Error: missing UUID\n');
      await expect(h.fw(['delete', R1, 'bad']), 1, '', 'Error: invalid UUID "bad"\n');
    });

    it('unknown rules: get / vms say Unknown rule "<u>", the others Unknown rule: <u>; -j errors as {"errors": [...]}', async () => {
      await expect(h.fw(['get', UNKNOWN]), 1, '', `Unknown rule "${UNKNOWN}"\n`);
      await expect(h.fw(['vms', UNKNOWN]), 1, '', `Unknown rule "${UNKNOWN}"\n`);
      await expect(h.fw(['enable', UNKNOWN]), 1, '', `Unknown rule: ${UNKNOWN}\n`);
      await expect(h.fw(['-j', 'get', UNKNOWN]), 1, '', `{\n  "errors": [\n    {\n      "message": "Unknown rule \\"${UNKNOWN}\\""\n    }\n  ]\n}\n`);
    });

    it('extra arguments are ignored, as cmdln does', async () => {
      const r = await h.fw(['get', R1, 'extra']);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout).uuid, R1);
    });

    it('unknown subcommand: unknown command: "<x>" (close names suggested), exit 2', async () => {
      await expect(h.fw(['frobnicate']), 2, '', 'unknown command: "frobnicate"\n');
      await expect(h.fw(['lsit']), 2, '', 'unknown command: "lsit"\nDid you mean this?\n    lint\n    list\n');
      await expect(h.fw(['-j', 'nope']), 2, '', 'unknown command: "nope"\n');
      await expect(h.fw(['help', 'nope']), 2, '', 'unknown command: "nope"\n');
    });

    it('unknown option and an option without its value: the cmdln messages, exit 2', async () => {
      await expect(h.fw(['list', '--frob']), 2, '', 'unknown option: "--frob"\n');
      await expect(h.fw(['list', '-x']), 2, '', 'unknown option: "-x"\n');
      await expect(h.fw(['--frob', 'list']), 2, '', 'unknown option: "--frob"\n');
      await expect(h.fw(['add', '-f']), 2, '', 'do not have enough args for "-f" option\n');
    });

    it('help: fwadm help, fwadm help <cmd>, fwadm <cmd> -h, fwadm -h <cmd> print help on stdout, exit 0', async () => {
      const fw = (args: string[]): Promise<CliResult> => h.fw(args);
      const list = await fw(['list', '-h']);
      assert.equal(list.status, 0);
      assert.match(list.stdout, /USAGE\n {2}\$ fwadm list/);
      await expect(fw(['help', 'list']), 0, list.stdout);
      await expect(fw(['-h', 'list']), 0, list.stdout);
      await expect(fw(['list', '--help']), 0, list.stdout);
      // spawned: oclif prints the version to the process's own stdout
      assert.match(spawnCli('fwadm', ['--version']).stdout, /^fwadm\/\d+\.\d+\.\d+ /);
      const top = await h.fw(['help']);
      assert.equal(top.status, 0);
      assert.match(top.stdout, /\nCommands:\n[\s\S]*\n {4}list-rvms +\S/);
    });
  });

  describe('payloads (§6)', () => {
    let h: Host;
    beforeEach(async () => {
      h = newHost();
      await createWeb(h);
    });

    it('add -f: a missing file is File "<f>" does not exist., exit 1; update -f: the same, exit 2', async () => {
      const missing = path.join(h.root, 'missing.json');
      await expect(h.fw(['add', '-f', missing]), 1, '', `File "${missing}" does not exist.\n`);
      await expect(h.fw(['update', '-f', missing]), 2, '', `File "${missing}" does not exist.\n`);
    });

    it('a payload with a top-level rule key is one rule; an empty one names the keys it needs', async () => {
      const r = await h.fw(['add', '-j'], JSON.stringify({ uuid: R1, global: true, rule: 'FROM any TO all vms ALLOW tcp PORT 80' }));
      assert.equal(r.status, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout).rules[0].uuid, R1);
      await expect(h.fw(['add'], '{}'), 1, '', 'Payload must contain one of: rules, localVMs, remoteVMs\n');
      await expect(h.fw(['add'], JSON.stringify({ localVMs: [{ uuid: UNKNOWN }] })), 1, '', `Could not find VM "${UNKNOWN}" in VM list\n`);
    });

    it('-f wins over rule words; update <uuid> -f FILE names the payload\'s one rule', async () => {
      const file = path.join(h.root, 'rule.json');
      fs.writeFileSync(file, JSON.stringify({ uuid: R1, global: true, rule: 'FROM any TO all vms ALLOW tcp PORT 80' }));
      await expect(h.fw(['add', '-f', file, 'ignored', 'words']), 0, `Added rules:\n${R1} false   FROM any TO all vms ALLOW tcp PORT 80\n`);
      fs.writeFileSync(file, JSON.stringify({ rule: 'FROM any TO all vms ALLOW tcp PORT 81' }));
      await expect(h.fw(['update', R1, '-f', file]), 0, `Updated rules:\n${R1} false   FROM any TO all vms ALLOW tcp PORT 81\n`);
      await expect(h.fw(['update'], JSON.stringify({ rules: [{ rule: 'FROM any TO all vms ALLOW tcp PORT 82' }] })), 1, '', 'Missing UUID of rule: {"rule":"FROM any TO all vms ALLOW tcp PORT 82"}\n');
    });

    it('update <uuid> with a payload on stdin reads it; with nothing on stdin the flags alone apply', async () => {
      await seedRules(h);
      await expect(h.fw(['update', R2], JSON.stringify({ rule: 'FROM tag role = web TO any BLOCK udp PORT 54' })), 0, `Updated rules:\n${R2} false   FROM tag "role" = "web" TO any BLOCK udp PORT 54\n`);
      await expect(h.fw(['update', R2, '-e']), 0, `Updated rules:\n${R2} true    FROM tag "role" = "web" TO any BLOCK udp PORT 54\n`);
    });
  });

  describe('remote VMs and the other listings (§2, §6.1)', () => {
    it('list-rvms is JSON, with or without -j; vms of a rule naming none is one empty line', async () => {
      const h = newHost();
      await expect(h.fw(['list-rvms']), 0, '[]\n');
      const rvm = 'b1c2d3e4-1111-4222-8333-444455556666';
      await expect(h.fw(['add-rvm'], JSON.stringify({ uuid: rvm, ips: ['203.0.113.7'] })), 0, `Added remote VMs:\n${rvm}\n`);
      await expect(h.fw(['list-rvms']), 0, `[\n  {\n    "uuid": "${rvm}",\n    "ips": [\n      "203.0.113.7"\n    ]\n  }\n]\n`);
      await seedRules(h);
      await expect(h.fw(['vms', R1]), 0, '\n');
      await expect(h.fw(['rules', WEB]), 0, '');
      await expect(h.fw(['delete-rvm', rvm]), 0, `Deleted remote VMs:\n${rvm}\n`);
    });
  });
});
