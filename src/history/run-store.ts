// The contract every run store keeps (SQLite, ConfigMaps, PostgreSQL, none) and the helpers the backends
// share. store.ts picks a backend from the --history URL; the backends import this file, never
// store.ts, so nothing imports in a circle.
import type { Config } from '../config/types.ts';
import { SEVERITIES, type Severity } from '../base/vocabulary.ts';
import { UnreadableRunError, errorMessage } from '../base/errors.ts';
import { CarriedWalk, coverageGaps, isEvaluated, isPartialRun, isUnjudged, unjudgedNamespacesOf } from '../run/coverage.ts';
import type { NotificationOutcome, RunReport, RunSummary, SaveOptions, StoredRunRead, TrendPoint, WaiverStatus, WrittenReport } from '../run/types.ts';
import type { FleetData, FleetQuery } from '../run/fleet.ts';

export interface RunStore {
  /** Human description for logs and messages, e.g. the file path or k8s://ns/name. */
  describe(): string;
  /**
   * Holds the store for a run of `cluster`; refuses (HistoryError) when another run holds it.
   * PostgreSQL locks per cluster; SQLite and k8s:// lock the whole store.
   */
  acquire(cluster?: string): Promise<void>;
  release(): Promise<void>;
  /**
   * Where the store's insertion order stands now (opaque). A run takes it before it collects
   * and, once it holds the store, asks storedSince whether a run of its cluster was stored
   * meanwhile: diffed against that run's predecessors, it must not be stored after it.
   */
  mark(): Promise<string>;
  /** Of the runs of `cluster` stored after `mark` was taken (by insertion), the one that started last; null when none. */
  storedSince(mark: string, cluster?: string): Promise<Pick<RunSummary, 'id' | 'startedAt'> | null>;
  /** The newest stored run (of that cluster, when given), by insertion order. */
  latest(cluster?: string): Promise<RunReport | null>;
  /**
   * The stored runs (of that cluster, when given), newest first by insertion order — never
   * by their startedAt, which a corrected clock can put in the future. Each run is read only
   * when the caller asks for the next one: the diff walks back just far enough to find, for
   * every check, the last run in which it was evaluated (src/diff/baseline.ts), which is
   * usually the first run. A backend implements it as "read the newest run inserted before
   * the one returned last" (SQLite: `seq < ? ORDER BY seq DESC LIMIT 1`). SQLite and
   * PostgreSQL keep each run's findings' message, evidence and related objects in a temp file
   * (parseStoredRun in gzip-json.ts), closed by spoolCloserOf(run)() (src/run/stored-run.ts)
   * or once the run is dropped. With `read.bulkyOf`, only the findings it names keep those
   * three fields; the others' throw when read (a hint: a store may read every finding whole).
   */
  runsNewestFirst(cluster?: string, read?: StoredRunRead): AsyncIterable<RunReport>;
  /**
   * Stores a run whole or not at all, then applies retention to that run's cluster: its runs
   * beyond maxRuns or older than maxAgeDays go, by insertion order too. Retention never deletes
   * the run it has just stored, nor a run a diff from any run it keeps takes a check from
   * (keptBaselineRunIds: the next diff, `diff KEPT LATER`, the findings a kept partial run
   * carried), nor one it was diffed against (diffedAgainst: `diff --last` compares them again).
   * `options.notifications` (each channel pending, when serve stores before notifying) are kept
   * in the run's summary, as recordNotifications keeps the outcomes that replace them.
   */
  save(report: RunReport, written?: WrittenReport, options?: SaveOptions): Promise<void>;
  /**
   * Records the notification outcomes of stored run `id`, which was stored before it was
   * notified (serve): every later read of the run returns them (the run's summary keeps them,
   * RunSummary.notifications; the stored report is not rewritten), so the next run carries an
   * alert no channel delivered even after a restart (src/run/undelivered.ts).
   */
  recordNotifications(id: string, outcomes: NotificationOutcome[]): Promise<void>;
  /**
   * Newest first, by insertion order. A run whose stored summary cannot be read (storedSummary)
   * is handed to `onUnreadable` with its place among the `limit` runs listed (0: the newest) and
   * left out; without it, it fails the list with that UnreadableRunError. With `before`, the list
   * starts at the run stored just before run `before` (the next page of serve's /runs, which a
   * run stored meanwhile does not shift); empty when no run `before` is stored.
   */
  list(limit: number, onUnreadable?: (error: UnreadableRunError, place: number) => void, before?: string): Promise<RunSummary[]>;
  get(id: string): Promise<RunReport | null>;
  /**
   * Whether run `id` is stored (readable or not), without reading it: serve asks before it
   * answers /runs/ID from its cache, so a run `history forget` or retention removed is not shown.
   */
  has(id: string): Promise<boolean>;
  /**
   * The last `limit` runs' scores (of that cluster, when given; started no later than `upTo`, an
   * ISO time, when given), oldest first (for the report's trend chart). A stored run's page asks
   * with `upTo`, so the store reads only the points it draws, never every run of the fleet.
   */
  trend(limit: number, cluster?: string, upTo?: string): Promise<TrendPoint[]>;
  close(): Promise<void>;
  /**
   * Stores that answer the fleet view in a few queries (PostgreSQL); others are read run by run.
   * A run whose summary cannot be read is handed to `onUnreadable` and left out (without it, it fails the fleet).
   */
  fleet?(query: FleetQuery, onUnreadable?: (error: UnreadableRunError) => void): Promise<FleetData>;
  /** Every stored run id, oldest first (export); others list() them. */
  runIds?(): AsyncGenerator<string>;
  /**
   * The runs of exactly `cluster` (no prefix, no pattern), and with `remove` removes them and
   * everything the store keeps for that cluster alone (`history forget`), in one step; a store
   * that cannot be written is a HistoryError naming it. Removing takes the store as save()
   * does (acquire(cluster) when not held). Nothing of any other cluster is touched.
   */
  forget(cluster: string, remove: boolean): Promise<ClusterRuns>;
}

