// Changes since the last run: regression reasons, new and resolved findings, and per area the
// causes that moved its score (from the diff's scoreChanges), adding up to the delta.
import { AREAS } from '../../base/vocabulary.ts';
import { oneLine } from '../../base/plain-text.ts';
import type { Finding, RunDiff, RunReport } from '../../run/types.ts';
import { widenedMembersText } from '../../run/extent.ts';
import { AREA_LABEL, compareFindings, num, resourceText, SEV_RANK, smallest } from './format.ts';
import { rowOf, type FindingIndex } from './findings.ts';
import type { AreaChangeView, ChangesView, NewlyWaivedRow, WidenedRow, ResolvedRow, ScoreCauseCheck, ScoreCauseRow, ViewOptions } from './types.ts';

const MAX_REASONS = 6;

const signed = (n: number) => (Math.round(n * 10) === 0 ? '±0' : `${n > 0 ? '+' : '−'}${num(Math.abs(n))}`);
const clsOf = (n: number): 'up' | 'down' | 'flat' => (Math.round(n * 10) === 0 ? 'flat' : n > 0 ? 'up' : 'down');

function areaChanges(report: RunReport, idx: FindingIndex, previous: RunReport | null): AreaChangeView[] {
  const changes = report.diff?.scoreChanges;
  if (!changes) return [];
  const titleOf = (id: string) => idx.checkById.get(id)?.title ?? previous?.checks.find((c) => c.id === id)?.title ?? id;
  const out: AreaChangeView[] = [];
  for (const area of AREAS) {
    const ch = changes[area];
    // The delta every other output shows: a run stored by an older version may carry points for
    // an area its scoreDelta found not comparable, and an "unitemised" rest that means nothing then.
    const delta = report.diff?.scoreDelta.areas[area] === null ? null : ch?.delta ?? null;
    const causes = delta === null ? ch?.causes.filter((c) => c.kind !== 'unitemised') ?? [] : ch?.causes ?? [];
    if (!ch || ((delta === 0 || delta === null) && causes.length === 0)) continue;
    const byCheck = new Map<string, { points: number; causes: ScoreCauseRow[] }>();
    for (const c of causes) {
      const e = byCheck.get(c.check) ?? { points: 0, causes: [] };
      e.points += c.points;
      e.causes.push({ text: c.text, points: signed(c.points), cls: clsOf(c.points) });
      byCheck.set(c.check, e);
    }
    const checks: ScoreCauseCheck[] = [...byCheck.entries()]
      .map(([check, e]) => ({ check, title: check ? titleOf(check) : 'Other', causes: e.causes, points: signed(Math.round(e.points * 10) / 10), cls: clsOf(e.points), abs: Math.abs(e.points) }))
      .sort((a, b) => b.abs - a.abs || a.check.localeCompare(b.check, 'en'))
      .map(({ abs: _a, ...c }) => c);
    const sum = causes.reduce((s, c) => s + c.points, 0);
    out.push({
      area, label: AREA_LABEL[area], before: num(ch.before), after: num(ch.after),
      delta: delta === null ? 'n/a' : signed(delta), cls: delta === null ? 'flat' : clsOf(delta), weighed: delta !== null, checks, sum: signed(Math.round(sum * 10) / 10),
    });
  }
  return out;
}

const MAX_SCORE_CAUSES = 3;

/** The overall score moved against the run's verdict (scoreAgainstVerdict). */
export interface ScoreAgainstVerdict {
  /** "up despite the regression", "down though no regression": beside the delta where only a few words fit (a subject). */
  said: string;
  /** One line: that, the delta, and the causes that moved it most, with the points each gave its area. */
  text: string;
}

/**
 * The overall score moved the way the verdict does not read (up in a regression, down in a run
 * that is none): said with the causes that moved it most, from the diff's scoreChanges, as
 * report.html's "Why the scores moved" itemises them (README: every score change explained by its
 * causes), so an alert's "▲ +0.7" never stands unexplained beside "regression". Undefined when the
 * score moved with the verdict, did not move, or has no delta.
 */
