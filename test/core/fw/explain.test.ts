/**
 * `fwadm explain`'s meaning (core/fw/explain): which rule decides a
 * packet, by docs/ipf.md, case by case. (explain.agreement.test.ts holds
 * it against the compiler's output on many more.)
 */
import { strict as assert } from 'node:assert';
import { explain, packetFromWords, type Decision } from '../../../src/core/fw/explain';
import { decisionJson, formatDecision } from '../../../src/core/fw/explain-format';
import { canonicalText } from '../../../src/core/fwrule/canonical';
import { parseRule } from '../../../src/core/fwrule/parse';
import type { FwRule } from '../../../src/core/fwrule/types';
import { AppError } from '../../../src/core/errors';
import type { CompileInput, FwVm } from '../../../src/core/ipf/model';
import { OWNER_B, input, rule, uuid, vm } from '../ipf/fixtures';

const A = uuid('a', 1);
const WEB = uuid('b', 2);
const RVM = uuid('f', 3);
const R = (n: number): string => uuid('r', n);

/** A rule from its text (`A`, `WEB` and `RVM` stand for those VMs' uuids). */
function r(n: number, text: string, opts: { enabled?: boolean; owner?: string | null; global?: boolean } = {}): FwRule {
  const parsed = parseRule(text.replace(/\bA\b/g, A).replace(/\bWEB\b/g, WEB).replace(/\bRVM\b/g, RVM));
  return { ...rule({ uuid: R(n), ...parsed, from: [...parsed.from], to: [...parsed.to], ...opts }), rule: canonicalText(parsed) };
}

function host(rules: FwRule[], vms: FwVm[] = []): CompileInput {
  return input(
    [vm(A, { ips: ['10.0.0.1', 'fd00::1'] }), vm(WEB, { ips: ['10.0.0.2', 'fd00::2'], tags: { role: 'www' } }), ...vms],
    rules,
    [vm(RVM, { ips: ['192.0.2.9'], tags: { role: 'lb' }, remote: true, owner: null })],
  );
}

/** explain of `<uuid> <words>`. */
function ask(inp: CompileInput, words: string, uuidOf = A): Decision {
  return explain(inp, uuidOf, packetFromWords(words.split(' ')));
}

function text(d: Decision): string[] {
  return formatDecision(d).trimEnd().split('\n');
}

