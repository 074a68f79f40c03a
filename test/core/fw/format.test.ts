/**
 * fwadm's output, byte for byte: the change summary (§3), the -j object,
 * the list table (§4, incl. the verified layout), -p escaping, -o checks,
 * and status/stats from ipf/ipfstat output (§7).
 */
import { strict as assert } from 'node:assert';
import { AppError } from '../../../src/core/errors';
import {
  changeJson, formatChange, formatRuleTable, formatStats, formatStatus, parseFields, parseIpfStats,
  parseIpfStatus, rulesJsonList, statsFromIpfstat, statusFromIpf,
} from '../../../src/core/fw/format';
import { planAdd, ruleToJson } from '../../../src/core/fw/rules';
import type { FwRule } from '../../../src/core/fwrule/types';

const U1 = '0a1b2c3d-1111-4222-8333-444455556666';
const U2 = '9f8e7d6c-1111-4222-8333-444455556666';
const OWNER = 'e6c7a8b9-1111-4222-8333-444455556666';
const VM1 = '5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11';
const RVM1 = 'aaaaaaaa-0000-4000-8000-000000000001';
const RVM2 = 'aaaaaaaa-0000-4000-8000-000000000002';

function rules(): FwRule[] {
  return [
    ...planAdd([], [
      { uuid: U2, rule: 'from tag role = web to any block udp port 53', owner_uuid: OWNER },
      { uuid: U1, rule: 'FROM any TO all vms ALLOW tcp PORT 22', global: true, enabled: true },
    ], { now: 1700000000000, pid: 12345, newUuid: () => assert.fail('no uuid needed') }).rules,
  ];
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof AppError && err.exitCode === 1);
    return err.message;
  }
  assert.fail('accepted');
}