export function scoreAgainstVerdict(diff: Pick<RunDiff, 'regression' | 'scoreDelta' | 'scoreChanges'> | null | undefined): ScoreAgainstVerdict | undefined {
  const delta = diff?.scoreDelta.overall;
  if (!diff || delta === null || delta === undefined || Math.round(delta * 10) === 0 || delta > 0 !== diff.regression) return undefined;
  const up = delta > 0;
  // The causes that pushed the way the score went, largest first, over areas with a delta.
  const causes = AREAS.flatMap((area) => (diff.scoreDelta.areas[area] === null ? [] : (diff.scoreChanges?.[area]?.causes ?? []).filter((c) => (up ? c.points > 0 : c.points < 0)).map((c) => ({ area, c }))))
    .sort((a, b) => Math.abs(b.c.points) - Math.abs(a.c.points) || a.c.check.localeCompare(b.c.check, 'en'));
  const shown = causes.slice(0, MAX_SCORE_CAUSES).map(({ area, c }) => `${area} ${signed(c.points)}, ${c.check || 'other'}: ${c.text}`);
  const more = causes.length - shown.length;
  const said = up ? 'up despite the regression' : 'down though no regression';
  const why = shown.length === 0 ? '' : `: ${shown.join('; ')}${more > 0 ? `; …and ${more} more (report.html, "Why the scores moved")` : ''}`;
  return { said, text: `Score ${said} (${signed(delta)} overall)${why}` };
}

/**
 * The note for checks evaluated for the first time in this history (the diff's firstEvaluated):
 * compared with nothing, so every open finding of theirs is new. Empty when there are none.
 */
export function firstEvaluatedNote(report: RunReport): string {
  const checks = report.diff?.firstEvaluated ?? [];
  if (checks.length === 0) return '';
  const ids = new Set(checks);
  const n = report.findings.filter((f) => !f.waived && ids.has(f.check)).length;
  const which = n === 0 ? 'none of their findings is open' : n === 1 ? 'their 1 finding is new' : `all ${n.toLocaleString('en-US')} of their findings are new`;
  return `Compared with nothing: evaluated for the first time in this history — ${which}: ${checks.join(', ')}.`;
}

const MAX_BASELINE_RUNS = 3;

/**
 * The note for checks the previous run did not evaluate, compared instead with an older run
 * (the diff's olderBaselines): "since <previous run>" is not the whole story for them — what
 * they find new may date from anywhere after that older run. One line, by baseline run (most
 * checks first), naming at most three runs; first, the stored runs the diff passed over because
 * they could not be read (RunDiff.unreadableRuns). Empty when there are none.
 */
export function olderBaselinesNote(diff: Pick<RunDiff, 'olderBaselines' | 'previousRunId' | 'unreadableRuns' | 'bySummary'> | null | undefined): string {
  if (diff?.bySummary) return `Compared with the stored summary of run ${diff.previousRunId} alone: no stored run of this cluster before this one could be read, so no finding is called new or resolved`;
  const byRun = new Map<string, number>();
  for (const run of Object.values(diff?.olderBaselines ?? {})) byRun.set(run, (byRun.get(run) ?? 0) + 1);
  // Runs newer than the baseline that the store could not read: "since" names an older run than the previous one.
  const unreadable = diff?.unreadableRuns ?? [];
  const passedOver = unreadable.length === 0 ? '' : `Compared with older runs because stored run${unreadable.length === 1 ? '' : 's'} ${unreadable.slice(0, MAX_BASELINE_RUNS).join(', ')}${unreadable.length > MAX_BASELINE_RUNS ? ` and ${unreadable.length - MAX_BASELINE_RUNS} more` : ''} could not be read (passed over)`;
  if (!diff || byRun.size === 0) return passedOver;
  const groups = [...byRun].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0], 'en'));
  const checks = (n: number) => `${n} check${n === 1 ? '' : 's'}`;
  const parts = groups.slice(0, MAX_BASELINE_RUNS).map(([run, n], i) => `${i === 0 ? checks(n) : n} compared with run ${run}`);
  const rest = groups.slice(MAX_BASELINE_RUNS);
  if (rest.length > 0) parts.push(`and ${rest.reduce((s, [, n]) => s + n, 0)} with ${rest.length} more run${rest.length === 1 ? '' : 's'}`);
  const older = `${parts.join(', ')} (not evaluated in ${diff.previousRunId})`;
  return passedOver ? `${passedOver}; ${older}` : older;
}

