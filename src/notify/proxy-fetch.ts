// Slack's requests through the environment's proxy, with the rules the API server's client
// follows (kube/proxy.ts: HTTPS_PROXY for https://, HTTP_PROXY for http://, NO_PROXY, never
// localhost or loopback) and its tunnel (CONNECT, or SOCKS5). Node's fetch honours the
// variables only with NODE_USE_ENV_PROXY=1 or --use-env-proxy, from Node 22.21/24.5 on, and for
// the whole process; its undici dispatcher cannot be imported. So a request that goes through a
// proxy is sent here with node:https over a tunnel, and its answer handed back as a fetch
// Response; the others go to the global fetch as before. The Slack SDK never follows a
// redirect (redirect: 'error'), so none is followed here.
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { HttpProxyAgent, HttpsProxyAgent, proxyForServer, proxyLabel } from '../kube/proxy.ts';
import { TransportError } from '../kube/transport-error.ts';

export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** The fetch for a notifier: through the proxy `env` names for each request's URL, else the global fetch. */
export function fetchVia(env: Record<string, string | undefined> | undefined, connectTimeoutMs: number): Fetch {
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input);
    const proxy = env ? proxyForServer(url, undefined, env) : undefined;
    return proxy ? fetchThrough(proxy, new Request(input, init), connectTimeoutMs) : fetch(input, init);
  };
}

/** Headers as fetch gives them from node:http's. */
function headersOf(raw: http.IncomingHttpHeaders): Headers {
  const out = new Headers();
  for (const [k, v] of Object.entries(raw)) {
    for (const one of Array.isArray(v) ? v : v === undefined ? [] : [v]) out.append(k, one);
  }
  return out;
}

async function fetchThrough(proxy: URL, request: Request, connectTimeoutMs: number): Promise<Response> {
  const { signal } = request;
  signal.throwIfAborted();
  const url = new URL(request.url);
  // Request serialises the body as fetch would (a FormData's multipart boundary included).
  const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
  const headers: Record<string, string> = Object.fromEntries(request.headers);
  if (body) headers['content-length'] = String(body.length);
  const secure = url.protocol === 'https:';
  const agent = secure ? new HttpsProxyAgent(proxy, connectTimeoutMs, {}) : new HttpProxyAgent(proxy, connectTimeoutMs, {});
  return new Promise<Response>((resolve, reject) => {
    const req = (secure ? https : http).request(url, { method: request.method, headers, agent }, (res) => {
      const status = res.statusCode ?? 0;
      const empty = request.method === 'HEAD' || [101, 204, 205, 304].includes(status);
      res.on('close', () => agent.destroy());
      try {
        resolve(new Response(empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), { status, statusText: res.statusMessage ?? '', headers: headersOf(res.headers) }));
      } catch (error: unknown) {
        // A status fetch cannot represent (outside 200-599): failed as fetch fails it, not thrown
        // out of this listener, where it would end the process.
        res.destroy();
        reject(new TypeError('fetch failed', { cause: error }));
      }
    });
    // Whether the request went out: stopped before that (a proxy that never answers the CONNECT),
    // nothing was sent, so it fails as certainly not delivered, not as a request without answer.
    let sent = false;
    req.once('finish', () => {
      sent = true;
    });
    const onAbort = () => {
      req.destroy(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      reject(sent ? signal.reason : new TransportError('ETIMEDOUT', `no connection through proxy ${proxyLabel(proxy)} to ${url.host} before the request was stopped`));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    req.on('close', () => signal.removeEventListener('abort', onAbort));
    req.on('error', (error: Error) => {
      agent.destroy();
      // A tunnel the proxy refused (or never opened) carried no request: said as it is, naming
      // the proxy without its credentials. Anything later fails as fetch fails, with the cause
      // (a connection reset after the request went out may have been posted: slack.ts).
      reject(error instanceof TransportError ? error : new TypeError('fetch failed', { cause: error }));
    });
    req.end(body);
  });
}
