/**
 * Hostile values cannot change the commands a script holds. For random
 * strings full of quotes, `;`, `#`, newlines, backslashes, `end` and
 * non-ASCII in the alias, hostname, resolvers, nic_tag, tags and metadata,
 * the create script is either refused with an AppError naming the field
 * (values zonecfg cannot carry) or parsed by the fake zonecfg's reader into
 * exactly the zone the record implies: the same attrs, nets and values,
 * built here independently of the generator.
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { AppError } from '../../../src/core/errors';
import { createScript, updateScript } from '../../../src/core/zonecfg/script';
import type { VmRecord } from '../../../src/core/vm/record';
import { NOW, exampleVm, normalise, zparse } from './fixtures';

const hostile = fc.stringMatching(/^([a-z]|"|;|#|\\|\n|\t| |end|add attr|set name=x|\)|\(|=|,|é|日本|🙂|')*$/, { maxLength: 40 });
const carriable = (s: string): boolean => !/["\u0000-\u001f]/.test(s);

interface Hostile { alias: string; hostname: string; resolver: string; nicTag: string; tag: string; meta: string }

function build(h: Hostile): VmRecord {
  const vm = exampleVm();
  vm.alias = h.alias;
  vm.hostname = h.hostname;
  vm.resolvers = ['8.8.8.8', h.resolver];
  vm.nics[1].nic_tag = h.nicTag;
  vm.tags = { [h.tag]: h.meta };
  vm.customer_metadata = { 'user-script': h.meta, [h.tag]: h.tag };
  return vm;
}

/** The zone's attrs this record implies (§10), written here from the record, not by the generator. */
function expectedAttrs(vm: VmRecord): Record<string, string> {
  return {
    'vm-version': 'string:1',
    'create-timestamp': `string:${vm.create_timestamp}`,
    'dataset-uuid': `string:${vm.image_uuid}`,
    'billing-id': `string:${vm.billing_id}`,
    'owner-uuid': `string:${vm.owner_uuid}`,
    tmpfs: 'string:1024',
    hostname: `string:${vm.hostname}`,
    'dns-domain': 'string:local',
    'firewall-enabled': 'string:true',
    resolvers: `string:${vm.resolvers.join(',')}`,
    alias: `string:${Buffer.from(vm.alias ?? '', 'utf8').toString('base64')}`,
  };
}

