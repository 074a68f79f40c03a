import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../../src/core/errors';
import { hostKind, stateRoot } from '../../src/store/root';

describe('store/root', () => {
  it('VMADM_HOST picks the host; without it, illumos only where /usr/sbin/zonecfg exists', () => {
    assert.equal(hostKind({ VMADM_HOST: 'local' }), 'local');
    assert.equal(hostKind({ VMADM_HOST: 'illumos' }), 'illumos');
    assert.equal(hostKind({}), fs.existsSync('/usr/sbin/zonecfg') ? 'illumos' : 'local');
  });

  it('a bad VMADM_HOST is a usage error naming the variable', () => {
    assert.throws(() => hostKind({ VMADM_HOST: 'solaris' }), (err: unknown) => {
      assert.ok(err instanceof UsageError);
      assert.equal(err.exitCode, 2);
      assert.match(err.message, /^VMADM_HOST: "solaris" is not a host kind/);
      return true;
    });
  });

  it('--root wins over VMADM_ROOT, which wins over the defaults', () => {
    const env = { VMADM_ROOT: '/srv/vm', XDG_STATE_HOME: '/x', HOME: '/home/u' };
    assert.equal(stateRoot('/tmp/r', 'local', env), '/tmp/r');
    assert.equal(stateRoot('rel', 'local', env), path.resolve('rel'));
    assert.equal(stateRoot(undefined, 'local', env), '/srv/vm');
    assert.equal(stateRoot(undefined, 'illumos', env), '/srv/vm');
  });

  it('local default: $XDG_STATE_HOME/vmadm, else ~/.local/state/vmadm; illumos: /var/vmadm', () => {
    assert.equal(stateRoot(undefined, 'local', { XDG_STATE_HOME: '/x/state', HOME: '/home/u' }), '/x/state/vmadm');
    assert.equal(stateRoot(undefined, 'local', { XDG_STATE_HOME: 'relative', HOME: '/home/u' }), '/home/u/.local/state/vmadm');
    assert.equal(stateRoot(undefined, 'local', { HOME: '/home/u' }), '/home/u/.local/state/vmadm');
    assert.equal(stateRoot(undefined, 'illumos', { HOME: '/root' }), '/var/vmadm');
  });
});
