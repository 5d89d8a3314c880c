// The report view-model: a pure function from report.json (+ trend, + previous run) to the
// plain data the templates print. Every number, label and cap is decided here, never in a
// template, and nothing here judges a result: verdicts, scores and the diff come as given.
import { AREAS, SEVERITIES, SEVERITY_WEIGHT, type Area, type Severity } from '../engine/types.ts';
import { gradeOf } from '../engine/score.ts';
import type { CheckSummary, Finding, RunReport, WaiverStatus } from './types.ts';

export interface TrendPoint {
  startedAt: string;
  overall: number | null;
  areas: Partial<Record<Area, number | null>>;
}

export interface ViewOptions {
  trend?: TrendPoint[];
  previous?: RunReport | null;
  /** Rows rendered per check group; the rest are counted ("N more in report.json"). */
  maxRowsPerGroup?: number;
  /** Rows rendered in the new / resolved lists of "changes since last run". */
  maxChangeRows?: number;
  /** Points drawn in the trend chart (the most recent ones). */
  maxTrendPoints?: number;
}

export const AREA_LABEL: Record<Area, string> = {
  network: 'Network segmentation',
  tls: 'TLS at the edge',
  rbac: 'RBAC breadth',
  'pod-security': 'Pod Security Admission',
  mtls: 'Service-mesh mTLS',
};

const FRAMEWORKS: Array<{ prefix: string; name: string; group: (control: string) => string }> = [
  { prefix: 'CIS', name: 'CIS Kubernetes Benchmark', group: (c) => `Section ${c.split('.').slice(0, 2).join('.')}` },
  { prefix: 'NSA-CISA', name: 'NSA/CISA Kubernetes Hardening Guide', group: (c) => c.split('/')[0] || c },
  { prefix: 'NIST-800-53', name: 'NIST SP 800-53 Rev. 5', group: (c) => `${c.split('-')[0]} family` },
  { prefix: 'NIST-800-207', name: 'NIST SP 800-207 Zero Trust Architecture', group: (c) => (/^T\d/.test(c) ? 'Tenets' : c.split(/[-/.]/)[0]) },
];

export interface ScoreCard {
  key: string;
  label: string;
  score: string;
  grade: string;
  gradeClass: string;
  delta: { text: string; cls: 'up' | 'down' | 'flat' } | null;
}

export interface EvidenceItem { key: string; value: string }

export interface FindingRow {
  severity: Severity;
  kind: string;
  namespace: string;
  name: string;
  message: string;
  evidence: EvidenceItem[];
  waived: boolean;
  waiver: { reason: string; owner: string; expires: string } | null;
  fingerprint: string;
  /** The result's severity differs from its check's (a per-result variant): shown on the row. */
  severityDiffers: boolean;
}

export interface CheckGroup {
  id: string;
  title: string;
  severity: Severity;
  status: string;
  failed: number;
  waived: number;
  passed: number;
  evaluated: number;
  controls: string[];
  remediation: string;
  rows: FindingRow[];
  more: number;
}

export interface AreaSection {
  area: Area;
  label: string;
  score: string;
  grade: string;
  gradeClass: string;
  failed: number;
  waived: number;
  /** Whether any result of this area was scored (false: the area shows n/a). */
  evaluated: boolean;
  groups: CheckGroup[];
  cleanChecks: Array<{ id: string; title: string; status: string; evaluated: number; reason: string }>;
}

export interface ResolvedRow { fingerprint: string; title: string; check: string; severity: Severity | ''; resource: string; message: string }

export interface TrendView {
  width: number;
  height: number;
  plotLeft: number;
  plotRight: number;
  plotTop: number;
  plotBottom: number;
  gridLines: Array<{ y: number; label: string }>;
  series: Array<{ key: string; label: string; cls: string; points: string }>;
  dots: Array<{ x: number; y: number; title: string }>;
  xLabels: Array<{ x: number; label: string }>;
  count: number;
}

export interface ControlRow { id: string; checks: string[]; failing: number; waived: number; cls: string; status: string }
export interface FrameworkView { name: string; prefix: string; groups: Array<{ name: string; controls: ControlRow[] }>; failingControls: number; totalControls: number }

