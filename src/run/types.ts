// report.json, schemaVersion 1: the public machine contract. The JSON Schema in
// schemas/report.schema.json describes the same shape; a test validates produced reports.

import type { Area, CheckStatus, ResourceRef, Severity } from '../base/vocabulary.ts';
import type { KindKey } from '../snapshot/kinds.ts';
import type { ClusterInfo, CoverageEntry } from '../snapshot/types.ts';
import type { UnreadableRunError } from '../base/errors.ts';

export const REPORT_SCHEMA_VERSION = 1;

export interface WaiverRef {
  reason: string;
  owner: string;
  expires: string;
}

/**
 * One failure. In a run's own report, `message`, `evidence` and `related` may be accessors that
 * read them from a temp file (src/run/spooled-finding.ts): the same values to every reader.
 */
export interface Finding {
  fingerprint: string;
  check: string;
  area: Area;
  severity: Severity;
  resource: ResourceRef;
  /**
   * What a finding that stands for several objects covers (the unisolated workloads of a
   * namespace, a subject's dangerous permissions, a workload's failed Pod Security controls), kept beside the spooled evidence so the diff
   * can tell that it widened (src/run/extent.ts). Absent on other findings and in runs stored
   * before it existed.
   */
  extent?: FindingExtent;
  message: string;
  controls: string[];
  evidence?: Record<string, unknown>;
  /** Objects the finding stems from (e.g. the role behind a grant); waivers may name them. */
  related?: ResourceRef[];
  waived: boolean;
  waiver?: WaiverRef;
  /**
   * The fingerprint of a broader finding on the same resource that implies this one (a
   * cluster-admin grant implies Secrets read, exec, escalate, ...). Reports fold it under that
   * cause; it is still listed here and counted by the diff.
   */
  impliedBy?: string;
}

/**
 * The members of an aggregating finding: how many, the first EXTENT_LISTED of them sorted, and
 * when there are more, a digest of all of them (src/run/extent.ts).
 */
export interface FindingExtent {
  /** What the members are, plural ("workloads", "permissions"). */
  unit: string;
  count: number;
  /** The first members in sorted order (all of them when count <= EXTENT_LISTED). */
  members: string[];
  /**
   * When count > members.length: each other member's sha256, 8 hex chars, sorted; an RBAC
   * permission that another would cover (held cluster-wide, or not restricted to names) is
   * followed by ":" and those members' hashes, comma-separated.
   */
  hashes?: string[];
  /** Runs stored before `hashes`: sha256 (hex, 16 chars) of all members, sorted, NUL-separated. */
  digest?: string;
}

/** A persisting open finding that now covers members it did not (RunDiff.widened). */
export interface WidenedFinding {
  fingerprint: string;
  check: string;
  resource: ResourceRef;
  unit: string;
  before: number;
  after: number;
  /** Members it now also covers (at most EXTENT_NAMED; those a bounded listing can prove new). */
  added: string[];
  /** Added members past the listing, known by their hash only ("now covers N other workloads"). */
  others?: number;
}

/** RunDiff.fullInputCarry: a check as the last run that read all its inputs had it. */
export interface FullInputCarry {
  runId: string;
  summary: CheckSummary;
  /** Its findings there, each [fingerprint, severity, waived]: what escalations and the area's score are judged with. */
  findings: Array<[string, Severity, boolean]>;
}

export interface CheckSummary {
  id: string;
  area: Area;
  title: string;
  severity: Severity;
  controls: string[];
  remediation: string;
  /** What the check protects against (the check's own field; absent in runs stored by older versions). */
  protectsAgainst?: string;
  evaluated: number;
  passed: number;
  failed: number;
  waived: number;
  status: CheckStatus;
  /** Why not evaluated / not applicable / error. */
  reason?: string;
  /**
   * Not evaluated: the input kinds it lacks that could not be read (forbidden, error, or not
   * collected; run.coverage says which). A kind that is absent (CRD not installed) is not
   * listed: it holds nothing to judge. Absent in runs stored by older versions.
   */
  unreadable?: string[];
  /**
   * Evaluated (pass or fail) without some of its best-effort inputs: the kinds it reads when it
   * can (Check.readsBestEffort) that exist but could not be read (forbidden, error). Its verdicts
   * may differ from a run that read them (a severity lowered "could not be read"), so the diff
   * compares a later run that read them all with the last run that did too, for escalations and
   * score drops (Baseline.fullInputRuns). Absent when it read them all, and in runs stored by
   * older versions (compared as before).
   */
  degraded?: string[];
  /** What the check deliberately left out (e.g. system namespaces, and how many would fail). */
  excluded?: string;
  /**
   * The namespaces the check could not judge in this run for want of data (workloads name them
   * but the input holds no Namespace object: their labels are unknown; `excluded` says it in
   * words), sorted. The diff carries a compared run's findings there (RunDiff.notJudged) instead
   * of resolving them. Absent when none, and in runs stored by older versions.
   */
  unjudgedNamespaces?: string[];
}

