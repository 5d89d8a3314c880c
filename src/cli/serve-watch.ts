// `serve --watch`: the daemon's collection comes from a ClusterWatch (src/collect/watch.ts)
// instead of a fresh list per run. The start-up and scheduled runs are full runs (every kind
// re-listed, every check evaluated: the baseline of record). Between them, changes are
// debounced (watch.debounceSeconds, counted from the first change, so steady churn cannot
// postpone a run forever) and start a watch run: only the checks whose declared inputs
// (needs, reads, readsWhen, readsBestEffort; the pod view for `pods`; the mesh kinds for
// mesh-gated checks) changed are evaluated, and those judged against the clock
// (timeDependent); every other check's outcome is carried over from the previous audit (its
// inputs are the same objects), and so is every report section whose inputs did not change;
// the run is diffed against the last stored run like any other (held in memory while it is
// its cluster's newest in the store, instead of decoded from the store again).
// A watch run is stored only when its findings changed (a regression, a new or resolved
// finding), it alerts, or it sees what the last stored run could not (a check evaluated
// again, a kind's coverage changed since this cluster's last stored run), and notified only on a regression (or to deliver an earlier run's
// undelivered alert, as any run does) that is not a repeat within watch.realertAfterHours
// (flapping, holdBack), naming the changes that most likely caused
// it. The alert goes first (after the HTML report it attaches is written); then every
// format is written and the run is stored, with the alert's outcome in it. A kind whose watch fails has non-ok coverage in the snapshot, so its checks are
// not-evaluated, never "resolved" (the per-check baseline skips them).
import { RUN_NOTES_KINDS, runDetails, runNotes } from '../analysis/details.ts';
import type { AuditContext } from '../analysis/context.ts';
import { ConfigError } from '../base/errors.ts';
import { oneLine } from '../base/plain-text.ts';
import type { Logger } from '../base/log.ts';
import { ClusterWatch, describeChange, type WatchChange } from '../collect/watch.ts';
import type { ConfigMapRefs } from '../collect/live.ts';
import { probeSnapshot } from './source.ts';
import type { Config } from '../config/types.ts';
import { auditSnapshot, type AuditInput } from '../engine/audit.ts';
import { runChecks } from '../engine/run.ts';
import type { Check, CheckOutcome } from '../engine/types.ts';
import type { Notifier, PipelineEdges, PipelineStore } from '../pipeline/pipeline.ts';
import { alerting, heldBackText } from '../notify/policy.ts';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DETAIL_KINDS, type RunDetails, type RunDiff, type RunReport } from '../run/types.ts';
import { spoolCloserOf } from '../run/stored-run.ts';
import { isEvaluated } from '../run/coverage.ts';
import { extentDigest } from '../run/extent.ts';
import { KINDS, POD_VIEW_KINDS, type KindKey } from '../snapshot/kinds.ts';
import type { Snapshot, TlsProbeResult } from '../snapshot/types.ts';

/**
 * Kinds a mesh-gated check's applicability reads (the mesh model): the mesh CRDs, and the
 * Gateway API routes Linkerd attaches to a Server (src/analysis/mesh/model.ts).
 */
const MESH_KINDS = [...KINDS.filter((k) => /^(istio|linkerd|consul)\./.test(k.key)).map((k) => k.key as KindKey), 'gatewayapi.httproutes', 'gatewayapi.grpcroutes'] as KindKey[];

/** The RBAC breadth section reads the RBAC kinds and the namespaces (and discovery, re-read by full runs only). */
const RBAC_DETAIL_KINDS: ReadonlySet<KindKey> = new Set(DETAIL_KINDS.rbac);
/** Kinds no section but the RBAC breadth reads; any other change recomputes the mTLS and network sections. */
const RBAC_ONLY_KINDS: ReadonlySet<KindKey> = new Set(DETAIL_KINDS.rbac.filter((k) => k !== 'namespaces'));

/** The report sections a change to `kinds` can change (null: all of them). */
export function affectedSections(kinds: ReadonlySet<KindKey> | null): Set<keyof RunDetails> | null {
  if (kinds === null) return null;
  const out = new Set<keyof RunDetails>();
  for (const k of kinds) {
    if (RBAC_DETAIL_KINDS.has(k)) out.add('rbac');
    if (!RBAC_ONLY_KINDS.has(k)) { out.add('mtls'); out.add('network'); }
  }
  return out;
}

