// Which proxy the API server is reached through, and the tunnel through it. As client-go: the
// cluster's proxy-url in the kubeconfig, else the environment's proxy for the server's scheme
// (HTTPS_PROXY or HTTP_PROXY, NO_PROXY), read as Go's net/http reads it
// (golang.org/x/net/http/httpproxy, behind http.ProxyFromEnvironment). The connection is a
// tunnel: HTTP CONNECT through an http:// or https:// proxy (for http:// servers too, where Go
// would send the request itself to the proxy), or SOCKS5 (names resolved by the proxy).

import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { domainToASCII } from 'node:url';
import ipaddr from 'ipaddr.js';
import { TransportError } from './transport-error.ts';

const PROXY_SCHEMES = ['http:', 'https:', 'socks5:'];
const DEFAULT_PORT: Record<string, number> = { 'http:': 80, 'https:': 443, 'socks5:': 1080, 'socks5h:': 1080 };

/** The first of the names that is set and not empty (Go's getEnvAny). */
function envAny(env: Record<string, string | undefined>, ...names: string[]): string {
  for (const n of names) if (env[n]) return env[n];
  return '';
}

/** Go's parseProxy: a URL of scheme http, https or socks5, else the value read as http://VALUE; undefined when unset or unusable. */
export function parseEnvProxy(value: string): URL | undefined {
  if (!value) return undefined;
  const parse = (t: string) => {
    try {
      return new URL(t);
    } catch {
      return undefined;
    }
  };
  const u = parse(value);
  if (u && PROXY_SCHEMES.includes(u.protocol)) return u;
  return parse(`http://${value}`) ?? u;
}

/** The host of a URL without brackets and a port, the port or the scheme's. */
function hostPort(u: URL): { host: string; port: number } {
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port ? Number(u.port) : DEFAULT_PORT[u.protocol] ?? 0 };
}

const ip = (text: string) => {
  try {
    return ipaddr.process(text);
  } catch {
    return undefined;
  }
};

/**
 * Whether a request to host:port goes through the proxy by NO_PROXY, as Go's httpproxy decides
 * (useProxy): never for localhost or a loopback address; not when an entry matches, an entry
 * being `*` (everything), an IP or CIDR, an IP with a port, or a domain, with or without a port:
 * `example.com` matches it and its subdomains, `.example.com` and `*.example.com` only the
 * subdomains.
 */
export function useProxy(host: string, port: number, noProxy: string): boolean {
  host = host.toLowerCase();
  if (host === 'localhost') return false;
  const hostIp = ip(host);
  if (hostIp && hostIp.range() === 'loopback') return false;
  for (let entry of noProxy.split(',')) {
    entry = entry.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return false;
    if (entry.includes('/')) {
      let cidr: [ipaddr.IPv4 | ipaddr.IPv6, number] | undefined;
      try {
        cidr = ipaddr.parseCIDR(entry);
      } catch {
        cidr = undefined;
      }
      if (cidr) {
        if (hostIp && hostIp.kind() === cidr[0].kind() && hostIp.match(cidr)) return false;
        continue;
      }
    }
    // host:port and [v6]:port as Go's net.SplitHostPort splits them (one colon, or brackets).
    let entryHost = entry;
    let entryPort = '';
    const bracketed = /^\[([^\]]*)\]:(\d*)$/.exec(entry);
    if (bracketed) [, entryHost = '', entryPort = ''] = bracketed;
    else if (entry.indexOf(':') > 0 && entry.indexOf(':') === entry.lastIndexOf(':')) [entryHost = '', entryPort = ''] = entry.split(':');
    if (!entryHost) continue;
    const portMatches = entryPort === '' || entryPort === String(port);
    const entryIp = ip(entryHost);
    if (entryIp) {
      if (hostIp && entryIp.kind() === hostIp.kind() && entryIp.toNormalizedString() === hostIp.toNormalizedString() && portMatches) return false;
      continue;
    }
    if (entryHost.startsWith('*.')) entryHost = entryHost.slice(1);
    const exact = !entryHost.startsWith('.');
    // As the server's host in a URL: an internationalized name in its ASCII form.
    entryHost = `${exact ? '' : '.'}${domainToASCII(exact ? entryHost : entryHost.slice(1)) || (exact ? entryHost : entryHost.slice(1))}`;
    const suffix = exact ? `.${entryHost}` : entryHost;
    if ((host.endsWith(suffix) || (exact && host === entryHost)) && portMatches) return false;
  }
  return true;
}

/** The proxy for `server`: the kubeconfig's proxy-url, else the environment's (undefined: none). */
export function proxyForServer(server: URL, proxyUrl: string | undefined, env: Record<string, string | undefined>): URL | undefined {
  if (proxyUrl) return new URL(proxyUrl);
  const value = server.protocol === 'https:' ? envAny(env, 'HTTPS_PROXY', 'https_proxy') : server.protocol === 'http:' ? envAny(env, 'HTTP_PROXY', 'http_proxy') : '';
  const proxy = parseEnvProxy(value);
  if (!proxy) return undefined;
  const { host, port } = hostPort(server);
  return useProxy(host, port, envAny(env, 'NO_PROXY', 'no_proxy')) ? proxy : undefined;
}

