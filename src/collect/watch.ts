// `serve --watch`: list every collected kind once, then watch it, keeping an in-memory
// Snapshot current (the same shape the pipeline consumes, coverage included). Per kind:
// resourceVersion bookkeeping (from the list, every event and every bookmark), a re-list
// when the server answers 410 Gone (the version fell out of its window) whose difference
// with what was held is recorded as changes, and reconnects with bounded exponential
// backoff. A watch that ends with any other ERROR event (its Status's retryAfterSeconds
// honoured), or at once with no event, is a failed attempt like a refused connection, and so
// is a 410 in a row after the first. Coverage follows the watch: a kind whose watch is refused
// (403) is 'forbidden' at once, one that keeps failing becomes 'error' after a few attempts;
// either way its checks are not evaluated until the watch works again (after a re-list, since
// events were missed). A CRD kind answered 404 is handed to API discovery, which makes it
// 'absent' (its objects deleted) when it is no longer served. Changes are kept as
// "NetworkPolicy shop/default-deny deleted" so an alert can name what caused it.
import { ClusterError, redactUrlCredentials } from '../base/errors.ts';
import { clusterNameOf, oneLine } from '../base/plain-text.ts';
import { TransportError } from '../kube/transport-error.ts';
import { runPool } from '../base/pool.ts';
import type { Logger } from '../base/log.ts';
import { SNAPSHOT_SCHEMA_VERSION, type CoverageEntry, type KubeObject, type Snapshot } from '../snapshot/types.ts';
import { KINDS, type KindKey, type KindSpec } from '../snapshot/kinds.ts';
import type { KubeconfigOptions } from '../kube/kubeconfig.ts';
import { ApiUnreachableError, describeTransportError, forbiddenDetail, openKubeClient, statusMessage, type KubeClient, type KubeResponse } from '../kube/client.ts';
import { CredentialError } from '../kube/kubeconfig.ts';
import { basePathOf, discover, resourceName, servedApiResources, servedVersion, type ServedApiResources } from '../kube/discovery.ts';
import { collectConfigMaps, expiredListDetail, LIST_RESTARTS_MAX, ListPages, listBounds, noteListRestarted, listedObject, listedShapeProblem, selectorQuery, type ConfigMapAnswer, type ConfigMapRefs, type ListBounds } from './live.ts';
import { slimObject } from '../snapshot/slim.ts';

/**
 * 'referenced' and 'unreferenced' are for the ConfigMaps read by name: a name a watched object
 * now names, or no longer names (the ConfigMap itself may exist before and after).
 */
export type ChangeType = 'created' | 'updated' | 'deleted' | 'referenced' | 'unreferenced';

const CHANGE_WORDS: Record<ChangeType, string> = { created: 'created', updated: 'updated', deleted: 'deleted', referenced: 'now referenced', unreferenced: 'no longer referenced' };

export interface WatchChange {
  kind: KindKey;
  type: ChangeType;
  namespace?: string;
  name: string;
  /** Epoch ms at which the watch saw it. */
  at: number;
}

/** "NetworkPolicy shop/default-deny deleted", "ClusterRoleBinding x created", "ConfigMap edge/nginx-configuration now referenced". */
export function describeChange(c: WatchChange): string {
  const spec = KINDS.find((k) => k.key === c.kind);
  const kind = spec ? spec.kind : c.kind;
  return `${kind} ${c.namespace ? `${c.namespace}/` : ''}${c.name} ${CHANGE_WORDS[c.type] ?? c.type}`;
}

/** The ConfigMaps read by name as held: what the last read gave, and what each name asked for was answered. */
interface HeldConfigMaps { items: KubeObject[]; coverage: CoverageEntry; notes: string[]; notFound: string[]; answers: Map<string, ConfigMapAnswer> }

/** A ConfigMap's namespace and name, from `namespace/name`, as a change records it. */
const configMapStub = (id: string): KubeObject => ({ metadata: { namespace: id.slice(0, id.indexOf('/')), name: id.slice(id.indexOf('/') + 1) } });

export interface ClusterWatchOptions extends KubeconfigOptions {
  /** Objects per list page; default 500. */
  pageSize?: number;
  /** Per-request timeout of lists and gets; default 10 s. */
  timeoutMs?: number;
  /** How long one API server outage is retried for (the client's budget); default 30 s. */
  retryBudgetMs?: number;
  /** Kinds listed at the same time; default 4. */
  concurrency?: number;
  /**
   * ConfigMaps to `get` by name, from the objects held (as the live collector does); given its
   * `kinds`, it is handed a view of those kinds alone (every refresh), not of every object held.
   */
  configMapRefs?: ConfigMapRefs;
  /** Called after every recorded change or coverage change (the daemon debounces). */
  onChange?: () => void;
  log?: Logger;
  /** Reconnect backoff: from baseMs, doubling, at most maxMs; defaults 1 s and 30 s. */
  backoff?: { baseMs?: number; maxMs?: number };
  /** Consecutive failed attempts after which a kind's coverage becomes 'error'; default 3. */
  failAfter?: number;
  /** How long a kind's loop must be answered 403 before the kind is forbidden (FORBIDDEN_AFTER_MS); default 5 s. */
  forbiddenAfterMs?: number;
  /** How long the server keeps one watch open (it then ends it and we re-watch); default 300 s. */
  watchTimeoutSeconds?: number;
  /**
   * How often the ConfigMaps read by name (`get`, never listed or watched: least privilege) are
   * read again between full runs, a changed one recorded as a change; 0 or unset: only by full runs.
   */
  configMapRefreshMs?: number;
  /** Observes every request sent (method, path with query). */
  onRequest?: (method: string, path: string) => void;
  /**
   * The deadline of the lists (collect.deadlineSeconds; default COLLECTION_DEADLINE_MS, as
   * `ztaudit run`'s): of every kind's, together, at start and at each scheduled run's re-list
   * (a run's collection), and of each kind's own re-list in its watch loop. A list past it is
   * given up as a failed one.
   */
  deadlineMs?: number;
  /** Pages in a row that bring no object yet a continue token, past which a list failed; default EMPTY_PAGES_MAX. */
  emptyPagesMax?: number;
  /** The clock of the lists' deadline (tests); default Date.now. */
  now?: () => number;
}

