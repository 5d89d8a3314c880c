// A TCP proxy in front of the real server, for connection-loss faults: it can cut every
// connection the moment a client sends a given SQL text (before the server sees it), and
// refuse new connections until told otherwise. A cut may leave the server's side open (a
// half-open connection: a NAT or load balancer that forgot it), so the server's session
// lingers, with its locks, until the proxy closes. Plain connections only (sslmode=disable), so
// the query text is visible in the protocol stream.
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface PgProxy {
  port: number;
  /**
   * Cut all connections when a client sends `text`; stay down for `downMs` (Infinity: until
   * up()). `linger`: only the client's side is cut; the server's stays open until close().
   */
  cutOn(text: string, downMs: number, options?: { linger?: boolean }): Promise<void>;
  /** Resolves when the cut has happened. */
  cut: Promise<void>;
  up(): void;
  close(): Promise<void>;
  /** How many connections were accepted (and forwarded). */
  accepted(): number;
  /** How many bytes the server has sent to clients so far. */
  fromServer(): number;
}

export async function startProxy(targetPort: number): Promise<PgProxy> {
  const sockets = new Set<Socket>();
  const upstreams = new WeakSet<Socket>();
  const lingering = new Set<Socket>();
  let trigger: string | null = null;
  let linger = false;
  let downUntil = 0;
  let accepted = 0;
  let fromServer = 0;
  let onCut: () => void = () => {};
  let cut = new Promise<void>((r) => { onCut = r; });
  const server: Server = createServer((client) => {
    if (Date.now() < downUntil) {
      client.destroy();
      return;
    }
    accepted++;
    const upstream = connect(targetPort, '127.0.0.1');
    upstreams.add(upstream);
    sockets.add(client);
    sockets.add(upstream);
    const drop = () => {
      client.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
      if (!lingering.has(upstream)) upstream.destroy();
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);
    client.on('data', (chunk: Buffer) => {
      if (trigger && chunk.includes(trigger)) {
        trigger = null;
        for (const s of sockets) {
          if (linger && upstreams.has(s)) lingering.add(s);
          else s.destroy();
        }
        sockets.clear();
        onCut();
        return;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      fromServer += chunk.length;
      if (!client.destroyed) client.write(chunk);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const proxy: PgProxy = {
    port,
    get cut() { return cut; },
    async cutOn(text, downMs, options = {}) {
      cut = new Promise<void>((r) => { onCut = () => { downUntil = Date.now() + downMs; r(); }; });
      trigger = text;
      linger = options.linger ?? false;
    },
    up() { downUntil = 0; },
    accepted: () => accepted,
    fromServer: () => fromServer,
    close: () => new Promise<void>((r) => { for (const s of [...sockets, ...lingering]) s.destroy(); server.close(() => r()); }),
  };
  return proxy;
}
