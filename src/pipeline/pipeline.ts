// One audit run, end to end: collect -> audit -> diff against the previous run -> store ->
// render -> notify -> publish. The edges (collector, run store, renderer, notifiers) are handed in, so
// tests give it real local servers or small fakes without patching modules. By default the
// run is notified, then stored with its notification outcomes: an alert no channel delivered
// is sent by the next run (report.diff.undelivered), which diffs against this one and so would
// not see the regression again. Each channel is bounded and its failure is an outcome, so a
// notifier never keeps the run from being stored; a store that fails after an alert went out
// repeats the alert next time, which beats losing it. The store is held from
// just after the audit (when the cluster is known: a shared store locks per cluster) to the
// end. A run that cannot be stored still has its reports written and its notifications
// sent, then fails with a StoreError ("audit could not be stored").
import type { Config } from '../config/types.ts';
import { runDetails, runNotes } from '../analysis/details.ts';
import { auditSnapshot, type AuditInput, type AuditOutput } from '../engine/audit.ts';
import type { Check } from '../engine/types.ts';
import { bestEffortByCheck } from '../engine/run.ts';
import type { CarriedFindings, NotificationOutcome, RunDiff, RunReport, SaveOptions, StoredRunRead, TrendPoint, WrittenFile, WrittenReport } from '../run/types.ts';

export type { TrendPoint };
import type { Snapshot } from '../snapshot/types.ts';
import type { Logger } from '../base/log.ts';
import { HistoryError, OvertakenError, StoreError, errorMessage, type UnreadableRunError } from '../base/errors.ts';
import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import { sarifLeftOutText, sarifResultCount } from '../run/output-limits.ts';
import { SARIF_MAX_RESULTS } from '../base/output-limits.ts';
import { findBaseline, notJudgedCarried } from '../diff/baseline.ts';
import { addRegressionSinceUnreadable, diffBySummary, type DiffOptions } from '../diff/diff.ts';
import { Spool } from '../base/spool.ts';
import { spoolCloserOf } from '../run/stored-run.ts';
import { heldAfter, pendingOutcome, rejectedWarning, releaseHeld, undeliveredAfter } from '../run/undelivered.ts';
import { oneLine } from '../base/plain-text.ts';
import { coverageGaps, gapsText } from '../run/coverage.ts';
import { noteCoveredBefore } from '../run/waivers.ts';

/** The part of a RunStore the pipeline uses. */
export interface PipelineStore {
  describe(): string;
  acquire(cluster?: string): Promise<void>;
  release(): Promise<void>;
  /** RunStore.mark / storedSince: every store has them (a test's fake may leave them out). */
  mark?(): Promise<string>;
  storedSince?(mark: string, cluster?: string): Promise<{ id: string; startedAt: string } | null>;
  /** That cluster's stored runs, newest first by insertion (RunStore.runsNewestFirst). */
  runsNewestFirst(cluster?: string, read?: StoredRunRead): AsyncIterable<RunReport>;
  save(report: RunReport, written?: WrittenReport, options?: SaveOptions): Promise<void>;
  /** For a run stored before it was notified (RunStore.recordNotifications). */
  recordNotifications(id: string, outcomes: NotificationOutcome[]): Promise<void>;
  trend(limit: number, cluster?: string): Promise<TrendPoint[]>;
}

/** What a notifier gets besides the report: `signal` fires at `deadlineAt` or when the run is abandoned. */
export interface SendContext {
  signal: AbortSignal;
  /** The channel's deadline (epoch ms): notify.deadlineSeconds after it started. */
  deadlineAt: number;
}

export type Notifier = {
  name: string;
  /** Sends one channel's notification; `ctx.signal` aborts it (deadline or shutdown). */
  send(report: RunReport, files: string[], ctx: SendContext): Promise<NotificationOutcome>;
};

/**
 * What the pipeline hands its diff step besides the two runs: diffRuns' options but the rules,
 * from the per-check Baseline (`olderRuns`, `notApplicableRuns`, `breadthRunId`, `namespaceRuns`,
 * and the full-input baseline `fullInputRuns`, `fullInputReport`, `fullInputCarry`).
 */
export type PipelineDiffOptions = Omit<DiffOptions, 'rules' | 'olderRuns' | 'notApplicableRuns'> & Required<Pick<DiffOptions, 'olderRuns' | 'notApplicableRuns'>>;

