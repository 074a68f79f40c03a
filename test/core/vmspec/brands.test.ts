import { strict as assert } from 'node:assert';
import { BRANDS, HVM_BRANDS, ZONE_BRANDS, isHvm } from '../../../src/core/vmspec/brands';

describe('core/vmspec/brands', () => {
  it('kvm and bhyve are the hardware VM brands; every other brand is a zone', () => {
    assert.deepEqual(BRANDS.filter(isHvm), [...HVM_BRANDS]);
    assert.deepEqual(BRANDS.filter((b) => !isHvm(b)), [...ZONE_BRANDS]);
    assert.deepEqual(['kvm', 'bhyve', 'KVM', 'xen', undefined, 7].map(isHvm), [true, true, false, false, false, false]);
  });
});