/**
 * The kinds whose change can change a check's outcome, from its declared inputs (a unit
 * test traces what each check reads over the demo cluster and the fixtures, and holds the
 * declarations to it: test/unit/schedule/watch-inputs.test.ts).
 */
export function inputsOf(check: Pick<Check, 'needs' | 'reads' | 'readsWhen' | 'readsBestEffort' | 'appliesTo' | 'appliesByConfig'>): Set<KindKey> {
  const out = new Set<KindKey>([...check.needs, ...(check.reads ?? []), ...(check.readsWhen ?? []).flatMap((c) => c.kinds), ...(check.readsBestEffort ?? [])]);
  if (out.has('pods')) for (const k of POD_VIEW_KINDS) out.add(k);
  // A gated check (a mesh, cert-manager, a feature configured) may judge on the mesh as a whole.
  if (check.appliesTo || check.appliesByConfig) for (const k of [...MESH_KINDS, ...POD_VIEW_KINDS, 'namespaces', 'services', 'configmaps'] as KindKey[]) out.add(k);
  // Whatever reads Istio's objects reads them through the mesh model, which resolves an
  // `istio.io/rev` tag through its `istio-revision-tag-<tag>` webhook (src/analysis/mesh): a tag
  // moved to another revision changes which mesh config a workload has.
  for (const k of out) if (k.startsWith('istio.')) { out.add('mutatingwebhookconfigurations'); break; }
  return out;
}

/** The checks a change to `kinds` can affect. */
export function affectedChecks(checks: readonly Check[], kinds: ReadonlySet<KindKey>): Set<string> {
  const out = new Set<string>();
  for (const c of checks) {
    for (const k of inputsOf(c)) {
      if (kinds.has(k)) { out.add(c.id); break; }
    }
  }
  return out;
}

/**
 * The findings a regression alerts on as new: the new ones, and the persisting ones that
 * widened (RunDiff.widened: one more workload open under an old fingerprint is new exposure).
 */
function alertedFindings(d: RunDiff): string[] {
  return d.widened?.length ? [...d.new, ...d.widened.map((w) => w.fingerprint)] : d.new;
}

/**
 * What a run alerts on, as the hold-back remembers it: a new finding by its fingerprint, a
 * widening by its fingerprint and what it added (the extent it widened to when no member is
 * named). A widening that adds something else than the one alerted is new exposure, sent at
 * once, as Alertmanager sends a new alert joining a group it notified (DedupStage.needsUpdate);
 * only the same widening again is a repeat.
 */
