// The Kubernetes-native run store (`--history k8s://NAMESPACE/NAME`): for a CronJob that
// has no volume. Everything lives in namespaced ConfigMaps, so the auditor needs only a
// Role in that namespace (configmaps: get, list, create, update, delete).
//
//   NAME              the index: every stored run's summary, the lock, the next sequence
//   NAME-r<seq>-<i>   one run in compact form (see compact.ts), gzip in binaryData, split
//                     into chunks so each object stays well under the 1 MiB limit
//
// Every object carries the labels ztaudit.io/history=NAME and ztaudit.io/part=index|run; a
// store replaces and deletes only its own run objects (so labelled and so named, whatever an
// index entry names), and a new store may not be named like another's.
//
// The index is the commit point and is only ever replaced with its resourceVersion
// (compare-and-swap): a run's objects are written first and become visible only when the
// index names them, so a writer killed mid-save leaves at most unreferenced objects, which
// the next save deletes. Retention evicts the oldest runs (by count and age per cluster, and
// by the index's own size).
//
// The lock is a field of the index, taken and renewed by compare-and-swap, so two runs can
// never both hold it. It is a lease: the holder renews its heartbeat every quarter of the
// lease (60 s by default), and a lock whose heartbeat is older than the lease is free. The
// holder is identified by a random id per process, not only pid and host: a container that
// restarts comes back as pid 1 on the same pod name, and must not mistake its dead previous
// incarnation's lock for a live run. A pid means something only in its PID namespace, and a
// host name is no proof of one: hostNetwork pods on a node share the node's name, and each
// container is pid 1 in its own namespace. So the lock also names the holder's PID namespace
// (the kernel's boot id and the namespace's inode), and only a holder in ours whose pid is
// gone, or is ours with another process id, is known dead at once. A holder that has gone
// silent (no renewal for half a lease), or that shares our host name from another PID
// namespace, is waited out until its lease ends (refused as soon as it renews) rather than
// reported as a concurrent run — so a restarted pod's start-up run neither fails nor alerts.
//
// get() returns a report reconstructed from the compact form: scores, checks, findings by
// fingerprint with check/severity/resource/waiver, RBAC breadth, coverage, the run's diff —
// enough for `ztaudit diff`, `history` and `report`, without messages or evidence.
import { randomUUID } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { gzipJson, parseGzipJson } from './gzip-json.ts';
import type { Config } from '../config/types.ts';
import { KubeApiError, openKubeClient } from '../kube/client.ts';
import { configMapsIn, type ConfigMap, type ConfigMapApi } from '../kube/configmaps.ts';
import { HistoryError, UnreadableRunError, errorMessage } from '../base/errors.ts';
import { clip, clusterNameOf, sameCluster } from '../base/plain-text.ts';
import type { TrendPoint } from '../run/types.ts';
import type { NotificationOutcome, RunReport, SaveOptions, StoredRunRead, WrittenReport } from '../run/types.ts';
import { compactRun, expandRun, type CompactRun } from './compact.ts';
import { baselineRunIds, diffedAgainst, keptBaselineRunIds, listSummaries, refusedMessage, asStoredReport, retentionCutoff, storedSummary, summarizeRun, trendPointOf, withRecordedNotifications, NO_RUNS, type ClusterRuns, type RunStore } from './run-store.ts';
import type { RunSummary } from '../run/types.ts';

export const K8S_INDEX_SCHEMA_VERSION = 1;
/** The longest notifier detail an index entry keeps (recordNotifications). */
const MAX_OUTCOME_DETAIL = 500;
const INDEX_KEY = 'index.json';
const PART_KEY = 'run.json.gz.part';
/** Bytes of gzip per object; base64 makes it ~700 KiB, under the 1 MiB object limit. */
export const CHUNK_BYTES = 512 * 1024;
/** The index itself must fit in one object too; the oldest runs go first when it would not. */
const MAX_INDEX_CHARS = 900 * 1024;
const CAS_ATTEMPTS = 8;
/** NAME-r<seq>-<i>: the objects of store NAME's runs. */
const RUN_OBJECT_NAME = /^(.+)-r(\d+)-\d+$/;

interface IndexEntry {
  id: string;
  startedAt: string;
  cluster: string;
  objects: string[];
  summary: RunSummary;
}

/**
 * An item of the index's runs list that is no stored run (a hand edit: `null`, a number, an
 * object without an id). Passed over by every read and written back where it was: it may be the
 * only trace of a run someone can still repair (until `history forget` removes the cluster it names).
 */
interface DamagedEntry {
  /** Its place in the runs list as read (0: the oldest), as `runs[N]` names it. */
  position: number;
  value: unknown;
  why: string;
  /** Which it is across reads, when entries before it come and go: its text and how many alike precede it. */
  key: string;
}

interface K8sLock {
  token: string;
  pid: number;
  host: string;
  since: string;
  heartbeat: string;
  /** Random per process (absent in locks written before it existed). */
  processId?: string;
  /** The holder's PID namespace (PID_NAMESPACE), in which its pid means something. */
  pidNamespace?: string;
  /** The lease the holder renews within; absent: the reader's own. */
  leaseSeconds?: number;
}

/** This process among all others, including an earlier one with the same pid and host. */
const PROCESS_ID = randomUUID();

/**
 * This process's PID namespace across all machines: the boot id tells kernels apart (each
 * boot draws a new one) and /proc/self/ns/pid names the namespace within one, as
 * `pid:[INODE]` (namespaces(7): "if two processes are in the same namespace, then the device
 * IDs and inode numbers of their /proc/PID/ns/xxx symbolic links will be the same"). An inode
 * reused after its namespace ended only ever names a dead holder's. Elsewhere than Linux,
 * unknown: no holder's pid is trusted, its lease is waited out.
 */
