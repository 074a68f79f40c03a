/**
 * The one error base (core/errors): its kinds and their exit statuses, and
 * errors that carry several messages (fwadm prints each on its own line).
 */
import { strict as assert } from 'node:assert';
import { AppError, HostError, NotFoundError, UsageError } from '../../src/core/errors';
import { ruleError } from '../../src/core/fwrule/errors';
import { compileInputError } from '../../src/core/ipf/model';
import { AddressError, parseAddress } from '../../src/core/net/address';

describe('core/errors', () => {
  it('kinds: bad input, not found and host failures exit 1, usage errors 2', () => {
    assert.deepEqual(
      [new AppError('x'), new NotFoundError('x'), new HostError('x'), new UsageError('x')].map((e) => [e.name, e.exitCode, e instanceof AppError]),
      [['AppError', 1, true], ['NotFoundError', 1, true], ['HostError', 1, true], ['UsageError', 2, true]],
    );
  });

  it('several messages: each kept, the message is them one per line; one message is a list of one', () => {
    const e = new NotFoundError(['Unknown rule: a', 'Unknown rule: b']);
    assert.deepEqual(e.messages, ['Unknown rule: a', 'Unknown rule: b']);
    assert.equal(e.message, 'Unknown rule: a\nUnknown rule: b');
    assert.deepEqual(new AppError('one\ntwo').messages, ['one\ntwo']);
  });

  it('rule and compile refusals are bad input with control characters escaped; a rule error names its field', () => {
    const r = ruleError('Port number "\u001b" is invalid');
    assert.ok(r instanceof AppError);
    assert.deepEqual([r.exitCode, r.message, r.field], [1, 'Port number "\\x1b" is invalid', 'rule']);
    assert.equal(ruleError('enabled must be true or false', 'enabled').field, 'enabled');
    const c = compileInputError('vms[0]: tag "\n" must be a string');
    assert.deepEqual([c instanceof AppError, c.exitCode, c.message], [true, 1, 'vms[0]: tag "\\n" must be a string']);
  });

  it('a refused address is bad input, its stack not taken', () => {
    assert.throws(() => parseAddress('10.0.0.256'), (e: unknown) => e instanceof AddressError && e instanceof AppError && e.exitCode === 1 && e.stack === 'AddressError: "10.0.0.256" is not a valid IPv4 or IPv6 address');
  });
});
