// The report view-model: a pure function from report.json (+ trend, + previous run) to the
// plain data the templates print. Nothing here judges a result: verdicts, scores, the diff and
// the analyses' classifications come as given; the builders beside this file shape them.
import { checkCoverage, partialScoreNote } from '../../engine/score.ts';
import { SEVERITIES, SEVERITY_WEIGHT, type Area } from '../../base/vocabulary.ts';
import { oneLine } from '../../base/plain-text.ts';
import { redactUrlCredentials } from '../../base/errors.ts';
import type { CarriedFindings, CheckSummary, Finding, RunReport, WaiverStatus } from '../../run/types.ts';
import { carriedText, runCounts, severityCountText } from '../counts.ts';
import { changesOf } from './changes.ts';
import { AREA_LABEL, card, compareFindings, resourceText, smallest } from './format.ts';
import { frameworksOf } from './frameworks.ts';
import { areaSections, indexFindings, topFixes } from './findings.ts';
import { POSTURE_MAX_ROWS, postureOf } from './posture.ts';
import { trendView } from './trend.ts';
import type { CarriedView, CoverageView, ReportView, ScoreCard, ViewOptions } from './types.ts';
import { AREAS } from '../../base/vocabulary.ts';
import { isBlind } from '../../run/coverage.ts';

export type * from './types.ts';
export { AREA_LABEL, resourceText };
export { POSTURE_MAX_ROWS, POSTURE_TOP_SUBJECTS } from './posture.ts';
export { frameworksOf, FRAMEWORKS } from './frameworks.ts';
export { firstEvaluatedNote, newlyWaivedRowsOf, notDiffedNote, notJudgedNote, olderBaselinesNote, scoreAgainstVerdict, widenedRowsOf, type ScoreAgainstVerdict } from './changes.ts';

const STATE_LABEL: Record<WaiverStatus['state'], string> = {
  active: 'active', 'expiring-soon': 'expiring soon', expired: 'expired', unmatched: 'matches nothing', 'not-evaluated': 'check not evaluated',
};
const STATE_ORDER: Array<WaiverStatus['state']> = ['expired', 'expiring-soon', 'not-evaluated', 'unmatched', 'active'];
const NOTES_CAP = 50;

/** An unmatched waiver's open finding (WaiverStatus.openFinding), one line: the register says it is no stale entry. */
function openFindingOf(w: WaiverStatus): { openFindingText?: string } {
  const o = w.state === 'unmatched' ? w.openFinding : undefined;
  if (!o) return {};
  const more = o.more > 0 ? ` (and ${o.more} more)` : '';
  const covered = o.coveredIn ? `, covered in run ${o.coveredIn}` : '';
  const notNamed = o.notNamed ? `; also stems from ${resourceText(o.notNamed)}, not named` : '';
  return { openFindingText: `open: ${resourceText(o.resource)}${more}${covered}${notNamed}` };
}

export const SECTIONS: ReportView['sections'] = [
  { id: 'summary', label: 'Summary' }, { id: 'top-fixes', label: 'What to fix first' }, { id: 'changes', label: 'Changes' },
  { id: 'findings', label: 'Findings' }, { id: 'posture', label: 'Posture' }, { id: 'trend', label: 'Trend' },
  { id: 'exceptions', label: 'Exceptions' }, { id: 'coverage', label: 'Coverage' }, { id: 'frameworks', label: 'Frameworks' },
  { id: 'methodology', label: 'Methodology' },
];

