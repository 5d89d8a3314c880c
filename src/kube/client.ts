// The one HTTP client for Kubernetes API servers: the collector's lists and discovery, the
// history store's ConfigMaps and the PolicyReport publisher all go through it. Requests are
// raw HTTP(S) authenticated through client-node's KubeConfig (inline tokens, client
// certificates, auth-provider plugins such as OIDC) and credentials.ts (token-files, exec
// plugins), through the proxy proxy.ts chooses; bodies stay raw JSON (client-node's typed
// models would turn timestamps into Date objects and cost a second copy of every list).
// Secrets are refused before anything is sent, whatever the verb.

import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';
import type { KubeConfig } from '@kubernetes/client-node';
import { ClusterError, errorMessage, redactUrlCredentials } from '../base/errors.ts';
import { TOOL_VERSION } from '../base/version.ts';
import { oneLine } from '../base/plain-text.ts';
import { NotJson, SnapshotDocumentParser } from '../base/stream-parse.ts';
import { Credentials, type SentCredentials } from './credentials.ts';
import { CredentialError, loadKubeconfig, type KubeconfigOptions, type ResolvedKubeconfig } from './kubeconfig.ts';
import { HttpProxyAgent, HttpsProxyAgent, proxyForServer } from './proxy.ts';
import { DEFAULT_RETRY, retryable, retryDelay, type RetryPolicy } from './retry.ts';
import { TransportError } from './transport-error.ts';

export interface KubeResponse {
  status: number;
  /** Parsed JSON body (undefined when empty, not JSON, or an error answer's past 64 KiB). */
  body: unknown;
  retryAfterMs?: number;
}

export { TransportError } from './transport-error.ts';

/** The API server did not answer at all (refused, unresolvable, TLS failure, timeout). */
export class ApiUnreachableError extends ClusterError {
  readonly server: string;
  readonly reason: string;
  constructor(server: string, reason: string) {
    super(`cannot reach API server at ${server}: ${reason}`);
    this.name = 'ApiUnreachableError';
    this.server = redactUrlCredentials(server);
    this.reason = reason;
  }
}

/**
 * The caller abandoned the work (serve at SIGTERM), or its deadline passed (the live
 * collection's, which says so in `message`); no more requests are sent.
 */
export class CollectionAborted extends Error {
  constructor(message = 'collection aborted') {
    super(message);
    this.name = 'CollectionAborted';
  }
}

/** A request the API server answered with an error status (for the callers that throw on one). */
export class KubeApiError extends Error {
  readonly status: number;
  constructor(response: KubeResponse) {
    super(statusMessage(response));
    this.name = 'KubeApiError';
    this.status = response.status;
  }
}

// The Secrets resource itself (cluster-wide or in a namespace), not a namespace or ConfigMap named "secrets".
const SECRETS_PATH = /^\/api\/v1\/(?:namespaces\/[^/]+\/)?secrets(?:[/?]|$)/;

const MiB = 1024 * 1024;
/**
 * The longest watch event line, or object of a list page, that is read. etcd refuses a value
 * over 1.5 MiB (its default --max-request-bytes); as JSON that is at most some 9 MiB even if
 * every byte became a six-character \u escape, and a cluster may raise etcd's limit a few
 * times over. Past 64 MiB it is no object the cluster can hold but a stream that never ends
 * it (a broken server or proxy), which would otherwise grow memory until the process dies.
 */
const MAX_OBJECT_BYTES = 64 * MiB;
/**
 * A list page may take this long per object asked for (`limit`), if longer than the request
 * timeout: 100 s for a page of 500, time for 500 history ConfigMaps of up to 1 MiB each at
 * 5 MiB/s, or 500 large pods at far less.
 */
const LIST_MS_PER_OBJECT = 200;
/** A list page: every list ztaudit sends asks for a page of at most `limit` objects. */
const LIST_PAGE = /[?&]limit=(\d+)/;
/** An error answer's body is a Status of a few hundred bytes: a longer one is not read on. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/**
 * "HTTP 403: <the server's message>", on one line: the message is the server's text (an
 * admission webhook's, a proxy's), and its line breaks and control characters would forge
 * lines in a terminal or log (they are escaped, src/base/plain-text.ts).
 */