const PID_NAMESPACE = ((): string | undefined => {
  try {
    return `${readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()}/${readlinkSync('/proc/self/ns/pid')}`;
  } catch {
    return undefined;
  }
})();
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface K8sIndex {
  schemaVersion: number;
  nextSeq: number;
  /** In insertion order, oldest first (never re-sorted by timestamp). */
  runs: IndexEntry[];
  lock: K8sLock | null;
  /**
   * The runs list as read, damaged entries included, and those entries; never written as such:
   * writeIndex puts each damaged entry back in its place among the runs still kept.
   */
  read?: { runs: unknown[]; damaged: DamagedEntry[] };
}

/** Why `value` is not an entry of the index's runs list (what every read of a run relies on), or null. */
function entryProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const e = value as Record<string, unknown>;
  for (const key of ['id', 'startedAt', 'cluster'] as const) if (typeof e[key] !== 'string') return `its ${key} is not text`;
  if (!Array.isArray(e.objects) || !e.objects.every((o) => typeof o === 'string')) return 'its objects are not a list of ConfigMap names';
  return null;
}

/** The cluster a damaged entry still names (as `history` lists it), if its `cluster` is still text. */
function damagedClusterOf(d: DamagedEntry): string | undefined {
  const { cluster } = (typeof d.value === 'object' && d.value !== null && !Array.isArray(d.value) ? d.value : {}) as { cluster?: unknown };
  return typeof cluster === 'string' ? cluster : undefined;
}

/** Values a damaged entry is searched through for the run-object names it still holds (a hand edit is small; this bounds a hostile one). */
const MAX_WALK = 100_000;
const MAX_DEPTH = 32;

/**
 * Every string in `value`, at any depth, member names included, that `wanted` accepts; a
 * damaged entry's `objects` may have become a string (`kubectl edit` flattening a one-item
 * list), an object or be nested anywhere else in it.
 */
function stringsIn(value: unknown, wanted: (s: string) => boolean): string[] {
  const found: string[] = [];
  const stack: Array<[unknown, number]> = [[value, 0]];
  for (let seen = 0; stack.length > 0 && seen < MAX_WALK; seen++) {
    const [v, depth] = stack.pop()!;
    if (typeof v === 'string') {
      if (wanted(v)) found.push(v);
    } else if (typeof v === 'object' && v !== null && depth < MAX_DEPTH) {
      for (const [k, child] of Object.entries(v)) {
        if (!Array.isArray(v) && wanted(k)) found.push(k);
        stack.push([child, depth + 1]);
      }
    }
  }
  return found;
}

export interface K8sStoreOptions {
  kubeconfigPath?: string;
  context?: string;
  env?: Record<string, string | undefined>;
  retention: Config['history']['retention'];
  now: () => Date;
  /** The lock's lease: a heartbeat older than this is stale (default 60 s, renewed every quarter). */
  lockTtlMs?: number;
  /** Tests hand in the ConfigMap calls directly. */
  api?: ConfigMapApi;
  /** Told once per damaged entry of the index's runs list, which every read passes over. */
  warn?: (line: string) => void;
}

/** Why a Kubernetes API call failed, in one line. */
/**
 * Every run's entry shares the index's one ConfigMap (1 MiB): a notifier's error text (a list
 * of rejected recipients, a server's page) is kept to its first few hundred characters.
 */
function clipOutcomes(outcomes: NotificationOutcome[]): NotificationOutcome[] {
  return outcomes.map((o) => (o.detail === undefined ? o : { ...o, detail: clip(o.detail, MAX_OUTCOME_DETAIL) }));
}

function apiReason(error: unknown): string {
  return error instanceof KubeApiError ? error.message : errorMessage(error);
}

const statusOf = (error: unknown): number | undefined => (error instanceof KubeApiError ? error.status : undefined);

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error: unknown) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function labelValue(name: string): string {
  return name.length <= 63 ? name : name.slice(0, 63).replace(/[^a-z0-9]+$/, '');
}

export async function openK8sStore(namespace: string, name: string, options: K8sStoreOptions): Promise<RunStore> {
  let api = options.api;
  let dispose = () => {};
  if (!api) {
    const { client } = openKubeClient({ kubeconfigPath: options.kubeconfigPath, context: options.context, env: options.env });
    api = configMapsIn(client, namespace);
    dispose = () => client.close();
  }
  const store = new K8sRunStore(api, namespace, name, options, dispose);
  try {
    const { resourceVersion } = await store.readIndex(true); // refuses an unreadable or newer index before anything is written
    // A new store must not be named like another store's run objects (NAME-r<seq>-<i>): each
    // would overwrite, or be refused by, the other. Existing ones keep working.
    const like = RUN_OBJECT_NAME.exec(name);
    if (resourceVersion === null && like) {
      throw new HistoryError(`k8s://${namespace}/${name}: a store NAME ending in -r<N>-<N> is named like the run objects of k8s://${namespace}/${like[1]}; choose another NAME`);
    }
  } catch (error: unknown) {
    dispose();
    throw error;
  }
  return store;
}

class K8sRunStore implements RunStore {
  private readonly api: ConfigMapApi;
  private readonly namespace: string;
  private readonly name: string;
  private readonly options: K8sStoreOptions;
  private readonly ttl: number;
  private token: string | null = null;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private chain: Promise<unknown> = Promise.resolve();