function coverageOf(report: RunReport): CoverageView {
  const entry = (c: RunReport['checks'][number]) => ({ id: c.id, title: c.title, status: c.status, reason: c.reason ?? '' });
  const kinds = Object.entries(report.run.coverage).sort((a, b) => a[0].localeCompare(b[0], 'en'))
    .map(([kind, e]) => ({ kind, status: e.status, detail: e.detail ?? '', count: e.count === undefined ? '' : String(e.count) }));
  return {
    kinds,
    gaps: kinds.filter((k) => k.status !== 'ok'),
    notEvaluated: report.checks.filter((c) => isBlind(c.status)).map(entry),
    notApplicable: report.checks.filter((c) => c.status === 'not-applicable').map(entry),
    notes: report.run.notes.slice(0, NOTES_CAP),
    notesMore: Math.max(0, report.run.notes.length - NOTES_CAP),
    // A namespace not judged for want of its Namespace object is an input gap, not a choice.
    exclusions: report.checks.filter((c) => c.excluded && !unjudgedIn(c)).map((c) => ({ id: c.id, title: c.title, excluded: c.excluded! })),
    notJudged: report.checks.filter(unjudgedIn).map((c) => ({ id: c.id, title: c.title, excluded: c.excluded ?? `could not judge namespace(s) ${namespacesText(c.unjudgedNamespaces!)}` })),
  };
}

const unjudgedIn = (c: Pick<CheckSummary, 'unjudgedNamespaces'>): boolean => Array.isArray(c.unjudgedNamespaces) && c.unjudgedNamespaces.length > 0;

/** At most this many namespaces named in a "could not judge" line; the rest are counted. */
const NAMESPACES_SHOWN = 5;
const namespacesText = (names: readonly string[]): string => {
  const sorted = [...new Set(names)].sort();
  return sorted.slice(0, NAMESPACES_SHOWN).join(', ') + (sorted.length > NAMESPACES_SHOWN ? ` and ${sorted.length - NAMESPACES_SHOWN} more` : '');
};

/** The namespaces the checks of `area` (all areas when undefined) could not judge, sorted. */
function unjudgedNamespacesIn(report: Pick<RunReport, 'checks'>, area?: Area): string[] {
  return [...new Set(report.checks.filter((c) => (area === undefined || c.area === area) && unjudgedIn(c)).flatMap((c) => c.unjudgedNamespaces!))].sort();
}

/**
 * Per area, the namespaces its evaluated checks could not judge (their Namespace objects are not
 * in the input: CheckSummary.unjudgedNamespaces), one line each, as the CLI prints it under its
 * score table: a grade over the other namespaces alone reads as a clean bill otherwise. Every
 * output says it where it says a partial run's gaps.
 */
export function notJudgedLines(report: Pick<RunReport, 'checks'>): string[] {
  const out: string[] = [];
  for (const area of AREAS) {
    const checks = report.checks.filter((c) => c.area === area && unjudgedIn(c));
    if (checks.length === 0) continue;
    out.push(oneLine(`${area}: ${checks.length} check(s) could not judge namespace(s) ${namespacesText(checks.flatMap((c) => c.unjudgedNamespaces!))} (their Namespace objects are not in the input; report.json checks[].excluded)`));
  }
  return out;
}

/**
 * "score computed on partial input: limitranges could not be read" for an area whose evaluated
 * checks were judged without some best-effort input (CheckSummary.degraded); '' when none, and
 * when the area has no score this run (`score` null: "n/a", which its share of checks evaluated
 * explains; no score was computed). Kind names come from the catalog's declarations, never from
 * the cluster.
 */
export function partialInputNote(checks: readonly Pick<CheckSummary, 'area' | 'status' | 'degraded'>[], area: Area, score: number | null): string {
  if (score === null) return '';
  const kinds = [...new Set(checks.filter((c) => c.area === area && (c.status === 'pass' || c.status === 'fail') && Array.isArray(c.degraded)).flatMap((c) => c.degraded!.filter((k) => typeof k === 'string')))].sort();
  return kinds.length === 0 ? '' : oneLine(`score computed on partial input: ${kinds.join(', ')} could not be read`);
}

