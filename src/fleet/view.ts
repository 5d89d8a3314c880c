// The fleet view-model: FleetData turned into what the fleet report shows — the clusters ×
// areas grid with grades and deltas, the worst clusters per area, the regressions of the
// window, findings common to many clusters, expiring waivers and one sparkline per cluster.
// Pure: data in, data out; the renderers (render.ts) only format it.
import { AREAS, type Area } from '../base/vocabulary.ts';
import { gradeFor } from '../engine/score.ts';
import { REGRESSIONS_PER_CLUSTER, regressionRunsOf, type FleetData } from '../run/fleet.ts';
import type { RunSummary } from '../run/types.ts';
import type { TrendPoint } from '../run/types.ts';
import { byName } from './data.ts';

export const AREA_TITLES: Record<Area, string> = { network: 'Network', tls: 'TLS', rbac: 'RBAC', 'pod-security': 'Pod security', mtls: 'mTLS' };

export interface Cell {
  score: number | null;
  /** Checks of the area (or run) applied but were not evaluated: the grade is n/a, the score (if any) covers only the rest. */
  blind: boolean;
  text: string;
  grade: string;
  gradeClass: string;
  delta: number | null;
  deltaText: string;
  deltaClass: string;
}

export interface GridRow {
  cluster: string;
  runId: string;
  startedAt: string;
  runs: number;
  overall: Cell;
  areas: Cell[];
  regression: boolean;
  partial: boolean;
  /** Unwaived critical + high findings, those of checks the run could not evaluate carried from the run that last did. */
  severe: number;
  /** How many of `severe` are carried, and from which run ("8 carried from run X"); '' when none. */
  carriedText: string;
  sparkline: Sparkline | null;
  stale: boolean;
  /**
   * The cluster's newest run, when it cannot be read: the row shows an older run (runId), not
   * the cluster's current state, and `stale` goes by the newest run's start (when the store knows it).
   */
  unreadable: { runId: string; startedAt: string | null } | null;
}

/** A cluster whose newest run cannot be read (FleetUnreadable): its state now is unknown. */
export interface UnreadableRow {
  cluster: string;
  runId: string;
  startedAt: string | null;
  /** The older run the grid shows it by; null when no run of it can be read (it is only here). */
  shownBy: string | null;
  /** With `shownBy` null: how many of its newest runs were read, when not all (FleetUnreadable.searched). */
  searched?: number;
  stale: boolean;
  /** What the report says of it, plain text (the cluster name apart). */
  text: string;
}

export interface FleetView {
  title: string;
  store: string;
  generatedAt: string;
  sinceHours: number;
  /** `common` lists finding shapes on at least this many clusters. */
  minClusters: number;
  /** What the report says when `common` is empty. */
  noCommonText: string;
  areaTitles: string[];
  /**
   * `meanLeftOut`: clusters whose latest run's overall grade is n/a, not in the mean. `unreadable`:
   * clusters whose newest run cannot be read, each left out of every aggregate (the mean, the grade
   * counts, the worst per area, the digest's lowest scores; the stores leave it out of `common`,
   * `waivers` and `regressions`, so of `regressed`), also one a row shows by an older run: that run
   * is not the cluster's state now. `regressed` and `regressionRuns` (regressions in the window)
   * count every cluster's (FleetData.regressionRuns), never the cut list.
   */
  totals: { clusters: number; regressed: number; regressionRuns: number; stale: number; unreadable: number; meanOverall: string; meanLeftOut: number; grades: Array<{ grade: string; gradeClass: string; count: number }> };
  /** A cluster is stale when its latest run started longer ago than this. */
  staleAfterHours: number;
  grid: GridRow[];
  /** The clusters whose newest run cannot be read, by name: never an all-clear while any is. */
  unreadable: UnreadableRow[];
  /** The stale clusters, longest without a run first: a regression there would not show. */
  stale: Array<{ cluster: string; runId: string; startedAt: string; daysAgo: number }>;
  /**
   * `leftOut`: clusters graded n/a in the area (checks not evaluated: a score over the rest, or
   * none), not ranked. Clusters whose latest run could not be read are not ranked either (totals.unreadable).
   */
  worst: Array<{ area: string; rows: Array<{ cluster: string; cell: Cell }>; leftOut: number }>;
  /** The newest REGRESSIONS_PER_CLUSTER of each cluster's regressions in the window (FleetData.regressions). */
  regressions: Array<{ cluster: string; runId: string; startedAt: string; overall: Cell; reasons: string[]; more: number }>;
  /** The clusters with more regressions in the window than `regressions` lists, by name, and how many more (`text` says it, without the name). */
  regressionsCut: Array<{ cluster: string; more: number; text: string }>;
  /**
   * `carried`: of the clusters named, those whose findings of the check are carried from an older
   * run (their latest run could not evaluate it), as `clusterNames` marks them; `carriedText` says
   * it beside the count ("1 carried from an earlier run"), '' when none.
   */
  common: Array<{ check: string; severity: string; resource: string; clusters: number; clusterNames: string; carried: number; carriedText: string; findings: number; unnamed: number }>;
  waivers: Array<{ cluster: string; check: string; resource: string; owner: string; expires: string; state: string }>;
}