interface KindState {
  spec: KindSpec;
  key: KindKey;
  path: string;
  apiVersion: string;
  objects: Map<string, KubeObject>;
  resourceVersion: string;
  coverage: CoverageEntry;
  needsList: boolean;
  failures: number;
  events: number;
  /** Set while a watch is refused or failing; cleared when a watch opens with 200 after a re-list. */
  broken: boolean;
  watching: boolean;
  lastError: string;
  /** A non-410 ERROR event of the current watch: why it ended, and the server's retryAfterSeconds. */
  watchError: { detail: string; retryAfterMs: number } | null;
  /** The current watch was answered 410 Gone (an ERROR event or the response): re-list, counted as a failed attempt. */
  expired: boolean;
  /** A CRD kind answered 404: no longer served, or served at another version; discovery tells which. */
  vanished: boolean;
  /**
   * Objects a watch event brought in a shape the checks cannot read (listedShapeProblem), by id:
   * the kind is `error` while any is held, as a list with one is. Cleared per object by its
   * DELETED or a clean ADDED/MODIFIED, and all at once by a clean list; a clean event of another
   * object leaves it.
   */
  /**
   * The coverage status the log last stated for the kind; null until its first list answered.
   * A kind refused from the start logs "coverage forbidden (…)", not a change from an ok it
   * never had (`coverage` starts as ok, a placeholder).
   */
  loggedStatus: CoverageEntry['status'] | null;
  malformed: Map<string, string>;
  /** When the first 403 of the current run of them came, in a kind's loop (Date.now()); null when the last answer was no 403. */
  refusedSince: number | null;
}

const PENDING_MAX = 10_000;
/**
 * A watch that ends sooner than this with no event did not work (a proxy or server that answers
 * 200 and closes): a failed attempt, not one to repeat at once. A server ends a working watch
 * at its timeoutSeconds (minutes).
 */
const WATCH_MIN_MS = 1_000;
/**
 * How long a kind's loop must go on being answered 403 before the kind is forbidden. A
 * kube-apiserver that (re)starts serves requests before its RBAC informers have synced and
 * refuses what the auditor's ClusterRole allows for about a second (kubernetes/kubernetes#121635;
 * #101422: "requests are accepted but might fail because the rbac informers are not synced
 * yet"): a daemon bound to its own ClusterRole (not system:masters, which is never checked)
 * alerted "coverage lost: forbidden" for every kind at each control-plane restart. Until then a
 * 403 is a failed attempt, retried with backoff (1, 2, 4 s), as client-go's reflector retries a
 * failed list or watch. The first list at start and the scheduled run's re-list say forbidden at once.
 */
const FORBIDDEN_AFTER_MS = 5_000;
/** The most of a server's retryAfterSeconds honoured (a wild value must not park a kind for days). */
const RETRY_AFTER_MAX_S = 600;
const sleep = (ms: number, signal: AbortSignal) => new Promise<void>((resolve) => {
  // A request that failed because of the abort comes here after it: 'abort' will not fire again.
  if (signal.aborted) return resolve();
  const t = setTimeout(done, ms);
  function done() { clearTimeout(t); signal.removeEventListener('abort', done); resolve(); }
  signal.addEventListener('abort', done, { once: true });
});

/** Why discovery failed, on one line (a refusal's detail names only what was refused). */
const discoveryFailure = (c: CoverageEntry) => oneLine(c.status === 'forbidden' ? `forbidden: ${c.detail ?? ''}` : (c.detail ?? c.status));

/** A request's failure as a kind's coverage says it: how often the client retried it (a count and a time that differ each time) is left to the log line, or every retry would be a change. */
const transportReason = (error: unknown) => (error instanceof TransportError ? oneLine(error.reason) : describeTransportError(error));
const triesOf = (error: unknown) => (error instanceof TransportError && error.tries ? `the last one tried ${error.tries.attempts} times over ${(error.tries.elapsedMs / 1000).toFixed(1)} s` : undefined);
const idOf = (o: KubeObject) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

export class ClusterWatch {
  private readonly options: ClusterWatchOptions;
  private readonly client: KubeClient;
  private readonly clusterInfo: Snapshot['cluster'];
  private readonly abort = new AbortController();
  private readonly kinds = new Map<KindKey, KindState>();
  private readonly absent = new Map<KindKey, CoverageEntry>();
  private pending: WatchChange[] = [];
  private pendingDropped = 0;
  private changedKinds = new Set<KindKey>();
  private oldestPending: number | null = null;
  private configMaps: HeldConfigMaps | null = null;
  /**
   * Set when a change to a kind the by-name ConfigMap names come from (configMapRefs.kinds) may
   * have changed which names are referenced; cleared when they are computed again (any read).
   */
  private configMapNamesStale = false;
  /** The reads of the by-name ConfigMaps, one after another (the timed refresh, a watch run's read of new names, a full re-list). */
  private configMapReads: Promise<unknown> = Promise.resolve();
  /** What the last discovery told of the served resources (servedApiResources), as a full collection records it. */
  private served: ServedApiResources | undefined;
  private loops: Promise<void>[] = [];
  /**
   * Kinds whose served version is unknown because discovery failed (not because they are not
   * served): retried with backoff until discovery answers. A kind held before keeps its objects
   * meanwhile, in coverage 'error' (not evaluated), and is not recorded as deleted.
   */
  private undiscovered: KindSpec[] = [];
  /** The generation whose rediscover loop is running (-1: none). */
  private rediscovering = -1;
  private generation = 0;
  /** The client's notes taken by the last takeChanges(): the current run's. */
  private runNotes: string[] = [];
  readonly notes: string[] = [];
  eventsTotal = 0;

  constructor(options: ClusterWatchOptions = {}) {
    this.options = options;
    // One connection per watch (HTTP/1.1), plus room for lists and gets.
    const { client, resolved } = openKubeClient({ ...options, timeoutMs: options.timeoutMs ?? 10_000, maxSockets: KINDS.length + 8, signal: this.abort.signal });
    this.client = client;
    this.clusterInfo = { name: clusterNameOf(resolved.contextName || resolved.clusterName), server: redactUrlCredentials(resolved.server) };
  }

  /** The initial list of every kind; the watches run from then on. */
  async start(): Promise<void> {
    let r: KubeResponse;
    try {
      r = await this.client.get('/version', 'get /version');
    } catch (error: unknown) {
      // The credentials could not be had (a failing exec plugin): said as such, not as an unreachable server.
      if (error instanceof CredentialError) throw error;
      throw new ApiUnreachableError(this.client.server, describeTransportError(error));
    }
    if (r.status === 401) throw new ClusterError(`API server at ${this.client.server} rejected the credentials (HTTP 401 Unauthorized): check the kubeconfig user or token`);
    const v = (r.body as { gitVersion?: unknown } | undefined)?.gitVersion;
    if (r.status === 200 && typeof v === 'string') this.clusterInfo.version = v;
    await this.listEverything(false);
    const builtin = [...this.kinds.values()].filter((s) => s.spec.builtin);
    if (builtin.length > 0 && builtin.every((s) => s.coverage.status !== 'ok')) {
      const first = builtin[0]!;
      throw new ClusterError(`API server at ${this.client.server} answered but no kind could be listed (first: ${first.key}: ${first.coverage.status}${first.coverage.detail ? `, ${first.coverage.detail}` : ''}): check the auditor's RBAC binding`);
    }
  }