/** A cluster's stored runs as `history forget` names them: how many, and the first and last stored (by insertion). */
export interface ClusterRuns {
  runs: number;
  /** The first and last that still say their id and start (a damaged entry may not); null when none does. */
  oldest: Pick<RunSummary, 'id' | 'startedAt'> | null;
  newest: Pick<RunSummary, 'id' | 'startedAt'> | null;
  /** Of `runs`, how many are damaged entries the store keeps as they are (`history` lists them as UNREADABLE); absent: none. */
  damaged?: number;
}

export const NO_RUNS: ClusterRuns = { runs: 0, oldest: null, newest: null };

/** `--history none`: keeps nothing, so every run is a first run. */
export class NoneStore implements RunStore {
  describe(): string { return 'none (history disabled)'; }
  async acquire(): Promise<void> {}
  async release(): Promise<void> {}
  async mark(): Promise<string> { return ''; }
  async storedSince(): Promise<null> { return null; }
  async latest(): Promise<RunReport | null> { return null; }
  async *runsNewestFirst(): AsyncIterable<RunReport> {}
  async save(): Promise<void> {}
  async recordNotifications(): Promise<void> {}
  async list(): Promise<RunSummary[]> { return []; }
  async get(): Promise<RunReport | null> { return null; }
  async has(): Promise<boolean> { return false; }
  async trend(): Promise<TrendPoint[]> { return []; }
  async forget(): Promise<ClusterRuns> { return NO_RUNS; }
  async close(): Promise<void> {}
}

/** `report` as read from a store, with the notification outcomes recorded after it was stored (RunSummary.notifications), if any. */
export function withRecordedNotifications(report: RunReport, recorded: unknown): RunReport {
  if (Array.isArray(recorded)) report.notifications = recorded as NotificationOutcome[];
  return report;
}

/**
 * Why a stored summary is not one the run list, the fleet and the trend can show (a hand edit,
 * a damaged row: not JSON, or not a RunSummary's shape); null when it is. Fields added since the
 * first version stay optional, so the summaries older versions stored still read.
 */
