#!/usr/bin/env node
/*
 * npm run readme: regenerate the README's command reference (between
 * <!-- commands --> and <!-- commandsstop -->) from each command's own
 * --help, as the built CLIs print it. `--check` exits 1 when the README is
 * out of date instead of writing it. Blocks between
 * <!-- include examples/FILE --> and <!-- /include --> are refilled with
 * that example file, so the README shows the same examples the tests use.
 */
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const readmePath = path.join(root, 'README.md');

function commandIds(bin) {
  const { COMMANDS } = require(path.join(root, 'dist', 'src', 'commands', bin, 'index.js'));
  return Object.keys(COMMANDS).sort().map((id) => id.split(':'));
}

function helpOf(bin, words) {
  return execFileSync(path.join(root, 'bin', bin), [...words, '--help'], {
    encoding: 'utf8',
    env: { ...process.env, COLUMNS: '100', NO_COLOR: '1' },
  }).trimEnd();
}

function reference() {
  const out = [];
  for (const bin of ['vmadm', 'fwadm']) {
    for (const words of commandIds(bin)) {
      out.push(`### \`${bin} ${words.join(' ')}\``, '', '```', helpOf(bin, words), '```', '');
    }
  }
  return out.join('\n');
}

const start = '<!-- commands -->';
const stop = '<!-- commandsstop -->';
const readme = fs.readFileSync(readmePath, 'utf8');
const i = readme.indexOf(start);
const j = readme.indexOf(stop);
if (i < 0 || j < i) {
  console.error(`readme: README.md has no ${start} ... ${stop} section`);
  process.exit(1);
}
function includeExamples(text) {
  return text.replace(
    /(<!-- include (examples\/[^ ]+) -->\n)[\s\S]*?(<!-- \/include -->)/g,
    (_, open, file, close) => {
      const body = fs.readFileSync(path.join(root, file), 'utf8').trimEnd();
      const lang = file.endsWith('.json') ? 'json' : 'text';
      return `${open}\`\`\`${lang}\n${body}\n\`\`\`\n${close}`;
    },
  );
}

const next = includeExamples(`${readme.slice(0, i + start.length)}\n${reference()}\n${readme.slice(j)}`);
if (process.argv.includes('--check')) {
  if (next !== readme) {
    console.error('readme: the command reference in README.md is out of date: run `npm run readme`');
    process.exit(1);
  }
} else if (next !== readme) {
  const tmp = `${readmePath}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, next);
  fs.renameSync(tmp, readmePath);
}
