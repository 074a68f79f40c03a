/** A deterministic VmEnv for the VM model's tests. */
import type { VmEnv } from '../../../src/core/vm/env';

export function testEnv(bytes: () => number = counter(), now = new Date('2025-01-01T00:00:00.000Z')): VmEnv {
  let n = 0;
  return {
    now,
    newUuid: () => `a3c1f0de-6c1e-4b7a-9d2f-${String(++n).padStart(12, '0')}`,
    randomBytes: (k: number) => Uint8Array.from({ length: k }, bytes),
    zonepathOf: (zpool: string, uuid: string) => `/${zpool}/${uuid}`,
  };
}

function counter(): () => number {
  let c = 0;
  return () => (c++ * 37 + 11) & 0xff;
}