/** An area's card, marked when its checks could not judge namespaces (ScoreCard.notJudged) or read every input (ScoreCard.partialInput). */
function areaCard(report: RunReport, area: Area): ScoreCard {
  const base = card(area, AREA_LABEL[area], report.score.areas[area], report.diff?.scoreDelta.areas[area], checkCoverage(report.checks, area));
  const partialInput = partialInputNote(report.checks, area, report.score.areas[area]);
  const c = partialInput ? { ...base, partialInput } : base;
  const names = unjudgedNamespacesIn(report, area);
  if (names.length === 0) return c;
  return { ...c, notJudged: `namespace${names.length === 1 ? '' : 's'} ${namespacesText(names)} not judged: not in the input` };
}

/**
 * The overall card: a partial run's says which areas it could not score and that the number,
 * over what could be read, compares with no complete run's ("partial: network not scored; …").
 */
function overallCard(report: RunReport): ScoreCard {
  const c = card('overall', 'Overall', report.score.overall, report.diff?.scoreDelta.overall, checkCoverage(report.checks));
  const note = partialScoreNote(report.score, report.checks, false);
  return note ? { ...c, share: `${c.share}; ${note}` } : c;
}

export function buildView(report: RunReport, opts: ViewOptions = {}): ReportView {
  const maxRows = opts.maxRowsPerGroup ?? 50;
  const diff = report.diff;
  const idx = indexFindings(report);
  const counts = runCounts(report);
  return {
    title: `Zero-trust compliance report — ${report.run.cluster.name}`,
    sections: SECTIONS,
    // Redacted again: a run stored by a version that let a ?token= through is rendered by this one.
    cluster: { name: report.run.cluster.name, server: redactUrlCredentials(report.run.cluster.server ?? ''), version: report.run.cluster.version ?? 'unknown' },
    run: {
      id: report.run.id, startedAt: report.run.startedAt, finishedAt: report.run.finishedAt, source: report.run.source,
      toolVersion: report.run.toolVersion, checkCatalogVersion: report.run.checkCatalogVersion,
    },
    overall: overallCard(report),
    areas: AREAS.map((a) => areaCard(report, a)),
    partial: report.run.partial ?? [],
    notJudged: notJudgedLines(report),
    watch: report.run.trigger === 'watch' && report.run.watch ? {
      changes: report.run.watch.changes.slice(0, 20), more: Math.max(0, report.run.watch.changeCount - Math.min(20, report.run.watch.changes.length)),
      reevaluated: report.run.watch.reevaluated.length, causes: report.run.watch.causes ?? [],
    } : null,
    totals: {
      findings: counts.findings, open: counts.open, waived: counts.waived, folded: counts.folded,
      checks: counts.checks, failingChecks: counts.failingChecks, notEvaluated: counts.notEvaluated, notApplicable: counts.notApplicable,
      carried: carriedText(counts),
    },
    severityCounts: SEVERITIES.map((s) => ({ severity: s, count: counts.bySeverity[s], carried: counts.carried?.bySeverity[s] ?? 0, text: severityCountText(counts, s) })),
    carried: carriedOf(opts.carried ?? [], idx.checkById, new Set(report.diff?.notJudged ?? [])),
    topFixes: topFixes(report, idx, opts.maxTopFixes ?? 10),
    changes: changesOf(report, idx, opts),
    areaSections: areaSections(report, idx, maxRows),
    trend: opts.trend && opts.trend.length > 0 ? trendView(opts.trend, report, opts.maxTrendPoints ?? 90) : null,
    waivers: [...report.waivers]
      .sort((a, b) => STATE_ORDER.indexOf(a.state) - STATE_ORDER.indexOf(b.state) || a.expires.localeCompare(b.expires, 'en'))
      .map((w) => ({ ...w, resourceText: resourceText(w.resource), stateLabel: w.state === 'unmatched' && w.openFinding ? 'misses an open finding' : STATE_LABEL[w.state], ...openFindingOf(w) })),
    ignoredSubjects: (report.details.rbac?.ignored ?? []).map((i) => ({
      subject: resourceText(i.subject),
      bindings: i.bindings.map((b) => `${resourceText(b.binding)} → ${b.role.kind} ${b.role.name}`),
    })),
    ignoredMore: Math.max(0, (report.details.rbac?.ignoredTotal ?? 0) - (report.details.rbac?.ignored?.length ?? 0)),
    coverage: coverageOf(report),
    posture: postureOf(report, opts.maxPostureRows ?? POSTURE_MAX_ROWS),
    frameworks: frameworksOf(report),
    methodology: {
      weights: SEVERITIES.map((s) => ({ severity: s, weight: SEVERITY_WEIGHT[s] })),
      checkCatalogVersion: report.run.checkCatalogVersion,
      toolVersion: report.run.toolVersion,
      clusterVersion: report.run.cluster.version ?? 'unknown',
      source: report.run.source,
      checkCount: report.checks.length,
    },
    limits: { maxRowsPerGroup: maxRows },
  };
}

