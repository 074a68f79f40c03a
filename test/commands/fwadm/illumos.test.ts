/**
 * The firewall change on the illumos host, against the fake ipf first on
 * PATH: the exact ipf argv per running VM, only running VMs loaded, and a
 * failed load putting the `.old` files back and loading them again while
 * the other VMs are still done (fail closed); the vmadm hook's all or
 * nothing. In-process (store/firewall.ts), the store on a temp root.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { planAdd } from '../../../src/core/fw/rules';
import { IllumosHost } from '../../../src/hosts/illumos';
import { applyFirewall, firewallEnv, loadSnapshot, vmFirewallHook, withVm, type FirewallEnv } from '../../../src/store/firewall';
import { ipfPaths } from '../../../src/store/ipf-files';
import { VmStore } from '../../../src/store/vm-store';
import { makeRecord, uuidOf } from '../../store/records';
import { FAKES_BIN } from '../../hosts/fixtures';

const A = uuidOf(1);
const B = uuidOf(2);
const C = uuidOf(3);

interface Setup {
  env: FirewallEnv;
  store: VmStore;
  log: string;
  hostEnv: NodeJS.ProcessEnv;
  calls(): string[][];
}

function setup(): Setup {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-illumos-'));
  const root = path.join(dir, 'root');
  const state = path.join(dir, 'host');
  const log = path.join(dir, 'log');
  const store = new VmStore(root, 'local');
  const hostEnv: NodeJS.ProcessEnv = {
    PATH: `${FAKES_BIN}:${process.env.PATH}`,
    VMADM_HOST_PATH_LOOKUP: '1',
    VMADM_IPF_EVENT_LOG: '0',
    FAKE_HOST_STATE: state,
    FAKE_HOST_LOG: log,
  };
  for (const [uuid, st] of [[A, 'running'], [B, 'running'], [C, 'installed']] as const) {
    fs.mkdirSync(path.join(state, 'zones'), { recursive: true });
    fs.writeFileSync(path.join(state, 'zones', `${uuid}.json`), JSON.stringify({ zonename: uuid, uuid, zonepath: store.zonepathOf('zones', uuid), brand: 'joyent', state: st }));
  }
  const env = firewallEnv(store, new IllumosHost(hostEnv));
  return {
    env,
    store,
    log,
    hostEnv,
    calls: () =>
      fs.existsSync(log)
        ? fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { argv: string[] }).argv)
        : [],
  };
}

async function putVms(s: Setup): Promise<void> {
  await s.store.lock(async () => {
    for (const [uuid, st] of [[A, 'running'], [B, 'running'], [C, 'stopped']] as const) {
      await s.store.put(makeRecord(uuid, s.store.zonepathOf('zones', uuid), { state: st, zone_state: st === 'running' ? 'running' : 'installed', tags: { role: 'www' } }));
    }
  });
}

const DEPS = { now: 1700000000000, pid: 1, newUuid: () => 'c0000000-0000-4000-8000-000000000001' };

async function addRule(s: Setup, text: string): Promise<{ vms: string[]; failures: string[] }> {
  return s.env.fw.withLock(async () => {
    const before = await loadSnapshot(s.env);
    const plan = planAdd(before.rules, [{ rule: text, global: true, enabled: true }], { ...DEPS, newUuid: () => `c0000000-0000-4000-8000-00000000000${before.rules.length + 1}` });
    return applyFirewall(s.env, { before, after: { ...before, rules: plan.rules }, storeChange: { putRules: plan.changed } });
  });
}

describe('firewall changes on the illumos host (fake ipf)', () => {
  it('writes every affected VM, loads only running ones with the exact ipf argv', async () => {
    const s = setup();
    await putVms(s);
    const out = await addRule(s, 'FROM any TO tag role ALLOW tcp PORT 80');
    assert.deepEqual(out.vms, [A, B, C]);
    assert.deepEqual(out.failures, []);
    const ipf = s.calls().filter((c) => c[0] === 'ipf');
    assert.deepEqual(
      ipf,
      [A, B].map((u) => {
        const p = ipfPaths(s.store.zonepathOf('zones', u));
        return ['ipf', '-G', '-E', '-I', '-Fa', '-f', p.ipf, '-6', '-Fa', '-f', p.ipf6, '-sy', u];
      }),
    );
    assert.ok(fs.existsSync(ipfPaths(s.store.zonepathOf('zones', C)).ipf), 'a stopped VM still gets its files');
  });

  it('a failed load: .old restored and loaded again, the other VMs still done, the failure reported', async () => {
    const s = setup();
    await putVms(s);
    await addRule(s, 'FROM any TO tag role ALLOW tcp PORT 80');
    const pa = ipfPaths(s.store.zonepathOf('zones', A));
    const previous = fs.readFileSync(pa.ipf, 'utf8');
    fs.writeFileSync(s.log, '');
    // same store and host state, with A's next load failing once
    const env = firewallEnv(s.store, new IllumosHost({ ...s.hostEnv, FAKE_IPF_FAIL: `${A}:once` }));
    const out = await env.fw.withLock(async () => {
      const before = await loadSnapshot(env);
      const plan = planAdd(before.rules, [{ rule: 'FROM any TO tag role ALLOW tcp PORT 8080', global: true, enabled: true }], { ...DEPS, newUuid: () => 'c0000000-0000-4000-8000-000000000009' });
      return applyFirewall(env, { before, after: { ...before, rules: plan.rules }, storeChange: { putRules: plan.changed } });
    });
    assert.equal(out.failures.length, 1);
    assert.match(out.failures[0], new RegExp(`^VM ${A}: ipf .* failed: .*FAKE_IPF_FAIL.*\\(previous rules restored\\)$`));
    assert.equal(fs.readFileSync(pa.ipf, 'utf8'), previous, 'A keeps its previous file');
    assert.match(fs.readFileSync(ipfPaths(s.store.zonepathOf('zones', B)).ipf, 'utf8'), /port = 8080/, 'B was still done');
    const loads = s.calls().filter((c) => c[0] === 'ipf').map((c) => c[c.length - 1]);
    assert.deepEqual(loads, [A, A, B], 'A: the failed load then the reload of .old; B once');
    const loaded = JSON.parse(fs.readFileSync(path.join(s.hostEnv.FAKE_HOST_STATE as string, 'ipf', `${A}.json`), 'utf8')) as { ipf: string };
    assert.equal(loaded.ipf, previous);
  });

  it('vmadm hook: any failure undoes every VM\'s files and throws one line', async () => {
    const s = setup();
    await putVms(s);
    await addRule(s, 'FROM tag role TO tag role ALLOW tcp PORT 80');
    const pa = ipfPaths(s.store.zonepathOf('zones', A));
    const aBefore = fs.readFileSync(pa.ipf, 'utf8');
    const env = firewallEnv(s.store, new IllumosHost({ ...s.hostEnv, FAKE_IPF_FAIL: B }));
    const vms = s.store.list();
    const changed = { ...vms.find((v) => v.uuid === C)!, nics: [{ ...vms[2].nics[0], ips: ['198.51.100.77/24'] }] };
    await assert.rejects(
      s.store.lock(() => vmFirewallHook(env, vms, withVm(vms, C, changed), 'Error updating firewall rules for VM')),
      (err: Error) => new RegExp(`^Error updating firewall rules for VM: VM ${B}: ipf .* failed: `).test(err.message) && !err.message.includes('\n'),
    );
    assert.equal(fs.readFileSync(pa.ipf, 'utf8'), aBefore, 'A (rewritten before B failed) is back to its previous file');
    const loaded = JSON.parse(fs.readFileSync(path.join(s.hostEnv.FAKE_HOST_STATE as string, 'ipf', `${A}.json`), 'utf8')) as { ipf: string };
    assert.equal(loaded.ipf, aBefore, 'and its previous rules are loaded again');
  });
});