describe('core/fw explain', () => {
  describe('which rule decides', () => {
    it('a rule whose other side names the peer: its uuid, its text and the target that matched', () => {
      const d = ask(host([r(1, 'FROM (ip 10.9.9.9 OR subnet 10.0.0.0/24) TO vm A ALLOW tcp PORT 22')]), 'in tcp 10.0.0.7 22');
      assert.deepEqual(text(d), [
        'ALLOW',
        `rule ${R(1)}: FROM (ip 10.9.9.9 OR subnet 10.0.0.0/24) TO vm ${A} ALLOW tcp PORT 22`,
        'matched: subnet 10.0.0.0/24',
        'replies: ALLOW (no state is kept: they are decided as out packets)',
      ]);
    });

    it('tags, vm and all vms name the peer by a VM\'s address, local or remote', () => {
      const inp = host([r(1, 'FROM tag role TO vm A ALLOW tcp PORT 80', { global: true }), r(2, 'FROM all vms TO vm A ALLOW tcp PORT 80', { global: true })]);
      assert.equal(text(ask(inp, 'in tcp fd00::2 80'))[2], `matched: tag "role" (VM ${WEB})`);
      assert.equal(text(ask(inp, 'in tcp 192.0.2.9 80'))[2], `matched: tag "role" (remote VM ${RVM})`);
      assert.equal(text(ask(inp, 'in tcp 10.0.0.1 80'))[2], `matched: all vms (VM ${A})`);
      assert.equal(ask(inp, 'in tcp 10.0.0.3 80').fallback, 'block in all');
      assert.equal(text(ask(host([r(2, 'FROM vm RVM TO vm A ALLOW tcp PORT 80')]), 'in tcp 192.0.2.9 80'))[2], `matched: vm ${RVM} (a remote VM)`);
    });

    it('a rule names the VM on its TO side for in packets and on its FROM side for out packets', () => {
      const inp = host([r(1, 'FROM vm A TO vm WEB BLOCK tcp PORT 5432')]);
      assert.equal(ask(inp, 'out tcp 10.0.0.2 5432').rule?.uuid, R(1));
      assert.equal(ask(inp, 'in tcp 10.0.0.2 5432').fallback, 'block in all');
      assert.equal(ask(inp, 'in tcp 10.0.0.1 5432', WEB).fallback, 'block in all', 'a BLOCK at priority 0 writes no inbound line');
    });

    it('the highest priority decides', () => {
      const inp = host([
        r(1, 'FROM any TO vm A ALLOW tcp PORT 22'),
        r(2, 'FROM ip 10.0.0.66 TO vm A BLOCK tcp PORT 22 PRIORITY 5'),
        r(3, 'FROM subnet 10.0.0.64/30 TO vm A ALLOW tcp PORT 22 PRIORITY 6'),
        r(4, 'FROM vm A TO any BLOCK tcp PORT 25 PRIORITY 1'),
        r(5, 'FROM vm A TO ip 10.0.0.25 ALLOW tcp PORT 25 PRIORITY 2'),
      ]);
      assert.equal(ask(inp, 'in tcp 10.0.0.66 22').rule?.uuid, R(3));
      assert.equal(ask(inp, 'in tcp 10.0.0.70 22').rule?.uuid, R(1));
      assert.equal(ask(inp, 'out tcp 10.0.0.25 25').verdict, 'allow');
      assert.equal(ask(inp, 'out tcp 10.0.0.26 25').verdict, 'block');
    });

    it('at equal priority an outbound BLOCK beats an ALLOW, and an inbound ALLOW beats a BLOCK (SmartOS\'s line order)', () => {
      const inp = host([
        r(1, 'FROM vm A TO any ALLOW udp PORT 53 PRIORITY 3'),
        r(2, 'FROM vm A TO any BLOCK udp PORT 53 PRIORITY 3'),
        r(3, 'FROM any TO vm A BLOCK udp PORT 53 PRIORITY 3'),
        r(4, 'FROM any TO vm A ALLOW udp PORT 53 PRIORITY 3'),
      ]);
      assert.equal(ask(inp, 'out udp 10.0.0.53 53').rule?.uuid, R(2));
      assert.equal(ask(inp, 'in udp 10.0.0.53 53').rule?.uuid, R(4));
    });

    it('at equal priority and action, the rule whose lines come first: first port, then first address, then input order', () => {
      const inp = host([
        r(1, 'FROM any TO vm A ALLOW tcp PORT 443'),
        r(2, 'FROM ip 10.0.0.9 TO vm A ALLOW tcp PORTS 80, 443'),
        r(3, 'FROM subnet 10.0.0.8/30 TO vm A ALLOW tcp PORTS 80, 443'),
        r(4, 'FROM any TO vm A ALLOW tcp PORT all'),
      ]);
      assert.equal(ask(inp, 'in tcp 10.0.0.9 443').rule?.uuid, R(4), 'PORT all first');
      const without = { ...inp, rules: inp.rules.slice(0, 3) };
      assert.equal(ask(without, 'in tcp 10.0.0.9 443').rule?.uuid, R(3), 'port 80 before 443, then 10.0.0.8 before 10.0.0.9');
    });

    it('a priority-0 outbound ALLOW or inbound BLOCK writes no line: the fallbacks decide, and a note says so', () => {
      const inp = host([r(1, 'FROM vm A TO any ALLOW tcp PORT 80'), r(2, 'FROM any TO vm A BLOCK tcp PORT 25')]);
      assert.deepEqual(text(ask(inp, 'out tcp 10.0.0.80 80')), [
        'ALLOW',
        'fallback: pass out quick proto tcp from any to any flags S/SA keep state',
        'replies: ALLOW (ipf keeps state for the exchange)',
        `note: rule ${R(1)} (outbound ALLOW at priority 0) writes no line: the default passes outbound packets`,
      ]);
      assert.deepEqual(text(ask(inp, 'in tcp 10.0.0.80 25')), [
        'BLOCK',
        'fallback: block in all',
        `note: rule ${R(2)} (inbound BLOCK at priority 0) writes no line: "block in all" blocks inbound packets`,
      ]);
    });

    it('a priority-0 inbound BLOCK of a message the IPv6 essentials let in writes its lines, and wins', () => {
      const inp = host([r(1, 'FROM any TO vm A BLOCK icmp6 (TYPE 128 AND TYPE 135)'), r(2, 'FROM any TO vm A BLOCK icmp6 TYPE 136')]);
      assert.deepEqual([ask(inp, 'in icmp6 fe80::1 135').verdict, ask(inp, 'in icmp6 fe80::1 135').rule?.uuid], ['block', R(1)]);
      assert.equal(ask(inp, 'in icmp6 fe80::1 128').rule?.uuid, R(1), 'every type of the rule has its line');
      assert.equal(ask(inp, 'in icmp6 fe80::1 136').rule?.uuid, R(2));
      assert.equal(ask(inp, 'in icmp6 fe80::1 134').fallback, 'pass in quick proto ipv6-icmp from any to any icmp-type 134');
      const allow = host([...inp.rules, r(3, 'FROM ip fe80::1 TO vm A ALLOW icmp6 TYPE 135')]);
      assert.equal(ask(allow, 'in icmp6 fe80::1 135').rule?.uuid, R(3), 'an inbound ALLOW of equal priority comes first');
    });

    it('only enabled rules count, and an owner\'s rules name only that owner\'s VMs (and remote VMs without an owner)', () => {
      const other = uuid('c', 4);
      const inp = host(
        [
          r(1, 'FROM any TO all vms ALLOW tcp PORT 22', { enabled: false, global: true }),
          r(2, 'FROM all vms TO all vms ALLOW tcp PORT 80'),
        ],
        [vm(other, { ips: ['10.0.0.4'], owner: OWNER_B })],
      );
      assert.equal(ask(inp, 'in tcp 10.0.0.7 22').fallback, 'block in all');
      assert.equal(ask(inp, 'in tcp 10.0.0.2 80').rule?.uuid, R(2));
      assert.equal(ask(inp, 'in tcp 192.0.2.9 80').rule?.uuid, R(2), 'a remote VM without an owner');
      assert.equal(ask(inp, 'in tcp 10.0.0.4 80').fallback, 'block in all', 'a VM of another owner');
      assert.equal(ask(inp, 'in tcp 10.0.0.2 80', other).fallback, 'block in all');
    });

    it('icmp types and codes: a type without a code takes every code; the code defaults to 0', () => {
      const inp = host([r(1, 'FROM any TO vm A ALLOW icmp TYPE 8 CODE 0'), r(2, 'FROM any TO vm A ALLOW icmp TYPE 3')]);
      assert.equal(ask(inp, 'in icmp 10.0.0.7 8').rule?.uuid, R(1));
      assert.equal(ask(inp, 'in icmp 10.0.0.7 8:1').fallback, 'block in all');
      assert.equal(ask(inp, 'in icmp 10.0.0.7 3:13').rule?.uuid, R(2));
    });
  });

  describe('the fallbacks', () => {
    const inp = host([]);

    it('inbound: block in all, but for the ICMPv6 messages of the IPv6 essentials', () => {
      assert.equal(ask(inp, 'in tcp 10.0.0.7 22').fallback, 'block in all');
      assert.equal(ask(inp, 'in icmp6 fe80::1 128').fallback, 'block in all');
      for (const type of [2, 134, 135, 136]) {
        const d = ask(inp, `in icmp6 fe80::1 ${type}`);
        assert.deepEqual([d.verdict, d.fallback], ['allow', `pass in quick proto ipv6-icmp from any to any icmp-type ${type}`]);
      }
      assert.equal(ask(inp, 'in icmp 10.0.0.7 3').fallback, 'block in all', 'ipf.conf has no essentials');
    });

    it('outbound: the passes of each protocol; ah and esp pass because no line matches', () => {
      assert.equal(ask(inp, 'out tcp 10.0.0.7 22').fallback, 'pass out quick proto tcp from any to any flags S/SA keep state');
      assert.equal(ask(inp, 'out udp fd00::7 53').fallback, 'pass out proto udp from any to any keep state');
      assert.equal(ask(inp, 'out icmp 10.0.0.7 8').fallback, 'pass out quick proto icmp from any to any keep state');
      assert.equal(ask(inp, 'out icmp6 fd00::7 128').fallback, 'pass out quick proto ipv6-icmp from any to any keep state');
      const d = ask(inp, 'out esp 10.0.0.7');
      assert.deepEqual([d.verdict, d.by, d.fallback], ['allow', 'default', undefined]);
      assert.equal(text(d)[1], 'fallback: none: no line of ipf.conf matches, and ipf passes what no line matches');
    });

    it('a VM whose firewall is disabled: everything passes', () => {
      const off = uuid('c', 5);
      const d = ask(host([r(1, 'FROM any TO all vms BLOCK tcp PORT 22 PRIORITY 9')], [vm(off, { ips: ['10.0.0.5'], enabled: false })]), 'in tcp 10.0.0.7 22', off);
      assert.deepEqual(text(d), ['ALLOW', `firewall: disabled for VM ${off}: it has no ipf rules, every packet passes`]);
    });
  });

  describe('replies (explain answers for the first packet of an exchange)', () => {
    it('outbound: every line that passes keeps state', () => {
      const inp = host([r(1, 'FROM vm A TO any ALLOW tcp PORT 22 PRIORITY 1')]);
      assert.deepEqual(ask(inp, 'out tcp 10.0.0.7 22').reply, { verdict: 'allow', by: 'state' });
      assert.deepEqual(ask(inp, 'out udp 10.0.0.7 53').reply, { verdict: 'allow', by: 'state' });
    });

    it('outbound ah and esp keep no state: their replies are in packets', () => {
      const inp = host([r(1, 'FROM ip 10.0.0.7 TO vm A ALLOW ah')]);
      assert.deepEqual(ask(inp, 'out ah 10.0.0.7').reply, { verdict: 'allow', by: 'rules' });
      assert.deepEqual(ask(inp, 'out ah 10.0.0.8').reply, { verdict: 'block', by: 'rules' });
      assert.equal(text(ask(inp, 'out ah 10.0.0.8'))[2], 'replies: BLOCK (no state is kept: they are decided as in packets)');
    });

    it('inbound: state is kept when the VM is on the FROM side of a BLOCK rule of the protocol; otherwise no outbound line blocks the replies', () => {
      const open = host([r(1, 'FROM any TO vm A ALLOW tcp PORT 80')]);
      assert.deepEqual(ask(open, 'in tcp 10.0.0.7 80').reply, { verdict: 'allow', by: 'rules' });
      const blocking = host([...open.rules, r(2, 'FROM vm A TO any BLOCK tcp PORT all')]);
      assert.deepEqual(ask(blocking, 'in tcp 10.0.0.7 80').reply, { verdict: 'allow', by: 'state' });
    });

    it('a blocked packet, or an ICMP message other than an echo request, has none', () => {
      const inp = host([r(1, 'FROM any TO vm A ALLOW icmp TYPE all')]);
      assert.equal(ask(inp, 'in tcp 10.0.0.7 80').reply, undefined);
      assert.equal(ask(inp, 'in icmp 10.0.0.7 3').reply, undefined);
      assert.deepEqual(ask(inp, 'in icmp 10.0.0.7 8').reply, { verdict: 'allow', by: 'rules' });
    });
  });

  it('IPv6 AH: the written meaning, with a note that SmartOS\'s ipf does not apply it', () => {
    const d = ask(host([r(1, 'FROM any TO vm A ALLOW ah')]), 'in ah fd00::7');
    assert.equal(d.rule?.uuid, R(1));
    assert.match(text(d).at(-1)!, /^note: SmartOS's ipf does not apply "proto ah" lines of ipf6\.conf/);
    assert.deepEqual(ask(host([r(1, 'FROM any TO vm A ALLOW ah')]), 'in ah 10.0.0.7').notes, []);
  });

  it('a VM that is not a local VM of the input: not found (exit 1)', () => {
    const inp = host([]);
    assert.throws(() => ask(inp, 'in tcp 10.0.0.7 22', uuid('d', 9)), (e: AppError) => e.exitCode === 1 && e.message === `VM "${uuid('d', 9)}" not found`);
    assert.throws(() => ask(inp, 'in tcp 10.0.0.7 22', RVM), { message: `VM "${RVM}" not found: it is a remote VM, whose firewall is on its own host` });
  });

  it('the -j object', () => {
    const d = ask(host([r(1, 'FROM vm WEB TO vm A ALLOW icmp6 TYPE 128 PRIORITY 2')]), 'in icmp6 fd00::2 128');
    assert.deepEqual(JSON.parse(JSON.stringify(decisionJson(d))), {
      vm: A,
      packet: { direction: 'in', protocol: 'icmp6', peer: 'fd00::2', type: 128, code: 0 },
      verdict: 'allow',
      by: 'rule',
      file: 'ipf6.conf',
      rule: { uuid: R(1), rule: `FROM vm ${WEB} TO vm ${A} ALLOW icmp6 TYPE 128 PRIORITY 2` },
      matched: { target: `vm ${WEB}`, vm: WEB, remote: false },
      fallback: null,
      reply: { verdict: 'allow', by: 'rules' },
      notes: [],
    });
  });

  describe('the packet words: in|out <protocol> <peer> [port | type[:code]]', () => {
    const refused: Array<[string, string]> = [
      ['', 'missing direction: in or out'],
      ['up tcp 10.0.0.1 22', 'direction must be in or out, got "up"'],
      ['in', 'missing protocol: tcp, udp, icmp, icmp6, ah, esp'],
      ['in sctp 10.0.0.1 22', 'protocol must be one of tcp, udp, icmp, icmp6, ah, esp, got "sctp"'],
      ['in tcp', 'missing peer address (IPv4 or IPv6)'],
      ['in tcp 10.0.0.256 22', 'peer address "10.0.0.256" is not a valid IPv4 or IPv6 address'],
      ['in tcp 10.0.0.1/24 22', 'peer address "10.0.0.1/24" is not a valid IPv4 or IPv6 address'],
      ['in tcp 10.0.0.1', 'tcp: give the destination port (1-65535)'],
      ['in udp 10.0.0.1 0', 'port must be a whole number from 1 to 65535, got "0"'],
      ['in udp 10.0.0.1 http', 'port must be a whole number from 1 to 65535, got "http"'],
      ['in icmp 10.0.0.1', 'icmp: give the ICMP type, as type or type:code'],
      ['in icmp 10.0.0.1 256', 'ICMP type must be a whole number from 0 to 255, got "256"'],
      ['in icmp 10.0.0.1 8:x', 'ICMP code must be a whole number from 0 to 255, got "x"'],
      ['in icmp 10.0.0.1 8:0:0', 'ICMP type must be type or type:code, got "8:0:0"'],
      ['in icmp fd00::1 8', 'icmp is ICMPv4, but the peer fd00::1 is an IPv6 address: use icmp6'],
      ['in icmp6 10.0.0.1 128', 'icmp6 is ICMPv6, but the peer 10.0.0.1 is an IPv4 address: use icmp'],
      ['in ah 10.0.0.1 22', 'ah has no port or ICMP type, got "22"'],
      ['in tcp 10.0.0.1 22 80', 'unexpected argument "80": explain takes one packet'],
    ];
    for (const [words, message] of refused) {
      it(`"${words}": ${message} (a usage error)`, () => {
        assert.throws(() => packetFromWords(words === '' ? [] : words.split(' ')), (e: AppError) => e.exitCode === 2 && e.message === message);
      });
    }

    it('takes IPv6 in any form and prints it in RFC 5952 form', () => {
      const p = packetFromWords(['out', 'icmp6', 'FD00:0::1', '1:4']);
      assert.deepEqual([p.peer.text, p.icmp], ['fd00::1', { type: 1, code: 4 }]);
    });
  });
});
