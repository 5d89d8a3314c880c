// Collects a Snapshot from a live cluster with read-only requests. Requests are raw HTTPS
// authenticated through client-node's KubeConfig (tokens, client certs, exec and OIDC
// plugins, proxies), and responses stay raw JSON: client-node's typed models would turn
// timestamps into Date objects and cost a second copy of every list. Every kind in KINDS
// ends with a coverage entry; a kind that could not be read is never an empty list.

import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';
import type { KubeConfig } from '@kubernetes/client-node';
import { ClusterError, errorMessage, redactUrlCredentials } from '../base/errors.ts';
import { SNAPSHOT_SCHEMA_VERSION, type CoverageEntry, type KubeObject, type Snapshot } from '../snapshot/types.ts';
import { KINDS, type KindKey, type KindSpec } from '../snapshot/kinds.ts';
import { loadKubeconfig, type KubeconfigOptions } from './kubeconfig.ts';

export interface ConfigMapRef {
  namespace: string;
  name: string;
}

export interface CollectLiveOptions extends KubeconfigOptions {
  /** Objects per list page (`limit`); default 500. */
  pageSize?: number;
  /** Per-request timeout and the bound on reaching the API server at all; default 10 s. */
  timeoutMs?: number;
  /** Called after each page (and once per kind at the end) with the running count. */
  onProgress?: (kindKey: KindKey, count: number) => void;
  /** ConfigMaps to `get` by name, derived from the workloads listed so far (e.g. TLS settings). */
  configMapRefs?: (partial: Snapshot) => ConfigMapRef[];
  /** Observes every request sent (method, path with query). */
  onRequest?: (method: string, path: string) => void;
  /** Retries for 429, 5xx and timeouts (default 4) and the first backoff delay (default 500 ms). */
  retries?: number;
  retryBaseDelayMs?: number;
  /** Kinds listed at the same time; default 4. */
  concurrency?: number;
  /** Aborts the collection (serve at SIGTERM): in-flight requests are destroyed, no new ones sent. */
  signal?: AbortSignal;
}

/** Mesh configuration read on every run, whatever the workloads reference. */
export const ALWAYS_READ_CONFIGMAPS: readonly ConfigMapRef[] = [
  { namespace: 'istio-system', name: 'istio' },
  { namespace: 'linkerd', name: 'linkerd-config' },
];

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

interface ApiResponse {
  status: number;
  /** Parsed JSON body (undefined when empty or not JSON). */
  body: unknown;
  retryAfterMs?: number;
}

class TransportError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
/** Transport failures worth another try; refused connections, DNS and TLS failures are not transient. */
const RETRYABLE_TRANSPORT = new Set(['ETIMEDOUT', 'ECONNRESET', 'EPIPE', 'EBODY', 'ECONNABORTED']);

function isRetryableTransport(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return RETRYABLE_TRANSPORT.has(code);
  return error instanceof Error && error.message === 'socket hang up';
}
// The Secrets resource itself (cluster-wide or in a namespace), not a namespace or ConfigMap named "secrets".
const SECRETS_PATH = /^\/api\/v1\/(?:namespaces\/[^/]+\/)?secrets(?:[/?]|$)/;

function describeTransportError(error: unknown, timeoutMs: number): string {
  if (error instanceof TransportError && error.code === 'ETIMEDOUT') return `no response within ${timeoutMs} ms`;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `host not found (${String(code)})`;
  if (code === 'ECONNRESET') return 'connection reset';
  const message = errorMessage(error);
  return typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
}

function parseRetryAfter(value: string | string[] | undefined): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  const seconds = Number(v);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The caller (serve at SIGTERM) abandoned the collection; no more requests are sent. */
export class CollectionAborted extends Error {
  constructor() {
    super('collection aborted');
    this.name = 'CollectionAborted';
  }
}

/** Minimal JSON GET client over the KubeConfig's credentials, with keep-alive and retries. */
class ApiClient {
  readonly server: string;
  private readonly kc: KubeConfig;
  private readonly timeoutMs: number;
  private readonly onRequest?: (method: string, path: string) => void;
  private readonly retries: number;
  private readonly retryBaseDelayMs: number;
  private readonly maxSockets: number;
  private readonly signal?: AbortSignal;
  private agent?: http.Agent;
  readonly notes: string[] = [];

