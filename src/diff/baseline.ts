// The per-check diff baseline: each check is compared with the last stored run in which it
// was evaluated, not blindly with the previous run. Otherwise a run that could not read one
// kind (a 403, an API server restart) would make the next full run compare those checks
// with nothing: whatever appeared meanwhile — a ServiceAccount bound to cluster-admin —
// would be neither new nor a regression, then or ever after. Whoever can make one list fail
// could launder a backdoor.
//
// The same holds for a check that was not applicable meanwhile: switched off in config for a
// run, or without its input (no --probe-tls, no mesh). It is compared with the last run in
// which it was evaluated; when no stored run evaluated it but one found it not applicable, it
// is compared with that (nothing), so everything it finds now is new — a check disabled since
// the first run and enabled later must not stay silent, and exposure that comes with a mesh
// or an Ingress appearing is news too. So is a check every stored run that had it was blind
// to (a first run without a permission granted later): compared with nothing, or the backdoor
// it first finds would be folded into the baseline unannounced. Only a check the latest stored
// run did not have at all (a catalog addition) stays not comparable, also when the runs since
// the upgrade were blind to it: its findings were there before, not news.
//
// Pure apart from reading the runs it is handed (newest first, by insertion order). It reads
// only as far back as it must: the newest run usually evaluated every check, and then it is
// the whole baseline. However long a stretch of partial runs, it goes on to the run that
// evaluated the check: retention never evicts it (baselineRunIds in src/history/run-store.ts),
// so a cap on the walk would only bring the blind spot back (serve --watch stores a run every
// few seconds). The runs on such a stretch are passed over by their stored summaries' blind
// lists, unread (StoredRunRead.wants; every store does: SQLite, PostgreSQL, k8s).
//
// The same holds, namespace by namespace, for a namespace a check could not judge: a manifests
// input that keeps a namespace's workloads but not its Namespace object (its Pod Security labels
// unknown: CheckSummary.unjudgedNamespaces). That check's findings there are taken from the newest
// older run that judged the namespace, past every run that could not, as the check's are. Else a
// second such run would compare with the first (no findings there) and drop them from every
// later diff: silence that reads as compliance, then a false alarm for the same findings when the
// Namespace is back — or a finding fixed meanwhile never said resolved, and a new one hidden
// among the old. Retention keeps that run (BaselineRuns), and the walk reads it (its summary's
// unjudgedNamespaces says so) while passing over the runs that could not judge the namespace.
//
// A check evaluated without a best-effort input it could not read (CheckSummary.degraded: the
// cert-manager Certificates tls.ingress-without-tls reads, a severity lowered "could not be read")
// is no baseline for the escalations and area drop of a run that read them all: those are judged
// against the newest older run that read them too (Baseline.fullInputRuns), within FULL_INPUT_WALK
// runs, else not judged. Its new and resolved findings stay against the run it was evaluated in.
import { SEVERITIES, type Severity } from '../base/vocabulary.ts';
import { CarriedWalk, findingNamespace, isBlind, isEvaluated, isUnjudged, unjudgedNamespacesOf } from '../run/coverage.ts';
import type { CarriedFindings, CheckSummary, Finding, FullInputCarry, RunReport, StoredRunRead } from '../run/types.ts';
import { splitCarried } from '../run/waivers.ts';
import { breadthBasesMatch } from './diff.ts';
import { MESH_CHECKS, meshChecksNotApplicable } from './meshes-removed.ts';

