/** showName / quoteText: names from the input as messages print them. */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { quoteText, showName } from '../../src/cli/names';

describe('showName', () => {
  it('prints a plain name as it is', () => {
    for (const name of ['nics.0.ips', 'routes.10.2.0.0/16', 'tags.caf\u00e9', 'a b']) assert.equal(showName(name), name);
  });

  it('quotes and escapes any other name', () => {
    assert.equal(showName('routes.x\nVALID create payload for joyent brand VMs.'), '"routes.x\\nVALID create payload for joyent brand VMs."');
    assert.equal(showName('tags.a,b'), '"tags.a,b"');
    assert.equal(showName('say "hi"\\'), '"say \\"hi\\"\\\\"');
    assert.equal(showName(''), '""');
    assert.equal(showName(' padded'), '" padded"');
    assert.equal(showName('\u001b[2J'), '"\\x1b[2J"');
  });

  it('any name prints as one line without control characters, and distinct names print distinctly', () => {
    const name = fc.string({ unit: fc.oneof(fc.constantFrom('\n', '\r', '\u001b', '\u0000', '\u0085', '"', '\\', ',', ' ', 'a', '.'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })) });
    fc.assert(
      fc.property(name, name, (a, b) => {
        const shown = showName(a);
        assert.ok(!/[\u0000-\u001f\u007f-\u009f]/.test(shown), JSON.stringify(shown));
        if (a !== b) assert.notEqual(shown, showName(b));
      }),
    );
  });
});

describe('quoteText', () => {
  it('cuts long text and marks the cut', () => {
    assert.equal(quoteText('x'.repeat(100), 5), '"xxxxx..."');
    assert.equal(quoteText('abc', 5), '"abc"');
  });
});
