#!/usr/bin/env node
/*
 * npm run build: generate code (scripts/gen-*.js: ajv standalone validators,
 * the jison parser), compile TypeScript, then bundle each CLI and build its
 * startup snapshot (scripts/bundle.js). Concurrent builds are serialised.
 */
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const lockDir = path.join(root, '.build.lock');

function lock() {
  const deadline = Date.now() + 10 * 60 * 1000;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
      return;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      let holder = NaN;
      try { holder = Number(fs.readFileSync(path.join(lockDir, 'pid'), 'utf8')); } catch {}
      let alive = false;
      try { if (holder) { process.kill(holder, 0); alive = true; } } catch {}
      if (!alive && holder) { fs.rmSync(lockDir, { recursive: true, force: true }); continue; }
      if (Date.now() > deadline) throw new Error('build: timed out waiting for ' + lockDir);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
}

function step(label, file, args) {
  const t0 = Date.now();
  execFileSync(process.execPath, [file, ...args], { cwd: root, stdio: 'inherit' });
  if (process.env.BUILD_VERBOSE) console.error(`build: ${label} ${Date.now() - t0} ms`);
}

lock();
try {
  fs.mkdirSync(path.join(root, 'src', 'generated'), { recursive: true });
  for (const f of fs.readdirSync(__dirname).filter((n) => /^gen-.*\.js$/.test(n)).sort()) {
    step(f, path.join(__dirname, f), []);
  }
  step('tsc', require.resolve('typescript/bin/tsc'), ['-p', root]);
  if (fs.existsSync(path.join(__dirname, 'bundle.js'))) step('bundle', path.join(__dirname, 'bundle.js'), []);
} finally {
  fs.rmSync(lockDir, { recursive: true, force: true });
}
