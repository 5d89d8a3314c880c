// The proxy the client goes through: the kubeconfig's proxy-url, else the environment's, with
// NO_PROXY read as Go's httpproxy reads it (cases after golang.org/x/net/http/httpproxy's
// proxy_test.go), and tunnels (CONNECT, SOCKS5) to local servers standing in for an API server.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openKubeClient } from '../../../src/kube/client.ts';
import { loadKubeconfig } from '../../../src/kube/kubeconfig.ts';
import { proxyForServer, useProxy } from '../../../src/kube/proxy.ts';
import { ConfigError } from '../../../src/base/errors.ts';

describe('NO_PROXY, as Go reads it', () => {
  const cases: Array<[noProxy: string, host: string, port: number, proxied: boolean]> = [
    ['', 'api.example.com', 443, true],
    ['', 'localhost', 6443, false],
    ['', '127.0.0.1', 6443, false],
    ['', '127.4.5.6', 6443, false],
    ['', '::1', 6443, false],
    ['example.com', 'example.com', 443, false],
    ['example.com', 'api.example.com', 443, false],
    ['example.com', 'notexample.com', 443, true],
    ['.example.com', 'example.com', 443, true],
    ['.example.com', 'api.example.com', 443, false],
    ['*.example.com', 'example.com', 443, true],
    ['*.example.com', 'api.example.com', 443, false],
    ['example.com:6443', 'api.example.com', 6443, false],
    ['example.com:6443', 'api.example.com', 443, true],
    [' other.org , EXAMPLE.com ', 'api.example.com', 443, false],
    ['10.0.0.0/8', '10.96.0.1', 443, false],
    ['10.0.0.0/8', '11.0.0.1', 443, true],
    ['10.0.0.0/8', 'ten.example.com', 443, true],
    ['10.96.0.1', '10.96.0.1', 443, false],
    ['10.96.0.1', '10.96.0.2', 443, true],
    ['10.96.0.1:6443', '10.96.0.1', 443, true],
    ['10.96.0.1:6443', '10.96.0.1', 6443, false],
    ['fd00::/8', 'fd00::1', 443, false],
    ['fd00::1', 'fd00::1', 443, false],
    ['[fd00::1]:6443', 'fd00::1', 6443, false],
    ['[fd00::1]:6443', 'fd00::1', 443, true],
    ['bücher.example', new URL('https://api.bücher.example').hostname, 443, false],
    ['*', 'anything.example', 443, false],
    ['other.org,*', 'anything.example', 443, false],
  ];
  it.each(cases)('NO_PROXY=%j, %s:%i: proxied %s', (noProxy, host, port, proxied) => {
    expect(useProxy(host, port, noProxy)).toBe(proxied);
  });

  it("takes the server's scheme's variable (upper case first), the kubeconfig's proxy-url before it, and a proxy without a scheme as http://", () => {
    const env = { HTTPS_PROXY: 'proxy.corp:3128', https_proxy: 'http://lower:1', HTTP_PROXY: 'http://plain:8080', NO_PROXY: '.internal' };
    expect(proxyForServer(new URL('https://api.example.com:6443'), undefined, env)?.href).toBe('http://proxy.corp:3128/');
    expect(proxyForServer(new URL('https://api.example.com:6443'), undefined, { https_proxy: 'http://lower:1' })?.href).toBe('http://lower:1/');
    expect(proxyForServer(new URL('http://api.example.com:8080'), undefined, env)?.href).toBe('http://plain:8080/');
    expect(proxyForServer(new URL('https://api.internal'), undefined, env)).toBeUndefined();
    expect(proxyForServer(new URL('https://api.internal'), 'socks5://jump:1080', env)?.href).toBe('socks5://jump:1080');
    expect(proxyForServer(new URL('https://api.example.com'), undefined, {})).toBeUndefined();
  });
});