export interface ScoreDelta {
  overall: number | null;
  areas: Record<Area, number | null>;
}

export interface BreadthEntry {
  subject: { kind: string; name: string; namespace?: string };
  breadth: number;
}

/** One reason an area's score moved, with the points it accounts for. */
export interface ScoreCause {
  kind: 'new-findings' | 'resolved-findings' | 'findings-not-judged' | 'waived' | 'unwaived' | 'passes-added' | 'passes-removed' | 'check-not-evaluated' | 'check-evaluated-again' | 'severity-changed' | 'unitemised';
  check: string;
  /** Results (findings or passes) behind the cause. */
  count: number;
  /** Score points, rounded so that an area's causes add up to its listed delta; 0 when that delta is null. */
  points: number;
  text: string;
}

export interface AreaScoreChange {
  before: number | null;
  after: number | null;
  /**
   * The area's scoreDelta: after - before as the scores are shown (rounded to 0.1); null when
   * either is n/a or the two scores do not weigh the same checks, as in RunDiff.scoreDelta.
   */
  delta: number | null;
  causes: ScoreCause[];
}

/** A run's regression alert that no channel delivered: its reasons, carried to the next run. */
export interface UndeliveredAlert {
  runId: string;
  reasons: string[];
  /**
   * serve --watch: the alert was held back as a flapping repeat (RunDiff.heldAlerts), these
   * are its new findings (fingerprints): it is sent while one of them is still open.
   */
  findings?: string[];
  /** A held-back alert (RunDiff.heldAlerts): when it is due (watch.realertAfterHours after those findings were last alerted). */
  heldUntil?: string;
}

/** A finding new in this run that a waiver covers (the diff's newlyWaived). */
export interface NewlyWaivedFinding {
  fingerprint: string;
  check: string;
  resource: ResourceRef;
  /** The waiver it fell under, as configured (a name may be a glob). */
  waiver: { check: string; resource: WaiverStatus['resource'] };
  /**
   * The waiver does not name the finding's resource: it covers it only through the objects the
   * finding stems from (the role a new subject is bound to, the policy of a new workload).
   */
  throughRelated: boolean;
  /**
   * Not new: waived in both runs, it now covers more (one more workload of a waived namespace);
   * what it added, as RunDiff.widened says it. Absent for a new finding.
   */
  widened?: Pick<WidenedFinding, 'unit' | 'before' | 'after' | 'added' | 'others'>;
}