export interface ReportView {
  title: string;
  cluster: { name: string; server: string; version: string };
  run: { id: string; startedAt: string; finishedAt: string; source: string; toolVersion: string; checkCatalogVersion: string };
  overall: ScoreCard;
  areas: ScoreCard[];
  totals: { findings: number; open: number; waived: number; checks: number; failingChecks: number; notEvaluated: number };
  severityCounts: Array<{ severity: Severity; count: number }>;
  changes: {
    hasPrevious: boolean;
    previousRunId: string;
    previousStartedAt: string;
    regression: boolean;
    /** The first few regression reasons; the rest sit in a collapsed list. */
    reasons: string[];
    moreReasons: string[];
    partial: boolean;
    notComparable: string[];
    persisting: number;
    newCount: number;
    resolvedCount: number;
    newRows: Array<FindingRow & { title: string; check: string }>;
    newMore: number;
    resolvedRows: ResolvedRow[];
    resolvedMore: number;
  };
  areaSections: AreaSection[];
  trend: TrendView | null;
  waivers: Array<WaiverStatus & { resourceText: string; stateLabel: string }>;
  coverage: {
    kinds: Array<{ kind: string; status: string; detail: string; count: string }>;
    gaps: Array<{ kind: string; status: string; detail: string }>;
    unevaluated: Array<{ id: string; title: string; status: string; reason: string }>;
    notes: string[];
    notesMore: number;
  };
  frameworks: FrameworkView[];
  methodology: {
    weights: Array<{ severity: Severity; weight: number }>;
    checkCatalogVersion: string;
    toolVersion: string;
    clusterVersion: string;
    source: string;
    checkCount: number;
  };
  limits: { maxRowsPerGroup: number };
}

const MAX_REASONS = 6;

const num = (n: number | null | undefined) => (n === null || n === undefined ? 'n/a' : n.toFixed(1).replace(/\.0$/, ''));

function deltaOf(d: number | null | undefined): ScoreCard['delta'] {
  if (d === null || d === undefined) return null;
  const r = Math.round(d * 10) / 10;
  if (r === 0) return { text: '±0', cls: 'flat' };
  return { text: `${r > 0 ? '+' : '−'}${num(Math.abs(r))}`, cls: r > 0 ? 'up' : 'down' };
}

function card(key: string, label: string, score: number | null, delta: number | null | undefined): ScoreCard {
  const grade = gradeOf(score);
  return { key, label, score: num(score), grade, gradeClass: grade === 'n/a' ? 'grade-na' : `grade-${grade.toLowerCase()}`, delta: deltaOf(delta) };
}

export function resourceText(r: { kind?: string; namespace?: string; name?: string }): string {
  const where = r.namespace ? `${r.namespace}/${r.name ?? '*'}` : (r.name ?? '*');
  return `${r.kind ?? '*'} ${where}`;
}

const MAX_EVIDENCE_KEYS = 12;
const MAX_EVIDENCE_CHARS = 400;

function evidenceOf(e: Record<string, unknown> | undefined): EvidenceItem[] {
  if (!e || typeof e !== 'object') return [];
  const out: EvidenceItem[] = [];
  for (const [key, value] of Object.entries(e)) {
    if (out.length >= MAX_EVIDENCE_KEYS) {
      out.push({ key: '…', value: `${Object.keys(e).length - MAX_EVIDENCE_KEYS} more fields in report.json` });
      break;
    }
    let text: string;
    try {
      text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
    } catch {
      text = String(value);
    }
    out.push({ key, value: text.length > MAX_EVIDENCE_CHARS ? `${text.slice(0, MAX_EVIDENCE_CHARS)}…` : text });
  }
  return out;
}

function rowOf(f: Finding): FindingRow {
  return {
    severity: f.severity,
    kind: f.resource.kind,
    namespace: f.resource.namespace ?? '',
    name: f.resource.name,
    message: f.message,
    evidence: evidenceOf(f.evidence),
    waived: f.waived,
    waiver: f.waiver ? { reason: f.waiver.reason, owner: f.waiver.owner, expires: f.waiver.expires } : null,
    fingerprint: f.fingerprint,
    severityDiffers: false,
  };
}

const SEV_RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };

/** Open before waived, then by severity, namespace, name: the order a reviewer works in. */
function compareFindings(a: Finding, b: Finding): number {
  return (Number(a.waived) - Number(b.waived)) || (SEV_RANK[a.severity] - SEV_RANK[b.severity])
    || (a.resource.namespace ?? '').localeCompare(b.resource.namespace ?? '') || a.resource.name.localeCompare(b.resource.name)
    || a.fingerprint.localeCompare(b.fingerprint);
}