const WORST_PER_AREA = 5;
const REASONS_SHOWN = 3;

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

/**
 * A score's cell. `notEvaluated`: checks of the area (or run) that applied but were not
 * evaluated; any makes the grade 'n/a', as in the run's own report. `delta`: the run's own
 * (RunDiff.scoreDelta), never recomputed from two stored scores, which a partial run skews.
 */
export function cellOf(score: number | null, delta: number | null | undefined, notEvaluated: number): Cell {
  // A summary knows how many checks were not evaluated, not how many applied: that count is all gradeFor weighs.
  const grade = gradeFor(score, { evaluated: 0, applicable: notEvaluated });
  delta = delta === null || delta === undefined || score === null ? null : round1(delta);
  return {
    score, blind: notEvaluated > 0, text: score === null ? 'n/a' : score.toFixed(1), grade, gradeClass: grade === 'n/a' ? 'grade-na' : `grade-${grade.toLowerCase()}`,
    delta, deltaText: delta === null ? '' : delta > 0 ? `+${delta.toFixed(1)}` : delta < 0 ? delta.toFixed(1) : '±0',
    deltaClass: delta === null || delta === 0 ? 'flat' : delta > 0 ? 'up' : 'down',
  };
}

/**
 * The checks a stored run applied but did not evaluate, by area (a check id's prefix), and in
 * all, from its summary. Without the summary's notApplicable list (runs stored before it), every
 * check it lists as blind counts: a grade withheld beats a clean one over missing data.
 */
function notEvaluatedOf(s: RunSummary): { total: number; byArea: Map<string, number> } {
  const notApplicable = new Set(Array.isArray(s.notApplicable) ? s.notApplicable : []);
  const byArea = new Map<string, number>();
  let total = 0;
  for (const id of Array.isArray(s.blind) ? s.blind : []) {
    if (notApplicable.has(id)) continue;
    const area = id.slice(0, id.indexOf('.'));
    byArea.set(area, (byArea.get(area) ?? 0) + 1);
    total++;
  }
  return { total, byArea };
}

/** A stored run's overall and area cells: grades with its coverage, its own score deltas. */
export function cellsOf(s: RunSummary): { overall: Cell; areas: Record<Area, Cell> } {
  const missing = notEvaluatedOf(s);
  return {
    overall: cellOf(s.score.overall, s.scoreDelta?.overall, missing.total),
    areas: Object.fromEntries(AREAS.map((a) => [a, cellOf(s.score.areas[a] ?? null, s.scoreDelta?.areas[a], missing.byArea.get(a) ?? 0)])) as Record<Area, Cell>,
  };
}

