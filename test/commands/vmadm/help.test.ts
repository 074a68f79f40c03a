/**
 * vmadm's usage and help as SmartOS's (docs/vmadm-cli.md §1): a bare
 * `vmadm` prints the usage on stderr, exit 2; `vmadm help`, `-h`, `-?` and
 * `--help` the same usage on stdout, exit 0; `vmadm help <command>` that
 * command's help. And a payload file given without -f: a usage error
 * naming -f, exit 2, nothing done.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Args, Command, Flags } from '@oclif/core';
import { COMMANDS } from '../../../src/commands/vmadm';
import { usageLines, usageText } from '../../../src/commands/vmadm/usage';
import { examplePath, run, spawnCli } from '../../helpers/run-cli';

const ZONE = '5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11'; // examples/vms/dual-stack-zone.json

describe('vmadm usage and help', () => {
  it('help, -h, -? and --help: the usage on stdout, nothing on stderr, exit 0; a bare vmadm: the same on stderr, exit 2', async () => {
    const bare = await run('vmadm', []);
    assert.deepEqual([bare.status, bare.stdout], [2, '']);
    for (const args of [['help'], ['-h'], ['-?'], ['--help'], ['-h', 'create'], ['-?', 'list']]) {
      const r = await run('vmadm', args);
      assert.deepEqual({ status: r.status, stdout: r.stdout, stderr: r.stderr }, { status: 0, stdout: bare.stderr, stderr: '' }, args.join(' '));
    }
  });

  it('the usage is SmartOS\'s shape: the Usage line, one "<command> <args>" line per command, where to read more', async () => {
    const text = (await run('vmadm', ['help'])).stdout;
    const [head, body, foot] = text.split('\n\n');
    assert.equal(head, 'Usage: vmadm <command> [options]');
    assert.deepEqual(body.split('\n'), [
      'console <uuid>',
      'create [-f <filename>]',
      'create-snapshot <uuid> <snapname>',
      'delete <uuid>',
      'delete-snapshot <uuid> <snapname>',
      'events [-f] [-j] [-r] [uuid]',
      'get <uuid>',
      'info <uuid> [type,...]',
      'kill [-s SIGNAL|-SIGNAL] <uuid>',
      'list [-p] [-H] [-h] [-j] [-o field,...] [-s field,...] [field=value ...]',
      'lookup [-j] [-1] [-o field,...] [field=value ...]',
      'reboot <uuid> [-F]',
      'receive [-f <filename>]',
      'reprovision <uuid> [-f <filename>]',
      'rollback-snapshot <uuid> <snapname>',
      'send <uuid>',
      'start <uuid> [option=value ...]',
      'stop <uuid> [-F] [-t <seconds>]',
      'sysrq <uuid> <nmi|screenshot>',
      'update <uuid> [-f <filename>]',
      ' -or- update <uuid> property=value [property=value ...]',
      'validate create [-f <filename>] [-j]',
      'validate update [<brand>] [-f <filename>] [-j]',
    ]);
    assert.match(foot, /--root <dir>[\s\S]*'vmadm help <command>'[\s\S]*'man vmadm'/);
    assert.ok(text.endsWith('\n'));
  });

  it('every command of the map has a line, and its line names exactly its visible one-letter flags', () => {
    const listed = usageLines(COMMANDS);
    assert.deepEqual(listed.map((c) => c.id).sort(), Object.keys(COMMANDS).filter((id) => !COMMANDS[id].hidden).sort());
    for (const { id, lines } of listed) {
      assert.ok(lines[0].startsWith(id.split(':').join(' ')), `${id}: ${lines[0]}`);
      const named = new Set(lines.flatMap((l) => [...l.matchAll(/(?:^|[[ |])-([A-Za-z0-9])\b/g)].map((m) => m[1])));
      const flags = Object.values(COMMANDS[id].flags ?? {}) as { char?: string; hidden?: boolean }[];
      const visible = new Set(flags.filter((f) => f.char && !f.hidden).map((f) => f.char as string));
      assert.deepEqual([...named].sort(), [...visible].sort(), `${id}: ${lines.join(' / ')}`);
    }
  });

  it('a command added to the map is listed by itself, its line made from its arguments and flags', () => {
    // two commands this vmadm does not have: no line of their own
    class Install extends Command {
      static override args = { uuid: Args.string({ required: true }) };
      static override flags = { signal: Flags.string({ char: 's', helpValue: 'SIGNAL' }), quiet: Flags.boolean({ char: 'q', hidden: true }) };
      async run(): Promise<void> {}
    }
    class CreateImage extends Command {
      static override args = { uuid: Args.string({ required: true }), snapname: Args.string() };
      static override flags = { json: Flags.boolean({ char: 'j' }) };
      async run(): Promise<void> {}
    }
    const text = usageText({ ...COMMANDS, install: Install, 'create-image': CreateImage });
    assert.match(text, /\ncreate \[-f <filename>\]\ncreate-image <uuid> \[<snapname>\] \[-j\]\ncreate-snapshot <uuid> <snapname>\n/);
    assert.match(text, /\ninfo <uuid> \[type,...\]\ninstall <uuid> \[-s <signal>\]\nkill /);
  });

  it('help <command>: that command\'s help on stdout, exit 0 (as <command> --help); help <anything else>: the usage', async () => {
    for (const words of [['create'], ['validate', 'create'], ['update'], ['boot']]) {
      const own = await run('vmadm', [...words, '--help']);
      assert.equal(own.status, 0);
      assert.match(own.stdout, /\nUSAGE\n/);
      assert.deepEqual(await run('vmadm', ['help', ...words]), own, words.join(' '));
      assert.deepEqual(await run('vmadm', ['--help', ...words]), own, words.join(' '));
    }
    // the same text as the process prints
    const spawned = spawnCli('vmadm', ['validate', 'create', '--help']);
    assert.deepEqual([spawned.status, spawned.stdout], [0, (await run('vmadm', ['validate', 'create', '--help'])).stdout]);
    for (const args of [['help', 'validate'], ['validate', '--help'], ['validate', '-h']]) {
      const topic = await run('vmadm', args);
      assert.equal(topic.status, 0, args.join(' '));
      assert.match(topic.stdout, /validate create +Check/, args.join(' '));
    }
    // SmartOS prints the usage for `vmadm help <anything>`
    const usage = (await run('vmadm', ['help'])).stdout;
    for (const args of [['help', 'frobnicate'], ['help', 'frob', 'create'], ['--help', 'nosuch']]) {
      const r = await run('vmadm', args);
      assert.deepEqual([r.status, r.stdout, r.stderr], [0, usage, ''], args.join(' '));
    }
    // help shown in this process leaves the commands as they were for the next run
    const next = await run('vmadm', ['validate', 'create', '-f', '/nonexistent.json']);
    assert.deepEqual([next.status, next.stderr], [1, 'vmadm: File: /nonexistent.json does not exist.\n']);
  });

  it('an unknown command is still SmartOS\'s usage error', async () => {
    const r = await run('vmadm', ['frobnicate']);
    assert.deepEqual([r.status, r.stdout, r.stderr], [2, '', 'vmadm: Invalid command: "frobnicate".\n']);
  });
});

describe('vmadm: a payload file given without -f', () => {
  let root: string;
  let env: NodeJS.ProcessEnv;
  let dir: string;
  beforeEach(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'vmadm-hint-'));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmadm-hint-files-'));
    env = { VMADM_ROOT: root, VMADM_HOST: 'local' };
    const r = await run('vmadm', ['create', '-f', examplePath('vms', 'dual-stack-zone.json')], { env });
    assert.equal(r.status, 0, r.stderr);
  });
  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const hint = (word: string, shown = word) => `vmadm: "${word}" looks like a file: give it with -f ${shown}\n`;

  it('create, update, validate create/update: a usage error naming -f, exit 2, nothing read or changed', async () => {
    const spec = examplePath('vms', 'dual-stack-web.json');
    const before = await run('vmadm', ['get', ZONE], { env });
    const vmsBefore = fs.readdirSync(path.join(root, 'vms')).sort();
    const cases: [string[], string][] = [
      [['create', spec], spec],
      [['create', '-v', spec], spec],
      [['create', 'spec.json'], 'spec.json'], // ends in .json: named whether it exists or not
      [['update', ZONE, spec], spec],
      [['update', ZONE, 'alias=x', 'new.json'], 'new.json'],
      [['update', '--root', root, ZONE, spec], spec],
      [['validate', 'create', spec], spec],
      [['validate', 'create', '-j', spec], spec],
      [['validate', 'update', 'spec.json'], 'spec.json'], // where the brand goes
      [['validate', 'update', 'joyent', spec], spec],
    ];
    for (const [args, word] of cases) {
      const r = await run('vmadm', args, { env, input: '{"alias": "changed"}' });
      assert.deepEqual([r.status, r.stdout, r.stderr], [2, '', hint(word)], args.join(' '));
    }
    assert.deepEqual(fs.readdirSync(path.join(root, 'vms')).sort(), vmsBefore);
    assert.deepEqual(await run('vmadm', ['get', ZONE], { env }), before);
  });

  it('an existing file without .json is named too; a name that needs quoting is shown quoted', async () => {
    const plain = path.join(dir, 'payload');
    const spaced = path.join(dir, "my 'web' spec");
    for (const f of [plain, spaced]) fs.writeFileSync(f, '{}');
    let r = await run('vmadm', ['create', plain], { env });
    assert.deepEqual([r.status, r.stderr], [2, hint(plain)]);
    r = await run('vmadm', ['update', ZONE, spaced], { env });
    assert.deepEqual([r.status, r.stderr], [2, `vmadm: "${spaced}" looks like a file: give it with -f '${dir}/my '\\''web'\\'' spec'\n`]);
  });

  it('key=value pairs, -f FILE and a brand still work as before', async () => {
    let r = await run('vmadm', ['update', ZONE, 'alias=web.json', 'resolvers=10.0.0.53'], { env });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse((await run('vmadm', ['get', ZONE], { env })).stdout).alias, 'web.json');
    const payload = path.join(dir, 'update.json');
    fs.writeFileSync(payload, JSON.stringify({ set_tags: { role: 'db' } }));
    r = await run('vmadm', ['update', ZONE, '-f', payload], { env });
    assert.deepEqual([r.status, r.stderr], [0, `Successfully updated VM ${ZONE}\n`]);
    r = await run('vmadm', ['validate', 'update', 'joyent', '-f', examplePath('vms', 'update-add-nic.json')]);
    assert.deepEqual([r.status, r.stdout, r.stderr], [0, 'VALID update payload for joyent brand VMs.\n', '']);
    // a word that is neither a pair nor a file is what it was: a property to drop, with a note
    r = await run('vmadm', ['update', ZONE, 'nosuchword'], { env });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /note: "nosuchword" is not a VM property/);
  });
});