  private readonly dispose: () => void;
  /** The damaged entries already told of (warn, or list's onUnreadable). */
  private readonly announced = new Set<string>();

  constructor(api: ConfigMapApi, namespace: string, name: string, options: K8sStoreOptions, dispose: () => void) {
    this.api = api;
    this.dispose = dispose;
    this.namespace = namespace;
    this.name = name;
    this.options = options;
    this.ttl = options.lockTtlMs ?? 60_000;
  }

  describe(): string { return `k8s://${this.namespace}/${this.name}`; }

  /** Index mutations of this process run one after another (heartbeat vs save). */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private fail(doing: string, error: unknown): HistoryError {
    if (error instanceof HistoryError) return error;
    const code = statusOf(error);
    const hint = code === 403
      ? ` — the auditor needs get, list, create, update and delete on configmaps in namespace ${this.namespace} (a namespaced Role)`
      : code === 404 ? ` — does namespace ${this.namespace} exist?` : '';
    return new HistoryError(`${this.describe()}: cannot ${doing}: ${apiReason(error)}${hint}`);
  }

  /**
   * The index and its resourceVersion; an absent index is an empty history. A damaged entry of
   * its runs list is left out of `runs` and told of once (options.warn) unless `quiet`.
   */
  async readIndex(quiet = false): Promise<{ index: K8sIndex; resourceVersion: string | null }> {
    let cm: ConfigMap;
    try {
      cm = await this.api.read(this.name);
    } catch (error: unknown) {
      if (statusOf(error) === 404) return { index: { schemaVersion: K8S_INDEX_SCHEMA_VERSION, nextSeq: 1, runs: [], lock: null }, resourceVersion: null };
      throw this.fail('read the history index', error);
    }
    const raw = cm.data?.[INDEX_KEY];
    let index: K8sIndex;
    try {
      index = JSON.parse(raw ?? '') as K8sIndex;
      if (!index || typeof index !== 'object' || !Array.isArray(index.runs) || typeof index.schemaVersion !== 'number') throw new Error('not a ztaudit history index');
    } catch (error: unknown) {
      const labels = cm.metadata?.labels ?? {};
      if (labels['ztaudit.io/part'] === 'run' && labels['ztaudit.io/history']) {
        throw new HistoryError(`${this.describe()}: ConfigMap ${this.namespace}/${this.name} is a run object of k8s://${this.namespace}/${labels['ztaudit.io/history']}, not a history index; it was left untouched — use another NAME`);
      }
      throw new HistoryError(`${this.describe()}: ConfigMap ${this.namespace}/${this.name} is not a readable ztaudit history index (${errorMessage(error)}); it was left untouched — delete it or use another NAME`);
    }
    if (index.schemaVersion > K8S_INDEX_SCHEMA_VERSION) {
      throw new HistoryError(`${this.describe()}: written by a newer ztaudit (index schema ${index.schemaVersion}; this one understands up to ${K8S_INDEX_SCHEMA_VERSION}); it was left untouched — upgrade ztaudit`);
    }
    index.lock ??= null;
    const read: unknown[] = index.runs;
    const damaged: DamagedEntry[] = [];
    const alike = new Map<string, number>();
    index.runs = read.filter((value, position): value is IndexEntry => {
      const why = entryProblem(value);
      if (why !== null) {
        const text = JSON.stringify(value);
        const n = alike.get(text) ?? 0;
        alike.set(text, n + 1);
        damaged.push({ position, value, why, key: `${n} ${text}` });
      }
      return why === null;
    });
    if (damaged.length > 0) {
      index.read = { runs: read, damaged };
      if (!quiet) this.tellDamaged(index);
    }
    // Never reuse a sequence number an entry still names, damaged or not (its objects would be overwritten).
    const used = this.objectsNamed(index).map((o) => Number(RUN_OBJECT_NAME.exec(o)?.[2] ?? 0));
    index.nextSeq = Math.max(Number.isInteger(index.nextSeq) ? index.nextSeq : 1, 1 + Math.max(0, ...used));
    return { index, resourceVersion: cm.metadata?.resourceVersion ?? null };
  }

  /** Whether ConfigMap `name` is named as this store's run objects are (NAME-r<seq>-<i>), not another store's. */
  private isOwnRunObjectName(name: string): boolean {
    return name.startsWith(`${this.name}-r`) && /^\d+-\d+$/.test(name.slice(this.name.length + 2));
  }

  /**
   * The ConfigMap names the index's entries name, damaged ones included: a damaged entry's are
   * this store's run-object names found anywhere in it, whatever became of its objects list.
   */
  private objectsNamed(index: K8sIndex): string[] {
    const names = index.runs.flatMap((r) => r.objects);
    for (const d of index.read?.damaged ?? []) names.push(...stringsIn(d.value, (s) => this.isOwnRunObjectName(s)));
    return names;
  }

  /** A damaged entry of the runs list in one line: where it is (the ConfigMap, the key, its place) and why. */
  private damagedMessage(d: DamagedEntry): string {
    return `${this.describe()}: entry runs[${d.position}] of the history index (ConfigMap ${this.namespace}/${this.name}, key ${INDEX_KEY}) is not a stored run: ${d.why}; it is kept there as it is`;
  }

  /** Warns of each damaged entry of the index's runs list not yet told of. */
  private tellDamaged(index: K8sIndex): void {
    for (const d of index.read?.damaged ?? []) if (this.announce(d)) this.options.warn?.(`${this.damagedMessage(d)}; passed over`);
  }

  /** True the first time this process meets damaged entry `d`. */
  private announce(d: DamagedEntry): boolean {
    if (this.announced.has(d.key)) return false;
    this.announced.add(d.key);
    return true;
  }

