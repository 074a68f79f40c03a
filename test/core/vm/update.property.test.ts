/**
 * docs/vmadm-cli.md §15 "One validator, the merged VM", as a property: an
 * update of NICs, gateways and routes is accepted exactly when create
 * accepts the VM it results in. The resulting VM's payload is made here by
 * applying the update to the create payload (remove_nics, then
 * update_nics, then add_nics; remove_routes, then set_routes), the way
 * vmadm(8) describes them.
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { createVm } from '../../../src/core/vm/create';
import { updateVm } from '../../../src/core/vm/update';
import { testEnv } from './helpers';

type Obj = Record<string, unknown>;
const IMAGE = 'e75c9d82-3156-11ea-9220-c7a6bb9f41b6';
const MACS = ['90:b8:d0:00:00:01', '90:b8:d0:00:00:02', '90:b8:d0:00:00:03', '90:b8:d0:00:00:04', '90:b8:d0:00:00:05', '90:b8:d0:00:00:06'];

/** A few subnets, so that addresses, gateways and routes often meet. */
const ADDRESSES = ['10.0.0.5/24', '10.0.0.6/24', '10.1.0.5/24', 'fd00::5/64', 'fd00:1::5/64', 'dhcp', 'addrconf'];
const GATEWAYS = ['10.0.0.1', '10.1.0.1', '10.2.0.1', 'fd00::1', 'fd00:1::1', 'fe80::1'];
const DESTINATIONS = ['10.9.0.0/16', '192.168.0.0/24', 'fd00:9::/48'];
const ROUTE_GATEWAYS = ['nics[0]', 'nics[1]', 'nics[2]', 'nics[3]', `macs[${MACS[0]}]`, `macs[${MACS[4]}]`, '10.0.0.1', 'fd00::1'];

const ips = fc.subarray(ADDRESSES, { maxLength: 3 });
const gateways = fc.subarray(GATEWAYS, { maxLength: 2 });
const routes = fc.dictionary(fc.constantFrom(...DESTINATIONS), fc.constantFrom(...ROUTE_GATEWAYS), { maxKeys: 2 });

/** A NIC of the create payload or of add_nics. */
const nic = (mac: fc.Arbitrary<string>): fc.Arbitrary<Obj> =>
  fc.record({ mac, nic_tag: fc.constant('external'), ips, gateways }, { requiredKeys: ['mac', 'nic_tag'] });

/** A stored VM's create payload and an update of its NICs, gateways and routes. */
const scenario = fc
  .record({
    nics: fc.uniqueArray(nic(fc.constantFrom(...MACS.slice(0, 3))), { maxLength: 3, selector: (n) => n.mac }),
    routes,
  })
  .chain((base) => {
    const macs = (base.nics as Obj[]).map((n) => n.mac as string);
    return fc.record(
      {
        remove_nics: fc.subarray(macs, { maxLength: Math.min(1, macs.length) }),
        update_nics: fc.uniqueArray(fc.record({ mac: fc.constantFrom(...macs, MACS[0]), ips, gateways }, { requiredKeys: ['mac'] }), {
          maxLength: macs.length > 0 ? 2 : 0,
          selector: (u) => u.mac,
        }),
        add_nics: fc.array(nic(fc.constantFrom(...MACS)), { maxLength: 2 }),
        remove_routes: fc.subarray(Object.keys(base.routes), { maxLength: Math.min(1, Object.keys(base.routes).length) }),
        set_routes: routes,
      },
      { requiredKeys: [] },
    ).map((update) => {
      // update_nics names NICs the update keeps (a removed one is refused for another reason)
      const removed = new Set(update.remove_nics ?? []);
      if (update.update_nics) update.update_nics = update.update_nics.filter((u) => macs.includes(u.mac as string) && !removed.has(u.mac as string));
      return { base, update: update as Obj };
    });
  });

/** The create payload of the VM an update results in. */
function merged(base: { nics: Obj[]; routes: Record<string, string> }, update: Obj): Obj {
  const removed = new Set((update.remove_nics as string[] | undefined) ?? []);
  let nics = base.nics.filter((n) => !removed.has(n.mac as string)).map((n) => ({ ...n }));
  for (const u of (update.update_nics as Obj[] | undefined) ?? []) {
    nics = nics.map((n) => (n.mac === u.mac ? { ...n, ...u } : n));
  }
  nics = [...nics, ...((update.add_nics as Obj[] | undefined) ?? [])];
  const next = { ...base.routes };
  for (const key of (update.remove_routes as string[] | undefined) ?? []) delete next[key];
  Object.assign(next, (update.set_routes as Record<string, string> | undefined) ?? {});
  return { brand: 'joyent', image_uuid: IMAGE, nics, routes: next };
}

describe('vm/update: accepted exactly when create accepts the resulting VM (§15 "One validator, the merged VM")', () => {
  it('NIC, gateway and route changes', () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(scenario, ({ base, update }) => {
        const stored = createVm({ brand: 'joyent', image_uuid: IMAGE, ...base }, testEnv());
        fc.pre(stored.ok);
        if (!stored.ok) return;
        const result = updateVm(stored.record, update, testEnv());
        const expected = createVm(merged(base as { nics: Obj[]; routes: Record<string, string> }, update), testEnv());
        const why = (o: typeof result | typeof expected): string => (o.ok ? 'accepted' : o.result.messages.join('; '));
        assert.equal(result.ok, expected.ok, `update: ${why(result)}\ncreate of the result: ${why(expected)}`);
        if (result.ok) accepted++;
        else refused++;
      }),
      { numRuns: 400 },
    );
    // the generator reaches both answers often
    assert.ok(accepted > 40 && refused > 40, `${accepted} accepted, ${refused} refused`);
  });
});