  constructor(kc: KubeConfig, server: string, o: { timeoutMs: number; onRequest?: (m: string, p: string) => void; retries: number; retryBaseDelayMs: number; maxSockets: number; signal?: AbortSignal }) {
    this.kc = kc;
    this.signal = o.signal;
    this.server = server;
    this.timeoutMs = o.timeoutMs;
    this.onRequest = o.onRequest;
    this.retries = o.retries;
    this.retryBaseDelayMs = o.retryBaseDelayMs;
    this.maxSockets = o.maxSockets;
  }

  private async requestOptions(): Promise<https.RequestOptions> {
    const opts: https.RequestOptions = { headers: {} };
    try {
      await this.kc.applyToHTTPSOptions(opts);
    } catch (error: unknown) {
      // client-node refuses plain-HTTP servers without skipTLSVerify while building its agent;
      // credentials are already applied by then, and `kubectl proxy` endpoints are plain HTTP.
      if (!this.server.startsWith('http:')) throw error;
    }
    if (!this.agent) {
      const proxied = Boolean(this.kc.getCurrentCluster()?.proxyUrl);
      if (proxied && opts.agent) this.agent = opts.agent as http.Agent;
      else if (this.server.startsWith('http:')) this.agent = new http.Agent({ keepAlive: true, maxSockets: this.maxSockets });
      else {
        this.agent = new https.Agent({
          keepAlive: true,
          maxSockets: this.maxSockets,
          ca: opts.ca, cert: opts.cert, key: opts.key, pfx: opts.pfx, passphrase: opts.passphrase,
          servername: opts.servername,
          ...(opts.rejectUnauthorized !== undefined ? { rejectUnauthorized: opts.rejectUnauthorized } : {}),
        });
      }
    }
    return { headers: opts.headers, auth: opts.auth, agent: this.agent };
  }

  /** One attempt; rejects with a transport error when no HTTP response arrives. */
  private async once(path: string): Promise<ApiResponse> {
    if (SECRETS_PATH.test(path)) throw new Error(`refusing to read Secrets (${path})`);
    if (this.signal?.aborted) throw new CollectionAborted();
    const base = await this.requestOptions();
    const url = new URL(this.server);
    const basePath = url.pathname.replace(/\/+$/, '');
    this.onRequest?.('GET', path);
    const mod = url.protocol === 'http:' ? http : https;
    return new Promise<ApiResponse>((resolve, reject) => {
      const req = mod.request({
        ...base,
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port || undefined,
        method: 'GET',
        path: basePath + path,
        headers: { ...(base.headers as Record<string, string>), Accept: 'application/json', 'Accept-Encoding': 'gzip', 'User-Agent': 'ztaudit/0.1 (read-only auditor)' },
        timeout: this.timeoutMs,
        ...(this.signal ? { signal: this.signal } : {}),
      }, (res) => {
        // A body cut off mid-way (reset, idle timeout) must reject: pipe() does not forward the
        // source's errors, and a request that never settles would end the process silently.
        let settled = false;
        const fail = (why: string) => {
          if (settled) return;
          settled = true;
          reject(new TransportError('EBODY', `reading the response failed: ${why}`));
        };
        const gz = res.headers['content-encoding'] === 'gzip';
        const stream = gz ? res.pipe(zlib.createGunzip()) : res;
        const chunks: Buffer[] = [];
        res.on('error', (e) => fail(errorMessage(e)));
        res.on('aborted', () => fail('the connection closed before the body was complete'));
        res.on('close', () => { if (!res.complete) fail('the connection closed before the body was complete'); });
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('error', (e) => fail(errorMessage(e)));
        stream.on('end', () => {
          if (settled) return;
          const text = Buffer.concat(chunks).toString('utf8');
          chunks.length = 0;
          let body: unknown;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            const ok = (res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300;
            if (ok) return fail('the body is not valid JSON (truncated?)');
            body = undefined;
          }
          settled = true;
          resolve({ status: res.statusCode ?? 0, body, retryAfterMs: parseRetryAfter(res.headers['retry-after']) });
        });
      });
      req.on('timeout', () => req.destroy(new TransportError('ETIMEDOUT', `no response within ${this.timeoutMs} ms`)));
      req.on('error', reject);
      req.end();
    });
  }