  /** What `runs` becomes in the ConfigMap: the kept entries with every damaged one read back in its place among them. */
  private static runsToWrite(index: K8sIndex): unknown[] {
    if (!index.read) return index.runs;
    const kept = new Set<unknown>(index.runs);
    const damagedAt = new Set(index.read.damaged.map((d) => d.position));
    const out = index.read.runs.filter((value, position) => damagedAt.has(position) || kept.has(value));
    const before = new Set(index.read.runs);
    for (const r of index.runs) if (!before.has(r)) out.push(r);
    return out;
  }

  private labels(part: 'index' | 'run'): Record<string, string> {
    return { 'app.kubernetes.io/managed-by': 'ztaudit', 'ztaudit.io/history': labelValue(this.name), 'ztaudit.io/part': part };
  }

  /** Compare-and-swap write of the index; false when someone else changed it first. */
  private async writeIndex(index: K8sIndex, resourceVersion: string | null): Promise<boolean> {
    const { read: _read, ...stored } = index;
    const body: ConfigMap = {
      apiVersion: 'v1', kind: 'ConfigMap',
      metadata: { name: this.name, namespace: this.namespace, labels: this.labels('index'), ...(resourceVersion ? { resourceVersion } : {}) },
      data: { [INDEX_KEY]: JSON.stringify({ ...stored, runs: K8sRunStore.runsToWrite(index) }) },
    };
    try {
      if (resourceVersion === null) await this.api.create(body);
      else await this.api.replace(this.name, body);
      return true;
    } catch (error: unknown) {
      if (statusOf(error) === 409) return false;
      throw this.fail('update the history index', error);
    }
  }

  private leaseOf(lock: K8sLock): number {
    return typeof lock.leaseSeconds === 'number' && lock.leaseSeconds > 0 ? lock.leaseSeconds * 1000 : this.ttl;
  }

  /** Milliseconds since the holder last renewed. */
  private silence(lock: K8sLock): number {
    return this.options.now().getTime() - Date.parse(lock.heartbeat);
  }

  /** Whether the holder's pid can be looked up here: the same host and PID namespace. */
  private static pidsComparable(lock: K8sLock): boolean {
    return lock.host === hostname() && PID_NAMESPACE !== undefined && lock.pidNamespace === PID_NAMESPACE;
  }

  private isStale(lock: K8sLock): boolean {
    if (!(this.silence(lock) <= this.leaseOf(lock))) return true; // also an unreadable heartbeat
    if (!K8sRunStore.pidsComparable(lock)) return false;
    // Our pid but not us: the container restarted (pid 1 again) and this is its dead predecessor.
    if (lock.pid === process.pid) return lock.processId !== PROCESS_ID;
    return !pidAlive(lock.pid);
  }

