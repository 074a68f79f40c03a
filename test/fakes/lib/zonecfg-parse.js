'use strict';
/*
 * How zonecfg(8) reads a command file, for the fake zonecfg and for tests:
 * the project's one model, src/hosts/zonecfg-model.ts (the local host
 * applies it too), through its compiled module dist/src/hosts/zonecfg-model.js
 * (the fakes run after `npm run build`). This file only re-exports it:
 * ZonecfgError, tokenize, parse, apply, KEYWORDS. Plain Node.
 */
const fs = require('node:fs');
const path = require('node:path');

/** The repository root: three levels up, or four for the copy tsc makes in dist/test/fakes/lib/. */
function repoRoot() {
  const up = path.resolve(__dirname, '..', '..', '..');
  return path.basename(up) === 'dist' && !fs.existsSync(path.join(up, 'dist')) ? path.dirname(up) : up;
}

const compiled = path.join(repoRoot(), 'dist', 'src', 'hosts', 'zonecfg-model.js');
if (!fs.existsSync(compiled)) throw new Error(`zonecfg-parse: ${compiled} is missing: run 'npm run build'`);
const { ZonecfgError, tokenize, parse, apply, KEYWORDS } = require(compiled);

module.exports = { ZonecfgError, tokenize, parse, apply, KEYWORDS };