  /**
   * GET with retries on 429/5xx/transport errors (exponential backoff, Retry-After honoured).
   * Resolves with the last HTTP response, or rejects with the last transport error.
   * `deadline` (epoch ms) bounds the whole attempt sequence when given.
   */
  async get(path: string, what: string, deadline?: number): Promise<ApiResponse> {
    let lastError: unknown;
    let last: ApiResponse | undefined;
    for (let attempt = 0; attempt <= this.retries; attempt++) {
      if (attempt > 0) {
        const backoff = Math.min(30_000, this.retryBaseDelayMs * 2 ** (attempt - 1));
        const wait = Math.min(60_000, Math.max(backoff, last?.retryAfterMs ?? 0));
        if (deadline !== undefined && Date.now() + wait >= deadline) break;
        await sleep(wait);
      }
      try {
        last = await this.once(path);
        lastError = undefined;
        if (!RETRYABLE_STATUS.has(last.status)) {
          if (attempt > 0) this.notes.push(`${what}: succeeded after ${attempt} retr${attempt === 1 ? 'y' : 'ies'}`);
          return last;
        }
      } catch (error: unknown) {
        if (error instanceof Error && error.message.startsWith('refusing to read Secrets')) throw error;
        if (this.signal?.aborted) throw new CollectionAborted();
        lastError = error;
        last = undefined;
        if (!isRetryableTransport(error)) break;
      }
      if (deadline !== undefined && Date.now() >= deadline) break;
    }
    if (last) return last;
    throw lastError;
  }

  close(): void {
    this.agent?.destroy();
  }
}

function statusMessage(r: ApiResponse): string {
  const body = r.body as { message?: unknown; reason?: unknown } | undefined;
  const message = typeof body?.message === 'string' ? body.message : '';
  return `HTTP ${r.status}${message ? `: ${message}` : ''}`;
}

function resourceName(spec: KindSpec): string {
  return spec.group ? `${spec.resource}.${spec.group}` : spec.resource;
}

function basePathOf(spec: KindSpec, version: string): string {
  return spec.group ? `/apis/${spec.group}/${version}` : `/api/${version}`;
}

/** One entry of a group version's discovery document (subresources included, e.g. "pods/exec"). */
interface ServedResource {
  name: string;
  namespaced: boolean;
  verbs: string[];
}

type ApiResource = NonNullable<Snapshot['apiResources']>[number];

interface Discovery {
  /** group -> served versions; undefined when discovery itself failed. */
  groups?: Map<string, Set<string>>;
  /** group -> its preferred version, as /apis names it. */
  preferred?: Map<string, string>;
  failure?: CoverageEntry;
  /** "group/version" (core: "/v1") -> its resources, memoised so kinds and apiResources share requests. */
  resources: Map<string, Promise<ServedResource[] | CoverageEntry>>;
}

export async function collectLive(options: CollectLiveOptions = {}): Promise<Snapshot> {
  const resolved = loadKubeconfig(options);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const pageSize = Math.max(1, Math.floor(options.pageSize ?? 500));
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const client = new ApiClient(resolved.kc, resolved.server, {
    timeoutMs,
    onRequest: options.onRequest,
    retries: options.retries ?? 4,
    retryBaseDelayMs: options.retryBaseDelayMs ?? 500,
    maxSockets: concurrency,
    signal: options.signal,
  });
  const collectedAt = new Date().toISOString();
  const snapshot: Snapshot = {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    // Shown in every report and stored in the history: never with credentials in the URL.
    cluster: { name: resolved.contextName || resolved.clusterName, server: redactUrlCredentials(resolved.server) },
    collectedAt,
    source: 'live',
    origin: 'live',
    coverage: {},
    resources: {},
    notes: client.notes,
  };
  try {
    snapshot.cluster.version = await probeServer(client, timeoutMs);
    const discovery = await discover(client);
    const listed = KINDS.filter((k) => !('byNameOnly' in k && k.byNameOnly));
    // Served resources are discovered alongside the lists (the agent bounds the sockets).
    const served = collectApiResources(client, discovery, concurrency);
    await runPool(listed, concurrency, async (spec) => {
      const key = spec.key as KindKey;
      const items: KubeObject[] = [];
      snapshot.resources[key] = items;
      snapshot.coverage[key] = await collectKind(client, spec, discovery, pageSize, items, (n) => options.onProgress?.(key, n));
      if (snapshot.coverage[key]?.status !== 'ok') items.length = 0;
      options.onProgress?.(key, items.length);
    });
    const apiResources = await served;
    if (apiResources) snapshot.apiResources = apiResources;
    if (options.signal?.aborted) throw new CollectionAborted();
    // An API server that refuses or fails every list has not been audited: that is "could
    // not run" (exit 2, alert), never a completed audit with nothing evaluated.
    const builtin = listed.filter((k) => k.builtin);
    if (builtin.every((k) => snapshot.coverage[k.key as KindKey]?.status !== 'ok')) {
      const first = snapshot.coverage[builtin[0].key as KindKey];
      throw new ClusterError(`API server at ${client.server} answered but no kind could be listed (first: ${builtin[0].key}: ${first?.status ?? 'not collected'}${first?.detail ? `, ${first.detail}` : ''}): check the auditor's RBAC binding`);
    }
    await collectConfigMaps(client, snapshot, options, concurrency);
    if (options.signal?.aborted) throw new CollectionAborted();
    return snapshot;
  } finally {
    client.close();
  }
}