export interface PipelineEdges {
  collect(): Promise<Snapshot>;
  store: PipelineStore | null;
  /**
   * `options` are diffRuns' options but the configured rules, filled from the Baseline: one
   * object, so that a step wrapping this one (serve --watch times it) hands it on whole.
   */
  diff(previous: RunReport, current: RunReport, options: PipelineDiffOptions): RunDiff;
  /**
   * `formats`: only these of the configured formats (serve --watch writes the HTML a notifier attaches first).
   * `onReportJson`: to be told of the report.json written for this run, as written (renderReports' option).
   * `carried`: the open findings of the checks this run could not evaluate (Baseline.carried), for report.sarif.
   */
  render(report: RunReport, extras: { previous: RunReport | null; trend: TrendPoint[]; carried?: CarriedFindings[]; formats?: readonly string[]; onReportJson?: (file: WrittenFile) => void; historyOff?: boolean }): Promise<string[]>;
  /** Run after the run is stored and notified (PolicyReports); what they say is logged, a failure is a warning. */
  publishers?: Publisher[];
  notifiers: Notifier[];
  log: Logger;
  now(): Date;
  /**
   * Abandons the run (serve at shutdown, run at SIGTERM): notifiers in flight are aborted too,
   * and a run abandoned before it is stored is not stored (nor shown by onStored): the next
   * run diffs against the last one that finished.
   */
  signal?: AbortSignal;
  /**
   * Called once the run is stored (or, with no history store, rendered), before notifying when
   * notifyBeforeStore is false (serve shows it at once). Never for a run the store refused: the
   * run fails with a StoreError and the previous run stays the latest.
   */
  onStored?(report: RunReport, files: string[]): void;
  /**
   * Called once the audit has returned, when the snapshot and the models built on it can no
   * longer be reached, before the stored runs are read, the reports rendered and the run stored
   * (ztaudit run: releaseFreedHeap, so that what comes after is not added on top of the
   * snapshot's freed pages; and the kinds it could not read, with the checks they cost).
   */
  afterAudit?(report: RunReport): void;
  /** Replaces the audit step (serve --watch: partial re-evaluation, the run marked as a watch run). */
  audit?(input: AuditInput): AuditOutput;
  /**
   * After the diff: false drops the run (not stored, rendered or notified; serve --watch
   * keeps a watch run only when its findings or its coverage changed).
   */
  keep?(report: RunReport): boolean;
  /**
   * Notify first, then store, with the notification outcomes in the stored run (the default:
   * an undelivered alert is carried to the next run). false stores first (serve: the daemon
   * shows the stored run while it waits on its notifiers), then records the outcomes into the
   * stored run (PipelineStore.recordNotifications), so they outlive the process.
   */
  notifyBeforeStore?: boolean;
  /**
   * The notification outcomes of a stored run as this process saw them, when it stored the
   * run before notifying (serve remembers its latest run's): used instead of the stored ones,
   * which lack them when recording them failed.
   */
  outcomesOf?(runId: string): NotificationOutcome[] | undefined;
}

export interface Publisher {
  name: string;
  /** `carried`: the findings of the checks the run could not evaluate (Baseline.carried), as report.sarif lists them. */
  publish(report: RunReport, carried: readonly CarriedFindings[]): Promise<{ info: string[]; warnings: string[] }>;
}

export interface PipelineResult {
  report: RunReport;
  files: string[];
  /**
   * false for a run `keep` dropped (nothing rendered or stored: serve --watch, nothing
   * changed); true for a run stored, or rendered when there is no history store.
   */
  stored: boolean;
}

