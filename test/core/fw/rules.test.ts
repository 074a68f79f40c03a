/**
 * The fwadm rule lifecycle: add/update/delete/enable/disable plans, the
 * stored shape and key order, update merges, no-op detection and every
 * message of docs/fwadm-cli.md §5/§6.
 */
import { strict as assert } from 'node:assert';
import { AppError } from '../../../src/core/errors';
import {
  addPayloadFromArgs, findRule, isNoop, normalizePayload, planAdd, planDelete, planEnable, planUpdate,
  ruleFromJson, ruleToJson, updatePayloadFromArgs, withFlags, type RuleDeps,
} from '../../../src/core/fw/rules';
import type { FwRule } from '../../../src/core/fwrule/types';

const OWNER = '930896af-bf8c-48d4-885c-6573a94b1853';
const OWNER2 = 'e6c7a8b9-1111-4222-8333-444455556666';
const U1 = '0a1b2c3d-1111-4222-8333-444455556666';
const U2 = '9f8e7d6c-1111-4222-8333-444455556666';
const U3 = 'b0b0b0b0-1111-4222-8333-444444444444';

function deps(now = 1700000000000, uuids = [U1, U2, U3]): RuleDeps {
  const queue = [...uuids];
  return { now, pid: 12345, newUuid: () => queue.shift() ?? assert.fail('too many uuids') };
}

function messages(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof AppError && err.exitCode === 1, String(err));
    return [...err.messages];
  }
  assert.fail('accepted');
}

const add = (stored: FwRule[], raws: unknown[], d = deps()): FwRule[] => [...planAdd(stored, raws, d).rules];