export function summaryProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const s = value as Record<string, unknown>;
  for (const key of ['id', 'startedAt', 'cluster'] as const) if (typeof s[key] !== 'string') return `its ${key} is not text`;
  const record = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const isScore = (n: unknown) => n === null || typeof n === 'number';
  const isScores = (v: unknown) => record(v) && isScore(v.overall) && record(v.areas) && Object.values(v.areas).every(isScore);
  if (!isScores(s.score)) return 'its score is not an overall score with area scores';
  if (s.scoreDelta !== undefined && !isScores(s.scoreDelta)) return 'its scoreDelta is not an overall delta with area deltas';
  if (!record(s.findings) || !SEVERITIES.every((sev) => typeof (s.findings as Record<string, unknown>)[sev] === 'number')) return 'its findings are not counts by severity';
  if (typeof s.waived !== 'number') return 'its waived count is not a number';
  if (s.regression !== null && typeof s.regression !== 'boolean') return 'its regression is not true, false or null';
  for (const key of ['blind', 'notApplicable'] as const) {
    if (s[key] !== undefined && !(Array.isArray(s[key]) && s[key].every((id) => typeof id === 'string'))) return `its ${key} is not a list of check ids`;
  }
  if (s.unjudgedNamespaces !== undefined && !(record(s.unjudgedNamespaces) && Object.values(s.unjudgedNamespaces).every((v) => Array.isArray(v) && v.every((n) => typeof n === 'string')))) return 'its unjudgedNamespaces is not lists of namespaces by check id';
  return null;
}

/**
 * Why a decoded stored report is not a run every reader can walk (a hand edit, another writer:
 * `{}`, or `checks: null`), or null when it is: the parts the diff, `report`, `history` and
 * /metrics read without looking first. Checked once after decoding, as a truncated gzip is, so
 * such a run is passed over by name instead of crashing every later run of its cluster. One
 * pass over the findings, reading two fields of each.
 */
export function reportProblem(value: unknown): string | null {
  const record = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!record(value)) return 'not a JSON object';
  const run = value.run;
  if (!record(run)) return 'its run is not an object';
  for (const key of ['id', 'startedAt'] as const) if (typeof run[key] !== 'string') return `its run.${key} is not text`;
  if (!record(run.cluster) || typeof run.cluster.name !== 'string') return 'its run.cluster.name is not text';
  if (!record(value.score) || !record(value.score.areas)) return 'its score is not an overall score with area scores';
  if (!Array.isArray(value.checks)) return 'its checks are not a list';
  for (const c of value.checks as unknown[]) if (!record(c) || typeof c.id !== 'string' || typeof c.status !== 'string') return 'its checks are not check summaries (an id and a status each)';
  for (const c of value.checks as Array<Record<string, unknown>>) if (!namesOrAbsent(c.unjudgedNamespaces)) return `its check ${String(c.id)}'s unjudgedNamespaces is not a list of namespaces`;
  if (!namesOrAbsent(run.partial)) return 'its run.partial is not a list of reasons';
  if (!Array.isArray(value.findings)) return 'its findings are not a list';
  for (const f of value.findings as unknown[]) if (!record(f) || typeof f.fingerprint !== 'string' || typeof f.check !== 'string') return 'its findings are not findings (a fingerprint and a check each)';
  // Runs stored before waivers were kept have none; the diff reads them as no waivers.
  if (value.waivers !== undefined) {
    if (!Array.isArray(value.waivers)) return 'its waivers are not a list';
    for (let i = 0; i < value.waivers.length; i++) {
      const why = waiverProblem(value.waivers[i]);
      if (why) return `its waiver ${i}: ${why}`;
    }
  }
  return null;
}

/** A list of strings, or absent (a field added after the first version). */
export const namesOrAbsent = (v: unknown): boolean => v === undefined || (Array.isArray(v) && v.every((n) => typeof n === 'string'));

const WAIVER_STATES: ReadonlySet<unknown> = new Set<WaiverStatus['state']>(['active', 'expiring-soon', 'expired', 'unmatched', 'not-evaluated']);

/**
 * Why an entry of a stored run's `waivers` is not a waiver's status the diff, the fleet and
 * `report` can read (they read its rule, its state and its dates without looking first), or null.
 */
export function waiverProblem(w: unknown): string | null {
  if (typeof w !== 'object' || w === null || Array.isArray(w)) return 'not a JSON object';
  const v = w as Record<string, unknown>;
  for (const key of ['check', 'reason', 'owner', 'expires'] as const) if (typeof v[key] !== 'string') return v[key] === undefined ? `no ${key}` : `${key} is not a string`;
  const r = v.resource;
  if (typeof r !== 'object' || r === null || Array.isArray(r)) return r === undefined ? 'no resource' : 'resource is not a JSON object';
  for (const key of ['kind', 'namespace', 'name'] as const) {
    const part = (r as Record<string, unknown>)[key];
    if (part !== undefined && typeof part !== 'string') return `resource.${key} is not a string`;
  }
  if (!WAIVER_STATES.has(v.state)) return `state is not one of ${[...WAIVER_STATES].join(', ')}`;
  if (typeof v.matched !== 'number') return 'matched is not a number';
  return null;
}

