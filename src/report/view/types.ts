// The report view-model's shape: plain data the templates print. Every number, label and cap
// is decided by the builders beside this file, never in a template.
import type { Area, Severity } from '../../base/vocabulary.ts';
import type { CarriedFindings, RunReport, TrendPoint, WaiverStatus } from '../../run/types.ts';

export type { TrendPoint };

/** Why a stored run's previous run is not at hand: evicted, or stored but unreadable. */
export type PreviousMissing = 'evicted' | 'unreadable';

export interface ViewOptions {
  trend?: TrendPoint[];
  /** The run keeps no history (--history none): nothing stored, nothing compared; the changes section says so. */
  historyOff?: boolean;
  previous?: RunReport | null;
  /**
   * Why `previous` is missing when the run's diff names a previous run: the store no longer holds
   * it (retention evicted it), or holds it but cannot read it. Either way what that run alone said is not at hand.
   */
  previousMissing?: PreviousMissing;
  /** Rows rendered per check group; the rest are counted ("N more in report.json"). */
  maxRowsPerGroup?: number;
  /** Rows rendered in the new / resolved lists of "changes since last run". */
  maxChangeRows?: number;
  /** Points drawn in the trend chart (the most recent ones). */
  maxTrendPoints?: number;
  /** Rows in each posture table (mTLS, exposure); the RBAC list shows POSTURE_TOP_SUBJECTS. */
  maxPostureRows?: number;
  /** Entries in "what to fix first". */
  maxTopFixes?: number;
  /** The open findings of the checks the run could not evaluate, by the run that last evaluated them (Baseline.carried). */
  carried?: readonly CarriedFindings[];
}

export interface ScoreCard {
  key: string;
  label: string;
  score: string;
  grade: string;
  gradeClass: string;
  delta: { text: string; cls: 'up' | 'down' | 'flat' } | null;
  /** "7 of 9 checks evaluated" when some were not (then there is no grade); else empty. */
  share: string;
  /**
   * "namespace shop not judged" when checks of the area could not judge namespaces (their
   * Namespace objects not in the input: CheckSummary.unjudgedNamespaces): the grade is over the
   * others alone. Absent otherwise.
   */
  notJudged?: string;
  /**
   * Its checks judged without some best-effort input that could not be read
   * (CheckSummary.degraded): "score computed on partial input: limitranges could not be read"
   * (partialInputNote). Absent otherwise.
   */
  partialInput?: string;
}

/** One evidence field, rendered as text, a list of values, a table or nested fields. */
export interface EvidenceField {
  label: string;
  text?: string;
  list?: string[];
  table?: { columns: string[]; rows: string[][] };
  fields?: Array<{ label: string; text: string }>;
  /** Items left out of a list or table ("N more in report.json"). */
  more: number;
}

export interface ImpliedRow {
  check: string; title: string; severity: Severity;
  /** Waived: marked as such in the list, with its waiver. */
  waived: boolean;
  waiver: { reason: string; owner: string; expires: string } | null;
}

export interface FindingRow {
  severity: Severity;
  kind: string;
  namespace: string;
  name: string;
  message: string;
  evidence: EvidenceField[];
  waived: boolean;
  waiver: { reason: string; owner: string; expires: string } | null;
  fingerprint: string;
  /** The result's severity differs from its group's headline severity: shown on the row. */
  severityDiffers: boolean;
  /** Narrower findings on the same resource that this one implies (folded under it). */
  implies: ImpliedRow[];
  /** How many of `implies` are waived. */
  impliesWaived: number;
}

export interface SeverityCount { severity: Severity; count: number }

/** A run's open count of one severity, with those its checks not evaluated carry (report/counts.ts). */
export interface RunSeverityCount extends SeverityCount {
  /** Open findings of that severity in checks not evaluated, as last evaluated; 0 when none. */
  carried: number;
  /** "0 (+6)", or "13" when none carried (severityCountText). */
  text: string;
}

/** The open findings of checks a run could not evaluate, from the run that last evaluated them (RenderOptions.carried). */
export interface CarriedView {
  runId: string;
  /** How many open findings that run carries in all. */
  total: number;
  /** The most severe first, at most CARRIED_ROWS. */
  rows: Array<{ severity: Severity; check: string; title: string; kind: string; namespace: string; name: string; message: string }>;
  /** Those not listed (report.sarif lists them all). */
  more: number;
  /** Findings of namespaces this run could not judge (RunDiff.notJudged), not of checks it could not evaluate. */
  notJudged: boolean;
}