export interface RunDiff {
  previousRunId: string;
  previousStartedAt: string;
  new: string[];
  resolved: string[];
  persisting: number;
  scoreDelta: ScoreDelta;
  breadthGrowth: Array<{ subject: BreadthEntry['subject']; before: number; after: number; growthPercent: number }>;
  /**
   * Why RBAC breadth was not compared (breadthGrowth is empty then): the two runs counted it
   * over different resource lists (details.rbac.breadthBasis), one line. Absent when compared.
   */
  breadthNotCompared?: string;
  /**
   * The compared run's RBAC breadth of this run's broadest subjects (the report's breadth table,
   * at most 10), null for a subject that run did not have; both directions, unlike
   * breadthGrowth. Absent when breadth was not compared.
   */
  breadthBefore?: Array<{ subject: BreadthEntry['subject']; before: number | null }>;
  /**
   * The run breadthGrowth (or breadthNotCompared) compares with when not the previous run: the
   * newest run whose breadth was counted against the same resource list. Absent otherwise.
   */
  breadthBaselineRunId?: string;
  /** Checks evaluated in only one of the two runs: their findings are neither new nor resolved. */
  notComparable: string[];
  /**
   * Findings of the compared run (fingerprints) of checks that compare, on a resource this run
   * could not judge (its namespace is among the check's CheckSummary.unjudgedNamespaces: the
   * Namespace object was not in the input): neither resolved nor persisting, their state is
   * unknown. Missing data is not a fix. Absent when none, and in runs stored before it existed.
   */
  notJudged?: string[];
  /**
   * Those of `notJudged` that the previous run could not judge either, carried from the newest
   * older run that judged their namespace (src/diff/baseline.ts): fingerprint -> that run's id.
   * Retention keeps those runs as it keeps `olderBaselines`. Absent when none, and in runs
   * stored before it existed.
   */
  notJudgedRuns?: Record<string, string>;
  /**
   * Checks that the previous run could not evaluate, compared instead with the last run in
   * which they were evaluated: check id -> that run's id. Absent when there are none.
   */
  olderBaselines?: Record<string, string>;
  /**
   * Checks evaluated now with all their inputs that the compared run evaluated without some of
   * its best-effort ones (CheckSummary.degraded): check id -> the last run that evaluated it with
   * all its inputs, whose severities and score the escalation and area-drop rules compare with
   * instead, or null when no run read within reach did (escalations of that check and its area's
   * drop are then not judged: a severity lowered for want of data is no baseline). New and
   * resolved findings are still those against the compared run. Absent when none.
   */
  fullInputBaselines?: Record<string, string | null>;
  /**
   * Checks this run evaluated without some of their best-effort inputs (CheckSummary.degraded):
   * check id -> the last run that evaluated it with all its inputs, as this run knew it (the
   * compared run, or carried from its own fullInputCarry), with the check's summary and findings
   * there. The next run that reads every input judges escalations and area drops against it even
   * when that run is more than FULL_INPUT_WALK runs back or evicted by retention. One check's
   * findings of one run at most, never a list that grows with the runs. Absent when none is known.
   */
  fullInputCarry?: Record<string, FullInputCarry>;
  /**
   * Areas whose score in this run counts checks judged without some best-effort input
   * (CheckSummary.degraded): area -> the kinds that could not be read. Their score and its delta
   * are computed on partial input (reports and alerts say so). Absent when none.
   */
  degradedAreas?: Partial<Record<Area, string[]>>;
  /**
   * Stored runs newer than the baseline that could not be read (a truncated or corrupt stored
   * report), passed over by the diff: it compared with older runs instead. Absent when none.
   */
  unreadableRuns?: string[];
  /**
   * Checks not applicable in the baseline (switched off, their input absent, or never evaluated
   * in a stored run) and evaluated now: compared with nothing, their findings are new. Absent
   * when there are none.
   */
  firstEvaluated?: string[];
  /**
   * Those of `firstEvaluated` whose not-applicable state came from a run older than the
   * previous one (the previous run could not evaluate them): check id -> that run's id.
   * Retention keeps those runs as it keeps `olderBaselines`. Absent when none, and in runs
   * stored before it existed.
   */
  notApplicableBaselines?: Record<string, string>;
  partial: boolean;
  /**
   * Compared by the stored summary of `previousRunId` alone (findings per severity, scores):
   * no stored run of the cluster could be read, yet what that run last reported got worse
   * (src/diff/diff.ts diffBySummary). `new`, `resolved` and `persisting` are then not known
   * (empty, 0) and no score delta is given. Absent otherwise.
   */
  bySummary?: true;
  regression: boolean;
  /** Why it is a regression, one line each. */
  regressionReasons: string[];
  /**
   * How many of regressionReasons new findings make: their "new … finding" lines, the
   * "widened" lines of persisting findings that now cover more (like new ones), and the
   * score drop of an area where new findings appeared. The others (coverage lost, an
   * escalation, a waiver expired or widened, RBAC breadth, a drop with no new finding) are
   * said once, at the change: serve --watch never holds back an alert that has one. Absent
   * when none, and in runs stored before it existed.
   */
  newFindingReasons?: number;
  /**
   * Alerts of earlier runs that no channel delivered (their notifications failed, none sent),
   * oldest first: this run sends them. Absent when there are none.
   */
  undelivered?: UndeliveredAlert[];
  /**
   * serve --watch: regression alerts held back as flapping repeats (watch.realertAfterHours),
   * each with its findings and when it is due, carried from run to run: the first run at or
   * after that time sends it (in `undelivered`) if one of its findings is still open; one
   * whose findings were all resolved (or waived) meanwhile is dropped. Absent when none.
   */
  heldAlerts?: UndeliveredAlert[];
  /**
   * Findings new in this run (not in its baseline for their check, or of a check evaluated for
   * the first time) that a waiver covers, so they score nothing and are not in `new`: a waiver
   * is written against what existed, and this is what it now also hides. Absent when none.
   */
  newlyWaived?: NewlyWaivedFinding[];
  /**
   * Open findings present in both runs (same fingerprint, same or higher severity) that now
   * cover more (a namespace's default-deny finding with one more unisolated workload, a subject
   * with one more dangerous permission): each at or above regression.newFindingSeverity is a
   * regression reason, as a new finding would be. Absent when none, and when either run lacks
   * the finding's extent (stored before it existed).
   */
  widened?: WidenedFinding[];
  /**
   * Meshes the compared run detected (their mTLS checks evaluated) that this run, having read
   * every kind they are detected by, no longer finds (their checks not applicable, not switched
   * off in config): each a regression reason. Absent when none.
   */
  meshesRemoved?: RemovedMesh[];
  /** Per area: what moved the score, so the delta adds up to the listed causes. */
  scoreChanges?: Partial<Record<Area, AreaScoreChange>>;
}