describe('core/zonecfg: hostile values (property)', () => {
  it('a create script is refused naming the field, or parses into exactly the zone the record implies', () => {
    fc.assert(fc.property(
      fc.record({ alias: hostile, hostname: hostile, resolver: hostile, nicTag: hostile, tag: hostile, meta: hostile }),
      (h) => {
        const vm = build(h);
        let script: string;
        try {
          script = createScript(vm, { nowMs: NOW });
        } catch (e) {
          assert.ok(e instanceof AppError, String(e));
          const field = /^([a-z_.0-9]+): cannot be written to the zone configuration/.exec(e.message)?.[1];
          const bad = { hostname: h.hostname, resolvers: h.resolver, 'nics.1.nic_tag': h.nicTag } as Record<string, string>;
          assert.ok(field !== undefined && field in bad, e.message);
          assert.ok(!carriable(bad[field]), `${field} was carriable but refused`);
          return;
        }
        // Everything refused above is uncarriable; everything else went through.
        assert.ok(carriable(h.hostname) && carriable(h.resolver) && carriable(h.nicTag));
        const cmds = zparse.parse(script);
        const zone = zparse.apply(cmds);
        const attrs = (normalise(zone) as { attrs: Record<string, string> }).attrs;
        assert.deepEqual(attrs, expectedAttrs(vm));
        assert.deepEqual(zone.nets.map((n) => n['global-nic']), ['external', h.nicTag]);
        assert.deepEqual(zone.nets.map((n) => n['mac-addr']), ['52:b:7:a:3c:1', '52:b:7:a:3c:2']);
        // Tags and metadata never reach zonecfg; the command list is the record's and no more.
        assert.equal(cmds.filter((c) => c.cmd === 'add' && c.resource === 'attr').length, 13); // 11 + provisioning + transition
        assert.equal(cmds.filter((c) => c.cmd === 'add' && c.resource === 'net').length, 2);
        assert.equal(cmds.filter((c) => c.cmd === 'select').length, 2);
        assert.equal(cmds.filter((c) => c.cmd === 'remove').length, 1);
        // header 5, attrs 13 x (add, name, type, value, end), 8 rctls + autoboot, capped-memory 5,
        // net0 12 (4 sets, 6 properties, vlan-id, end), net1 10, primary 2 x (select, property, end)
        assert.equal(cmds.length, 5 + 13 * 5 + 9 + 5 + 12 + 10 + 2 * 3);
      },
    ), { numRuns: 200 });
  });

  it('an update between two hostile records takes the first zone to the second', () => {
    const pair = fc.record({ alias: hostile, hostname: hostile, resolver: hostile, nicTag: hostile, tag: hostile, meta: hostile });
    fc.assert(fc.property(pair, pair, (h1, h2) => {
      // Only values zonecfg can carry (the first test covers the refusals); the alias stays hostile.
      const fix = (h: Hostile): Hostile => {
        const f = (x: string): string => x.replace(/["\u0000-\u001f]/g, '_');
        return { ...h, hostname: f(h.hostname), resolver: f(h.resolver), nicTag: f(h.nicTag) };
      };
      const a = build(fix(h1));
      const b = build(fix(h2));
      const zone = zparse.apply(zparse.parse(createScript(a, { nowMs: NOW })));
      const updated = zparse.apply(zparse.parse(updateScript(a, b)), zone);
      assert.deepEqual(normalise(updated), normalise(zparse.apply(zparse.parse(createScript(b, { nowMs: NOW })))));
    }), { numRuns: 100 });
  });
});

describe('core/zonecfg: hostile filesystem and disk values (property)', () => {
  const fsRecord = (source: string, target: string, option: string, raw: string): VmRecord => {
    const vm = exampleVm();
    vm.filesystems = [{ source, target, raw, type: 'lofs', options: ['ro', option] }];
    return vm;
  };

  it('an fs is refused naming the field, or parses into exactly its values: nothing in a value adds a command', () => {
    fc.assert(fc.property(hostile, hostile, hostile, hostile, (source, target, option, raw) => {
      const vm = fsRecord(`/${source}`, `/${target}`, option, `/${raw}`);
      let script: string;
      try {
        script = createScript(vm, { nowMs: NOW });
      } catch (e) {
        assert.ok(e instanceof AppError, String(e));
        assert.match(e.message, /^filesystems\.0\.(source|target|raw|options\.1): cannot be written to the zone configuration/);
        return;
      }
      // zonecfg lists end at a comma: an option holding one is two options (the validator refuses it: vmspec/disks.ts)
      if (option.includes(',') || option === '') return;
      const cmds = zparse.parse(script);
      const zone = zparse.apply(cmds);
      assert.deepEqual(zone.fss, [{ dir: `/${target}`, special: `/${source}`, raw: `/${raw}`, type: 'lofs', options: ['ro', option] }]);
      assert.equal(cmds.filter((c) => c.cmd === 'add' && c.resource === 'net').length, 2);
      assert.equal(cmds.filter((c) => c.cmd === 'add' && c.resource === 'attr').length, 13);
      // the update that removes it takes the zone back
      const without = { ...vm, filesystems: [] };
      const back = zparse.apply(zparse.parse(updateScript(vm, without)), zone);
      assert.deepEqual(back.fss, []);
    }), { numRuns: 200 });
  });

  it('a disk path is refused naming the field, or is the device\'s match and nothing more', () => {
    fc.assert(fc.property(hostile, (p) => {
      const vm = { ...exampleVm(), brand: 'bhyve' as const, nics: [], disks: [{ path: `/dev/${p}`, boot: true, model: 'virtio', media: 'cdrom' as const }] };
      let script: string;
      try {
        script = createScript(vm, { nowMs: NOW });
      } catch (e) {
        assert.ok(e instanceof AppError, String(e));
        assert.match(e.message, /^disks\.0\.path: cannot be written to the zone configuration/);
        return;
      }
      const zone = zparse.apply(zparse.parse(script));
      assert.deepEqual(zone.devices.map((d) => d.match), [`/dev/${p}`]);
      assert.equal(zone.nets.length, 0);
    }), { numRuns: 200 });
  });
});
