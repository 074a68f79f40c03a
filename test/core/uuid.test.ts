import { strict as assert } from 'node:assert';
import { UUID_ANY_CASE, UUID_LOWER_CASE } from '../../src/core/uuid';

describe('core/uuid', () => {
  it('vmadm takes a UUID in any case, fwadm in lower case only; neither takes anything but 8-4-4-4-12 hex', () => {
    const lower = '5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11';
    assert.deepEqual([UUID_ANY_CASE.test(lower), UUID_LOWER_CASE.test(lower)], [true, true]);
    assert.deepEqual([UUID_ANY_CASE.test(lower.toUpperCase()), UUID_LOWER_CASE.test(lower.toUpperCase())], [true, false]);
    for (const bad of ['', lower.slice(1), `${lower}0`, lower.replace(/-/g, ''), `{${lower}}`, lower.replace('5', 'g'), `${lower}\n`]) {
      assert.deepEqual([UUID_ANY_CASE.test(bad), UUID_LOWER_CASE.test(bad)], [false, false], bad);
    }
  });
});
