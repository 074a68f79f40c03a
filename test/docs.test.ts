import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot, run, signalSource, type CliResult } from './helpers/run-cli';
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
    assert.match(head, /npm ci && npm run build && \.\/bin\/vmadm create -f examples\/vms\/dual-stack-dhcp\.json && \.\/bin\/vmadm list/);
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
  // root holding the VM of examples/vms/dual-stack-zone.json, which they name;
  // a host an example reaches with ssh is a state root of its own under it
  async function stateRoot(): Promise<NodeJS.ProcessEnv> {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vmadm-docs-'));
    const env = { VMADM_ROOT: root, VMADM_HOST: 'local' };
    const r = await run('vmadm', ['create', '-f', 'examples/vms/dual-stack-zone.json'], { env });
    assert.equal(r.status, 0, r.stderr);
    return env;
  }

  /**
   * The words of a line that is one plain command (words, quoted or not,
   * and nothing else the shell acts on), as sh splits them; else undefined.
   */
  function plainWords(line: string): string[] | undefined {
    if (!/^(?:[^\s'"|;&$<>()`\\*?[\]{}~#]|'[^']*'|"[^"$`\\]*"|\s)*$/.test(line) || /^\s*\w+=/.test(line)) return undefined;
    return [...line.matchAll(/(?:[^\s'"]|'[^']*'|"[^"]*")+/g)].map(([w]) => w.replace(/'([^']*)'|"([^"]*)"/g, (_q, a, b) => a ?? b));
  }

  for (const [bin, commands] of [['vmadm', VMADM], ['fwadm', FWADM]] as const) {
    for (const [id, command] of Object.entries(commands)) {
      for (const example of (command.examples ?? []) as string[]) {
        const line = example
          .replace(/<%= config\.bin %>/g, `./bin/${bin}`)
          .replace(/<%= command\.id %>/g, id.split(':').join(' '));
        it(`${bin} ${id.split(':').join(' ')}: ${line}`, async () => {
          const env = bin === 'vmadm' ? await stateRoot() : {};
          // a plain command runs in this process (as bin/ runs it), a shell line under sh
          const words = plainWords(line);
          let r: CliResult;
          if (words !== undefined && words[0] === `./bin/${bin}`) {
            // a command that follows (vmadm events) is interrupted once it has printed
            const follows = bin === 'vmadm' && words[1] === 'events';
            const signals = signalSource();
            r = await run(bin, words.slice(1), { env, signals, onStdout: follows ? () => signals.emit('SIGINT', 'SIGINT') : undefined });
            if (follows) assert.equal(r.status, 130, r.stderr);
          } else {
            // another machine (`... | ssh host2 vmadm receive`): a state root of its own, under this one
            const local = line.replace(/\bssh (\w+) vmadm /g, (_m, host: string) => `VMADM_ROOT="$VMADM_ROOT/${host}" ./bin/vmadm `);
            r = spawnSync('sh', ['-c', local], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, ...env } });
          }
          if (env.VMADM_ROOT) fs.rmSync(env.VMADM_ROOT, { recursive: true, force: true });
          assert.ok(r.status === 0 || r.status === 1 || (r.status === 130 && / events /.test(line)), `exit ${r.status}: ${r.stderr}`);
          assert.ok(!/internal error|usage|see --help/i.test(r.stderr), r.stderr);
          // commands that change a VM say so on stderr only
          assert.notEqual(r.stdout + r.stderr, '');
        });
      }
    }
  }
});

describe('docs/ citations', () => {
  const docsDir = path.join(repoRoot, 'docs');

  /** Section numbers (`3.1`) and heading texts of one document, fenced code left out. */
  function headingsOf(file: string): { numbers: Set<string>; titles: string[] } {
    const numbers = new Set<string>();
    const titles: string[] = [];
    let fenced = false;
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      if (line.startsWith('```')) fenced = !fenced;
      const m = fenced ? null : /^#{1,6}\s+(.+?)\s*$/.exec(line);
      if (!m) continue;
      titles.push(m[1]);
      const n = /^(\d+(?:\.\d+)*)\.?\s/.exec(m[1]);
      if (n) numbers.add(n[1]);
    }
    return { numbers, titles };
  }

  interface Citation {
    doc: string;
    offset: number;
    sections: string[];
    titles: string[];
  }

  /**
   * Every `docs/<name>.md` in a text (`prefix` = '' also finds bare names,
   * for the documents' own cross-references), with the `§N`, `§N.M`,
   * `§N-M` / `§N–§M` and the quoted heading that follow it, across commas,
   * "and", "/" and comment line breaks.
   */
  function citations(text: string, prefix = 'docs/'): Citation[] {
    const found: Citation[] = [];
    const name = new RegExp(`${prefix.replace('/', '\\/')}\\b([a-zA-Z][a-zA-Z0-9-]*\\.md)\\b`, 'g');
    for (const m of text.matchAll(name)) {
      const c: Citation = { doc: m[1], offset: m.index, sections: [], titles: [] };
      let at = m.index + m[0].length;
      const title = /[\s,*]*"([^"\n]+)"/y;
      title.lastIndex = at;
      const t = title.exec(text);
      if (t) {
        c.titles.push(t[1]);
        at = title.lastIndex;
      }
      const section = /(?:[\s*,/]|\band\b|[–-])*§(\d+(?:\.\d+)*)(?:\s*[–-]\s*§?(\d+(?:\.\d+)*))?/y;
      for (;;) {
        section.lastIndex = at;
        const s = section.exec(text);
        if (!s) break;
        c.sections.push(s[1], ...(s[2] ? [s[2]] : []));
        at = section.lastIndex;
      }
      found.push(c);
    }
    return found;
  }

  /** What is wrong with the citations of one text, one line each. */
  function problems(where: string, text: string, prefix = 'docs/'): string[] {
    const out: string[] = [];
    for (const c of citations(text, prefix)) {
      const at = `${where}:${text.slice(0, c.offset).split('\n').length}: ${prefix}${c.doc}`;
      const file = path.join(docsDir, c.doc);
      if (!fs.existsSync(file)) {
        if (prefix !== '') out.push(`${at}: no such document`);
        continue;
      }
      const { numbers, titles } = headingsOf(file);
      for (const n of c.sections) if (!numbers.has(n)) out.push(`${at} §${n}: no such section`);
      for (const t of c.titles) if (!titles.some((h) => h.startsWith(t))) out.push(`${at} "${t}": no such heading`);
    }
    return out;
  }

  function filesUnder(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const p = path.join(dir, e.name);
      return e.isDirectory() ? filesUnder(p) : e.isFile() ? [p] : [];
    });
  }

  const sources = ['src', 'test']
    .flatMap((d) => filesUnder(path.join(repoRoot, d)))
    .map((file) => ({ rel: path.relative(repoRoot, file), text: fs.readFileSync(file, 'utf8') }))
    .filter(({ text }) => !text.includes('\0'));

  it('finds the sections and headings a citation names', () => {
    // built from D so that this file does not cite them itself
    const D = 'docs' + '/';
    const text = `a (${D}vmadm-cli.md §3, §3.1,\n * §3.2, ${D}vm-network.md) b\n// ${D}ipf.md, "Line format"; ${D}fwadm-cli.md §1-§9, §10–11 and §5/§6): §7`;
    assert.deepEqual(
      citations(text).map(({ doc, sections, titles }) => ({ doc, sections, titles })),
      [
        { doc: 'vmadm-cli.md', sections: ['3', '3.1', '3.2'], titles: [] },
        { doc: 'vm-network.md', sections: [], titles: [] },
        { doc: 'ipf.md', sections: [], titles: ['Line format'] },
        { doc: 'fwadm-cli.md', sections: ['1', '9', '10', '11', '5', '6'], titles: [] },
      ],
    );
    assert.deepEqual(problems('x', text), []);
    assert.deepEqual(problems('x', `// ${D}vmadm-cli.md §99, ${D}nope.md\n// ${D}ipf.md "No such"`), [
      `x:1: ${D}vmadm-cli.md §99: no such section`,
      `x:1: ${D}nope.md: no such document`,
      `x:2: ${D}ipf.md "No such": no such heading`,
    ]);
  });

  it('every docs/<name>.md cited in src/ and test/ exists, with every § and heading cited', () => {
    assert.deepEqual(sources.flatMap(({ rel, text }) => problems(rel, text)), []);
  });

  it("the documents' references to each other name existing sections", () => {
    const docs = fs.readdirSync(docsDir).filter((f) => f.endsWith('.md'));
    assert.ok(docs.length >= 6, docs.join(' '));
    assert.deepEqual(docs.flatMap((f) => problems(`docs/${f}`, fs.readFileSync(path.join(docsDir, f), 'utf8'), '')), []);
  });

  it('no comment cites a path outside the repository', () => {
    const outside = /\/work\/|\.\.\/shared\b|\bshared\/spec\b/;
    const hits = sources.flatMap(({ rel, text }) =>
      text.split('\n').flatMap((line, i) => (outside.test(line) ? [`${rel}:${i + 1}: ${line.trim()}`] : [])),
    );
    assert.deepEqual(hits, []);
  });
});