export async function runPipeline(config: Config, checks: readonly Check[], edges: PipelineEdges): Promise<PipelineResult> {
  const startedAt = edges.now();
  const store = edges.store;
  let result: PipelineResult;
  let notStored: string | null = null;
  /** What the run carries for the checks it could not evaluate: published too, so that they are not shown fixed. */
  let carriedFindings: CarriedFindings[] = [];
  // The snapshot and the analysis models memoised on it live only inside this call, so
  // they can be collected before diffing and rendering a large run.
  const audit = async () => (edges.audit ?? auditSnapshot)({
    snapshot: await edges.collect(), config, checks, now: startedAt, startedAt, clock: edges.now, runId: runIdOf(startedAt), details: runDetails, notes: runNotes,
    spool: () => Spool.open(),
  });
  // Where the store stood before collecting: the lock is taken only once the cluster is known,
  // after the audit. A run stored meanwhile that started at or after this one (another process,
  // collecting faster) is a newer picture of the cluster; one that started before it is older.
  const mark = store?.mark ? await store.mark() : null;
  const { report, expiredWaivers, warnings } = await audit();
  edges.afterAudit?.(report);
  for (const line of warnings ?? []) edges.log.warn(line);
  // The audit is synchronous: a signal that came during it is seen only now.
  edges.signal?.throwIfAborted();
  if (store) await store.acquire(report.run.cluster.name);
  try {
    if (store && mark !== null && store.storedSince) await refuseIfOvertaken(store, mark, report);
    const { previous, carried } = store ? await diffWithBaseline(store, report, expiredWaivers, config.regression, edges, checks) : { previous: null, carried: [] };
    carriedFindings = carried;
    if (!previous && expiredWaivers.length > 0) edges.log.warn(`${expiredWaivers.length} finding(s) are back on because their waiver expired`);
    if (edges.keep && !edges.keep(report)) return { report, files: [], stored: false };
    // The stored runs; the renderer adds the current one.
    const trend = store ? await store.trend(30, report.run.cluster.name) : [];
    // report.json as the last render wrote it holds this very run: compressed from that file,
    // the run is not serialised a second time (a store may still do so: written is a hint).
    let written: WrittenReport | undefined;
    const render = (formats?: readonly string[]) => {
      written = undefined; // one written before holds the run as it was then (before its notifications)
      // No store: history is off (--history none), which the reports say instead of "first run".
      return edges.render(report, { previous, trend, carried, ...(formats ? { formats } : {}), ...(store ? {} : { historyOff: true }), onReportJson: (reportJson) => { written = { reportJson }; } });
    };
    // Render before storing: a run whose reports cannot be written (no space, --out not a
    // directory) must not become the baseline that hides its regressions next time.
    let files = await render();
    // report.sarif cut to what GitHub code scanning accepts says so in the log; the CLI says it too.
    if (files.some((f) => basename(f) === 'report.sarif')) {
      const limit = config.reports?.sarifMaxResults ?? SARIF_MAX_RESULTS;
      const { total, leftOut } = sarifResultCount(report, carried, limit);
      if (leftOut > 0) edges.log.warn(sarifLeftOutText({ total, leftOut, limit, from: config.reports?.sarifMaxResultsFrom }));
    }
    const notifyFirst = edges.notifyBeforeStore ?? true;
    // Stored before it is notified: each channel pending until its outcome is recorded, so a
    // process killed in between leaves the alert to the next run instead of losing it.
    const pending: SaveOptions = !notifyFirst && edges.notifiers.length > 0
      ? { notifications: edges.notifiers.map((n) => pendingOutcome(n.name as NotificationOutcome['channel'])) } : {};
    const save = async () => {
      edges.signal?.throwIfAborted();
      if (store) {
        try {
          await store.save(report, written, pending);
          edges.log.info(`stored run ${report.run.id} in ${store.describe()}`);
        } catch (error: unknown) {
          if (!(error instanceof HistoryError)) throw error;
          notStored = error.message;
          edges.log.warn(`audit could not be stored: ${notStored}`);
          return;
        }
      }
      edges.onStored?.(report, files);
    };
    if (!notifyFirst) await save();
    if (edges.notifiers.length > 0) {
      // Channels are independent: one stalled server must not eat another's deadline.
      const deadlineMs = config.notify.deadlineSeconds * 1000;
      const outcomes = await Promise.all(edges.notifiers.map((n) => sendBounded(n.name, (ctx) => n.send(report, files, ctx), deadlineMs, edges.signal)));
      for (const outcome of outcomes) {
        report.notifications.push(outcome);
        if (outcome.status === 'failed') edges.log.warn(`${outcome.channel} notification failed: ${outcome.detail ?? ''}`);
        const rejected = rejectedWarning(outcome);
        if (rejected) edges.log.warn(rejected);
      }
      // Only report.json records the outcomes: it alone is written again. Rendering every format
      // again would launch Chromium a second time, and a PDF failing then would drop a run
      // whose report was already announced (not stored, so the next run alerts again).
      files = [...new Set([...files, ...await render(['json'])])];
    }
    if (notifyFirst) await save();
    else if (store && notStored === null && edges.notifiers.length > 0) await recordOutcomes(store, report, edges.log);
    result = { report, files, stored: notStored === null };
  } finally {
    if (store) await store.release();
  }
  for (const p of edges.publishers ?? []) {
    try {
      const said = await p.publish(result.report, carriedFindings);
      for (const line of said.info) edges.log.info(line);
      for (const line of said.warnings) edges.log.warn(line);
    } catch (error: unknown) {
      edges.log.warn(`${p.name} not written: ${errorMessage(error)}`);
    }
  }
  if (notStored !== null) {
    throw new StoreError(`audit could not be stored: ${notStored}; its reports were written (${result.files.join(', ')})`);
  }
  return result;
}