/** GET /version within the timeout: tells "unreachable" apart from everything else. */
async function probeServer(client: ApiClient, timeoutMs: number): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  let r: ApiResponse;
  try {
    r = await withDeadline(client.get('/version', 'get /version', deadline), deadline, timeoutMs);
  } catch (error: unknown) {
    throw new ApiUnreachableError(client.server, describeTransportError(error, timeoutMs));
  }
  if (r.status === 401) throw new ClusterError(`API server at ${client.server} rejected the credentials (HTTP 401 Unauthorized): check the kubeconfig user or token`);
  if (r.status !== 200) {
    client.notes.push(`get /version: ${statusMessage(r)}; server version unknown`);
    return undefined;
  }
  const v = (r.body as { gitVersion?: unknown } | undefined)?.gitVersion;
  return typeof v === 'string' ? v : undefined;
}

function withDeadline<T>(p: Promise<T>, deadline: number, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TransportError('ETIMEDOUT', `no response within ${timeoutMs} ms`)), Math.max(0, deadline - Date.now()));
  });
  return Promise.race([p, expired]).finally(() => clearTimeout(timer));
}

async function discover(client: ApiClient): Promise<Discovery> {
  const discovery: Discovery = { resources: new Map() };
  let r: ApiResponse;
  try {
    r = await client.get('/apis', 'API discovery (get /apis)');
  } catch (error: unknown) {
    discovery.failure = { status: 'error', detail: `API discovery (get /apis) failed: ${describeTransportError(error, 0)}` };
    return discovery;
  }
  if (r.status === 403) {
    discovery.failure = { status: 'forbidden', detail: 'get /apis (API discovery) at cluster scope' };
    return discovery;
  }
  const groups = (r.body as { groups?: unknown } | undefined)?.groups;
  if (r.status !== 200 || !Array.isArray(groups)) {
    discovery.failure = { status: 'error', detail: `API discovery (get /apis) failed: ${statusMessage(r)}` };
    return discovery;
  }
  discovery.groups = new Map();
  discovery.preferred = new Map();
  for (const g of groups as Array<{ name?: unknown; versions?: Array<{ version?: unknown }>; preferredVersion?: { version?: unknown } }>) {
    if (typeof g?.name !== 'string') continue;
    const versions = new Set<string>();
    for (const v of Array.isArray(g.versions) ? g.versions : []) if (typeof v?.version === 'string') versions.add(v.version);
    discovery.groups.set(g.name, versions);
    const preferred = g.preferredVersion?.version;
    const fallback = Array.isArray(g.versions) ? g.versions.find((v) => typeof v?.version === 'string')?.version : undefined;
    const chosen = typeof preferred === 'string' && preferred ? preferred : fallback;
    if (typeof chosen === 'string') discovery.preferred.set(g.name, chosen);
  }
  return discovery;
}

function parseServedResources(list: unknown[]): ServedResource[] {
  const out: ServedResource[] = [];
  for (const x of list as Array<{ name?: unknown; namespaced?: unknown; verbs?: unknown }>) {
    if (!x || typeof x.name !== 'string' || !x.name) continue;
    const verbs = Array.isArray(x.verbs) ? x.verbs.filter((v): v is string => typeof v === 'string' && v !== '') : [];
    out.push({ name: x.name, namespaced: x.namespaced === true, verbs });
  }
  return out;
}

/**
 * What the API server serves: /api/v1 and every group's preferred version. Any failure is a
 * note and leaves the answer undefined, so a partial list never reads as "not served".
 */