/** `value`, a decoded stored report, as a RunReport; throws (the store's decode names the run) when reportProblem finds it is none. */
export function asStoredReport(value: unknown): RunReport {
  const problem = reportProblem(value);
  if (problem !== null) throw new Error(`its report decodes to no run (${problem})`);
  return value as RunReport;
}

/**
 * The stored summary of run `id`: `raw` is JSON text (SQLite's column) when `text`, else the value
 * a jsonb column gave. An UnreadableRunError naming the run, the store and the column when it
 * cannot be read.
 */
export function storedSummary(raw: unknown, id: string, where: string, column: string, text: boolean): RunSummary {
  let value = raw;
  if (text) {
    try {
      value = JSON.parse(String(raw));
    } catch (error: unknown) {
      throw new UnreadableRunError(id, `stored run ${id} in ${where} has an unreadable summary (${column}): not JSON (${errorMessage(error)})`, 'summary');
    }
  }
  const problem = summaryProblem(value);
  if (problem) throw new UnreadableRunError(id, `stored run ${id} in ${where} has an unreadable summary (${column}): ${problem}`, 'summary');
  return value as RunSummary;
}

/**
 * The summaries of `rows` (newest first) as `summaryOf` reads them. A run whose summary cannot
 * be read goes to `onUnreadable` with its place, and with its start time and cluster as the store
 * keeps them apart from the summary (`kept`: its own columns, its index entry); without
 * `onUnreadable` it fails the list.
 */
export function listSummaries<R>(rows: readonly R[], summaryOf: (row: R) => RunSummary, kept: (row: R) => { cluster?: unknown; startedAt?: unknown }, onUnreadable?: (error: UnreadableRunError, place: number) => void): RunSummary[] {
  const out: RunSummary[] = [];
  rows.forEach((row, place) => {
    try {
      out.push(summaryOf(row));
    } catch (error: unknown) {
      if (!(error instanceof UnreadableRunError) || !onUnreadable) throw error;
      const { cluster, startedAt } = kept(row);
      if (typeof cluster === 'string') error.cluster = cluster;
      if (typeof startedAt === 'string') error.startedAt = startedAt;
      onUnreadable(error, place);
    }
  });
  return out;
}

/** `notifications`: SaveOptions.notifications, kept in the summary. */
export function summarizeRun(report: RunReport, notifications?: NotificationOutcome[]): RunSummary {
  const findings = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  let waived = 0;
  // Not-applicable ones too: the diff looks past them for an older baseline (isUnjudged).
  const unjudged = report.checks.filter((c) => isUnjudged(c.status));
  const blind = unjudged.map((c) => c.id);
  const notApplicable = unjudged.filter((c) => c.status === 'not-applicable').map((c) => c.id);
  // Object.fromEntries: a check id is never "__proto__", but a stored one is read as data.
  const namespaces = report.checks.filter((c) => isEvaluated(c.status) && Array.isArray(c.unjudgedNamespaces) && c.unjudgedNamespaces.length > 0).map((c): [string, string[]] => [c.id, [...c.unjudgedNamespaces!]]);
  for (const f of report.findings) {
    if (f.waived) waived++;
    else if (f.severity in findings) findings[f.severity]++;
  }
  return {
    id: report.run.id,
    startedAt: report.run.startedAt,
    cluster: report.run.cluster?.name ?? '',
    source: report.run.source,
    score: report.score,
    findings,
    waived,
    regression: report.diff ? report.diff.regression : null,
    partial: isPartialRun(report),
    gaps: coverageGaps(report).checks,
    ...(report.diff ? { scoreDelta: report.diff.scoreDelta } : {}),
    ...(report.run.trigger === 'watch' ? { trigger: 'watch' as const } : {}),
    ...(!report.diff && report.run.unreadablePrevious?.length ? { notDiffed: true as const } : {}),
    ...(blind.length > 0 ? { blind, notApplicable } : {}),
    ...(namespaces.length > 0 ? { unjudgedNamespaces: Object.fromEntries(namespaces) } : {}),
    ...(notifications ? { notifications } : {}),
  };
}