/**
 * Refuses (OvertakenError, before anything is rendered, stored or sent, as a run refused the
 * lock is) a run when a run of its cluster stored after `mark` was taken started at or after
 * this one: diffed against that newer run, this older picture of the cluster would call
 * whatever appeared since "resolved" and become the latest run, the next diff's baseline. A run
 * stored meanwhile that started earlier (a slower run, `history import` of old runs) is older
 * and is diffed against as usual. Start times compare the clocks of the machines that ran them:
 * runs of one cluster from machines with skewed clocks are ordered by those clocks.
 */
async function refuseIfOvertaken(store: PipelineStore, mark: string, report: RunReport): Promise<void> {
  const newer = await store.storedSince!(mark, report.run.cluster.name);
  if (!newer || Date.parse(newer.startedAt) < Date.parse(report.run.startedAt)) return;
  throw new OvertakenError(oneLine(`a newer run (${newer.id}, started ${newer.startedAt}) of cluster "${report.run.cluster.name}" was stored in ${store.describe()} while run ${report.run.id} (started ${report.run.startedAt}) collected: this older run was not stored, so it cannot mark that run's findings resolved; nothing needs re-running (runs are refused, never interleaved)`));
}

/**
 * Sets the diff against the stored baseline (each check against the last run in which it was
 * evaluated: no blind spot after a partial run) and returns the previous run as the reports
 * read it: its checks and the findings the diff calls resolved (from whichever run each was
 * compared with), as plain findings. The rest of
 * the stored run (as many findings as this one, parsed from the store, their bulky fields in a
 * temp file: RunStore.runsNewestFirst) is not kept through rendering, storing and notifying,
 * and the temp files of the runs read are closed before this returns, but those of the runs
 * `carried` (Baseline.carried: report.sarif lists them) reads from, which close once it is dropped.
 */
