// Findings by area: one group per failing check, headed by the highest open severity in it,
// with rows implied by a broader finding on the same resource folded under that finding.
import { checkCoverage } from '../../engine/score.ts';
import { AREAS, SEVERITIES, SEVERITY_WEIGHT, type Severity } from '../../base/vocabulary.ts';
import type { CheckSummary, Finding, RunReport } from '../../run/types.ts';
import { clip } from '../../base/plain-text.ts';
import { evidenceOf } from './evidence.ts';
import { reachCount } from '../../run/spooled-finding.ts';
import { AREA_LABEL, card, compareFindings, firstSentence, resourceText, SEV_RANK, severityCountsOf, smallest, zeroSeverities } from './format.ts';
import type { AreaSection, CheckGroup, FindingRow, FoldedGroup, ImpliedRow, TopFix } from './types.ts';

/** The run's findings indexed once for every builder. */
export interface FindingIndex {
  byCheck: Map<string, Finding[]>;
  /** The findings looked up by fingerprint: causes of implied findings and the diff's new ones (not every finding). */
  byFingerprint: Map<string, Finding>;
  checkById: Map<string, CheckSummary>;
  /** Cause fingerprint -> the findings folded under it. */
  implied: Map<string, Finding[]>;
  /** Whether a finding is folded under a cause present in this run. */
  isFolded(f: Finding): boolean;
}

export function indexFindings(report: RunReport): FindingIndex {
  const byCheck = new Map<string, Finding[]>();
  const wanted = new Set<string>(report.diff?.new ?? []);
  for (const f of report.findings) {
    const list = byCheck.get(f.check);
    if (list) list.push(f); else byCheck.set(f.check, [f]);
    if (f.impliedBy) wanted.add(f.impliedBy);
  }
  const byFingerprint = new Map<string, Finding>();
  if (wanted.size > 0) for (const f of report.findings) if (wanted.has(f.fingerprint)) byFingerprint.set(f.fingerprint, f);
  const implied = new Map<string, Finding[]>();
  for (const f of report.findings) {
    if (!f.impliedBy || !byFingerprint.has(f.impliedBy)) continue;
    const list = implied.get(f.impliedBy);
    if (list) list.push(f); else implied.set(f.impliedBy, [f]);
  }
  const isFolded = (f: Finding) => f.impliedBy !== undefined && byFingerprint.has(f.impliedBy);
  return { byCheck, byFingerprint, checkById: new Map(report.checks.map((c) => [c.id, c])), implied, isFolded };
}

export function rowOf(f: Finding, idx: FindingIndex, groupSeverity: Severity): FindingRow {
  // Waived consequences stay listed, marked with their waiver (the audit trail), after the open ones.
  const implies: ImpliedRow[] = (idx.implied.get(f.fingerprint) ?? [])
    .map((c) => ({
      check: c.check, title: idx.checkById.get(c.check)?.title ?? c.check, severity: c.severity, waived: c.waived,
      waiver: c.waiver ? { reason: c.waiver.reason, owner: c.waiver.owner, expires: c.waiver.expires } : null,
    }))
    .sort((a, b) => Number(a.waived) - Number(b.waived) || SEV_RANK[a.severity] - SEV_RANK[b.severity] || a.check.localeCompare(b.check, 'en'));
  return {
    severity: f.severity,
    kind: f.resource.kind,
    namespace: f.resource.namespace ?? '',
    name: f.resource.name,
    message: f.message,
    evidence: evidenceOf(f),
    waived: f.waived,
    waiver: f.waiver ? { reason: f.waiver.reason, owner: f.waiver.owner, expires: f.waiver.expires } : null,
    fingerprint: f.fingerprint,
    severityDiffers: f.severity !== groupSeverity,
    implies,
    impliesWaived: implies.filter((x) => x.waived).length,
  };
}

/** The highest open severity, or the highest waived one when all are waived. */
function headlineSeverity(fs: readonly Finding[], fallback: Severity): Severity {
  let open: Severity | null = null;
  let any: Severity | null = null;
  for (const f of fs) {
    if (any === null || SEV_RANK[f.severity] < SEV_RANK[any]) any = f.severity;
    if (!f.waived && (open === null || SEV_RANK[f.severity] < SEV_RANK[open])) open = f.severity;
  }
  return open ?? any ?? fallback;
}