  /**
   * The scheduled full run's collection: discovery again (a CRD installed since is picked up),
   * every kind re-listed (differences are recorded as changes), the by-name ConfigMaps re-read.
   */
  async relistAll(): Promise<void> {
    await this.listEverything(true);
  }

  private async listEverything(record: boolean): Promise<void> {
    // Stop the running watches; a new generation of loops starts after the lists.
    this.generation++;
    // The client's notes (a retry that succeeded, discovery that failed) are this collection's:
    // those of earlier runs were reported by them.
    this.client.notes.length = 0;
    this.runNotes = [];
    // One deadline for every kind's list, as a run's collection has.
    const bounds = listBounds(this.options);
    const previous = new Map(this.kinds);
    const discovery = await discover(this.client);
    const listed = (KINDS as readonly KindSpec[]).filter((k) => !k.byNameOnly);
    const served = servedApiResources(this.client, discovery, this.options.concurrency ?? 4);
    const fresh = new Map<KindKey, KindState>();
    const undiscovered: KindSpec[] = [];
    // Kinds whose list answered 404 though discovery served them: discovery is asked again.
    const vanished: KindSpec[] = [];
    this.absent.clear();
    await runPool(listed, this.options.concurrency ?? 4, async (spec) => {
      const key = spec.key as KindKey;
      const version = await servedVersion(this.client, spec, discovery);
      if (typeof version !== 'string') {
        if (!version.settled) {
          // Discovery failed: whether the kind is served is unknown, which is not "deleted".
          undiscovered.push(spec);
          const old = previous.get(key);
          if (old) {
            this.keepUndiscovered(old, version.coverage);
            fresh.set(key, old);
            return;
          }
        }
        this.absent.set(key, version.coverage);
        return;
      }
      const st = this.stateFor(spec, version, previous.get(key));
      const listed = await this.list(st, bounds, record);
      if (st.vanished) {
        // Served a moment ago, not now: as the live collector says (its objects held before are recorded deleted below).
        // Until discovery tells, with backoff, whether it is gone or served again (a version
        // upgrade, a CRD deleted and re-created), not until the next scheduled full run.
        this.absent.set(key, { status: 'absent', detail: `${resourceName(spec)} is not served (CRD removed during collection)` });
        vanished.push(spec);
        return;
      }
      fresh.set(key, st);
      if (!listed && st.coverage.status === 'ok') {
        // A kind that cannot be listed now is not held: its checks are not evaluated.
        st.broken = true;
        st.needsList = true;
        this.setCoverage(st, { status: 'error', detail: st.lastError });
      }
    });
    for (const [key, old] of previous) {
      // Served only at a version not read: its objects are there, unread, not deleted.
      if (!fresh.has(key) && record && this.absent.get(key)?.status !== 'error') {
        for (const o of old.objects.values()) this.record(key, 'deleted', o);
      }
    }
    this.kinds.clear();
    for (const [k, v] of fresh) this.kinds.set(k, v);
    this.served = await served;
    await this.readConfigMaps();
    const gen = this.generation;
    this.undiscovered = [...undiscovered, ...vanished];
    if (undiscovered.length > 0) {
      const first = undiscovered[0]!.key as KindKey;
      const failure = discovery.failure ?? this.absent.get(first) ?? { status: 'error' as const };
      const kept = undiscovered.filter((spec) => fresh.has(spec.key as KindKey)).length;
      this.options.log?.warn(`API discovery failed (${discoveryFailure(failure)}): ${undiscovered.length} kind(s) not evaluated until it answers again, ${kept} of them held (kept, not recorded as deleted); retrying with backoff`, { event: 'watch-discovery', status: 'error' });
    }
    this.startLoops(gen);
  }

  /** The watch loop of every kind held, and the discovery retry of the kinds whose version is unknown. */
  private startLoops(gen: number): void {
    const waiting = new Set(this.undiscovered.map((spec) => spec.key));
    this.loops = [...this.kinds.values()].filter((st) => !waiting.has(st.key) && (st.coverage.status === 'ok' || st.coverage.status === 'forbidden' || st.coverage.status === 'error'))
      .map((st) => this.loop(st, gen));
    if (this.undiscovered.length > 0) this.loops.push(this.rediscover(gen));
    if ((this.options.configMapRefreshMs ?? 0) > 0) this.loops.push(this.refreshConfigMapsEvery(this.options.configMapRefreshMs!, gen));
  }

  /** The by-name ConfigMaps, read again every `ms` until the next full re-list (which reads them itself). */
  private async refreshConfigMapsEvery(ms: number, gen: number): Promise<void> {
    const signal = this.abort.signal;
    for (;;) {
      await sleep(ms, signal);
      if (signal.aborted || gen !== this.generation) return;
      await this.refreshConfigMaps(gen);
    }
  }

  /**
   * Reads the by-name ConfigMaps again, every one: one created, changed (its resourceVersion) or
   * gone is recorded as a change ("ConfigMap istio-system/istio updated"), and so is a change of
   * their coverage (a read refused or failing), so the checks reading them are judged again.
   */
  private async refreshConfigMaps(gen: number): Promise<void> {
    await this.oneRead(async () => {
      if (gen !== this.generation || this.abort.signal.aborted) return;
      const before = this.configMaps;
      const now = await this.configMapsNow();
      // A full re-list started meanwhile reads them itself.
      if (gen !== this.generation || this.abort.signal.aborted) return;
      this.heldConfigMaps(before, now);
    });
  }

  /**
   * Before a watch run: when a watched change to a kind the by-name ConfigMap names come from
   * (an ingress controller's --configmap or env, an Istio revision, Cilium's or Calico's
   * workloads: configMapRefs.kinds) was recorded since the names were last computed, they are
   * computed again; a name not read yet is read now (a `get` each, as a full run reads it), one
   * no longer referenced is dropped, the others are kept as last read (the timed refresh reads
   * those again). A read refused or failing makes the ConfigMaps' coverage say so, and the checks
   * reading them are not evaluated, as in a full run. Without this, the run judged a newly named
   * ConfigMap as absent (the controller's defaults: a wrong pass, its finding "resolved").
   * Changes that arrive while the new names are read are caught up with (at most 3 rounds).
   */
  async readReferencedConfigMaps(): Promise<void> {
    for (let round = 0; round < 3 && this.configMapNamesStale && !this.abort.signal.aborted; round++) {
      await this.oneRead(async () => {
        // A refresh or a full re-list read them meanwhile.
        if (!this.configMapNamesStale) return;
        const gen = this.generation;
        const before = this.configMaps;
        const now = await this.configMapsNow(before?.answers);
        if (gen !== this.generation || this.abort.signal.aborted) return;
        this.heldConfigMaps(before, now);
      });
    }
  }

