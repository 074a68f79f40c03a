/**
 * `fwadm explain` output: the human text and the -j object of a Decision
 * (core/fw/explain.ts). Pure.
 */
import { targetText } from '../fwrule/canonical';
import type { Decision, ExplainPacket, PeerMatch, Verdict } from './explain';

const VERDICT: Record<Verdict, string> = { allow: 'ALLOW', block: 'BLOCK' };

function matchText(m: PeerMatch): string {
  const text = targetText(m.target);
  if (m.vm === undefined) return text;
  const where = m.vm.remote ? 'remote VM' : 'VM';
  // `vm <uuid>` names its VM already
  return m.target.kind === 'vm' ? `${text} (${where === 'VM' ? 'a VM of this host' : 'a remote VM'})` : `${text} (${where} ${m.vm.uuid})`;
}

function replyText(d: Decision): string | undefined {
  const r = d.reply;
  if (r === undefined) return undefined;
  if (r.by === 'state') return `replies: ${VERDICT[r.verdict]} (ipf keeps state for the exchange)`;
  const back = d.packet.direction === 'in' ? 'out' : 'in';
  return `replies: ${VERDICT[r.verdict]} (no state is kept: they are decided as ${back} packets)`;
}

/**
 * The verdict (ALLOW or BLOCK) on the first line, then what decides it:
 * `rule <uuid>: <canonical text>` and `matched: <target>`, or
 * `fallback: <ipf line>`; then the replies and any notes. Ends with a newline.
 */
export function formatDecision(d: Decision): string {
  const lines = [VERDICT[d.verdict]];
  switch (d.by) {
    case 'firewall-disabled':
      lines.push(`firewall: disabled for VM ${d.vm}: it has no ipf rules, every packet passes`);
      break;
    case 'rule':
      lines.push(`rule ${d.rule!.uuid}: ${d.rule!.rule}`, `matched: ${matchText(d.matched!)}`);
      break;
    case 'fallback':
      lines.push(`fallback: ${d.fallback!}`);
      break;
    case 'default':
      lines.push(`fallback: none: no line of ${d.file} matches, and ipf passes what no line matches`);
      break;
  }
  const reply = replyText(d);
  if (reply !== undefined) lines.push(reply);
  for (const n of d.notes) lines.push(`note: ${n}`);
  return lines.join('\n') + '\n';
}

function packetJson(p: ExplainPacket): Record<string, unknown> {
  return {
    direction: p.direction,
    protocol: p.protocol,
    peer: p.peer.text,
    ...(p.port !== undefined ? { port: p.port } : {}),
    ...(p.icmp !== undefined ? { type: p.icmp.type, code: p.icmp.code } : {}),
  };
}

/**
 * The -j object: `vm`, `packet`, `verdict` (allow|block), `by`
 * (rule|fallback|default|firewall-disabled), `file`, `rule` ({uuid, rule})
 * and `matched` ({target, vm?, remote?}) or `fallback` (the line), `reply`
 * ({verdict, by: state|rules}) and `notes`; what does not apply is null.
 */
export function decisionJson(d: Decision): Record<string, unknown> {
  const m = d.matched;
  return {
    vm: d.vm,
    packet: packetJson(d.packet),
    verdict: d.verdict,
    by: d.by,
    file: d.file ?? null,
    rule: d.rule === undefined ? null : { uuid: d.rule.uuid, rule: d.rule.rule },
    matched: m === undefined ? null : { target: targetText(m.target), ...(m.vm ? { vm: m.vm.uuid, remote: m.vm.remote } : {}) },
    fallback: d.fallback ?? null,
    reply: d.reply ?? null,
    notes: d.notes,
  };
}
