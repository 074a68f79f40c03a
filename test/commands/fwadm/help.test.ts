/**
 * fwadm's top-level help as cmdln's (docs/fwadm-cli.md §1): `fwadm help`,
 * `fwadm ?`, `fwadm -h` and `fwadm --help` print it on stdout, exit 0; a
 * bare `fwadm` on stderr, exit 2.
 */
import { strict as assert } from 'node:assert';
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
