/**
 * The ipf evaluator of the tests (test/helpers/ipf-eval.ts): how ipf
 * decides a packet with the lines fwadm writes, and its refusal of any
 * other text.
 */
import { strict as assert } from 'node:assert';
import { evaluate, exchange, type Probe } from '../../helpers/ipf-eval';
import { FALLBACKS } from './fixtures';

const U = 'a1000000-0000-4000-8000-000000000001';

/** A file: the given lines (entries, comments) then the fallbacks. */
function file(family: 4 | 6, lines: string[]): string {
  return ['# header', ...lines, ...FALLBACKS(family === 4 ? 'icmp' : 'ipv6-icmp')].join('\n') + '\n';
}

const EMPTY4 = file(4, []);
const EMPTY6 = file(6, []);

function v4(lines: string[], p: Probe): ReturnType<typeof evaluate> {
  return evaluate(file(4, lines), EMPTY6, p);
}

const tcpIn = (peer: string, port: number): Probe => ({ direction: 'in', protocol: 'tcp', peer, port });

describe('test helper: the ipf evaluator', () => {
  describe('deciding', () => {
    it('the first matching quick line decides, and the rule comment above it is given', () => {
      const lines = [
        '',
        `# rule=${U}, version=1, ip=10.0.0.9`,
        'block in quick proto tcp from 10.0.0.9 to any port = 22 keep frags',
        '',
        `# rule=${U}, version=1, wildcard=any`,
        'pass in quick proto tcp from any to any port = 22 keep frags',
      ];
      assert.deepEqual(v4(lines, tcpIn('10.0.0.9', 22)), {
        verdict: 'block',
        file: 'ipf.conf',
        line: 'block in quick proto tcp from 10.0.0.9 to any port = 22 keep frags',
        lineNumber: 4,
        rule: { uuid: U, type: 'ip', value: '10.0.0.9' },
        keepState: false,
      });
      assert.equal(v4(lines, tcpIn('10.0.0.8', 22)).rule?.type, 'wildcard');
    });

    it('else the last matching line that is not quick: block in all; a packet no line matches passes', () => {
      const e = evaluate(EMPTY4, EMPTY6, tcpIn('10.0.0.8', 22));
      assert.deepEqual([e.verdict, e.line, e.rule], ['block', 'block in all', undefined]);
      const out = evaluate(EMPTY4, EMPTY6, { direction: 'out', protocol: 'tcp', peer: 'fd00::1', port: 22, tcpFlags: 'A' });
      assert.deepEqual([out.verdict, out.line, out.file], ['pass', 'pass out proto tcp from any to any', 'ipf6.conf']);
      assert.deepEqual(evaluate(EMPTY4, EMPTY6, { direction: 'out', protocol: 'esp', peer: '10.0.0.1' }), { verdict: 'pass', file: 'ipf.conf', keepState: false });
    });

    it('the IPv6 essentials follow block in all and pass, being quick', () => {
      const e = evaluate(EMPTY4, EMPTY6, { direction: 'in', protocol: 'icmp6', peer: 'fe80::1', icmpType: 135 });
      assert.deepEqual([e.verdict, e.line], ['pass', 'pass in quick proto ipv6-icmp from any to any icmp-type 135']);
      assert.equal(evaluate(EMPTY4, EMPTY6, { direction: 'in', protocol: 'icmp6', peer: 'fe80::1', icmpType: 128 }).verdict, 'block');
    });

    it('ports: = and an inclusive range; icmp-type with and without a code; flags S/SA only for a SYN', () => {
      const lines = ['pass in quick proto tcp from any to any port 8000 : 8100 keep frags', 'pass in quick proto icmp from 10.0.0.0/24 to any icmp-type 8 code 0 keep frags'];
      for (const [port, verdict] of [[7999, 'block'], [8000, 'pass'], [8100, 'pass'], [8101, 'block']] as const) {
        assert.equal(v4(lines, tcpIn('10.0.0.1', port)).verdict, verdict, `port ${port}`);
      }
      const ping = (peer: string, code: number): string => v4(lines, { direction: 'in', protocol: 'icmp', peer, icmpType: 8, icmpCode: code }).verdict;
      assert.deepEqual([ping('10.0.0.7', 0), ping('10.0.0.7', 1), ping('10.0.1.7', 0)], ['pass', 'block', 'block']);
      assert.equal(evaluate(EMPTY4, EMPTY6, { direction: 'out', protocol: 'tcp', peer: '10.0.0.1', port: 1 }).line, 'pass out quick proto tcp from any to any flags S/SA keep state');
    });

    it('whitespace inside a line is not significant; IPv6 networks and addresses in any form', () => {
      const lines = ['pass   in quick proto tcp  from fd00:0:0::/64 to any  keep frags'];
      assert.equal(evaluate(EMPTY4, file(6, lines), tcpIn('fd00::abcd', 1)).verdict, 'pass');
      assert.equal(evaluate(EMPTY4, file(6, lines), tcpIn('fd00:0:0:1::1', 1)).verdict, 'block');
    });
  });

  describe('exchanges', () => {
    it('a line that keeps state lets the replies through', () => {
      const ex = exchange(EMPTY4, EMPTY6, { direction: 'out', protocol: 'udp', peer: '10.0.0.53', port: 53 });
      assert.deepEqual(ex.reply, { verdict: 'pass', byState: true });
    });

    it('without state the reply is decided by the lines: the other direction, ports swapped, SYN+ACK', () => {
      const lines = [
        `# rule=${U}, version=1, wildcard=any`,
        'pass in quick proto tcp from any to any port = 80 keep frags',
        'block out quick proto tcp from any to any port = 40000 keep frags',
      ];
      const ex = exchange(file(4, lines), EMPTY6, { ...tcpIn('10.0.0.7', 80), sourcePort: 40000 });
      assert.deepEqual([ex.reply?.verdict, ex.reply?.byState, ex.reply?.evaluation?.line], ['block', false, lines[2]]);
      const other = exchange(file(4, lines), EMPTY6, { ...tcpIn('10.0.0.7', 80), sourcePort: 40001 });
      assert.deepEqual([other.reply?.verdict, other.reply?.evaluation?.line], ['pass', 'pass out proto tcp from any to any']);
      const ah = exchange(EMPTY4, EMPTY6, { direction: 'out', protocol: 'ah', peer: '10.0.0.7' });
      assert.deepEqual([ah.first.verdict, ah.reply?.verdict, ah.reply?.evaluation?.line], ['pass', 'block', 'block in all']);
    });

    it('no reply to a blocked packet, nor to ICMP other than an echo request', () => {
      assert.equal(exchange(EMPTY4, EMPTY6, tcpIn('10.0.0.7', 80)).reply, undefined);
      assert.equal(exchange(EMPTY4, EMPTY6, { direction: 'out', protocol: 'icmp', peer: '10.0.0.7', icmpType: 3 }).reply, undefined);
      assert.equal(exchange(EMPTY4, EMPTY6, { direction: 'out', protocol: 'icmp6', peer: 'fd00::7', icmpType: 128 }).reply?.byState, true);
    });
  });

  describe('refusing what fwadm does not write', () => {
    const refused: Array<[string, 4 | 6, string]> = [
      ['pass in all', 4, 'not a line fwadm writes'],
      ['pass in quick proto gre from any to any keep frags', 4, 'proto gre does not belong in ipf.conf'],
      ['pass in quick proto icmp from any to any keep frags', 6, 'proto icmp does not belong in ipf6.conf'],
      ['pass in quick proto ipv6-icmp from any to any keep frags', 4, 'proto ipv6-icmp does not belong in ipf.conf'],
      ['pass in quick proto tcp from fd00::1 to any keep frags', 4, 'fd00::1 is not an IPv4 address'],
      ['pass in quick proto tcp from 10.0.0.1 to any keep frags', 6, '10.0.0.1 is not an IPv6 address'],
      ['pass in quick proto tcp from any to 10.0.0.1 keep frags', 4, 'the VM\'s side must be "any", not 10.0.0.1'],
      ['pass out quick proto tcp from 10.0.0.1 to any keep frags', 4, 'the VM\'s side must be "any", not 10.0.0.1'],
      ['pass in quick proto tcp from 10.0.0.300 to any keep frags', 4, '10.0.0.300 is not an address or network'],
      ['pass in quick proto icmp from any to any port = 22 keep frags', 4, 'a port on a icmp line'],
      ['pass in quick proto tcp from any to any icmp-type 8 keep frags', 4, 'an icmp-type on a tcp line'],
      ['pass in quick proto udp from any to any flags S/SA keep frags', 4, 'flags on a udp line'],
      ['pass in quick proto tcp from any to any port 90 : 80 keep frags', 4, 'port range 90 : 80 is empty'],
      ['pass in quick proto tcp from any to any port = 65536 keep frags', 4, 'port 65536 is out of range'],
      [`pass in quick proto tcp from any to any keep frags keep state set-tag(uuid=${U})`, 4, `set-tag(uuid=${U}) under no rule comment`],
    ];
    for (const [line, family, why] of refused) {
      it(`${line} in ${family === 4 ? 'ipf.conf' : 'ipf6.conf'}: ${why}`, () => {
        const [ipf, ipf6] = family === 4 ? [file(4, [line]), EMPTY6] : [EMPTY4, file(6, [line])];
        // whatever family is asked about: both files are read
        assert.throws(() => evaluate(ipf, ipf6, tcpIn('10.0.0.1', 22)), { message: `${family === 4 ? 'ipf.conf' : 'ipf6.conf'} line 2: ${why}: ${line}` });
      });
    }

    it('a file without its final newline, and a probe it cannot decide', () => {
      assert.throws(() => evaluate(EMPTY4.slice(0, -1), EMPTY6, tcpIn('10.0.0.1', 22)), { message: 'ipf.conf: does not end with a newline' });
      assert.throws(() => evaluate(EMPTY4, EMPTY6, { direction: 'in', protocol: 'tcp', peer: '10.0.0.1' }), { message: 'probe: tcp needs a port' });
      assert.throws(() => evaluate(EMPTY4, EMPTY6, { direction: 'in', protocol: 'icmp', peer: 'fd00::1', icmpType: 8 }), { message: 'probe: icmp to fd00::1' });
    });
  });
});
