/**
 * The fwrule language, case by case from docs/fwrule.md: what each rule text
 * means (as canonical text) and each error message.
 */
import { strict as assert } from 'node:assert';
import { canonicalText } from '../../../src/core/fwrule/canonical';
import { AppError } from '../../../src/core/errors';
import { parseRule } from '../../../src/core/fwrule/parse';

const VM1 = '5f0c0a2e-0f3a-4b1c-9b6e-8d2a5c0e1f11';
const VM2 = '0a9d7c3e-1111-4b1c-9b6e-8d2a5c0e1f22';

function canon(text: string): string {
  return canonicalText(parseRule(text));
}

function errorOf(text: string): string {
  try {
    parseRule(text);
  } catch (err) {
    assert.ok(err instanceof AppError && err.field !== undefined, `not a rule error: ${String(err)}`);
    return err.message;
  }
  assert.fail(`accepted: ${text}`);
}

/** [input, canonical text] */
const VALID: Array<[string, string]> = [
  // syntax and keyword case
  ['FROM any TO all vms ALLOW tcp PORT 22', 'FROM any TO all vms ALLOW tcp PORT 22'],
  ['from any to all vms allow tcp port 22', 'FROM any TO all vms ALLOW tcp PORT 22'],
  ['FROM any to all vms ALLOW tcp port 22', 'FROM any TO all vms ALLOW tcp PORT 22'],
  ['FROM ANY TO ALL VMS ALLOW TCP PORT ALL', 'FROM any TO all vms ALLOW tcp PORT all'],
  ['  from\tany   to all   vms allow\ntcp port 22  ', 'FROM any TO all vms ALLOW tcp PORT 22'],
  // targets
  ['from (any) to (all vms) allow tcp port 1', 'FROM any TO all vms ALLOW tcp PORT 1'],
  ['from ip 10.0.0.1 to all vms block udp port 53', 'FROM ip 10.0.0.1 TO all vms BLOCK udp PORT 53'],
  ['from ip 2001:DB8:0:0:0:0:0:1 to all vms allow tcp port 1', 'FROM ip 2001:db8::1 TO all vms ALLOW tcp PORT 1'],
  ['from ip 2001:db8::0.0.0.1 to all vms allow tcp port 1', 'FROM ip 2001:db8::1 TO all vms ALLOW tcp PORT 1'],
  ['from ip fd00:0:0:1::0:1 to all vms allow tcp port 1', 'FROM ip fd00:0:0:1::1 TO all vms ALLOW tcp PORT 1'],
  ['from subnet 10.8.0.0/16 to all vms allow tcp port 1', 'FROM subnet 10.8.0.0/16 TO all vms ALLOW tcp PORT 1'],
  ['from subnet FD00:AB::/32 to all vms allow tcp port 1', 'FROM subnet fd00:ab::/32 TO all vms ALLOW tcp PORT 1'],
  ['from subnet 0.0.0.0/0 to all vms allow tcp port 1', 'FROM subnet 0.0.0.0/0 TO all vms ALLOW tcp PORT 1'],
  ['from any to tag role allow tcp port 1', 'FROM any TO tag "role" ALLOW tcp PORT 1'],
  ['from any to tag role = www allow tcp port 1', 'FROM any TO tag "role" = "www" ALLOW tcp PORT 1'],
  ['from any to tag "a b" = "c\\"d" allow tcp port 1', 'FROM any TO tag "a b" = "c\\"d" ALLOW tcp PORT 1'],
  ['from any to tag "x\\/y\\(z\\)" allow tcp port 1', 'FROM any TO tag "x/y\\(z\\)" ALLOW tcp PORT 1'],
  ['from any to tag "\\u00e9\\t\\n" allow tcp port 1', 'FROM any TO tag "é\\t\\n" ALLOW tcp PORT 1'],
  ['from any to tag "a\\u00a0b\\u0001" allow tcp port 1', 'FROM any TO tag "a\\u00A0b\\u0001" ALLOW tcp PORT 1'],
  ['from any to tag x = 5 allow tcp port 1', 'FROM any TO tag "x" = "5" ALLOW tcp PORT 1'],
  ['from any to tag "" allow tcp port 1', 'FROM any TO tag "" ALLOW tcp PORT 1'],
  ['from tag x-from to all vms allow tcp port 1', 'FROM tag "x-from" TO all vms ALLOW tcp PORT 1'],
  [`from any to vm ${VM1} allow tcp port 1`, `FROM any TO vm ${VM1} ALLOW tcp PORT 1`],
  // lists: order, de-duplication, tag absorption
  [
    `from (vm ${VM1} or tag b or subnet 10.0.0.0/8 or ip 10.0.0.9 or tag a = 1) to all vms allow tcp port 1`,
    `FROM (ip 10.0.0.9 OR subnet 10.0.0.0/8 OR tag "a" = "1" OR tag "b" OR vm ${VM1}) TO all vms ALLOW tcp PORT 1`,
  ],
  ['from (ip 10.0.0.2 or ip 10.0.0.10 or ip 10.0.0.2) to all vms allow ah', 'FROM (ip 10.0.0.10 OR ip 10.0.0.2) TO all vms ALLOW ah'],
  ['from (tag a = x OR ip 10.0.0.1 OR tag a) to all vms allow tcp ports 443, 80', 'FROM (ip 10.0.0.1 OR tag "a") TO all vms ALLOW tcp (PORT 80 AND PORT 443)'],
  ['from any to (tag x = b or tag x = a or tag y) allow tcp port 1', 'FROM any TO (tag "x" = "a" OR tag "x" = "b" OR tag "y") ALLOW tcp PORT 1'],
  [`from any to (vm ${VM2} or vm ${VM1}) allow esp`, `FROM any TO (vm ${VM2} OR vm ${VM1}) ALLOW esp`],
  ['from (ip fd00::1 or ip FD00::0:1) to tag a allow tcp port 1', 'FROM ip fd00::1 TO tag "a" ALLOW tcp PORT 1'],
  // ports
  ['from any to all vms allow tcp (port 443 and port 80)', 'FROM any TO all vms ALLOW tcp (PORT 80 AND PORT 443)'],
  ['from any to all vms allow tcp ports 1-3,5', 'FROM any TO all vms ALLOW tcp PORTS 1 - 3, 5'],
  ['from any to all vms allow tcp ports 5, 1 - 3', 'FROM any TO all vms ALLOW tcp PORTS 1 - 3, 5'],
  ['from any to all vms allow tcp ports 1 -5', 'FROM any TO all vms ALLOW tcp PORTS 1 - 5'],
  ['from any to all vms allow udp ports 53, 80', 'FROM any TO all vms ALLOW udp (PORT 53 AND PORT 80)'],
  ['from any to all vms allow tcp ports 1-65535', 'FROM any TO all vms ALLOW tcp PORTS 1 - 65535'],
  ['from any to all vms allow tcp ports 7-7', 'FROM any TO all vms ALLOW tcp PORTS 7 - 7'],
  ['from any to all vms allow tcp port 080', 'FROM any TO all vms ALLOW tcp PORT 80'],
  ['from any to all vms allow tcp (port 80 and port 80)', 'FROM any TO all vms ALLOW tcp (PORT 80 AND PORT 80)'],
  // ICMP
  ['from any to all vms allow icmp type 8', 'FROM any TO all vms ALLOW icmp TYPE 8'],
  ['from any to all vms allow icmp type 8 code 0', 'FROM any TO all vms ALLOW icmp TYPE 8 CODE 0'],
  ['from any to all vms allow icmp (type 8 code 0 and type 3)', 'FROM any TO all vms ALLOW icmp (TYPE 3 AND TYPE 8 CODE 0)'],
  ['from any to all vms allow icmp6 (type 1 code 4 and type 1 and type 0)', 'FROM any TO all vms ALLOW icmp6 (TYPE 0 AND TYPE 1 AND TYPE 1 CODE 4)'],
  ['from any to all vms allow icmp type all', 'FROM any TO all vms ALLOW icmp TYPE all'],
  ['from any to all vms allow icmp (type all)', 'FROM any TO all vms ALLOW icmp TYPE all'],
  ['from any to all vms allow tcp (port all)', 'FROM any TO all vms ALLOW tcp PORT all'],
  ['from ip 10.0.0.1 to tag a allow icmp type 0 code 255', 'FROM ip 10.0.0.1 TO tag "a" ALLOW icmp TYPE 0 CODE 255'],
  ['from subnet fd00::/64 to tag a allow icmp6 type 128', 'FROM subnet fd00::/64 TO tag "a" ALLOW icmp6 TYPE 128'],
  // ah, esp, priority
  ['from all vms to any allow ah', 'FROM all vms TO any ALLOW ah'],
  ['from all vms to any block esp', 'FROM all vms TO any BLOCK esp'],
  ['from any to all vms allow tcp port 1 priority 0', 'FROM any TO all vms ALLOW tcp PORT 1'],
  ['from any to all vms allow tcp port 1 priority 007', 'FROM any TO all vms ALLOW tcp PORT 1 PRIORITY 7'],
  ['FROM any TO all vms ALLOW tcp PORT 1 PRIORITY 100', 'FROM any TO all vms ALLOW tcp PORT 1 PRIORITY 100'],
];

