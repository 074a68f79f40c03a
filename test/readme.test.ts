/**
 * The README's walk-throughs run as written: "A VM's life" and "Managing a
 * host's firewall with fwadm", each command in order on a temporary state
 * root, in this process (./bin/vmadm and ./bin/fwadm as test/helpers/run-cli
 * runs them; echo, grep, export and $(mktemp -d) by a small interpreter
 * below, which refuses any other shell construct so that a README change
 * it cannot follow fails here rather than passing unchecked).
 *
 * Every command must succeed. `<uuid>` is what the walk-through printed:
 * the first `<uuid>` of a shown output (a `# Successfully created VM
 * <uuid>` comment is the first line of that command's stderr; the lines
 * after a `$ command` are its stdout) binds it, later ones must be the same.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot, run, type CliResult } from './helpers/run-cli';

const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');

/** The lines of the README section under `## <title>`, up to the next heading. */
function section(title: string): string[] {
  const lines = readme.split('\n');
  const start = lines.indexOf(`## ${title}`);
  assert.ok(start >= 0, `README.md has no section "${title}"`);
  const end = lines.findIndex((l, i) => i > start && /^#{1,2} /.test(l));
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

type Token = { word: string } | { op: '|' | '&&' };

/** What `<uuid>` is while a line is split into words (`<` is no word character). */
const UUID_MARK = '@UUID@';

/** A shell line's words and operators (`|`, `&&`), and its trailing comment; what the interpreter cannot do throws. */
function tokenize(line: string, env: Record<string, string>, temps: string[]): { tokens: Token[]; comment?: string } {
  const tokens: Token[] = [];
  let word = '';
  let inWord = false;
  const end = () => {
    if (inWord) tokens.push({ word });
    word = '';
    inWord = false;
  };
  const variable = (at: number): [string, number] => {
    const m = /^\$(?:\(mktemp -d\)|([A-Za-z_]\w*))/.exec(line.slice(at));
    if (!m) throw new Error(`unsupported $ at ${at}: ${line}`);
    if (m[1] === undefined) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-'));
      temps.push(dir);
      return [dir, m[0].length];
    }
    if (env[m[1]] === undefined) throw new Error(`unset variable ${m[1]}: ${line}`);
    return [env[m[1]], m[0].length];
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === ' ' || c === '\t' || c === '\n') end();
    else if (c === '#' && !inWord) {
      end();
      return { tokens, comment: line.slice(i + 1).trim() };
    } else if (c === "'") {
      const close = line.indexOf("'", i + 1);
      if (close < 0) throw new Error(`unterminated ' in: ${line}`);
      word += line.slice(i + 1, close);
      inWord = true;
      i = close;
    } else if (c === '"') {
      inWord = true;
      for (i++; line[i] !== '"'; i++) {
        if (i >= line.length) throw new Error(`unterminated " in: ${line}`);
        if (line[i] === '$') {
          const [value, length] = variable(i);
          word += value;
          i += length - 1;
        } else if ('`\\'.includes(line[i])) throw new Error(`unsupported ${line[i]} in: ${line}`);
        else word += line[i];
      }
    } else if (c === '$') {
      const [value, length] = variable(i);
      word += value;
      inWord = true;
      i += length - 1;
    } else if (c === '|' && line[i + 1] !== '|') {
      end();
      tokens.push({ op: '|' });
    } else if (c === '&' && line[i + 1] === '&') {
      end();
      tokens.push({ op: '&&' });
      i++;
    } else if (';&|<>`\\(){}*?[]~'.includes(c)) throw new Error(`unsupported ${c} in: ${line}`);
    else {
      word += c;
      inWord = true;
    }
  }
  end();
  return { tokens };
}

/** Whether a command's text is complete (its quotes closed), or goes on on the next line. */
function complete(text: string): boolean {
  let quote: string | undefined;
  for (const c of text) {
    if (quote === undefined && (c === "'" || c === '"')) quote = c;
    else if (c === quote) quote = undefined;
  }
  return quote === undefined;
}

/** A shell session: its environment, the temporary folders it made, and `<uuid>` once bound. */
class Session {
  readonly temps: string[] = [];
  uuid: string | undefined;
  steps = 0;
  constructor(readonly env: Record<string, string>) {}

  /** Whether `line` is what `template` shows (`<uuid>` matching, and binding, a uuid); compared without trailing blanks. */
  matches(line: string, template: string): boolean {
    const escape = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    // a table pads `<uuid>` to the width of a uuid (36): the blanks past that width are padding
    const unpadded = template.trimEnd().replace(/<uuid>( +)/g, (_m, blanks: string) => `<uuid>${' '.repeat(Math.max(1, blanks.length - 30))}`);
    const parts = unpadded.split('<uuid>').map(escape);
    const bound = this.uuid;
    const pattern = parts.reduce((acc, part, k) =>
      k === 0 ? part : `${acc}${bound !== undefined ? escape(bound) : k === 1 ? '([0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12})' : '\\1'}${part}`,
    );
    const m = new RegExp(`^${pattern}$`).exec(line.trimEnd());
    if (m && bound === undefined && m[1] !== undefined) this.uuid = m[1];
    return m !== null;
  }