/** Why a kubeconfig's proxy-url cannot be used (client-go accepts http, https and socks5), or null. */
export function proxyUrlProblem(text: string): string | null {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return 'not a URL';
  }
  if (![...PROXY_SCHEMES, 'socks5h:'].includes(u.protocol)) return `unsupported scheme "${u.protocol.slice(0, -1)}", must be http, https or socks5`;
  if (!u.hostname) return 'no host';
  return null;
}

/** The proxy as it may be shown: scheme, host and port, never credentials. */
export function proxyLabel(proxy: URL): string {
  return `${proxy.protocol}//${proxy.host}`;
}

/**
 * Reads from `socket` until `enough` says how many bytes make the answer; the rest is put back
 * and the socket paused, for the next reader (the next step of the handshake, or the request).
 */
function readAnswer(socket: Duplex, enough: (data: Buffer) => number | undefined, onData: (answer: Buffer) => void, onError: (e: Error) => void): void {
  let data = Buffer.alloc(0);
  const onChunk = (chunk: Buffer) => {
    data = Buffer.concat([data, chunk]);
    let n: number | undefined;
    try {
      n = enough(data);
    } catch (error: unknown) {
      cleanup();
      return onError(error instanceof Error ? error : new Error(String(error)));
    }
    if (n === undefined) return;
    cleanup();
    if (data.length > n) socket.unshift(data.subarray(n));
    onData(data.subarray(0, n));
  };
  const onEnd = () => {
    cleanup();
    onError(new Error('the proxy closed the connection'));
  };
  const cleanup = () => {
    socket.off('data', onChunk);
    socket.off('end', onEnd);
    socket.pause();
  };
  socket.on('data', onChunk);
  socket.on('end', onEnd);
  socket.resume();
}

const SOCKS_REPLIES: Record<number, string> = {
  1: 'general failure', 2: 'connection not allowed by ruleset', 3: 'network unreachable', 4: 'host unreachable',
  5: 'connection refused', 6: 'TTL expired', 7: 'command not supported', 8: 'address type not supported',
};

/**
 * A connection to host:port through `proxy`, ready for the request (or its TLS handshake);
 * rejects within `timeoutMs` with a TransportError naming the proxy (without its credentials).
 */