const twentyFive = (kw: string, f: (i: number) => string): string =>
  Array.from({ length: 25 }, (_, i) => `${kw} ${f(i)}`).join(kw === 'tag' ? ' OR ' : ' AND ');

/** [input, error message] */
const INVALID: Array<[string, string]> = [
  // a rule must touch a VM
  ['from any to any allow tcp port 1', 'rule does not affect VMs'],
  ['from ip 10.0.0.1 to subnet 10.0.0.0/8 allow tcp port 1', 'rule does not affect VMs'],
  // ICMP families
  ['from ip fd00::1 to all vms allow icmp type 8', 'rule affects ICMPv4 but contains a non-IPv4 address'],
  ['from subnet fd00::/8 to all vms allow icmp type 8', 'rule affects ICMPv4 but contains a non-IPv4 subnet'],
  ['from ip 10.0.0.1 to all vms allow icmp6 type 128', 'rule affects ICMPv6 but contains a non-IPv6 address'],
  ['from subnet 10.0.0.0/8 to all vms allow icmp6 type 128', 'rule affects ICMPv6 but contains a non-IPv6 subnet'],
  // limits
  [`from (${twentyFive('tag', (i) => `t${i}`)}) to all vms allow tcp port 1`, 'maximum of 24 targets allowed per side'],
  [`from any to all vms allow tcp (${twentyFive('port', (i) => String(i + 1))})`, 'maximum of 24 ports allowed'],
  [`from any to all vms allow icmp (${twentyFive('type', (i) => String(i))})`, 'maximum of 24 types allowed'],
  // numbers
  ['from any to all vms allow tcp port 65537', 'Port number "65537" is invalid'],
  ['from any to all vms allow tcp port 0', 'Port number "0" is invalid'],
  ['from any to all vms allow tcp port 1-5', 'Port number "1-5" is invalid'],
  ['from any to all vms allow tcp ports a', 'Port number "a" is invalid'],
  ['from any to all vms allow tcp ports 1-2-3', '"1-2-3" is not a valid port number or range'],
  ['from any to all vms allow tcp ports 20-10', 'The end of the range (10) cannot be less than the start (20)'],
  ['from any to all vms allow tcp ports 20 - 10', 'The end of the range (10) cannot be less than the start (20)'],
  ['from any to all vms allow tcp port 1 priority 101', 'Priority level "101" is invalid'],
  ['from any to all vms allow tcp port 1 priority x', 'Priority level "x" is invalid'],
  ['from any to all vms allow icmp type 256', 'ICMP type "256" is invalid'],
  ['from any to all vms allow icmp type 8 code 256', 'ICMP code "256" is invalid'],
  // addresses and subnets
  ['from subnet 10.8.0.0/5 to all vms allow tcp port 1', 'Subnet "10.8.0.0/5" is invalid (bits set to right of mask)'],
  ['from subnet fd00::1/64 to all vms allow tcp port 1', 'Subnet "fd00::1/64" is invalid (bits set to right of mask)'],
  ['from subnet 10.0.0.0/33 to all vms allow tcp port 1', 'Subnet "10.0.0.0/33" is invalid (bad prefix length)'],
  ['from subnet 10.0.0.256/32 to all vms allow tcp port 1', 'Subnet "10.0.0.256/32" is invalid (bad address component)'],
  ['from ip 10.0.0.256 to all vms allow tcp port 1', 'IPv4 address "10.0.0.256" is invalid'],
  ['from ip 010.0.0.1 to all vms allow tcp port 1', 'IPv4 address "010.0.0.1" is invalid'],
  ['from ip 0.0.0.0 to all vms allow tcp port 1', 'IPv4 address "0.0.0.0" is invalid'],
  ['from ip 255.255.255.255 to all vms allow tcp port 1', 'IPv4 address "255.255.255.255" is invalid'],
  ['from subnet 10.0.01.0/24 to all vms allow tcp port 1', 'Subnet "10.0.01.0/24" is invalid (bad address component)'],
  ['from ip fd00:::1 to all vms allow tcp port 1', 'IPv6 address "fd00:::1" is invalid'],
  ['from any to vm asdf allow tcp port 1', 'UUID "asdf" is invalid'],
  ['from any to vm 5F0C0A2E-0F3A-4B1C-9B6E-8D2A5C0E1F11 allow tcp port 1', 'UUID "5F0C0A2E-0F3A-4B1C-9B6E-8D2A5C0E1F11" is invalid'],
  // syntax
  ['foo', "Error at character 0: 'foo', expected: 'FROM', found: word"],
  ['From any to all vms allow tcp port 7', "Error at character 0: 'From', expected: 'FROM', found: word"],
  ['FROM foo TO any ALLOW tcp PORT 22', "Error at character 4: 'foo', expected: '(', 'all', 'any', 'ip', 'subnet', 'vm', 'tag', found: word"],
  ['from any to all vms allow tcp port 22 extra', "Error at character 37: 'extra', expected: 'EOF', 'PRIORITY', ')', 'AND', found: word"],
  ['from any to all vms allow', "Error at character 25: '', expected: 'TCP', 'UDP', 'ICMP', 'ICMP6', 'AH', 'ESP', found: EOF"],
  ['from any to all vms allow tcp ports 1- 5', "Error at character 38: '5', expected: 'EOF', 'PRIORITY', '-', ',', found: word"],
  ['from tag from-x to all vms allow tcp port 1', "Error at character 8: 'from', expected: 'WORD', 'STRING', found: FROM"],
  ['from (any or ip 10.0.0.1) to all vms allow tcp port 1', "Error at character 9: 'or', expected: ')', found: OR"],
  ['from any to all vms allow tcp (port 5 and port all)', "Error at character 46: 'all', expected: 'WORD', found: ALL"],
  ['from any to all vms allow tcp port 1 priority 5 priority 6', "Error at character 47: 'priority', expected: 'EOF', found: PRIORITY"],
  ['from any to all vms allow tcp port 22 !', "Error at character 23: '!', found: unexpected text"],
  ['from any to all vms allow tcp (port all and port 5)', "Error at character 39: 'and', expected: 'EOF', 'PRIORITY', ')', found: AND"],
  ['', 'No rule specified'],
];