/** A mesh gone since the compared run (RunDiff.meshesRemoved), with what that run stated of it. */
export interface RemovedMesh {
  mesh: 'istio' | 'linkerd' | 'consul';
  /** The run that detected it: the one its checks were compared with. */
  runId: string;
  /** Its checks evaluated then and not applicable now. */
  checks: string[];
  /**
   * What that run's mesh posture (details.mtls) listed under it: its workloads, their
   * namespaces, and how many workloads each mTLS mode had. Absent when that run listed no
   * workload under it (detected by its API alone, pods or namespaces not read then, a stored run
   * older than the posture), and when `runId` is older than the compared run (whose posture is
   * the only one the diff holds).
   */
  covered?: { workloads: number; namespaces: number; modes: Record<string, number> };
  /**
   * Still installed (control plane, webhooks or labelled namespaces) while no workload is meshed: its checks still evaluated,
   * over no workload, and `checks` are those evaluated in `runId`. Set only with `covered`:
   * that run listed workloads under the mesh and this complete live run lists none.
   */
  objectsRemain?: true;
  /** Not applicable now while its API is still served: the objects left in it (this run's details.mtls leftovers). */
  leftover?: { objects: number };
}

export interface NotificationOutcome {
  channel: 'slack' | 'email';
  status: 'sent' | 'skipped' | 'failed';
  detail?: string;
  /**
   * A failed send that may still have delivered: the request went out and no answer came (a
   * Slack post that timed out). Not sent again by the next run (src/run/undelivered.ts).
   */
  maybeDelivered?: boolean;
  /** Recipients the mail server refused a message it took for the others (a warning; the message was sent). */
  rejected?: string[];
}

/** A waiver as ztaudit.yaml states it (config's WaiverConfig): what it covers, why, whose, until when. */
export interface WaiverRule {
  check: string;
  resource: { kind?: string; namespace?: string; name?: string };
  reason: string;
  owner: string;
  expires: string;
}

export interface WaiverStatus {
  check: string;
  resource: { kind?: string; namespace?: string; name?: string };
  reason: string;
  owner: string;
  expires: string;
  /**
   * not-evaluated: its check was not evaluated in this run (a kind it reads could not be listed,
   * the check failed), so that it matches nothing says nothing; `notEvaluated` says why.
   */
  state: 'active' | 'expiring-soon' | 'expired' | 'unmatched' | 'not-evaluated';
  matched: number;
  /** Why the waiver's check was not evaluated (state not-evaluated). */
  notEvaluated?: string;
  /**
   * State not-evaluated because its check did not apply (switched off in config, its input
   * absent), not because it was blind: no findings are carried for it, so its expiry brings
   * nothing back (the fleet report does not list it as expiring).
   */
  notApplicable?: true;
  /**
   * State unmatched, yet its check has an open finding the waiver is about, so it is no stale
   * entry: one it covered in the compared run (`coveredIn`, that run's id: what the finding
   * stems from changed), or one stemming from an object it names beside one of the same kind
   * family it does not (`notNamed`, the first such). `more`: how many more such findings.
   */
  openFinding?: { fingerprint: string; resource: ResourceRef; more: number; coveredIn?: string; notNamed?: ResourceRef };
}

