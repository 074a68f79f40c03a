/*
 * Shared by the fake host programs in test/fakes/bin (zonecfg, zoneadm,
 * zlogin, zfs, ipf, ipfstat): plain Node, no dependencies.
 *
 * FAKE_HOST_LOG    a file; every call appends one JSON line
 *                  {"argv": [<program>, ...args], "stdin": "<text>"}
 *                  (argv[0] is the program's bare name, as in a real argv).
 * FAKE_HOST_STATE  a directory holding what the fake host knows:
 *                  zones/<zonename>.json  {zonename, uuid, zonepath, brand, state, quota?}
 *                                         (state: configured, installed, running;
 *                                         a fake zonecfg creates the file with state
 *                                         "configured" via writeZone, and removes it
 *                                         on delete via removeZone)
 *                  ipf/<uuid>.json        {running, ipf, ipf6}: the last files loaded
 *                  datasets.json          {<name>: {origin, quota, props, snapshots}}:
 *                                         the zfs datasets (fake zfs, zoneadm install)
 * FAKE_HOST_PAUSE  comma list of <program> or <program>:<subcommand>
 *                  (zonecfg, zoneadm:install, ...): that call does its work,
 *                  then hangs until killed (its pid in FAKE_HOST_STATE/paused.pid),
 *                  so a test can kill vmadm at a known point (after the zone
 *                  changed, before vmadm goes on).
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

function readStdin() {
  try {
    return fs.readFileSync(0, 'utf8');
  } catch {
    return '';
  }
}

/** Log this call; returns the stdin text read. */
function logCall(program, args, stdin) {
  const text = stdin === undefined ? readStdin() : stdin;
  const log = process.env.FAKE_HOST_LOG;
  if (log) fs.appendFileSync(log, JSON.stringify({ argv: [program, ...args], stdin: text }) + '\n');
  return text;
}

function stateDir(...parts) {
  const dir = process.env.FAKE_HOST_STATE;
  if (!dir) fail('fake host: FAKE_HOST_STATE is not set', 3);
  return path.join(dir, ...parts);
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  }
}

function writeJson(file, value) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n');
  fs.renameSync(tmp, file);
}

function readZone(zonename) {
  return readJson(stateDir('zones', `${zonename}.json`));
}

function writeZone(zone) {
  writeJson(stateDir('zones', `${zone.zonename}.json`), zone);
}

function removeZone(zonename) {
  fs.rmSync(stateDir('zones', `${zonename}.json`), { force: true });
}

function allZones() {
  let names = [];
  try {
    names = fs.readdirSync(stateDir('zones'));
  } catch {}
  return names.filter((n) => n.endsWith('.json')).map((n) => readJson(stateDir('zones', n))).filter(Boolean);
}

function zoneByUuid(uuid) {
  return allZones().find((z) => z.uuid === uuid);
}

function readIpf(uuid) {
  return readJson(stateDir('ipf', `${uuid}.json`));
}

function writeIpf(uuid, value) {
  writeJson(stateDir('ipf', `${uuid}.json`), value);
}

/** Print one line on stderr and exit with a failure status. */
function fail(message, status = 1) {
  process.stderr.write(message + '\n');
  process.exit(status);
}

/** Whether <program>[:<sub>] is listed in the comma list of env variable `name`. */
function listed(name, program, sub) {
  const items = (process.env[name] || '').split(',').map((s) => s.trim());
  return items.includes(program) || (sub !== undefined && items.includes(`${program}:${sub}`));
}

/** FAKE_HOST_PAUSE: hang here (the work done) until killed. */
function pauseIfAsked(program, sub) {
  if (!listed('FAKE_HOST_PAUSE', program, sub)) return;
  // so that a test can end it (by its pid) once it has killed vmadm
  fs.writeFileSync(stateDir('paused.pid'), String(process.pid));
  const cell = new Int32Array(new SharedArrayBuffer(4));
  for (;;) Atomics.wait(cell, 0, 0, 60000);
}

/**
 * The images the fake host has (FAKE_HOST_IMAGES, a comma list of uuids;
 * without it, those of examples/ and the tests: DEFAULT_IMAGES). An image
 * is the dataset <pool>/<uuid> with its @final snapshot.
 */
const DEFAULT_IMAGES = [
  '2b683a82-a066-11e3-97ab-2faa44701c5a',
  '462d1d03-8457-e134-a408-cf9ea2b9be96',
  '7b5981c4-1889-11e7-b4c5-3f3bdfc9b88b',
  'e75c9d82-3156-11ea-9220-c7a6bb9f41b6',
  'c0ffee00-1234-4abc-8def-000000000001',
];

function images() {
  const v = process.env.FAKE_HOST_IMAGES;
  return v === undefined ? DEFAULT_IMAGES : v.split(',').map((x) => x.trim()).filter(Boolean);
}

/** Datasets: FAKE_HOST_STATE/datasets.json, name → {origin, quota, props, snapshots}. */
function datasets() {
  return readJson(stateDir('datasets.json')) || {};
}

function saveDatasets(ds) {
  writeJson(stateDir('datasets.json'), ds);
}

/** Whether <name> (<pool>/<uuid>) is an image the host has. */
function isImage(ds, name) {
  const parts = name.split('/');
  return parts.length === 2 && images().includes(parts[1]);
}

/** Whether a dataset or snapshot exists (a pool, one word, always does). */
function datasetExists(ds, name) {
  const at = name.indexOf('@');
  if (at >= 0) {
    const base = name.slice(0, at);
    const snap = name.slice(at + 1);
    if (ds[base]) return ds[base].snapshots.includes(snap);
    return isImage(ds, base) && snap === 'final';
  }
  return !name.includes('/') || ds[name] !== undefined || isImage(ds, name);
}

/** The pid of a running zone's init: the zone's "init_pid" if its state says so, else one fixed by its uuid. */
function initPid(zone) {
  if (zone.init_pid !== undefined) return zone.init_pid;
  return 1000 + (parseInt(zone.uuid.replace(/-/g, '').slice(0, 6), 16) % 60000);
}

module.exports = {
  initPid,
  datasets,
  saveDatasets,
  datasetExists,
  isImage,
  listed,
  pauseIfAsked, logCall, readStdin, readZone, writeZone, removeZone, allZones, zoneByUuid, readIpf, writeIpf, fail, stateDir };