async function collectApiResources(client: ApiClient, discovery: Discovery, concurrency: number): Promise<ApiResource[] | undefined> {
  const fail = (why: string) => {
    client.notes.push(`served API resources unknown (RBAC breadth uses the built-in resource list): ${why}`);
    return undefined;
  };
  if (discovery.failure) return fail(discovery.failure.detail ?? discovery.failure.status);
  const targets: Array<[string, string]> = [['', 'v1']];
  for (const [group, version] of discovery.preferred ?? []) targets.push([group, version]);
  const found = new Map<string, ServedResource[]>();
  let problem: string | undefined;
  await runPool(targets, concurrency, async ([group, version]) => {
    if (problem) return;
    const r = await groupVersionResources(client, discovery, group, version);
    if (Array.isArray(r)) found.set(group, r);
    else problem ??= r.status === 'forbidden' ? `${r.detail} is forbidden` : (r.detail ?? r.status);
  });
  if (problem) return fail(problem);
  if (!(found.get('')?.length)) return fail('get /api/v1 (API discovery) listed no resources');
  const out: ApiResource[] = [];
  for (const [group, version] of targets) {
    for (const res of found.get(group) ?? []) out.push({ group, version, resource: res.name, namespaced: res.namespaced, verbs: res.verbs });
  }
  return out;
}

/** Resources served in one group version (memoised; core is group ""), or the coverage entry explaining why not known. */
function groupVersionResources(client: ApiClient, discovery: Discovery, group: string, version: string): Promise<ServedResource[] | CoverageEntry> {
  const gv = `${group}/${version}`;
  let p = discovery.resources.get(gv);
  if (!p) {
    const path = group ? `/apis/${gv}` : `/api/${version}`;
    const what = group ? gv : version;
    p = (async () => {
      let r: ApiResponse;
      try {
        r = await client.get(path, `discovery of ${what}`);
      } catch (error: unknown) {
        return { status: 'error', detail: `discovery of ${what} failed: ${describeTransportError(error, 0)}` } satisfies CoverageEntry;
      }
      if (r.status === 404) return [];
      if (r.status === 403) return { status: 'forbidden', detail: `get ${path} (API discovery)` } satisfies CoverageEntry;
      const list = (r.body as { resources?: unknown } | undefined)?.resources;
      if (r.status !== 200 || !Array.isArray(list)) return { status: 'error', detail: `discovery of ${what} failed: ${statusMessage(r)}` } satisfies CoverageEntry;
      return parseServedResources(list);
    })();
    discovery.resources.set(gv, p);
  }
  return p;
}

/** Picks the first version in spec.versions that the server serves the resource at. */
async function servedVersion(client: ApiClient, spec: KindSpec, discovery: Discovery): Promise<string | CoverageEntry> {
  if (spec.builtin) return spec.versions[0];
  if (discovery.failure) return discovery.failure;
  const served = discovery.groups?.get(spec.group);
  if (!served) return { status: 'absent', detail: `API group ${spec.group} is not served (CRD not installed)` };
  let problem: CoverageEntry | undefined;
  for (const v of spec.versions) {
    if (!served.has(v)) continue;
    const resources = await groupVersionResources(client, discovery, spec.group, v);
    if (Array.isArray(resources)) {
      if (resources.some((r) => r.name === spec.resource)) return v;
    } else problem ??= resources;
  }
  return problem ?? { status: 'absent', detail: `${resourceName(spec)} is not served at ${spec.versions.join(', ')} (CRD not installed)` };
}