describe('core/fw format', () => {
  describe('change output (§3)', () => {
    it('Added rules: one "%s %s %s" line per rule, enabled padded to 7', () => {
      const [a, b] = rules();
      assert.equal(
        formatChange('Added', { rules: [a, b], vms: [] }),
        'Added rules:\n' +
          `${U1} true    FROM any TO all vms ALLOW tcp PORT 22\n` +
          `${U2} false   FROM tag "role" = "web" TO any BLOCK udp PORT 53\n`,
      );
    });

    it('nothing changed: a single empty line', () => {
      assert.equal(formatChange('Deleted', { rules: [], vms: [] }), '\n');
      assert.equal(formatChange('Added', { rules: [], remoteVms: [], vms: [] }), '\n');
    });

    it('remote VMs sorted, -v adds VMs affected, --stdout puts the files first', () => {
      const [a] = rules();
      assert.equal(
        formatChange('Added', { rules: [a], remoteVms: [RVM2, RVM1], vms: [VM1], files: [{ path: '/zones/x/config/ipf.conf', text: 'one\n' }, { path: '/zones/x/config/ipf6.conf', text: 'two\n' }] }, { verbose: true, stdout: true }),
        '=== /zones/x/config/ipf.conf\none\n\n\n=== /zones/x/config/ipf6.conf\ntwo\n\n\n' +
          `Added rules:\n${U1} true    FROM any TO all vms ALLOW tcp PORT 22\n` +
          `Added remote VMs:\n${RVM1}\n${RVM2}\n` +
          `\nVMs affected:\n${VM1}\n`,
      );
      assert.equal(formatChange('Deleted', { rules: [], remoteVms: [RVM1], vms: [] }), `Deleted remote VMs:\n${RVM1}\n`);
    });

    it('-j: vms, rules as stored objects, remoteVMs only when present, files only with --stdout', () => {
      const [a] = rules();
      const res = { rules: [a], vms: [VM1], files: [{ path: '/p', text: 't\n' }] };
      const j = changeJson(res);
      assert.deepEqual(Object.keys(j), ['vms', 'rules']);
      assert.deepEqual(j.rules, [ruleToJson(a)]);
      assert.deepEqual(changeJson({ ...res, remoteVms: [RVM2, RVM1] }, { stdout: true }), {
        vms: [VM1], rules: [ruleToJson(a)], remoteVMs: [RVM1, RVM2], files: { '/p': 't\n' },
      });
      assert.deepEqual(changeJson({ rules: [], vms: [] }), { vms: [], rules: [] });
    });
  });

  describe('tables (§4)', () => {
    it('the verified layout: widths, one space, trailing spaces, disabled as -', () => {
      assert.equal(
        formatRuleTable(rules()),
        'UUID                                 ENABLED RULE                                            \n' +
          '0a1b2c3d-1111-4222-8333-444455556666 true    FROM any TO all vms ALLOW tcp PORT 22           \n' +
          '9f8e7d6c-1111-4222-8333-444455556666 -       FROM tag "role" = "web" TO any BLOCK udp PORT 53\n',
      );
    });

    it('no rows: nothing at all; -H: no header', () => {
      assert.equal(formatRuleTable([]), '');
      assert.equal(formatRuleTable([rules()[0]], { noHeader: true }), `${U1} true    FROM any TO all vms ALLOW tcp PORT 22\n`);
    });

    it('minimum widths per field, log unpadded, a column as wide as its longest value', () => {
      const [a] = planAdd([], [{ uuid: U1, rule: 'FROM any TO vm ' + VM1 + ' ALLOW ah', owner_uuid: OWNER, log: true, description: 'd', created_by: 'me' }], { now: 1, pid: 2, newUuid: () => U1 }).rules;
      assert.equal(
        formatRuleTable([a], { fields: ['global', 'log', 'created_by', 'description', 'version', 'enabled'] }),
        'GLOBAL LOG CREATED_BY DESCRIPTION     VERSION              ENABLED\n' +
          '-      true me         d               1.000002             -      \n',
      );
      const [b] = planAdd([], [{ uuid: U2, rule: 'FROM any TO all vms ALLOW ah', global: true }], { now: 1, pid: 2, newUuid: () => U2 }).rules;
      assert.equal(formatRuleTable([b], { fields: ['rule', 'global'] }), 'RULE                         GLOBAL\nFROM any TO all vms ALLOW ah true  \n');
    });

    it('-p: no header, no padding, the separator escaped inside values', () => {
      assert.equal(
        formatRuleTable(rules(), { parseable: true }),
        `${U1}:true:FROM any TO all vms ALLOW tcp PORT 22\n${U2}:-:FROM tag "role" = "web" TO any BLOCK udp PORT 53\n`,
      );
      assert.equal(
        formatRuleTable(rules(), { parseable: true, delim: '|', fields: ['uuid', 'enabled', 'global', 'owner_uuid'] }),
        `${U1}|true|true|-\n${U2}|-|-|${OWNER}\n`,
      );
      const [c] = planAdd([], [{ uuid: U1, rule: 'FROM any TO tag "a:b" ALLOW ah', global: true, description: 'x|y:z' }], { now: 1, pid: 2, newUuid: () => U1 }).rules;
      assert.equal(formatRuleTable([c], { parseable: true, fields: ['rule', 'description'] }), 'FROM any TO tag "a\\:b" ALLOW ah:x|y\\:z\n');
      assert.equal(formatRuleTable([c], { parseable: true, delim: '|', fields: ['description'] }), 'x\\|y:z\n');
    });

    it('-o: fields checked, unknown ones named (sorted)', () => {
      assert.deepEqual(parseFields(undefined), ['uuid', 'enabled', 'rule']);
      assert.deepEqual(parseFields('rule,uuid'), ['rule', 'uuid']);
      assert.equal(errorOf(() => parseFields('uuid,x')), 'Invalid display field: x');
      assert.equal(errorOf(() => parseFields('zz,uuid,aa,zz')), 'Invalid display fields: aa, zz');
    });

    it('-j: rule objects sorted by uuid, limited to the -o fields in stored key order', () => {
      assert.deepEqual(rulesJsonList(rules()).map((r) => r.uuid), [U1, U2]);
      assert.deepEqual(rulesJsonList(rules(), ['rule', 'enabled']), [
        { enabled: true, rule: 'FROM any TO all vms ALLOW tcp PORT 22' },
        { enabled: false, rule: 'FROM tag "role" = "web" TO any BLOCK udp PORT 53' },
      ]);
      assert.deepEqual(Object.keys(rulesJsonList(rules(), ['uuid', 'owner_uuid', 'global'])[0]), ['global', 'uuid']);
    });
  });

  describe('status and stats (§7)', () => {
    const GV = [
      'ipf: IP Filter: v4.1.9 (592)',
      'Kernel: IP Filter: v4.1.9',
      'Running: yes',
      'Log Flags: 0 = none set',
      'Default: nomatch -> block all, Logging: available',
      'Active list: 0',
      'Feature mask: 0x107',
      '',
    ].join('\n');

    it('ipf -GV parsed into lower-cased keys', () => {
      const s = parseIpfStatus(GV);
      assert.deepEqual(s, {
        ipf: 'v4.1.9 (592)', kernel: 'v4.1.9', running: true, 'log flags': '0 = none set',
        default: 'nomatch -> block all, Logging: available', 'active list': 0, 'feature mask': '0x107',
      });
      assert.equal(formatStatus(s), 'running\n');
      assert.equal(formatStatus({ ...s, running: false }), 'stopped\n');
      assert.equal(
        formatStatus(s, true),
        'ipf: v4.1.9 (592)\nkernel: v4.1.9\nrunning: true\nlog flags: 0 = none set\ndefault: nomatch -> block all, Logging: available\nactive list: 0\nfeature mask: 0x107\n',
      );
    });

    it('a zone ipf cannot find is stopped; other failures are errors', () => {
      assert.deepEqual(statusFromIpf({ stdout: '', stderr: 'ipf: Could not find running zone: x\n', exitCode: 1 }), { running: false });
      assert.equal(errorOf(() => statusFromIpf({ stdout: '', stderr: '', exitCode: 0 })), 'No output from ipf');
      assert.equal(errorOf(() => statusFromIpf({ stdout: '', stderr: 'ipf: permission denied\n', exitCode: 1 })), 'ipf: permission denied');
      assert.equal(statusFromIpf({ stdout: GV, stderr: '', exitCode: 0 }).running, true);
    });

    it('ipfstat -hoi: <hits> <rule> per line, hits a string', () => {
      const out = '0 pass out quick proto tcp from any to any flags S/SA keep state\n12 block in all\n\n';
      const stats = parseIpfStats(out);
      assert.deepEqual(stats, [
        { hits: '0', rule: 'pass out quick proto tcp from any to any flags S/SA keep state' },
        { hits: '12', rule: 'block in all' },
      ]);
      assert.equal(formatStats(stats), '0 pass out quick proto tcp from any to any flags S/SA keep state\n12 block in all\n');
      assert.equal(formatStats([]), '');
    });

    it('stats errors: not running, empty list, no output', () => {
      assert.equal(errorOf(() => statsFromIpfstat(VM1, { stdout: '1 x\n', stderr: '', exitCode: 0 }, false)), `Firewall is not running for VM "${VM1}"`);
      assert.equal(errorOf(() => statsFromIpfstat(VM1, { stdout: '', stderr: 'empty list for ipfilter(out)\n', exitCode: 0 }, false)), `Firewall is not running for VM "${VM1}"`);
      assert.deepEqual(statsFromIpfstat(VM1, { stdout: '', stderr: 'empty list for ipfilter(out)\n', exitCode: 0 }, true), []);
      assert.equal(errorOf(() => statsFromIpfstat(VM1, { stdout: '', stderr: '', exitCode: 0 }, true)), 'No output from ipfstat');
    });
  });
});
