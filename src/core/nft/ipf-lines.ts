/**
 * A strict reader of the ipf text this project's compiler writes
 * (docs/ipf.md "Line format", "File layout and order", the fallbacks and
 * the IPv6 essentials): each line of ipf.conf / ipf6.conf read into what it
 * means, for the nftables back end (./translate.ts). Pure: no I/O.
 *
 * It knows exactly the subset src/core/ipf/render.ts and compile.ts emit:
 *
 *   <pass|block> <in|out> [quick] [proto <p>] (all | from <src> to <dst> [<target>]
 *     [flags S/SA]) [keep frags] [keep state] [set-tag(uuid=<uuid>[, cfwlog])]
 *
 * `<p>`: tcp, udp, ah, esp, and icmp (ipf.conf) or ipv6-icmp (ipf6.conf);
 * `<src>`/`<dst>`: `any`, an address or a CIDR of the file's family, the
 * other side `any` (inbound lines name their source, outbound ones their
 * destination); `<target>`: `port = N`, `port A : B` (tcp, udp),
 * `icmp-type T [code C]` (icmp, ipv6-icmp). Comment lines are read for the
 * entry comment `# rule=<uuid>, version=<v>, <type>=<value>` that starts an
 * entry; every other comment is skipped. Anything else is refused with
 * a one-line IpfSyntaxError naming the file's line.
 */
import { AppError } from '../errors';
import { Memo } from '../memo';
import { parseAddress, parseCidr, type Family } from '../net/address';

export type IpfProto = 'tcp' | 'udp' | 'icmp' | 'ipv6-icmp' | 'ah' | 'esp';

/** A line the translator does not know: `ipf.conf line 12: ...` (exit 1). */
export class IpfSyntaxError extends AppError {}

export interface IpfLine {
  readonly family: Family;
  /** 1-based line number in its file. */
  readonly lineNo: number;
  /** The line as written, trimmed. */
  readonly text: string;
  readonly action: 'pass' | 'block';
  readonly dir: 'in' | 'out';
  readonly quick: boolean;
  /** undefined: every protocol. */
  readonly proto?: IpfProto;
  /** The address on the other side (canonical text; a CIDR for a subnet); undefined: any. */
  readonly peer?: string;
  readonly peerIsCidr: boolean;
  readonly port?: { readonly start: number; readonly end: number };
  readonly icmp?: { readonly type: number; readonly code?: number };
  /** `flags S/SA`: TCP SYN without ACK only. */
  readonly synOnly: boolean;
  /** `keep state`: the packet it passes starts a state entry. */
  readonly state: boolean;
  /** `set-tag(uuid=<uuid>, cfwlog)`: the rule logs (event-logging hosts). */
  readonly log: boolean;
  /** The entry comment this line comes under (`# rule=...`); undefined before any, or under `# fwadm fallbacks`. */
  readonly entry?: string;
  /** Index of that entry in the file (0-based), or -1. */
  readonly entryIndex: number;
}

const ENTRY_COMMENT = /^# rule=[0-9A-Za-z-]{36}, version=.*, (?:wildcard|ip|subnet|tag|tagValue|vm)=.*$/;
const FALLBACKS_COMMENT = '# fwadm fallbacks';

const LINE = new RegExp(
  '^(pass|block) (in|out)( quick)?(?: proto (tcp|udp|icmp|ipv6-icmp|ah|esp))? ' +
    '(?:(all)|from (\\S+) to (\\S+)' +
    '(?: (?:port = (\\d{1,5})|port (\\d{1,5}) : (\\d{1,5})|icmp-type (\\d{1,3})(?: code (\\d{1,3}))?))?' +
    '( flags S/SA)?)' +
    '( keep frags)?( keep state)?' +
    '(?: set-tag\\(uuid=[0-9A-Za-z-]{36}(, cfwlog)?\\))?$',
);

function fail(file: string, lineNo: number, why: string): never {
  throw new IpfSyntaxError(`${file} line ${lineNo}: ${why}`);
}

/** An address or CIDR of `family`, canonical; refused otherwise. */
function peerOf(file: string, lineNo: number, text: string, family: Family): { peer: string; cidr: boolean } {
  try {
    if (text.includes('/')) {
      const c = parseCidr(text, 'reject');
      if (c.address.family !== family) fail(file, lineNo, `${text} is not an IPv${family} network`);
      return { peer: c.text, cidr: true };
    }
    const a = parseAddress(text);
    if (a.family !== family) fail(file, lineNo, `${text} is not an IPv${family} address`);
    return { peer: a.text, cidr: false };
  } catch (err) {
    if (err instanceof IpfSyntaxError) throw err;
    return fail(file, lineNo, `${JSON.stringify(text.slice(0, 60))} is not an address`);
  }
}

function num(file: string, lineNo: number, text: string, max: number, what: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n > max || (text.length > 1 && text.startsWith('0'))) fail(file, lineNo, `${what} ${text} is out of range`);
  return n;
}