export interface Baseline {
  /** The newest stored run: what the report calls "the previous run". */
  latest: RunReport;
  /**
   * The latest run with, check by check, the status and findings taken from the newest run
   * in which that check was evaluated. Scores and details stay the latest run's, except the
   * RBAC breadth, which comes from the newest run that counted it against the same resource
   * list as `current` (breadthBasesMatch), or, when none did, the newest run that had it (the
   * diff then says why it is not compared).
   */
  report: RunReport;
  /** Checks compared with a run older than `latest`: check id -> that run's id. */
  olderRuns: Record<string, string>;
  /**
   * Checks compared with nothing because no stored run evaluated them: check id -> the run
   * whose state they were compared with. A run older than `latest` that found them not
   * applicable: stored in the diff (RunDiff.notApplicableBaselines) so retention keeps that run
   * while `diff --last` may compare the two again (evicted, the check would turn not comparable
   * and the alert would not show). Or `latest` itself, blind to them as every older run that
   * had them was: no older run decides that, so none needs keeping.
   */
  notApplicableRuns: Record<string, string>;
  /** The run the RBAC breadth of `report` comes from, when not `latest` (RunDiff.breadthBaselineRunId). */
  breadthRunId?: string;
  /**
   * Namespaces the run a check's findings come from could not judge (its
   * CheckSummary.unjudgedNamespaces), whose findings of that check `report` takes from an older
   * run that judged them: check id -> namespace -> that run's id (DiffOptions.namespaceRuns).
   * A namespace no older run judged is not listed: compared with nothing there.
   */
  namespaceRuns: Map<string, Map<string, string>>;
  /**
   * RunReport.run.lastEvaluatedOpen for `current`: each check it could not evaluate with its open
   * findings in the newest run that evaluated it (see carriedOpen below).
   */
  lastEvaluatedOpen: NonNullable<RunReport['run']['lastEvaluatedOpen']>;
  /**
   * The open findings `lastEvaluatedOpen` counts, and the waived ones, by the run each comes
   * from (report.sarif lists them, the waived ones suppressed: a result missing from an
   * analysis closes its alert as fixed). Absent for a check whose run was not found (its count
   * kept from the latest run).
   */
  carried: CarriedFindings[];
  /**
   * Checks `current` evaluated with all their inputs whose findings in `report` come from a run
   * that evaluated them without some best-effort input it could not read (CheckSummary.degraded):
   * check id -> the newest older run that evaluated the check with all its inputs, or null when
   * the walk found none within FULL_INPUT_WALK runs (RunDiff.fullInputBaselines). A severity
   * lowered "could not be read" is no baseline: compared with it, the next complete run on the
   * same cluster would report an escalation and an area score drop that never happened.
   */
  fullInputRuns: Record<string, string | null>;
  /**
   * Checks `report` holds as evaluated without some best-effort input: the last run that read
   * them all as the run they come from carried it (its RunDiff.fullInputCarry). The walk takes a
   * check's full-input baseline from there before reading older runs, so it is found however
   * many runs missed the input since and whether or not retention kept that run; the diff
   * carries it on (diffRuns' fullInputCarry).
   */
  fullInputCarry: Record<string, FullInputCarry>;
  /**
   * `report` with those checks' summaries and findings taken from the run `fullInputRuns` names
   * (the escalation and area-drop rules judge against it); absent when none was found.
   */
  fullInputReport?: RunReport;
}

/**
 * The findings of `run` that `current` carries for `checks` (ones it could not evaluate and
 * `run` last evaluated): those `current`'s waivers leave open at its start (openCarried), as run.lastEvaluatedOpen
 * counts them. `ztaudit report RUN` reads them again from the run each entry names.
 */
export function openCarriedFindings(current: Pick<RunReport, 'run' | 'waivers'>, run: Pick<RunReport, 'findings'>, checks: ReadonlySet<string>): Finding[] {
  return carriedFindingsOf(current, run, checks).open;
}

/** openCarriedFindings, and the findings `current`'s waivers waive with the waiver of each (report.sarif lists them suppressed). */
export function carriedFindingsOf(current: Pick<RunReport, 'run' | 'waivers'>, run: Pick<RunReport, 'findings'>, checks: ReadonlySet<string>): { open: Finding[]; waived: NonNullable<CarriedFindings['waived']> } {
  return splitCarried(current.waivers ?? [], run.findings.filter((f) => checks.has(f.check)), new Date(current.run.startedAt));
}

/**
 * The findings of `baseline` this run could not judge (RunDiff.notJudged: their namespace is
 * named by objects in the input, its Namespace object is not), carried as a partial run carries
 * a blind check's (Baseline.carried), by the run that last judged each: RunDiff.notJudgedRuns,
 * else the run its check's findings were compared with. report.sarif, the PolicyReports and
 * report.junit.xml list them: missing from a new analysis, GitHub code scanning would close
 * their alerts as fixed, and an input gap fixes nothing. Split by `current`'s waivers at its
 * start (splitCarried), as the others are. O(baseline findings).
 */
export function notJudgedCarried(baseline: Pick<Baseline, 'report' | 'latest' | 'olderRuns'>, current: Pick<RunReport, 'diff' | 'run' | 'waivers'>): CarriedFindings[] {
  const sought = new Set(current.diff?.notJudged ?? []);
  if (sought.size === 0) return [];
  const from = current.diff!.notJudgedRuns ?? {};
  const byRun = new Map<string, Finding[]>();
  for (const f of baseline.report.findings) {
    if (!sought.delete(f.fingerprint)) continue;
    const runId = Object.hasOwn(from, f.fingerprint) ? from[f.fingerprint]! : Object.hasOwn(baseline.olderRuns, f.check) ? baseline.olderRuns[f.check]! : baseline.latest.run.id;
    const list = byRun.get(runId);
    if (list) list.push(f); else byRun.set(runId, [f]);
  }
  return [...byRun].map(([runId, findings]) => {
    const { open, waived } = splitCarried(current.waivers ?? [], findings, new Date(current.run.startedAt));
    return { runId, findings: open, ...(waived.length > 0 ? { waived } : {}) };
  });
}

