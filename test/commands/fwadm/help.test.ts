/**
 * fwadm's top-level help as cmdln's (docs/fwadm-cli.md §1): `fwadm help`,
 * `fwadm ?`, `fwadm -h` and `fwadm --help` print it on stdout, exit 0; a
 * bare `fwadm` on stderr, exit 2. And a rule file given to add or update
 * without -f: a usage error naming -f, exit 2, nothing stored.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { COMMANDS } from '../../../src/commands/fwadm';
import { run } from '../../helpers/run-cli';

describe('fwadm top-level help', () => {
  it('help, ?, -h, --help (also after other options): the help on stdout, exit 0; a bare fwadm: the same on stderr, exit 2', async () => {
    const bare = await run('fwadm', []);
    assert.deepEqual([bare.status, bare.stdout], [2, '']);
    for (const args of [['help'], ['?'], ['-h'], ['--help'], ['-j', 'help'], ['-v', '-h'], ['help', 'help'], ['?', '?']]) {
      const r = await run('fwadm', args);
      assert.deepEqual({ status: r.status, stdout: r.stdout, stderr: r.stderr }, { status: 0, stdout: bare.stderr, stderr: '' }, args.join(' '));
    }
  });

  it("has cmdln's sections: the description, Usage with both synopses, Options, Commands (help (?) first, then every command)", async () => {
    const text = (await run('fwadm', ['help'])).stdout;
    const sections = text.trimEnd().split('\n\n');
    assert.equal(sections.length, 4);
    assert.match(sections[0], /^Manage SmartOS-style firewall rules/);
    assert.equal(sections[1], 'Usage:\n    fwadm [OPTIONS] COMMAND [ARGS...]\n    fwadm help COMMAND');
    const options = sections[2].split('\n');
    assert.equal(options[0], 'Options:');
    for (const o of ['-h, --help', '-j, --json', '-v, --verbose', '--dryrun', '--stdout', '--root DIR']) {
      assert.ok(options.some((l) => l.startsWith(`    ${o}  `)), o);
    }
    const commands = sections[3].split('\n');
    assert.equal(commands[0], 'Commands:');
    assert.match(commands[1], /^ {4}help \(\?\) +\S/);
    const names = commands.filter((l) => /^ {4}\S/.test(l)).map((l) => l.trim().split(/\s{2,}/)[0]);
    assert.deepEqual(names, ['help (?)', ...Object.keys(COMMANDS).sort()]);
    for (const line of text.split('\n')) assert.ok(line.length <= 80, `longer than 80 columns: ${line}`);
  });
});

describe('fwadm: a rule file given without -f', () => {
  let root: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'fwadm-hint-'));
    env = { VMADM_ROOT: root, VMADM_HOST: 'local' };
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const rules = async (): Promise<unknown[]> => JSON.parse((await run('fwadm', ['list', '-j'], { env })).stdout) as unknown[];

  it('add and update: the usage error naming -f (plain, or in -j errors), exit 2, nothing stored', async () => {
    const file = path.join(root, 'rule');
    fs.writeFileSync(file, JSON.stringify({ rule: 'FROM any TO all vms ALLOW tcp PORT 22', global: true }));
    const hint = (word: string) => `"${word}" looks like a file: give it with -f ${word}`;
    for (const [args, word] of [
      [['add', 'rule.json'], 'rule.json'],
      [['add', '-g', '-e', file], file],
      [['-v', 'add', file], file],
      [['update', 'rule.json'], 'rule.json'],
      [['update', '0a1b2c3d-1111-4222-8333-444455556666', file], file],
    ] as const) {
      const r = await run('fwadm', [...args], { env, input: '' });
      assert.deepEqual([r.status, r.stdout, r.stderr], [2, '', `${hint(word)}\n`], args.join(' '));
    }
    const j = await run('fwadm', ['add', '-j', 'rule.json'], { env });
    assert.deepEqual([j.status, JSON.parse(j.stderr)], [2, { errors: [{ message: hint('rule.json') }] }]);
    assert.deepEqual(await rules(), []);
  });

  it('rule text on the command line and -f FILE still work', async () => {
    let r = await run('fwadm', ['add', '-g', '-e', 'FROM', 'any', 'TO', 'all', 'vms', 'ALLOW', 'tcp', 'PORT', '22'], { env });
    assert.equal(r.status, 0, r.stderr);
    const file = path.join(root, 'rule.json');
    fs.writeFileSync(file, JSON.stringify({ rule: 'FROM any TO all vms ALLOW tcp PORT 80', global: true }));
    r = await run('fwadm', ['add', '-f', file], { env });
    assert.equal(r.status, 0, r.stderr);
    assert.equal((await rules()).length, 2);
  });
});
