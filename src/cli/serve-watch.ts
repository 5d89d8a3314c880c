// `serve --watch`: the daemon's collection comes from a ClusterWatch (src/collect/watch.ts)
// instead of a fresh list per run. The start-up and scheduled runs are full runs (every kind
// re-listed, every check evaluated: the baseline of record). Between them, changes are
// debounced (watch.debounceSeconds, counted from the first change, so steady churn cannot
// postpone a run forever) and start a watch run: only the checks whose declared inputs
// (needs, reads; the pod view for `pods`; the mesh kinds for mesh-gated checks) changed are
// evaluated, every other check's outcome is carried over from the previous audit (its inputs
// are the same objects), and the run is diffed against the last stored run like any other.
// A watch run is stored only when its findings changed (a regression, a new or resolved
// finding), and notified only on a regression, naming the changes that most likely caused
// it. A kind whose watch fails has non-ok coverage in the snapshot, so its checks are
// not-evaluated, never "resolved" (the per-check baseline skips them).
import { runDetails, runNotes } from '../analysis/details.ts';
import { probeTargets } from '../analysis/tls/index.ts';
import type { AuditContext } from '../analysis/context.ts';
import { ConfigError } from '../base/errors.ts';
import type { Logger } from '../base/log.ts';
import { ClusterWatch, describeChange, type WatchChange } from '../collect/watch.ts';
import type { ConfigMapRef } from '../collect/live.ts';
import { probeEndpoints } from '../collect/tls-probe.ts';
import type { Config } from '../config/types.ts';
import { auditSnapshot, type AuditInput } from '../engine/audit.ts';
import { runChecks } from '../engine/run.ts';
import type { Check, CheckOutcome } from '../engine/types.ts';
import type { Notifier, PipelineEdges } from '../pipeline/pipeline.ts';
import { DETAIL_KINDS, type RunDetails, type RunReport } from '../run/types.ts';
import { KINDS, POD_VIEW_KINDS, type KindKey } from '../snapshot/kinds.ts';
import type { Snapshot, TlsProbeResult } from '../snapshot/types.ts';

/** Kinds a mesh-gated check's applicability reads (the mesh model). */
const MESH_KINDS = KINDS.filter((k) => /^(istio|linkerd|consul)\./.test(k.key)).map((k) => k.key as KindKey);

/** The kinds whose change can change a check's outcome, from its declared inputs. */
export function inputsOf(check: Pick<Check, 'needs' | 'reads' | 'appliesTo'>): Set<KindKey> {
  const out = new Set<KindKey>([...check.needs, ...(check.reads ?? [])]);
  if (out.has('pods')) for (const k of POD_VIEW_KINDS) out.add(k);
  if (check.appliesTo) for (const k of [...MESH_KINDS, ...POD_VIEW_KINDS, 'namespaces', 'services', 'configmaps'] as KindKey[]) out.add(k);
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
 * The changes to the regressed checks' inputs, the rarest kind first (one NetworkPolicy
 * deleted among fifty pod updates is the likely cause), at most `max`, as text.
 */
export function likelyCauses(report: RunReport, checks: readonly Check[], changes: readonly WatchChange[], max = 5): string[] {
  const d = report.diff;
  if (!d?.regression) return [];
  const fresh = new Set(d.new);
  const regressed = new Set(report.findings.filter((f) => fresh.has(f.fingerprint)).map((f) => f.check));
  const inputs = new Set<KindKey>();
  for (const c of checks) if (regressed.has(c.id)) for (const k of inputsOf(c)) inputs.add(k);
  const relevant = inputs.size > 0 ? changes.filter((c) => inputs.has(c.kind)) : [...changes];
  const perKind = new Map<KindKey, number>();
  for (const c of relevant) perKind.set(c.kind, (perKind.get(c.kind) ?? 0) + 1);
  const ordered = [...relevant].sort((a, b) => perKind.get(a.kind)! - perKind.get(b.kind)! || a.at - b.at);
  return [...new Set(ordered.map(describeChange))].slice(0, max);
}

/** What ServeWatch needs from the watch (ClusterWatch; tests hand in a fake). */
export type WatchSource = Pick<ClusterWatch, 'start' | 'relistAll' | 'snapshot' | 'takeChanges' | 'hasChanges' | 'metrics' | 'stop'>;

export interface ServeWatchInput {
  config: Config;
  checks: readonly Check[];
  log: Logger;
  kubeconfigPath?: string;
  context?: string;
  env?: Record<string, string | undefined>;
  clusterName?: string;
  configMapRefs: (partial: Snapshot) => ConfigMapRef[];
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
  private notes: string[] | null = null;
  private probes: TlsProbeResult[] | undefined;
  private timer: NodeJS.Timeout | null = null;
  private daemon: DaemonHandle | null = null;
  private stopped = false;
  watchRuns = 0;