/** One stored run's scores, for the report's trend chart. */
export interface TrendPoint {
  id: string;
  startedAt: string;
  overall: number | null;
  areas: Record<Area, number | null>;
  /** The run was partial (its scores cover only what could be read and evaluated); absent when it was not. */
  partial?: boolean;
}

/**
 * Open findings of checks a run could not evaluate, as the run `runId` that last evaluated
 * them had them (those its run.lastEvaluatedOpen counts); not part of report.json: report.sarif
 * lists them (src/diff/baseline.ts finds them, `report RUN` reads them again from `runId`).
 */
export interface CarriedFindings {
  runId: string;
  findings: Finding[];
  /**
   * Those this run's waivers waive (carriedWaivers), each with the waiver: report.sarif lists them
   * suppressed, as this run's own waived findings, so a code-scanning alert dismissed for them stays.
   */
  waived?: Array<{ finding: Finding; waiver: WaiverRef }>;
}

export interface RunReport {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  run: {
    id: string;
    startedAt: string;
    finishedAt: string;
    cluster: ClusterInfo;
    source: 'live' | 'manifests' | 'snapshot';
    coverage: Record<string, CoverageEntry>;
    toolVersion: string;
    checkCatalogVersion: string;
    notes: string[];
    /**
     * Why the run is partial, one line each ("pods could not be read: connection refused",
     * "manifests/app.yaml:12: broken YAML document"); absent or empty when it is complete.
     * The checks that depend on what is missing are not evaluated.
     */
    partial?: string[];
    /**
     * A run over manifests (or a snapshot of one): the namespaces its objects name that no
     * Namespace document declares (isImplicitNamespace), whose labels are unknown. Absent when none.
     */
    undeclaredNamespaces?: string[];
    /** A run over a saved snapshot (`source: 'snapshot'`): what that snapshot was collected from. Absent otherwise (and in runs stored before it). */
    origin?: 'live' | 'manifests';
    /** Set on runs started by `serve --watch` after a change; absent on full (scheduled, start-up, `run`) runs. */
    trigger?: 'watch';
    /** What a watch run saw and re-evaluated (absent on full runs). */
    watch?: WatchRunInfo;
    /**
     * The stored runs of this cluster the diff passed over because none could be read: the run
     * is not diffed (`diff` is null) yet it is no first run. Absent otherwise.
     */
    unreadablePrevious?: string[];
    /**
     * Each check this run could not evaluate (not-evaluated, error) whose findings a stored run
     * had: its open findings per severity in the last run that evaluated it (`runId`), open or
     * waived by this run's waivers (openCarried), which the counts state beside this run's own ("+17 in 12 checks not evaluated, as of run X"),
     * as /metrics does. `waived`: how many more this run's waivers waive there (report.sarif lists
     * them suppressed; `report RUN` finds them by this entry), absent when none; an entry may have
     * none open then. `waivedBySeverity`: those `waived` counts, per severity (/metrics'
     * ztaudit_findings_waived); absent when `waived` is, and in runs stored by versions before it
     * (a reader then has the bare count only). Absent when there are none.
     */
    lastEvaluatedOpen?: Array<{ check: string; runId: string; open: Record<Severity, number>; waived?: number; waivedBySeverity?: Record<Severity, number> }>;
  };
  score: { overall: number | null; areas: Record<Area, number | null> };
  checks: CheckSummary[];
  findings: Finding[];
  diff: RunDiff | null;
  waivers: WaiverStatus[];
  details: RunDetails;
  notifications: NotificationOutcome[];
}

/** A subject rbac.ignoreSubjects leaves out, and the bindings that grant it (bootstrap ones apart). */
export interface IgnoredSubjectDetail {
  subject: ResourceRef;
  bindings: Array<{ binding: ResourceRef; role: { kind: string; name: string } }>;
}