  /** `read`, once every read of the by-name ConfigMaps started before it is done. */
  private oneRead(read: () => Promise<void>): Promise<void> {
    const run = this.configMapReads.then(read, read);
    this.configMapReads = run.catch(() => {});
    return run;
  }

  /**
   * The by-name ConfigMaps read now take the place of those held: each difference a change. A
   * name asked for before and now: "updated" (its resourceVersion), "created" (404 before),
   * "deleted" (404 now). A name asked for only now, or only before: "now referenced", "no longer
   * referenced" (a workload changed which it names; the ConfigMap may exist all along). A read
   * refused or failing, or readable again, is a coverage change, not an object's.
   */
  private heldConfigMaps(before: HeldConfigMaps | null, now: HeldConfigMaps): void {
    const was = before?.answers;
    if (was) {
      const same = (a: KubeObject, b: KubeObject) => (a.metadata?.resourceVersion !== undefined
        ? a.metadata.resourceVersion === b.metadata?.resourceVersion
        : JSON.stringify(a.data ?? null) === JSON.stringify(b.data ?? null));
      let unnamed = false;
      for (const [id, a] of now.answers) {
        const b = was.get(id);
        if (!b) this.record('configmaps', 'referenced', a.status === 'found' ? a.object : configMapStub(id));
        else if (a.status === 'found' && b.status === 'found') { if (!same(b.object, a.object)) this.record('configmaps', 'updated', a.object); }
        else if (a.status === 'found' && b.status === 'not-found') this.record('configmaps', 'created', a.object);
        else if (a.status === 'not-found' && b.status === 'found') this.record('configmaps', 'deleted', b.object);
        else if (a.status !== b.status) unnamed = true;
      }
      for (const [id, b] of was) if (!now.answers.has(id)) this.record('configmaps', 'unreferenced', b.status === 'found' ? b.object : configMapStub(id));
      if (unnamed) {
        this.changedKinds.add('configmaps');
        this.oldestPending ??= Date.now();
        this.options.onChange?.();
      }
    }
    this.configMaps = now;
    const coverage = now.coverage;
    const wasCoverage = before?.coverage;
    if (wasCoverage && (wasCoverage.status !== coverage.status || wasCoverage.detail !== coverage.detail)) {
      this.changedKinds.add('configmaps');
      this.oldestPending ??= Date.now();
      this.options.log?.[coverage.status === 'ok' ? 'info' : 'warn'](`ConfigMaps read by name: coverage ${wasCoverage.status} -> ${coverage.status}${coverage.detail ? ` (${oneLine(coverage.detail)})` : ''}`, { event: 'watch-coverage', kind: 'configmaps', status: coverage.status });
      this.options.onChange?.();
    }
  }

  /** A change to `kind` may change which ConfigMaps are referenced by name (its objects, or whether they are held). */
  private namesMayChange(kind: KindKey): void {
    const refs = this.options.configMapRefs;
    if (!refs || kind === 'configmaps') return;
    if (!refs.kinds || refs.kinds.includes(kind)) this.configMapNamesStale = true;
  }

  /** A kind held before whose served version discovery could not tell: its objects are kept, its checks not evaluated. */
  private keepUndiscovered(st: KindState, failure: CoverageEntry): void {
    st.broken = true;
    st.needsList = true;
    st.watching = false;
    this.setCoverage(st, { status: 'error', detail: `whether ${resourceName(st.spec)} is still served is unknown: API discovery failed (${discoveryFailure(failure)})` });
  }

  /**
   * Discovery again, with backoff, until it answers for every kind in `undiscovered`: a kind
   * served is listed and watched again (its coverage ok once the watch proves to work, as after
   * any failure), one that is not served any more is absent and its objects are recorded deleted.
   */
  private async rediscover(gen: number): Promise<void> {
    const signal = this.abort.signal;
    const started: Promise<void>[] = [];
    let attempts = 0;
    this.rediscovering = gen;
    while (this.undiscovered.length > 0 && !signal.aborted && gen === this.generation) {
      attempts++;
      await sleep(this.backoffAfter(attempts), signal);
      if (signal.aborted || gen !== this.generation) break;
      const discovery = await discover(this.client);
      if (gen !== this.generation) break;
      if (discovery.failure) {
        // A kind handed over by a 404 was still evaluated; not while whether it is served is unknown.
        for (const spec of this.undiscovered) {
          const old = this.kinds.get(spec.key as KindKey);
          if (old?.coverage.status === 'ok') this.keepUndiscovered(old, discovery.failure);
        }
        continue;
      }
      // Taken out of the list: a kind handed over again (a 404) while this round asks is put
      // back by handOver and survives the round, whether or not it was in this batch.
      const batch = this.undiscovered.splice(0);
      const still: KindSpec[] = [];
      for (const spec of batch) {
        const key = spec.key as KindKey;
        const version = await servedVersion(this.client, spec, discovery);
        if (gen !== this.generation) break;
        const old = this.kinds.get(key);
        if (typeof version !== 'string') {
          if (!version.settled) {
            still.push(spec);
            continue;
          }
          // Not served, or served only at a version ztaudit does not read (a CRD upgraded past
          // it): discovery's answer, looked at again when discovery is next refreshed (the
          // next full re-list), as a CRD installed meanwhile is. Not a failure to retry.
          const now = version.coverage;
          const was = this.absent.get(key);
          this.absent.set(key, now);
          // A kind a full re-list already found absent (its list answered 404) is absent still: no change.
          if (!old && was?.status === now.status && (now.status === 'absent' || was.detail === now.detail)) continue;
          if (old) {
            // Objects of a kind served at a version not read are there, unread: not deleted.
            if (now.status === 'absent') for (const o of old.objects.values()) this.record(key, 'deleted', o);
            this.kinds.delete(key);
          }
          // Its coverage changes: a re-audit says so.
          this.changedKinds.add(key);
          this.namesMayChange(key);
          this.oldestPending ??= Date.now();
          this.options.onChange?.();
          if (now.status === 'absent') this.options.log?.info(`watch ${resourceName(spec)}: not served any more (${oneLine(now.detail ?? now.status)}); its checks are judged without it`, { event: 'watch-coverage', kind: key, status: 'absent' });
          else this.options.log?.warn(`watch ${resourceName(spec)}: ${oneLine(now.detail ?? now.status)}; its checks are not evaluated until a full re-list finds it served at a version ztaudit reads`, { event: 'watch-coverage', kind: key, status: now.status });
          continue;
        }
        const before = old?.coverage ?? this.absent.get(key) ?? { status: 'error' as const };
        const st = this.stateFor(spec, version, old);
        // A kind that answered 404 and is served (at another version, or a passing glitch): its failures count on.
        st.failures = Math.max(old?.failures ?? 0, old?.vanished ? 1 : 0);
        // Not evaluated until a list and a watch show the kind is back (the loop clears it).
        st.broken = true;
        st.needsList = true;
        st.coverage = before;
        this.absent.delete(key);
        this.kinds.set(key, st);
        started.push(this.loop(st, gen));
      }
      if (gen !== this.generation) break;
      // Kinds handed over (a 404) while discovery was asked wait for the next round.
      this.undiscovered = [...still, ...this.undiscovered.filter((spec) => !still.includes(spec))];
      if (this.undiscovered.length === 0) {
        this.options.log?.info('API discovery answers again: the kinds it could not tell are listed and watched again', { event: 'watch-discovery', status: 'ok' });
        // As a full collection would: the groups that answered, and those that did not named.
        this.served = await servedApiResources(this.client, discovery, this.options.concurrency ?? 4);
      }
    }
    if (this.rediscovering === gen) this.rediscovering = -1;
    await Promise.allSettled(started);
  }