  async acquire(): Promise<void> {
    if (this.token) throw new HistoryError(`${this.describe()} is already held by this run`);
    const token = randomUUID();
    await this.serial(async () => {
      let waits = 0;
      for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
        const { index, resourceVersion } = await this.readIndex();
        const held = index.lock;
        if (held && !this.isStale(held)) {
          // A live holder renews every quarter lease; one silent for half a lease most likely
          // died (a node lost, a pod killed): wait for its lease to end instead of refusing.
          // So is one under our host name in another PID namespace (most likely this
          // container's previous incarnation) however recent: its pid tells us nothing.
          const silence = this.silence(held);
          const unknowable = held.host === hostname() && !K8sRunStore.pidsComparable(held);
          if ((silence < this.leaseOf(held) / 2 && !unknowable) || waits >= 2) throw new HistoryError(refusedMessage(this.describe(), held));
          waits++;
          const renewed = await this.renewedWithin(held, Math.max(100, this.leaseOf(held) - silence + 250));
          if (renewed) throw new HistoryError(refusedMessage(this.describe(), renewed));
          attempt--; // waiting out a lease is not a lost compare-and-swap
          continue;
        }
        const now = this.options.now().toISOString();
        index.lock = { token, pid: process.pid, host: hostname(), since: now, heartbeat: now, processId: PROCESS_ID, ...(PID_NAMESPACE ? { pidNamespace: PID_NAMESPACE } : {}), leaseSeconds: this.ttl / 1000 };
        if (await this.writeIndex(index, resourceVersion)) return;
        // Someone changed the index between our read and write: read again (and most
        // likely find their lock).
      }
      throw new HistoryError(`${this.describe()}: the history index keeps changing under this run; is another ztaudit running?`);
    });
    this.token = token;
    this.heartbeat = setInterval(() => { void this.serial(() => this.renew()).catch(() => undefined); }, Math.max(250, Math.floor(this.ttl / 4)));
    this.heartbeat.unref();
  }

  /**
   * Watches `held` for up to `ms`: its lock, when its holder renews it meanwhile (it is alive);
   * null when the wait ends or the lock changed hands (to be judged again).
   */
  private async renewedWithin(held: K8sLock, ms: number): Promise<K8sLock | null> {
    const deadline = Date.now() + ms;
    const step = Math.max(50, Math.min(1000, Math.floor(this.leaseOf(held) / 8)));
    while (Date.now() < deadline) {
      await sleep(Math.min(step, Math.max(0, deadline - Date.now())));
      const { lock } = (await this.readIndex()).index;
      if (lock?.token !== held.token) return null;
      if (lock.heartbeat !== held.heartbeat) return lock;
    }
    return null;
  }

  private async renew(): Promise<void> {
    if (!this.token) return;
    const { index, resourceVersion } = await this.readIndex();
    if (index.lock?.token !== this.token) return; // lost; save() will say so
    index.lock.heartbeat = this.options.now().toISOString();
    await this.writeIndex(index, resourceVersion);
  }

  async release(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    const token = this.token;
    if (!token) return;
    this.token = null;
    await this.serial(async () => {
      for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
        const { index, resourceVersion } = await this.readIndex();
        if (index.lock?.token !== token) return;
        index.lock = null;
        if (await this.writeIndex(index, resourceVersion)) return;
      }
    });
  }

  async mark(): Promise<string> {
    return String((await this.readIndex()).index.nextSeq);
  }

  async storedSince(mark: string, cluster?: string): Promise<{ id: string; startedAt: string } | null> {
    const { index } = await this.readIndex();
    // A run's objects are named by the sequence number it was stored under (never reused).
    const seqOf = (r: IndexEntry) => Number(RUN_OBJECT_NAME.exec(Array.isArray(r.objects) ? r.objects[0] ?? '' : '')?.[2] ?? 0);
    // Of the runs stored since, the one that started last (on a tie, the last stored).
    let newer: IndexEntry | undefined;
    for (const r of index.runs) {
      if ((cluster === undefined || sameCluster(r.cluster, cluster)) && seqOf(r) >= Number(mark) && (!newer || !(Date.parse(r.startedAt) < Date.parse(newer.startedAt)))) newer = r;
    }
    return newer ? { id: newer.id, startedAt: newer.startedAt } : null;
  }

  async latest(cluster?: string): Promise<RunReport | null> {
    const { index } = await this.readIndex();
    const runs = cluster === undefined ? index.runs : index.runs.filter((r) => sameCluster(r.cluster, cluster));
    const newest = runs.at(-1);
    return newest ? this.load(newest) : null;
  }

  async *runsNewestFirst(cluster?: string, read: StoredRunRead = {}): AsyncIterable<RunReport> {
    // One index read; the pipeline walks while it holds the store, so nothing is evicted meanwhile.
    const { index } = await this.readIndex();
    const runs = cluster === undefined ? index.runs : index.runs.filter((r) => sameCluster(r.cluster, cluster));
    for (let i = runs.length - 1; i >= 0; i--) {
      // The index holds every run's summary: a run passed over by it is never read (its objects
      // are some 700 KiB each, and serve --watch may have stored a thousand blind runs meanwhile).
      const { id } = runs[i];
      // A summary that cannot be read lists no blind checks: the run is wanted and its report read.
      const summary = this.readableSummary(runs[i]);
      if (read.wants && !read.wants({ id, ...(Array.isArray(summary?.blind) ? { blind: summary.blind } : {}), ...(Array.isArray(summary?.notApplicable) ? { notApplicable: summary.notApplicable } : {}), ...(summary?.unjudgedNamespaces ? { unjudgedNamespaces: summary.unjudgedNamespaces } : {}) })) continue;
      let report: RunReport;
      try {
        report = await this.load(runs[i]);
      } catch (error: unknown) {
        if (!(error instanceof UnreadableRunError) || !read.onUnreadable) throw error;
        if (summary) error.summary = summary;
        read.onUnreadable(error);
        continue;
      }
      yield report;
    }
  }

  async get(id: string): Promise<RunReport | null> {
    const { index } = await this.readIndex(true);
    const entry = index.runs.find((r) => r.id === id);
    if (entry) {
      this.tellDamaged(index);
      return this.load(entry);
    }
    // A damaged entry that still has the id is a run this store holds and cannot read (`history`
    // lists it as UNREADABLE, with this line), not one it no longer holds. The error tells of it;
    // no warning says it again (nor, for a run not stored at all, of the others: the caller says "no run").
    const damaged = index.read?.damaged.find((d) => typeof d.value === 'object' && d.value !== null && (d.value as { id?: unknown }).id === id);
    if (!damaged) return null;
    this.announce(damaged);
    throw new UnreadableRunError(id, this.damagedMessage(damaged), 'entry');
  }

  async has(id: string): Promise<boolean> {
    const { index } = await this.readIndex(true);
    // A damaged entry that still has the id is a run this store holds, as get() says.
    return index.runs.some((r) => r.id === id) || (index.read?.damaged ?? []).some((d) => typeof d.value === 'object' && d.value !== null && (d.value as { id?: unknown }).id === id);
  }

  async list(limit: number, onUnreadable?: (error: UnreadableRunError, place: number) => void, before?: string): Promise<RunSummary[]> {
    // A damaged entry of the runs list is listed in its place, as a run whose summary cannot be read.
    const { index } = await this.readIndex(true);
    const damagedAt = new Map((index.read?.damaged ?? []).map((d) => [d.position, d]));
    const rows: Array<IndexEntry | DamagedEntry> = index.read ? index.read.runs.map((value, position) => damagedAt.get(position) ?? value as IndexEntry) : [...index.runs];
    const isDamaged = (row: IndexEntry | DamagedEntry): row is DamagedEntry => damagedAt.get((row as DamagedEntry).position) === row;
    const summaryOf = (row: IndexEntry | DamagedEntry): RunSummary => {
      if (!isDamaged(row)) return this.summaryOf(row);
      const { id } = (typeof row.value === 'object' && row.value !== null ? row.value : {}) as { id?: unknown };
      throw new UnreadableRunError(typeof id === 'string' ? id : `runs[${row.position}]`, this.damagedMessage(row), 'entry');
    };
    // Its index entry still says when it started and of which cluster it is (a damaged one may too).
    const kept = (row: IndexEntry | DamagedEntry) => (isDamaged(row) ? (typeof row.value === 'object' && row.value !== null ? row.value : {}) : row) as { cluster?: unknown; startedAt?: unknown };
    // A damaged entry that still has the id ends a page as a readable one does (has() counts it stored).
    const idOf = (row: IndexEntry | DamagedEntry): unknown => (isDamaged(row) ? (typeof row.value === 'object' && row.value !== null ? (row.value as { id?: unknown }).id : undefined) : row.id);
    const end = before === undefined ? rows.length : rows.findIndex((row) => idOf(row) === before);
    const newestFirst = rows.slice(0, Math.max(0, end)).reverse().slice(0, Math.max(0, Math.floor(limit)));
    const told = onUnreadable && ((error: UnreadableRunError, place: number) => {
      const row = newestFirst[place];
      if (row && isDamaged(row)) this.announce(row); // told of here: no other read warns again
      onUnreadable(error, place);
    });
    return listSummaries(newestFirst, summaryOf, kept, told);
  }

  /** An index entry's summary; UnreadableRunError naming the run and the ConfigMap key it is kept in when it cannot be read (a hand edit). */
  private summaryOf(entry: IndexEntry): RunSummary {
    return storedSummary(entry.summary, String(entry.id), this.describe(), `ConfigMap ${this.namespace}/${this.name}, key ${INDEX_KEY}`, false);
  }

  /** An index entry's summary; undefined when it cannot be read (`history` and `fleet` name it). */
  private readableSummary(entry: IndexEntry): RunSummary | undefined {
    try {
      return this.summaryOf(entry);
    } catch (error: unknown) {
      if (error instanceof UnreadableRunError) return undefined;
      throw error;
    }
  }

  async trend(limit: number, cluster?: string, upTo?: string): Promise<TrendPoint[]> {
    // One store may hold several clusters' runs: a trend is one cluster's. The index holds every
    // run's summary already; the walk stops at the `limit`-th point, copying no other summary.
    const { index } = await this.readIndex();
    const n = Math.max(0, Math.floor(limit));
    const runs: RunSummary[] = [];
    for (let i = index.runs.length - 1; i >= 0 && runs.length < n; i--) {
      // A run whose summary cannot be read has no point to draw (`history` and `fleet` name it).
      const s = this.readableSummary(index.runs[i]!);
      if (s && (cluster === undefined || sameCluster(s.cluster, cluster)) && (upTo === undefined || s.startedAt <= upTo)) runs.push(s);
    }
    return runs.reverse().map(trendPointOf);
  }

  async save(report: RunReport, _written?: WrittenReport, options: SaveOptions = {}): Promise<void> {
    if (!this.token) {
      await this.acquire();
      try {
        return await this.save(report, _written, options);
      } finally {
        await this.release();
      }
    }
    const token = this.token;
    const bytes = await gzipJson(compactRun(report));
    const chunks: Buffer[] = [];
    for (let off = 0; off < bytes.length || chunks.length === 0; off += CHUNK_BYTES) chunks.push(bytes.subarray(off, off + CHUNK_BYTES));
    const summary = summarizeRun(report, options.notifications && clipOutcomes(options.notifications));

    await this.serial(async () => {
      let { index, resourceVersion } = await this.readIndex();
      this.checkHeld(index, token);
      if (index.runs.some((r) => r.id === report.run.id)) throw new HistoryError(`a run with id ${report.run.id} is already stored in ${this.describe()}`);
      const seq = index.nextSeq;
      const objects = chunks.map((_, i) => `${this.name}-r${seq}-${i}`);
      for (const [i, chunk] of chunks.entries()) await this.writeRunObject(objects[i], report.run.id, i, chunks.length, chunk);

      for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
        const entry: IndexEntry = { id: report.run.id, startedAt: report.run.startedAt, cluster: summary.cluster, objects, summary };
        // The damaged entries written back take their room in the one object too.
        const reserved = (index.read?.damaged ?? []).reduce((n, d) => n + d.key.length + 1, 0);
        const kept = this.retain([...index.runs, entry], entry, diffedAgainst(report), reserved);
        const next: K8sIndex = { ...index, nextSeq: seq + 1, runs: kept };
        if (await this.writeIndex(next, resourceVersion)) return;
        ({ index, resourceVersion } = await this.readIndex());
        this.checkHeld(index, token);
      }
      throw new HistoryError(`${this.describe()}: could not update the history index after ${CAS_ATTEMPTS} attempts; run ${report.run.id} was not stored`);
    });
    await this.collectGarbage();
  }

  async recordNotifications(id: string, outcomes: NotificationOutcome[]): Promise<void> {
    // In the run's index entry, which every read of the run has at hand; the run's objects stay as written.
    await this.serial(async () => {
      for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
        const { index, resourceVersion } = await this.readIndex();
        const entry = index.runs.find((r) => r.id === id);
        if (!entry) throw new HistoryError(`${this.describe()}: cannot record the notifications of run ${id}: it is not stored there`);
        entry.summary = { ...entry.summary, notifications: clipOutcomes(outcomes) };
        if (await this.writeIndex(index, resourceVersion)) return;
      }
      throw new HistoryError(`${this.describe()}: could not update the history index after ${CAS_ATTEMPTS} attempts; the notifications of run ${id} were not recorded`);
    });
  }

  async forget(cluster: string, remove: boolean): Promise<ClusterRuns> {
    if (!remove) return this.runsOf((await this.readIndex(true)).index, cluster);
    if (!this.token) {
      // As save(): never while a run holds the store.
      await this.acquire();
      try {
        return await this.forget(cluster, remove);
      } finally {
        await this.release();
      }
    }
    const token = this.token;
    const runs = await this.serial(async () => {
      for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
        const { index, resourceVersion } = await this.readIndex();
        this.checkHeld(index, token);
        const gone = this.runsOf(index, cluster);
        if (gone.runs === 0) return gone;
        // The index is the commit point: once it no longer names them, the runs are gone. The
        // cluster's damaged entries go too (runsToWrite writes back only those left in read.damaged).
        const read = index.read && { runs: index.read.runs, damaged: index.read.damaged.filter((d) => damagedClusterOf(d) !== cluster) };
        if (await this.writeIndex({ ...index, runs: index.runs.filter((r) => r.cluster !== cluster), read }, resourceVersion)) return gone;
      }
      throw new HistoryError(`${this.describe()}: could not update the history index after ${CAS_ATTEMPTS} attempts; the runs of cluster ${JSON.stringify(cluster)} were not removed`);
    });
    // Then their objects, as retention's are: only this store's, labelled and named as its run objects.
    if (runs.runs > 0) {
      await this.deleteUnreferenced(true).catch((error: unknown) => {
        throw new HistoryError(`${errorMessage(error)}; the ${runs.runs} run(s) of cluster ${JSON.stringify(cluster)} are out of the index (forgotten), their objects left are deleted by the next save or forget`);
      });
    }
    return runs;
  }

  /**
   * How many runs of exactly `cluster` the index names, damaged entries of that cluster included
   * (`history` lists them as UNREADABLE under it), and its first and last by insertion.
   */
  private runsOf(index: K8sIndex, cluster: string): ClusterRuns {
    const damagedAt = new Map((index.read?.damaged ?? []).map((d) => [d.position, d]));
    let runs = 0;
    let damaged = 0;
    // Its first and last that still say which run they are: a damaged entry may (only its objects list was lost).
    const ends: Array<{ id: string; startedAt: string }> = [];
    for (const [position, value] of (index.read?.runs ?? index.runs).entries()) {
      const d = damagedAt.get(position);
      if ((d ? damagedClusterOf(d) : (value as IndexEntry).cluster) !== cluster) continue;
      runs++;
      if (d) damaged++;
      const { id, startedAt } = value as { id?: unknown; startedAt?: unknown };
      if (typeof id === 'string' && typeof startedAt === 'string') ends.push({ id, startedAt });
    }
    if (runs === 0) return NO_RUNS;
    return { runs, oldest: ends[0] ?? null, newest: ends.at(-1) ?? null, ...(damaged > 0 ? { damaged } : {}) };
  }

  private checkHeld(index: K8sIndex, token: string): void {
    if (index.lock?.token !== token) {
      const other = index.lock ? ` (now held by pid ${index.lock.pid} on ${index.lock.host} since ${index.lock.since})` : '';
      throw new HistoryError(`${this.describe()}: this run lost its hold on the history${other}; the run was not stored`);
    }
  }

  private async writeRunObject(name: string, id: string, part: number, parts: number, chunk: Buffer): Promise<void> {
    const body: ConfigMap = {
      apiVersion: 'v1', kind: 'ConfigMap',
      metadata: {
        name, namespace: this.namespace, labels: this.labels('run'),
        annotations: { 'ztaudit.io/run-id': id, 'ztaudit.io/part': `${part + 1}/${parts}` },
      },
      binaryData: { [PART_KEY]: chunk.toString('base64') },
    };
    try {
      await this.api.create(body);
    } catch (error: unknown) {
      if (statusOf(error) !== 409) throw this.fail(`store run ${id}`, error);
      // Left over by a writer of this store killed before its index update: unreferenced, so
      // ours to replace. Anything else under that name is another store's (store `h-r1-0`'s
      // index is named like store `h`'s first run object) and is never touched.
      let existing: ConfigMap;
      try {
        existing = await this.api.read(name);
      } catch (again: unknown) {
        throw this.fail(`store run ${id}`, again);
      }
      const labels = existing.metadata?.labels ?? {};
      const mine = this.labels('run');
      if (!Object.entries(mine).every(([k, v]) => labels[k] === v)) {
        const owner = labels['ztaudit.io/history'];
        const what = owner && labels['ztaudit.io/part'] === 'index' ? `the index of k8s://${this.namespace}/${owner}`
          : owner ? `an object of k8s://${this.namespace}/${owner}` : 'not one of this store\'s objects';
        throw new HistoryError(`${this.describe()}: cannot store run ${id}: ConfigMap ${this.namespace}/${name} already exists and is ${what}; it was left untouched — give one of the stores another NAME (one ending in -r<N>-<N> is named like another store's run objects)`);
      }
      try {
        await this.api.replace(name, body);
      } catch (again: unknown) {
        throw this.fail(`store run ${id}`, again);
      }
    }
  }

  /**
   * Retention by count and age among `keep`'s cluster's runs (as in PostgreSQL: a busy cluster
   * never evicts another's), then by the index's own size, which all clusters share; never
   * drops `keep`, nor a run a diff from any run kept takes a check from (keptBaselineRunIds), nor one `keep`
   * was diffed against (`comparedWith`, diffedAgainst: diff --last compares them again). The oldest by
   * insertion (index order) go first, whatever their timestamps say.
   */
  private retain(runs: IndexEntry[], keep: IndexEntry, comparedWith: readonly string[] = [], reserved = 0): IndexEntry[] {
    const cutoff = retentionCutoff(this.options.retention, this.options.now());
    const { maxRuns } = this.options.retention;
    const doomed = new Set<IndexEntry>();
    const mine = runs.filter((r) => sameCluster(r.cluster, keep.cluster) && r !== keep);
    for (const r of mine) if (cutoff !== null && r.startedAt < cutoff) doomed.add(r);
    if (maxRuns > 0) {
      const left = mine.filter((r) => !doomed.has(r));
      for (const r of left.slice(0, Math.max(0, left.length + 1 - maxRuns))) doomed.add(r);
    }
    const summaryOf = (r: IndexEntry) => { const s = this.readableSummary(r); return { id: r.id, entry: r, blind: s?.blind, notApplicable: s?.notApplicable, unjudgedNamespaces: s?.unjudgedNamespaces }; };
    // keep's cluster: what a diff from any run kept by count and age needs (keptBaselineRunIds);
    // the other clusters' runs were kept by their own last save: what their next diff needs.
    const baselines = new Map<string, Set<string>>(); // cluster -> ids of the runs its diffs need
    for (const cluster of new Set(runs.map((r) => clusterNameOf(r.cluster)))) {
      const newestFirst = runs.filter((r) => clusterNameOf(r.cluster) === cluster).reverse().map(summaryOf);
      baselines.set(cluster, cluster === clusterNameOf(keep.cluster) ? keptBaselineRunIds(newestFirst, (run) => !doomed.has(run.entry)) : baselineRunIds(newestFirst));
    }
    const against = new Set(comparedWith);
    const needed = (r: IndexEntry) => r === keep || baselines.get(clusterNameOf(r.cluster))!.has(r.id) || (sameCluster(r.cluster, keep.cluster) && against.has(r.id));
    for (const r of doomed) if (needed(r)) doomed.delete(r);
    let kept = runs.filter((r) => !doomed.has(r));
    // The index must fit in one object: any cluster's runs go when it would not, those no
    // diff needs first.
    while (kept.length > 1 && JSON.stringify(kept).length + reserved > MAX_INDEX_CHARS) {
      const victim = kept.find((r) => !needed(r)) ?? kept.find((r) => r !== keep)!;
      kept = kept.filter((r) => r !== victim);
    }
    return kept;
  }

  /**
   * Deletes this store's run objects no index entry names: the evicted runs' and a killed
   * writer's. Only objects that are both labelled as this store's run objects and named as
   * they are: an index entry may name anything (a copy of another store's index names that
   * store's objects; a hand edit may name any ConfigMap), and is never taken as leave to
   * delete it. When they cannot be listed nothing is deleted: garbage only costs space.
   */
  private async collectGarbage(): Promise<void> {
    await this.deleteUnreferenced(false).catch(() => undefined); // the next save tries again
  }

  /**
   * collectGarbage's deletes; `strict` (history forget, which must say whether the runs' data is
   * gone): a list or delete that fails is a HistoryError, after the others were deleted.
   * A 404 is one already gone.
   */
  private async deleteUnreferenced(strict: boolean): Promise<void> {
    const { index } = await this.readIndex();
    // A damaged entry's objects too: it is kept, and may be repaired by hand.
    const referenced = new Set(this.objectsNamed(index));
    let names: string[];
    try {
      // Names only: the parts' data (some 700 KiB each) is not read to find the unreferenced ones.
      names = await this.api.listNames(`ztaudit.io/history=${labelValue(this.name)},ztaudit.io/part=run`);
    } catch (error: unknown) {
      throw this.fail('list its run objects', error);
    }
    let failed: { name: string; error: unknown } | null = null;
    for (const n of names.filter((n) => this.isOwnRunObjectName(n) && !referenced.has(n))) {
      try {
        await this.api.delete(n);
      } catch (error: unknown) {
        if (statusOf(error) !== 404) failed ??= { name: n, error };
      }
    }
    if (failed && strict) throw this.fail(`delete run object ${failed.name}`, failed.error);
  }

  private async load(entry: IndexEntry): Promise<RunReport> {
    const parts: Buffer[] = [];
    for (const name of entry.objects) {
      let cm: ConfigMap;
      try {
        cm = await this.api.read(name);
      } catch (error: unknown) {
        // A part deleted by hand leaves the run unreadable; any other failure is the store's.
        if (statusOf(error) === 404) throw new UnreadableRunError(entry.id, `${this.describe()}: run ${entry.id} is unreadable: its object ${name} is gone`);
        throw this.fail(`read run ${entry.id} (object ${name})`, error);
      }
      const b64 = cm.binaryData?.[PART_KEY];
      if (typeof b64 !== 'string') throw new UnreadableRunError(entry.id, `${this.describe()}: run ${entry.id} is unreadable: its object ${name} has no data`);
      parts.push(Buffer.from(b64, 'base64'));
    }
    try {
      const compact = await parseGzipJson(Buffer.concat(parts)) as Partial<CompactRun>;
      // expandRun maps these lists: one missing (a hand edit) is said as any other shape problem is.
      if (!Array.isArray(compact.findings) || !Array.isArray(compact.checks) || typeof compact.run !== 'object' || compact.run === null || !Array.isArray(compact.run.notes)) {
        throw new Error('its report decodes to no run (not a compacted run: run, checks or findings missing)');
      }
      return withRecordedNotifications(asStoredReport(expandRun(compact as CompactRun)), entry.summary?.notifications);
    } catch (error: unknown) {
      throw new UnreadableRunError(entry.id, `${this.describe()}: run ${entry.id} is unreadable: ${errorMessage(error)}`);
    }
  }

  async close(): Promise<void> {
    try {
      await this.release();
    } finally {
      this.dispose();
    }
  }
}