/** A watch run's changes and what it re-evaluated. */
export interface WatchRunInfo {
  /** The changes since the previous audit, "NetworkPolicy shop/default-deny deleted" (at most 50). */
  changes: string[];
  /** How many changes there were (more than `changes` lists when many). */
  changeCount: number;
  /** Checks re-evaluated; every other check's result is carried over from the previous audit (its inputs did not change). */
  reevaluated: string[];
  /** For a regression: the changes to the regressed checks' inputs, rarest kind first (what most likely caused it). */
  causes?: string[];
  /**
   * Repeat alerts of this regression's findings held back (watch.realertAfterHours) since the
   * last one was sent: the findings flapped. On the alert that is sent, and on a held-back run.
   */
  heldBack?: { repeats: number; since: string };
}

/**
 * How a workload accepts inbound traffic, as the mesh analysis classifies its mode:
 * authenticated (mTLS or mesh identity required), permissive (plaintext also admitted, or only
 * from inside the cluster), plaintext (anyone, without identity), outside (no mesh proxy).
 */
/** `refused`: no pod of the workload can start (the API server refuses them: a Linkerd proxy injector that fails under failurePolicy Fail), so it runs neither in a mesh nor outside one. */
export type MtlsPosture = 'authenticated' | 'permissive' | 'plaintext' | 'outside' | 'refused';

export interface MeshWorkloadDetail {
  workload: ResourceRef;
  mesh: 'istio' | 'linkerd' | 'consul' | 'none';
  /** Istio PeerAuthentication mode, `linkerd:<default-inbound-policy>`, `consul:mtls` (`consul:no-tproxy`: transparent proxy off), none, or refused (posture `refused`). */
  mode: 'STRICT' | 'PERMISSIVE' | 'DISABLE' | `linkerd:${string}` | 'consul:mtls' | 'consul:no-tproxy' | 'none' | 'refused';
  posture: MtlsPosture;
  /**
   * Why the API server refuses to create the workload's pods, as mtls.workload-outside-mesh says it:
   * with posture `refused`, none can start; with `outside`, the pods running now (created before)
   * run outside the mesh, and would be refused if re-created.
   */
  refused?: string;
  /** Port-level modes (Istio portLevelMtls). */
  ports?: Record<string, string>;
  /** Ports whose mode admits plaintext although the workload's does not (or differs from it). */
  weakPorts?: Record<string, string>;
  /** Istio: who its AuthorizationPolicies let call it. */
  callers?: MeshCallersDetail;
}

/**
 * Who may call an Istio workload, from the ALLOW AuthorizationPolicies its sidecar or ztunnel
 * enforces: 'anyone' (no ALLOW policy: every caller the network lets in), 'nobody' (only
 * allow-nothing policies), 'listed' (the callers the rules name, in `callers`).
 */
export interface MeshCallersDetail {
  who: 'anyone' | 'nobody' | 'listed';
  /** "principal cluster.local/ns/shop/sa/api", "namespace shop", "any caller", "any authenticated workload", … with "(ports …)" or "(some requests)" when a rule narrows it. */
  callers: string[];
  /** The ALLOW (and DENY/CUSTOM) policies that apply, NAMESPACE/NAME. */
  policies: string[];
}

/** A workload whose ingress admits pods of other namespaces (L4) while no L7 authorization restricts its callers. */
export interface L4WithoutL7Detail {
  workload: ResourceRef;
  mesh: 'istio' | 'none';
  reason: string;
}

export interface ExternalPathDetail {
  /** LoadBalancer/NodePort Service, a Service's externalIPs, a container's hostPort, or the edge route kind: Ingress, Gateway (API), IstioGateway, IngressRoute, HTTPProxy. */
  via: 'LoadBalancer' | 'NodePort' | 'externalIPs' | 'hostPort' | 'Ingress' | 'Gateway' | 'IstioGateway' | 'IngressRoute' | 'IngressRouteTCP' | 'HTTPProxy';
  through: ResourceRef;
  ports: string;
  /** For a route: whether the edge controller's pods may reach the backend ('not-evaluated': its pods were not found). */
  allowedByPolicy: boolean | 'not-evaluated';
  /** For a route: "host/path → route → Service ns/name:port". */
  route?: string;
  /** For a route: the edge controller carrying it. */
  controller?: string;
  /** Under Cilium native routing: the ports admitted only as traffic another node forwards (remote-node identity), and why. */
  forwarded?: string;
  /** The backend's mesh verdict for the path's callers (the controller's pods, or an outside address); absent when no mesh judges it. */
  mesh?: { verdict: 'allowed' | 'denied' | 'depends' | 'unknown'; reason: string };
  /** For a Gateway API route: why it is not known whether the listener admits the route (the path may not exist). */
  attachmentUnknown?: string;
  /** For a way in no client can use though the policies admit some: why (counted as blocked). */
  blockedBy?: string;
  /** For a way in that exists only if something the objects do not tell holds: what it is (counted as open). */
  inDoubt?: string;
}

