import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot } from './helpers/run-cli';
import { COMMANDS as VMADM } from '../src/commands/vmadm';
import { COMMANDS as FWADM } from '../src/commands/fwadm';
import { lintRule } from '../src/core/fwrule/lint';

describe('documentation', () => {
  it("README's command reference matches every command's --help", () => {
    const r = spawnSync(process.execPath, [path.join(repoRoot, 'scripts', 'readme.js'), '--check'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });

  for (const [bin, page, commands] of [
    ['vmadm', 'vmadm.8', VMADM],
    ['fwadm', 'fwadm.8', FWADM],
  ] as const) {
    it(`man/${page} documents every ${bin} command`, () => {
      const man = fs.readFileSync(path.join(repoRoot, 'man', page), 'utf8');
      for (const id of Object.keys(commands)) {
        const words = id.split(':').join(' ');
        assert.ok(man.includes(words), `man/${page} does not mention "${words}"`);
      }
    });
  }

  it('README opens with the setup-and-run and the setup-and-test commands', () => {
    const head = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8').split('\n').slice(0, 40).join('\n');
    assert.match(head, /npm ci && npm run build && \.\/bin\/vmadm create -f examples\/vms\/dual-stack-web\.json && \.\/bin\/vmadm list/);
    assert.match(head, /npm ci && npm test/);
  });
});

describe('man/fwrule.7 examples', () => {
  const man = fs.readFileSync(path.join(repoRoot, 'man', 'fwrule.7'), 'utf8');
  const blocks = [...man.matchAll(/^\.EX\n([\s\S]*?)^\.EE$/gm)].map((m) => m[1].replace(/\\e/g, '\\').trimEnd().split('\n'));
  const pairs = blocks.flatMap((lines) =>
    lines.flatMap((l, i) => (lines[i + 1]?.startsWith('=> ') ? [[l, lines[i + 1].slice(3)] as const] : [])),
  );

  it('has many examples', () => assert.ok(pairs.length >= 10, `${pairs.length} examples`));

  for (const [rule, canonical] of pairs) {
    it(`${rule}  =>  ${canonical}`, () => assert.deepEqual(lintRule(rule), { rule: canonical }));
  }
});

describe('README sessions', () => {
  // Indented `$ command` lines followed by their output, up to a blank line.
  const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const sessions = [...readme.matchAll(/^ {4}\$ (.+)\n((?: {4}(?!\$).*\n)*)/gm)].map((m) => ({
    command: m[1],
    output: m[2].replace(/^ {4}/gm, ''),
  }));

  it('has sessions to check', () => assert.ok(sessions.length >= 2));

  for (const { command, output } of sessions) {
    it(command, () => {
      const r = spawnSync('sh', ['-c', command], { cwd: repoRoot, encoding: 'utf8' });
      assert.equal(r.stdout, output);
    });
  }
});

describe('--help examples', () => {
  // vmadm examples run on the embedded local host, each in its own state
  // root holding the VM of examples/vms/dual-stack-zone.json, which they name
  function stateRoot(): NodeJS.ProcessEnv {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vmadm-docs-'));
    const env = { ...process.env, VMADM_ROOT: root, VMADM_HOST: 'local' };
    const r = spawnSync(path.join(repoRoot, 'bin', 'vmadm'), ['create', '-f', 'examples/vms/dual-stack-zone.json'], { cwd: repoRoot, env, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return env;
  }

  for (const [bin, commands] of [['vmadm', VMADM], ['fwadm', FWADM]] as const) {
    for (const [id, command] of Object.entries(commands)) {
      for (const example of (command.examples ?? []) as string[]) {
        const line = example
          .replace(/<%= config\.bin %>/g, `./bin/${bin}`)
          .replace(/<%= command\.id %>/g, id.split(':').join(' '));
        it(`${bin} ${id.split(':').join(' ')}: ${line}`, () => {
          const env = bin === 'vmadm' ? stateRoot() : process.env;
          const r = spawnSync('sh', ['-c', line], { cwd: repoRoot, encoding: 'utf8', env });
          if (env.VMADM_ROOT) fs.rmSync(env.VMADM_ROOT, { recursive: true, force: true });
          assert.ok(r.status === 0 || r.status === 1, `exit ${r.status}: ${r.stderr}`);
          assert.ok(!/internal error|usage|see --help/i.test(r.stderr), r.stderr);
          // commands that change a VM say so on stderr only
          assert.notEqual(r.stdout + r.stderr, '');
        });
      }
    }
  }
});
