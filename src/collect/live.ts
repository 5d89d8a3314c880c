// Collects a Snapshot from a live cluster with read-only requests through the one
// Kubernetes client (src/kube/). Every kind in KINDS ends with a coverage entry; a kind that
// could not be read is never an empty list.

import { setFlagsFromString } from 'node:v8';
import { ClusterError, errorMessage, redactUrlCredentials } from '../base/errors.ts';
import { runPool } from '../base/pool.ts';
import { timerDelay } from '../base/timer.ts';
import { SNAPSHOT_SCHEMA_VERSION, type CoverageEntry, type KubeObject, type Snapshot } from '../snapshot/types.ts';
import { KINDS, type KindKey, type KindSpec } from '../snapshot/kinds.ts';
import { Interner } from '../snapshot/intern.ts';
import { slimObject } from '../snapshot/slim.ts';
import { metadataProblem, specProblem } from '../snapshot/shape.ts';
import { clusterNameOf, oneLine } from '../base/plain-text.ts';
import { CredentialError, type KubeconfigOptions } from '../kube/kubeconfig.ts';
import { ApiUnreachableError, CollectionAborted, TransportError, describeTransportError, forbiddenDetail, openKubeClient, statusMessage, type KubeClient, type KubeResponse } from '../kube/client.ts';
import { basePathOf, builtinListed, discover, resourceName, servedApiResources, servedVersion, type Discovery } from '../kube/discovery.ts';
import { DEFAULT_COLLECTION_DEADLINE_SECONDS } from '../config/types.ts';
import { EXTRA_CONFIGMAP_NAMES_VALUE, ISTIO_REVISIONS_VALUE } from './rbac-rules.ts';

export { ApiUnreachableError, CollectionAborted } from '../kube/client.ts';

export interface ConfigMapRef {
  namespace: string;
  name: string;
}

/**
 * Which ConfigMaps to `get` by name, from the objects held. `kinds`, when given, are all it
 * reads: serve --watch's refresh then hands it those kinds alone, not a view of every object.
 */
export type ConfigMapRefs = ((partial: Snapshot) => ConfigMapRef[]) & { readonly kinds?: readonly KindKey[] };

export interface CollectLiveOptions extends KubeconfigOptions {
  /** Objects per list page (`limit`); default 500. */
  pageSize?: number;
  /** Per-request timeout and the bound on reaching the API server at all; default 10 s. */
  timeoutMs?: number;
  /**
   * Progress, each line once: the running count while a kind spans several pages (at most once
   * each PROGRESS_INTERVAL_MS), then once when the kind is done, with its coverage entry (`done`; count 0 when it could not be read).
   */
  onProgress?: (kindKey: KindKey, count: number, done?: CoverageEntry) => void;
  /** ConfigMaps to `get` by name, derived from the workloads listed so far (e.g. TLS settings). */
  configMapRefs?: ConfigMapRefs;
  /** Observes every request sent (method, path with query). */
  onRequest?: (method: string, path: string) => void;
  /** Retry policy of every request (src/kube/retry.ts): at most `retries`, from `retryBaseDelayMs`, within `retryBudgetMs`. */
  retries?: number;
  retryBaseDelayMs?: number;
  retryBudgetMs?: number;
  /** Kinds listed at the same time; default 4. */
  concurrency?: number;
  /** Aborts the collection (serve at SIGTERM): in-flight requests are destroyed, no new ones sent. */
  signal?: AbortSignal;
  /**
   * The whole collection's deadline (collect.deadlineSeconds; default COLLECTION_DEADLINE_MS):
   * past it no further request is sent, the requests in flight are ended (their connections
   * closed, their retries not waited for), and every kind not finished is `error`, naming it.
   */
  deadlineMs?: number;
  /** Pages in a row that bring no object yet a continue token, past which the list is `error`; default EMPTY_PAGES_MAX. */
  emptyPagesMax?: number;
  /** The clock of the deadline and of the progress lines' interval (tests); default Date.now. */
  now?: () => number;
}

/** The collection's default deadline (collect.deadlineSeconds; why this long: DEFAULT_COLLECTION_DEADLINE_SECONDS). */
export const COLLECTION_DEADLINE_MS = DEFAULT_COLLECTION_DEADLINE_SECONDS * 1000;