/** A sparkline's polylines (one per stretch of runs with a score) and its partial runs' points. */
export interface Sparkline { segments: string[]; partial: Array<{ x: string; y: string }> }

/**
 * The overall score (0–100) in a 120×28 box, as the run report's trend draws it: a run without
 * a score breaks the line, a partial run's point is marked (its score is not comparable).
 */
export function sparklineOf(trend: TrendPoint[]): Sparkline | null {
  if (trend.filter((t) => t.overall !== null).length < 2) return null;
  const step = 116 / (trend.length - 1);
  const segments: string[][] = [[]];
  const partial: Sparkline['partial'] = [];
  trend.forEach((t, i) => {
    if (t.overall === null) { segments.push([]); return; }
    const x = (2 + i * step).toFixed(1), y = (26 - (t.overall / 100) * 24).toFixed(1);
    segments[segments.length - 1].push(`${x},${y}`);
    if (t.partial) partial.push({ x, y });
  });
  return { segments: segments.filter((s) => s.length > 1).map((s) => s.join(' ')), partial };
}

/**
 * A cell a fleet aggregate (the mean, the worst per area, the digest's lowest scores) may weigh:
 * scored and not blind. A blind cell's score covers only the checks that could be evaluated, or
 * is null because none could (README: the fleet grades a run as its own report does): it is
 * left out and counted (leftOutAsNa), never compared with other clusters' scores. A null score
 * with nothing blind (no check of the area applies) is neither weighed nor counted.
 */
export const comparable = (c: Cell): boolean => c.score !== null && !c.blind;
export const leftOutAsNa = (c: Cell): boolean => c.blind;

/**
 * A grid row whose scores a fleet aggregate may weigh: its cluster's newest run could be read. A
 * row shown by an older run (its newest unreadable) is stale data: left out, counted in
 * totals.unreadable.
 */
export const latestReadable = (g: GridRow): boolean => g.unreadable === null;

const clusters = (n: number): string => `${n} cluster${n === 1 ? '' : 's'}`;

/**
 * The mean overall score, and how many clusters it leaves out: those graded n/a, and those whose
 * latest run could not be read. `unreadableSaid`: the text just before it has counted the latter
 * (the digest's headline), so the mean says "without it/them" instead of counting them again.
 */
export function meanOverallText(totals: Pick<FleetView['totals'], 'meanOverall' | 'meanLeftOut' | 'unreadable'>, unreadableSaid = false): string {
  const u = totals.unreadable;
  const leftOut = [
    ...(totals.meanLeftOut ? [`${clusters(totals.meanLeftOut)} graded n/a`] : []),
    ...(u && !unreadableSaid ? [`${clusters(u)} whose latest run could not be read`] : []),
  ];
  return `${totals.meanOverall}${u && unreadableSaid ? ` without ${u === 1 ? 'it' : 'them'}` : ''}${leftOut.length ? ` (${leftOut.join(' and ')} left out)` : ''}`;
}

/**
 * What follows "N regressed in 24 h": the clusters whose latest run could not be read are left
 * out of it (the stores leave their older runs' regressions out of `regressions`), " (1 cluster
 * whose latest run could not be read left out)", or " without it/them" after text that has
 * counted them (`unreadableSaid`, as meanOverallText); '' when none.
 */
export function regressedLeftOutText(totals: Pick<FleetView['totals'], 'unreadable'>, unreadableSaid = false): string {
  const u = totals.unreadable;
  if (!u) return '';
  return unreadableSaid ? ` without ${u === 1 ? 'it' : 'them'}` : ` (${clusters(u)} whose latest run could not be read left out)`;
}

/** What the worst per area and the digest's lowest scores say of the clusters whose latest run could not be read, '' when none. */
export function unreadableLeftOutText(totals: Pick<FleetView['totals'], 'unreadable'>): string {
  return totals.unreadable ? `${clusters(totals.unreadable)} whose latest run could not be read left out: state unknown` : '';
}

