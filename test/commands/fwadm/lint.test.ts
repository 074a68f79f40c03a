/**
 * `fwadm lint` as scripts run it (in this process, as bin/fwadm runs it):
 * stdin or -f, text or -j, exit statuses. A reader that stops early
 * (`| head`): test/e2e/cli.test.ts.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { examplePath, run, spawnCli } from '../../helpers/run-cli';

describe('fwadm lint', () => {
  it('prints the canonical text of every rule of a file, exit 0', async () => {
    const r = await run('fwadm', ['lint', '-f', examplePath('rules', 'valid.txt')]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    const lines = r.stdout.trimEnd().split('\n');
    assert.ok(lines.length >= 10);
    for (const l of lines) assert.match(l, /^FROM .* TO .* (ALLOW|BLOCK) (tcp|udp|icmp6?|ah|esp)/);
    assert.ok(lines.includes('FROM (ip 192.0.2.10 OR ip 2001:db8::10) TO all vms ALLOW tcp PORT 22'));
  });

  it('reads stdin, skips blank lines and comments, numbers lines as in the input (-j)', async () => {
    const input = '# header\n\nfrom any to all vms allow tcp port 22\r\n  # indented comment\nfrom any to any allow tcp port 1\nFROM ip FD00::1 TO tag x ALLOW udp PORT 53';
    const r = await run('fwadm', ['lint', '-j'], { input });
    assert.equal(r.status, 1);
    assert.deepEqual(
      r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l)),
      [
        { line: 3, rule: 'FROM any TO all vms ALLOW tcp PORT 22' },
        { line: 5, error: 'rule does not affect VMs' },
        { line: 6, rule: 'FROM ip fd00::1 TO tag "x" ALLOW udp PORT 53' },
      ],
    );
  });

  it('without -j, errors go to stderr as "line N: <message>", exit 1', async () => {
    const r = await run('fwadm', ['lint', '-f', examplePath('rules', 'invalid.txt')]);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    const errors = r.stderr.trimEnd().split('\n');
    assert.equal(errors[0], 'line 2: rule does not affect VMs');
    assert.ok(errors.includes('line 3: Port number "65537" is invalid'));
    assert.ok(errors.every((l) => /^line \d+: /.test(l)));
  });

  it('an empty input is no error', async () => {
    const r = await run('fwadm', ['lint'], { input: '' });
    assert.deepEqual([r.status, r.stdout, r.stderr], [0, '', '']);
  });

  it('handles many rules in input order', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lint-'));
    const file = path.join(dir, 'rules.txt');
    const rules = Array.from({ length: 5000 }, (_, i) => `from any to tag n = ${i} allow tcp port ${(i % 65535) + 1}`);
    fs.writeFileSync(file, rules.join('\n') + '\n');
    const r = await run('fwadm', ['lint', '-j', '-f', file]);
    fs.rmSync(dir, { recursive: true });
    assert.equal(r.status, 0, r.stderr);
    const out = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    assert.equal(out.length, 5000);
    assert.deepEqual(out[4999], { line: 5000, rule: `FROM any TO tag "n" = "4999" ALLOW tcp PORT 5000` });
  });

  it('usage errors exit 2; a missing file exits 1 with one line', async () => {
    const bad = await run('fwadm', ['lint', '--frobnicate']);
    assert.equal(bad.status, 2);
    assert.equal(bad.stderr.trimEnd().split('\n').length, 1);
    const missing = await run('fwadm', ['lint', '-f', '/nonexistent/rules.txt']);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /^fwadm: File: \/nonexistent\/rules\.txt does not exist\.\n$/);
  });

  it('a rule of 9 MB (1.5 million \\u escapes in a tag) is linted, not an internal error', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lint-'));
    const file = path.join(dir, 'rules.txt');
    fs.writeFileSync(file, `FROM any TO tag "${'\\u0041'.repeat(1_500_000)}" ALLOW tcp PORT 22\nFROM any TO tag "${'\\u0041'.repeat(1_500_000)}\\q" ALLOW tcp PORT 22\n`);
    const r = await run('fwadm', ['lint', '-f', file]);
    fs.rmSync(dir, { recursive: true });
    assert.equal(r.status, 1);
    assert.equal(r.stdout, `FROM any TO tag "${'A'.repeat(1_500_000)}" ALLOW tcp PORT 22\n`);
    assert.equal(r.stderr, `line 2: Error at character 16: '"\\u0041\\u0041\\u0041\\', found: unexpected text\n`);
  });

  it('control characters and lone surrogates in rules: escaped in one line per problem, text and -j', async () => {
    const input = [
      'FROM "\x1b[2J\x1b]0;pwned\x07" TO all vms ALLOW tcp PORT 22',
      'FROM any TO all vms ALLOW tcp PORT 22 \x00\x1b[31m\x7f\x9b',
      'FROM any TO tag "\\ud800" ALLOW tcp PORT 22',
      'FROM any TO tag "a\rb" ALLOW tcp PORT 22',
    ].join('\n');
    const r = await run('fwadm', ['lint'], { input });
    assert.equal(r.status, 1);
    const lines = r.stderr.trimEnd().split('\n');
    assert.deepEqual(lines, [
      `line 1: Error at character 4: '"\\x1b[2J\\x1b]0;pwned\\x07"', expected: '(', 'all', 'any', 'ip', 'subnet', 'vm', 'tag', found: STRING`,
      `line 2: Error at character 23: '\\x00\\x1b[31m\\x7f\\u009b', found: unexpected text`,
      'line 3: String "\\ud800" is invalid: \\uD800 is a lone surrogate, not a Unicode character',
    ]);
    assert.doesNotMatch(r.stderr, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    // a control character inside a valid tag is escaped in canonical text
    assert.equal(r.stdout, 'FROM any TO tag "a\\rb" ALLOW tcp PORT 22\n');
    const j = await run('fwadm', ['lint', '-j'], { input });
    assert.deepEqual(j.stdout.trimEnd().split('\n').map((l) => JSON.parse(l).error ?? JSON.parse(l).rule), [...lines.map((l) => l.replace(/^line \d+: /, '')), 'FROM any TO tag "a\\rb" ALLOW tcp PORT 22']);
  });

  it('--help shows examples', async () => {
    const r = await run('fwadm', ['lint', '--help']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /EXAMPLES/);
    assert.match(r.stdout, /fwadm lint -f examples\/rules\/valid\.txt/);
  });
});