export function openTunnel(proxy: URL, host: string, port: number, timeoutMs: number): Promise<Duplex> {
  const label = proxyLabel(proxy);
  const target = `${net.isIPv6(host) ? `[${host}]` : host}:${port}`;
  const p = hostPort(proxy);
  const user = decodeURIComponent(proxy.username);
  const password = decodeURIComponent(proxy.password);
  return new Promise<Duplex>((resolve, reject) => {
    let settled = false;
    const socket: Duplex = proxy.protocol === 'https:'
      ? tls.connect({ host: p.host, port: p.port, ...(net.isIP(p.host) ? {} : { servername: p.host }), ALPNProtocols: ['http/1.1'] })
      : net.connect({ host: p.host, port: p.port });
    const fail = (code: string, why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      reject(new TransportError(code, why));
    };
    const done = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.off('error', onError);
      // Left paused: bytes after the proxy's answer (an SMTP server's greeting, which comes
      // first) wait for whoever reads next; an agent resumes it (tunnelled), nodemailer itself.
      resolve(socket);
    };
    const timer = setTimeout(() => fail('ETIMEDOUT', `no tunnel through proxy ${label} to ${target} within ${Math.round(timeoutMs / 1000)} s`), timeoutMs);
    const onError = (e: NodeJS.ErrnoException) => fail(e.code ?? 'EPROXY', `proxy ${label}: ${e.code === 'ECONNREFUSED' ? 'connection refused' : e.message}`);
    socket.on('error', onError);
    const refused = (why: string, retry = false) => fail(retry ? 'EPROXYUNAVAILABLE' : 'EPROXY', `proxy ${label} refused a tunnel to ${target}: ${why}`);
    const ready = proxy.protocol === 'https:' ? 'secureConnect' : 'connect';
    socket.once(ready, () => {
      if (proxy.protocol === 'http:' || proxy.protocol === 'https:') {
        const auth = proxy.username || proxy.password ? `Proxy-Authorization: Basic ${Buffer.from(`${user}:${password}`).toString('base64')}\r\n` : '';
        socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${auth}\r\n`);
        readAnswer(socket, (data) => {
          const end = data.indexOf('\r\n\r\n');
          if (end < 0) {
            if (data.length > 16 * 1024) throw new Error('the answer to CONNECT has no end of headers');
            return undefined;
          }
          return end + 4;
        }, (answer) => {
          const status = /^HTTP\/1\.[01] (\d{3})([^\r\n]*)/.exec(answer.toString('latin1'));
          if (!status) return refused('the answer to CONNECT is not HTTP');
          // As Go's transport: only 200 opens the tunnel. A proxy that cannot reach the server now (502-504) may later.
          if (status[1] !== '200') return refused(`HTTP ${status[1]}${status[2] ? ` ${status[2].trim()}` : ''}`.replace(/[^\x20-\x7e]/g, '?'), ['502', '503', '504'].includes(status[1]!));
          done();
        }, (e) => refused(e.message));
        return;
      }
      // SOCKS5 (RFC 1928), with username and password (RFC 1929) when the URL has them.
      const methods = proxy.username || proxy.password ? [0x00, 0x02] : [0x00];
      socket.write(Buffer.from([0x05, methods.length, ...methods]));
      const connect = () => {
        const hostIp = ip(host);
        const address = hostIp?.kind() === 'ipv4' ? Buffer.from([0x01, ...hostIp.toByteArray()])
          : hostIp ? Buffer.from([0x04, ...hostIp.toByteArray()])
          : Buffer.concat([Buffer.from([0x03, Buffer.byteLength(host)]), Buffer.from(host)]);
        socket.write(Buffer.concat([Buffer.from([0x05, 0x01, 0x00]), address, Buffer.from([port >> 8, port & 0xff])]));
        readAnswer(socket, (d) => {
          if (d.length < 5) return undefined;
          const len = d[3] === 0x01 ? 4 : d[3] === 0x04 ? 16 : d[3] === 0x03 ? 1 + d[4]! : -1;
          if (len < 0) throw new Error('the SOCKS answer has an unknown address type');
          return d.length >= 4 + len + 2 ? 4 + len + 2 : undefined;
        }, (d) => (d[1] === 0x00 ? done() : refused(`SOCKS reply ${d[1]} (${SOCKS_REPLIES[d[1]!] ?? 'unknown'})`, d[1] === 0x01 || d[1] === 0x03 || d[1] === 0x04)), (e) => refused(e.message));
      };
      readAnswer(socket, (d) => (d.length >= 2 ? 2 : undefined), (d) => {
        if (d[0] !== 0x05) return refused('not a SOCKS5 proxy');
        if (d[1] === 0x00) return connect();
        if (d[1] !== 0x02 || methods.length === 1) return refused('no authentication method it accepts');
        socket.write(Buffer.concat([Buffer.from([0x01, Buffer.byteLength(user)]), Buffer.from(user), Buffer.from([Buffer.byteLength(password)]), Buffer.from(password)]));
        readAnswer(socket, (a) => (a.length >= 2 ? 2 : undefined), (a) => (a[1] === 0x00 ? connect() : refused('the username or password was not accepted')), (e) => refused(e.message));
      }, (e) => refused(e.message));
    });
  });
}

/**
 * An agent's createConnection over a tunnel through `proxy` to the request's host and port:
 * `over` makes the stream the request is sent on from the tunnel's socket. Answers through
 * `callback` once the tunnel is open (undefined now).
 */
function tunnelled(proxy: URL, connectTimeoutMs: number, options: http.ClientRequestArgs, callback: ((err: Error | null, stream: Duplex) => void) | undefined, over: (socket: Duplex) => Duplex): undefined {
  openTunnel(proxy, String(options.host ?? '').replace(/^\[|\]$/g, ''), Number(options.port), connectTimeoutMs).then(
    // Flowing again for the HTTP client (it does not resume a paused socket); nothing is lost:
    // an HTTP or TLS server speaks only after the request or the TLS hello.
    (socket) => callback?.(null, over(socket.resume())),
    (error: unknown) => callback?.(error as Error, undefined as unknown as Duplex),
  );
  return undefined;
}

/** An HTTPS agent whose connections are tunnels through `proxy`. */
export class HttpsProxyAgent extends https.Agent {
  private readonly proxy: URL;
  private readonly connectTimeoutMs: number;

  constructor(proxy: URL, connectTimeoutMs: number, options: https.AgentOptions) {
    super(options);
    this.proxy = proxy;
    this.connectTimeoutMs = connectTimeoutMs;
  }

  override createConnection(options: http.ClientRequestArgs, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    // The TLS handshake with the API server, over the tunnel, with the agent's TLS settings.
    return tunnelled(this.proxy, this.connectTimeoutMs, options, callback, (socket) => super.createConnection({ ...options, socket } as http.ClientRequestArgs) as Duplex);
  }
}

/** An HTTP agent whose connections are tunnels through `proxy`. */
export class HttpProxyAgent extends http.Agent {
  private readonly proxy: URL;
  private readonly connectTimeoutMs: number;

  constructor(proxy: URL, connectTimeoutMs: number, options: http.AgentOptions) {
    super(options);
    this.proxy = proxy;
    this.connectTimeoutMs = connectTimeoutMs;
  }

  override createConnection(options: http.ClientRequestArgs, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    return tunnelled(this.proxy, this.connectTimeoutMs, options, callback, (socket) => socket);
  }
}