/**
 * The findings of the compared run this run could not judge (RunDiff.notJudged: their namespace
 * is named by objects in the input but its Namespace object is not), one line; '' when none.
 * Those the compared run could not judge either name the run that last judged them
 * (RunDiff.notJudgedRuns): "2 findings last judged in run R could not be judged in this run".
 */
export function notJudgedNote(diff: Pick<RunDiff, 'notJudged' | 'notJudgedRuns' | 'previousRunId'> | null | undefined): string {
  const n = diff?.notJudged?.length ?? 0;
  if (n === 0) return '';
  const from = diff!.notJudgedRuns ?? {};
  const byRun = new Map<string, number>();
  for (const fp of diff!.notJudged!) {
    const run = Object.hasOwn(from, fp) ? from[fp] : diff!.previousRunId;
    byRun.set(run, (byRun.get(run) ?? 0) + 1);
  }
  // The compared run first, then the older runs as olderBaselinesNote orders them.
  const runs = [...byRun].sort(([a, x], [b, y]) => (a === diff!.previousRunId ? -1 : b === diff!.previousRunId ? 1 : y - x || a.localeCompare(b, 'en')));
  const part = ([run, k]: [string, number], count: (k: number) => string) => `${count(k)} ${run === diff!.previousRunId ? 'of' : 'last judged in'} run ${run}`;
  const findings = (k: number) => `${k} finding${k === 1 ? '' : 's'}`;
  const what = runs.length === 1 ? part(runs[0], findings) : `${findings(n)} (${runs.slice(0, MAX_BASELINE_RUNS).map((r) => part(r, String)).join(', ')}${runs.length > MAX_BASELINE_RUNS ? ` and ${runs.slice(MAX_BASELINE_RUNS).reduce((s, [, k]) => s + k, 0)} of ${runs.length - MAX_BASELINE_RUNS} more runs` : ''})`;
  return `${what} could not be judged in this run (in namespaces whose objects are in the input but whose Namespace object is not): not resolved, and not counted as persisting`;
}

/**
 * The diff's newly waived findings as rows (the waiver's resource as configured), those through
 * related objects first: they are what a waiver now hides that its author never saw.
 */
export function newlyWaivedRowsOf(report: RunReport, titleOf: (check: string) => string = (id) => id): NewlyWaivedRow[] {
  return (report.diff?.newlyWaived ?? [])
    .map((n) => ({ check: n.check, title: titleOf(n.check), resource: resourceText(n.resource), waiver: resourceText(n.waiver.resource), throughRelated: n.throughRelated, ...(n.widened ? { widened: widenedMembersText(n.widened) } : {}) }))
    .sort((a, b) => Number(b.throughRelated) - Number(a.throughRelated) || a.check.localeCompare(b.check, 'en') || a.resource.localeCompare(b.resource, 'en'));
}

/**
 * The diff's widened findings as rows, in its order (worst first): each below the regression
 * threshold is said nowhere else, so every output that lists the newly waived lists these.
 */
export function widenedRowsOf(report: RunReport, titleOf: (check: string) => string = (id) => id): WidenedRow[] {
  return (report.diff?.widened ?? []).map((w) => ({ check: w.check, title: titleOf(w.check), resource: resourceText(w.resource), text: widenedMembersText(w) }));
}

/**
 * Why a run that is no first run has no diff: every stored run of its cluster before it could not
 * be read (RunReport.run.unreadablePrevious). '' when it has a diff or is a first run.
 */
export function notDiffedNote(report: Pick<RunReport, 'run' | 'diff'>): string {
  const ids = report.diff ? [] : report.run.unreadablePrevious ?? [];
  if (ids.length === 0) return '';
  const shown = `${ids.slice(0, MAX_BASELINE_RUNS).join(', ')}${ids.length > MAX_BASELINE_RUNS ? ` and ${ids.length - MAX_BASELINE_RUNS} more` : ''}`;
  return oneLine(`Not compared: this is not the first run of this cluster, but its previous stored run${ids.length === 1 ? '' : 's'} ${shown} could not be read (passed over), so there is nothing to compare with`);
}