function resourceText(kind: string, namespace: string, name: string): string {
  return `${kind} ${namespace ? `${namespace}/` : ''}${name}`;
}

/**
 * Twice the regressions window, at least 48 h: a cluster audited daily is never stale, and one
 * whose runs stopped is stale before a second window passes without its regressions showing.
 */
function staleAfterHoursOf(sinceHours: number): number {
  return 2 * Math.max(24, sinceHours);
}

const severeOf = (findings: Partial<Record<string, number>>): number => (findings.critical ?? 0) + (findings.high ?? 0);

/**
 * The names of a common finding's clusters, each whose findings of that check come from an
 * older run (FleetCluster.carried) saying which.
 */
function commonNames(c: FleetData['common'][number], carriedFrom: Map<string, Map<string, string>>): string {
  const names = c.clusterNames.map((name) => {
    const runId = carriedFrom.get(name)?.get(c.check);
    return runId ? `${name} (carried from run ${runId})` : name;
  });
  return `${names.join(', ')}${c.clusters > c.clusterNames.length ? `, … (${c.clusters - c.clusterNames.length} more)` : ''}`;
}

/**
 * "1 carried from an earlier run" (of a common finding's clusters), or '' when none: a partial
 * run's report counts what it carries apart ("0 (+6)"), and a count of clusters must not read
 * those as found this run. Only the named clusters (up to 20) are known: beyond them "at least".
 */
function commonCarriedText(c: FleetData['common'][number], carried: number): string {
  if (carried === 0) return '';
  return `${c.clusters > c.clusterNames.length ? 'at least ' : ''}${carried} carried from an earlier run`;
}

/**
 * "3 finding shapes on 2+ clusters (1 counting findings carried from an earlier run)" (the
 * `fleet` summary line): a shape counted only on clusters' own latest runs and one whose count
 * takes in a cluster whose findings of the check are carried (its latest run could not evaluate
 * it) are told apart, as each row's carriedText tells them. Only named clusters are known to
 * carry or not: with a shape on more clusters than named, "at least".
 */
export function commonShapesText(view: Pick<FleetView, 'common' | 'minClusters'>): string {
  const carried = view.common.filter((c) => c.carried > 0).length;
  const unknown = view.common.some((c) => c.carried === 0 && c.unnamed > 0);
  const shapes = `${view.common.length} finding shape${view.common.length === 1 ? '' : 's'} on ${view.minClusters}+ clusters`;
  return carried === 0 && !unknown ? shapes : `${shapes} (${unknown ? 'at least ' : ''}${carried} counting findings carried from an earlier run)`;
}

/**
 * The fleet's waivers past their day and those within EXPIRING_SOON_DAYS of it, counted apart:
 * "1 waiver expired, 2 expiring" (the `fleet` summary line and the digests' heading): a waiver
 * past its day is not "expiring".
 */
export function waiversDueText(view: Pick<FleetView, 'waivers'>): string {
  const expired = view.waivers.filter((w) => w.state === 'expired').length;
  const expiring = view.waivers.length - expired;
  return `${expired} ${expired === 1 ? 'waiver' : 'waivers'} expired, ${expiring} expiring`;
}

/** A listed waiver's day as the digests say it: "2026-11-09 expired" past it, the date alone before. */
export function waiverDueDate(w: FleetView['waivers'][number]): string {
  return w.state === 'expired' ? `${w.expires} expired` : w.expires;
}

/**
 * Why a cluster whose newest run cannot be read is shown by no run: none of its runs could be
 * read, or none of the newest `searched` (a PostgreSQL store looks no further than FLEET_LOOKBACK).
 */
export function noneReadText(u: { searched?: number }): string {
  return u.searched === undefined ? 'no run of it could be read' : `none of its newest ${u.searched.toLocaleString('en-US')} runs could be read (older ones not read)`;
}

