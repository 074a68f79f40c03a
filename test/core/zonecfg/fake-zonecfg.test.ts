/**
 * The fake zonecfg used by the host tests refuses what zonecfg refuses and
 * records what it was given: its reader in-process for the many refusal
 * cases, the executable for argv, stdin, the log and the exit status.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UUID, fakeZonecfg, zparse } from './fixtures';

function refused(script: string, message: RegExp): void {
  assert.throws(() => zparse.apply(zparse.parse(script)), (e: unknown) => {
    assert.ok(e instanceof zparse.ZonecfgError, String(e));
    assert.match((e as Error).message, message);
    return true;
  });
}

describe('fake zonecfg: reading a command file as zonecfg does', () => {
  it('splits commands on ; and newlines, skips # comments at the start of a command, keeps ; and # inside quotes', () => {
    const cmds = zparse.parse('# a comment; add net\ncreate -b ; add attr; set name="a;b#c"; set type=string; set value=x#y; end\n');
    assert.deepEqual(cmds.map((c) => c.cmd), ['create', 'add', 'set', 'set', 'set', 'end']);
    assert.equal(cmds[2].value, 'a;b#c');
    assert.equal(cmds[4].value, 'x#y');
  });

  it('takes backslashes literally (zonecfg has no escapes) and keywords as values', () => {
    const cmds = zparse.parse('add net; set global-nic=admin; set global-nic="a\\\\b"; end');
    assert.equal(cmds[1].value, 'admin');
    assert.equal(cmds[2].value, 'a\\\\b');
  });

  it('refuses an unquoted value with a blank or a quote in it', () => {
    refused('add attr; set name=a b; set type=string; set value=x; end', /syntax error on line 1 at 'b'/);
    refused('add attr; set name=a"b"; set type=string; set value=x; end', /syntax error/);
  });

  it('refuses a quote left open (a value cannot hold a newline)', () => {
    refused('add attr; set name="ab\nc"; end', /unterminated quoted string/);
  });

  it('refuses add/select without end, and end outside a resource', () => {
    refused('add attr; set name=a; set type=string; set value=b', /missing 'end'/);
    refused('end', /end is only allowed inside a resource/);
    refused('select net mac-addr=1:2:3:4:5:6', /missing 'end'/);
  });

  it('refuses unknown resources, unknown properties for the scope and bad values', () => {
    refused('add frob; end', /unknown resource type/);
    refused('add net; set name=x; end', /unknown property for resource "net"/);
    refused('set physical=net0', /unknown property/);
    refused('add net; set mac-addr=zz:1:2:3:4:5; end', /invalid value/);
    refused('set autoboot=maybe', /invalid value/);
    refused('add attr; set name=a; end', /name, type and value are required/);
    refused('add capped-memory; set physical=1g; end; add capped-memory; set swap=1g; end', /already exists/);
  });

  it('refuses select or remove of a net that is not there, and a property added twice', () => {
    refused('select net mac-addr=1:2:3:4:5:6; end', /No such net resource/);
    refused('remove net mac-addr=1:2:3:4:5:6', /No such net resource/);
    refused('add net; set physical=net0; add property (name=ip, value="1"); add property (name=ip, value="2"); end', /already set/);
  });

  it('the executable logs argv and stdin to $FAKE_HOST_LOG and exits 1 with a zonecfg-like message on refusal', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-zonecfg-'));
    const log = path.join(dir, 'host.log');
    try {
      const env = { ...process.env, FAKE_HOST_LOG: log };
      const ok = spawnSync(fakeZonecfg, ['-z', UUID, '-f', '-'], { input: 'create -b\nset brand=joyent\n', encoding: 'utf8', env });
      assert.equal(ok.status, 0, ok.stderr);
      const bad = spawnSync(fakeZonecfg, ['-u', UUID], { input: 'add net\n', encoding: 'utf8', env });
      assert.equal(bad.status, 1);
      assert.equal(bad.stderr, `zonecfg:${UUID}: end of input inside resource "net": missing 'end'\n`);
      const del = spawnSync(fakeZonecfg, ['-z', UUID, 'delete', '-F'], { encoding: 'utf8', env });
      assert.equal(del.status, 0, del.stderr);
      const lines = fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { argv: string[]; stdin: string });
      assert.deepEqual(lines.map((l) => l.argv), [['-z', UUID, '-f', '-'], ['-u', UUID], ['-z', UUID, 'delete', '-F']]);
      assert.deepEqual(lines.map((l) => l.stdin), ['create -b\nset brand=joyent\n', 'add net\n', '']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