export function changesOf(report: RunReport, idx: FindingIndex, opts: ViewOptions): ChangesView {
  const diff = report.diff;
  const maxChange = opts.maxChangeRows ?? 100;
  const newFindings: Finding[] = [];
  for (const fp of diff?.new ?? []) { const f = idx.byFingerprint.get(fp); if (f) newFindings.push(f); }
  // One cause, one line: a new finding implied by another new finding is listed under it.
  const newSet = new Set(diff?.new ?? []);
  const listed = newFindings.filter((f) => !(f.impliedBy && newSet.has(f.impliedBy)));
  const newRows = smallest(listed, maxChange, compareFindings)
    .map((f) => ({ ...rowOf(f, idx, f.severity), title: idx.checkById.get(f.check)?.title ?? f.check, check: f.check }));
  const newlyWaived = newlyWaivedRowsOf(report, (id) => idx.checkById.get(id)?.title ?? id);
  const widened = widenedRowsOf(report, (id) => idx.checkById.get(id)?.title ?? id);
  const resolvedAll = diff?.resolved ?? [];
  // The most severe resolved findings, whatever their place in the diff: each one is looked up
  // in the previous run, and the rows are the smallest `maxChange` (not the first ones, sorted).
  const resolvedSet = new Set(resolvedAll);
  const prevByFp = new Map<string, Finding>();
  const prevTitles = new Map<string, string>();
  if (opts.previous) {
    for (const f of opts.previous.findings) if (resolvedSet.has(f.fingerprint)) prevByFp.set(f.fingerprint, f);
    for (const c of opts.previous.checks) prevTitles.set(c.id, c.title);
  }
  // Those not found in the previous run (none given, or a store that kept less) come last.
  const rank = (fp: string) => { const f = prevByFp.get(fp); return f ? SEV_RANK[f.severity] : 9; };
  const byResolvedSeverity = (a: string, b: string) => {
    const fa = prevByFp.get(a), fb = prevByFp.get(b);
    return rank(a) - rank(b) || (fa && fb ? fa.check.localeCompare(fb.check, 'en') || compareFindings(fa, fb) : a.localeCompare(b, 'en'));
  };
  const resolvedRows: ResolvedRow[] = smallest(resolvedAll, maxChange, byResolvedSeverity).map((fp) => {
    const f = prevByFp.get(fp);
    if (!f) return { fingerprint: fp, title: opts.previousMissing ? `details were in run ${diff?.previousRunId ?? ''}, which ${opts.previousMissing === 'evicted' ? 'is no longer stored' : 'cannot be read'}` : 'details are in the previous run', check: '', severity: '', resource: '', message: '' };
    return {
      fingerprint: fp, title: prevTitles.get(f.check) ?? idx.checkById.get(f.check)?.title ?? f.check, check: f.check,
      severity: f.severity, resource: resourceText(f.resource), message: f.message,
    };
  });
  return {
    hasPrevious: diff !== null,
    historyOff: diff === null && opts.historyOff === true,
    notDiffed: notDiffedNote(report),
    previousRunId: diff?.previousRunId ?? '',
    previousStartedAt: diff?.previousStartedAt ?? '',
    regression: diff?.regression ?? false,
    reasons: (diff?.regressionReasons ?? []).slice(0, MAX_REASONS),
    moreReasons: (diff?.regressionReasons ?? []).slice(MAX_REASONS),
    partial: diff?.partial ?? false,
    notComparable: diff?.notComparable ?? [],
    notJudged: notJudgedNote(diff),
    notJudgedCount: diff?.notJudged?.length ?? 0,
    firstEvaluated: firstEvaluatedNote(report),
    olderBaselines: olderBaselinesNote(diff),
    breadthNotCompared: diff?.breadthNotCompared ?? '',
    undelivered: diff?.undelivered ?? [],
    persisting: diff?.persisting ?? 0,
    newCount: diff?.new.length ?? 0,
    resolvedCount: resolvedAll.length,
    newRows,
    newMore: Math.max(0, listed.length - newRows.length),
    newlyWaivedRows: newlyWaived.slice(0, maxChange),
    newlyWaivedMore: Math.max(0, newlyWaived.length - maxChange),
    widenedRows: widened.slice(0, maxChange),
    widenedMore: Math.max(0, widened.length - maxChange),
    resolvedRows,
    resolvedMore: Math.max(0, resolvedAll.length - resolvedRows.length),
    areas: areaChanges(report, idx, opts.previous ?? null),
  };
}