export interface CheckGroup {
  id: string;
  title: string;
  /** The highest open severity among its findings (the highest waived one when all are waived). */
  severity: Severity;
  /** Open findings per severity, most severe first, zero counts left out. */
  severityCounts: SeverityCount[];
  status: string;
  failed: number;
  waived: number;
  passed: number;
  evaluated: number;
  controls: string[];
  remediation: string;
  protectsAgainst: string;
  rows: FindingRow[];
  more: number;
  /** Findings left out of the rows because a broader finding implies them. */
  folded: number;
  /** The open folded findings per severity (waived ones are in `foldedWaived`). */
  foldedCounts: SeverityCount[];
  /** Folded findings that are waived. */
  foldedWaived: number;
  foldedUnder: string[];
  /** Critical and high groups start open. */
  open: boolean;
}

/** A check whose every finding follows from a broader one: one line instead of a group. */
export interface FoldedGroup {
  id: string;
  title: string;
  severity: Severity;
  severityCounts: SeverityCount[];
  failed: number;
  waived: number;
  causes: string[];
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
  foldedGroups: FoldedGroup[];
  cleanChecks: Array<{ id: string; title: string; status: string; evaluated: number; reason: string }>;
}

export interface TopFix {
  rank: number;
  severity: Severity;
  check: string;
  title: string;
  resource: string;
  /** The finding's message, clipped to one reading line. */
  message: string;
  /** What the fix reaches, e.g. "11 findings on this subject", "3 pods". */
  reach: string;
  remediation: string;
  area: Area;
  /** On a check's last item when the three-per-check cap left some of its open findings out: how many, by severity. */
  more?: { count: number; bySeverity: Array<{ severity: Severity; count: number }> };
}

export interface ResolvedRow { fingerprint: string; title: string; check: string; severity: Severity | ''; resource: string; message: string }

export interface ScoreCauseRow { text: string; points: string; cls: 'up' | 'down' | 'flat' }

/** One check's causes in an area's score change, with the points they add up to. */
export interface ScoreCauseCheck { check: string; title: string; causes: ScoreCauseRow[]; points: string; cls: 'up' | 'down' | 'flat' }

export interface AreaChangeView {
  area: Area;
  label: string;
  before: string;
  after: string;
  delta: string;
  cls: 'up' | 'down' | 'flat';
  /** The causes carry points: false when the delta is n/a (the two scores do not weigh the same checks). */
  weighed: boolean;
  checks: ScoreCauseCheck[];
  /** The causes' points added up, as shown (equals delta). */
  sum: string;
}

export interface TrendView {
  width: number;
  height: number;
  plotLeft: number;
  plotRight: number;
  plotTop: number;
  plotBottom: number;
  gridLines: Array<{ y: number; label: string }>;
  /**
   * A polyline's points per stretch of complete runs with a score (a run without one, or a
   * partial run, breaks the line; a lone point is a zero-length segment, not drawn: loneDots draws it).
   */
  series: Array<{ key: string; label: string; cls: string; segments: Array<{ points: string; lone: boolean }> }>;
  /** The overall score's points of complete runs (filled, cls ''), and a hollow marker of every series at each partial run (cls: the series'). */
  dots: Array<{ x: number; y: number; title: string; partial: boolean; cls: string }>;
  /**
   * A series' point between breaks (partial runs, runs without a score), as a dot drawn over the
   * overall markers, in series order, each series' smaller than the one before (r): where
   * scores nearly coincide (RBAC 69.7 and mTLS 69.1 beside overall 67.4) every series still shows.
   */
  loneDots: Array<{ x: number; y: number; r: number; title: string; cls: string }>;
  xLabels: Array<{ x: number; label: string }>;
  count: number;
  /** Points of partial runs (drawn hollow). */
  partialCount: number;
}

export type ControlStatus = 'fail' | 'waived' | 'pass' | 'not-evaluated';