async function diffWithBaseline(store: PipelineStore, report: RunReport, expiredWaivers: string[], rules: Config['regression'], edges: PipelineEdges, checks: readonly Check[]): Promise<{ previous: RunReport | null; carried: CarriedFindings[] }> {
  const closers: Array<{ runId: string; close: () => void }> = [];
  const keep = new Set<string>();
  try {
    // A run passed over (its checks blind too) is closed at once, not kept open with the rest.
    // Only a finding this run does not have can be resolved, and only resolved ones are listed
    // with their message and evidence: the others are read without them.
    // By check (a fingerprint hashes its check): small sets, each looked up for a row of
    // findings in turn, where one set of all ~380,000 at L missed the CPU's caches.
    const current = new Map<string, Set<string>>();
    for (const f of report.findings) {
      let set = current.get(f.check);
      if (!set) current.set(f.check, (set = new Set()));
      set.add(f.fingerprint);
    }
    // A run whose stored report cannot be decoded is passed over, named: failing on it would
    // lose this audit and every later one of the cluster.
    const unreadable: UnreadableRunError[] = [];
    // Those met before any readable run (none yielded yet, so none noted in `closers`) are newer than the baseline.
    const newer: UnreadableRunError[] = [];
    const read = { bulkyOf: (fingerprint: string, check: string) => current.get(check)?.has(fingerprint) !== true, onUnreadable: (error: UnreadableRunError) => { unreadable.push(error); if (closers.length === 0) newer.push(error); } };
    const baseline = await findBaseline(({ wants }) => noting(store.runsNewestFirst(report.run.cluster.name, { ...read, wants }), closers), report, { passed: (run) => spoolCloserOf(run)(), bestEffort: bestEffortByCheck(checks) });
    // With none readable, what the newest of them last reported still counts, by its stored
    // summary: a backdoor added since must alert now (the next run, diffed against this one, calls it persisting).
    const bySummary = baseline ? null : diffBySummary(unreadable, report, rules);
    const outcome = baseline ? `this run is diffed against run ${baseline.latest.run.id}`
      : bySummary ? `no older run of this cluster can be read, so this run is compared with the stored summary of run ${bySummary.previousRunId} alone`
        : 'no older run of this cluster can be read, so this run is not diffed';
    for (const error of unreadable) edges.log.warn(oneLine(`${error.message}; passed over: ${outcome}`));
    if (!baseline) {
      if (bySummary) {
        report.diff = bySummary;
        report.run.notes.push(oneLine(`compared by the stored summary of run ${bySummary.previousRunId} alone: no stored run of this cluster could be read (unreadable: ${unreadable.map((e) => e.runId).join(', ')})`));
        return { previous: null, carried: [] };
      }
      if (unreadable.length > 0) {
        report.run.notes.push(oneLine(`not diffed: no stored run of this cluster could be read (unreadable: ${unreadable.map((e) => e.runId).join(', ')})`));
        report.run.unreadablePrevious = unreadable.map((e) => e.runId);
      }
      return { previous: null, carried: [] };
    }
    report.diff = edges.diff(baseline.report, report, { expiredWaivers, olderRuns: baseline.olderRuns, notApplicableRuns: baseline.notApplicableRuns, breadthRunId: baseline.breadthRunId, namespaceRuns: baseline.namespaceRuns, fullInputRuns: baseline.fullInputRuns, fullInputReport: baseline.fullInputReport, fullInputCarry: baseline.fullInputCarry });
    if (unreadable.length > 0) report.diff.unreadableRuns = unreadable.map((e) => e.runId);
    // A waiver that covered a finding still open is no stale entry, though it matches nothing now.
    noteCoveredBefore(report.waivers, report.findings, baseline.report.findings, (check) => baseline.olderRuns[check] ?? baseline.latest.run.id);
    // What a check this run could not evaluate found when last evaluated: the counts state it
    // beside this run's own, as /metrics carries it (a 403 must not make findings vanish).
    if (baseline.lastEvaluatedOpen.length > 0) report.run.lastEvaluatedOpen = baseline.lastEvaluatedOpen;
    // The newest of them is what was last reported (its alert or its all-clear): what got worse
    // since, by its stored summary, is a regression the diff against an older run cannot see
    // (a finding resolved there and back now is "persisting").
    addRegressionSinceUnreadable(report.diff, newer, report, rules);
    const outcomes = edges.outcomesOf?.(baseline.latest.run.id);
    // serve --watch's held-back repeats: due ones are sent as undelivered alerts are.
    const held = releaseHeld(heldAfter(baseline.latest, outcomes), report);
    const undelivered = [...undeliveredAfter(baseline.latest, outcomes), ...held.due];
    if (undelivered.length > 0) report.diff.undelivered = undelivered;
    if (held.held.length > 0) report.diff.heldAlerts = held.held;
    const resolved = new Set(report.diff.resolved);
    // From the baseline diffed against, not the latest run alone: a check compared with an older
    // run (the latest could not evaluate it) has its resolved findings only there.
    // The findings of namespaces this run could not judge are carried as a blind check's are.
    const carried = [...baseline.carried, ...notJudgedCarried(baseline, report)];
    for (const c of carried) keep.add(c.runId);
    const previous = { ...baseline.latest, findings: baseline.report.findings.filter((f) => resolved.has(f.fingerprint)).map((f) => ({ ...f })) };
    return { previous, carried };
  } finally {
    for (const { runId, close } of closers) if (!keep.has(runId)) close();
  }
}

/**
 * Records the notification outcomes of a run stored before it was notified. A failure loses
 * nothing stored: the run stays, its channels pending (a process that goes on hands the real
 * outcomes to its next run through outcomesOf; a new process carries the alert).
 */
async function recordOutcomes(store: PipelineStore, report: RunReport, log: Logger): Promise<void> {
  try {
    await store.recordNotifications(report.run.id, report.notifications);
  } catch (error: unknown) {
    log.warn(oneLine(`the notification outcomes of run ${report.run.id} could not be recorded in ${store.describe()}: ${errorMessage(error)}`));
  }
}