/**
 * Pages in a row without an object but with a continue token after which a list is given up.
 * The API server may answer a page with fewer items than `limit`, even none, when a selector
 * filters them out, and only a continue token says more follow (ListOptions.limit,
 * https://kubernetes.io/docs/reference/kubernetes-api/common-parameters/common-parameters/#limit);
 * a thousand empty pages in a row (500,000 objects filtered out at the default page size) is no
 * such list but a server or proxy that never ends it.
 */
export const EMPTY_PAGES_MAX = 1000;

/** How often a kind that spans many pages says its running count. */
export const PROGRESS_INTERVAL_MS = 2_000;

/**
 * How many times a list starts over after its continue token expired (410 Gone, Kubernetes API
 * concepts, "Retrieving large results sets in chunks": the client must restart the list without
 * `continue`). Past it the list failed: on a cluster where a list always outlasts the token, one
 * more try would not do better.
 */
export const LIST_RESTARTS_MAX = 2;

/**
 * The note of a list that started over after a 410 Gone on its continue token (once per list in
 * a run's notes, however many times it restarted). Shared with serve --watch (src/collect/watch.ts).
 */
export function noteListRestarted(notes: string[], what: string): void {
  const note = `${what}: list restarted after its continue token expired`;
  if (!notes.includes(note)) notes.push(note);
}

/**
 * Why a list failed whose continue token expired once more than LIST_RESTARTS_MAX allows. The
 * server's own message (etcd3/errors.go) advises starting a new list without `continue`, which
 * the collector did each time: said first, so the reason does not read as advice not yet taken.
 */
export function expiredListDetail(what: string, r: KubeResponse): string {
  return `${what} failed: its continue token expired ${LIST_RESTARTS_MAX + 1} times in a row, the list outlasting etcd's compaction each time (${statusMessage(r)})`;
}

/** Mesh configuration read on every run, whatever the workloads reference. */
export const ALWAYS_READ_CONFIGMAPS: readonly ConfigMapRef[] = [
  { namespace: 'istio-system', name: 'istio' },
  { namespace: 'linkerd', name: 'linkerd-config' },
  { namespace: 'consul', name: 'consul-server-config' },
  { namespace: 'consul', name: 'consul-server-tmp-extra-config' },
];

/** Collections running now (serve may overlap a scheduled run with a watch re-list). */
let collecting = 0;

/**
 * Keeps V8's young generation at its initial size while a collection runs. Every slimmed
 * object survives (it is the snapshot), and V8 answers survivors by doubling the young
 * generation up to 2 × 64 MiB: at M that alone was a third of the collector's peak RSS
 * (bench/live.ts). `--semi-space-growth-factor` is read each time V8 considers growing, so it
 * can be set for the collection and set back to V8's default (2) after; the audit that follows
 * keeps the default. Measured: no CPU time lost at M (docs/performance.md).
 */
function holdYoungGeneration(): () => void {
  // A factor the user chose (NODE_OPTIONS or the command line) is theirs: left alone.
  if ([...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((a) => /semi[-_]space[-_]growth[-_]factor/.test(a))) return () => {};
  if (collecting++ === 0) setFlagsFromString('--semi-space-growth-factor=1');
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--collecting === 0) setFlagsFromString('--semi-space-growth-factor=2');
  };
}

export async function collectLive(options: CollectLiveOptions = {}): Promise<Snapshot> {
  const release = holdYoungGeneration();
  try {
    return await collectLiveHeld(options);
  } finally {
    release();
  }
}