  /**
   * A CRD kind answered 404 (its CRD was deleted, or the version watched is no longer served):
   * API discovery, with backoff, tells which (rediscover), as the live collector's 404 says
   * 'absent'. Its coverage stays as it was meanwhile: a second or so, not a coverage loss.
   */
  private handOver(st: KindState, gen: number): void {
    st.watching = false;
    this.options.log?.info(`watch ${resourceName(st.spec)}: not found (HTTP 404); asking API discovery whether it is still served`, { event: 'watch-discovery', kind: st.key });
    if (!this.undiscovered.includes(st.spec)) this.undiscovered.push(st.spec);
    if (this.rediscovering !== gen) this.loops.push(this.rediscover(gen));
  }

  private backoffAfter(attempts: number): number {
    const base = this.options.backoff?.baseMs ?? 1_000;
    const max = this.options.backoff?.maxMs ?? 30_000;
    const ms = Math.min(max, base * 2 ** Math.max(0, attempts - 1));
    return ms / 2 + Math.random() * (ms / 2);
  }

  private stateFor(spec: KindSpec, version: string, old: KindState | undefined): KindState {
    const key = spec.key as KindKey;
    return {
      spec, key, path: `${basePathOf(spec, version)}/${spec.resource}`, apiVersion: spec.group ? `${spec.group}/${version}` : version,
      objects: old?.objects ?? new Map(), resourceVersion: '', coverage: { status: 'ok', count: 0 }, needsList: false,
      failures: 0, events: old?.events ?? 0, broken: false, watching: false, lastError: '', watchError: null, expired: false, vanished: false,
      malformed: new Map(), loggedStatus: old?.loggedStatus ?? null, refusedSince: null,
    };
  }

  private async readConfigMaps(): Promise<void> {
    await this.oneRead(async () => { this.configMaps = await this.configMapsNow(); });
  }

  /**
   * The by-name ConfigMaps read now, with their coverage and the notes of the reads. Which to read
   * is asked of a view of the kinds configMapRefs declares it reads (every kind held when it
   * declares none), not of every object held: the refresh builds it every minute to throw it away.
   */
  private async configMapsNow(known?: ReadonlyMap<string, ConfigMapAnswer>): Promise<HeldConfigMaps> {
    const refs = this.options.configMapRefs;
    // The names are computed from what is held now: a change recorded from here on may change them again.
    this.configMapNamesStale = false;
    const partial = this.snapshot(refs?.kinds);
    const before = partial.notes.length;
    const answers = await collectConfigMaps(this.client, partial, { configMapRefs: refs }, this.options.concurrency ?? 4, known);
    return { items: partial.resources.configmaps ?? [], coverage: partial.coverage.configmaps ?? { status: 'error' }, notes: partial.notes.slice(before), notFound: partial.configMapsNotFound ?? [], answers };
  }

  /**
   * Lists one kind (all pages); with `record`, what differs from the objects held becomes changes.
   * `inLoop`: the kind's watch loop re-lists it, where a 403 is forbidden only once it lasts (FORBIDDEN_AFTER_MS).
   * A list that would never end (ListPages: a continue token handed back again, empty pages in
   * a row with a token, past `bounds`' deadline) failed like any list: the kind is `error` at
   * start and at a full re-list, after failAfter in its loop, and its loop tries again with backoff.
   */
  private async list(st: KindState, bounds: ListBounds, record: boolean, inLoop = false): Promise<boolean> {
    const what = `list ${resourceName(st.spec)}`;
    const paging = new ListPages(what, bounds);
    const late = paging.late();
    if (late) {
      this.failed(st, late);
      return false;
    }
    const items = new Map<string, KubeObject>();
    // Each item is slimmed as soon as it is parsed (as the live collector does): the page's text
    // and whole objects are never held.
    const slimItem = (item: unknown) => listedObject(st.spec, st.apiVersion, item);
    let restarts = 0;
    let cont = '';
    let rv = '';
    for (;;) {
      const overdue = cont ? paging.overdue(items.size) : undefined;
      if (overdue) {
        this.failed(st, overdue);
        return false;
      }
      const query = `?limit=${Math.max(1, this.options.pageSize ?? 500)}${selectorQuery(st.spec)}${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`;
      let r: KubeResponse;
      try {
        r = await this.client.request('GET', st.path + query, what, { items: slimItem });
      } catch (error: unknown) {
        this.failed(st, `${what} failed: ${transportReason(error)}`, triesOf(error));
        return false;
      }
      if (r.status === 410 && cont) {
        // The continue token expired: the list starts over without it (Kubernetes API concepts,
        // "Retrieving large results sets in chunks"), as many times as the live collector does.
        // Past that it failed like any list, so the loop's backoff and the 'error' coverage apply
        // instead of listing again at once, forever.
        if (restarts >= LIST_RESTARTS_MAX) {
          this.failed(st, expiredListDetail(what, r));
          return false;
        }
        restarts++;
        noteListRestarted(this.client.notes, what);
        cont = '';
        items.clear();
        paging.restart();
        continue;
      }
      if (r.status === 403) { this.refused(st, forbiddenDetail(`list ${resourceName(st.spec)} at cluster scope`, r), inLoop); return false; }
      if (r.status === 404 && !st.spec.builtin) {
        // Its CRD was deleted (or its version is no longer served): not a failure of the list.
        st.vanished = true;
        return false;
      }
      const body = r.body as { items?: unknown; metadata?: { continue?: unknown; resourceVersion?: unknown } } | undefined;
      if (r.status !== 200 || !body || !Array.isArray(body.items)) {
        this.failed(st, `${what} failed: ${r.status === 200 ? 'response is not a list' : statusMessage(r)}`);
        return false;
      }
      for (const item of body.items as KubeObject[]) {
        const refused = listedShapeProblem(st.spec, item, items.size);
        if (refused) { this.failed(st, `${what}: ${refused}`); return false; }
        items.set(idOf(item), item);
      }
      if (typeof body.metadata?.resourceVersion === 'string') rv = body.metadata.resourceVersion;
      const next = body.metadata?.continue;
      if (typeof next !== 'string' || next === '') break;
      const endless = paging.endless(next, body.items.length, items.size);
      if (endless) {
        this.failed(st, endless);
        return false;
      }
      cont = next;
    }
    if (record) {
      for (const [id, o] of items) {
        const old = st.objects.get(id);
        if (!old) this.record(st.key, 'created', o);
        else if (old.metadata?.resourceVersion !== o.metadata?.resourceVersion) this.record(st.key, 'updated', o);
      }
      for (const [id, o] of st.objects) if (!items.has(id)) this.record(st.key, 'deleted', o);
    }
    st.objects = items;
    st.malformed.clear();
    // A list answering does not end a run of 403s: `watch` is a verb of its own, and a watch
    // refused after every working list must still become forbidden (only a watch proven to
    // work, or another failure, ends it).
    st.resourceVersion = rv;
    st.needsList = false;
    // A kind whose watch is refused stays as it is until a watch opens again.
    if (!st.broken) this.setCoverage(st, { status: 'ok' });
    return true;
  }