export interface ExposureDetail {
  workload: ResourceRef;
  podCount: number;
  external: ExternalPathDetail[];
  fromAllNamespaces: boolean;
  ingressIsolated: boolean;
}

/** An external destination the cluster's objects allow by name (netpol/egress.ts externalDestinations). */
export interface ExternalDestinationDetail {
  kind: 'ipBlock' | 'fqdn' | 'world' | 'ServiceEntry';
  value: string;
  /** The policy or ServiceEntry naming it. */
  source: ResourceRef;
}

/** The kinds each details part needs collected 'ok'; without them the part is absent. */
export const DETAIL_KINDS = {
  // Breadth counts a cluster-wide grant on a namespaced resource once per namespace.
  rbac: ['roles', 'clusterroles', 'rolebindings', 'clusterrolebindings', 'namespaces'],
  mtls: ['pods', 'namespaces'],
  network: ['pods', 'namespaces', 'networkpolicies', 'services', 'ingresses'],
} as const satisfies Record<keyof RunDetails, readonly KindKey[]>;

/** A mesh's API left without the mesh: the kinds still served, the objects in them, said in words. */
export interface MeshLeftoverDetail {
  mesh: 'istio' | 'linkerd' | 'consul';
  kinds: string[];
  objects: number;
  text: string;
}

/** Report sections the analyses compute; a part whose inputs were not collected is absent. */
export interface RunDetails {
  rbac?: {
    breadth: BreadthEntry[];
    /**
     * What wildcards were counted against: the resources the API server serves, those of the
     * groups whose discovery answered with the built-in list's for `breadthMissingGroups`
     * ('partial'), or the built-in list ('built-in': manifests, or discovery failed). The diff
     * compares breadth with the newest run of the same basis (partial: the same groups missing). Absent in runs stored
     * before it existed.
     */
    breadthBasis?: 'served' | 'partial' | 'built-in';
    /** 'partial' only: the API groups ("" for core) whose discovery failed. */
    breadthMissingGroups?: string[];
    /**
     * Subjects config.rbac.ignoreSubjects leaves out that hold grants (system:masters apart), by
     * subject text, at most IGNORED_SUBJECTS: no finding of theirs is reported, so the Exceptions
     * register lists them beside the waivers. Absent when none.
     */
    ignored?: IgnoredSubjectDetail[];
    /** How many subjects ignoreSubjects left out that hold grants, when more than `ignored` lists. */
    ignoredTotal?: number;
  };
  mtls?: {
    /** Empty when no mesh runs and only `leftovers` are there to say. */
    workloads: MeshWorkloadDetail[];
    /** Absent when the network kinds were not collected. */ l4WithoutL7?: L4WithoutL7Detail[];
    /** Meshes whose API is installed while nothing of them runs (an uninstall that kept the CRDs): their checks are not applicable. Absent when none. */
    leftovers?: MeshLeftoverDetail[];
  };
  network?: {
    exposure: ExposureDetail[];
    /** Where traffic may leave the cluster by name: public ipBlocks, toFQDNs names, world rules, ServiceEntry hosts. */
    egress?: ExternalDestinationDetail[];
  };
}