/** How many stored runs (the latest included) findBaseline reads looking for the RBAC breadth alone. */
export const BREADTH_WALK = 10;
/**
 * How many stored runs (the latest included) findBaseline reads looking for the last run that
 * evaluated a check with all its inputs (Baseline.fullInputRuns): each is a whole report read,
 * and beyond it the check's escalations and area drop are not judged, which hides no finding.
 */
export const FULL_INPUT_WALK = 10;

/** Evaluated without some best-effort input it could not read (CheckSummary.degraded). */
const degraded = (c: CheckSummary | undefined) => Array.isArray(c?.degraded) && c.degraded.length > 0;

/**
 * A run stored before checks[].degraded existed records no check as judged without a
 * best-effort input, yet its run.coverage says which kinds were forbidden or failed to list:
 * each evaluated check whose best-effort inputs (`bestEffort`: check id -> kinds, the pod view's
 * owners with `pods`, as the engine's degradedInputs reads them) include one is marked so, as
 * this version would have recorded it. Only in a run that records none (a run of this version
 * computed the same from the same coverage); by today's catalog, which may declare what the
 * old version read differently. In place: the run was just read for this walk.
 */
function inferDegraded(run: RunReport, bestEffort: ReadonlyMap<string, readonly string[]>): void {
  if (!Array.isArray(run.checks) || run.checks.some((c) => c?.degraded !== undefined)) return;
  const coverage: unknown = run.run?.coverage;
  if (typeof coverage !== 'object' || coverage === null) return;
  const unread = (k: string) => {
    const status = Object.hasOwn(coverage, k) ? ((coverage as Record<string, { status?: unknown } | null>)[k])?.status : undefined;
    return status === 'forbidden' || status === 'error';
  };
  run.checks = run.checks.map((c) => {
    if (!evaluated(c)) return c;
    const kinds = (bestEffort.get(c.id) ?? []).filter(unread);
    return kinds.length > 0 ? { ...c, degraded: kinds } : c;
  });
}

/**
 * `run` with inferDegraded applied, for a run compared without the walk (`ztaudit diff A B` when
 * the walk of A's cluster does not reach A): a copy, `run` is left as it is.
 */
export function withInferredDegraded(run: RunReport, bestEffort: ReadonlyMap<string, readonly string[]>): RunReport {
  const copy = { ...run };
  inferDegraded(copy, bestEffort);
  return copy;
}

/**
 * `run`'s RunDiff.fullInputCarry for check `id`, when it has that shape (a stored report is
 * data: one edited or damaged is passed over, the walk then reading older runs as before).
 */
function carryOf(run: RunReport, id: string): FullInputCarry | undefined {
  const all: unknown = run.diff?.fullInputCarry;
  if (typeof all !== 'object' || all === null || !Object.hasOwn(all, id)) return undefined;
  const c = (all as Record<string, unknown>)[id] as Partial<FullInputCarry> | null;
  if (typeof c !== 'object' || c === null || typeof c.runId !== 'string' || !Array.isArray(c.findings)) return undefined;
  const s = c.summary as Partial<CheckSummary> | undefined;
  if (typeof s !== 'object' || s === null || s.id !== id || typeof s.area !== 'string' || !SEVERITIES.includes(s.severity as Severity) || typeof s.passed !== 'number' || !isEvaluated(s.status) || degraded(s as CheckSummary)) return undefined;
  for (const f of c.findings) if (!Array.isArray(f) || typeof f[0] !== 'string' || !SEVERITIES.includes(f[1]) || typeof f[2] !== 'boolean') return undefined;
  return c as FullInputCarry;
}

/**
 * A carried check's findings as the diff's escalation and area-score rules read them
 * (fingerprint, check, area, severity, waived); the rest is not kept and not read.
 */
function findingsOfCarry(carry: FullInputCarry): Finding[] {
  const { id, area } = carry.summary;
  return carry.findings.map(([fingerprint, severity, waived]) => ({ fingerprint, check: id, area, severity, waived, resource: { kind: '', name: '' }, message: '', controls: [] }) as unknown as Finding);
}

const evaluated = (c: CheckSummary | undefined) => isEvaluated(c?.status);
/**
 * The checks `run` states an older run evaluated (run.lastEvaluatedOpen names that run). A run
 * stored since by a version without such a check (an older CronJob image, a helm rollback)
 * knows nothing of it and must not end its search: the walks pass over it to the run named.
 */