/** What a rule line says, apart from where it is: the same text always says the same. */
type LineMeaning = Omit<IpfLine, 'family' | 'lineNo' | 'text' | 'entry' | 'entryIndex'>;

/**
 * Lines and comments already read, by family and text: every VM's files
 * have the same fallbacks, and the lines of a tag's VMs are in the files of
 * every VM a rule reaches.
 */
const meanings = new Memo<string, LineMeaning>(50000);
const entryComments = new Memo<string, boolean>(50000);

function meaningOf(file: string, lineNo: number, norm: string, family: Family): LineMeaning {
  return meanings.get(`${family}${norm}`, () => readMeaning(file, lineNo, norm, family));
}

function readMeaning(file: string, lineNo: number, norm: string, family: Family): LineMeaning {
  const m = LINE.exec(norm);
  if (!m) fail(file, lineNo, `not a line this translator knows: ${JSON.stringify(norm.slice(0, 120))}`);
  const [, action, dir, quick, proto, all, src, dst, portEq, portFrom, portTo, icmpType, icmpCode, syn, , state, cfwlog] = m;
  const p = proto as IpfProto | undefined;
  if (p === 'icmp' && family === 6) fail(file, lineNo, 'proto icmp in the IPv6 file');
  if (p === 'ipv6-icmp' && family === 4) fail(file, lineNo, 'proto ipv6-icmp in the IPv4 file');
  let peer: { peer: string; cidr: boolean } | undefined;
  if (all === undefined) {
    const mine = dir === 'in' ? dst : src;
    const other = dir === 'in' ? src : dst;
    if (mine !== 'any') fail(file, lineNo, `an ${dir}bound line must name "any" on the VM's side, not ${JSON.stringify(mine)}`);
    if (other !== 'any') peer = peerOf(file, lineNo, other, family);
  }
  let port: { start: number; end: number } | undefined;
  if (portEq !== undefined) {
    const n = num(file, lineNo, portEq, 65535, 'port');
    port = { start: n, end: n };
  } else if (portFrom !== undefined) {
    port = { start: num(file, lineNo, portFrom, 65535, 'port'), end: num(file, lineNo, portTo, 65535, 'port') };
    if (port.start > port.end) fail(file, lineNo, `port range ${port.start} : ${port.end} is empty`);
  }
  if (port && p !== 'tcp' && p !== 'udp') fail(file, lineNo, 'a port needs proto tcp or udp');
  let icmp: { type: number; code?: number } | undefined;
  if (icmpType !== undefined) {
    icmp = { type: num(file, lineNo, icmpType, 255, 'icmp-type') };
    if (icmpCode !== undefined) icmp.code = num(file, lineNo, icmpCode, 255, 'icmp code');
  }
  if (icmp && p !== 'icmp' && p !== 'ipv6-icmp') fail(file, lineNo, 'icmp-type needs proto icmp or ipv6-icmp');
  if (syn !== undefined && p !== 'tcp') fail(file, lineNo, 'flags S/SA needs proto tcp');
  // one shape for every line (absent parts undefined): lines are many, and read on every load
  return {
    action: action as 'pass' | 'block',
    dir: dir as 'in' | 'out',
    quick: quick !== undefined,
    proto: p,
    peer: peer?.peer,
    peerIsCidr: peer?.cidr === true,
    port,
    icmp,
    synOnly: syn !== undefined,
    state: state !== undefined,
    log: cfwlog !== undefined,
  };
}

/**
 * Every rule line of one file, in order, with the entry it comes under.
 * `family` 4 reads ipf.conf, 6 ipf6.conf.
 */
export function readIpf(text: string, family: Family): IpfLine[] {
  const file = family === 4 ? 'ipf.conf' : 'ipf6.conf';
  const out: IpfLine[] = [];
  let entry: string | undefined;
  let entryIndex = -1;
  let entries = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = lines[i].trim();
    if (raw === '') continue;
    if (raw.startsWith('#')) {
      if (entryComments.get(raw, () => ENTRY_COMMENT.test(raw))) {
        entry = raw;
        entryIndex = entries++;
      } else if (raw === FALLBACKS_COMMENT) {
        entry = undefined;
        entryIndex = -1;
      }
      continue;
    }
    const norm = raw.includes('  ') || raw.includes('\t') ? raw.replace(/[ \t]+/g, ' ') : raw;
    const m = meaningOf(file, lineNo, norm, family);
    out.push({
      family,
      lineNo,
      text: raw,
      action: m.action,
      dir: m.dir,
      quick: m.quick,
      proto: m.proto,
      peer: m.peer,
      peerIsCidr: m.peerIsCidr,
      port: m.port,
      icmp: m.icmp,
      synOnly: m.synOnly,
      state: m.state,
      log: m.log,
      entry,
      entryIndex,
    });
  }
  return out;
}