  /** A working kind's coverage: `error` naming the first object an event brought malformed while any is held, else ok. */
  private heldCoverage(st: KindState): CoverageEntry {
    const first = st.malformed.values().next();
    if (first.done) return { status: 'ok' };
    const more = st.malformed.size > 1 ? ` (and ${st.malformed.size - 1} more)` : '';
    return { status: 'error', detail: `watch ${resourceName(st.spec)}: ${first.value}${more}` };
  }

  /** `why` is for the log line only: a coverage change is a change of status or detail, nothing else (an attempt counter would make every retry one). */
  private setCoverage(st: KindState, c: CoverageEntry, why?: string): void {
    const before = st.coverage;
    st.coverage = c;
    const was = st.loggedStatus;
    st.loggedStatus = c.status;
    if (before.status !== c.status || before.detail !== c.detail) {
      this.changedKinds.add(st.key);
      this.namesMayChange(st.key);
      this.oldestPending ??= Date.now();
      const said = [c.detail, why].filter(Boolean).join('; ');
      if (was !== c.status && !(was === null && c.status === 'ok')) {
        this.options.log?.[c.status === 'ok' ? 'info' : 'warn'](`watch ${resourceName(st.spec)}: coverage ${was === null ? '' : `${was} -> `}${c.status}${said ? ` (${said})` : ''}`, { event: 'watch-coverage', kind: st.key, status: c.status });
      }
      this.options.onChange?.();
    }
  }

  /** `lasting`: forbidden only once 403s have gone on for FORBIDDEN_AFTER_MS (a kind's loop); before that a failed attempt. */
  private refused(st: KindState, detail: string, lasting = false): void {
    st.needsList = true;
    st.failures++;
    const now = Date.now();
    st.refusedSince ??= now;
    const after = this.options.forbiddenAfterMs ?? FORBIDDEN_AFTER_MS;
    if (lasting && st.coverage.status !== 'forbidden' && now - st.refusedSince < after) {
      st.lastError = detail;
      if (st.refusedSince === now) this.options.log?.warn(`watch ${resourceName(st.spec)}: answered 403 Forbidden (${oneLine(detail)}); retrying with backoff (an API server refuses for a moment while it starts); forbidden if it lasts ${after / 1000} s`, { event: 'watch-retry', kind: st.key });
      return;
    }
    st.broken = true;
    this.setCoverage(st, { status: 'forbidden', detail });
  }

  /** `tries` (how often the client retried the last attempt, and for how long) is for the log line only, as setCoverage's `why`. */
  private failed(st: KindState, detail: string, tries?: string): void {
    st.refusedSince = null;
    st.failures++;
    st.lastError = detail;
    st.needsList = st.needsList || st.failures > 1;
    if (st.failures >= (this.options.failAfter ?? 3)) {
      st.broken = true;
      st.needsList = true;
      this.setCoverage(st, { status: 'error', detail }, [tries, `${st.failures} attempts in a row`].filter(Boolean).join('; '));
    }
  }

  private record(kind: KindKey, type: ChangeType, o: KubeObject): void {
    const change: WatchChange = { kind, type, name: String(o.metadata?.name ?? ''), at: Date.now(), ...(o.metadata?.namespace ? { namespace: String(o.metadata.namespace) } : {}) };
    if (this.pending.length < PENDING_MAX) this.pending.push(change);
    else this.pendingDropped++;
    this.changedKinds.add(kind);
    this.namesMayChange(kind);
    this.oldestPending ??= change.at;
    this.options.onChange?.();
  }