function causeText(f: Finding, idx: FindingIndex): string {
  const cause = idx.byFingerprint.get(f.impliedBy ?? '');
  if (!cause) return '';
  return `${idx.checkById.get(cause.check)?.title ?? cause.check} on ${resourceText(cause.resource)}`;
}

export function areaSections(report: RunReport, idx: FindingIndex, maxRows: number): AreaSection[] {
  const diff = report.diff;
  return AREAS.map((area) => {
    const checks = report.checks.filter((c) => c.area === area);
    const groups: CheckGroup[] = [];
    const foldedGroups: FoldedGroup[] = [];
    const clean: AreaSection['cleanChecks'] = [];
    // Findings whose check is missing from `checks` still get a group (defensive: never drop a finding).
    const orphans = [...idx.byCheck.keys()].filter((id) => idx.byCheck.get(id)![0].area === area && !idx.checkById.has(id));
    for (const id of [...new Set([...checks.map((c) => c.id), ...orphans])]) {
      const c = idx.checkById.get(id);
      const fs = idx.byCheck.get(id) ?? [];
      if (fs.length === 0) {
        if (c) clean.push({ id: c.id, title: c.title, status: c.status, evaluated: c.evaluated, reason: c.reason ?? '' });
        continue;
      }
      const severity = headlineSeverity(fs, c?.severity ?? fs[0].severity);
      const counts = zeroSeverities();
      let open = 0, waived = 0;
      const shown: Finding[] = [];
      const folded: Finding[] = [];
      for (const f of fs) {
        if (f.waived) waived++; else { open++; counts[f.severity]++; }
        if (idx.isFolded(f)) folded.push(f); else shown.push(f);
      }
      const title = c?.title ?? id;
      if (shown.length === 0) {
        foldedGroups.push({ id, title, severity, severityCounts: severityCountsOf(counts), failed: open, waived, causes: [...new Set(folded.map((f) => causeText(f, idx)))].sort() });
        continue;
      }
      groups.push({
        id, title, severity, severityCounts: severityCountsOf(counts),
        status: c?.status ?? 'fail',
        failed: open, waived,
        passed: c?.passed ?? 0,
        evaluated: c?.evaluated ?? fs.length,
        controls: c?.controls ?? fs[0].controls,
        remediation: c?.remediation ?? '',
        protectsAgainst: c?.protectsAgainst ?? '',
        rows: smallest(shown, maxRows, compareFindings).map((f) => rowOf(f, idx, severity)),
        more: Math.max(0, shown.length - maxRows),
        folded: folded.length,
        // Open folded findings by severity; waived ones are counted apart (never as open or by severity).
        foldedCounts: severityCountsOf(folded.reduce((acc, f) => { if (!f.waived) acc[f.severity]++; return acc; }, zeroSeverities())),
        foldedWaived: folded.filter((f) => f.waived).length,
        foldedUnder: [...new Set(folded.map((f) => causeText(f, idx)))].sort().slice(0, 5),
        open: open > 0 && (severity === 'critical' || severity === 'high'),
      });
    }
    groups.sort((a, b) => (SEV_RANK[a.severity] - SEV_RANK[b.severity]) || (b.failed - a.failed) || a.id.localeCompare(b.id, 'en'));
    foldedGroups.sort((a, b) => (SEV_RANK[a.severity] - SEV_RANK[b.severity]) || a.id.localeCompare(b.id, 'en'));
    const sc = card(area, AREA_LABEL[area], report.score.areas[area], diff?.scoreDelta.areas[area], checkCoverage(report.checks, area));
    const sum = (list: Array<{ failed: number; waived: number }>, k: 'failed' | 'waived') => list.reduce((s, g) => s + g[k], 0);
    return {
      area, label: AREA_LABEL[area], score: sc.score, grade: sc.grade, gradeClass: sc.gradeClass, evaluated: report.score.areas[area] !== null,
      failed: sum(groups, 'failed') + sum(foldedGroups, 'failed'), waived: sum(groups, 'waived') + sum(foldedGroups, 'waived'),
      groups, foldedGroups, cleanChecks: clean,
    };
  });
}