/** `runs`, each one's spool closer (src/run/stored-run.ts) added to `closers` as it is handed on. */
async function* noting(runs: AsyncIterable<RunReport>, closers: Array<{ runId: string; close: () => void }>): AsyncIterable<RunReport> {
  for await (const run of runs) {
    closers.push({ runId: run.run.id, close: spoolCloserOf(run) });
    yield run;
  }
}

/**
 * One channel within its deadline. The notifier gets a signal that fires at the deadline or
 * when the run is abandoned, and is not waited for beyond that even if it ignores it.
 */
export async function sendBounded(
  name: string, send: (ctx: SendContext) => Promise<NotificationOutcome>, deadlineMs: number, abandon?: AbortSignal,
): Promise<NotificationOutcome> {
  const channel = name as NotificationOutcome['channel'];
  const deadline = new AbortController();
  const deadlineAt = Date.now() + deadlineMs;
  const timer = setTimeout(() => deadline.abort(new Error(`no answer within the ${Math.round(deadlineMs / 1000)} s notify deadline (notify.deadlineSeconds)`)), deadlineMs);
  const signal = abandon ? AbortSignal.any([deadline.signal, abandon]) : deadline.signal;
  try {
    if (signal.aborted) return { channel, status: 'failed', detail: reasonOf(signal) };
    const stopped = new Promise<NotificationOutcome>((resolve) => {
      signal.addEventListener('abort', () => resolve({ channel, status: 'failed', detail: reasonOf(signal) }), { once: true });
    });
    const sent = send({ signal, deadlineAt }).catch((error: unknown): NotificationOutcome => ({
      channel, status: 'failed', detail: signal.aborted ? reasonOf(signal) : errorMessage(error),
    }));
    return await Promise.race([sent, stopped]);
  } finally {
    clearTimeout(timer);
  }
}

function reasonOf(signal: AbortSignal): string {
  return signal.reason instanceof Error ? signal.reason.message : 'aborted';
}

/** Sortable, unique, readable: 20261126T065500Z-1a2b3c. */
export function runIdOf(at: Date): string {
  return `${at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomUUID().slice(0, 6)}`;
}

export type FailOn = 'regression' | 'critical' | 'high' | 'never';

export const FAIL_ON: readonly FailOn[] = ['regression', 'critical', 'high', 'never'];

/**
 * Why the completed audit meets --fail-on (exit 1), e.g. "2 critical findings (--fail-on high)",
 * or null when it does not. Waived findings never count. A gate cannot vouch for what it did
 * not see: with any --fail-on but never, checks not evaluated because an input could not be
 * read (forbidden, error; not an absent CRD) or that failed to run meet it too, said after
 * the findings' reason when both hold; `acceptForbidden`: kinds whose 403 does not (coverageGaps).
 */
export function failOnReason(report: RunReport, failOn: FailOn, acceptForbidden?: ReadonlySet<string>): string | null {
  if (failOn === 'never') return null;
  const found = findingsReason(report, failOn);
  const gaps = coverageGaps(report, acceptForbidden);
  // A kind or a reason can come from a snapshot file or name cluster objects: a line break
  // in one would forge lines of the exit message.
  if (gaps.checks === 0) return found === null ? null : oneLine(`${found} (--fail-on ${failOn})`);
  return oneLine(`${found === null ? '' : `${found}; `}${gapsText(gaps)} (--fail-on ${failOn}: a check that could not run cannot pass the gate)`);
}

/** What of the findings (or the diff) meets --fail-on, without the flag. */
function findingsReason(report: RunReport, failOn: Exclude<FailOn, 'never'>): string | null {
  const open = report.findings.filter((f) => !f.waived);
  const count = (severity: string) => open.filter((f) => f.severity === severity).length;
  const findings = (n: number, severity: string) => `${n} ${severity} finding${n === 1 ? '' : 's'}`;
  switch (failOn) {
    case 'regression': {
      if (report.diff?.regression !== true) return null;
      const [first, ...more] = report.diff.regressionReasons;
      return `a regression since run ${report.diff.previousRunId}: ${first ?? 'see the report'}${more.length > 0 ? ` (and ${more.length} more)` : ''}`;
    }
    case 'critical': {
      const critical = count('critical');
      return critical > 0 ? findings(critical, 'critical') : null;
    }
    case 'high': {
      const parts = [['critical', count('critical')], ['high', count('high')]] as const;
      const met = parts.filter(([, n]) => n > 0).map(([severity, n]) => findings(n, severity));
      return met.length > 0 ? met.join(' and ') : null;
    }
  }
}
