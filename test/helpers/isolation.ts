/**
 * No test may touch the machine's own state: every test that runs vmadm or
 * fwadm gives them a temporary --root / VMADM_ROOT (and, for the illumos
 * host, VMADM_ALTROOT). As a guard, the default state root of this test run
 * is a fresh empty folder (XDG_STATE_HOME, inherited by every command a test
 * starts and by mocha's parallel workers), and after the last test it must
 * still be empty, and no zonepath may have appeared under /zones.
 *
 * Mocha's global fixtures: they run once, in the process that starts the
 * workers (`mocha --parallel`) or the tests.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

let stateHome = '';
let zonesBefore = false;

export function mochaGlobalSetup(): void {
  stateHome = fs.mkdtempSync(path.join(os.tmpdir(), 'test-state-home-'));
  process.env.XDG_STATE_HOME = stateHome;
  zonesBefore = fs.existsSync('/zones');
}

export function mochaGlobalTeardown(): void {
  const left = fs.readdirSync(stateHome);
  fs.rmSync(stateHome, { recursive: true, force: true });
  assert.deepEqual(left, [], `a test ran vmadm or fwadm on the default state root (${stateHome}): give it a temporary root`);
  if (!zonesBefore) assert.equal(fs.existsSync('/zones'), false, 'a test wrote under /zones: give the illumos host VMADM_ALTROOT');
}
