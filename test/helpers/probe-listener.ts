/**
 * The listening end of the traffic probes (test/helpers/probes.ts), run in
 * a VM's namespace (`ip netns exec <ns> node probe-listener.js tcp:5432
 * udp:53 ...`): accepts any number of TCP connections at once on each TCP
 * port and prints each UDP datagram it receives as a line, on IPv4 and
 * IPv6 (one dual-stack socket per port); says `ready` once all listen.
 */
import * as dgram from 'node:dgram';
import * as net from 'node:net';

async function main(): Promise<void> {
  const waits: Array<Promise<void>> = [];
  for (const arg of process.argv.slice(2)) {
    const [proto, portText] = arg.split(':');
    const port = Number(portText);
    if (proto === 'tcp') {
      const server = net.createServer((s) => {
        s.on('error', () => undefined);
        s.end();
      });
      waits.push(new Promise((resolve) => server.listen({ port, host: '::', ipv6Only: false, backlog: 512 }, resolve)));
    } else {
      const sock = dgram.createSocket({ type: 'udp6', ipv6Only: false });
      sock.on('message', (msg) => process.stdout.write(`${msg.toString('utf8').trim()}\n`));
      waits.push(new Promise((resolve) => sock.bind({ port, address: '::' }, resolve)));
    }
  }
  await Promise.all(waits);
  process.stdout.write('ready\n');
}

void main();