/**
 * A stored summary with `partial` as isPartialRun says. Summaries stored by older versions
 * (without `gaps`) set it from the diff alone, which says nothing of the run's own coverage:
 * for those, a check listed blind and not not-applicable (not evaluated, an error) makes it
 * partial, and nothing else — their summaries cannot tell an unreadable input from an absent
 * API, and the fleet already withholds the grade for both. Summaries with `gaps` stored before
 * isPartialRun left the diff out keep their flag: one set by the diff cannot be told apart
 * there from one set by an input no check needed, short of reading the whole run.
 */
export function withPartial(summary: RunSummary): RunSummary {
  if (typeof summary.gaps === 'number') return summary;
  const notApplicable = new Set(Array.isArray(summary.notApplicable) ? summary.notApplicable : []);
  const blind = Array.isArray(summary.blind) ? summary.blind : [];
  const partial = blind.some((id) => !notApplicable.has(id));
  return partial === summary.partial ? summary : { ...summary, partial };
}

/** A stored run's trend point; `partial` as its reports say (withPartial), set only when it is. */
export function trendPointOf(summary: RunSummary): TrendPoint {
  return { id: summary.id, startedAt: summary.startedAt, overall: summary.score.overall, areas: summary.score.areas, ...(withPartial(summary).partial ? { partial: true } : {}) };
}

/**
 * The runs of one cluster that retention must keep so that a diff from any run it keeps still
 * finds, for every check, the newest run in which it was evaluated (src/diff/baseline.ts): the
 * next run's diff (from the newest), `diff KEPT LATER` (from any kept run) and the findings a
 * kept partial run carried (`report KEPT`, serve's /runs/KEPT: run.lastEvaluatedOpen). Evicting
 * that run would make the check not comparable there: whatever appeared while it could not be
 * read (a binding to cluster-admin) would never be new. So after a stretch of partial runs
 * (serve --watch stores one every few seconds) longer than maxRuns, the last run that read the
 * kind stays, and so it does while a partial run that leans on it is still kept.
 *
 * Fed the cluster's summaries newest first by insertion order, each with whether retention
 * keeps it by count and age (the newest always); `ids` names the newest and the runs to keep
 * beside those. Kept, from each kept run back: each older
 * run in which some check it could not evaluate (blind or not applicable in it and every run
 * between: both listed in `blind`) is neither — a run where it is absent too, as it ends the
 * diff's search as well. A summary without `blind` (stored before it existed) counts as having
 * evaluated every check. Only the runs kept by count and age seed the search: a run kept as a
 * baseline alone is not itself read as a diff's start (its own previous is gone as the oldest
 * kept run's always is), so retention stays bounded.
 *
 * Kept too: the newest older run that found a sought check not applicable (switched off), unless
 * the kept run did. When no run evaluated the check, the next diff compares it with that run
 * (nothing: everything it finds is new); evicted after a stretch of runs that could not read it,
 * the check would be not comparable and its findings never new. A summary cannot tell whether
 * the run that ends the search evaluated the check or lacked it, so that run is kept either way
 * (one run per check at most). A summary without `notApplicable` names none.
 *
 * One walk for all kept runs: the searches of two kept runs for the same check meet at the
 * older one and go on as one (the not-applicable run is still sought when either still seeks it).
 *
 * Kept likewise, per namespace: for each namespace a check could not judge in a kept run (or in
 * the run its search ended at: `unjudgedNamespaces`, its Namespace object not in the input), the
 * newest older run in which the check was not blind and that namespace not unjudged, past runs
 * blind to the check or that could not judge the namespace either. The diff takes the check's
 * findings in that namespace from it (src/diff/baseline.ts); evicted, they would turn "new" the
 * day the Namespace object is back, or a finding fixed meanwhile would come back unannounced.
 * A summary without `unjudgedNamespaces` judged every namespace it did not list.
 */
export class BaselineRuns {
  readonly ids = new Set<string>();
  /** Check id -> whether the not-applicable run its search could take is found already (or not wanted). */
  private readonly sought = new Map<string, boolean>();
  /** Check id -> the namespaces whose last judging run is still sought. */
  private readonly namespaces = new Map<string, Set<string>>();
  private first = true;

  /** Whether some check or namespace is still sought: the walk must read on even past the kept runs. */
  get seeking(): boolean { return this.sought.size > 0 || this.namespaces.size > 0; }