export function statusMessage(r: KubeResponse): string {
  const body = r.body as { message?: unknown } | undefined;
  const message = typeof body?.message === 'string' ? oneLine(body.message) : '';
  return `HTTP ${r.status}${message ? `: ${message}` : ''}`;
}

/**
 * The detail of a 403: what was refused, and the server's reason when it is not the authorizer's
 * usual "… cannot list resource …" (an aggregated API server such as Calico's refuses with its
 * own: "operation on Calico tiered policy is forbidden" means a tier permission, not the list).
 */
export function forbiddenDetail(refused: string, r: KubeResponse): string {
  const body = r.body as { message?: unknown } | undefined;
  const message = typeof body?.message === 'string' ? oneLine(body.message) : '';
  return message && !/ cannot [a-z]+ resource /.test(message) ? `${refused} (the server says: ${message})` : refused;
}

/**
 * One line for a request that got no HTTP answer (a TransportError says it itself, timeout
 * included). Escaped as statusMessage is: a TLS error quotes the server's certificate.
 */
export function describeTransportError(error: unknown): string {
  if (error instanceof TransportError) return oneLine(error.message);
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `host not found (${String(code)})`;
  if (code === 'ECONNRESET') return 'connection reset';
  const message = errorMessage(error);
  return oneLine(typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message);
}