/** At most this many carried findings listed per run; report.sarif lists them all. */
export const CARRIED_ROWS = 10;

/**
 * The open findings of the checks this run could not evaluate, by the run that last evaluated
 * them, most severe first, newest run first: a reviewer reads "0 critical" beside "(+6)" and must
 * see which six. O(findings carried) per run (the CARRIED_ROWS smallest, not a full sort).
 */
function carriedOf(carried: readonly CarriedFindings[], checkById: ReadonlyMap<string, { title: string }>, notJudged: ReadonlySet<string>): CarriedView[] {
  return carried
    .filter((c) => c.findings.some((f) => !f.waived))
    .sort((a, b) => b.runId.localeCompare(a.runId, 'en'))
    .map((c) => {
      const open = c.findings.filter((f) => !f.waived);
      const rows = smallest(open, CARRIED_ROWS, compareFindings).map((f) => ({
        severity: f.severity, check: f.check, title: checkById.get(f.check)?.title ?? f.check,
        kind: f.resource.kind, namespace: f.resource.namespace ?? '', name: f.resource.name, message: f.message,
      }));
      return { runId: c.runId, total: open.length, rows, more: open.length - rows.length, notJudged: open.every((f) => notJudged.has(f.fingerprint)) };
    });
}

/** New open findings of the current run, most severe first (for notifiers; they never re-diff). */
export function newFindingsOf(report: RunReport): Finding[] {
  if (!report.diff) return [];
  const set = new Set(report.diff.new);
  return report.findings.filter((f) => set.has(f.fingerprint) && !f.waived).sort(compareFindings);
}

/**
 * Findings as lines for a short message (Slack, email): a finding folded under another in the
 * same list is not a line of its own; its cause carries how many it implies. `waivedFrom` (the
 * run's findings) adds the waived findings folded under a listed cause, apart (`waived`): they are
 * marked waived under their cause, as report.html marks them, and never counted as open.
 */
export function foldForMessage(findings: readonly Finding[], waivedFrom: readonly Finding[] = []): Array<{ finding: Finding; implied: Finding[]; waived: Finding[] }> {
  const inList = new Set(findings.map((f) => f.fingerprint));
  const implied = new Map<string, Finding[]>();
  const waived = new Map<string, Finding[]>();
  const add = (to: Map<string, Finding[]>, f: Finding) => {
    const list = to.get(f.impliedBy!);
    if (list) list.push(f); else to.set(f.impliedBy!, [f]);
  };
  for (const f of findings) if (f.impliedBy && inList.has(f.impliedBy)) add(implied, f);
  for (const f of waivedFrom) if (f.waived && f.impliedBy && inList.has(f.impliedBy)) add(waived, f);
  return findings.filter((f) => !(f.impliedBy && inList.has(f.impliedBy)))
    .map((f) => ({ finding: f, implied: implied.get(f.fingerprint) ?? [], waived: (waived.get(f.fingerprint) ?? []).sort((a, b) => a.check.localeCompare(b.check, 'en')) }));
}