async function collectLiveHeld(options: CollectLiveOptions): Promise<Snapshot> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const pageSize = Math.max(1, Math.floor(options.pageSize ?? 500));
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const bounds = listBounds(options);
  // The deadline ends what is in flight when it passes, not only what would start after it:
  // a request then waiting on a silent server (up to its timeout, a list page's up to 100 s)
  // or on its next retry (up to the retry budget) is ended with the deadline as its reason.
  const expiry = new AbortController();
  const { client, resolved } = openKubeClient({
    ...options,
    timeoutMs,
    maxSockets: concurrency,
    signal: options.signal ? AbortSignal.any([options.signal, expiry.signal]) : expiry.signal,
  });
  const expire = setTimeout(() => expiry.abort(new CollectionAborted(deadlinePassed(bounds))), timerDelay(bounds.deadline - bounds.now()));
  bounds.expired = expiry.signal;
  const collectedAt = new Date().toISOString();
  const snapshot: Snapshot = {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    // Shown in every report and stored in the history: never with credentials in the URL.
    cluster: { name: clusterNameOf(resolved.contextName || resolved.clusterName), server: redactUrlCredentials(resolved.server) },
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
    const served = servedApiResources(client, discovery, concurrency);
    // Equal strings and subtrees of all kinds' objects are shared (src/snapshot/intern.ts); dropped with the collection.
    const interner = new Interner();
    await runPool(listed, concurrency, async (spec) => {
      const key = spec.key as KindKey;
      const items: KubeObject[] = [];
      snapshot.resources[key] = items;
      const coverage = await collectKind(client, spec, discovery, pageSize, items, interner, bounds, (n) => options.onProgress?.(key, n));
      snapshot.coverage[key] = coverage;
      if (coverage.status !== 'ok') items.length = 0;
      options.onProgress?.(key, items.length, coverage);
    });
    const discovered = await served;
    if (discovered) {
      snapshot.apiResources = discovered.apiResources;
      if (discovered.missing.length > 0) snapshot.apiResourcesMissing = discovered.missing;
    }
    if (options.signal?.aborted) throw new CollectionAborted();
    // An API server that refuses or fails every list has not been audited: that is "could
    // not run" (exit 2, alert), never a completed audit with nothing evaluated.
    const builtin = listed.filter((k) => k.builtin);
    if (builtin.every((k) => snapshot.coverage[k.key as KindKey]?.status !== 'ok')) {
      const first = snapshot.coverage[builtin[0].key as KindKey];
      throw new ClusterError(`API server at ${client.server} answered but no kind could be listed (first: ${builtin[0].key}: ${first?.status ?? 'not collected'}${first?.detail ? `, ${first.detail}` : ''}): check the auditor's RBAC binding`);
    }
    if (!pastDeadline(bounds)) await collectConfigMaps(client, snapshot, options, concurrency);
    else {
      snapshot.coverage.configmaps = { status: 'error', detail: `get configmaps: not read, ${deadlinePassed(bounds)}` };
      options.onProgress?.('configmaps', 0, snapshot.coverage.configmaps);
    }
    if (options.signal?.aborted) throw new CollectionAborted();
    return snapshot;
  } finally {
    clearTimeout(expire);
    client.close();
  }
}

/**
 * GET /version: tells "unreachable" apart from everything else. Retried like every request
 * (an API server that is restarting refuses connections for a few seconds, and that must not
 * read as "could not run"), so it gives up after the retry budget plus one request timeout.
 */
async function probeServer(client: KubeClient, timeoutMs: number): Promise<string | undefined> {
  const bound = client.retryBudgetMs + timeoutMs;
  const deadline = Date.now() + bound;
  let r: KubeResponse;
  try {
    r = await withDeadline(client.get('/version', 'get /version', deadline), deadline, bound);
  } catch (error: unknown) {
    // The user's credentials could not be had (a token-file, an exec plugin): said as such, not as an unreachable server.
    if (error instanceof CredentialError) throw error;
    throw new ApiUnreachableError(client.server, describeTransportError(error));
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
    timer = setTimeout(() => reject(new TransportError('ETIMEDOUT', `no response within ${timeoutMs} ms`)), timerDelay(deadline - Date.now()));
  });
  return Promise.race([p, expired]).finally(() => clearTimeout(timer));
}

/**
 * What ends a list that would otherwise not end: the live collection's, and serve --watch's
 * lists (src/collect/watch.ts) alike.
 */
export interface ListBounds {
  now: () => number;
  /** Epoch ms, as `now` tells it. */
  deadline: number;
  deadlineSeconds: number;
  emptyPagesMax: number;
  /** Aborted when the deadline passes (the live collection's, whose requests in flight it ends). */
  expired?: AbortSignal;
}