const evaluatedBefore = (run: RunReport) => new Set((run.run.lastEvaluatedOpen ?? []).filter((e) => e.runId !== run.run.id).map((e) => e.check));
/** Present but neither pass nor fail: an older run may know better. */
const unjudged = (c: CheckSummary | undefined) => c !== undefined && isUnjudged(c.status);

/** The stored runs, newest first, passing over (unread) those `wants` does not want, where the store can. */
export type RunsNewestFirst = AsyncIterable<RunReport> | ((read: Required<Pick<StoredRunRead, 'wants'>>) => AsyncIterable<RunReport>);

/**
 * Walks `runs` (newest first) until every check evaluated in `current` has a run in which it
 * was evaluated too, walking past runs blind to it or that found it not applicable. A check
 * that an older run did not have ends its own search there (older runs cannot know better),
 * unless a run read so far states an older run evaluated it (evaluatedBefore): the search goes on
 * (a run blind to it is then read, not passed over by its summary, for what it states).
 * A check no run evaluated keeps the latest run's summary, or, when that one is blind, the
 * newest not-applicable one seen; either way, unless the latest run found it not applicable
 * itself or the walk ended at a run without it, it is in notApplicableRuns and the diff calls
 * its findings new. null when no run is stored.
 * `passed` is told of each older run none of whose findings the baseline takes, as soon as
 * it is passed over (the pipeline closes its findings' temp file then).
 */