describe('fwrule: parse and canonical text', () => {
  for (const [input, expected] of VALID) {
    it(`${input}  =>  ${expected}`, () => {
      assert.equal(canon(input), expected);
    });
  }

  it('the fwrule.md example', () => {
    assert.equal(
      canon('from (tag a = x OR ip 10.0.0.1 OR tag a) to all vms allow tcp\nports 443, 80'),
      'FROM (ip 10.0.0.1 OR tag "a") TO all vms ALLOW tcp (PORT 80 AND PORT 443)',
    );
  });

  it('24 targets on a side and 24 ports are allowed', () => {
    const tags = Array.from({ length: 24 }, (_, i) => `tag t${i}`).join(' OR ');
    const ports = Array.from({ length: 24 }, (_, i) => `port ${i + 1}`).join(' AND ');
    assert.match(canon(`from (${tags}) to all vms allow tcp (${ports})`), /^FROM \(tag "t0" OR .* PORT 24\)$/);
  });
});

describe('fwrule: errors', () => {
  for (const [input, expected] of INVALID) {
    it(`${input.length > 70 ? input.slice(0, 70) + '...' : input}  =>  ${expected}`, () => {
      assert.equal(errorOf(input), expected);
    });
  }

  it('scope identifiers are refused, saying why', () => {
    const msg = errorOf('from ip fe80::1%net0 to all vms allow tcp port 22');
    assert.match(msg, /^IPv6 address "fe80::1%net0" is invalid: .*scope identifier.*local to one host/);
    assert.match(errorOf('from subnet fe80::%eth0/64 to all vms allow tcp port 22'), /^Subnet "fe80::%eth0\/64" is invalid: .*scope identifier/);
  });

  it('IPv4-mapped IPv6 addresses are refused, naming the IPv4 address to write', () => {
    assert.match(errorOf('from ip ::ffff:10.0.0.1 to all vms allow tcp port 22'), /^IPv6 address "::ffff:10.0.0.1" is invalid: .*IPv4-mapped.*10\.0\.0\.1 instead/);
  });

  it('the first bad token in the text is the one reported', () => {
    assert.equal(errorOf('from ip 10.0.0.256 to vm asdf allow tcp port 0'), 'IPv4 address "10.0.0.256" is invalid');
  });
});