export interface ControlRow {
  id: string;
  /** The control id without its framework prefix, e.g. 5.1.1. */
  local: string;
  checks: Array<{ id: string; status: string }>;
  failing: number;
  waived: number;
  status: ControlStatus;
  statusLabel: string;
  /** Resources behind the open findings, first few. */
  findings: string[];
  findingsMore: number;
  /**
   * What the mapped checks left out by design, `check-id: its excluded note` each (workloads in
   * system namespaces, exempt namespaces): the status holds for the rest only, and a pass then
   * reads "pass (partial scope)".
   */
  notAssessed: string[];
}

export interface FrameworkView {
  name: string;
  prefix: string;
  groups: Array<{ name: string; controls: ControlRow[] }>;
  failingControls: number;
  totalControls: number;
  counts: Record<ControlStatus, number>;
}

export interface BreadthRow {
  rank: number;
  kind: string;
  namespace: string;
  name: string;
  breadth: string;
  /** Bar length relative to the broadest subject, 0-100. */
  barPercent: number;
  /**
   * Since the compared run: `new` (the subject was not there), `moved` (before → after, either
   * way; cls down when it grew), `same`, `not-compared` (posture.rbac.notCompared says why) or
   * `none` (no previous run). `sinceRun`: the run compared with when not the previous one
   * (RunDiff.breadthBaselineRunId), else ''.
   */
  change: { state: 'new' | 'moved' | 'same' | 'not-compared' | 'none'; before: string; after: string; percent: string; cls: 'up' | 'down' | 'flat'; sinceRun: string };
}

export interface MeshModeBar {
  key: string;
  label: string;
  count: number;
  percent: string;
  /** good: authenticated only; warn: also admits plaintext from some; bad: plaintext from anyone; none: outside the mesh. */
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
  /** Why the API server refuses the workload's pods (MeshWorkloadDetail `refused`), or ''. */
  note: string;
}

/** Who may call a meshed workload (its L7 authorization) next to what the network admits. */
export interface CallerRow {
  kind: string;
  namespace: string;
  name: string;
  /** "any caller the network lets in", "nobody", or the callers the ALLOW rules name. */
  callers: string;
  more: number;
  cls: 'good' | 'warn' | 'bad';
  /** What the network admits: "every namespace", "restricted", or "not evaluated". */
  network: string;
  networkOpen: boolean;
}

export interface L4WithoutL7Row { kind: string; namespace: string; name: string; mesh: string; reason: string }

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

/** One external destination allowed by name: what it is, the CIDR/name/host, and the object naming it. */
export interface EgressDestinationRow { kind: string; value: string; source: string }

export interface PostureView {
  /** `notCompared`: why the breadth was not compared with the previous run (one line), '' when it was or there is none. */
  rbac: { omitted: string; notCompared: string; rows: BreadthRow[]; listed: number; growthElsewhere: number };
  mtls: {
    omitted: string; total: number; secure: number; securePercent: string; bars: MeshModeBar[]; rows: MeshRow[]; notStrict: number; more: number;
    callers: CallerRow[]; callersMore: number;
    /** Workloads reachable at L4 from other namespaces with no L7 authorization; `l4Omitted` says why the list is absent. */
    l4: L4WithoutL7Row[]; l4More: number; l4Total: number; l4Omitted: string;
    /** Meshes whose CRDs remain while nothing of them runs, one sentence each. */
    leftovers: string[];
  };
  exposure: { omitted: string; total: number; external: number; fromAllNamespaces: number; via: Array<{ via: string; count: number }>; rows: ExposureRow[]; more: number };
  egress: { omitted: string; rows: EgressDestinationRow[]; counts: Array<{ kind: string; count: number }>; more: number };
}

/** A new finding a waiver covers, and the waiver's resource as configured. */
export interface NewlyWaivedRow {
  check: string;
  title: string;
  resource: string;
  waiver: string;
  /** The waiver names only objects the finding stems from, not its resource. */
  throughRelated: boolean;
  /** Waived in both runs, not new: what it now also covers ("now also Pod shop/api (2 → 3 workloads)"). */
  widened?: string;
}

/** A persisting open finding that now covers more (the diff's widened). */
export interface WidenedRow {
  check: string;
  title: string;
  resource: string;
  /** "now also Pod shop/api (2 → 3 workloads)". */
  text: string;
}