/** The bounds of lists starting now: their deadline `deadlineMs` from now (default COLLECTION_DEADLINE_MS). */
export function listBounds(options: Pick<CollectLiveOptions, 'deadlineMs' | 'emptyPagesMax' | 'now'>): ListBounds {
  const now = options.now ?? Date.now;
  const deadlineMs = options.deadlineMs ?? COLLECTION_DEADLINE_MS;
  return { now, deadline: now() + deadlineMs, deadlineSeconds: Math.round(deadlineMs / 1000), emptyPagesMax: Math.max(1, options.emptyPagesMax ?? EMPTY_PAGES_MAX) };
}

function deadlinePassed(bounds: ListBounds): string {
  return `the collection's deadline of ${bounds.deadlineSeconds} s (collect.deadlineSeconds) passed`;
}

function pastDeadline(bounds: ListBounds): boolean {
  return bounds.now() >= bounds.deadline || bounds.expired?.aborted === true;
}

/**
 * One kind's paged list within its bounds: each answer says why the list is given up, or
 * undefined to go on. `what` is the list's name in them ("list <resource>").
 */
export class ListPages {
  // The tokens this pass of the list was given: one handed back again would go round for ever.
  private readonly tokens = new Set<string>();
  private pages = 0;
  private emptyPages = 0;
  private progressAt: number;
  private readonly what: string;
  private readonly bounds: ListBounds;

  constructor(what: string, bounds: ListBounds) {
    this.what = what;
    this.bounds = bounds;
    this.progressAt = bounds.now();
  }

  /** Before the list's first request: the deadline passed already. */
  late(): string | undefined {
    return pastDeadline(this.bounds) ? `${this.what}: not listed, ${deadlinePassed(this.bounds)}` : undefined;
  }

  /** Before asking for the page after `count` objects, or when a request failed: the deadline passed. */
  overdue(count: number): string | undefined {
    return pastDeadline(this.bounds) ? `${this.what} not finished after ${this.pages} pages (${count} objects): ${deadlinePassed(this.bounds)}` : undefined;
  }

  /** A page of `onPage` objects (`count` so far) that handed back the continue token `next`: a list that would never end. */
  endless(next: string, onPage: number, count: number): string | undefined {
    this.pages++;
    if (this.tokens.has(next)) return `${this.what} failed: page ${this.pages} handed back a continue token the list had already been given, so it would never end`;
    this.tokens.add(next);
    this.emptyPages = onPage === 0 ? this.emptyPages + 1 : 0;
    if (this.emptyPages >= this.bounds.emptyPagesMax) return `${this.what} failed: ${this.emptyPages} pages in a row brought no object yet a continue token (${count} objects after ${this.pages} pages), so it may never end`;
    return undefined;
  }

  /** The list starts over from its first page (its continue token expired): the tokens it was given no longer count. */
  restart(): void {
    this.tokens.clear();
    this.emptyPages = 0;
  }

  /** Whether a running count is due: at most once each PROGRESS_INTERVAL_MS. */
  progressDue(): boolean {
    if (this.bounds.now() - this.progressAt < PROGRESS_INTERVAL_MS) return false;
    this.progressAt = this.bounds.now();
    return true;
  }
}