export async function findBaseline(
  runs: RunsNewestFirst, current: RunReport,
  { passed = () => {}, bestEffort }: { passed?: (run: RunReport) => void; bestEffort?: ReadonlyMap<string, readonly string[]> } = {},
): Promise<Baseline | null> {
  let latest: RunReport | null = null;
  const wanted = new Set(current.checks.filter(evaluated).map((c) => c.id));
  const evaluatedNow = new Set(wanted);
  /** Check id -> the namespaces the run its findings come from could not judge, sought in older runs. */
  const namespacesSought = new Map<string, Set<string>>();
  /** Check id -> namespace -> the run that judged it last (Baseline.namespaceRuns). */
  const namespaceFrom = new Map<string, Map<string, string>>();
  /** Those runs' findings of those checks in those namespaces. */
  const namespaceFindings: Finding[] = [];
  const seekNamespaces = (id: string, c: CheckSummary) => {
    if (!Array.isArray(c.unjudgedNamespaces) || c.unjudgedNamespaces.length === 0) return;
    let names = namespacesSought.get(id);
    if (!names) namespacesSought.set(id, (names = new Set()));
    for (const ns of c.unjudgedNamespaces) if (typeof ns === 'string') names.add(ns);
  };
  /**
   * A mesh's checks not applicable now (meshes-removed.ts) that the latest run was blind to: the
   * run that last judged them says whether the mesh was there, so its removal is not lost
   * behind a partial run. Their findings are not taken (they compare with nothing now).
   */
  const meshWanted = new Set(meshChecksNotApplicable(current));
  const meshFrom = new Map<string, RunReport>();
  /** Checks evaluated now that the latest run was blind to. */
  let blindInLatest: string[] = [];
  const carried = carriedOpen(current);
  const from = new Map<string, RunReport>(); // check id -> older run supplying it
  const taken: Array<{ run: RunReport; checks: Set<string> }> = [];
  // A run between counted against another list (a metrics-server down for one run) must not
  // hide growth across it: the breadth comes from the newest run of the same basis.
  const currentRbac = current.details?.rbac;
  const sameBasis = (run: RunReport) => run.details?.rbac !== undefined && (currentRbac === undefined || breadthBasesMatch(run.details.rbac, currentRbac));
  let breadthFrom: RunReport | null = null;
  let newestBreadth: RunReport | null = null;
  let read = 0;
  /** Checks evaluated now with all their inputs (none degraded): their baseline run must have read them all too. */
  const fullNow = new Set(current.checks.filter((c) => evaluated(c) && !degraded(c)).map((c) => c.id));
  /** Those whose baseline run evaluated them degraded, sought on in older runs (Baseline.fullInputRuns). */
  const fullSought = new Set<string>();
  const fullTracked = new Set<string>();
  /** Check id -> the run that evaluated it with all its inputs, its summary there and its findings there. */
  const fullFrom = new Map<string, { run: string; summary: CheckSummary; findings: Finding[] }>();
  /** Baseline.fullInputCarry. */
  const carryIn: Record<string, FullInputCarry> = {};
  /** Its findings are taken from `run`, which evaluated it degraded: the run it carries ends the search at once, else older runs are read. */
  const seekFull = (id: string, run: RunReport) => {
    fullTracked.add(id);
    const carry = carryOf(run, id);
    if (carry === undefined) { fullSought.add(id); return; }
    fullFrom.set(id, { run: carry.runId, summary: carry.summary, findings: findingsOfCarry(carry) });
  };
  const noteCarry = (id: string, run: RunReport) => {
    const carry = carryOf(run, id);
    if (carry !== undefined) carryIn[id] = carry;
  };
  /** Check id -> its summary in the newest older run that found it not applicable, and that run. */
  const notApplicable = new Map<string, { summary: CheckSummary; run: RunReport }>();
  /**
   * Checks an older run did not have (stored by a version before the check was added): when
   * the walk finds no run that evaluated them, blind since then, so never compared with
   * anything — not comparable, as when the latest run lacks them, rather than compared with nothing.
   */
  const absent = new Set<string>();
  /** Checks a run read so far states an older run evaluated (evaluatedBefore): a run without them does not end their search. */
  const statedElsewhere = new Set<string>();
  // A run blind to every check still sought would only be passed over: unread, unless it found
  // one not applicable and no newer run did (that summary is kept), or the summary predates
  // that list. One thing is not in a summary: whether the run had the RBAC breadth; a run
  // blind to every sought check is almost always blind to RBAC too, and else the breadth comes
  // from an older run, which still shows growth.
  const wants = (summary: { blind?: string[]; notApplicable?: string[]; unjudgedNamespaces?: Record<string, string[]> }): boolean => {
    const { blind, notApplicable: na } = summary;
    if (latest === null || (fullSought.size > 0 && read < FULL_INPUT_WALK) || (wanted.size === 0 && carried.sought.size === 0 && namespacesSought.size === 0) || !Array.isArray(blind) || !Array.isArray(na)) return true;
    const blindTo = new Set(blind);
    const notApplicableIn = new Set(na);
    for (const id of wanted) if (!blindTo.has(id) || absent.has(id) || (notApplicableIn.has(id) && !notApplicable.has(id))) return true;
    for (const id of carried.sought) if (!blindTo.has(id) || carried.absentSeen.has(id)) return true;
    for (const id of meshWanted) if (!blindTo.has(id)) return true;
    // A run that evaluated a check and judged a namespace sought for it (one its summary does not list).
    for (const [id, names] of namespacesSought) {
      if (blindTo.has(id)) continue;
      const notJudgedThere = unjudgedNamespacesOf(summary, id);
      for (const ns of names) if (!notJudgedThere.has(ns)) return true;
    }
    return false;
  };
  for await (const run of typeof runs === 'function' ? runs({ wants }) : runs) {
    if (bestEffort !== undefined) inferDegraded(run, bestEffort);
    const checks = new Map(run.checks.map((c) => [c.id, c]));
    const carries = carried.next(run, checks, latest === null);
    const suppliesFull = latest !== null && fullInput(run, checks);
    for (const id of evaluatedBefore(run)) statedElsewhere.add(id);
    if (latest === null) {
      latest = run;
      // A mesh's check the latest run found not applicable while it was blind to others of the
      // same mesh (its own kinds read, pods not) is sought on too:
      // the run that last judged the mesh says how many of its checks it evaluated.
      const partial = meshPartial(checks);
      for (const id of [...meshWanted]) if (!partial(id)) meshWanted.delete(id);
      for (const id of [...wanted]) if (!unjudged(checks.get(id))) wanted.delete(id);
      for (const id of evaluatedNow) if (evaluated(checks.get(id))) seekNamespaces(id, checks.get(id)!);
      for (const id of fullNow) if (evaluated(checks.get(id)) && degraded(checks.get(id))) seekFull(id, run);
      for (const c of run.checks) if (evaluated(c) && degraded(c)) noteCarry(c.id, run);
      blindInLatest = [...wanted].filter((id) => isBlind(checks.get(id)!.status));
      if (run.details?.rbac) newestBreadth = run;
      if (sameBasis(run)) breadthFrom = run;
    } else {
      const partial = meshPartial(checks);
      for (const id of [...meshWanted]) {
        const c = checks.get(id);
        if (c !== undefined && partial(id)) continue;
        meshWanted.delete(id);
        if (evaluated(c)) meshFrom.set(id, run);
      }
      const supplies = namespacesJudged(run, checks);
      const here = new Set<string>();
      for (const id of [...wanted]) {
        const c = checks.get(id);
        if (c === undefined) {
          absent.add(id);
          // Stored by a version without it (an older CronJob image, a rollback) after a run that
          // evaluated it, as the latest run states: that run is sought on, past this one.
          if (statedElsewhere.has(id)) continue;
        }
        if (unjudged(c)) {
          if (c!.status === 'not-applicable' && !notApplicable.has(id)) notApplicable.set(id, { summary: c!, run });
          continue;
        }
        wanted.delete(id);
        if (evaluated(c)) {
          here.add(id);
          from.set(id, run);
          seekNamespaces(id, c!);
          if (fullNow.has(id) && degraded(c)) seekFull(id, run);
          if (degraded(c)) noteCarry(id, run);
        }
      }
      if (here.size > 0) taken.push({ run, checks: here });
      else if (!carries && !supplies && !suppliesFull) passed(run);
      if (!newestBreadth && run.details?.rbac) newestBreadth = run;
      if (!breadthFrom && sameBasis(run)) breadthFrom = run;
    }
    read++;
    // The breadth alone is sought back BREADTH_WALK runs at most: each is a whole report read, and
    // a basis that changed longer ago than that is said ("not compared") rather than searched for.
    const needBreadth = !breadthFrom && currentRbac !== undefined && read < BREADTH_WALK;
    const needFull = fullSought.size > 0 && read < FULL_INPUT_WALK;
    if (wanted.size === 0 && carried.sought.size === 0 && meshWanted.size === 0 && namespacesSought.size === 0 && !needBreadth && !needFull) break;
  }
  if (latest === null) return null;
  const lastEvaluatedOpen = carried.result(latest);
  const carriedFindings = carried.findings(lastEvaluatedOpen);
  const breadthRun = breadthFrom ?? newestBreadth;
  // Never evaluated, blind in the latest run, not applicable in an older one: that says more.
  const latestChecks = new Map(latest.checks.map((c) => [c.id, c]));
  for (const id of [...notApplicable.keys()]) if (from.has(id) || latestChecks.get(id)?.status === 'not-applicable') notApplicable.delete(id);
  // Blind in the latest run and in every older one that had it, back to the first stored run:
  // nothing to compare with either. One whose walk ended at a run without it is a catalog
  // addition blind ever since: not comparable, as without the blind runs in between.
  const neverEvaluated = blindInLatest.filter((id) => !from.has(id) && !notApplicable.has(id) && !absent.has(id));
  const notApplicableRuns: Record<string, string> = {};
  for (const id of neverEvaluated) notApplicableRuns[id] = latest.run.id;
  const namespaceRuns = namespaceFrom; // Baseline.namespaceRuns
  const fullInputRuns: Record<string, string | null> = {};
  for (const id of [...fullTracked].sort()) fullInputRuns[id] = fullFrom.get(id)?.run ?? null;
  if (taken.length === 0 && notApplicable.size === 0 && meshFrom.size === 0 && namespaceFindings.length === 0 && (breadthRun === null || breadthRun === latest)) return { latest, report: latest, olderRuns: {}, notApplicableRuns, namespaceRuns, lastEvaluatedOpen, carried: carriedFindings, fullInputRuns, fullInputCarry: carryIn, ...fullInputReportOf(latest) };

  const olderRuns: Record<string, string> = {};
  for (const [id, run] of from) olderRuns[id] = run.run.id;
  for (const [id, run] of meshFrom) olderRuns[id] = run.run.id;
  for (const [id, { run }] of notApplicable) notApplicableRuns[id] = run.run.id;
  const replaced = new Set(from.keys());
  const checks = latest.checks.map((c) => (replaced.has(c.id) ? from.get(c.id)!.checks.find((x) => x.id === c.id)! : meshFrom.get(c.id)?.checks.find((x) => x.id === c.id) ?? notApplicable.get(c.id)?.summary ?? c));
  const findings: Finding[] = latest.findings.filter((f) => !replaced.has(f.check));
  for (const { run, checks: ids } of taken) for (const f of run.findings) if (ids.has(f.check)) findings.push(f);
  for (const f of namespaceFindings) findings.push(f);
  const details = { ...latest.details };
  if (breadthRun && breadthRun !== latest) details.rbac = breadthRun.details.rbac;
  const breadthRunId = breadthRun && breadthRun !== latest ? { breadthRunId: breadthRun.run.id } : {};
  const report: RunReport = { ...latest, checks, findings, details };
  return { latest, report, olderRuns, notApplicableRuns, namespaceRuns, ...breadthRunId, lastEvaluatedOpen, carried: carriedFindings, fullInputRuns, fullInputCarry: carryIn, ...fullInputReportOf(report) };

  /** Baseline.fullInputReport: `base` with each check found in a run that read all its inputs taken from there. */
  function fullInputReportOf(base: RunReport): Pick<Baseline, 'fullInputReport'> {
    if (fullFrom.size === 0) return {};
    const fullChecks = base.checks.map((c) => fullFrom.get(c.id)?.summary ?? c);
    const fullFindings = base.findings.filter((f) => !fullFrom.has(f.check));
    for (const { findings: more } of fullFrom.values()) for (const f of more) fullFindings.push(f);
    return { fullInputReport: { ...base, checks: fullChecks, findings: fullFindings } };
  }

  /**
   * Ends the search of each check sought in fullSought that `run` (older than the one the check's
   * findings come from) settles: evaluated with all its inputs (found: its summary and findings
   * are taken), or neither evaluated nor blind (not applicable,
   * or stored by a version without it: nothing older compares). Passes over runs blind to it or
   * that evaluated it degraded too. Whether it supplied any (its spool stays open: a finding's
   * message is read from it). O(sought + the run's findings, once).
   */
  function fullInput(run: RunReport, checks: ReadonlyMap<string, CheckSummary>): boolean {
    if (fullSought.size === 0) return false;
    const found = new Set<string>();
    for (const id of [...fullSought]) {
      const c = checks.get(id);
      if (evaluated(c) && !degraded(c)) found.add(id);
      else if (evaluated(c) || (c !== undefined && isBlind(c.status))) continue;
      fullSought.delete(id);
    }
    if (found.size === 0) return false;
    const byCheck = new Map<string, Finding[]>([...found].map((id) => [id, []]));
    for (const f of run.findings) byCheck.get(f.check)?.push(f);
    for (const id of found) fullFrom.set(id, { run: run.run.id, summary: checks.get(id)!, findings: byCheck.get(id)! });
    return true;
  }

  /**
   * Ends the search of each namespace sought for a check that `run` (older than the one the
   * check's findings come from) judged: not blind to the check nor listing the namespace among
   * its unjudgedNamespaces. Its findings of the check there are taken; a run without the check
   * (an older version) ends the search with none. Whether it supplied any (its spool stays open).
   * O(namespaces sought + the run's findings, once).
   */
  function namespacesJudged(run: RunReport, checks: ReadonlyMap<string, CheckSummary>): boolean {
    if (namespacesSought.size === 0) return false;
    const judgedHere = new Map<string, Set<string>>();
    for (const [id, names] of namespacesSought) {
      const c = checks.get(id);
      if (unjudged(c)) continue;
      const notHere = new Set(Array.isArray(c?.unjudgedNamespaces) ? c.unjudgedNamespaces : []);
      for (const ns of names) {
        if (notHere.has(ns)) continue;
        names.delete(ns);
        if (c === undefined) continue;
        let here = judgedHere.get(id);
        if (!here) judgedHere.set(id, (here = new Set()));
        here.add(ns);
        let runs = namespaceFrom.get(id);
        if (!runs) namespaceFrom.set(id, (runs = new Map()));
        runs.set(ns, run.run.id);
      }
      if (names.size === 0) namespacesSought.delete(id);
    }
    if (judgedHere.size === 0) return false;
    const before = namespaceFindings.length;
    for (const f of run.findings) {
      const ns = findingNamespace(f.resource);
      if (ns !== undefined && judgedHere.get(f.check)?.has(ns) === true) namespaceFindings.push(f);
    }
    return namespaceFindings.length > before;
  }
}