export interface ChangesView {
  hasPrevious: boolean;
  /** No diff because history is off (ViewOptions.historyOff), not because this is the first run. */
  historyOff: boolean;
  /** Why a run that is no first run has no diff (notDiffedNote); '' otherwise. */
  notDiffed: string;
  previousRunId: string;
  previousStartedAt: string;
  regression: boolean;
  /** The first few regression reasons; the rest sit in a collapsed list. */
  reasons: string[];
  moreReasons: string[];
  partial: boolean;
  notComparable: string[];
  /** notJudgedNote: findings of the compared run this run could not judge; '' when none. */
  notJudged: string;
  notJudgedCount: number;
  /** The note naming the checks evaluated for the first time in this history; '' when none. */
  firstEvaluated: string;
  /** The note on checks compared with an older run than the previous one (olderBaselinesNote); '' when none. */
  olderBaselines: string;
  /** Why RBAC breadth was not compared (RunDiff.breadthNotCompared); '' when it was. */
  breadthNotCompared: string;
  /** Regression alerts of earlier runs that no channel delivered, sent with this run. */
  undelivered: Array<{ runId: string; reasons: string[] }>;
  persisting: number;
  newCount: number;
  resolvedCount: number;
  newRows: Array<FindingRow & { title: string; check: string }>;
  newMore: number;
  /** New findings a waiver covers (the diff's newlyWaived), the first maxChangeRows of them. */
  newlyWaivedRows: NewlyWaivedRow[];
  newlyWaivedMore: number;
  /** Persisting findings that now cover more (the diff's widened, worst first), the first maxChangeRows of them. */
  widenedRows: WidenedRow[];
  widenedMore: number;
  resolvedRows: ResolvedRow[];
  resolvedMore: number;
  /** Per area whose score moved: the causes, adding up to the delta. */
  areas: AreaChangeView[];
}

export interface CoverageView {
  kinds: Array<{ kind: string; status: string; detail: string; count: string }>;
  gaps: Array<{ kind: string; status: string; detail: string }>;
  /** Not evaluated: the data was missing, or the check failed. */
  notEvaluated: Array<{ id: string; title: string; status: string; reason: string }>;
  /** Not applicable: the cluster does not run what the check is about (or it was disabled). */
  notApplicable: Array<{ id: string; title: string; status: string; reason: string }>;
  notes: string[];
  notesMore: number;
  /** Deliberate exclusions (system namespaces and how many of their workloads would fail). */
  exclusions: Array<{ id: string; title: string; excluded: string }>;
  /**
   * Input gaps, not choices: checks that could not judge namespaces whose Namespace objects are
   * not in the input (CheckSummary.unjudgedNamespaces), with what their `excluded` says.
   */
  notJudged: Array<{ id: string; title: string; excluded: string }>;
}

export interface ReportView {
  title: string;
  /** The sections in order, for the navigation and the printed table of contents. */
  sections: Array<{ id: string; label: string }>;
  cluster: { name: string; server: string; version: string };
  run: { id: string; startedAt: string; finishedAt: string; source: string; toolVersion: string; checkCatalogVersion: string };
  overall: ScoreCard;
  areas: ScoreCard[];
  /** What this run could not read (report.run.partial); empty when complete. */
  partial: string[];
  /** notJudgedLines: per area, the namespaces its checks could not judge, as the CLI says it; empty when none. */
  notJudged: string[];
  /** serve --watch runs: the changes that started it and how many checks it re-evaluated; null on full runs. */
  watch: { changes: string[]; more: number; reevaluated: number; causes: string[] } | null;
  totals: {
    findings: number; open: number; waived: number; folded: number; checks: number; failingChecks: number;
    notEvaluated: number; notApplicable: number;
    /** Open findings of checks not evaluated, as last evaluated (report/counts.ts carriedText); '' when none. */
    carried: string;
  };
  severityCounts: RunSeverityCount[];
  /** The carried findings listed by run (ViewOptions.carried); empty when none were handed in. */
  carried: CarriedView[];
  topFixes: TopFix[];
  changes: ChangesView;
  areaSections: AreaSection[];
  trend: TrendView | null;
  waivers: Array<WaiverStatus & { resourceText: string; stateLabel: string; openFindingText?: string }>;
  /** Subjects rbac.ignoreSubjects left out that hold grants (details.rbac.ignored): listed beside the waivers, as they are exceptions too. */
  ignoredSubjects: Array<{ subject: string; bindings: string[] }>;
  /** How many more such subjects the run did not list (details.rbac.ignoredTotal), 0 when none. */
  ignoredMore: number;
  coverage: CoverageView;
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