  /** Whether the event changed what is held (a BOOKMARK, an ERROR or an object replayed as it was does not). */
  private onEvent(st: KindState, raw: unknown): boolean {
    const ev = raw as { type?: unknown; object?: KubeObject & { code?: unknown } } | null;
    const o = ev?.object;
    if (!ev || !o || typeof o !== 'object') return false;
    st.events++;
    this.eventsTotal++;
    const rv = o.metadata?.resourceVersion;
    switch (ev.type) {
      case 'BOOKMARK':
        if (typeof rv === 'string') st.resourceVersion = rv;
        return false;
      case 'ERROR': {
        // 410 Gone: the version we asked for is too old (re-list). Anything else (a 500 from
        // etcd, a 504 with retryAfterSeconds) is a failed attempt: the loop waits before the next.
        if (o.code === 410) { st.expired = true; return false; }
        const status = o as { code?: unknown; reason?: unknown; message?: unknown; details?: { retryAfterSeconds?: unknown } };
        const retry = status.details?.retryAfterSeconds;
        const said = [status.code, status.reason].filter((x) => typeof x === 'number' || (typeof x === 'string' && x !== '')).join(' ');
        st.watchError = {
          detail: `the server ended the watch with an ERROR event${said ? ` (${said})` : ''}${typeof status.message === 'string' && status.message ? `: ${status.message}` : ''}`,
          retryAfterMs: typeof retry === 'number' && Number.isFinite(retry) && retry > 0 ? Math.min(retry, RETRY_AFTER_MAX_S) * 1000 : 0,
        };
        return false;
      }
      case 'ADDED':
      case 'MODIFIED': {
        o.apiVersion = st.apiVersion;
        o.kind = st.spec.kind;
        const id = idOf(o);
        const old = st.objects.get(id);
        if (typeof rv === 'string') st.resourceVersion = rv;
        // The shape gate a list applies (listedShapeProblem): an object the checks cannot read
        // is not held, and its kind is `error` until it is deleted or sent clean again.
        const problem = listedShapeProblem(st.spec, o, 0);
        if (problem) {
          st.malformed.set(id, problem);
          if (old) st.objects.delete(id);
          if (!st.broken) this.setCoverage(st, this.heldCoverage(st));
          this.record(st.key, old ? 'updated' : 'created', o);
          return true;
        }
        st.objects.set(id, slimObject(st.key, o));
        if (st.malformed.delete(id) && !st.broken) this.setCoverage(st, this.heldCoverage(st));
        if (!old) this.record(st.key, 'created', o);
        else if (old.metadata?.resourceVersion !== rv) this.record(st.key, 'updated', o);
        else return false;
        return true;
      }
      case 'DELETED': {
        const wasMalformed = st.malformed.delete(idOf(o));
        if (wasMalformed && !st.broken) this.setCoverage(st, this.heldCoverage(st));
        const held = st.objects.delete(idOf(o));
        if (held || wasMalformed) this.record(st.key, 'deleted', o);
        if (typeof rv === 'string') st.resourceVersion = rv;
        return held || wasMalformed;
      }
      default:
        return false;
    }
  }

  /**
   * A 410 Gone (an ERROR event or the response): the resourceVersion fell out of the server's
   * window, so re-list. The first after a working watch is a compaction, re-listed at once;
   * each one in a row after it is a failed attempt, with backoff and coverage 'error' after
   * failAfter, as client-go's reflector backs off before every re-list and resets once healthy
   * (tools/cache/reflector.go: RunWithContext's delayHandler). A server or proxy that answers
   * 410 to every watch must not be re-listed thousands of times a second while reading 'ok'.
   */
  private async gone(st: KindState, signal: AbortSignal): Promise<void> {
    const first = st.failures === 0;
    st.expired = false;
    st.needsList = true;
    // The resourceVersion is the server's text: kept on its line.
    this.options.log?.info(`watch ${resourceName(st.spec)}: resourceVersion ${oneLine(st.resourceVersion)} is too old (410 Gone); re-listing`, { event: 'watch-relist', kind: st.key });
    this.failed(st, `watch ${resourceName(st.spec)} failed: the server answers 410 Gone (resourceVersion too old) even right after a re-list`);
    if (!first) await sleep(this.backoffMs(st), signal);
  }

  private backoffMs(st: KindState): number {
    return this.backoffAfter(st.failures);
  }

  private async loop(st: KindState, gen: number): Promise<void> {
    const signal = this.abort.signal;
    const timeoutSeconds = this.options.watchTimeoutSeconds ?? 300;
    const what = `watch ${resourceName(st.spec)}`;
    while (!signal.aborted && gen === this.generation) {
      if (st.needsList || st.resourceVersion === '') {
        if (!(await this.list(st, listBounds(this.options), true, true))) {
          if (st.vanished) return this.vanishedIn(st, 'list', gen, signal);
          await sleep(this.backoffMs(st), signal);
          continue;
        }
        if (gen !== this.generation) return;
      }
      const jitter = Math.floor(timeoutSeconds * (0.9 + Math.random() * 0.2));
      const path = `${st.path}?watch=1&allowWatchBookmarks=true${selectorQuery(st.spec)}&resourceVersion=${encodeURIComponent(st.resourceVersion)}&timeoutSeconds=${jitter}`;
      const stop = new AbortController();
      const stopIfStale = setInterval(() => { if (gen !== this.generation) stop.abort(); }, 1_000);
      stopIfStale.unref();
      // A broken kind is ok again once its watch proves to work: an event that changes an object,
      // or WATCH_MIN_MS open, or a clean end. Not at the 200 alone: a server that answers 200 then
      // an ERROR event every time would flip the coverage back and forth on every attempt. Nor at
      // a BOOKMARK or an object replayed as it was: a server that sends one before every 410 would
      // make each 410 the "first" (re-listed at once), a loop of lists and watches.
      let proven: ReturnType<typeof setTimeout> | undefined;
      const recover = () => {
        clearTimeout(proven);
        if (gen !== this.generation || st.watchError) return;
        // A working watch ends a run of failures: the next one starts counting (and backing off) afresh.
        st.failures = 0;
        st.refusedSince = null;
        if (!st.broken) return;
        // Events were missed while it was down, so the re-list above made the objects current;
        // now the coverage can say so.
        st.broken = false;
        this.setCoverage(st, this.heldCoverage(st));
      };
      st.watchError = null;
      st.expired = false;
      const eventsBefore = st.events;
      const opened = Date.now();
      let r: KubeResponse;
      try {
        r = await this.client.watch(path, (ev) => {
          if (gen !== this.generation) return;
          if (this.onEvent(st, ev)) recover();
        }, (jitter + 30) * 1000, AbortSignal.any([signal, stop.signal]), (status) => {
          if (status !== 200 || gen !== this.generation) return;
          st.watching = true;
          if (st.broken || st.failures > 0) proven = setTimeout(recover, WATCH_MIN_MS);
        });
      } catch (error: unknown) {
        st.watching = false;
        if (signal.aborted || gen !== this.generation) return;
        this.failed(st, `${what} failed: ${transportReason(error)}`, triesOf(error));
        await sleep(this.backoffMs(st), signal);
        continue;
      } finally {
        clearInterval(stopIfStale);
        clearTimeout(proven);
      }
      st.watching = false;
      if (signal.aborted || gen !== this.generation) return;
      if (r.status === 410 || (r.status === 200 && st.expired)) {
        await this.gone(st, signal);
        continue;
      }
      if (r.status === 404 && !st.spec.builtin) return this.vanishedIn(st, 'watch', gen, signal);
      if (r.status === 200) {
        const ended = st.watchError as KindState['watchError']; // set by onEvent, during the watch
        const bad = ended?.detail ?? (st.events === eventsBefore && Date.now() - opened < WATCH_MIN_MS ? 'the server ended the watch at once with no events' : null);
        if (bad === null) {
          // The server ended the watch (timeoutSeconds): watch again.
          st.failures = 0;
          recover();
          continue;
        }
        const retryAfterMs = ended?.retryAfterMs ?? 0;
        st.watchError = null;
        this.failed(st, `${what} failed: ${bad}`);
        const waitMs = Math.max(retryAfterMs, this.backoffMs(st));
        // One line when a run of failures starts; the coverage change says when it lasts.
        if (st.failures === 1) this.options.log?.warn(`${what}: ${oneLine(bad)}; retrying in ${(waitMs / 1000).toFixed(1)} s${retryAfterMs > 0 ? ' (as the server asked)' : ''}, then with backoff`, { event: 'watch-retry', kind: st.key });
        await sleep(waitMs, signal);
        continue;
      }
      if (r.status === 403) {
        this.refused(st, forbiddenDetail(`${what} at cluster scope`, r), true);
      } else {
        this.failed(st, `${what} failed: ${statusMessage(r)}`);
      }
      await sleep(this.backoffMs(st), signal);
    }
  }

