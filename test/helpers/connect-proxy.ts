// An HTTP proxy as an egress proxy answers CONNECT: it tunnels every request to one local
// port (whatever host was asked for, as if it resolved that name itself) and records what it
// was asked, or refuses every tunnel with the status line it is given.
import http from 'node:http';
import net from 'node:net';

export interface Proxy { url: string; port: number; seen: string[]; close(): Promise<void> }

/** An HTTP proxy that tunnels every CONNECT to `to` (whatever host was asked for), or answers `refuse`. */
export async function connectProxy(to: number, refuse?: string): Promise<Proxy> {
  const seen: string[] = [];
  const tunnels = new Set<net.Socket>();
  const server = http.createServer((req, res) => { seen.push(`${req.method} ${req.url}`); res.writeHead(405).end(); });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url} ${req.headers['proxy-authorization'] ?? ''}`.trim());
    tunnels.add(client);
    if (refuse) return void client.end(`HTTP/1.1 ${refuse}\r\n\r\n`);
    const upstream = net.connect(to, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    tunnels.add(upstream);
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => client.destroy());
    client.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, port, seen, close: () => new Promise((r) => { for (const c of tunnels) c.destroy(); server.closeAllConnections(); server.close(() => r()); }) };
}