async function collectKind(client: KubeClient, spec: KindSpec, discovery: Discovery, pageSize: number, items: KubeObject[], interner: Interner, bounds: ListBounds, progress: (n: number) => void): Promise<CoverageEntry> {
  const what = `list ${resourceName(spec)}`;
  const paging = new ListPages(what, bounds);
  const late = paging.late();
  if (late) return { status: 'error', detail: late };
  const version = await servedVersion(client, spec, discovery);
  if (typeof version !== 'string') return version.coverage;
  const apiVersion = spec.group ? `${spec.group}/${version}` : version;
  const listPath = `${basePathOf(spec, version)}/${spec.resource}`;
  const slimItem = (item: unknown) => {
    const o = listedObject(spec, apiVersion, item);
    return o === undefined ? undefined : interner.item(o);
  };
  let restarts = 0;
  let cont = '';
  for (;;) {
    const overdue = cont ? paging.overdue(items.length) : undefined;
    if (overdue) return { status: 'error', detail: overdue };
    const query = `?limit=${pageSize}${selectorQuery(spec)}${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`;
    let r: KubeResponse;
    try {
      // Each item is slimmed as soon as it is parsed: the page's text and whole objects are never held.
      r = await client.request('GET', listPath + query, what, { items: slimItem });
    } catch (error: unknown) {
      // The deadline ended the request in flight: the list is unfinished, as one it stops between pages.
      return { status: 'error', detail: (bounds.expired?.aborted ? paging.overdue(items.length) : undefined) ?? `${what} failed: ${describeTransportError(error)}` };
    }
    if (r.status === 410 && cont) {
      // The continue token expired (the list took longer than etcd's compaction window): start
      // over, from the first page at a new revision. The 410 carries a token that would go on
      // at the latest revision (an inconsistent list): not used.
      if (restarts >= LIST_RESTARTS_MAX) return { status: 'error', detail: expiredListDetail(what, r) };
      restarts++;
      noteListRestarted(client.notes, what);
      items.length = 0;
      cont = '';
      paging.restart();
      continue;
    }
    if (r.status === 403) return { status: 'forbidden', detail: forbiddenDetail(`list ${resourceName(spec)} at cluster scope`, r) };
    if (r.status === 404) {
      if (!spec.builtin) return { status: 'absent', detail: `${resourceName(spec)} is not served (CRD removed during collection)` };
      // A built-in API is absent only when the server's discovery does not list it (a group
      // version switched off with --runtime-config); listed, or not known to be unlisted, a 404
      // is a failed list (a proxy in between), never "nothing of it exists".
      const listed = await builtinListed(client, spec, version, discovery);
      if (listed === false) return { status: 'absent', detail: `${resourceName(spec)}/${version} is not served by this API server (its discovery does not list it)` };
      return { status: 'error', detail: `${what} failed: ${statusMessage(r)}, yet ${listed ? 'the API server\'s discovery lists it' : 'API discovery could not say whether it is served'}` };
    }
    const body = r.body as { items?: unknown; metadata?: { continue?: unknown } } | undefined;
    if (r.status !== 200 || !body || !Array.isArray(body.items)) {
      return { status: 'error', detail: `${what} failed: ${r.status === 200 ? 'response is not a list' : statusMessage(r)}` };
    }
    for (const item of body.items as KubeObject[]) {
      const refused = listedShapeProblem(spec, item, items.length);
      if (refused) return { status: 'error', detail: `${what}: ${refused}` };
      items.push(item);
    }
    const next = body.metadata?.continue;
    if (typeof next !== 'string' || next === '') break;
    const endless = paging.endless(next, body.items.length, items.length);
    if (endless) return { status: 'error', detail: endless };
    // More pages follow: the running count, at most once an interval (the final count is reported once by the caller).
    if (paging.progressDue()) progress(items.length);
    cont = next;
  }
  return { status: 'ok', count: items.length };
}

/**
 * The kind's label selector as a query parameter (`&labelSelector=…`), or '' for a kind without
 * one: every list and watch of the kind (here and in src/collect/watch.ts) sends the same, so a
 * watch never brings in what the list left out.
 */
export function selectorQuery(spec: KindSpec): string {
  return spec.labelSelector ? `&labelSelector=${encodeURIComponent(spec.labelSelector)}` : '';
}

/** Rounds of by-name ConfigMap reads: the names the workloads give, then those the ConfigMaps read give (collectConfigMaps). */
const CONFIGMAP_ROUNDS = 2;

/** What one by-name `get` of a ConfigMap answered. */
export type ConfigMapAnswer = { status: 'found'; object: KubeObject } | { status: 'not-found' } | { status: 'forbidden' } | { status: 'failed'; detail: string };

/**
 * The by-name ConfigMap reads of a collection (also used by the watch, src/collect/watch.ts).
 * Returns what each name asked for was answered, by `namespace/name`. `known`: answers to reuse
 * instead of asking again (serve --watch reads only the names a watched change newly references);
 * the snapshot's ConfigMaps, coverage, not-found names and notes are as if each had been asked now.
 */
