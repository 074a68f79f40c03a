/** escapeControl: input text made safe to print on one line of a terminal. */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { escapeControl } from '../../src/core/text';

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

describe('escapeControl', () => {
  it('shows newline, CR and tab by name, other C0 controls and DEL as \\xHH, C1 controls as \\u00HH', () => {
    assert.equal(escapeControl('a\nb\rc\td'), 'a\\nb\\rc\\td');
    assert.equal(escapeControl('\u001b[31mred\u0007\u0000'), '\\x1b[31mred\\x07\\x00');
    assert.equal(escapeControl('del\u007f'), 'del\\x7f');
    assert.equal(escapeControl('nel\u0085csi\u009b'), 'nel\\u0085csi\\u009b');
  });

  it('leaves other text, Unicode included, as it is', () => {
    for (const s of ['', 'nics.0.ips', 'caf\u00e9 \u00a0\u00ff', '\u2028\u202e\ud83d\ude00', 'back\\slash "quoted"']) {
      assert.equal(escapeControl(s), s);
    }
  });

  it('never leaves a control character, and changes nothing else', () => {
    const withControls = fc.array(fc.oneof(fc.string({ unit: 'grapheme' }), fc.integer({ min: 0, max: 0x9f }).map((c) => String.fromCharCode(c))), {
      maxLength: 20,
    });
    fc.assert(
      fc.property(withControls, (parts) => {
        const s = parts.join('');
        const out = escapeControl(s);
        assert.ok(!CONTROL.test(out), JSON.stringify(out));
        // removing the escapes gives back the text without its controls
        const stripped = out.replace(/\\(?:[nrt]|x[0-9a-f]{2}|u00[89][0-9a-f])/g, '');
        assert.equal(stripped, s.replace(new RegExp(CONTROL, 'g'), '').replace(/\\(?:[nrt]|x[0-9a-f]{2}|u00[89][0-9a-f])/g, ''));
      }),
    );
  });
});
