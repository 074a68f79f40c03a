/**
 * vmadm's usage and help as SmartOS's (docs/vmadm-cli.md §1): a bare
 * `vmadm` prints the usage on stderr, exit 2; `vmadm help`, `-h`, `-?` and
 * `--help` the same usage on stdout, exit 0; `vmadm help <command>` that
 * command's help.
 */
import { strict as assert } from 'node:assert';
import { Args, Command, Flags } from '@oclif/core';
import { COMMANDS } from '../../../src/commands/vmadm';
import { usageLines, usageText } from '../../../src/commands/vmadm/usage';
import { run, spawnCli } from '../../helpers/run-cli';

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
      'create [-f <filename>]',
      'delete <uuid>',
      'get <uuid>',
      'list [-p] [-H] [-h] [-j] [-o field,...] [-s field,...] [field=value ...]',
      'lookup [-j] [-1] [-o field,...] [field=value ...]',
      'reboot <uuid> [-F]',
      'start <uuid> [option=value ...]',
      'stop <uuid> [-F] [-t <seconds>]',
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
    class Kill extends Command {
      static override args = { uuid: Args.string({ required: true }) };
      static override flags = { signal: Flags.string({ char: 's', helpValue: 'SIGNAL' }), quiet: Flags.boolean({ char: 'q', hidden: true }) };
      async run(): Promise<void> {}
    }
    class Info extends Command {
      static override args = { uuid: Args.string({ required: true }), types: Args.string() };
      static override flags = { json: Flags.boolean({ char: 'j' }) };
      async run(): Promise<void> {}
    }
    const text = usageText({ ...COMMANDS, kill: Kill, info: Info });
    assert.match(text, /\nget <uuid>\ninfo <uuid> \[<types>\] \[-j\]\nkill <uuid> \[-s <signal>\]\nlist /);
  });

  it('help <command>: that command\'s help on stdout, exit 0 (as <command> --help); help <anything else>: the usage', async () => {
    // spawned: oclif prints a command's help to the process's own stdout
    for (const words of [['create'], ['validate', 'create'], ['update'], ['boot']]) {
      const own = spawnCli('vmadm', [...words, '--help']);
      assert.equal(own.status, 0);
      assert.match(own.stdout, /\nUSAGE\n/);
      assert.deepEqual(spawnCli('vmadm', ['help', ...words]), own, words.join(' '));
      assert.deepEqual(spawnCli('vmadm', ['--help', ...words]), own, words.join(' '));
    }
    const topic = spawnCli('vmadm', ['help', 'validate']);
    assert.equal(topic.status, 0);
    assert.match(topic.stdout, /validate create +Check/);
    // SmartOS prints the usage for `vmadm help <anything>`
    const usage = (await run('vmadm', ['help'])).stdout;
    for (const args of [['help', 'frobnicate'], ['help', 'frob', 'create'], ['--help', 'nosuch']]) {
      const r = await run('vmadm', args);
      assert.deepEqual([r.status, r.stdout, r.stderr], [0, usage, ''], args.join(' '));
    }
  });

  it('an unknown command is still SmartOS\'s usage error', async () => {
    const r = await run('vmadm', ['frobnicate']);
    assert.deepEqual([r.status, r.stdout, r.stderr], [2, '', 'vmadm: Invalid command: "frobnicate".\n']);
  });
});