/**
 * Whether a run says nothing of a mesh check: blind to it, or not applicable while blind to
 * another check of the same mesh (its own kinds read, pods not: the mesh half seen). O(mesh checks).
 */
function meshPartial(checks: ReadonlyMap<string, CheckSummary>): (id: string) => boolean {
  const halfSeen = new Set(Object.values(MESH_CHECKS).filter((ids) => ids.some((id) => isBlind(checks.get(id)?.status))).flat());
  return (id) => {
    const s = checks.get(id)?.status;
    return isBlind(s) || (s === 'not-applicable' && halfSeen.has(id));
  };
}

/**
 * What each check `current` could not evaluate found open when last evaluated, sought along
 * findBaseline's walk: in the latest run when it evaluated the check, else in the newest older
 * run that did, past runs blind to it (passed over unread by their summaries). That run's
 * findings are counted by `current`'s waivers at its start (openCarried), as its own findings
 * are: one waived there counts as open again once today's config ends or drops its waiver, and
 * one open there is waived when today's config waives it. The search for a check ends with nothing at a run that
 * found it not applicable or did not have it (older runs cannot know better), unless a run read
 * so far states an older run evaluated it (evaluatedBefore): a run without it is then passed over. A check whose
 * run was not found (unreadable, evicted) keeps what the latest run carried for it.
 */