describe('core/fw rules', () => {
  describe('add', () => {
    it('argv words and -e -g: one global enabled rule, canonical text, generated uuid and version', () => {
      const payload = addPayloadFromArgs(['FROM', 'any', 'TO', 'all', 'vms', 'ALLOW', 'tcp', 'port', '22'], { enable: true, global: true });
      const plan = planAdd([], payload.rules!, deps());
      assert.equal(plan.changed.length, 1);
      assert.deepEqual(JSON.stringify(ruleToJson(plan.changed[0]), null, 2), [
        '{',
        '  "enabled": true,',
        '  "global": true,',
        '  "log": false,',
        '  "rule": "FROM any TO all vms ALLOW tcp PORT 22",',
        `  "uuid": "${U1}",`,
        '  "version": "1700000000000.012345"',
        '}',
      ].join('\n'));
    });

    it('stores every field in the order created_by, description, enabled, global, log, owner_uuid, rule, uuid, version', () => {
      const [r] = add([], [{ rule: 'from any to tag role = www allow tcp ports 443, 80', owner_uuid: OWNER, log: true, created_by: 'fwapi', description: 'web' }]);
      assert.deepEqual(Object.keys(ruleToJson(r)), ['created_by', 'description', 'enabled', 'log', 'owner_uuid', 'rule', 'uuid', 'version']);
      assert.equal(ruleToJson(r).rule, 'FROM any TO tag "role" = "www" ALLOW tcp (PORT 80 AND PORT 443)');
    });

    it('-O and --desc are written into every rule of the payload', () => {
      const raws = normalizePayload({ rules: [{ rule: 'FROM any TO all vms ALLOW tcp PORT 22' }, { rule: 'FROM any TO all vms ALLOW udp PORT 53' }] }).rules!;
      const plan = planAdd([], raws.map((r) => withFlags(r, { owner_uuid: OWNER, description: 'd', enable: true })), deps());
      assert.deepEqual(plan.changed.map((r) => [r.owner_uuid, r.description, r.enabled]), [[OWNER, 'd', true], [OWNER, 'd', true]]);
    });

    it('refuses with the exact messages of §5, one line per bad rule, nothing planned', () => {
      assert.deepEqual(messages(() => planAdd([], [{ rule: 'FROM any TO all vms ALLOW tcp PORT 22' }], deps())), ['owner_uuid required']);
      assert.deepEqual(messages(() => planAdd([], addPayloadFromArgs(['FROM any TO all vms ALLOW tcp PORT 22'], { global: true, owner_uuid: OWNER }).rules!, deps())), ['cannot specify both global and owner_uuid']);
      assert.deepEqual(messages(() => planAdd([], addPayloadFromArgs([], { global: true }).rules!, deps())), ['No rule specified']);
      assert.deepEqual(messages(() => planAdd([], [{ rule: 'FROM any TO all vms ALLOW tcp PORT 22', global: true, uuid: 'nope' }], deps())), ['Invalid rule UUID']);
      assert.deepEqual(messages(() => planAdd([], [{ rule: 'FROM any TO all vms ALLOW tcp PORT 22', owner_uuid: 'AB' }], deps())), ['Invalid owner UUID']);
      assert.deepEqual(messages(() => planAdd([], [{ rule: 'FROM any TO all vms ALLOW tcp PORT 22', global: true, enabled: 'yes' }], deps())), ['enabled must be true or false']);
      assert.deepEqual(messages(() => planAdd([], [{ rule: 'FROM any TO all vms ALLOW tcp PORT 22', global: true, log: 1 }], deps())), ['log must be true or false']);
      assert.deepEqual(messages(() => planAdd([], [{ rule: 'FROM any TO all vms ALLOW tcp PORT 22', owner_uuid: OWNER, global: 'no' }], deps())), ['global must be true or false']);
      assert.deepEqual(
        messages(() => planAdd([], [{ rule: 'FROM any TO all vms ALLOW tcp PORT 65537', global: true }, { rule: 'FROM any TO all vms ALLOW tcp PORT 22', global: true }, { rule: 'FROM any TO all vms ALLOW tcp PORT 0', global: true }], deps())),
        ['Port number "65537" is invalid', 'Port number "0" is invalid'],
      );
    });

    it('an existing uuid is replaced whole (upsert) with a new version', () => {
      const stored = add([], [{ rule: 'FROM any TO all vms ALLOW tcp PORT 22', owner_uuid: OWNER, description: 'x' }]);
      const plan = planAdd(stored, [{ uuid: U1, rule: 'FROM any TO all vms ALLOW tcp PORT 23', global: true }], deps(1700000000999));
      assert.equal(plan.changed.length, 1);
      const j = ruleToJson(plan.rules[0]);
      assert.deepEqual(j, { enabled: false, global: true, log: false, rule: 'FROM any TO all vms ALLOW tcp PORT 23', uuid: U1, version: '1700000000999.012345' });
    });

    it('re-adding the same rule (same text in any spelling, flags, owner, description) changes nothing and keeps the stored version', () => {
      const stored = add([], [{ rule: 'FROM any TO all vms ALLOW tcp (PORT 80 AND PORT 443)', owner_uuid: OWNER, enabled: true, description: 'web' }]);
      const again = planAdd(stored, [{ uuid: U1, rule: 'from any to all vms allow tcp ports 443, 80', owner_uuid: OWNER, enabled: true, description: 'web' }], deps(1800000000000));
      assert.ok(isNoop(again));
      assert.equal(again.rules[0].version, '1700000000000.012345');
      for (const change of [{ enabled: false }, { description: 'www' }, { log: true }, { owner_uuid: OWNER2 }, { rule: 'FROM any TO all vms ALLOW tcp PORT 80' }]) {
        const p = planAdd(stored, [{ uuid: U1, rule: 'from any to all vms allow tcp ports 443, 80', owner_uuid: OWNER, enabled: true, description: 'web', ...change }], deps(1800000000000));
        assert.equal(p.changed.length, 1, JSON.stringify(change));
        assert.equal(p.changed[0].version, '1800000000000.012345');
      }
    });

    it('the whole set comes back sorted by uuid', () => {
      const rules = add([], [
        { rule: 'FROM any TO all vms ALLOW tcp PORT 1', global: true, uuid: U2 },
        { rule: 'FROM any TO all vms ALLOW tcp PORT 2', global: true, uuid: U1 },
        { rule: 'FROM any TO all vms ALLOW tcp PORT 3', global: true, uuid: U3 },
      ]);
      assert.deepEqual(rules.map((r) => r.uuid), [U1, U2, U3]);
    });
  });

  describe('payloads (§6)', () => {
    it('a top-level rule, enabled, description, owner_uuid or version key makes the payload one rule', () => {
      for (const key of ['rule', 'enabled', 'description', 'owner_uuid', 'version']) {
        const raw = { [key]: 'x' };
        assert.deepEqual(normalizePayload(raw), { rules: [raw] });
      }
      assert.deepEqual(normalizePayload({ rules: [{ rule: 'a' }], remoteVMs: [{ uuid: U1 }], vms: [1] }), { rules: [{ rule: 'a' }], remoteVMs: [{ uuid: U1 }] });
    });

    it('an empty payload is refused', () => {
      for (const p of [{}, { rules: [] }, { vms: [] }, [], null]) {
        assert.deepEqual(messages(() => normalizePayload(p)), ['Payload must contain one of: rules, localVMs, remoteVMs']);
      }
    });
  });

  describe('update', () => {
    const stored = (): FwRule[] =>
      add([], [
        { uuid: U1, rule: 'FROM any TO all vms ALLOW tcp PORT 22', owner_uuid: OWNER, enabled: true, description: 'ssh', created_by: 'me' },
        { uuid: U2, rule: 'FROM any TO all vms ALLOW udp PORT 53', global: true },
      ]);

    it('merges over the stored rule: unspecified fields kept, a new version', () => {
      const plan = planUpdate(stored(), updatePayloadFromArgs(U1, ['FROM', 'any', 'TO', 'all', 'vms', 'ALLOW', 'tcp', 'PORT', '2222'], {}).rules!, deps(1700000005000));
      assert.deepEqual(ruleToJson(plan.changed[0]), {
        created_by: 'me', description: 'ssh', enabled: true, log: false, owner_uuid: OWNER,
        rule: 'FROM any TO all vms ALLOW tcp PORT 2222', uuid: U1, version: '1700000005000.012345',
      });
    });

    it('flags alone keep the rule text', () => {
      const plan = planUpdate(stored(), updatePayloadFromArgs(U2, [], { enable: true, description: 'dns' }).rules!, deps(1700000005000));
      assert.deepEqual(ruleToJson(plan.changed[0]), {
        description: 'dns', enabled: true, global: true, log: false, rule: 'FROM any TO all vms ALLOW udp PORT 53', uuid: U2, version: '1700000005000.012345',
      });
    });

    it('setting owner_uuid on a global rule drops global, and global on an owned rule drops owner_uuid', () => {
      const a = planUpdate(stored(), [{ uuid: U2, owner_uuid: OWNER2 }], deps()).changed[0];
      assert.equal(a.global, undefined);
      assert.equal(a.owner_uuid, OWNER2);
      const b = planUpdate(stored(), [{ uuid: U1, global: true }], deps()).changed[0];
      assert.equal(b.global, true);
      assert.equal(b.owner_uuid, undefined);
      assert.deepEqual(messages(() => planUpdate(stored(), [{ uuid: U1, global: true, owner_uuid: OWNER }], deps())), ['cannot specify both global and owner_uuid']);
    });

    it('an update that changes nothing is no change', () => {
      const plan = planUpdate(stored(), [{ uuid: U1, rule: 'from any to all vms allow tcp port 22', enabled: true }], deps(1900000000000));
      assert.ok(isNoop(plan));
      assert.equal(plan.rules[0].version, '1700000000000.012345');
    });

    it('every rule needs a known uuid; all are checked before anything changes', () => {
      assert.deepEqual(messages(() => planUpdate(stored(), [{ rule: 'FROM any TO all vms ALLOW tcp PORT 1' }], deps())), ['Missing UUID of rule: {"rule":"FROM any TO all vms ALLOW tcp PORT 1"}']);
      assert.deepEqual(
        messages(() => planUpdate(stored(), [{ uuid: U1, enabled: false }, { uuid: U3, enabled: true }], deps())),
        [`Unknown rule: ${U3}`],
      );
      assert.deepEqual(messages(() => planUpdate(stored(), [{ uuid: U1, rule: 'FROM any TO all vms ALLOW tcp PORT 99999' }], deps())), ['Port number "99999" is invalid']);
    });
  });

  describe('delete, enable, disable, get', () => {
    const stored = (): FwRule[] =>
      add([], [
        { uuid: U1, rule: 'FROM any TO all vms ALLOW tcp PORT 22', global: true, enabled: true },
        { uuid: U2, rule: 'FROM any TO all vms ALLOW udp PORT 53', global: true },
      ]);

    it('delete removes the rules named, each once', () => {
      const plan = planDelete(stored(), [U2, U2]);
      assert.deepEqual(plan.removed.map((r) => r.uuid), [U2]);
      assert.deepEqual(plan.rules.map((r) => r.uuid), [U1]);
    });

    it('an unknown uuid among known ones: Unknown rule: <uuid> for each, nothing planned', () => {
      for (const fn of [
        () => planDelete(stored(), [U1, U3]),
        () => planEnable(stored(), [U3, U2], true, deps()),
        () => planEnable(stored(), [U1, U3], false, deps()),
      ]) {
        assert.deepEqual(messages(fn), [`Unknown rule: ${U3}`]);
      }
      assert.deepEqual(messages(() => planDelete(stored(), [U3, 'x'])), [`Unknown rule: ${U3}`, 'Unknown rule: x']);
    });

    it('enable and disable change only rules not already in that state, with a new version', () => {
      const en = planEnable(stored(), [U1, U2], true, deps(1700000009000));
      assert.deepEqual(en.changed.map((r) => [r.uuid, r.enabled, r.version]), [[U2, true, '1700000009000.012345']]);
      const dis = planEnable(stored(), [U2], false, deps(1700000009000));
      assert.ok(isNoop(dis));
    });

    it('get: the rule, or Unknown rule "<uuid>"', () => {
      assert.equal(findRule(stored(), U1).uuid, U1);
      assert.deepEqual(messages(() => findRule(stored(), U3)), [`Unknown rule "${U3}"`]);
    });
  });

  it('stored files read back as the same rule; a broken one names its file', () => {
    const [r] = add([], [{ rule: 'FROM any TO all vms ALLOW tcp PORT 22', owner_uuid: OWNER, description: 'd' }]);
    assert.deepEqual(ruleToJson(ruleFromJson(JSON.parse(JSON.stringify(ruleToJson(r))), 'f')), ruleToJson(r));
    assert.deepEqual(messages(() => ruleFromJson({ uuid: U1, version: '1', rule: 'FROM any TO all vms ALLOW tcp PORT 22' }, '/x/r.json')), ['/x/r.json: owner_uuid required']);
  });
});