  /** Run one line (commands joined by && and |); each command must succeed. */
  async line(text: string): Promise<{ result: CliResult; comment?: string }> {
    // <uuid> in the command's words is the bound uuid; in its comment, what it shows
    const { tokens: raw, comment } = tokenize(text.split('<uuid>').join(UUID_MARK), this.env, this.temps);
    const tokens = raw.map((t) => {
      if (!('word' in t) || !t.word.includes(UUID_MARK)) return t;
      assert.ok(this.uuid !== undefined, `<uuid> before the walk-through printed one: ${text}`);
      return { word: t.word.split(UUID_MARK).join(this.uuid) };
    });
    let result: CliResult = { status: 0, stdout: '', stderr: '' };
    let command: string[] = [];
    let input: string | undefined;
    const runCommand = async (): Promise<void> => {
      assert.ok(command.length > 0, `an empty command in: ${text}`);
      result = await this.command(command, input);
      this.steps++;
      assert.equal(result.status, 0, `${command.join(' ')}: exit ${result.status}\n${result.stderr}`);
      command = [];
    };
    for (const t of tokens) {
      if ('word' in t) command.push(t.word);
      else {
        await runCommand();
        input = t.op === '|' ? result.stdout : undefined;
      }
    }
    await runCommand();
    return { result, comment: comment?.split(UUID_MARK).join('<uuid>') };
  }

  private async command([name, ...args]: string[], input: string | undefined): Promise<CliResult> {
    if (name === './bin/vmadm' || name === './bin/fwadm') return run(name === './bin/vmadm' ? 'vmadm' : 'fwadm', args, { input, env: this.env });
    if (name === 'echo') return { status: 0, stdout: `${args.join(' ')}\n`, stderr: '' };
    if (name === 'export') {
      for (const a of args) {
        const m = /^([A-Za-z_]\w*)=(.*)$/s.exec(a);
        assert.ok(m, `export ${a}`);
        this.env[m[1]] = m[2];
      }
      return { status: 0, stdout: '', stderr: '' };
    }
    if (name === 'grep' && args.length === 2) {
      const found = fs.readFileSync(args[1], 'utf8').split('\n').filter((l) => new RegExp(args[0]).test(l));
      return { status: found.length > 0 ? 0 : 1, stdout: found.map((l) => `${l}\n`).join(''), stderr: '' };
    }
    throw new Error(`the walk-through test cannot run ${name} ${args.join(' ')}`);
  }

  cleanup(): void {
    for (const dir of this.temps) fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("README walk-throughs run as written", () => {
  let sessions: Session[] = [];
  afterEach(() => {
    for (const s of sessions) s.cleanup();
    sessions = [];
  });

  it('the opening command, run twice on one state root: its VM, then one more', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-opening-'));
    const s = new Session({ VMADM_HOST: 'local', VMADM_ROOT: root });
    s.temps.push(root);
    sessions.push(s);
    const setup = 'npm ci && npm run build && ';
    const opening = readme.split('\n').find((l) => l.startsWith(`    ${setup}`));
    assert.ok(opening !== undefined, 'README.md has no opening command');
    const job = opening.trim().slice(setup.length);
    for (const n of [1, 2]) {
      const { result } = await s.line(job);
      // vmadm list: its header, then each VM
      assert.equal(result.stdout.trimEnd().split('\n').length, 1 + n, result.stdout);
    }
  });

  it("A VM's life: every command succeeds, on the VM the create made", async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-life-'));
    const s = new Session({ VMADM_HOST: 'local', VMADM_ROOT: root });
    s.temps.push(root);
    sessions.push(s);
    const lines = section("A VM's life").filter((l) => l.startsWith('    ')).map((l) => l.slice(4));
    for (const line of lines) {
      const { result, comment } = await s.line(line);
      // a comment showing <uuid> shows the success line the command prints first
      if (comment?.includes('<uuid>')) {
        const first = result.stderr.split('\n')[0];
        assert.ok(s.matches(first, comment), `${line}\nprinted: ${first}`);
      }
    }
    assert.ok(s.uuid !== undefined, 'the create printed no uuid');
    assert.ok(s.steps >= 12, `only ${s.steps} commands ran`);
    // the walk-through ends with the delete: nothing is left
    assert.deepEqual((await run('vmadm', ['list', '-H'], { env: s.env })).stdout, '');
  });

  it("Managing a host's firewall with fwadm: every command succeeds and prints what the README shows", async () => {
    const all = section("Managing a host's firewall with fwadm (local host walk-through)");
    const open = all.indexOf('```sh');
    const close = all.indexOf('```', open + 1);
    assert.ok(open >= 0 && close > open, 'no ```sh block');
    const block = all.slice(open + 1, close);
    const s = new Session({});
    sessions.push(s);
    for (let i = 0; i < block.length; ) {
      assert.ok(block[i].startsWith('$ '), `not a command: ${block[i]}`);
      let text = block[i++].slice(2);
      while (!complete(text)) text += `\n${block[i++]}`;
      const shown: string[] = [];
      while (i < block.length && !block[i].startsWith('$ ')) shown.push(block[i++]);
      const { result } = await s.line(text);
      const printed = result.stdout.split('\n').slice(0, -1);
      assert.equal(printed.length, shown.length, `${text}\nprinted:\n${result.stdout}`);
      shown.forEach((template, k) => assert.ok(s.matches(printed[k], template), `${text}\nprinted: ${printed[k]}\nshown:   ${template}`));
    }
    assert.ok(s.uuid !== undefined, 'fwadm add printed no rule uuid');
    assert.ok(s.steps >= 7, `only ${s.steps} commands ran`);
    assert.ok(s.env.VMADM_ROOT !== undefined && s.temps.includes(s.env.VMADM_ROOT), 'the walk-through sets its own state root');
  });
});