async function collectKind(client: ApiClient, spec: KindSpec, discovery: Discovery, pageSize: number, items: KubeObject[], progress: (n: number) => void): Promise<CoverageEntry> {
  const version = await servedVersion(client, spec, discovery);
  if (typeof version !== 'string') return version;
  const apiVersion = spec.group ? `${spec.group}/${version}` : version;
  const listPath = `${basePathOf(spec, version)}/${spec.resource}`;
  const what = `list ${resourceName(spec)}`;
  let restarts = 0;
  let cont = '';
  for (;;) {
    const query = `?limit=${pageSize}${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`;
    let r: ApiResponse;
    try {
      r = await client.get(listPath + query, what);
    } catch (error: unknown) {
      return { status: 'error', detail: `${what} failed: ${describeTransportError(error, 0)}` };
    }
    if (r.status === 410 && cont && restarts < 2) {
      // The continue token expired (the list took longer than etcd's compaction window): start over.
      restarts++;
      client.notes.push(`${what}: list restarted after its continue token expired`);
      items.length = 0;
      cont = '';
      continue;
    }
    if (r.status === 403) return { status: 'forbidden', detail: `list ${resourceName(spec)} at cluster scope` };
    if (r.status === 404) {
      return spec.builtin
        ? { status: 'absent', detail: `${resourceName(spec)}/${version} is not served by this API server` }
        : { status: 'absent', detail: `${resourceName(spec)} is not served (CRD removed during collection)` };
    }
    const body = r.body as { items?: unknown; metadata?: { continue?: unknown } } | undefined;
    if (r.status !== 200 || !body || !Array.isArray(body.items)) {
      return { status: 'error', detail: `${what} failed: ${r.status === 200 ? 'response is not a list' : statusMessage(r)}` };
    }
    for (const item of body.items as KubeObject[]) {
      if (!item || typeof item !== 'object') continue;
      item.apiVersion = apiVersion;
      item.kind = spec.kind;
      items.push(item);
    }
    progress(items.length);
    const next = body.metadata?.continue;
    if (typeof next !== 'string' || next === '') break;
    cont = next;
  }
  return { status: 'ok', count: items.length };
}

async function collectConfigMaps(client: ApiClient, snapshot: Snapshot, options: CollectLiveOptions, concurrency: number): Promise<void> {
  const key = 'configmaps' satisfies KindKey;
  const items: KubeObject[] = [];
  snapshot.resources[key] = items;
  let refs: ConfigMapRef[] = [];
  try {
    refs = options.configMapRefs?.(snapshot) ?? [];
  } catch (error: unknown) {
    snapshot.notes.push(`finding referenced ConfigMaps failed: ${errorMessage(error)}`);
  }
  const wanted = new Map<string, ConfigMapRef & { always: boolean }>();
  for (const ref of ALWAYS_READ_CONFIGMAPS) wanted.set(`${ref.namespace}/${ref.name}`, { ...ref, always: true });
  for (const ref of refs) {
    if (typeof ref?.namespace !== 'string' || typeof ref?.name !== 'string' || !ref.namespace || !ref.name) continue;
    const id = `${ref.namespace}/${ref.name}`;
    if (!wanted.has(id)) wanted.set(id, { namespace: ref.namespace, name: ref.name, always: false });
  }
  const forbidden: string[] = [];
  const failures: string[] = [];
  const found: KubeObject[] = [];
  await runPool([...wanted.values()], concurrency, async (ref) => {
    const path = `/api/v1/namespaces/${encodeURIComponent(ref.namespace)}/configmaps/${encodeURIComponent(ref.name)}`;
    const what = `get configmap ${ref.namespace}/${ref.name}`;
    let r: ApiResponse;
    try {
      r = await client.get(path, what);
    } catch (error: unknown) {
      failures.push(`${what} failed: ${describeTransportError(error, 0)}`);
      return;
    }
    if (r.status === 200 && r.body && typeof r.body === 'object') {
      const cm = r.body as KubeObject;
      cm.apiVersion = 'v1';
      cm.kind = 'ConfigMap';
      found.push(cm);
    } else if (r.status === 404) {
      if (!ref.always) snapshot.notes.push(`ConfigMap ${ref.namespace}/${ref.name} is referenced but does not exist`);
    } else if (r.status === 403) {
      forbidden.push(`${ref.namespace}/${ref.name}`);
    } else {
      failures.push(`${what} failed: ${statusMessage(r)}`);
    }
  });
  forbidden.sort();
  // Keep a stable order whatever the request interleaving was.
  found.sort((a, b) => `${a.metadata?.namespace}/${a.metadata?.name}`.localeCompare(`${b.metadata?.namespace}/${b.metadata?.name}`));
  if (forbidden.length > 0) {
    snapshot.coverage[key] = { status: 'forbidden', detail: `get configmaps (denied for ${forbidden.slice(0, 5).join(', ')}${forbidden.length > 5 ? `, and ${forbidden.length - 5} more` : ''})` };
  } else if (failures.length > 0) {
    snapshot.coverage[key] = { status: 'error', detail: failures[failures.length - 1] };
  } else {
    items.push(...found);
    snapshot.coverage[key] = { status: 'ok', count: items.length };
  }
  options.onProgress?.(key, items.length);
}

async function runPool<T>(inputs: readonly T[], width: number, work: (input: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < inputs.length) {
      const input = inputs[next++];
      await work(input);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, inputs.length) }, worker));
}