  /** The loop of a CRD kind that answered 404 ends: discovery says whether it is still served. */
  private async vanishedIn(st: KindState, verb: 'list' | 'watch', gen: number, signal: AbortSignal): Promise<void> {
    // The first is not a failure (a CRD deleted is not one). A kind discovery keeps calling
    // served while it answers 404 is counted from then on: backoff, and an error after failAfter.
    if (st.failures > 0) {
      this.failed(st, `${verb} ${resourceName(st.spec)} failed: HTTP 404 (not found), though API discovery says it is served`);
      await sleep(this.backoffMs(st), signal);
    }
    if (signal.aborted || gen !== this.generation) return;
    this.handOver(st, gen);
  }

  /** Drops a kind's watch and reconnects from `resourceVersion` (a too-old one makes the server answer 410 Gone). */
  rewatchFrom(kind: KindKey, resourceVersion: string): void {
    const st = this.kinds.get(kind);
    if (!st) throw new Error(`${kind} is not watched`);
    this.generation++;
    st.resourceVersion = resourceVersion;
    // Every kind's loop restarts (a new generation) from its own resourceVersion, and so does the retry of discovery.
    this.startLoops(this.generation);
  }

  /**
   * The objects held now, as a Snapshot (a fresh object: models memoised on an older one are not
   * reused); with `kinds`, only those kinds' objects and coverage (the by-name ConfigMaps are
   * then left out unless named).
   */
  snapshot(kinds?: readonly KindKey[]): Snapshot {
    const only = kinds ? new Set(kinds) : undefined;
    const coverage: Snapshot['coverage'] = {};
    const resources: Snapshot['resources'] = {};
    for (const [key, c] of this.absent) {
      if (only && !only.has(key)) continue;
      coverage[key] = c;
      resources[key] = [];
    }
    for (const [key, st] of this.kinds) {
      if (only && !only.has(key)) continue;
      const ok = st.coverage.status === 'ok';
      resources[key] = ok ? [...st.objects.values()] : [];
      coverage[key] = ok ? { status: 'ok', count: st.objects.size } : st.coverage;
    }
    const notes = [...this.runNotes, ...this.client.notes, ...this.notes];
    let configMapsNotFound: string[] = [];
    if (this.configMaps && (!only || only.has('configmaps'))) {
      resources.configmaps = this.configMaps.items;
      coverage.configmaps = this.configMaps.coverage;
      notes.push(...this.configMaps.notes);
      configMapsNotFound = this.configMaps.notFound;
    }
    return {
      schemaVersion: SNAPSHOT_SCHEMA_VERSION,
      cluster: { ...this.clusterInfo },
      collectedAt: new Date().toISOString(),
      source: 'live',
      origin: 'live',
      coverage,
      resources,
      ...(this.served ? { apiResources: this.served.apiResources } : {}),
      ...(this.served && this.served.missing.length > 0 ? { apiResourcesMissing: this.served.missing } : {}),
      ...(configMapsNotFound.length > 0 ? { configMapsNotFound } : {}),
      notes,
    };
  }

  /** The changes since the last call (and the kinds they touched, coverage changes included). */
  takeChanges(): { changes: WatchChange[]; dropped: number; kinds: Set<KindKey>; since: number | null } {
    // A change to a kind that is broken (refused or failing, or re-listed while its watch has not
    // yet proven to work) is not judged by this run: the kind's checks are not evaluated. It
    // waits, in its place, for the run that sees the kind again (its coverage change starts one),
    // which then names it among the likely causes of what it finds. Taken now, that run found the
    // regression with no cause to name.
    const blind = (c: WatchChange) => this.kinds.get(c.kind)?.broken === true;
    const waiting = this.pending.some(blind) ? this.pending.filter(blind) : [];
    const taken = waiting.length > 0 ? this.pending.filter((c) => !blind(c)) : this.pending;
    const out = { changes: taken, dropped: this.pendingDropped, kinds: this.changedKinds, since: this.oldestPending };
    // The client's notes since the last batch are this run's (snapshot() reports them), not every later run's.
    this.runNotes = this.client.notes.splice(0);
    this.pending = waiting;
    this.pendingDropped = 0;
    this.changedKinds = new Set();
    // The lag (/metrics) is the age of the oldest change no run has judged: a held one counts.
    let oldest: number | null = null;
    for (const c of waiting) if (oldest === null || c.at < oldest) oldest = c.at;
    this.oldestPending = oldest;
    return out;
  }

  /**
   * A batch whose watch run failed: its changes (ahead of any since, within the pending cap),
   * its kinds and its age wait for the next run, which names them.
   */
  giveBack(batch: ReturnType<ClusterWatch['takeChanges']>): void {
    const back = batch.changes.slice(0, Math.max(0, PENDING_MAX - this.pending.length));
    this.pendingDropped += batch.dropped + batch.changes.length - back.length;
    this.pending = [...back, ...this.pending];
    for (const k of batch.kinds) this.changedKinds.add(k);
    if (batch.since !== null) this.oldestPending = Math.min(this.oldestPending ?? batch.since, batch.since);
  }

  /** Whether changes are waiting for a re-audit. */
  hasChanges(): boolean {
    return this.changedKinds.size > 0;
  }

  /** For /metrics: the age of the oldest change not yet audited, events per kind, and each kind's watch state. */
  metrics(): { lagSeconds: number; events: Record<string, number>; watching: Record<string, boolean> } {
    const events: Record<string, number> = {};
    const watching: Record<string, boolean> = {};
    for (const [key, st] of this.kinds) {
      events[key] = st.events;
      watching[key] = st.watching && st.coverage.status === 'ok';
    }
    return { lagSeconds: this.oldestPending === null ? 0 : (Date.now() - this.oldestPending) / 1000, events, watching };
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled(this.loops);
    this.client.close();
  }
}

