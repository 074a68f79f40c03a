/**
 * The shared JSON reader (parseJsonText): what JSON.parse alone would get
 * silently wrong, a key given twice and a number it cannot hold, is refused
 * with one line naming the place.
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { parseJsonText } from '../../src/cli/input';
import { quoteText, showName } from '../../src/cli/names';
import { AppError as InputError } from '../../src/core/errors';
import { run } from '../helpers/run-cli';

/** The message parseJsonText refuses `text` with. */
function refusal(text: string): string {
  try {
    parseJsonText(text, '<stdin>');
  } catch (err) {
    assert.ok(err instanceof InputError, String(err));
    assert.ok(!err.message.includes('\n'), err.message);
    return err.message;
  }
  assert.fail(`accepted: ${text.slice(0, 200)}`);
}

function lineColumnOf(text: string, offset: number): string {
  const lines = text.slice(0, offset).split('\n');
  return `line ${lines.length}, column ${lines[lines.length - 1].length + 1}`;
}

describe('parseJsonText: duplicate keys', () => {
  it('refuses a key given twice, naming it and where the second one is', () => {
    assert.equal(
      refusal('{"brand":"joyent","brand":"kvm","vcpus":2}'),
      'Invalid JSON payload: <stdin>: line 1, column 19: duplicate key "brand" (first at line 1, column 2): a key may appear only once in an object',
    );
    const nics = '{\n  "brand": "joyent",\n  "nics": [\n    {"nic_tag": "a", "ips": ["fe80::1%net0"]},\n    {"nic_tag": "b", "ips": ["fe80::1%net0"],\n     "ips": ["10.0.0.1/24"]}\n  ]\n}';
    assert.equal(
      refusal(nics),
      'Invalid JSON payload: <stdin>: line 6, column 6: duplicate key "ips" in nics.1 (first at line 5, column 22): a key may appear only once in an object',
    );
  });

  it('compares keys as decoded: "a" and "\\u0061" are the same key', () => {
    assert.match(refusal('{"a": 1, "\\u0061": 2}'), /duplicate key "a" .*first at line 1, column 2/);
  });

  it('escapes the key it names', () => {
    const msg = refusal('{"x\\nVALID create payload for joyent brand VMs.\\u001b": 1, "x\\nVALID create payload for joyent brand VMs.\\u001b": 2}');
    assert.match(msg, /duplicate key "x\\nVALID create payload for joyent brand VMs\.\\x1b"/);
  });

  it('accepts the same key in different objects, and strings that look like keys', () => {
    const text = '{"a": {"a": 1, "b": ["a", "a"]}, "b": [{"a": 1}, {"a": 2}], "c": "\\"a\\": 1, \\"a\\": 2"}';
    assert.deepEqual(parseJsonText(text, 'x'), JSON.parse(text));
  });

  it('finds a duplicate key under 100,000 levels of nesting, naming a shortened path', () => {
    const depth = 100000;
    const msg = refusal(`${'{"k":'.repeat(depth)}{"dup": 1, "dup": 2}${'}'.repeat(depth)}`);
    assert.match(msg, /^Invalid JSON payload: <stdin>: line 1, column \d+: duplicate key "dup" in "k\.k\.k.*\.\.\." \(first at/);
    assert.ok(msg.length < 400);
  });

  it('any object with a key given twice at any depth is refused, naming that key and its place', () => {
    const scalar = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null)).map((v) => JSON.stringify(v));
    const level = fc.record({ inObject: fc.boolean(), key: fc.string(), before: fc.boolean(), sep: fc.constantFrom('', ' ', '\n  ') });
    const arb = fc.record({
      key: fc.string({ unit: 'binary' }),
      escapeSecond: fc.boolean(),
      others: fc.uniqueArray(fc.string(), { maxLength: 4 }),
      values: fc.array(scalar, { minLength: 6, maxLength: 6 }),
      levels: fc.array(level, { maxLength: 6 }),
    });
    fc.assert(
      fc.property(arb, ({ key, escapeSecond, others, values, levels }) => {
        const second = escapeSecond
          ? `"${Array.from({ length: key.length }, (_, i) => `\\u${key.charCodeAt(i).toString(16).padStart(4, '0')}`).join('')}"`
          : JSON.stringify(key);
        const between = others.filter((o) => o !== key).map((o, i) => `${JSON.stringify(o)}: ${values[i]}, `).join('');
        const head = `{${JSON.stringify(key)}: ${values[4]},\n ${between}`;
        let text = `${head}${second}: ${values[5]}}`;
        let at = head.length; // the second key
        let first = 1; // the first key
        let path: string[] = [];
        for (const l of levels) {
          const open = l.inObject
            ? `{${l.before ? `${JSON.stringify(l.key === 'x' ? 'y' : 'x')}: 1,${l.sep}` : ''}${JSON.stringify(l.key)}:${l.sep}`
            : `[${l.before ? `1,${l.sep}` : ''}`;
          text = `${open}${text}${l.inObject ? '}' : ']'}`;
          at += open.length;
          first += open.length;
          path = [l.inObject ? l.key : l.before ? '1' : '0', ...path];
        }
        const dotted = path.join('.');
        const where = path.length === 0 ? '' : ` in ${dotted.length > 80 ? quoteText(dotted, 80) : showName(dotted)}`;
        const msg = refusal(text);
        assert.equal(
          msg,
          `Invalid JSON payload: <stdin>: ${lineColumnOf(text, at)}: duplicate key ${quoteText(key, 80)}${where} (first at ${lineColumnOf(text, first)}): ` +
            'a key may appear only once in an object',
        );
        assert.ok(!/[\u0000-\u001f\u007f-\u009f]/.test(msg), msg);
      }),
    );
  });
});