function carriedOpen(current: Pick<RunReport, 'checks' | 'run' | 'waivers'>) {
  const blind = current.checks.filter((c) => isBlind(c.status)).map((c) => c.id);
  const walk = new CarriedWalk(blind);
  const sought = walk.sought;
  const stated = new Set<string>();
  /**
   * Sought checks a run walked so far did not have (stored by an older version): a run blind to
   * them is read rather than passed over by its summary, for what it states of them (evaluatedBefore).
   */
  const absentSeen = new Set<string>();
  const found = new Map<string, { runId: string; open: Record<Severity, number>; findings: Finding[]; waived: NonNullable<CarriedFindings['waived']> }>();
  const zero = () => Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  return {
    sought,
    absentSeen,
    /** Whether `run` supplies findings (its spool must stay open for them). */
    next(run: RunReport, checks: ReadonlyMap<string, CheckSummary>, isLatest: boolean): boolean {
      // A check the latest run does not have is sought on past it, as a blind one (what that run
      // carried for it stands when none is found: result); an older run without it ends the
      // search, unless the latest run states an older run evaluated it.
      // Every run read may state it (a partial run after an older-version run names the run that
      // evaluated the check before that one): a newer statement is as good as the latest run's.
      for (const id of evaluatedBefore(run)) stated.add(id);
      const here = new Map(walk.next((id) => {
        const c = checks.get(id);
        if (c === undefined) absentSeen.add(id);
        return evaluated(c) ? 'evaluated' : (c === undefined ? isLatest || stated.has(id) : isBlind(c.status)) ? 'blind' : 'ended';
      }).map((id) => [id, zero()]));
      if (here.size === 0) return false;
      const { open, waived } = carriedFindingsOf(current, run, new Set(here.keys()));
      const byCheck = new Map<string, Finding[]>();
      for (const f of open) {
        here.get(f.check)![f.severity]++;
        const list = byCheck.get(f.check);
        if (list) list.push(f); else byCheck.set(f.check, [f]);
      }
      const waivedByCheck = new Map<string, NonNullable<CarriedFindings['waived']>>();
      for (const w of waived) {
        const list = waivedByCheck.get(w.finding.check);
        if (list) list.push(w); else waivedByCheck.set(w.finding.check, [w]);
      }
      for (const [id, n] of here) found.set(id, { runId: run.run.id, open: n, findings: byCheck.get(id) ?? [], waived: waivedByCheck.get(id) ?? [] });
      return open.length > 0 || waived.length > 0;
    },
    /** The open and the waived findings of the checks `result` carries, by run. */
    findings(result: NonNullable<RunReport['run']['lastEvaluatedOpen']>): CarriedFindings[] {
      const byRun = new Map<string, Required<CarriedFindings>>();
      for (const e of result) {
        const f = found.get(e.check);
        if (!f || f.runId !== e.runId || (f.findings.length === 0 && f.waived.length === 0)) continue;
        let c = byRun.get(f.runId);
        if (!c) byRun.set(f.runId, (c = { runId: f.runId, findings: [], waived: [] }));
        for (const x of f.findings) c.findings.push(x);
        for (const x of f.waived) c.waived.push(x);
      }
      return [...byRun.values()].map(({ runId, findings, waived }) => ({ runId, findings, ...(waived.length > 0 ? { waived } : {}) }));
    },
    result(latest: RunReport): NonNullable<RunReport['run']['lastEvaluatedOpen']> {
      const stored = new Map((latest.run.lastEvaluatedOpen ?? []).map((e) => [e.check, e]));
      const out: NonNullable<RunReport['run']['lastEvaluatedOpen']> = [];
      for (const id of blind) {
        const e = found.get(id);
        if (e) {
          // Zero too: "run X evaluated it and found nothing open" overrides what a reader held from an older run (serve's /metrics).
          if (e.waived.length === 0) { out.push({ check: id, runId: e.runId, open: e.open }); continue; }
          const waivedBySeverity = zero();
          for (const w of e.waived) waivedBySeverity[w.finding.severity]++;
          out.push({ check: id, runId: e.runId, open: e.open, waived: e.waived.length, waivedBySeverity });
          continue;
        }
        const kept = sought.has(id) ? stored.get(id) : undefined;
        // A kept entry of a run stored before waivedBySeverity has the bare count only: kept as it is.
        if (kept) out.push({ check: kept.check, runId: kept.runId, open: { ...kept.open }, ...(kept.waived ? { waived: kept.waived } : {}), ...(kept.waived && kept.waivedBySeverity ? { waivedBySeverity: { ...kept.waivedBySeverity } } : {}) });
      }
      return out;
    },
  };
}