function parseRetryAfter(value: string | string[] | undefined): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  const seconds = Number(v);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** 300 ms, 10 s, 1.5 s. */
function duration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Number((ms / 1000).toFixed(1))} s`;
}

/** A digest of an agent's TLS settings: the agent is made again when it changes. */
function tlsKey(o: https.AgentOptions): string {
  const hash = createHash('sha256');
  for (const part of [o.ca, o.cert, o.key, o.pfx, o.passphrase, o.servername, o.rejectUnauthorized]) {
    for (const p of Array.isArray(part) ? part : [part]) {
      const v = p === undefined ? '' : typeof p === 'string' || Buffer.isBuffer(p) ? p : JSON.stringify(p);
      hash.update(typeof v === 'string' ? `s${v.length}:` : `b${v.length}:`).update(v);
    }
    hash.update('|');
  }
  return hash.digest('base64');
}

/** Waits, but not past an abort (serve at SIGTERM): the caller then stops. */
function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', done);
      clearTimeout(timer);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export interface KubeClientOptions {
  /**
   * Per-request timeout, default 10 s: for silence (no byte), and for the whole answer of one
   * attempt (a list page: 0.2 s per object asked for, when longer).
   */
  timeoutMs?: number;
  /** Observes every request sent (method, path with query). */
  onRequest?: (method: string, path: string) => void;
  /** At most this many retries (default 8), the first backoff (500 ms), the time budget per request (30 s); see retry.ts. */
  retries?: number;
  retryBaseDelayMs?: number;
  retryBudgetMs?: number;
  /** Connections kept open to the server; default 4. */
  maxSockets?: number;
  /**
   * Aborts: in-flight requests are destroyed, no retry waits on, no new request is sent; they
   * reject with the signal's reason when it is a CollectionAborted (a deadline naming itself),
   * else with a plain one.
   */
  signal?: AbortSignal;
  /** How long a kubeconfig user's exec credential plugin may run; default 30 s. */
  execTimeoutMs?: number;
}

export interface RequestOptions {
  /** JSON body (serialised here). */
  body?: unknown;
  /** Content-Type of the body; default application/json. */
  contentType?: string;
  /** Epoch ms bounding the whole attempt sequence. */
  deadline?: number;
  /**
   * For a list (`{"kind":"…List","items":[…]}`): a 200 body is parsed object by object as its
   * bytes arrive and each item goes through this (the collector slims it), so neither the page's
   * text nor its whole objects are held; the body's `items` are what it returned (undefined
   * left out). An object past 64 MiB rejects the request. Other statuses are read as without it.
   */
  items?: (item: unknown) => unknown;
  /** The Accept header; default application/json. */
  accept?: string;
}

const IDEMPOTENT = new Set(['GET', 'DELETE', 'PATCH']);

export class KubeClient {
  readonly server: string;
  readonly timeoutMs: number;
  /** Non-fatal notes (retries that succeeded), for the snapshot. */
  readonly notes: string[] = [];
  private readonly kc: KubeConfig;
  private readonly credentials: Credentials;
  private readonly onRequest?: (method: string, path: string) => void;
  private readonly retry: RetryPolicy;
  private readonly maxSockets: number;
  private readonly signal?: AbortSignal;
  private agent?: http.Agent;
  /** What the agent's TLS settings were made of (tlsKey). */
  private agentKey?: string;
  /** The kubeconfig's proxy-url, else the environment's proxy for the server (proxy.ts). */
  private readonly proxy?: URL;
  /**
   * When the server stopped answering (epoch ms), until any answer arrives: the retry budget
   * is spent once per outage, not once per request, so a server that stays down fails the
   * remaining requests quickly instead of each of them waiting out a budget of its own.
   */
  private downSince: number | null = null;
  /** The kubeconfig file(s) read, for an error naming a file or key of theirs. */
  private readonly sources: readonly string[];

  constructor(resolved: Pick<ResolvedKubeconfig, 'kc' | 'server' | 'user' | 'env'> & Partial<Pick<ResolvedKubeconfig, 'sources'>>, o: KubeClientOptions = {}) {
    this.kc = resolved.kc;
    this.sources = resolved.sources ?? [];
    this.server = resolved.server;
    this.credentials = new Credentials(resolved.kc, resolved.user, { server: resolved.server, env: resolved.env, ...(o.execTimeoutMs ? { execTimeoutMs: o.execTimeoutMs } : {}) });
    this.proxy = proxyForServer(new URL(resolved.server), resolved.kc.getCurrentCluster()?.proxyUrl, resolved.env);
    this.timeoutMs = o.timeoutMs ?? 10_000;
    this.onRequest = o.onRequest;
    this.retry = { retries: o.retries ?? DEFAULT_RETRY.retries, baseDelayMs: o.retryBaseDelayMs ?? DEFAULT_RETRY.baseDelayMs, budgetMs: o.retryBudgetMs ?? DEFAULT_RETRY.budgetMs };
    this.maxSockets = o.maxSockets ?? 4;
    this.signal = o.signal;
  }

  /** Options of one request, and the credentials it sends (for a 401). */
  private async requestOptions(): Promise<{ options: https.RequestOptions; sent: SentCredentials }> {
    const opts: https.RequestOptions = { headers: {} };
    try {
      await this.kc.applyToHTTPSOptions(opts);
    } catch (error: unknown) {
      // client-node refuses plain-HTTP servers without skipTLSVerify while building its agent;
      // credentials are already applied by then, and `kubectl proxy` endpoints are plain HTTP.
      if (!this.server.startsWith('http:')) throw this.kubeconfigProblem(error);
    }
    const sent = await this.credentials.apply(opts);
    const proxy = this.proxy;
    if (this.server.startsWith('http:')) {
      this.agent ??= proxy ? new HttpProxyAgent(proxy, this.timeoutMs, { keepAlive: true, maxSockets: this.maxSockets }) : new http.Agent({ keepAlive: true, maxSockets: this.maxSockets });
    } else {
      const tls: https.AgentOptions = {
        ca: opts.ca, cert: opts.cert, key: opts.key, pfx: opts.pfx, passphrase: opts.passphrase,
        servername: opts.servername,
        ...(opts.rejectUnauthorized !== undefined ? { rejectUnauthorized: opts.rejectUnauthorized } : {}),
      };
      // The files are read at every request: a certificate or CA rotated on disk, or one an
      // exec plugin handed out anew, makes a new agent. The old one's connections are closed,
      // as client-go closes them when a plugin's certificate rotates (connrotation).
      const key = tlsKey(tls);
      if (key !== this.agentKey) {
        const old = this.agent;
        const options = { keepAlive: true, maxSockets: this.maxSockets, ...tls };
        this.agent = proxy ? new HttpsProxyAgent(proxy, this.timeoutMs, options) : new https.Agent(options);
        this.agentKey = key;
        old?.destroy();
      }
    }
    return { options: { headers: opts.headers, auth: opts.auth }, sent };
  }

  /**
   * A failure to build a request from the kubeconfig (a certificate-authority, client-certificate
   * or client-key file that cannot be read, an auth-provider that fails): the API server was
   * never contacted, so it is a CredentialError naming the file, the cluster or user and the key,
   * as an exec plugin's failure is, not a transport error retried and reported as "cannot reach".
   */
  private kubeconfigProblem(error: unknown): unknown {
    const where = this.sources.length === 0 ? '' : this.sources[0] === 'in-cluster' ? ' (the in-cluster service account)' : ` in kubeconfig ${this.sources.join(', ')}`;
    const cluster = this.kc.getCurrentCluster();
    const user = this.kc.getCurrentUser();
    const file = (error as { path?: unknown } | null)?.path;
    const fsError = typeof (error as { code?: unknown } | null)?.code === 'string' && typeof file === 'string';
    if (fsError) {
      const code = String((error as { code: string }).code);
      const reason = code === 'ENOENT' ? 'no such file (ENOENT)' : code === 'EACCES' || code === 'EPERM' ? `permission denied (${code})` : code === 'EISDIR' ? 'a directory (EISDIR)' : code;
      const named = [
        ['certificate-authority', cluster?.caFile, `cluster ${JSON.stringify(cluster?.name ?? '')}`],
        ['client-certificate', user?.certFile, `user ${JSON.stringify(user?.name ?? '')}`],
        ['client-key', user?.keyFile, `user ${JSON.stringify(user?.name ?? '')}`],
      ].find(([, f]) => f === file);
      if (named) return new CredentialError(`cannot read ${named[0]} ${oneLine(file)} of ${named[2]}${where}: ${reason}`);
      return new CredentialError(`cannot read ${oneLine(file)}, named by the kubeconfig${where}: ${reason}`);
    }
    const provider = user?.authProvider as { name?: unknown } | undefined;
    if (provider) {
      // The provider's error quotes its command's output over several lines: its first line is the reason.
      const first = errorMessage(error).split('\n')[0] ?? '';
      return new CredentialError(`auth-provider ${JSON.stringify(typeof provider.name === 'string' ? provider.name : '')} of user ${JSON.stringify(user?.name ?? '')}${where} failed: ${oneLine(first)}`);
    }
    return error;
  }

  /**
   * How long one attempt may take, answer read whole: the request timeout, and for a list page
   * (`limit=N`) LIST_MS_PER_OBJECT per object asked for when that is longer. The request timeout
   * alone is an idle timeout, which a server sending a byte now and then never meets.
   */
  private attemptMs(path: string): number {
    const limit = LIST_PAGE.exec(path);
    return Math.max(this.timeoutMs, limit ? Number(limit[1]) * LIST_MS_PER_OBJECT : 0);
  }

  /** One attempt; rejects with a transport error when no HTTP response arrives. */
  private async once(method: string, path: string, o: RequestOptions): Promise<KubeResponse> {
    if (SECRETS_PATH.test(path)) throw new Error(`refusing to read Secrets (${path})`);
    if (this.signal?.aborted) throw this.aborted();
    const { options: base, sent } = await this.requestOptions();
    const url = new URL(this.server);
    const basePath = url.pathname.replace(/\/+$/, '');
    this.onRequest?.(method, path);
    const mod = url.protocol === 'http:' ? http : https;
    const payload = o.body === undefined ? undefined : JSON.stringify(o.body);
    const attemptMs = this.attemptMs(path);
    return new Promise<KubeResponse>((resolve, reject) => {
      // Settled once: by the answer, an error, or the attempt's deadline, whichever comes first.
      let settled = false;
      let answered = false;
      const settle = (f: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        f();
      };
      // The idle timeout below catches silence; this bounds an answer that trickles in forever.
      const deadline = setTimeout(() => {
        settle(() => reject(new TransportError('ETIMEDOUT', answered ? `reading the response failed: not complete within ${duration(attemptMs)}` : `no response within ${attemptMs} ms`)));
        req.destroy();
      }, attemptMs);
      const req = mod.request({
        ...base,
        // The agent of now: another request may have rotated it since this one's options were made.
        agent: this.agent,
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port || undefined,
        method,
        path: basePath + path,
        headers: {
          ...(base.headers as Record<string, string>), Accept: o.accept ?? 'application/json', 'Accept-Encoding': 'gzip', 'User-Agent': `ztaudit/${TOOL_VERSION}`,
          ...(payload !== undefined ? { 'Content-Type': o.contentType ?? 'application/json', 'Content-Length': String(Buffer.byteLength(payload)) } : {}),
        },
        timeout: this.timeoutMs,
        ...(this.signal ? { signal: this.signal } : {}),
      }, (res) => {
        answered = true;
        // A body cut off mid-way (reset, idle timeout) must reject: pipe() does not forward the
        // source's errors, and a request that never settles would end the process silently.
        const fail = (why: string, code = 'EBODY') => settle(() => reject(new TransportError(code, `reading the response failed: ${why}`)));
        const gz = res.headers['content-encoding'] === 'gzip';
        const stream = gz ? res.pipe(zlib.createGunzip({ chunkSize: 64 * 1024 })) : res;
        // Stops reading, and inflating what has arrived already.
        const abandon = () => {
          req.destroy();
          if (stream !== res) stream.destroy();
        };
        const status = res.statusCode ?? 0;
        if (status === 401) this.credentials.rejected(sent);
        const ok = status >= 200 && status < 300;
        res.on('error', (e) => fail(errorMessage(e)));
        res.on('aborted', () => fail('the connection closed before the body was complete'));
        res.on('close', () => { if (!res.complete) fail('the connection closed before the body was complete'); });
        stream.on('error', (e) => fail(errorMessage(e)));
        const done = (body: unknown) => settle(() => resolve({ status, body, retryAfterMs: parseRetryAfter(res.headers['retry-after']) }));
        const map = o.items;
        if (map && status === 200) {
          // A list page: each item is parsed and mapped as soon as its last byte arrives.
          const parser = new SnapshotDocumentParser((_kind, item) => map(item), 'items');
          let malformed = false;
          stream.on('data', (c: Buffer) => {
            if (malformed || settled) return;
            try {
              parser.push(c);
            } catch (error: unknown) {
              if (!(error instanceof NotJson)) return fail(errorMessage(error));
              malformed = true;
            }
            if (parser.held > MAX_OBJECT_BYTES) {
              fail(`an object in the list is longer than ${MAX_OBJECT_BYTES / MiB} MiB, more than any object an API server stores (a broken stream?)`, 'ETOOLARGE');
              abandon();
            }
          });
          stream.on('end', () => {
            if (settled) return;
            let doc: Record<string, unknown>;
            try {
              if (malformed) throw new NotJson();
              doc = parser.end();
            } catch (error: unknown) {
              return fail(error instanceof NotJson ? 'the body is not valid JSON (truncated?)' : errorMessage(error));
            }
            if (Array.isArray(doc.items) && doc.items.includes(undefined)) doc.items = doc.items.filter((i) => i !== undefined);
            done(doc);
          });
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        // An answer read whole is one object (every list is read item by item, `items`), no
        // longer than any object an API server stores; counted after gunzip, where a small
        // answer on the wire can grow a thousand times. Unbounded, a page of large objects read
        // whole grew past the longest string V8 makes, and the process died.
        stream.on('data', (c: Buffer) => {
          if (settled) return;
          size += c.length;
          if (ok && size > MAX_OBJECT_BYTES) {
            chunks.length = 0;
            fail(`the answer to ${oneLine(path.split('?')[0]!)} is longer than ${MAX_OBJECT_BYTES / MiB} MiB, more than any object an API server stores (a broken stream?)`, 'ETOOLARGE');
            abandon();
            return;
          }
          if (ok || size <= MAX_ERROR_BODY_BYTES) return void chunks.push(c);
          // Not a Status: the answer is its status alone, at once (the rest may never end).
          chunks.length = 0;
          done(undefined);
          req.destroy();
        });
        stream.on('end', () => {
          if (settled) return;
          let text: string;
          try {
            text = Buffer.concat(chunks).toString('utf8');
          } catch (error: unknown) {
            // Thrown from a stream's event it would escape as an uncaught exception: the request fails instead.
            return fail(errorMessage(error));
          } finally {
            chunks.length = 0;
          }
          let body: unknown;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            if (ok) return fail('the body is not valid JSON (truncated?)');
            body = undefined;
          }
          done(body);
        });
      });
      req.on('timeout', () => req.destroy(new TransportError('ETIMEDOUT', `no response within ${this.timeoutMs} ms`)));
      req.on('error', (e) => settle(() => reject(e)));
      req.end(payload);
    });
  }

  /**
   * Sends a request, retrying as retry.ts decides. Resolves with the last HTTP response
   * (whatever its status), or rejects with the last transport error.
   */
  async request(method: string, path: string, what: string, o: RequestOptions = {}): Promise<KubeResponse> {
    const idempotent = IDEMPOTENT.has(method);
    const started = Date.now();
    let last: KubeResponse | { error: unknown };
    let attempt = 0;
    for (; ; attempt++) {
      const tried = Date.now();
      try {
        const r = await this.once(method, path, o);
        this.downSince = null;
        if (!retryable(r, idempotent)) {
          if (attempt > 0) this.notes.push(`${what}: succeeded after ${attempt} retr${attempt === 1 ? 'y' : 'ies'}`);
          return r;
        }
        last = r;
      } catch (error: unknown) {
        if (error instanceof CredentialError || (error instanceof Error && error.message.startsWith('refusing to read Secrets'))) throw error;
        if (this.signal?.aborted) throw this.aborted();
        last = { error };
        if (!retryable(last, idempotent)) break;
        this.downSince ??= tried;
      }
      const wait = retryDelay(this.retry, attempt + 1, last, Date.now() - Math.min(started, this.downSince ?? started));
      if (wait === undefined || (o.deadline !== undefined && Date.now() + wait >= o.deadline)) break;
      await abortableSleep(wait, this.signal);
      if (this.signal?.aborted) throw this.aborted();
    }
    if ('status' in last) return last;
    if (attempt === 0) throw last.error;
    // Say that it was not one blip: how often and for how long it was tried.
    const code = (last.error as { code?: unknown } | null)?.code;
    const reason = describeTransportError(last.error);
    const elapsedMs = Date.now() - started;
    throw new TransportError(typeof code === 'string' ? code : 'EFAILED', `${reason} (${attempt + 1} attempts over ${(elapsedMs / 1000).toFixed(1)} s)`, { reason, attempts: attempt + 1, elapsedMs });
  }

  get(path: string, what: string, deadline?: number): Promise<KubeResponse> {
    return this.request('GET', path, what, deadline === undefined ? {} : { deadline });
  }

  /**
   * One watch request (`?watch=1...`), not retried: each JSON line of the body is handed to
   * `onEvent` as it arrives. Resolves when the server ends the stream (status 200), or with a
   * non-200 answer and its parsed body (undefined past 64 KiB); rejects on a transport error,
   * a broken stream (a line not JSON or past 64 MiB), an error thrown by `onEvent` or
   * `onOpen`, or when no byte arrives for `idleMs` (bookmarks keep a healthy watch talking).
   * `signal` ends it quietly.
   */
  async watch(path: string, onEvent: (event: unknown) => void, idleMs: number, signal?: AbortSignal, onOpen?: (status: number) => void): Promise<KubeResponse> {
    if (SECRETS_PATH.test(path)) throw new Error(`refusing to read Secrets (${path})`);
    const { options: base, sent } = await this.requestOptions();
    const url = new URL(this.server);
    const basePath = url.pathname.replace(/\/+$/, '');
    this.onRequest?.('GET', path);
    const mod = url.protocol === 'http:' ? http : https;
    const abort = signal ? AbortSignal.any([signal, ...(this.signal ? [this.signal] : [])]) : this.signal;
    return new Promise<KubeResponse>((resolve, reject) => {
      let settled = false;
      const done = (f: () => void) => { if (!settled) { settled = true; f(); } };
      const req = mod.request({
        ...base, agent: this.agent, protocol: url.protocol, hostname: url.hostname.replace(/^\[|\]$/g, ''), port: url.port || undefined,
        method: 'GET', path: basePath + path,
        headers: { ...(base.headers as Record<string, string>), Accept: 'application/json', 'User-Agent': `ztaudit/${TOOL_VERSION}` },
        timeout: idleMs,
        ...(abort ? { signal: abort } : {}),
      }, (res) => {
        const status = res.statusCode ?? 0;
        if (status === 401) this.credentials.rejected(sent);
        // Ends the watch with `error`. Settled here, not by req.destroy(error): once the whole
        // answer has arrived, the error given to destroy() is never emitted and the watch
        // resolved as if it had ended well.
        const fail = (error: unknown) => {
          done(() => reject(error instanceof Error ? error : new Error(String(error))));
          req.destroy();
        };
        // A handler that throws ends the watch with its error (thrown from a socket's event, it
        // escaped as an uncaught exception).
        try {
          onOpen?.(status);
        } catch (error: unknown) {
          fail(error);
          return;
        }
        // The line read so far, in the pieces it arrived in. Only each new chunk is searched for
        // the line break, so an event of n bytes costs O(n) however many chunks carry it (the
        // whole text searched again per chunk cost a 32 MiB event 20 s of CPU).
        const pieces: Buffer[] = [];
        let held = 0;
        /** Hands one line to `onEvent`; false when the watch was ended instead. */
        const deliver = (line: Buffer): boolean => {
          const text = line.toString('utf8').trim();
          if (!text) return true;
          let event: unknown;
          try {
            event = JSON.parse(text);
          } catch {
            fail(new TransportError('EBODY', 'a watch event is not valid JSON'));
            return false;
          }
          try {
            onEvent(event);
          } catch (error: unknown) {
            fail(error);
            return false;
          }
          return true;
        };
        const tooLong = () => {
          pieces.length = 0;
          fail(new TransportError('ETOOLARGE', `a watch event is longer than ${MAX_OBJECT_BYTES / MiB} MiB, more than any object an API server stores (a broken stream?)`));
        };
        res.on('data', (chunk: Buffer) => {
          if (settled) return;
          if (status !== 200) {
            held += chunk.length;
            if (held <= MAX_ERROR_BODY_BYTES) return void pieces.push(chunk);
            // Not a Status: the answer is its status alone, at once (the rest may never end).
            pieces.length = 0;
            done(() => resolve({ status, body: undefined }));
            req.destroy();
            return;
          }
          let from = 0;
          for (let nl = chunk.indexOf(0x0a); nl >= 0; nl = chunk.indexOf(0x0a, from)) {
            const end = chunk.subarray(from, nl);
            from = nl + 1;
            if (held + end.length > MAX_OBJECT_BYTES) return tooLong();
            pieces.push(end);
            const line = pieces.length === 1 ? end : Buffer.concat(pieces, held + end.length);
            pieces.length = 0;
            held = 0;
            if (!deliver(line)) return;
          }
          if (from === chunk.length) return;
          held += chunk.length - from;
          if (held > MAX_OBJECT_BYTES) return tooLong();
          pieces.push(from === 0 ? chunk : chunk.subarray(from));
        });
        res.on('end', () => done(() => {
          let body: unknown;
          const text = Buffer.concat(pieces, held).toString('utf8').trim();
          try { body = text ? JSON.parse(text) : undefined; } catch { body = undefined; }
          resolve({ status, body });
        }));
        res.on('error', (e) => done(() => (abort?.aborted ? resolve({ status: 0, body: undefined }) : reject(new TransportError('EBODY', errorMessage(e))))));
        res.on('aborted', () => done(() => (abort?.aborted ? resolve({ status: 0, body: undefined }) : reject(new TransportError('EBODY', 'the watch connection closed')))));
      });
      req.on('timeout', () => req.destroy(new TransportError('ETIMEDOUT', `no event or bookmark within ${Math.round(idleMs / 1000)} s`)));
      req.on('error', (e) => done(() => (abort?.aborted ? resolve({ status: 0, body: undefined }) : reject(e))));
      req.end();
    });
  }

  /** What a request the signal stopped rejects with (KubeClientOptions.signal). */
  private aborted(): CollectionAborted {
    const reason: unknown = this.signal?.reason;
    return reason instanceof CollectionAborted ? reason : new CollectionAborted();
  }

  /** How long one outage is retried for (RetryPolicy.budgetMs). */
  get retryBudgetMs(): number {
    return this.retry.budgetMs ?? DEFAULT_RETRY.budgetMs;
  }

  close(): void {
    this.agent?.destroy();
  }
}

/** The client for the kubeconfig (and context) the options name, and what was resolved. */
export function openKubeClient(options: KubeconfigOptions & KubeClientOptions = {}): { client: KubeClient; resolved: ResolvedKubeconfig } {
  const resolved = loadKubeconfig(options);
  return { client: new KubeClient(resolved, options), resolved };
}