/** Keeps the `limit` smallest items without sorting the whole list (groups can hold 50,000). */
function smallest<T>(items: readonly T[], limit: number, cmp: (a: T, b: T) => number): T[] {
  if (items.length <= limit * 4) return [...items].sort(cmp).slice(0, limit);
  const out: T[] = [];
  for (const it of items) {
    if (out.length < limit) {
      out.push(it);
      if (out.length === limit) out.sort(cmp);
      continue;
    }
    if (cmp(it, out[limit - 1]) >= 0) continue;
    let lo = 0, hi = limit - 1;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (cmp(it, out[mid]) < 0) hi = mid; else lo = mid + 1; }
    out.splice(lo, 0, it);
    out.pop();
  }
  return out;
}

function trendView(points: TrendPoint[], report: RunReport, maxPoints: number): TrendView | null {
  const all = [...points];
  if (!all.some((p) => p.startedAt === report.run.startedAt)) {
    all.push({ startedAt: report.run.startedAt, overall: report.score.overall, areas: report.score.areas });
  }
  all.sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
  const pts = all.slice(-maxPoints);
  if (pts.length < 2) return null;
  const width = 760, height = 220, plotLeft = 44, plotRight = width - 16, plotTop = 14, plotBottom = height - 30;
  const x = (i: number) => Math.round((plotLeft + ((plotRight - plotLeft) * i) / (pts.length - 1)) * 10) / 10;
  const y = (v: number) => Math.round((plotBottom - ((plotBottom - plotTop) * Math.max(0, Math.min(100, v))) / 100) * 10) / 10;
  const line = (get: (p: TrendPoint) => number | null | undefined) =>
    pts.map((p, i) => { const v = get(p); return v === null || v === undefined ? null : `${x(i)},${y(v)}`; }).filter((s) => s !== null).join(' ');
  const series = [
    { key: 'overall', label: 'Overall', cls: 'series-overall', points: line((p) => p.overall) },
    ...AREAS.map((a) => ({ key: a, label: AREA_LABEL[a], cls: `series-${a}`, points: line((p) => p.areas?.[a]) })),
  ].filter((s) => s.points.includes(' '));
  const dots = pts.flatMap((p, i) => (p.overall === null ? [] : [{ x: x(i), y: y(p.overall), title: `${p.startedAt.slice(0, 16).replace('T', ' ')} UTC — overall ${num(p.overall)}` }]));
  const step = Math.max(1, Math.ceil(pts.length / 8));
  const xLabels = pts.flatMap((p, i) => (i % step === 0 || i === pts.length - 1 ? [{ x: x(i), label: p.startedAt.slice(5, 10) }] : []));
  const gridLines = [0, 25, 50, 75, 100].map((v) => ({ y: y(v), label: String(v) }));
  return { width, height, plotLeft, plotRight, plotTop, plotBottom, gridLines, series, dots, xLabels, count: pts.length };
}

function frameworksOf(report: RunReport): FrameworkView[] {
  // control -> checks, failing and waived counts. Every check contributes its controls, so a
  // control whose checks all passed is shown as covered.
  const byControl = new Map<string, { checks: Set<string>; failing: number; waived: number }>();
  const touch = (control: string, check: string) => {
    let e = byControl.get(control);
    if (!e) byControl.set(control, (e = { checks: new Set(), failing: 0, waived: 0 }));
    e.checks.add(check);
    return e;
  };
  for (const c of report.checks) {
    for (const ctl of c.controls) touch(ctl, c.id);
  }
  const seen = new Set<string>();
  for (const f of report.findings) {
    for (const ctl of f.controls) {
      const e = touch(ctl, f.check);
      if (f.waived) e.waived++; else e.failing++;
    }
    seen.add(f.check);
  }
  const out: FrameworkView[] = [];
  for (const fw of FRAMEWORKS) {
    const groups = new Map<string, ControlRow[]>();
    for (const [id, e] of byControl) {
      const colon = id.indexOf(':');
      const prefix = colon < 0 ? id : id.slice(0, colon);
      if (prefix !== fw.prefix && !prefix.startsWith(`${fw.prefix}-`)) continue;
      const local = colon < 0 ? id : id.slice(colon + 1);
      const g = fw.group(local);
      const status = e.failing > 0 ? 'failing' : e.waived > 0 ? 'waived only' : 'no open findings';
      const cls = e.failing > 0 ? 'ctl-fail' : e.waived > 0 ? 'ctl-waived' : 'ctl-ok';
      const list = groups.get(g) ?? [];
      list.push({ id, checks: [...e.checks].sort(), failing: e.failing, waived: e.waived, cls, status });
      groups.set(g, list);
    }
    if (groups.size === 0) continue;
    const sorted = [...groups.entries()].sort((a, b) => a[0].localeCompare(b[0], 'en', { numeric: true }))
      .map(([name, controls]) => ({ name, controls: controls.sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true })) }));
    const all = sorted.flatMap((g) => g.controls);
    out.push({ name: fw.name, prefix: fw.prefix, groups: sorted, failingControls: all.filter((c) => c.failing > 0).length, totalControls: all.length });
  }
  return out;
}