/** What the fleet report says of a cluster whose newest run cannot be read. */
function unreadableText(u: { runId: string; startedAt: string | null; shownBy: string | null; searched?: number }): string {
  return `latest run ${u.runId}${u.startedAt ? ` (started ${u.startedAt})` : ''} could not be read: the cluster's state is unknown; ${u.shownBy ? `shown by the older run ${u.shownBy}, not current` : noneReadText(u)}`;
}

export function buildFleetView(data: FleetData): FleetView {
  const now = Date.parse(data.generatedAt);
  const staleAfterHours = staleAfterHoursOf(data.sinceHours);
  const staleBefore = now - staleAfterHours * 3_600_000;
  const unreadableOf = new Map((data.unreadable ?? []).map((u) => [u.cluster, u]));
  const grid: GridRow[] = data.clusters.map((c) => {
    const cells = cellsOf(c.latest);
    const newest = unreadableOf.get(c.cluster);
    return {
      cluster: c.cluster || '(unnamed)',
      runId: c.latest.id,
      startedAt: c.latest.startedAt,
      runs: c.runs,
      overall: cells.overall,
      areas: AREAS.map((a) => cells.areas[a]),
      regression: c.latest.regression === true,
      partial: c.latest.partial,
      severe: severeOf(c.latest.findings) + (c.carried ?? []).reduce((n, k) => n + severeOf(k.findings), 0),
      carriedText: (c.carried ?? []).map((k) => `${severeOf(k.findings)} carried from run ${k.runId} (${k.checks.length} check${k.checks.length === 1 ? '' : 's'} the latest run could not evaluate)`).join('; '),
      sparkline: sparklineOf(c.trend),
      stale: Date.parse(newest?.startedAt ?? c.latest.startedAt) < staleBefore,
      unreadable: newest ? { runId: newest.runId, startedAt: newest.startedAt } : null,
    };
  });
  const unreadable: UnreadableRow[] = (data.unreadable ?? []).map((u) => ({
    cluster: u.cluster || '(unnamed)', runId: u.runId, startedAt: u.startedAt, shownBy: u.shownBy, ...(u.searched === undefined ? {} : { searched: u.searched }),
    stale: u.startedAt !== null && Date.parse(u.startedAt) < staleBefore, text: unreadableText(u),
  }));
  // A cluster no run of which can be read is in no grid row: counted, listed stale by its newest run's start.
  const unlisted = unreadable.filter((u) => u.shownBy === null);
  const staleRows = [
    ...grid.filter((g) => g.stale).map((g) => ({ cluster: g.cluster, runId: g.unreadable?.runId ?? g.runId, startedAt: g.unreadable?.startedAt ?? g.startedAt })),
    ...unlisted.filter((u) => u.stale).map((u) => ({ cluster: u.cluster, runId: u.runId, startedAt: u.startedAt as string })),
  ];
  const clusterCount = grid.length + unlisted.length;
  const worst = AREAS.map((area, i) => ({
    area: AREA_TITLES[area],
    rows: grid.filter((g) => latestReadable(g) && comparable(g.areas[i]))
      .sort((a, b) => (a.areas[i].score as number) - (b.areas[i].score as number) || byName(a.cluster, b.cluster))
      .slice(0, WORST_PER_AREA)
      .map((g) => ({ cluster: g.cluster, cell: g.areas[i] })),
    leftOut: grid.filter((g) => latestReadable(g) && leftOutAsNa(g.areas[i])).length,
  }));
  const overalls = grid.filter((g) => latestReadable(g) && comparable(g.overall)).map((g) => g.overall.score as number);
  const gradeCounts = new Map<string, number>();
  for (const g of grid.filter(latestReadable)) gradeCounts.set(g.overall.grade, (gradeCounts.get(g.overall.grade) ?? 0) + 1);
  // Counted from every cluster's regressions, never from the list, which holds the newest few of each.
  const listed = new Map<string, number>();
  for (const r of data.regressions) listed.set(r.run.cluster, (listed.get(r.run.cluster) ?? 0) + 1);
  const regressionRuns = regressionRunsOf(data);
  const regressionsCut = regressionRuns.filter((c) => c.runs > (listed.get(c.cluster) ?? 0)).map((c) => {
    const more = c.runs - (listed.get(c.cluster) ?? 0);
    return { cluster: c.cluster || '(unnamed)', more, text: `and ${more} more regression${more === 1 ? '' : 's'} in the last ${data.sinceHours} h (its newest ${REGRESSIONS_PER_CLUSTER} are listed)` };
  });
  const carriedFrom = new Map(data.clusters.filter((c) => c.carried).map((c) => [c.cluster, new Map((c.carried ?? []).flatMap((k) => k.checks.map((id) => [id, k.runId] as const)))]));
  return {
    title: `ztaudit fleet report — ${clusterCount} cluster${clusterCount === 1 ? '' : 's'}`,
    store: data.store,
    generatedAt: data.generatedAt,
    sinceHours: data.sinceHours,
    minClusters: data.minClusters,
    // A cluster whose latest run could not be read is in no common finding: not "no cluster" of the whole fleet.
    noCommonText: `No finding occurs on ${data.minClusters} or more clusters${unreadable.length ? ' whose latest run could be read' : ''}.`,
    areaTitles: AREAS.map((a) => AREA_TITLES[a]),
    totals: {
      clusters: clusterCount,
      regressed: regressionRuns.filter((c) => c.runs > 0).length,
      regressionRuns: regressionRuns.reduce((n, c) => n + c.runs, 0),
      stale: staleRows.length,
      unreadable: unreadable.length,
      meanOverall: overalls.length ? (overalls.reduce((a, b) => a + b, 0) / overalls.length).toFixed(1) : 'n/a',
      meanLeftOut: grid.filter((g) => latestReadable(g) && leftOutAsNa(g.overall)).length,
      grades: ['A', 'B', 'C', 'D', 'F', 'n/a'].filter((g) => gradeCounts.has(g)).map((g) => ({ grade: g, gradeClass: g === 'n/a' ? 'grade-na' : `grade-${g.toLowerCase()}`, count: gradeCounts.get(g) as number })),
    },
    staleAfterHours,
    grid,
    unreadable,
    stale: staleRows.sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt) || byName(a.cluster, b.cluster))
      .map((g) => ({ ...g, daysAgo: Math.floor((now - Date.parse(g.startedAt)) / 86_400_000) })),
    worst,
    regressions: data.regressions.map((r) => ({
      cluster: r.run.cluster || '(unnamed)', runId: r.run.id, startedAt: r.run.startedAt, overall: cellOf(r.run.score.overall, null, notEvaluatedOf(r.run).total),
      reasons: r.reasons.slice(0, REASONS_SHOWN), more: Math.max(0, r.reasons.length - REASONS_SHOWN),
    })),
    regressionsCut,
    common: data.common.map((c) => {
      const carried = c.clusterNames.filter((name) => carriedFrom.get(name)?.has(c.check)).length;
      return {
        check: c.check, severity: c.severity, resource: resourceText(c.kind, c.namespace, c.shape), clusters: c.clusters,
        clusterNames: commonNames(c, carriedFrom), carried, carriedText: commonCarriedText(c, carried), findings: c.findings, unnamed: c.clusters - c.clusterNames.length,
      };
    }),
    waivers: data.waivers.map((w) => ({
      cluster: w.cluster || '(unnamed)', check: w.waiver.check,
      resource: resourceText(w.waiver.resource.kind ?? '*', w.waiver.resource.namespace ?? '', w.waiver.resource.name ?? '*'),
      owner: w.waiver.owner, expires: w.waiver.expires, state: w.waiver.state,
    })),
  };
}