  /** Takes the next older run; `kept`: retention keeps it by count and age (the newest run always). */
  next(run: Pick<RunSummary, 'id' | 'blind' | 'notApplicable' | 'unjudgedNamespaces'>, kept: boolean): void {
    const blind = new Set(Array.isArray(run.blind) ? run.blind : []);
    const off = new Set(Array.isArray(run.notApplicable) ? run.notApplicable : []);
    // O(namespaces sought) per run: each is looked up in the run's list for its check once.
    for (const [id, names] of this.namespaces) {
      if (blind.has(id)) continue;
      const unjudged = unjudgedNamespacesOf(run, id);
      for (const ns of names) {
        if (unjudged.has(ns)) continue;
        this.ids.add(run.id);
        names.delete(ns);
      }
      if (names.size === 0) this.namespaces.delete(id);
    }
    // Sought from here on (older runs): those of the checks this run ends the search of, or of every check it evaluated when kept.
    const seed = (id: string) => {
      const unjudged = unjudgedNamespacesOf(run, id);
      if (unjudged.size === 0) return;
      let names = this.namespaces.get(id);
      if (!names) this.namespaces.set(id, (names = new Set()));
      for (const ns of unjudged) names.add(ns);
    };
    for (const [id, settled] of this.sought) {
      if (blind.has(id)) {
        if (off.has(id) && !settled) {
          this.ids.add(run.id);
          this.sought.set(id, true);
        }
        continue;
      }
      this.ids.add(run.id);
      this.sought.delete(id);
      if (!kept) seed(id);
    }
    // A run kept by count and age stays anyway: `ids` names the newest and the runs kept for others' sake.
    if (this.first) this.ids.add(run.id);
    this.first = false;
    if (!kept) return;
    for (const id of blind) this.sought.set(id, (this.sought.get(id) ?? true) && off.has(id));
    const listed = run.unjudgedNamespaces;
    if (typeof listed === 'object' && listed !== null && !Array.isArray(listed)) for (const id of Object.keys(listed)) if (!blind.has(id)) seed(id);
  }
}

/**
 * Where the fleet takes the findings of the checks a cluster's newest run could not evaluate
 * (blind and not not-applicable): from the newest older run that evaluated each, as /metrics
 * carries them (src/schedule/metrics.ts lastEvaluated). Missing data is not a fix: a check
 * blind now keeps its findings. Feed it the cluster's summaries newest first, the newest run
 * first, until next() says false; the walk ends when no check is sought, and retention keeps
 * the runs it ends at (BaselineRuns), so it reads no further than a diff would. An older run
 * that found a sought check not applicable ends its search with nothing to carry; a summary
 * without `blind` (stored before it existed) counts as having evaluated every check.
 */
export class CarriedChecks {
  /** Run id → the sought checks it evaluated, newest run first. */
  readonly from = new Map<string, string[]>();
  private walk: CarriedWalk | null = null;

  /** Takes the next older run; false once no check is sought. */
  next(run: Pick<RunSummary, 'id' | 'blind' | 'notApplicable'>): boolean {
    const blind = new Set(Array.isArray(run.blind) ? run.blind : []);
    const off = new Set(Array.isArray(run.notApplicable) ? run.notApplicable : []);
    if (this.walk === null) {
      this.walk = new CarriedWalk([...blind].filter((id) => !off.has(id)));
      return this.walk.sought.size > 0;
    }
    // A check a summary does not list was evaluated, or the run did not have it (a summary
    // cannot tell; that run then has no findings of it to carry).
    const found = this.walk.next((id) => (!blind.has(id) ? 'evaluated' : off.has(id) ? 'ended' : 'blind'));
    if (found.length > 0) this.from.set(run.id, [...(this.from.get(run.id) ?? []), ...found]);
    return this.walk.sought.size > 0;
  }
}

/**
 * The runs `report` (the run being stored, its cluster's newest) was diffed against: its
 * previous run, each older run a check was compared with (RunDiff.olderBaselines) and each
 * older run whose "not applicable" a check evaluated again was compared with
 * (RunDiff.notApplicableBaselines; absent in runs stored before it existed), each run a check
 * evaluated with degraded input before was compared with for escalations and score drops
 * (RunDiff.fullInputBaselines), and the run its
 * RBAC breadth was compared with (RunDiff.breadthBaselineRunId). The runs findings carried as not
 * judged come from (RunDiff.notJudgedRuns) are kept by BaselineRuns, from the run's summary.
 * `diff --last` compares it with them again, so retention keeps them too until a later run
 * of the cluster is stored: evicted, the run that alerted would read "no regression" there.
 */