function reachOf(f: Finding, implied: readonly Finding[]): { factor: number; text: string } {
  if (implied.length > 0) return { factor: 1, text: `${implied.length + 1} findings on this ${f.area === 'rbac' ? 'subject' : 'resource'}` };
  const reach = reachCount(f); // > 0 workloads, < 0 pods (src/run/spooled-finding.ts)
  if (reach === 0) return { factor: 1, text: '' };
  const v = Math.abs(reach);
  const [one, many] = reach > 0 ? ['workload', 'workloads'] : ['pod', 'pods'];
  return { factor: v, text: `${v.toLocaleString('en-US')} ${v === 1 ? one : many}` };
}

const PER_CHECK = 3;

/**
 * What to fix first: open findings that are not folded under another, ranked by severity ×
 * blast radius (the findings a fix removes, weighted, × the workloads or pods it reaches).
 * At most three per check (PER_CHECK, stated in the list's lede), so one noisy check does not
 * hide the rest; a check that reaches the cap says on its last item how many of its findings,
 * of which severities, the list leaves out (`more`).
 */
export function topFixes(report: RunReport, idx: FindingIndex, max: number): TopFix[] {
  type Scored = { f: Finding; rank: number; reach: string };
  const cmp = (a: Scored, b: Scored) => b.rank - a.rank || compareFindings(a.f, b.f);
  // The cap applies while selecting: each check's best three, kept in order as findings stream
  // by, so a check with more top-ranked findings than the list holds cannot crowd out the rest.
  const bestOf = new Map<string, Scored[]>();
  const eligible = new Map<string, Record<Severity, number>>();
  for (const f of report.findings) {
    if (f.waived || idx.isFolded(f)) continue;
    const bySeverity = eligible.get(f.check) ?? zeroSeverities();
    bySeverity[f.severity]++;
    eligible.set(f.check, bySeverity);
    const implied = (idx.implied.get(f.fingerprint) ?? []).filter((x) => !x.waived);
    const reach = reachOf(f, implied);
    const weight = SEVERITY_WEIGHT[f.severity] + implied.reduce((s, x) => s + SEVERITY_WEIGHT[x.severity], 0);
    const s: Scored = { f, rank: weight * reach.factor, reach: reach.text };
    const best = bestOf.get(f.check);
    if (!best) { bestOf.set(f.check, [s]); continue; }
    if (best.length === PER_CHECK && cmp(s, best[PER_CHECK - 1]) >= 0) continue;
    let i = best.length;
    while (i > 0 && cmp(s, best[i - 1]) < 0) i--;
    best.splice(i, 0, s);
    if (best.length > PER_CHECK) best.pop();
  }
  const out: TopFix[] = [];
  for (const s of smallest([...bestOf.values()].flat(), max, cmp)) {
    const c = idx.checkById.get(s.f.check);
    out.push({
      rank: out.length + 1, severity: s.f.severity, check: s.f.check, title: c?.title ?? s.f.check, resource: resourceText(s.f.resource),
      message: clip(s.f.message, 220),
      reach: s.reach, remediation: firstSentence(c?.remediation ?? ''), area: s.f.area,
    });
  }
  const shown = new Map<string, TopFix[]>();
  for (const t of out) shown.set(t.check, [...(shown.get(t.check) ?? []), t]);
  for (const [check, items] of shown) {
    if (items.length < PER_CHECK) continue;
    const left = { ...eligible.get(check)! };
    for (const t of items) left[t.severity]--;
    const bySeverity = SEVERITIES.filter((sev) => left[sev] > 0).map((sev) => ({ severity: sev, count: left[sev] }));
    const count = bySeverity.reduce((n, x) => n + x.count, 0);
    if (count > 0) items[items.length - 1]!.more = { count, bySeverity };
  }
  return out;
}
