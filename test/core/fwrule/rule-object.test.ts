/**
 * Rule objects (fwadm add payloads): the field checks and messages of
 * docs/fwrule.md, and how an accepted payload is completed.
 */
import { strict as assert } from 'node:assert';
import { AppError } from '../../../src/core/errors';
import { generateVersion, validateRuleObject } from '../../../src/core/fwrule/rule-object';

const OWNER = '930896af-bf8c-48d4-885c-6573a94b1853';
const UUID = 'b0b0b0b0-1111-4222-8333-444444444444';
const RULE = 'from any to tag role = www allow tcp ports 443, 80';
const pinned = { newUuid: () => UUID, now: () => 1700000000123, pid: 42 };

function errorOf(payload: unknown): string {
  try {
    validateRuleObject(payload, pinned);
  } catch (err) {
    assert.ok(err instanceof AppError && err.exitCode === 1);
    return err.message;
  }
  assert.fail('accepted');
}

describe('fwrule rule objects', () => {
  it('completes a minimal payload: generated uuid and version, defaults, canonical rule', () => {
    const r = validateRuleObject({ rule: RULE, owner_uuid: OWNER }, pinned);
    assert.deepEqual(
      { ...r, parsed: undefined },
      {
        uuid: UUID,
        version: '1700000000123.000042',
        enabled: false,
        owner_uuid: OWNER,
        log: false,
        rule: 'FROM any TO tag "role" = "www" ALLOW tcp (PORT 80 AND PORT 443)',
        parsed: undefined,
      },
    );
  });

  it('keeps given fields', () => {
    const r = validateRuleObject(
      { rule: RULE, uuid: UUID, version: '1.000001', enabled: true, global: true, log: true, description: 'web', created_by: 'ops' },
      pinned,
    );
    assert.equal(r.global, true);
    assert.equal(r.owner_uuid, undefined);
    assert.deepEqual([r.uuid, r.version, r.enabled, r.log, r.description, r.created_by], [UUID, '1.000001', true, true, 'web', 'ops']);
  });

  it('versions are <ms since epoch>.<6-digit pid>', () => {
    assert.equal(generateVersion(5, 7), '5.000007');
    assert.equal(generateVersion(1700000000000, 1234567), '1700000000000.1234567');
  });

  const cases: Array<[string, unknown, string]> = [
    ['no rule', { owner_uuid: OWNER }, 'No rule specified'],
    ['a bad rule', { rule: 'from any to any allow tcp port 1', owner_uuid: OWNER }, 'rule does not affect VMs'],
    ['a bad uuid', { rule: RULE, owner_uuid: OWNER, uuid: 'B0B0B0B0-1111-4222-8333-444444444444' }, 'Invalid rule UUID'],
    ['a bad owner', { rule: RULE, owner_uuid: 'nobody' }, 'Invalid owner UUID'],
    ['enabled not boolean', { rule: RULE, owner_uuid: OWNER, enabled: 'true' }, 'enabled must be true or false'],
    ['log not boolean', { rule: RULE, owner_uuid: OWNER, log: 1 }, 'log must be true or false'],
    ['global not boolean', { rule: RULE, global: 'yes' }, 'first of 2 errors: global must be true or false'],
    ['both global and owner', { rule: RULE, owner_uuid: OWNER, global: true }, 'cannot specify both global and owner_uuid'],
    ['neither global nor owner', { rule: RULE }, 'owner_uuid required'],
    ['global false without owner', { rule: RULE, global: false }, 'owner_uuid required'],
    ['description not a string', { rule: RULE, owner_uuid: OWNER, description: 5 }, 'description must be a string'],
    ['created_by too long', { rule: RULE, owner_uuid: OWNER, created_by: 'x'.repeat(256) }, 'created_by must be shorter than 255 characters'],
    ['several errors', { rule: RULE, uuid: 'x', enabled: 3 }, 'first of 3 errors: Invalid rule UUID'],
    ['not an object', ['rule'], 'a rule must be a JSON object'],
  ];
  for (const [what, payload, message] of cases) {
    it(`${what}: "${message}"`, () => assert.equal(errorOf(payload), message));
  }

  it('owner_uuid may be left out when the caller does not require it', () => {
    assert.equal(validateRuleObject({ rule: RULE }, { ...pinned, requireOwner: false }).owner_uuid, undefined);
  });
});