export function diffedAgainst(report: RunReport): string[] {
  const diff = report.diff;
  // And each run its lastEvaluatedOpen names: the next diff seeks it past runs stored by a version
  // without the check (src/diff/baseline.ts evaluatedBefore), which a summary cannot tell from
  // runs that evaluated it (BaselineRuns stops at them).
  const stated = (report.run.lastEvaluatedOpen ?? []).map((e) => e.runId);
  return [...(diff ? [diff.previousRunId, ...Object.values(diff.olderBaselines ?? {}), ...Object.values(diff.notApplicableBaselines ?? {}), ...Object.values(diff.fullInputBaselines ?? {}).filter((id): id is string => typeof id === 'string'), ...(diff.breadthBaselineRunId ? [diff.breadthBaselineRunId] : [])] : []), ...stated];
}

/**
 * BaselineRuns over summaries at hand (newest first), `kept(run, place)` saying whether
 * retention keeps a run by count and age (place 0, the newest, is kept whatever it says): the
 * newest run and each run a diff from a kept one needs (those kept by count and age are not
 * named for being kept). Reads only as far as it must: past the first `window` runs (the count
 * limit), only while a check is sought.
 */
export function keptBaselineRunIds<R extends Pick<RunSummary, 'id' | 'blind' | 'notApplicable' | 'unjudgedNamespaces'>>(newestFirst: Iterable<R>, kept: (run: R, place: number) => boolean, window = Infinity): Set<string> {
  const walk = new BaselineRuns();
  let place = 0;
  for (const run of newestFirst) {
    if (place >= window && !walk.seeking) break;
    walk.next(run, place === 0 || (place < window && kept(run, place)));
    place++;
  }
  return walk.ids;
}

/** The runs the next run's diff reads (keptBaselineRunIds with the newest run alone kept). */
export function baselineRunIds(newestFirst: Iterable<Pick<RunSummary, 'id' | 'blind' | 'notApplicable' | 'unjudgedNamespaces'>>): Set<string> {
  return keptBaselineRunIds(newestFirst, () => false, 1);
}

/** Whether retention by count (`maxRuns`, 0: none) and age (`cutoff`) keeps the run at `place` (newest first) that started at `startedAt`. */
export function keptByRetention(maxRuns: number, cutoff: string | null, place: number, startedAt: unknown): boolean {
  return place === 0 || ((!(maxRuns > 0) || place < maxRuns) && (cutoff === null || typeof startedAt !== 'string' || startedAt >= cutoff));
}

/** Age cut-off for retention; runs that started before it are dropped on save. */
export function retentionCutoff(retention: Config['history']['retention'], now: Date): string | null {
  if (!(retention.maxAgeDays > 0)) return null;
  return new Date(now.getTime() - retention.maxAgeDays * 86_400_000).toISOString();
}

/**
 * `text` with U+0000 as U+FFFD. PostgreSQL's text cannot hold a NUL byte and its jsonb rejects
 * `\u0000` (https://www.postgresql.org/docs/current/datatype-character.html,
 * https://www.postgresql.org/docs/current/datatype-json.html), yet the apiserver takes any
 * non-empty user name in a RoleBinding: the PostgreSQL store's columns carry U+FFFD instead
 * (the stored report keeps the exact text), and the fleet view of every store does the same,
 * so both group and show such a name alike.
 */
export function withoutNul(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\ufffd') : text;
}

/** JSON.stringify(value) with every U+0000 in its strings (keys too) as U+FFFD: what jsonb accepts. */
export function jsonWithoutNul(value: unknown): string {
  // An escaped backslash before "u0000" is text, not an escape: only an even run of them counts.
  return JSON.stringify(value).replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1\\ufffd');
}

/** Who holds a store: written by acquire(), shown to a refused run. */
export interface LockHolder {
  pid: number;
  host: string;
  since: string;
}

export function refusedMessage(store: string, holder: LockHolder | null): string {
  const who = holder ? ` since ${holder.since} (pid ${holder.pid} on ${holder.host})` : '';
  return `another ztaudit run holds ${store}${who}; wait for it to finish (runs are refused, never interleaved)`;
}