  constructor(input: ServeWatchInput) {
    this.input = input;
    this.watcher = input.watcher ? input.watcher(() => this.changed()) : new ClusterWatch({
      kubeconfigPath: input.kubeconfigPath, context: input.context, ...(input.env ? { env: input.env } : {}),
      configMapRefs: input.configMapRefs, log: input.log, onChange: () => this.changed(), ...(input.backoff ? { backoff: input.backoff } : {}),
    });
  }

  /** A full run's collection: the first lists everything and starts the watches; later ones re-list everything. */
  async collectFull(): Promise<Snapshot> {
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
      const targets = probeTargets(snapshot, this.input.config);
      this.input.log.info(`probing ${targets.length} TLS endpoint(s)`);
      this.probes = await probeEndpoints(targets, this.input.config.tls.probe);
      snapshot.probes = this.probes;
    }
    return snapshot;
  }

  private snapshotNow(): Snapshot {
    const snapshot = this.watcher.snapshot();
    if (this.input.clusterName !== undefined) snapshot.cluster.name = this.input.clusterName;
    if (this.probes) snapshot.probes = this.probes;
    return snapshot;
  }

  /** The pipeline's edges for one run: `reason` 'watch' makes it a watch run. */
  edges(base: PipelineEdges, reason: string): PipelineEdges {
    if (reason !== 'watch') {
      return {
        ...base,
        audit: (input) => auditSnapshot({ ...input, evaluate: (checks, ctx) => this.remember(runChecks(checks, ctx)), details: (ctx) => this.detailsOf(ctx, null), notes: (ctx) => this.notesOf(ctx, null) }),
      };
    }
    let batch: ReturnType<WatchSource['takeChanges']> = { changes: [], dropped: 0, kinds: new Set(), since: null };
    let affected = new Set<string>();
    return {
      ...base,
      collect: async () => {
        batch = this.watcher.takeChanges();
        return this.snapshotNow();
      },
      audit: (input: AuditInput) => {
        affected = affectedChecks(input.checks, batch.kinds);
        const evaluate = (checks: readonly Check[], ctx: AuditContext): CheckOutcome[] => {
          const run = checks.filter((c) => affected.has(c.id) || !this.cache.has(c.id));
          const fresh = new Map(runChecks(run, ctx).map((o) => [o.check.id, o]));
          return this.remember(checks.map((c) => fresh.get(c.id) ?? this.cache.get(c.id)!));
        };
        const out = auditSnapshot({ ...input, evaluate, details: (ctx) => this.detailsOf(ctx, batch.kinds), notes: (ctx) => this.notesOf(ctx, batch.kinds) });
        out.report.run.trigger = 'watch';
        out.report.run.watch = {
          changes: batch.changes.slice(0, 50).map(describeChange),
          changeCount: batch.changes.length + batch.dropped,
          reevaluated: input.checks.filter((c) => affected.has(c.id)).map((c) => c.id),
        };
        return out;
      },
      keep: (report) => {
        const d = report.diff;
        if (!d) return false;
        if (d.regression && report.run.watch) report.run.watch.causes = likelyCauses(report, this.input.checks, batch.changes);
        const keep = d.regression || d.new.length > 0 || d.resolved.length > 0;
        this.input.log.info(`watch run: ${batch.changes.length + batch.dropped} change(s), ${affected.size} check(s) re-evaluated, ${d.new.length} new, ${d.resolved.length} resolved${d.regression ? ', REGRESSION' : ''}${keep ? '' : '; not stored (nothing changed)'}`, {
          event: 'watch-run', changes: batch.changes.length + batch.dropped, reevaluated: affected.size, regression: d.regression,
        });
        return keep;
      },
      // A watch run alerts on a regression only; the scheduled run reports as configured.
      notifiers: base.notifiers.map((n): Notifier => ({
        name: n.name,
        send: (report, files, ctx) => (report.diff?.regression
          ? n.send(report, files, ctx)
          : Promise.resolve({ channel: n.name as 'slack' | 'email', status: 'skipped', detail: 'watch run without a regression' })),
      })),
    };
  }

  private remember(outcomes: CheckOutcome[]): CheckOutcome[] {
    this.cache = new Map(outcomes.map((o) => [o.check.id, o]));
    return outcomes;
  }

  private detailsOf(ctx: AuditContext, kinds: ReadonlySet<KindKey> | null): RunDetails {
    const touched = kinds === null || Object.values(DETAIL_KINDS).some((ks) => ks.some((k) => kinds.has(k)));
    if (touched || this.details === null) this.details = runDetails(ctx);
    return this.details;
  }

  private notesOf(ctx: AuditContext, kinds: ReadonlySet<KindKey> | null): string[] {
    const touched = kinds === null || DETAIL_KINDS.network.some((k) => kinds.has(k)) || [...kinds].some((k) => k.startsWith('calico') || k.startsWith('cilium') || k.startsWith('anp.'));
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

  private changed(): void {
    if (!this.daemon || !this.started || this.stopped || this.timer) return;
    this.timer = setTimeout(() => { void this.fire(); }, this.debounceMs());
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
    await daemon.tick('watch');
    if (this.watcher.hasChanges()) this.changed();
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