/** One stored run as listed (`ztaudit history`, the fleet report). */
export interface RunSummary {
  id: string;
  startedAt: string;
  cluster: string;
  source: RunReport['run']['source'];
  score: RunReport['score'];
  /** Unwaived findings by severity. */
  findings: Record<Severity, number>;
  waived: number;
  /** null when the run had nothing to compare with. */
  regression: boolean | null;
  /**
   * Something could not be read, or a check could not be evaluated for an input that exists or
   * failed (isPartialRun in src/run/coverage.ts); not a diff that compared part of the checks.
   * Runs stored before `gaps` existed set it from the diff alone (read with withPartial).
   */
  partial: boolean;
  /** Checks not evaluated for an input that could not be read, or that failed (coverageGaps); absent in runs stored before it existed. */
  gaps?: number;
  /** The run was not diffed because no stored run before it could be read (RunReport.run.unreadablePrevious): `regression` is null, yet it is no first run. */
  notDiffed?: true;
  /** 'watch' for a run started by `serve --watch` after a change. */
  trigger?: 'watch';
  /**
   * The checks the run did not judge (not evaluated, an error, or not applicable:
   * src/run/coverage.ts isUnjudged; older runs listed only the first two);
   * absent when none, and in runs stored before it existed. Retention reads it to keep each
   * check's last evaluation (src/history/run-store.ts baselineRunIds).
   */
  blind?: string[];
  /**
   * Those of `blind` the run found not applicable (the rest it could not evaluate); present
   * whenever `blind` is, in runs stored since it exists. The diff's baseline walk passes over
   * a run blind to every check it still seeks without reading it (StoredRunRead.wants), but
   * must read one that found such a check not applicable (src/diff/baseline.ts).
   */
  notApplicable?: string[];
  /**
   * The checks' CheckSummary.unjudgedNamespaces (check id -> namespaces the run could not judge
   * for want of their Namespace object), of checks it evaluated; absent when none, and in runs
   * stored before it existed. Retention and the baseline walk read it to keep, and not pass
   * over, the newest run that judged each such namespace (src/diff/baseline.ts).
   */
  unjudgedNamespaces?: Record<string, string[]>;
  /**
   * The run's score deltas as its diff computed them (RunDiff.scoreDelta: null where the two
   * runs did not judge the same checks); absent for a first run and in runs stored before it
   * existed. The fleet view shows these, never a subtraction of two stored scores.
   */
  scoreDelta?: ScoreDelta;
  /**
   * The run's notification outcomes when it was stored before it was notified (serve): each
   * channel pending at store time (SaveOptions.notifications), then the outcomes recorded
   * afterwards (RunStore.recordNotifications); they replace the stored report's. Absent when
   * the stored report holds them.
   */
  notifications?: NotificationOutcome[];
}

/** How a run is stored (RunStore.save). */
export interface SaveOptions {
  /**
   * Outcomes that stand for the report's until RunStore.recordNotifications replaces them:
   * kept in the run's summary (RunSummary.notifications). A run stored before it is notified
   * (serve) is stored with each channel pending (src/run/undelivered.ts pendingOutcome), so a
   * process killed before it records the real outcomes leaves the alert undelivered, not lost.
   */
  notifications?: NotificationOutcome[];
}

/**
 * The report.json just written for the very run being saved (its JSON, indented): a store
 * that keeps runs as gzip JSON may compress that file instead of serialising the run again.
 */
export interface WrittenReport {
  reportJson: WrittenFile;
}

/**
 * A file as its writer left it: fstat of the writer's own descriptor once the file was in
 * place (bigint stats: times to the nanosecond). A file at `path` that is not this one
 * (renamed over, or written since: mtime and ctime move) is not what was written.
 */
export interface WrittenFile {
  path: string;
  dev: bigint;
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

/** How much of each stored run's findings a caller reads (runsNewestFirst). */
export interface StoredRunRead {
  /**
   * Whether a finding's message, evidence and related objects are wanted, by its fingerprint
   * and check. The pipeline's diff wants them only for the findings it may call resolved (the
   * reports list those): not for one whose fingerprint the current run has.
   */
  bulkyOf?: (fingerprint: string, check: string) => boolean;
  /**
   * Whether a run is wanted at all, by its stored summary: false lets the store pass over it
   * without reading it (it is not handed on). Asked for each run in turn, after the caller has
   * taken the one before. A store may ignore it and hand on every run.
   */
  wants?: (summary: Pick<RunSummary, 'id' | 'blind' | 'notApplicable' | 'unjudgedNamespaces'>) => boolean;
  /**
   * Told of each run whose stored report cannot be decoded: the store passes over it and goes
   * on to the next older run. Without it, such a run ends the walk with that error.
   */
  onUnreadable?: (error: UnreadableRunError) => void;
}
