/**
 * fast-check arbitraries for rule texts, built from the grammar's parts:
 * every target kind, protocol form, keyword case, and spacing.
 */
import fc from 'fast-check';

const word = fc.stringMatching(/^[a-z][-a-z0-9_]{0,7}$/).filter((w) => !/^(?:from|to|ip|subnet|any|all|tag|vm|vms|or|and|block|allow|ports?|tcp|udp|icmp6?|ah|esp|type|code|priority)(?:-|$)/.test(w));
const quoted = fc.string({ maxLength: 8 }).map((s) => JSON.stringify(s).replace(/[()]/g, (c) => '\\' + c));
const tagString = fc.oneof(word, quoted);
const uuid = fc.uuid().map((u) => u.toLowerCase());
const ipv4 = fc.ipV4();
/** IPv6 without IPv4-mapped forms, in random hex case. */
const ipv6 = fc
  .tuple(fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }), fc.boolean())
  .filter(([g]) => !(g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff))
  .map(([g, upper]) => {
    const t = g.map((x) => x.toString(16)).join(':');
    return upper ? t.toUpperCase() : t;
  });
const v4Subnet = fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 })).map(([n, p]) => {
  const masked = p === 0 ? 0 : (n >>> (32 - p)) << (32 - p);
  return `${[24, 16, 8, 0].map((s) => (masked >>> s) & 255).join('.')}/${p}`;
});
const v6Subnet = fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 16 })).map(([n, p]) => {
  const masked = p === 0 ? 0 : (n >> (16 - p)) << (16 - p);
  return `${masked.toString(16)}::/${p}`;
});

export type Family = 4 | 6 | 'both';

/** How keywords are spelled in one rule: all lower or all upper case. */
type Case = (keyword: string) => string;
const lower: Case = (k) => k;
const upper: Case = (k) => k.toUpperCase();

function target(family: Family, K: Case, vmOnly = false): fc.Arbitrary<string> {
  const parts: Array<fc.Arbitrary<string>> = [
    tagString.map((n) => `${K('tag')} ${n}`),
    fc.tuple(tagString, tagString).map(([n, v]) => `${K('tag')} ${n} = ${v}`),
    uuid.map((u) => `${K('vm')} ${u}`),
  ];
  if (!vmOnly && family !== 6) parts.push(ipv4.map((a) => `${K('ip')} ${a}`), v4Subnet.map((s) => `${K('subnet')} ${s}`));
  if (!vmOnly && family !== 4) parts.push(ipv6.map((a) => `${K('ip')} ${a}`), v6Subnet.map((s) => `${K('subnet')} ${s}`));
  return fc.oneof(...parts);
}

function side(family: Family, K: Case): fc.Arbitrary<string> {
  const any = K('any');
  const all = `${K('all')} ${K('vms')}`;
  return fc.oneof(
    fc.constantFrom(any, `(${any})`, all, `(${all})`),
    target(family, K),
    fc.array(target(family, K), { minLength: 1, maxLength: 5 }).map((ts) => `(${ts.join(` ${K('or')} `)})`),
  );
}

const port = fc.integer({ min: 1, max: 65535 });
const range = fc.tuple(port, port).map(([a, b]) => (a <= b ? `${a} - ${b}` : `${b}-${a}`));
const icmpNumber = fc.integer({ min: 0, max: 255 });

function ports(K: Case): fc.Arbitrary<string> {
  return fc.oneof(
    port.map((p) => `${K('port')} ${p}`),
    fc.constant(`${K('port')} ${K('all')}`),
    fc.array(port, { minLength: 1, maxLength: 6 }).map((ps) => `(${ps.map((p) => `${K('port')} ${p}`).join(` ${K('and')} `)})`),
    fc.array(fc.oneof(port.map(String), range), { minLength: 1, maxLength: 6 }).map((ps) => `${K('ports')} ${ps.join(', ')}`),
  );
}

function types(K: Case): fc.Arbitrary<string> {
  const one = fc
    .tuple(icmpNumber, fc.option(icmpNumber))
    .map(([t, c]) => (c === null ? `${K('type')} ${t}` : `${K('type')} ${t} ${K('code')} ${c}`));
  return fc.oneof(
    one,
    fc.constant(`${K('type')} ${K('all')}`),
    fc.array(one, { minLength: 1, maxLength: 5 }).map((ts) => `(${ts.join(` ${K('and')} `)})`),
  );
}

/** A protocol part and the address family its targets must have. */
function protocol(K: Case): fc.Arbitrary<[string, Family]> {
  return fc.oneof(
    fc.tuple(fc.constantFrom('tcp', 'udp'), ports(K)).map(([p, x]): [string, Family] => [`${K(p)} ${x}`, 'both']),
    types(K).map((x): [string, Family] => [`${K('icmp')} ${x}`, 4]),
    types(K).map((x): [string, Family] => [`${K('icmp6')} ${x}`, 6]),
    fc.constantFrom<[string, Family]>([K('ah'), 'both'], [K('esp'), 'both']),
  );
}

/** A valid rule text: it touches a VM (the TO side always names VMs). */
export const validRule: fc.Arbitrary<string> = fc.constantFrom(lower, upper).chain((K) =>
  protocol(K).chain(([proto, family]) =>
    fc
      .tuple(
        side(family, K),
        fc.oneof(fc.constant(`${K('all')} ${K('vms')}`), target(family, K, true)),
        fc.constantFrom('allow', 'block'),
        fc.option(fc.integer({ min: 0, max: 100 })),
      )
      .map(
        ([from, to, action, prio]) =>
          `${K('from')} ${from} ${K('to')} ${to} ${K(action)} ${proto}${prio === null ? '' : ` ${K('priority')} ${prio}`}`,
      ),
  ),
);
