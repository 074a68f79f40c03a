/**
 * How `vmadm validate` prints a result: names from the payload can neither
 * forge a line nor reach the terminal raw; -j always prints the JSON report.
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { renderValidation, reportAsJson, reportAsText } from '../../src/cli/validation-output';
import { validateCreate, validateUpdate } from '../../src/core/vmspec/validate';

const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
const VALID = 'VALID create payload for joyent brand VMs.';

function lines(text: string): string[] {
  return text === '' ? [] : text.replace(/\n$/, '').split('\n');
}

describe('validation output', () => {
  it('quotes a name that holds a newline: no forged VALID line', () => {
    const payload = { brand: 'joyent', routes: { [`10.0.0.0/8\n${VALID}`]: '10.0.0.1' }, [`x\n${VALID}`]: 1 };
    const out = renderValidation(validateCreate(payload), false, VALID);
    assert.equal(out.status, 1);
    assert.ok(!lines(out.stdout).includes(VALID), out.stdout);
    assert.ok(!lines(out.stderr).includes(VALID), out.stderr);
    assert.match(out.stdout, /^bad_properties: "x\\nVALID create payload for joyent brand VMs\."$/m);
    assert.match(out.stdout, /^bad_values: "routes\.10\.0\.0\.0\/8\\nVALID create payload for joyent brand VMs\."$/m);
  });

  it('quotes a bad brand in the text report', () => {
    const out = renderValidation(validateUpdate({}, `x\n${VALID}`), false, 'VALID update payload.');
    assert.equal(out.stdout, `bad_brand: "x\\n${VALID}"\n`);
  });

  it('text report of plain names is unchanged', () => {
    assert.equal(reportAsText({ bad_properties: ['nics.0.model'], bad_values: ['ram', 'routes.10.2.0.1/16'] }), 'bad_properties: nics.0.model\nbad_values: ram, routes.10.2.0.1/16\n');
  });

  it('-j: the three lists always, bad_brand first when there is one', () => {
    assert.deepEqual(reportAsJson({}), { bad_values: [], bad_properties: [], missing_properties: [] });
    assert.deepEqual(Object.keys(reportAsJson({ bad_brand: 'xen' })), ['bad_brand', 'bad_values', 'bad_properties', 'missing_properties']);
    assert.deepEqual(reportAsJson({ missing_properties: ['brand'] }), { bad_values: [], bad_properties: [], missing_properties: ['brand'] });
  });

  it('-j on a valid payload: the empty report on stdout, the VALID line on stderr', () => {
    const out = renderValidation(validateCreate({ brand: 'joyent', image_uuid: '2b683a82-a066-11e3-97ab-2faa44701c5a' }), true, VALID);
    assert.deepEqual(out, {
      stdout: '{\n  "bad_values": [],\n  "bad_properties": [],\n  "missing_properties": []\n}\n',
      stderr: `${VALID}\n`,
      status: 0,
    });
  });

  it('-j escapes DEL and C1 controls in names (the same JSON value)', () => {
    const name = 'a\u009b31m\u007f\u0085';
    const out = renderValidation(validateCreate({ brand: 'joyent', [name]: 1 }), true, VALID);
    assert.ok(!RAW_CONTROL.test(out.stdout), out.stdout);
    assert.deepEqual(JSON.parse(out.stdout).bad_properties, [name]);
  });

  it('for any names with control characters, one line per key and per problem, and no raw control character', () => {
    const unit = fc.oneof(fc.constantFrom('\n', '\r', '\t', '\u001b', '\u0007', '\u0000', '\u007f', '\u0085', '\u009b', '"', '\\', ',', ':'), fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }));
    const name = fc.string({ unit, minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(fc.uniqueArray(name, { minLength: 1, maxLength: 5 }), name, name, fc.boolean(), (props, route, tag, json) => {
        const payload: Record<string, unknown> = { brand: 'joyent', routes: { [route]: '10.0.0.1' }, tags: { [tag]: { a: 1 } } };
        for (const p of props) if (!(p in payload)) payload[p] = 1;
        const result = validateCreate(payload);
        const out = renderValidation(result, json, VALID);
        assert.equal(out.status, 1);
        assert.equal(lines(out.stderr).length, result.messages.length);
        if (json) assert.deepEqual(JSON.parse(out.stdout), reportAsJson(result.report));
        else assert.equal(lines(out.stdout).length, Object.keys(result.report).length);
        for (const l of [...lines(out.stdout), ...lines(out.stderr)]) {
          assert.ok(!RAW_CONTROL.test(l), JSON.stringify(l));
          assert.notEqual(l, VALID);
        }
      }),
    );
  });
});
