// The report view-model: a pure function from report.json (+ trend, + previous run) to the
// plain data the templates print. Every number, label and cap is decided here, never in a
// template, and nothing here judges a result: verdicts, scores and the diff come as given.
import { AREAS, SEVERITIES, SEVERITY_WEIGHT, type Area, type Severity } from '../base/vocabulary.ts';
import { checkCoverage, gradeFor, gradeOf, notEvaluated, type CheckCoverage } from '../engine/score.ts';
import type { CheckSummary, Finding, RunDiff, RunReport, TrendPoint, WaiverStatus } from '../run/types.ts';

export type { TrendPoint };

export interface ViewOptions {
  trend?: TrendPoint[];
  previous?: RunReport | null;
  /** Rows rendered per check group; the rest are counted ("N more in report.json"). */
  maxRowsPerGroup?: number;
  /** Rows rendered in the new / resolved lists of "changes since last run". */
  maxChangeRows?: number;
  /** Points drawn in the trend chart (the most recent ones). */
  maxTrendPoints?: number;
  /** Rows in each posture table (mTLS, exposure); the RBAC list shows POSTURE_TOP_SUBJECTS. */
  maxPostureRows?: number;
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
  /** "7 of 9 checks evaluated" when some were not (then there is no grade); else empty. */
  share: string;
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
  /** What this run could not read (report.run.partial); empty when complete. */
  partial: string[];
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
  posture: PostureView;
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

function card(key: string, label: string, score: number | null, delta: number | null | undefined, cov?: CheckCoverage): ScoreCard {
  const grade = cov ? gradeFor(score, cov) : gradeOf(score);
  const share = cov && notEvaluated(cov) > 0 ? `${cov.evaluated} of ${cov.applicable} checks evaluated` : '';
  return { key, label, score: num(score), grade, gradeClass: grade === 'n/a' ? 'grade-na' : `grade-${grade.toLowerCase()}`, delta: deltaOf(delta), share };
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
  if (!all.some((p) => p.id === report.run.id)) {
    all.push({ id: report.run.id, startedAt: report.run.startedAt, overall: report.score.overall, areas: report.score.areas });
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

// ---- Posture: RBAC breadth, mTLS modes and exposure from report.details ------------------

/** Subjects listed in the RBAC breadth table. */
export const POSTURE_TOP_SUBJECTS = 10;
/** Rows in the mTLS and exposure tables; the rest are counted. */
export const POSTURE_MAX_ROWS = 50;
/** External paths listed per exposed workload; the rest are counted on the row. */
const POSTURE_MAX_PATHS = 4;

export interface BreadthRow {
  rank: number;
  kind: string;
  namespace: string;
  name: string;
  breadth: string;
  /** Bar length relative to the broadest subject, 0-100. */
  barPercent: number;
  growth: { before: string; after: string; percent: string } | null;
}

export interface MeshModeBar {
  key: string;
  label: string;
  count: number;
  percent: string;
  /** good: mTLS/authenticated only; warn: also admits plaintext (PERMISSIVE, cluster-unauthenticated); bad: plaintext from anyone; none: outside the mesh. */
  cls: 'good' | 'warn' | 'bad' | 'none';
  /** Segment geometry in a 0-1000 wide SVG. */
  x: number;
  width: number;
}

export interface MeshRow {
  kind: string;
  namespace: string;
  name: string;
  mesh: string;
  mode: string;
  cls: MeshModeBar['cls'];
  /** Port-level modes that differ from the workload's, e.g. "8080: PERMISSIVE". */
  ports: string;
}

export interface ExposurePathRow { via: string; through: string; ports: string; policy: string; blocked: boolean }

export interface ExposureRow {
  kind: string;
  namespace: string;
  name: string;
  podCount: string;
  paths: ExposurePathRow[];
  pathsMore: number;
  fromAllNamespaces: boolean;
}

export interface PostureView {
  rbac: { omitted: string; rows: BreadthRow[]; listed: number; growthElsewhere: number };
  mtls: {
    omitted: string;
    total: number;
    secure: number;
    securePercent: string;
    bars: MeshModeBar[];
    rows: MeshRow[];
    notStrict: number;
    more: number;
  };
  exposure: {
    omitted: string;
    total: number;
    external: number;
    fromAllNamespaces: number;
    via: Array<{ via: string; count: number }>;
    rows: ExposureRow[];
    more: number;
  };
}

const RBAC_KINDS = ['roles', 'clusterroles', 'rolebindings', 'clusterrolebindings'];
const MESH_KINDS = ['pods', 'namespaces'];
const NETWORK_KINDS = ['pods', 'namespaces', 'networkpolicies', 'services', 'ingresses'];

function record(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : '');
const finite = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const refOf = (v: unknown) => { const r = record(v); return { kind: text(r.kind), namespace: text(r.namespace), name: text(r.name) }; };
const refKey = (r: { kind: string; namespace: string; name: string }) => `${r.kind}\u0000${r.namespace}\u0000${r.name}`;
const byRef = (a: { kind: string; namespace: string; name: string }, b: { kind: string; namespace: string; name: string }) =>
  a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name) || a.kind.localeCompare(b.kind);

/** Why a details part is absent: the kinds it needs that were not collected, or that it was not computed. */
function absentBecause(report: RunReport, kinds: string[], what: string, otherwise: string): string {
  const missing = kinds.flatMap((k) => {
    const c = report.run.coverage[k];
    return c?.status === 'ok' ? [] : [`${k}: ${c?.status ?? 'not collected'}`];
  });
  return missing.length > 0 ? `${what} were not collected (${missing.join(', ')}).` : otherwise;
}

const pct = (part: number, whole: number) => (whole > 0 ? `${num(Math.round((1000 * part) / whole) / 10)}%` : '0%');

function breadthPosture(report: RunReport): PostureView['rbac'] {
  const list = report.details?.rbac?.breadth;
  if (!Array.isArray(list)) {
    return { omitted: absentBecause(report, RBAC_KINDS, 'RBAC kinds', 'RBAC breadth was not computed for this run.'), rows: [], listed: 0, growthElsewhere: 0 };
  }
  const entries = list.flatMap((e) => {
    const breadth = finite(record(e).breadth);
    return breadth === null ? [] : [{ ...refOf(record(e).subject), breadth }];
  });
  const top = smallest(entries, POSTURE_TOP_SUBJECTS, (a, b) => b.breadth - a.breadth || byRef(a, b));
  const growth = new Map<string, RunDiff['breadthGrowth'][number]>();
  for (const g of report.diff?.breadthGrowth ?? []) growth.set(refKey(refOf(g.subject)), g);
  const max = top.length > 0 ? top[0].breadth : 0;
  const rows = top.map((e, i): BreadthRow => {
    const g = growth.get(refKey(e));
    return {
      rank: i + 1, kind: e.kind, namespace: e.namespace, name: e.name, breadth: e.breadth.toLocaleString('en-US'),
      barPercent: max > 0 ? Math.max(1, Math.round((100 * e.breadth) / max)) : 0,
      growth: g ? { before: g.before.toLocaleString('en-US'), after: g.after.toLocaleString('en-US'), percent: `+${num(g.growthPercent)}%` } : null,
    };
  });
  const shown = new Set(top.map(refKey));
  const growthElsewhere = [...growth.keys()].filter((k) => !shown.has(k)).length;
  return { omitted: '', rows, listed: entries.length, growthElsewhere };
}

const LINKERD_AUTHENTICATED = new Set(['all-authenticated', 'cluster-authenticated', 'deny']);

/** A mode's class and its order in the bar (secure first) and in the table (worst first). */
function modeClass(mode: string): { cls: MeshModeBar['cls']; bar: number; worst: number } {
  if (mode === 'STRICT') return { cls: 'good', bar: 0, worst: 9 };
  if (mode.startsWith('linkerd:')) {
    const p = mode.slice('linkerd:'.length);
    if (LINKERD_AUTHENTICATED.has(p)) return { cls: 'good', bar: 1, worst: 9 };
    return { cls: p === 'cluster-unauthenticated' ? 'warn' : 'bad', bar: p === 'cluster-unauthenticated' ? 3 : 5, worst: p === 'cluster-unauthenticated' ? 3 : 2 };
  }
  if (mode === 'PERMISSIVE') return { cls: 'warn', bar: 2, worst: 4 };
  if (mode === 'DISABLE') return { cls: 'bad', bar: 4, worst: 0 };
  return { cls: 'none', bar: 6, worst: 1 };
}

const MODE_LABEL: Record<string, string> = { STRICT: 'STRICT', PERMISSIVE: 'PERMISSIVE', DISABLE: 'DISABLE', none: 'outside the mesh' };

function meshPosture(report: RunReport, maxRows: number): PostureView['mtls'] {
  const list = report.details?.mtls?.workloads;
  const empty = { total: 0, secure: 0, securePercent: '0%', bars: [], rows: [], notStrict: 0, more: 0 };
  if (!Array.isArray(list)) {
    return { ...empty, omitted: absentBecause(report, MESH_KINDS, 'Pods or namespaces', 'No service mesh (Istio or Linkerd) was found, so no workload has an mTLS mode.') };
  }
  const counts = new Map<string, number>([['STRICT', 0], ['PERMISSIVE', 0], ['DISABLE', 0], ['none', 0]]);
  const flagged: Array<MeshRow & { worst: number }> = [];
  let secure = 0;
  for (const raw of list) {
    const e = record(raw);
    const mode = text(e.mode) || 'none';
    counts.set(mode, (counts.get(mode) ?? 0) + 1);
    const mc = modeClass(mode);
    // Port-level modes that weaken a STRICT workload put it in the table too.
    const ports = Object.entries(record(e.ports)).map(([p, m]) => [p, text(m)] as const).filter(([, m]) => m !== mode && m !== 'STRICT');
    if (mc.cls === 'good' && ports.length === 0) { secure++; continue; }
    flagged.push({
      ...refOf(e.workload), mesh: text(e.mesh) || 'none', mode: MODE_LABEL[mode] ?? mode, cls: mc.cls,
      ports: ports.sort((a, b) => a[0].localeCompare(b[0], 'en', { numeric: true })).map(([p, m]) => `${p}: ${m}`).join(', '),
      worst: mc.cls === 'good' ? 5 : mc.worst,
    });
  }
  const total = list.length;
  let x = 0;
  const bars = [...counts.entries()]
    .sort((a, b) => modeClass(a[0]).bar - modeClass(b[0]).bar || a[0].localeCompare(b[0]))
    .map(([key, count]): MeshModeBar => {
      const width = total > 0 ? Math.round((1000 * count) / total * 10) / 10 : 0;
      const bar = { key, label: MODE_LABEL[key] ?? key, count, percent: pct(count, total), cls: modeClass(key).cls, x: Math.round(x * 10) / 10, width };
      x += width;
      return bar;
    });
  const rows = smallest(flagged, maxRows, (a, b) => a.worst - b.worst || byRef(a, b)).map(({ worst: _w, ...r }) => r);
  return { omitted: '', total, secure, securePercent: pct(secure, total), bars, rows, notStrict: flagged.length, more: flagged.length - rows.length };
}

function exposurePosture(report: RunReport, maxRows: number): PostureView['exposure'] {
  const list = report.details?.network?.exposure;
  if (!Array.isArray(list)) {
    return {
      omitted: absentBecause(report, NETWORK_KINDS, 'Network kinds', 'Network exposure was not computed for this run.'),
      total: 0, external: 0, fromAllNamespaces: 0, via: [], rows: [], more: 0,
    };
  }
  const viaCount = new Map<string, number>();
  let external = 0, fromAll = 0;
  const all = list.map((raw) => {
    const e = record(raw);
    const paths = (Array.isArray(e.external) ? e.external : []).map((p): ExposurePathRow => {
      const r = record(p);
      const through = refOf(r.through);
      const allowed = r.allowedByPolicy;
      return {
        via: text(r.via) || 'unknown', through: resourceText(through), ports: text(r.ports),
        policy: allowed === true ? 'admitted by NetworkPolicy' : allowed === false ? 'blocked by NetworkPolicy'
          : r.via === 'Ingress' ? 'through the ingress controller' : 'NetworkPolicy not evaluated',
        blocked: allowed === false,
      };
    });
    const open = paths.filter((p) => !p.blocked);
    if (open.length > 0) external++;
    for (const v of new Set(open.map((p) => p.via))) viaCount.set(v, (viaCount.get(v) ?? 0) + 1);
    const allNs = e.fromAllNamespaces === true;
    if (allNs) fromAll++;
    paths.sort((a, b) => Number(a.blocked) - Number(b.blocked) || a.via.localeCompare(b.via) || a.through.localeCompare(b.through));
    const pods = finite(e.podCount);
    return { ...refOf(e.workload), podCount: pods === null ? '' : pods.toLocaleString('en-US'), paths, fromAllNamespaces: allNs, rank: open.length > 0 ? 0 : allNs ? 1 : 2 };
  });
  const top = smallest(all, maxRows, (a, b) => a.rank - b.rank || byRef(a, b));
  const rows = top.map(({ rank: _r, paths, ...r }): ExposureRow => ({ ...r, paths: paths.slice(0, POSTURE_MAX_PATHS), pathsMore: Math.max(0, paths.length - POSTURE_MAX_PATHS) }));
  const via = ['LoadBalancer', 'NodePort', 'Ingress', ...[...viaCount.keys()].filter((v) => !['LoadBalancer', 'NodePort', 'Ingress'].includes(v)).sort()]
    .map((v) => ({ via: v, count: viaCount.get(v) ?? 0 }));
  return { omitted: '', total: all.length, external, fromAllNamespaces: fromAll, via, rows, more: all.length - rows.length };
}

function postureOf(report: RunReport, maxRows: number): PostureView {
  return { rbac: breadthPosture(report), mtls: meshPosture(report, maxRows), exposure: exposurePosture(report, maxRows) };
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
    const sc = card(area, AREA_LABEL[area], report.score.areas[area], diff?.scoreDelta.areas[area], checkCoverage(report.checks, area));
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
    overall: card('overall', 'Overall', report.score.overall, diff?.scoreDelta.overall, checkCoverage(report.checks)),
    areas: AREAS.map((a) => card(a, AREA_LABEL[a], report.score.areas[a], diff?.scoreDelta.areas[a], checkCoverage(report.checks, a))),
    partial: report.run.partial ?? [],
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

/** New findings of the current run, most severe first (for notifiers; they never re-diff). */
export function newFindingsOf(report: RunReport): Finding[] {
  if (!report.diff) return [];
  const set = new Set(report.diff.new);
  return report.findings.filter((f) => set.has(f.fingerprint) && !f.waived).sort(compareFindings);
}