const STATE_LABEL: Record<WaiverStatus['state'], string> = {
  active: 'active', 'expiring-soon': 'expiring soon', expired: 'expired', unmatched: 'matches nothing',
};

export function buildView(report: RunReport, opts: ViewOptions = {}): ReportView {
  const maxRows = opts.maxRowsPerGroup ?? 50;
  const maxChange = opts.maxChangeRows ?? 100;
  const diff = report.diff;

  const byCheck = new Map<string, Finding[]>();
  const byFingerprint = new Map<string, Finding>();
  const sevCount: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0 };
  let waived = 0;
  for (const f of report.findings) {
    const list = byCheck.get(f.check);
    if (list) list.push(f); else byCheck.set(f.check, [f]);
    byFingerprint.set(f.fingerprint, f);
    if (f.waived) waived++; else sevCount[f.severity]++;
  }
  const checkById = new Map(report.checks.map((c) => [c.id, c]));

  const areaSections: AreaSection[] = AREAS.map((area) => {
    const checks = report.checks.filter((c) => c.area === area);
    const groups: CheckGroup[] = [];
    const clean: AreaSection['cleanChecks'] = [];
    // Findings whose check is missing from `checks` still get a group (defensive: never drop a finding).
    const ids = [...new Set([...checks.map((c) => c.id), ...[...byCheck.keys()].filter((id) => byCheck.get(id)![0].area === area && !checkById.has(id))])];
    for (const id of ids) {
      const c = checkById.get(id);
      const fs = byCheck.get(id) ?? [];
      if (fs.length === 0) {
        if (c) clean.push({ id: c.id, title: c.title, status: c.status, evaluated: c.evaluated, reason: c.reason ?? '' });
        continue;
      }
      const first = fs[0];
      const severity = c?.severity ?? first.severity;
      groups.push({
        id,
        title: c?.title ?? id,
        severity,
        status: c?.status ?? 'fail',
        failed: c?.failed ?? fs.filter((f) => !f.waived).length,
        waived: c?.waived ?? fs.filter((f) => f.waived).length,
        passed: c?.passed ?? 0,
        evaluated: c?.evaluated ?? fs.length,
        controls: c?.controls ?? first.controls,
        remediation: c?.remediation ?? '',
        rows: smallest(fs, maxRows, compareFindings).map((f) => ({ ...rowOf(f), severityDiffers: f.severity !== severity })),
        more: Math.max(0, fs.length - maxRows),
      });
    }
    groups.sort((a, b) => (SEV_RANK[a.severity] - SEV_RANK[b.severity]) || (b.failed - a.failed) || a.id.localeCompare(b.id));
    const sc = card(area, AREA_LABEL[area], report.score.areas[area], diff?.scoreDelta.areas[area]);
    return {
      area, label: AREA_LABEL[area], score: sc.score, grade: sc.grade, gradeClass: sc.gradeClass, evaluated: report.score.areas[area] !== null,
      failed: groups.reduce((s, g) => s + g.failed, 0), waived: groups.reduce((s, g) => s + g.waived, 0), groups, cleanChecks: clean,
    };
  });

  // Changes since the last run.
  const newFindings: Finding[] = [];
  for (const fp of diff?.new ?? []) { const f = byFingerprint.get(fp); if (f) newFindings.push(f); }
  const newRows = smallest(newFindings, maxChange, compareFindings).map((f) => ({ ...rowOf(f), title: checkById.get(f.check)?.title ?? f.check, check: f.check }));
  const prevByFp = new Map<string, Finding>();
  const prevTitles = new Map<string, string>();
  if (opts.previous) {
    for (const f of opts.previous.findings) prevByFp.set(f.fingerprint, f);
    for (const c of opts.previous.checks) prevTitles.set(c.id, c.title);
  }
  const resolvedAll = diff?.resolved ?? [];
  const resolvedRows: ResolvedRow[] = resolvedAll.slice(0, maxChange).map((fp) => {
    const f = prevByFp.get(fp);
    if (!f) return { fingerprint: fp, title: 'details are in the previous run', check: '', severity: '', resource: '', message: '' };
    return {
      fingerprint: fp, title: prevTitles.get(f.check) ?? checkById.get(f.check)?.title ?? f.check, check: f.check,
      severity: f.severity, resource: resourceText(f.resource), message: f.message,
    };
  });
  resolvedRows.sort((a, b) => (a.severity === '' ? 9 : SEV_RANK[a.severity]) - (b.severity === '' ? 9 : SEV_RANK[b.severity]) || a.check.localeCompare(b.check));

  const unevaluated = report.checks.filter((c) => c.status === 'not-evaluated' || c.status === 'error' || c.status === 'not-applicable')
    .map((c) => ({ id: c.id, title: c.title, status: c.status, reason: c.reason ?? '' }));
  const kinds = Object.entries(report.run.coverage).sort((a, b) => a[0].localeCompare(b[0]))
    .map(([kind, e]) => ({ kind, status: e.status, detail: e.detail ?? '', count: e.count === undefined ? '' : String(e.count) }));
  const NOTES_CAP = 50;

  return {
    title: `Zero-trust compliance report — ${report.run.cluster.name}`,
    cluster: { name: report.run.cluster.name, server: report.run.cluster.server ?? '', version: report.run.cluster.version ?? 'unknown' },
    run: {
      id: report.run.id, startedAt: report.run.startedAt, finishedAt: report.run.finishedAt, source: report.run.source,
      toolVersion: report.run.toolVersion, checkCatalogVersion: report.run.checkCatalogVersion,
    },
    overall: card('overall', 'Overall', report.score.overall, diff?.scoreDelta.overall),
    areas: AREAS.map((a) => card(a, AREA_LABEL[a], report.score.areas[a], diff?.scoreDelta.areas[a])),
    totals: {
      findings: report.findings.length, open: report.findings.length - waived, waived,
      checks: report.checks.length, failingChecks: report.checks.filter((c) => c.status === 'fail').length,
      notEvaluated: unevaluated.filter((u) => u.status !== 'not-applicable').length,
    },
    severityCounts: SEVERITIES.map((s) => ({ severity: s, count: sevCount[s] })),
    changes: {
      hasPrevious: diff !== null,
      previousRunId: diff?.previousRunId ?? '',
      previousStartedAt: diff?.previousStartedAt ?? '',
      regression: diff?.regression ?? false,
      reasons: (diff?.regressionReasons ?? []).slice(0, MAX_REASONS),
      moreReasons: (diff?.regressionReasons ?? []).slice(MAX_REASONS),
      partial: diff?.partial ?? false,
      notComparable: diff?.notComparable ?? [],
      persisting: diff?.persisting ?? 0,
      newCount: diff?.new.length ?? 0,
      resolvedCount: resolvedAll.length,
      newRows,
      newMore: Math.max(0, newFindings.length - newRows.length),
      resolvedRows,
      resolvedMore: Math.max(0, resolvedAll.length - resolvedRows.length),
    },
    areaSections,
    trend: opts.trend && opts.trend.length > 0 ? trendView(opts.trend, report, opts.maxTrendPoints ?? 90) : null,
    waivers: [...report.waivers]
      .sort((a, b) => ['expired', 'expiring-soon', 'unmatched', 'active'].indexOf(a.state) - ['expired', 'expiring-soon', 'unmatched', 'active'].indexOf(b.state) || a.expires.localeCompare(b.expires))
      .map((w) => ({ ...w, resourceText: resourceText(w.resource), stateLabel: STATE_LABEL[w.state] })),
    coverage: {
      kinds,
      gaps: kinds.filter((k) => k.status !== 'ok'),
      unevaluated,
      notes: report.run.notes.slice(0, NOTES_CAP),
      notesMore: Math.max(0, report.run.notes.length - NOTES_CAP),
    },
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

/** New findings of the current run, most severe first (for notifiers; they never re-diff). */
export function newFindingsOf(report: RunReport): Finding[] {
  if (!report.diff) return [];
  const set = new Set(report.diff.new);
  return report.findings.filter((f) => set.has(f.fingerprint) && !f.waived).sort(compareFindings);
}