export async function collectConfigMaps(client: KubeClient, snapshot: Snapshot, options: CollectLiveOptions, concurrency: number, known?: ReadonlyMap<string, ConfigMapAnswer>): Promise<Map<string, ConfigMapAnswer>> {
  const key = 'configmaps' satisfies KindKey;
  const answers = new Map<string, ConfigMapAnswer>();
  const items: KubeObject[] = [];
  snapshot.resources[key] = items;
  const forbidden: string[] = [];
  const notFound: string[] = [];
  const failures: string[] = [];
  const found: KubeObject[] = [];
  const asked = new Set<string>();
  // The names are asked of a view (a copy: analyses memoised on it are not the audit's), first
  // without any ConfigMap, then once more with the ones read: a name taken from a ConfigMap (an
  // ingress-nginx --configmap=$(CM), CM from a configMapKeyRef) is known only in the second round.
  const refsOf = (round: number): Array<ConfigMapRef & { always: boolean }> => {
    let refs: ConfigMapRef[] = [];
    const view: Snapshot = { ...snapshot, resources: { ...snapshot.resources, [key]: [...found] }, ...(notFound.length > 0 ? { configMapsNotFound: [...notFound] } : {}) };
    try {
      refs = options.configMapRefs?.(view) ?? [];
    } catch (error: unknown) {
      if (round === 0) snapshot.notes.push(`finding referenced ConfigMaps failed: ${errorMessage(error)}`);
    }
    const wanted = new Map<string, ConfigMapRef & { always: boolean }>();
    if (round === 0) for (const ref of ALWAYS_READ_CONFIGMAPS) wanted.set(`${ref.namespace}/${ref.name}`, { ...ref, always: true });
    for (const ref of refs) {
      if (typeof ref?.namespace !== 'string' || typeof ref?.name !== 'string' || !ref.namespace || !ref.name) continue;
      const id = `${ref.namespace}/${ref.name}`;
      if (!wanted.has(id)) wanted.set(id, { namespace: ref.namespace, name: ref.name, always: false });
    }
    const fresh = [...wanted].filter(([id]) => !asked.has(id));
    for (const [id] of fresh) asked.add(id);
    return fresh.map(([, ref]) => ref);
  };
  const ask = async (ref: ConfigMapRef): Promise<ConfigMapAnswer> => {
    const path = `/api/v1/namespaces/${encodeURIComponent(ref.namespace)}/configmaps/${encodeURIComponent(ref.name)}`;
    const what = `get configmap ${ref.namespace}/${ref.name}`;
    let r: KubeResponse;
    try {
      r = await client.get(path, what);
    } catch (error: unknown) {
      return { status: 'failed', detail: `${what} failed: ${describeTransportError(error)}` };
    }
    if (r.status === 200 && r.body && typeof r.body === 'object') {
      const cm = r.body as KubeObject;
      cm.apiVersion = 'v1';
      cm.kind = 'ConfigMap';
      return { status: 'found', object: cm };
    }
    if (r.status === 404) return { status: 'not-found' };
    if (r.status === 403) return { status: 'forbidden' };
    return { status: 'failed', detail: `${what} failed: ${statusMessage(r)}` };
  };
  const read = async (ref: ConfigMapRef & { always: boolean }): Promise<void> => {
    const id = `${ref.namespace}/${ref.name}`;
    const answer = known?.get(id) ?? await ask(ref);
    answers.set(id, answer);
    if (answer.status === 'found') {
      found.push(answer.object);
    } else if (answer.status === 'not-found') {
      notFound.push(id);
      if (!ref.always) snapshot.notes.push(`ConfigMap ${id} is referenced but does not exist`);
    } else if (answer.status === 'forbidden') {
      forbidden.push(id);
    } else {
      failures.push(answer.detail);
    }
  };
  for (let round = 0; round < CONFIGMAP_ROUNDS; round++) {
    const batch = refsOf(round);
    if (batch.length === 0) break;
    await runPool(batch, concurrency, read);
  }
  forbidden.sort();
  notFound.sort();
  // Keep a stable order whatever the request interleaving was.
  found.sort((a, b) => `${a.metadata?.namespace}/${a.metadata?.name}`.localeCompare(`${b.metadata?.namespace}/${b.metadata?.name}`));
  // What was read is kept, whatever was refused: one ConfigMap the role does not name (an Istio
  // revision's) must not take the others (cilium-config, the ingress controller's) with it. The
  // kind's coverage still says what is missing, so the checks reading ConfigMaps are not judged
  // on an absence that is only a refusal.
  items.push(...found);
  // Which ones were looked up and are not there, by name: one refused read makes the kind's
  // coverage forbidden, not every other ConfigMap unknown (an optional envFrom source that does
  // not exist sets nothing, src/analysis/netpol/calico/ip-pools.ts).
  if (notFound.length > 0) snapshot.configMapsNotFound = notFound;
  else delete snapshot.configMapsNotFound;
  if (forbidden.length > 0) {
    snapshot.coverage[key] = { status: 'forbidden', detail: forbiddenConfigMapsDetail(forbidden) };
  } else if (failures.length > 0) {
    snapshot.coverage[key] = { status: 'error', detail: failures[failures.length - 1] };
  } else {
    snapshot.coverage[key] = { status: 'ok', count: items.length };
  }
  options.onProgress?.(key, items.length, snapshot.coverage[key]);
  return answers;
}

