#!/usr/bin/env node
/*
 * Bundle each CLI into one file (dist/<bin>.js) and build its Node startup
 * snapshot (dist/<bin>.blob): the snapshot holds every module already
 * loaded, so a command starts without reading or compiling @oclif/core.
 * bin/<bin> runs the snapshot when it exists and matches this Node, the
 * plain bundle otherwise.
 */
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
const bins = ['vmadm', 'fwadm'];

for (const bin of bins) {
  const outfile = path.join(dist, `${bin}.js`);
  esbuild.buildSync({
    entryPoints: [path.join(root, 'src', 'bin', `${bin}.ts`)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // only oclif's development mode (ts-node) reaches for typescript; the
    // lock's native addon finds its binary next to its own package
    external: ['typescript', 'fs-native-extensions', 'koffi'],
    // ES module builds bundle statically (jsonc-parser's UMD main does not)
    mainFields: ['module', 'main'],
    logLevel: 'warning',
    legalComments: 'none',
  });
  const blob = path.join(dist, `${bin}.blob`);
  fs.rmSync(blob, { force: true });
  const tmp = `${blob}.${process.pid}.tmp`;
  try {
    execFileSync(process.execPath, ['--no-warnings', '--snapshot-blob', tmp, '--build-snapshot', outfile], {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    fs.renameSync(tmp, blob);
    // the snapshot only loads on the Node binary that made it: bin/<bin>
    // compares that binary's inode and size (ls -iLn) before using it
    const st = fs.statSync(process.execPath);
    fs.writeFileSync(`${blob}.node`, `${st.ino} ${st.size}\n`);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    console.error(`bundle: no startup snapshot for ${bin} (${err.message.split('\n')[0]}); bin/${bin} runs the plain bundle`);
  }
}