describe('parseJsonText: numbers', () => {
  it('refuses an integer beyond the safe range, as typed, with its place', () => {
    assert.equal(
      refusal('{"brand": "kvm",\n "vcpus": 9007199254740993}'),
      'Invalid JSON payload: <stdin>: line 2, column 11: the number 9007199254740993 is outside the range of exact integers (-9007199254740991 to 9007199254740991)',
    );
    assert.match(refusal('[-9007199254740992]'), /column 2: the number -9007199254740992 is outside the range of exact integers/);
    assert.match(refusal('[1e20]'), /the number 1e20 is outside/);
    assert.match(refusal('[9007199254740993.0]'), /the number 9007199254740993\.0 is outside/);
  });

  it('refuses a number that overflows, as typed', () => {
    assert.equal(
      refusal('{"vcpus": 1e400}'),
      'Invalid JSON payload: <stdin>: line 1, column 11: the number 1e400 is out of range (a JSON number here is at most about 1.8e308)',
    );
    assert.match(refusal('[-1E+309]'), /the number -1E\+309 is out of range/);
    assert.match(refusal(`[${'9'.repeat(400)}]`), new RegExp(`the number ${'9'.repeat(80)}\\.\\.\\. is out of range`));
  });

  it('keeps the safe integers at either end and numbers with fractions', () => {
    assert.deepEqual(parseJsonText('[9007199254740991, -9007199254740991, 0.1, 1e-400, 1.5e15, 123456789012345.6, -0]', 'x'), [
      9007199254740991, -9007199254740991, 0.1, 0, 1.5e15, 123456789012345.6, -0,
    ]);
  });

  it('refuses a large number written with a fraction or an exponent: every double that large is an integer, and not an exact one', () => {
    assert.match(refusal('[1.5e300]'), /the number 1\.5e300 is outside the range of exact integers/);
  });

  it('any integer literal is either kept exactly or refused by name', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }), (n) => {
        const text = `{"n": ${n}}`;
        const safe = n >= -(2n ** 53n - 1n) && n <= 2n ** 53n - 1n;
        if (safe) assert.deepEqual(parseJsonText(text, 'x'), { n: Number(n) });
        else assert.equal(refusal(text), `Invalid JSON payload: <stdin>: line 1, column 7: the number ${n} is outside the range of exact integers (-9007199254740991 to 9007199254740991)`);
      }),
    );
  });

  it('any JSON document without duplicate keys or unsafe integers reads as JSON.parse reads it', () => {
    const hasUnsafe = (v: unknown): boolean =>
      typeof v === 'number'
        ? Number.isInteger(v) && !Number.isSafeInteger(v)
        : typeof v === 'object' && v !== null && Object.values(v).some(hasUnsafe);
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (value, pretty) => {
        const text = JSON.stringify(value, null, pretty ? 2 : undefined);
        if (hasUnsafe(JSON.parse(text))) assert.match(refusal(text), /the number \S+ is outside the range of exact integers/);
        else assert.deepEqual(parseJsonText(text, 'x'), JSON.parse(text));
      }),
    );
  });
});

describe('the shared reader in fwadm compile', () => {
  it('refuses a compile payload with a duplicate key, one line, exit 1', async () => {
    const r = await run('fwadm', ['compile'], { input: '{"vms": [], "rules": [], "vms": []}' });
    assert.deepEqual([r.status, r.stdout, r.stderr], [
      1,
      '',
      'fwadm: Invalid JSON payload: <stdin>: line 1, column 26: duplicate key "vms" (first at line 1, column 2): a key may appear only once in an object\n',
    ]);
  });
});