let dir: string;
let server: https.Server;
let serverPort = 0;
let ca: Buffer;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-proxy-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'ca.crt'),
    '-days', '2', '-subj', '/CN=api.cluster.test', '-addext', 'subjectAltName=DNS:api.cluster.test'], { stdio: 'ignore' });
  ca = fs.readFileSync(path.join(dir, 'ca.crt'));
  server = https.createServer({ key: fs.readFileSync(path.join(dir, 'key.pem')), cert: ca }, (req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ gitVersion: 'v1.36.0', authorization: req.headers.authorization ?? null }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  serverPort = (server.address() as net.AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A kubeconfig for https://api.cluster.test (a name that resolves nowhere: only a proxy reaches it). */
function kubeconfig(extra = ''): string {
  const file = path.join(dir, 'config');
  fs.writeFileSync(file, `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://api.cluster.test:${serverPort}", certificate-authority: ca.crt${extra}}}]
users: [{name: u, user: {token: t0ken}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`);
  return file;
}

/** An HTTP proxy that tunnels every CONNECT to the stand-in server, or answers `refuse`. */
async function connectProxy(refuse?: string): Promise<{ url: string; seen: string[]; close: () => Promise<void> }> {
  const seen: string[] = [];
  const proxy = http.createServer();
  proxy.on('connect', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url} ${req.headers['proxy-authorization'] ?? ''}`.trim());
    if (refuse) return void socket.end(`HTTP/1.1 ${refuse}\r\n\r\n`);
    const upstream = net.connect(serverPort, '127.0.0.1', () => {
      socket.write('HTTP/1.1 200 Connection established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket).pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`, seen, close: () => new Promise<void>((r) => { proxy.closeAllConnections(); proxy.close(() => r()); }) };
}

describe('the client through a proxy', () => {
  it('tunnels through HTTPS_PROXY with CONNECT (credentials in the URL as Proxy-Authorization), TLS to the API server verified over the tunnel', async () => {
    const proxy = await connectProxy();
    const proxyUrl = proxy.url.replace('http://', 'http://user:p%40ss@');
    const { client } = openKubeClient({ kubeconfigPath: kubeconfig(), env: { HTTPS_PROXY: proxyUrl, NO_PROXY: 'other.test' }, retries: 0 });
    try {
      expect((await client.get('/version', 'get /version')).body).toEqual({ gitVersion: 'v1.36.0', authorization: 'Bearer t0ken' });
      expect(proxy.seen).toEqual([`CONNECT api.cluster.test:${serverPort} Basic ${Buffer.from('user:p@ss').toString('base64')}`]);
    } finally {
      client.close();
      await proxy.close();
    }
  });

  it('goes direct for a server NO_PROXY names, and through the kubeconfig proxy-url whatever the environment says', async () => {
    const proxy = await connectProxy();
    const direct = openKubeClient({ kubeconfigPath: kubeconfig(), env: { HTTPS_PROXY: proxy.url, NO_PROXY: '.cluster.test' }, retries: 0 }).client;
    try {
      await expect(direct.get('/version', 'get /version')).rejects.toThrow();
      expect(proxy.seen).toEqual([]);
    } finally {
      direct.close();
    }
    const viaKubeconfig = openKubeClient({ kubeconfigPath: kubeconfig(`, proxy-url: "${proxy.url}"`), env: { NO_PROXY: '*' }, retries: 0 }).client;
    try {
      expect((await viaKubeconfig.get('/version', 'get /version')).status).toBe(200);
      expect(proxy.seen).toEqual([`CONNECT api.cluster.test:${serverPort}`]);
    } finally {
      viaKubeconfig.close();
      await proxy.close();
    }
  });

  it('tunnels to an http:// server through HTTP_PROXY with CONNECT too', async () => {
    const plain = http.createServer((req, res) => res.end(JSON.stringify({ plain: true })));
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
    const plainPort = (plain.address() as net.AddressInfo).port;
    const seen: string[] = [];
    const proxy = http.createServer();
    proxy.on('connect', (req: http.IncomingMessage, socket: net.Socket) => {
      seen.push(`CONNECT ${req.url}`);
      const upstream = net.connect(plainPort, '127.0.0.1', () => {
        socket.write('HTTP/1.1 200 Connection established\r\n\r\n');
        upstream.pipe(socket).pipe(upstream);
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const file = path.join(dir, 'plain-config');
    fs.writeFileSync(file, `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "http://api.cluster.test:${plainPort}"}}]
users: [{name: u, user: {token: t0ken}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`);
    const { client } = openKubeClient({ kubeconfigPath: file, env: { HTTP_PROXY: `127.0.0.1:${(proxy.address() as net.AddressInfo).port}`, HTTPS_PROXY: 'http://unused.invalid:1' }, retries: 0 });
    try {
      expect((await client.get('/version', 'get /version')).body).toEqual({ plain: true });
      expect(seen).toEqual([`CONNECT api.cluster.test:${plainPort}`]);
    } finally {
      client.close();
      proxy.closeAllConnections();
      plain.closeAllConnections();
      await new Promise<void>((r) => proxy.close(() => r()));
      await new Promise<void>((r) => plain.close(() => r()));
    }
  });

  it('names the proxy (never its credentials) when it refuses the tunnel, and retries a proxy that cannot reach the server yet', async () => {
    const denied = await connectProxy('407 Proxy Authentication Required');
    const c = openKubeClient({ kubeconfigPath: kubeconfig(), env: { HTTPS_PROXY: denied.url.replace('http://', 'http://user:secret@') }, retries: 2, retryBaseDelayMs: 10 }).client;
    try {
      await expect(c.get('/version', 'get /version')).rejects.toThrow(`proxy ${denied.url} refused a tunnel to api.cluster.test:${serverPort}: HTTP 407 Proxy Authentication Required`);
      expect(denied.seen).toHaveLength(1);
    } finally {
      c.close();
      await denied.close();
    }
    const unavailable = await connectProxy('503 Service Unavailable');
    const d = openKubeClient({ kubeconfigPath: kubeconfig(), env: { HTTPS_PROXY: unavailable.url }, retries: 2, retryBaseDelayMs: 10 }).client;
    try {
      await expect(d.get('/version', 'get /version')).rejects.toThrow(/HTTP 503 Service Unavailable \(3 attempts over/);
      expect(unavailable.seen).toHaveLength(3);
    } finally {
      d.close();
      await unavailable.close();
    }
  });

  it('tunnels through a SOCKS5 proxy-url with a username and password, the name resolved by the proxy', async () => {
    const seen: string[] = [];
    const socks = net.createServer((socket) => {
      socket.once('data', () => {
        socket.write(Buffer.from([5, 2]));
        socket.once('data', (auth) => {
          const user = auth.subarray(2, 2 + auth[1]!).toString();
          const password = auth.subarray(3 + auth[1]!, 3 + auth[1]! + auth[2 + auth[1]!]!).toString();
          seen.push(`${user}:${password}`);
          socket.write(Buffer.from([1, 0]));
          socket.once('data', (req) => {
            const host = req.subarray(5, 5 + req[4]!).toString();
            seen.push(`${req[3] === 3 ? 'name' : 'address'} ${host}:${req.readUInt16BE(5 + req[4]!)}`);
            const upstream = net.connect(serverPort, '127.0.0.1', () => {
              socket.write(Buffer.from([5, 0, 0, 1, 127, 0, 0, 1, 0, 0]));
              upstream.pipe(socket).pipe(upstream);
            });
          });
        });
      });
    });
    await new Promise<void>((r) => socks.listen(0, '127.0.0.1', r));
    const url = `socks5://alice:s3cret@127.0.0.1:${(socks.address() as net.AddressInfo).port}`;
    const { client } = openKubeClient({ kubeconfigPath: kubeconfig(`, proxy-url: "${url}"`), env: {}, retries: 0 });
    try {
      expect((await client.get('/version', 'get /version')).status).toBe(200);
      expect(seen).toEqual(['alice:s3cret', `name api.cluster.test:${serverPort}`]);
    } finally {
      client.close();
      await new Promise<void>((r) => socks.close(() => r()));
    }
  });

  it('refuses a proxy-url client-go does not support, naming the file and the cluster', () => {
    const file = kubeconfig(', proxy-url: "socks4://jump:1080"');
    expect(() => loadKubeconfig({ kubeconfigPath: file, env: {} })).toThrow(new ConfigError(`proxy-url of cluster "c" in kubeconfig ${file}: unsupported scheme "socks4", must be http, https or socks5`));
  });
});