function alertKeys(report: RunReport): string[] {
  const d = report.diff;
  if (!d) return [];
  if (!d.widened?.length) return d.new;
  // The extents of the widenings that name no member, read in one pass (not an index of every finding).
  const unnamed = new Map<string, unknown>(d.widened.filter((w) => w.added.length === 0).map((w) => [w.fingerprint, undefined]));
  if (unnamed.size > 0) for (const f of report.findings) if (unnamed.has(f.fingerprint)) unnamed.set(f.fingerprint, f.extent);
  return [...d.new, ...d.widened.map((w) => `${w.fingerprint}\u0000${w.added.length > 0 ? `+${w.added.join('\u0000')}` : `#${extentDigest(unnamed.get(w.fingerprint))}`}`)];
}

/**
 * The changes to the regressed checks' inputs, the rarest kind first (one NetworkPolicy
 * deleted among fifty pod updates is the likely cause), then the kinds of `changedKinds`
 * whose coverage is lost ("networkpolicies: coverage error (…)"), at most `max`, as text.
 * A regression with no new finding (coverage lost only) names no object change: the pod
 * churn of the same window did not cause it.
 */
export function likelyCauses(report: RunReport, checks: readonly Check[], changes: readonly WatchChange[], max = 5, changedKinds?: ReadonlySet<KindKey>): string[] {
  const d = report.diff;
  if (!d?.regression) return [];
  const fresh = new Set(alertedFindings(d));
  const regressed = new Set(report.findings.filter((f) => fresh.has(f.fingerprint)).map((f) => f.check));
  const inputs = new Set<KindKey>();
  for (const c of checks) if (regressed.has(c.id)) for (const k of inputsOf(c)) inputs.add(k);
  const relevant = changes.filter((c) => inputs.has(c.kind));
  const perKind = new Map<KindKey, number>();
  for (const c of relevant) perKind.set(c.kind, (perKind.get(c.kind) ?? 0) + 1);
  const ordered = [...relevant].sort((a, b) => perKind.get(a.kind)! - perKind.get(b.kind)! || a.at - b.at);
  const lost = [...(changedKinds ?? [])].sort().flatMap((k) => {
    const c = report.run.coverage?.[k];
    return c && c.status !== 'ok' && c.status !== 'absent' ? [oneLine(`${k}: coverage ${c.status}${c.detail ? ` (${c.detail})` : ''}`)] : [];
  });
  return [...new Set([...ordered.map(describeChange), ...lost])].slice(0, max);
}

/**
 * The checks `report` evaluated that the last stored run (its diff's previous run) did not:
 * compared with an older run (olderBaselines), with nothing (firstEvaluated: no stored run
 * evaluated them), or not comparable because the previous run did not have them.
 */
export function evaluatedAgain(report: RunReport): string[] {
  const d = report.diff;
  if (!d) return [];
  const evaluated = new Set(report.checks.filter((c) => isEvaluated(c.status)).map((c) => c.id));
  const out = new Set([...Object.keys(d.olderBaselines ?? {}), ...(d.firstEvaluated ?? []), ...d.notComparable.filter((id) => evaluated.has(id))]);
  return [...out].sort();
}

type Covered = { run: Pick<RunReport['run'], 'coverage'> };

/** The kinds whose coverage differs between two runs, as "kind forbidden → ok" (absent counts as "not collected"). */
export function coverageChanges(previous: Covered, report: Covered): string[] {
  const statusOf = (r: Covered, kind: string) => (Object.hasOwn(r.run.coverage, kind) ? r.run.coverage[kind]?.status : undefined) ?? 'not collected';
  const kinds = new Set([...Object.keys(previous.run.coverage), ...Object.keys(report.run.coverage)]);
  return [...kinds].sort().flatMap((k) => (statusOf(previous, k) === statusOf(report, k) ? [] : [`${k} ${statusOf(previous, k)} → ${statusOf(report, k)}`]));
}

/** The longest wait before a failed watch run's changes are tried again. */
const WATCH_RETRY_MAX_MS = 300_000;

let fullGc: (() => void) | null = null;
/**
 * A full garbage collection. Each run allocates several times the memory it keeps (models,
 * report strings); a daemon that runs every few seconds never idles long enough for V8 to
 * give that back, so its heap — and RSS — kept growing (1.3 GiB after 10 minutes of pod
 * churn at 15k pods, 617 MiB after start-up). Collecting once after each run keeps it at
 * what the run left live. V8 exposes gc() only to contexts created after --expose-gc is set.
 */
export function collectGarbage(): void {
  if (!fullGc) {
    setFlagsFromString('--expose-gc');
    fullGc = runInNewContext('gc') as () => void;
  }
  fullGc();
}

/** What ServeWatch needs from the watch (ClusterWatch; tests hand in a fake). */
export type WatchSource = Pick<ClusterWatch, 'start' | 'relistAll' | 'readReferencedConfigMaps' | 'snapshot' | 'takeChanges' | 'giveBack' | 'hasChanges' | 'metrics' | 'stop'>;

export interface ServeWatchInput {
  config: Config;
  checks: readonly Check[];
  log: Logger;
  kubeconfigPath?: string;
  context?: string;
  env?: Record<string, string | undefined>;
  clusterName?: string;
  configMapRefs: ConfigMapRefs;
  /** --request-timeout: per list and get (default 10 s). */
  requestTimeoutMs?: number;
  /** --retry-budget: how long one API server outage is retried for (default 30 s). */
  retryBudgetMs?: number;
  /** For tests: the watch's reconnect backoff. */
  backoff?: { baseMs?: number; maxMs?: number };
  /** For tests: the watch itself (default: a ClusterWatch on the kubeconfig). */
  watcher?: (onChange: () => void) => WatchSource;
}

export interface DaemonHandle {
  tick(reason?: string): Promise<'ran' | 'failed' | 'skipped'>;
  idle(): Promise<void>;
  state(): { running: boolean };
}

export function validateWatchFlags(flags: { manifests?: string[]; snapshot?: string; history?: string }, historyUrl: string): void {
  if (flags.manifests?.length || flags.snapshot) throw new ConfigError('--watch needs a live cluster (--kubeconfig/--context), not --manifests or --snapshot');
  if (historyUrl === 'none') throw new ConfigError('--watch needs a history store to diff against: --history none keeps nothing');
}

export class ServeWatch {
  readonly watcher: WatchSource;
  private readonly input: ServeWatchInput;
  private started = false;
  private cache = new Map<string, CheckOutcome>();
  private details: RunDetails | null = null;
  /**
   * The last run this daemon stored (the daemon serves the same object at /report.json): the
   * next run's diff baseline, as long as it is still the newest run of its cluster in the store.
   */
  private last: RunReport | null = null;
  /**
   * Where the store stood just after `last` was stored (RunStore.mark): a run of its cluster
   * stored since (storedSince: another process, an import) makes the walk read the store; a
   * run of another cluster sharing the store does not. Null: unknown, the store is read.
   */
  private lastMark: string | null = null;
  /**
   * The run of this cluster the run in progress was diffed against (the first its baseline walk
   * read: the diff's previous run), whoever stored it. On a store other clusters write to too
   * (one database for a fleet), `last` is rarely the store's newest, but this still is.
   */
  private previous: Pick<RunReport['run'], 'id' | 'coverage'> | null = null;
  private notes: string[] | null = null;
  private probes: TlsProbeResult[] | undefined;
  private timer: NodeJS.Timeout | null = null;
  /** The batch of the watch run in progress: given back to the watch if the run fails. */
  private inFlight: ReturnType<WatchSource['takeChanges']> | null = null;
  /** Whether the watch run in progress delivered an alert on some channel (its changes are then not given back if it fails). */
  private inFlightAlerted = false;
  /** Watch runs failed in a row: the retry of their changes backs off (a store down must not be hammered, nor alerted every debounce). */
  private failedRuns = 0;
  private daemon: DaemonHandle | null = null;
  private stopped = false;
  /** Per finding (fingerprint): when a watch run last alerted it, and the repeats held back since. */
  private alerted = new Map<string, { at: number; held: number; heldSince?: number }>();
  /** The watch run being notified, and whether its alert is held back (decided once, for every channel). */
  private flap: { runId: string; hold: boolean } | null = null;
  watchRuns = 0;

  constructor(input: ServeWatchInput) {
    this.input = input;
    this.watcher = input.watcher ? input.watcher(() => this.changed()) : new ClusterWatch({
      kubeconfigPath: input.kubeconfigPath, context: input.context, ...(input.env ? { env: input.env } : {}),
      configMapRefs: input.configMapRefs, log: input.log, onChange: () => this.changed(), ...(input.backoff ? { backoff: input.backoff } : {}),
      ...(input.requestTimeoutMs !== undefined ? { timeoutMs: input.requestTimeoutMs } : {}),
      ...(input.retryBudgetMs !== undefined ? { retryBudgetMs: input.retryBudgetMs } : {}),
      configMapRefreshMs: input.config.watch.configMapRefreshSeconds * 1000,
      deadlineMs: input.config.collect.deadlineSeconds * 1000,
    });
  }

  /**
   * A full run's collection: the first lists everything and starts the watches; later ones
   * re-list everything. `signal` (serve at shutdown) stops the TLS probes.
   */
  async collectFull(signal?: AbortSignal): Promise<Snapshot> {
    if (!this.started) {
      await this.watcher.start();
      this.started = true;
      this.input.log.info('watch: every kind listed; watching for changes', { event: 'watch-start' });
    } else {
      await this.watcher.relistAll();
    }
    this.watcher.takeChanges(); // a full run covers them
    const snapshot = this.snapshotNow();
    if (this.input.config.tls.probe.enabled) {
      await probeSnapshot(snapshot, this.input.config, this.input.log, signal);
      this.probes = snapshot.probes ?? [];
    }
    return snapshot;
  }

  private snapshotNow(): Snapshot {
    const snapshot = this.watcher.snapshot();
    if (this.input.clusterName !== undefined) snapshot.cluster.name = this.input.clusterName;
    if (this.probes) snapshot.probes = this.probes;
    return snapshot;
  }

  /**
   * The store as the pipeline sees it: what this daemon stores is remembered, and the diff
   * baseline is read from memory instead of decoded from the store again — unless another
   * process stored a run since (then it is read from the store, as always).
   */
  private storeOf(store: PipelineStore | null, timing: Record<string, number> | null): PipelineStore | null {
    if (!store) return null;
    const since = (key: string, t0: number) => { if (timing) timing[key] = (timing[key] ?? 0) + (performance.now() - t0); };
    const self = this;
    return {
      describe: () => store.describe(),
      acquire: (cluster) => store.acquire(cluster),
      ...(store.mark && store.storedSince ? { mark: store.mark.bind(store), storedSince: store.storedSince.bind(store) } : {}),
      // The run is stored and alerted: what it built and did not keep can go now (collectGarbage).
      release: async () => {
        await store.release();
        const g0 = performance.now();
        collectGarbage();
        if (timing) timing.gcMs = performance.now() - g0;
      },
      trend: (limit, cluster) => store.trend(limit, cluster),
      recordNotifications: (id, outcomes) => store.recordNotifications(id, outcomes),
      save: async (report, written, options) => {
        const t0 = performance.now();
        await store.save(report, written, options);
        this.last = report;
        // Taken while this run still holds the store: nothing of its cluster is stored in between.
        this.lastMark = store.mark && store.storedSince ? await store.mark().catch(() => null) : null;
        since('storeMs', t0);
      },
      async *runsNewestFirst(cluster, read) {
        const t0 = performance.now();
        self.previous = null;
        const last = self.last;
        // Still the newest run of this cluster when none of it was stored since (runs of other
        // clusters sharing the store do not count): no run is decoded from the store for it.
        const mark = self.lastMark;
        const newest = last && mark !== null && store.storedSince && last.run.cluster.name === cluster && (await store.storedSince(mark, cluster)) === null;
        if (!last || !newest) {
          self.last = null;
          for await (const r of store.runsNewestFirst(cluster, read)) {
            since('baselineMs', t0);
            self.previous ??= { id: r.run.id, coverage: r.run.coverage };
            yield r;
          }
          return;
        }
        since('baselineMs', t0);
        self.previous = { id: last.run.id, coverage: last.run.coverage };
        yield last;
        // An older run is wanted too (a check the latest run did not evaluate): from the store, past the latest.
        let first = true;
        for await (const r of store.runsNewestFirst(cluster, read)) {
          if (first && r.run.id === last.run.id) {
            // Read again with its findings in a temp file of its own, and not handed on: closed now.
            spoolCloserOf(r)();
            first = false;
            continue;
          }
          first = false;
          yield r;
        }
      },
    };
  }

  /** The pipeline's edges for one run: `reason` 'watch' makes it a watch run. */
  edges(base: PipelineEdges, reason: string): PipelineEdges {
    if (reason !== 'watch') {
      return {
        ...base,
        store: this.storeOf(base.store, null),
        audit: (input) => auditSnapshot({ ...input, evaluate: (checks, ctx) => this.remember(runChecks(checks, ctx)), details: (ctx) => this.detailsOf(ctx, null), notes: (ctx) => this.notesOf(ctx, null) }),
        notifiers: base.notifiers.map((n): Notifier => ({
          name: n.name,
          send: async (report, files, ctx) => {
            const outcome = await n.send(report, files, ctx);
            if (outcome.status === 'sent') this.heldAlerted(report);
            return outcome;
          },
        })),
      };
    }
    let batch: ReturnType<WatchSource['takeChanges']> = { changes: [], dropped: 0, kinds: new Set(), since: null };
    let affected = new Set<string>();
    // Where the time of this watch run goes (ms), logged once it is stored (event watch-timing).
    const timing: Record<string, number> = {};
    const t0 = performance.now();
    const store = this.storeOf(base.store, timing);
    let rendered = 0;
    let htmlOnly = false;
    return {
      ...base,
      store: store && {
        ...store,
        release: async () => {
          await store.release();
          timing.totalMs = performance.now() - t0;
          const ms = Object.fromEntries(Object.entries(timing).map(([k, v]) => [k, Math.round(v)]));
          const m = process.memoryUsage();
          const mib = { rssMiB: m.rss, heapUsedMiB: m.heapUsed, heapTotalMiB: m.heapTotal, externalMiB: m.external };
          for (const k of Object.keys(mib) as Array<keyof typeof mib>) mib[k] = Math.round(mib[k] / 2 ** 20);
          this.input.log.info(`watch run timing (ms): ${Object.entries(ms).map(([k, v]) => `${k.replace(/Ms$/, '')} ${v}`).join(', ')}; memory (MiB): rss ${mib.rssMiB}, heap ${mib.heapUsedMiB}/${mib.heapTotalMiB}, external ${mib.externalMiB}`, { event: 'watch-timing', ...ms, ...mib });
        },
      },
      notifyBeforeStore: true,
      collect: async () => {
        const c0 = performance.now();
        // A change that names other ConfigMaps (a controller's --configmap) has them read first:
        // judged unread, they would pass as absent. Their changes join this run's batch.
        await this.watcher.readReferencedConfigMaps();
        batch = this.watcher.takeChanges();
        this.inFlight = batch;
        if (batch.since !== null) timing.waitedMs = Date.now() - batch.since;
        const snapshot = this.snapshotNow();
        timing.collectMs = performance.now() - c0;
        return snapshot;
      },
      audit: (input: AuditInput) => {
        const a0 = performance.now();
        affected = affectedChecks(input.checks, batch.kinds);
        // A verdict judged against the clock goes stale without a change (waivers are applied
        // to every finding again by the audit, against this run's time).
        for (const c of input.checks) if (c.timeDependent) affected.add(c.id);
        const evaluate = (checks: readonly Check[], ctx: AuditContext): CheckOutcome[] => {
          const e0 = performance.now();
          const run = checks.filter((c) => affected.has(c.id) || !this.cache.has(c.id));
          const fresh = new Map(runChecks(run, ctx).map((o) => [o.check.id, o]));
          timing.checksMs = performance.now() - e0;
          return this.remember(checks.map((c) => fresh.get(c.id) ?? this.cache.get(c.id)!));
        };
        const details = (ctx: AuditContext) => { const d0 = performance.now(); const d = this.detailsOf(ctx, batch.kinds); timing.detailsMs = performance.now() - d0; return d; };
        const notes = (ctx: AuditContext) => { const n0 = performance.now(); const n = this.notesOf(ctx, batch.kinds); timing.notesMs = performance.now() - n0; return n; };
        const out = auditSnapshot({ ...input, evaluate, details, notes });
        timing.auditMs = performance.now() - a0;
        out.report.run.trigger = 'watch';
        out.report.run.watch = {
          changes: batch.changes.slice(0, 50).map(describeChange),
          changeCount: batch.changes.length + batch.dropped,
          reevaluated: input.checks.filter((c) => affected.has(c.id)).map((c) => c.id),
        };
        return out;
      },
      // The baseline's options handed on whole: one left out (the full-input baseline) made a watch
      // run judge a check read again after a forbidden kind against nothing, hiding its area's drop.
      diff: (previous, current, options) => {
        const d0 = performance.now();
        const d = base.diff(previous, current, options);
        timing.diffMs = performance.now() - d0;
        return d;
      },
      render: async (report, extras) => {
        const r0 = performance.now();
        // Before an alert, only the HTML report the notifiers attach; every format is written
        // again once the notifications are sent (report.json records them), before the run is stored.
        const first = rendered === 0 && alerting(report) && base.notifiers.length > 0;
        if (first) htmlOnly = true;
        // After the notifications the pipeline asks for report.json alone; the formats the first
        // render left out are written then too.
        const rest = !first && htmlOnly ? { ...extras, formats: undefined } : extras;
        const files = await base.render(report, first ? { ...extras, formats: ['html'] } : rest);
        timing[rendered++ === 0 ? 'renderMs' : 'rerenderMs'] = performance.now() - r0;
        return files;
      },
      keep: (report) => {
        const d = report.diff;
        if (!d) return false;
        if (d.regression && report.run.watch) report.run.watch.causes = likelyCauses(report, this.input.checks, batch.changes, 5, batch.kinds);
        // A run that alerts is stored, with the alert's outcome: a carried alert it delivered is
        // not sent again by the next run, one it could not deliver is carried on.
        // So is one that sees again what the last stored run could not (a kind readable again):
        // otherwise the history, /, fleet and PolicyReports go on saying "not evaluated".
        const regained = evaluatedAgain(report);
        const coverage = this.previous?.id === d.previousRunId ? coverageChanges({ run: this.previous }, report) : [];
        const keep = alerting(report) || d.new.length > 0 || d.resolved.length > 0 || regained.length > 0 || coverage.length > 0;
        this.flap = { runId: report.run.id, hold: this.holdBack(report) };
        const seen = [...(regained.length > 0 ? [`${regained.length} check(s) evaluated again`] : []), ...(coverage.length > 0 ? [`coverage ${coverage.join(', ')}`] : [])];
        this.input.log.info(oneLine(`watch run: ${batch.changes.length + batch.dropped} change(s), ${affected.size} check(s) re-evaluated, ${d.new.length} new, ${d.resolved.length} resolved${d.regression ? ', REGRESSION' : ''}${seen.map((x) => `, ${x}`).join('')}${keep ? '' : '; not stored (nothing changed)'}`), {
          event: 'watch-run', changes: batch.changes.length + batch.dropped, reevaluated: affected.size, regression: d.regression,
        });
        return keep;
      },
      // A watch run alerts on a regression, or to deliver an earlier run's undelivered alert
      // (the scheduled path's predicate); the scheduled run reports as configured.
      notifiers: base.notifiers.map((n): Notifier => ({
        name: n.name,
        send: async (report, files, ctx) => {
          if (!alerting(report)) return { channel: n.name as 'slack' | 'email', status: 'skipped', detail: 'watch run without a regression or an undelivered alert' };
          if (this.flap?.runId === report.run.id && this.flap.hold) {
            const h = report.run.watch?.heldBack;
            return { channel: n.name as 'slack' | 'email', status: 'skipped', detail: `held back: every new finding was alerted less than watch.realertAfterHours (${this.input.config.watch.realertAfterHours} h) ago${h ? `; ${h.repeats} repeat(s) held back since ${h.since}` : ''}` };
          }
          const s0 = performance.now();
          timing[`${n.name}AtMs`] = s0 - t0;
          try {
            const outcome = await n.send(report, files, ctx);
            if (outcome.status === 'sent') {
              this.alertedNow(report);
              this.heldAlerted(report);
              this.inFlightAlerted = true;
            }
            return outcome;
          } finally {
            timing[`${n.name}Ms`] = performance.now() - s0;
          }
        },
      })),
    };
  }

  /**
   * Whether a watch run's regression repeats one alerted less than watch.realertAfterHours
   * ago: every new finding was (a NetworkPolicy deleted and re-created, again and again).
   * Alertmanager holds a firing alert back the same way (repeat_interval, 4 h by default).
   * An alert that also carries an undelivered one, or with any reason that new findings do
   * not make (coverage lost, an escalation, an expired waiver: RunDiff.newFindingReasons), is
   * never held: those are said once, and the next run, diffing against this one, would not
   * say them again. Marks the run (run.watch.heldBack) with the repeats held back so far: the
   * alert that is sent says how many it stands for. A held alert is not dropped: it is carried
   * (RunDiff.heldAlerts, in place of the earlier held alerts of the same findings) until
   * watch.realertAfterHours after those findings were alerted, when the first run (a watch run
   * or a scheduled one) sends it if they are still open (src/run/undelivered.ts releaseHeld).
   * Alertmanager re-sends a still-firing alert after repeat_interval the same way.
   */
  private holdBack(report: RunReport): boolean {
    const d = report.diff;
    const windowMs = this.input.config.watch.realertAfterHours * 3_600_000;
    if (!d?.regression) return false;
    const alerted = alertedFindings(d);
    if (alerted.length === 0 || (d.newFindingReasons ?? 0) < d.regressionReasons.length) return false;
    const at = Date.parse(report.run.startedAt);
    const seen = alertKeys(report).map((k) => this.alerted.get(k));
    const hold = windowMs > 0 && (d.undelivered?.length ?? 0) === 0 && seen.every((s) => s !== undefined && at - s.at < windowMs);
    if (hold) for (const s of seen) { s!.held++; s!.heldSince ??= at; }
    const held = seen.filter((s) => s && s.held > 0) as Array<{ held: number; heldSince?: number }>;
    if (held.length > 0 && report.run.watch) {
      report.run.watch.heldBack = {
        repeats: Math.max(...held.map((s) => s.held)),
        since: new Date(Math.min(...held.map((s) => s.heldSince ?? at))).toISOString(),
      };
    }
    if (hold) {
      const findings = new Set(alerted);
      const heldUntil = new Date(Math.min(...seen.map((s) => s!.at)) + windowMs).toISOString();
      const reasons = [...(report.run.watch?.heldBack ? [heldBackText(report.run.watch.heldBack)] : []), ...d.regressionReasons];
      const others = (d.heldAlerts ?? []).filter((h) => !(h.findings ?? []).every((fp) => findings.has(fp)));
      d.heldAlerts = [...others, { runId: report.run.id, reasons, findings: [...findings], heldUntil }];
    }
    return hold;
  }

  /**
   * A run's alert went out with held-back alerts that were due (RunDiff.undelivered with their
   * findings): those findings were alerted now, nothing held back since.
   */
  private heldAlerted(report: RunReport): void {
    const at = Date.parse(report.run.startedAt);
    for (const u of report.diff?.undelivered ?? []) for (const fp of u.findings ?? []) this.alerted.set(fp, { at, held: 0 });
  }

  /** A watch run's alert went out: its new findings were alerted now, nothing held back since. */
  private alertedNow(report: RunReport): void {
    if (this.flap?.runId !== report.run.id) return;
    const at = Date.parse(report.run.startedAt);
    // Findings alerted longer ago than the window hold nothing back: forgotten, so a serve
    // that runs for months keeps only the last window's (alerts are rare: one pass each).
    const windowMs = this.input.config.watch.realertAfterHours * 3_600_000;
    for (const [fp, s] of this.alerted) if (at - s.at >= windowMs) this.alerted.delete(fp);
    for (const k of alertKeys(report)) this.alerted.set(k, { at, held: 0 });
  }

  private remember(outcomes: CheckOutcome[]): CheckOutcome[] {
    this.cache = new Map(outcomes.map((o) => [o.check.id, o]));
    return outcomes;
  }

  /** The report sections: only those whose inputs changed are computed again. */
  private detailsOf(ctx: AuditContext, kinds: ReadonlySet<KindKey> | null): RunDetails {
    const sections = this.details === null ? null : affectedSections(kinds);
    if (sections === null) {
      this.details = runDetails(ctx);
    } else if (sections.size > 0) {
      const fresh = runDetails(ctx, sections);
      const next: RunDetails = { ...this.details };
      for (const s of sections) delete next[s];
      const merged: RunDetails = { ...next, ...fresh };
      // In the order a full run writes them.
      this.details = Object.fromEntries(Object.keys(DETAIL_KINDS).filter((k) => k in merged).map((k) => [k, merged[k as keyof RunDetails]])) as RunDetails;
    }
    return this.details!;
  }

  private notesOf(ctx: AuditContext, kinds: ReadonlySet<KindKey> | null): string[] {
    const touched = kinds === null || [...kinds].some((k) => RUN_NOTES_KINDS.has(k));
    if (touched || this.notes === null) this.notes = runNotes(ctx);
    return this.notes;
  }

  /** Starts the debounced watch runs on `daemon`. */
  attach(daemon: DaemonHandle): void {
    this.daemon = daemon;
    if (this.watcher.hasChanges()) this.changed();
  }

  private debounceMs(): number {
    return this.input.config.watch.debounceSeconds * 1000;
  }

  private changed(delayMs = this.debounceMs()): void {
    if (!this.daemon || !this.started || this.stopped || this.timer) return;
    this.timer = setTimeout(() => { void this.fire(); }, delayMs);
  }

  private async fire(): Promise<void> {
    this.timer = null;
    const daemon = this.daemon;
    if (!daemon || this.stopped || !this.watcher.hasChanges()) return;
    if (daemon.state().running) {
      // A run is in progress: the changes wait for it, then for one more debounce.
      await daemon.idle();
      this.changed();
      return;
    }
    this.watchRuns++;
    this.inFlight = null;
    this.inFlightAlerted = false;
    const outcome = await daemon.tick('watch');
    const batch = this.inFlight;
    const alerted = this.inFlightAlerted;
    this.inFlight = null;
    this.inFlightAlerted = false;
    if (outcome === 'failed') {
      // Its changes are not lost: the next watch run (after the debounce, doubling while runs
      // keep failing, at most 5 minutes) judges and names them. Unless its alert went out
      // before it failed (the store could not save): a retry would send the same alert again.
      // The checks they touch were re-evaluated all the same; the regression, not stored, is
      // found again by the next run that a real change starts, against the same stored baseline.
      if (batch && !alerted) this.watcher.giveBack(batch);
      this.failedRuns++;
      // A change that arrived during the failing run armed a plain debounce: the backoff
      // replaces it (and changes arriving during the backoff do not shorten it: one timer).
      if (this.timer) {
        clearTimeout(this.timer);
        this.timer = null;
      }
    } else if (outcome === 'ran') {
      this.failedRuns = 0;
    }
    if (this.watcher.hasChanges()) this.changed(Math.min(WATCH_RETRY_MAX_MS, this.debounceMs() * 2 ** Math.max(0, this.failedRuns - 1)));
  }

  metrics(): ReturnType<WatchSource['metrics']> {
    return this.watcher.metrics();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.watcher.stop();
  }
}