/**
 * An Istio revision's mesh config (`istio-<rev>`, src/analysis/mesh/outbound.ts istioConfigMapName)
 * or injector config (`istio-sidecar-injector-<rev>`); the default revision's `istio-sidecar-injector` is none.
 */
const ISTIO_REVISION_CONFIGMAP = /^istio-(?:sidecar-injector-)?((?!sidecar-injector$)[a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/;

/**
 * The refused by-name reads, and which chart value grants each: an Istio revision's ConfigMap
 * through rbac.istioRevisions (a Role in the Istio root namespace), any other name through
 * rbac.extraConfigMapNames.
 */
function forbiddenConfigMapsDetail(forbidden: string[]): string {
  const revisions: string[] = [];
  const names: string[] = [];
  for (const f of forbidden) {
    const name = f.slice(f.indexOf('/') + 1);
    const rev = ISTIO_REVISION_CONFIGMAP.exec(name)?.[1];
    if (rev !== undefined) revisions.push(rev);
    else names.push(name);
  }
  const some = (list: string[]) => `${[...new Set(list)].slice(0, 5).join(', ')}${new Set(list).size > 5 ? ', …' : ''}`;
  const grants = [
    ...(revisions.length > 0 ? [`add the Istio revision(s) ${some(revisions)} to the Helm value ${ISTIO_REVISIONS_VALUE}`] : []),
    ...(names.length > 0 ? [`add ${some(names)} to the Helm value ${EXTRA_CONFIGMAP_NAMES_VALUE}`] : []),
  ];
  return `get configmaps (denied for ${forbidden.slice(0, 5).join(', ')}${forbidden.length > 5 ? `, and ${forbidden.length - 5} more` : ''}; ConfigMaps are granted by name: ${grants.join(' and ')}, or to resourceNames of your own role)`;
}

/**
 * What is wrong with a listed object's shape, naming it and the key (`Pod shop/web:
 * spec.containers is a mapping, not a list`); undefined when nothing is. The API server validates
 * its objects against the schema; one that reaches us in another shape (a proxy in between, an
 * aggregated API) is not judged on a guess: the collectors count its kind as not read, as a
 * failed list.
 */
export function listedShapeProblem(spec: KindSpec, item: unknown, index: number): string | undefined {
  const problem = metadataProblem(item) ?? specProblem(spec.key, item as Record<string, unknown>);
  if (!problem) return undefined;
  const meta = (item as Partial<KubeObject> | undefined)?.metadata;
  const name = meta && typeof meta.name === 'string' ? `${typeof meta.namespace === 'string' ? `${meta.namespace}/` : ''}${meta.name}` : `item ${index}`;
  return `${spec.kind} ${oneLine(name)}${problem.startsWith('is ') ? ' ' : ': '}${problem}`;
}

/**
 * A list page's item as the collectors keep it (the live collector, serve --watch's lists):
 * given its list's apiVersion and kind, which the API server leaves out of items, and slimmed
 * to what the checks read; undefined when it is no object.
 */
export function listedObject(spec: KindSpec, apiVersion: string, item: unknown): KubeObject | undefined {
  if (!item || typeof item !== 'object') return undefined;
  const o = item as KubeObject;
  o.apiVersion = apiVersion;
  o.kind = spec.kind;
  return slimObject(spec.key, o);
}