describe('fwrule: hostile input', () => {
  it('a quoted tag of 8.4 million characters is read, not a stack overflow', () => {
    const name = 'a'.repeat(8_400_000);
    assert.equal(canon(`FROM any TO tag "${name}" ALLOW tcp PORT 22`), `FROM any TO tag "${name}" ALLOW tcp PORT 22`);
  });

  it('1.5 million \\u escapes in one tag are read, not a stack overflow', () => {
    const rule = parseRule(`FROM any TO tag "${'\\u0041'.repeat(1_500_000)}" = "${'\\(x'.repeat(10_000)}" ALLOW tcp PORT 22`);
    assert.deepEqual(rule.to, [{ kind: 'tag', name: 'A'.repeat(1_500_000), value: '(x'.repeat(10_000) }]);
  });

  it('an unterminated or badly escaped long string is an ordinary syntax error', () => {
    assert.equal(errorOf(`FROM any TO tag   "${'a'.repeat(3_000_000)} ALLOW tcp PORT 22`), `Error at character 18: '"aaaaaaaaaaaaaaaaaaa', found: unexpected text`);
    assert.equal(errorOf(`FROM any TO tag "${'\\u0041'.repeat(1_000_000)}\\q" ALLOW tcp PORT 22`), `Error at character 16: '"\\u0041\\u0041\\u0041\\', found: unexpected text`);
  });

  it('a long token in a message is cut, with its length', () => {
    const msg = errorOf(`FROM "${'x'.repeat(1_000_000)}" TO all vms ALLOW tcp PORT 22`);
    assert.match(msg, /^Error at character 4: '"x{99}\.\.\. \(1000002 characters\)', expected: /);
    assert.ok(msg.length < 400);
    assert.equal(errorOf(`FROM vm ${'a'.repeat(200)} TO all vms ALLOW tcp PORT 22`), `UUID "${'a'.repeat(100)}... (200 characters)" is invalid`);
  });

  it('control characters in a message are escaped: one line, nothing raw for a terminal', () => {
    assert.equal(
      errorOf('FROM any TO tag "\x1b[2J\x07" BLURB tcp PORT 22'),
      `Error at character 23: 'BLURB', expected: 'TO', ')', 'OR', '=', 'BLOCK', 'ALLOW', found: word`,
    );
    assert.equal(errorOf('FROM "\x1b]0;owned\x07\r\n" TO all vms ALLOW tcp PORT 22'), `Error at character 4: '"\\x1b]0;owned\\x07\\r\\n"', expected: '(', 'all', 'any', 'ip', 'subnet', 'vm', 'tag', found: STRING`);
    assert.equal(errorOf('FROM ip fe80::1%\x1b[31m\x00 TO all vms ALLOW tcp PORT 22').split('"')[1], 'fe80::1%\\x1b[31m\\x00');
    assert.equal(errorOf('FROM any TO all vms ALLOW tcp PORT 22 \x9b\x7f'), `Error at character 23: '\\u009b\\x7f', found: unexpected text`);
  });

  it('a \\u escape that leaves a lone surrogate is refused; a pair is one character', () => {
    assert.equal(errorOf('FROM any TO tag "\\ud800" ALLOW tcp PORT 22'), 'String "\\ud800" is invalid: \\uD800 is a lone surrogate, not a Unicode character');
    assert.equal(errorOf('FROM any TO tag a = "x\\uDC00y" ALLOW tcp PORT 22'), 'String "x\\uDC00y" is invalid: \\uDC00 is a lone surrogate, not a Unicode character');
    assert.equal(errorOf('FROM any TO tag "\\ude00\\ud83d" ALLOW tcp PORT 22'), 'String "\\ude00\\ud83d" is invalid: \\uDE00 is a lone surrogate, not a Unicode character');
    assert.equal(canon('FROM any TO tag "\\ud83d\\ude00" ALLOW tcp PORT 22'), 'FROM any TO tag "\u{1f600}" ALLOW tcp PORT 22');
  });

  it('rule text holding a lone surrogate (from a JSON string) is refused', () => {
    assert.equal(errorOf('FROM any TO tag "\ud800" ALLOW tcp PORT 22'), 'rule text holds \\uD800, a lone surrogate: not a Unicode character');
    assert.equal(errorOf('FROM any TO tag "\udfff" ALLOW tcp PORT 22'), 'rule text holds \\uDFFF, a lone surrogate: not a Unicode character');
  });
});
