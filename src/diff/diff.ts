// Run-to-run comparison and the regression rules. Pure: two reports in, a RunDiff out.
//
// Coverage-aware: a check compares when it was evaluated (pass or fail) in both runs. A check
// not evaluated now (a kind was forbidden, the check errored, it was switched off) is listed
// in notComparable and its findings are not resolved — missing data is never a fix. One that
// was not applicable before and is evaluated now (enabled again, a mesh appeared, no run
// evaluated it: baseline.ts) compares with nothing: its findings are new, since a mature
// auditor would rather report new exposure than hide it; so does one blind before as in every
// stored run that had it (baseline.ts names it in notApplicableRuns). One blind before with
// nothing said of it, or absent (a catalog addition), is not comparable. Waived findings are
// never "new": they are listed apart (newlyWaived), and one that its waiver covers only through related objects (the role a new
// subject is bound to) is a regression, since the waiver was not written for it; so is a waived
// finding that escalated or widened since (waivedGrowthLines). The pipeline hands in a
// per-check baseline (baseline.ts): a check not evaluated in the previous run is compared
// with the last run in which it was, so a partial run leaves no blind spot behind it. A finding
// that persists but covers more than it did (its extent: src/run/extent.ts) widened: new
// exposure under an old fingerprint, a regression like a new finding of its severity. A mesh
// whose checks all turned not applicable (uninstalled) is one too (meshes-removed.ts).
import { AREAS, SEVERITIES, type Area, type Severity } from '../base/vocabulary.ts';
import { waiverMatches, waiverNamesResource } from '../run/waivers.ts';
import { findingNamespace, isBlind, isEvaluated } from '../run/coverage.ts';
import { BREADTH_LISTED, broadestSubjects } from '../run/breadth.ts';
import { EXTENT_NAMED, widenedMembers, widenedMembersText } from '../run/extent.ts';
import { explainScoreChanges, rebuiltAreaScores, type FindingPairs } from './score-causes.ts';
import { absorbsFormerFindings, formerFingerprints, formerWorkloads, generatedShapes, hasFormerFingerprints } from './former-keys.ts';
import { meshesRemoved, removedMeshText } from './meshes-removed.ts';
import type { Config } from '../config/types.ts';
import type { UnreadableRunError } from '../base/errors.ts';
import type { AreaScoreChange, BreadthEntry, CheckSummary, Finding, FullInputCarry, NewlyWaivedFinding, RunDiff, RunReport, RunSummary, ScoreCause, WaiverStatus, WidenedFinding } from '../run/types.ts';

export interface DiffOptions {
  rules: Config['regression'];
  /** Fingerprints whose waiver expired in the current run (auditSnapshot's expiredWaivers). */
  expiredWaivers: string[];
  /** Checks whose part of `previous` comes from an older run (Baseline.olderRuns). */
  olderRuns?: Record<string, string>;
  /**
   * Checks compared with nothing (Baseline.notApplicableRuns): with the not-applicable state of
   * a run older than `previous`, or, naming `previous`, with its blind state (no stored run evaluated them).
   */
  notApplicableRuns?: Record<string, string>;
  /** The run the RBAC breadth of `previous` comes from, when not `previous`'s own (Baseline.breadthRunId). */
  breadthRunId?: string;
  /**
   * Namespaces `previous` could not judge whose findings it holds from an older run: check id ->
   * namespace -> that run's id (Baseline.namespaceRuns). Those still not judged now are listed in
   * RunDiff.notJudgedRuns.
   */
  namespaceRuns?: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /**
   * Checks `previous` holds as evaluated without some best-effort input, evaluated now with all:
   * check id -> the last run that read them all, or null (Baseline.fullInputRuns). Their
   * escalations and their area's drop are judged against `fullInputReport`, or not at all.
   */
  fullInputRuns?: Record<string, string | null>;
  /** `previous` with those checks as the run named in `fullInputRuns` had them (Baseline.fullInputReport). */
  fullInputReport?: RunReport;
  /**
   * Checks `previous` holds as evaluated without some best-effort input: the last run that read
   * them all as that run carried it (Baseline.fullInputCarry), carried on in this run's
   * RunDiff.fullInputCarry when it missed an input too.
   */
  fullInputCarry?: Record<string, FullInputCarry>;
}

/** At most this many one-line reasons per rule; the rest are summed up in one more line. */
export const MAX_REASONS_PER_RULE = 20;

const round1 = (n: number) => Math.round(n * 10) / 10;

/** The best-effort inputs a check was judged without (CheckSummary.degraded), sorted; empty when none or not a list. */
export function degradedKinds(c: CheckSummary | undefined): string[] {
  return Array.isArray(c?.degraded) ? c.degraded.filter((k): k is string => typeof k === 'string').sort() : [];
}

function severityRank(s: Severity): number {
  // critical = 0 ... low = 3; smaller is worse.
  const i = SEVERITIES.indexOf(s);
  return i < 0 ? SEVERITIES.length : i;
}

export function describeResource(r: Finding['resource']): string {
  return `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
}

function subjectKey(s: BreadthEntry['subject']): string {
  return `${s.kind}\u0000${s.namespace ?? ''}\u0000${s.name}`;
}

function describeSubject(s: BreadthEntry['subject']): string {
  return `${s.kind} ${s.namespace ? `${s.namespace}/` : ''}${s.name}`;
}

function capped(lines: string[], more: (n: number) => string): string[] {
  if (lines.length <= MAX_REASONS_PER_RULE) return lines;
  return [...lines.slice(0, MAX_REASONS_PER_RULE), more(lines.length - MAX_REASONS_PER_RULE)];
}

export function diffRuns(previous: RunReport, current: RunReport, options: DiffOptions): RunDiff {
  const { rules } = options;

  // Which checks compare.
  const prevChecks = new Map(previous.checks.map((c) => [c.id, c]));
  const prevStatus = (id: string) => prevChecks.get(id)?.status;
  const curStatus = new Map(current.checks.map((c) => [c.id, c.status]));
  const notComparable: string[] = [];
  const comparable = new Set<string>();
  const firstEvaluated: string[] = [];
  // Blind in `previous` and in every stored run before it that had it (Baseline.notApplicableRuns
  // names `previous` for those): compared with nothing, as one not applicable there.
  const na = options.notApplicableRuns ?? {};
  const neverEvaluated = (id: string) => isBlind(prevStatus(id)) && Object.hasOwn(na, id) && na[id] === previous.run.id;
  for (const id of new Set([...prevChecks.keys(), ...curStatus.keys()])) {
    const a = isEvaluated(prevStatus(id));
    const b = isEvaluated(curStatus.get(id));
    if (a && b) comparable.add(id);
    else if (b && (prevStatus(id) === 'not-applicable' || neverEvaluated(id))) {
      comparable.add(id);
      firstEvaluated.push(id);
    } else if (a || b) notComparable.push(id);
  }
  notComparable.sort();
  firstEvaluated.sort();

  // Findings by fingerprint, paired in one pass (at 150k pods each run holds ~400,000).
  const pairs = pairFindings(previous.findings, current.findings, comparable);
  const added: Finding[] = [];
  const addedWaived: Finding[] = [];
  let persisting = 0;
  /** Current fingerprint -> the previous finding paired under an earlier one (pairFindings). */
  const renamedFrom = new Map<string, Finding>();
  for (let i = 0; i < pairs.current.length; i++) {
    const was = pairs.was[i];
    if (was === undefined) (pairs.current[i].waived ? addedWaived : added).push(pairs.current[i]);
    else {
      persisting++;
      if (was.fingerprint !== pairs.current[i].fingerprint) renamedFrom.set(pairs.current[i].fingerprint, was);
    }
  }
  // A finding waived in both runs that now covers more (a waiver on Namespace shop, one more
  // workload of shop open): the waiver was written against what existed, so it is listed with
  // what it now also hides, as a new finding under a waiver is.
  const grownWaived = widenedFindings(pairs, new Set(firstEvaluated), true);
  const newlyWaived = [
    ...newlyWaivedOf(addedWaived, current.waivers ?? []),
    ...newlyWaivedOf(grownWaived.map(({ w }) => w), current.waivers ?? []).map((n, i) => {
      const { unit, before, after, added, others } = grownWaived[i]!.d;
      return { ...n, widened: { unit, before, after, added, ...(others ? { others } : {}) } };
    }),
  ];
  const waivedFindings = [...addedWaived, ...grownWaived.map(({ w }) => w)];
  // A previous finding on a resource this run could not judge (its Namespace not in the input)
  // is gone for want of data: carried as not judged, never resolved (missing data is not a fix).
  const { notJudged, lostSight } = notJudgedOf(pairs, previous, current);
  const resolved = pairs.resolved.map((f) => f.fingerprint);

  // Scores.
  const delta = (a: number | null | undefined, b: number | null | undefined) =>
    a === null || a === undefined || b === null || b === undefined ? null : round1(b - a);
  // An area holding a check that was evaluated in only one run has no meaningful delta (its
  // score moved because data went missing or came back, not because posture changed), and
  // neither has the overall score then.
  // Likewise an area with a check compared with an older run: the previous score was computed
  // without that check. And one with a check whose severity changed (config, catalog): its
  // score moved because the weights did, not the cluster.
  const checkArea = new Map([...previous.checks, ...current.checks].map((c) => [c.id, c.area]));
  const olderRuns = options.olderRuns ?? {};
  // A severity `previous` lowered for want of a best-effort input (a Certificate or LimitRange it
  // could not read) is no baseline for a run that read them: escalations and area drops of such
  // a check are judged against the last run that read them too, or not at all (new and resolved
  // findings still are against `previous`: a partial run resolves nothing, a new finding is new).
  const fullInputRuns: Record<string, string | null> = {};
  for (const [id, run] of Object.entries(options.fullInputRuns ?? {})) if (comparable.has(id) && !firstEvaluated.includes(id)) fullInputRuns[id] = run;
  // The reverse: a check judged now without a best-effort input, where `previous` read it (or
  // missed other ones). Its severities moved for want of data, either way (enforce-missing is
  // high where the Kyverno Deployment could not be read, medium where it is seen), so none of
  // its escalations, nor its area's drop, is judged: "escalated medium → high" on identical input
  // was a false alarm. Judged as ever when both runs missed the same kinds (the same basis).
  const degradedNow = new Map<string, string[]>();
  for (const c of current.checks) {
    const now = degradedKinds(c);
    if (now.length === 0 || !comparable.has(c.id) || firstEvaluated.includes(c.id)) continue;
    const before = degradedKinds(prevChecks.get(c.id));
    if (before.length !== now.length || before.some((k) => !now.includes(k))) degradedNow.set(c.id, now);
  }
  // `previous` judged it without some input and this run read them all, with no run that did
  // handed in (a caller without the baseline walk): not judged either, rather than against it.
  for (const c of current.checks) {
    if (comparable.has(c.id) && !firstEvaluated.includes(c.id) && degradedKinds(c).length === 0 && degradedKinds(prevChecks.get(c.id)).length > 0 && !Object.hasOwn(fullInputRuns, c.id)) fullInputRuns[c.id] = null;
  }
  const fullInputSeverity = new Map<string, Severity>();
  for (const f of options.fullInputReport?.findings ?? []) if (typeof fullInputRuns[f.check] === 'string') fullInputSeverity.set(f.fingerprint, f.severity);
  /** The severity `was` is compared with for an escalation, and the run it is `previous`'s own or comes from; undefined: not judged. */
  const severityBefore = (was: Finding): { severity: Severity; since?: string } | undefined => {
    if (degradedNow.has(was.check)) return undefined;
    if (!Object.hasOwn(fullInputRuns, was.check)) return { severity: was.severity };
    const run = fullInputRuns[was.check];
    const severity = run === null ? undefined : fullInputSeverity.get(was.fingerprint);
    return severity === undefined ? undefined : { severity, since: run! };
  };
  const reweighted = current.checks.filter((c) => { const was = prevChecks.get(c.id)?.severity; return comparable.has(c.id) && was !== undefined && was !== c.severity; }).map((c) => c.id);
  const partialAreas = new Set([...notComparable, ...firstEvaluated, ...reweighted].map((id) => checkArea.get(id)));
  // And one whose findings left it unjudged: its score moved because data went missing. Or came
  // back: a namespace `previous` could not judge and this run does (its findings there were
  // carried from an older run; the previous score did not count them).
  for (const f of lostSight) partialAreas.add(f.area);
  for (const id of judgedAgain(previous, current, comparable)) partialAreas.add(checkArea.get(id));
  for (const id of degradedNow.keys()) partialAreas.add(checkArea.get(id));
  // An area with checks compared with older runs and nothing else amiss has no delta since
  // `previous`, yet its drop is judged (olderAreaDrops): else a partial run in between would hide it.
  const sinceOlder = olderAreaDrops(options.fullInputReport ?? previous, current, olderRuns, fullInputRuns, checkArea, partialAreas);
  for (const id of Object.keys(olderRuns)) partialAreas.add(checkArea.get(id));
  for (const id of Object.keys(fullInputRuns)) partialAreas.add(checkArea.get(id));
  // And an area scored in one run only (n/a in the other: the first Ingress brings tls): the
  // overall score is a mean over the areas scored, so it moved by the area joining the mean.
  for (const area of scoredInOneRun(previous.score, current.score)) partialAreas.add(area);
  const areas = {} as RunDiff['scoreDelta']['areas'];
  for (const area of AREAS) areas[area] = partialAreas.has(area) ? null : delta(previous.score.areas?.[area], current.score.areas?.[area]);
  const scoreDelta = { overall: partialAreas.size > 0 ? null : delta(previous.score.overall, current.score.overall), areas };

  // RBAC breadth: subjects present in both runs whose breadth grew. A new subject is not
  // "growth" (its permissions show up as new findings of the RBAC checks). Only between runs
  // that counted wildcards against the same list of resource types: a metrics-server down for
  // one run changes the list, not what anyone can do.
  const breadthGrowth: RunDiff['breadthGrowth'] = [];
  const breadthBefore: NonNullable<RunDiff['breadthBefore']> = [];
  const prevBreadth = previous.details?.rbac?.breadth;
  const curBreadth = current.details?.rbac?.breadth;
  // The breadth may be an older run's (baseline.ts): every line showing it names that run.
  const breadthRunId = options.breadthRunId !== undefined && options.breadthRunId !== previous.run.id ? options.breadthRunId : undefined;
  const breadthSince = breadthRunId !== undefined ? ` since run ${breadthRunId}` : '';
  const breadthNotCompared = prevBreadth && curBreadth ? breadthBasesDiffer(breadthRunId ?? previous.run.id, previous, current) : undefined;
  if (prevBreadth && curBreadth && breadthNotCompared === undefined) {
    const before = new Map(prevBreadth.map((e) => [subjectKey(e.subject), e.breadth]));
    for (const e of curBreadth) {
      const b = before.get(subjectKey(e.subject));
      if (b === undefined || !(b > 0) || !(e.breadth > b)) continue;
      breadthGrowth.push({ subject: e.subject, before: b, after: e.breadth, growthPercent: round1((100 * (e.breadth - b)) / b) });
    }
    breadthGrowth.sort((x, y) => y.growthPercent - x.growthPercent || describeSubject(x.subject).localeCompare(describeSubject(y.subject)));
    // The compared run's breadth of the subjects the report's posture table lists (bounded: the
    // table shows the broadest few), so it can say "new" and shrinking as well as growth.
    for (const e of broadestSubjects(curBreadth, BREADTH_LISTED)) breadthBefore.push({ subject: e.subject, before: before.get(subjectKey(e.subject)) ?? null });
  }

  // A severity that moved with the input (degradedNow, fullInputRuns) is said as such in the
  // score's causes, not as an escalation or de-escalation.
  const inputChanged = new Map<string, string>();
  for (const [id, kinds] of degradedNow) inputChanged.set(id, `not compared: this run judged it without ${kinds.join(', ')}, which it could not read`);
  for (const id of Object.keys(fullInputRuns)) inputChanged.set(id, `not compared: run ${previous.run.id} judged it without ${degradedKinds(prevChecks.get(id)).join(', ')}, which it could not read`);
  const scoreChanges = explainScoreChanges(previous, current, pairs, areas, inputChanged);
  const grown = widenedFindings(pairs, new Set(firstEvaluated));

  // Regression rules, one line per reason. `fromNewFindings` counts those that new findings
  // make (serve --watch holds back a repeat alert only when it has no other reason: coverage
  // lost, an escalation or an expired waiver is said once, at the transition).
  const reasons: string[] = [];
  let fromNewFindings = 0;
  // Coverage lost: a check the previous run evaluated that this one could not (a kind became
  // forbidden, the check threw). Silence must never look like compliance. Said once, at the
  // transition: the next runs, still blind, find it blind in the previous run too.
  reasons.push(...coverageLost(previous, current));
  // Likewise findings the previous run had on what this one could not judge: said at the
  // transition (the next run's previous run has them no more). Only those a new finding of the
  // same severity would count for: losing sight of a finding is no worse than it appearing new.
  // All of them stay in diff.notJudged and the reports' notes.
  // Not for those `previous` could not judge either (carried from an older run): said already.
  if (rules.newFindingSeverity !== 'none') reasons.push(...notJudgedLines(lostSight, previous.run.id, severityRank(rules.newFindingSeverity)));
  // A mesh gone: its checks turn not applicable, which nothing above counts (meshes-removed.ts).
  // First: all of a mesh's traffic turned plaintext outweighs any single finding.
  const removedMeshes = meshesRemoved(previous, current, olderRuns);
  reasons.unshift(...removedMeshes.map(removedMeshText));
  if (rules.newFindingSeverity !== 'none') {
    const threshold = severityRank(rules.newFindingSeverity);
    const serious = added
      .filter((f) => severityRank(f.severity) <= threshold)
      .sort((x, y) => severityRank(x.severity) - severityRank(y.severity) || x.check.localeCompare(y.check) || describeResource(x.resource).localeCompare(describeResource(y.resource)));
    const seriousLines = capped(
      serious.map((f) => `new ${f.severity} finding: ${f.check} on ${describeResource(f.resource)}`),
      (n) => `…and ${n} more new findings of severity ${rules.newFindingSeverity} or worse`,
    );
    reasons.push(...seriousLines);
    fromNewFindings += seriousLines.length;
    // A new finding that a waiver hides only through what it stems from (a new ServiceAccount
    // bound to the waived ClusterRole) is what the waiver's author never saw: as serious as
    // the same finding unwaived. Not for a check evaluated for the first time: compared with
    // nothing, everything it finds is "new", including what the waiver was written for.
    const first = new Set(firstEvaluated);
    const widened = newlyWaived
      .map((n, i) => ({ n, f: waivedFindings[i]! }))
      .filter(({ n, f }) => n.throughRelated && !first.has(n.check) && severityRank(f.severity) <= threshold)
      .sort(({ f: x }, { f: y }) => severityRank(x.severity) - severityRank(y.severity) || x.check.localeCompare(y.check) || describeResource(x.resource).localeCompare(describeResource(y.resource)));
    reasons.push(...capped(
      widened.map(({ n, f }) => `waiver ${n.waiver.check} ${describeWaived(n.waiver.resource)} now also covers ${n.widened ? `more of ${describeResource(f.resource)} (${f.severity} finding widened: ${widenedMembersText(n.widened)})` : `${describeResource(f.resource)} (new ${f.severity} finding)`}`),
      (n) => `…and ${n} more new findings of severity ${rules.newFindingSeverity} or worse that waivers cover only through related objects`,
    ));
    // A persisting finding that got worse (same fingerprint: a DestinationRule from SIMPLE to
    // DISABLE) and is now as serious as a new finding must be to count. Not when its check was
    // re-weighted: then every finding of the check moved, and nothing in the cluster did.
    const reweightedChecks = new Set(reweighted);
    const escalated: Array<[{ severity: Severity; since?: string }, Finding]> = [];
    for (let i = 0; i < pairs.current.length; i++) {
      const f = pairs.current[i];
      const was = pairs.was[i];
      if (!was || f.waived || was.waived || reweightedChecks.has(f.check)) continue;
      const before = severityBefore(was);
      if (before !== undefined && severityRank(f.severity) < severityRank(before.severity) && severityRank(f.severity) <= threshold) escalated.push([before, f]);
    }
    escalated.sort(([, x], [, y]) => severityRank(x.severity) - severityRank(y.severity) || x.check.localeCompare(y.check) || describeResource(x.resource).localeCompare(describeResource(y.resource)));
    reasons.push(...capped(
      escalated.map(([was, f]) => `escalated ${was.severity} → ${f.severity}: ${f.check} on ${describeResource(f.resource)}${was.since !== undefined ? ` since run ${was.since}, the last to read all its inputs` : ''}`),
      (n) => `…and ${n} more findings escalated to severity ${rules.newFindingSeverity} or worse`,
    ));
    // A waived finding that grew beyond what its waiver was granted for (escalated, or covering
    // more under a waiver that names it): the waiver accepted the exposure as it was then.
    reasons.push(...capped(
      waivedGrowthLines(previous, current, pairs, grownWaived, first, reweightedChecks, threshold, severityBefore),
      (n) => `…and ${n} more waived findings of severity ${rules.newFindingSeverity} or worse that grew beyond their waiver`,
    ));
    // A persisting finding that now covers more (a deny-all deleted in a namespace already
    // failing: one more workload open) is new exposure under an old fingerprint: as serious as
    // a new finding of its severity, and held back by serve --watch like one.
    const widenedLines = capped(
      grown.filter(({ w }) => severityRank(w.severity) <= threshold).map(({ d, all }) => widenedText(d, all)),
      (n) => `…and ${n} more findings of severity ${rules.newFindingSeverity} or worse that widened`,
    );
    reasons.push(...widenedLines);
    fromNewFindings += widenedLines.length;
  }
  if (rules.areaScoreDrop > 0) {
    const worsened = worsenedAreas(pairs, grown, new Set(reweighted));
    for (const area of AREAS) {
      const older = sinceOlder.get(area);
      const d = older?.delta ?? areas[area];
      if (d === null || -d < rules.areaScoreDrop) continue;
      const cause = dropCause(scoreChanges[area], worsened.has(area));
      if (cause === null) continue;
      reasons.push(older
        ? `${area} score dropped ${round1(-d)} points (${older.before} → ${current.score.areas[area]}) since ${older.runs.length === 1 ? 'run' : 'runs'} ${older.runs.join(', ')} (${older.degraded ? `run ${previous.run.id} did not evaluate some of its checks or could not read all their inputs: each compared with the last run that evaluated it with all its inputs` : `run ${previous.run.id} did not evaluate some of its checks: each compared with the last run that did`})`
        : `${area} score dropped ${round1(-d)} points (${previous.score.areas[area]} → ${current.score.areas[area]})`);
      if (cause === 'new-findings') fromNewFindings++;
    }
  }
  if (rules.breadthGrowthPercent > 0) {
    reasons.push(...capped(
      breadthGrowth
        .filter((g) => g.growthPercent >= rules.breadthGrowthPercent)
        .map((g) => `${describeSubject(g.subject)} can do ${g.growthPercent}% more (RBAC breadth ${g.before} → ${g.after}${breadthSince})`),
      (n) => `…and ${n} more subjects whose RBAC breadth grew ${rules.breadthGrowthPercent}% or more`,
    ));
  }
  if (rules.expiredWaiver) reasons.push(...capped(newlyExpired(previous, current, options.expiredWaivers, renamedFrom), (n) => `…and ${n} more findings whose waiver expired`));
  // Waived last run, open now, and not because a waiver expired: the waiver no longer covers
  // what the finding stems from (a new ClusterRoleBinding grants the same Group cluster-admin).
  // Not under regression.expiredWaiver: that rule is about waivers running out, and turning it
  // off must not hide a grant nobody waived.
  const expired = new Set(options.expiredWaivers);
  const lost: string[] = [];
  for (let i = 0; i < pairs.current.length; i++) {
    const f = pairs.current[i];
    if (!f.waived && pairs.was[i]?.waived === true && !expired.has(f.fingerprint)) lost.push(`no longer covered by its waiver: ${f.check} on ${describeResource(f.resource)}`);
  }
  reasons.push(...capped(lost, (n) => `…and ${n} more findings no longer covered by their waiver`));

  return {
    previousRunId: previous.run.id,
    previousStartedAt: previous.run.startedAt,
    new: added.map((f) => f.fingerprint),
    resolved,
    persisting,
    scoreDelta,
    breadthGrowth,
    ...(breadthNotCompared !== undefined ? { breadthNotCompared } : {}),
    ...(breadthBefore.length > 0 ? { breadthBefore } : {}),
    ...(breadthRunId !== undefined && prevBreadth && curBreadth ? { breadthBaselineRunId: breadthRunId } : {}),
    notComparable,
    ...(notJudged.length > 0 ? { notJudged: notJudged.map((f) => f.fingerprint) } : {}),
    ...notJudgedRunsOf(notJudged, lostSight, options.namespaceRuns),
    ...(Object.keys(olderRuns).length > 0 ? { olderBaselines: olderRuns } : {}),
    ...(Object.keys(fullInputRuns).length > 0 ? { fullInputBaselines: fullInputRuns } : {}),
    ...fullInputCarryOf(previous, prevChecks, current, olderRuns, options.fullInputCarry),
    ...degradedAreasOf(current),
    ...(firstEvaluated.length > 0 ? { firstEvaluated } : {}),
    ...notApplicableBaselinesOf(firstEvaluated, previous.run.id, options.notApplicableRuns),
    ...(newlyWaived.length > 0 ? { newlyWaived } : {}),
    ...(grown.length > 0 ? { widened: grown.map(({ d }) => d) } : {}),
    ...(removedMeshes.length > 0 ? { meshesRemoved: removedMeshes } : {}),
    partial: notComparable.length > 0,
    regression: reasons.length > 0,
    regressionReasons: reasons,
    ...(fromNewFindings > 0 ? { newFindingReasons: fromNewFindings } : {}),
    scoreChanges,
  };
}

/** RunDiff.degradedAreas: each area of `current` with checks judged without some best-effort input -> those kinds, sorted. */
function degradedAreasOf(current: RunReport): Pick<RunDiff, 'degradedAreas'> {
  const out: Partial<Record<Area, Set<string>>> = {};
  for (const c of current.checks) {
    if (!isEvaluated(c.status)) continue;
    for (const k of degradedKinds(c)) (out[c.area] ??= new Set()).add(k);
  }
  const areas = Object.entries(out) as Array<[Area, Set<string>]>;
  return areas.length > 0 ? { degradedAreas: Object.fromEntries(areas.map(([a, kinds]) => [a, [...kinds].sort()])) } : {};
}

/**
 * RunDiff.fullInputCarry: for each check `current` evaluated without some best-effort input,
 * the last run that evaluated it with all of them: `previous` (or the older run its summary
 * comes from) when it did, else what `previous` carried for it (`carried`, Baseline.fullInputCarry).
 * Absent when it knows none. One pass over `previous`'s findings, and only when such a check is.
 */
function fullInputCarryOf(previous: RunReport, prevChecks: ReadonlyMap<string, CheckSummary>, current: RunReport, olderRuns: Record<string, string>, carried: Record<string, FullInputCarry> | undefined): Pick<RunDiff, 'fullInputCarry'> {
  const out: Record<string, FullInputCarry> = {};
  const fromPrevious = new Map<string, FullInputCarry>();
  for (const c of current.checks) {
    if (!isEvaluated(c.status) || degradedKinds(c).length === 0) continue;
    const p = prevChecks.get(c.id);
    if (p !== undefined && isEvaluated(p.status) && degradedKinds(p).length === 0) {
      const entry: FullInputCarry = { runId: olderRuns[c.id] ?? previous.run.id, summary: p, findings: [] };
      fromPrevious.set(c.id, entry);
      out[c.id] = entry;
    } else if (degradedKinds(p).length > 0 && carried !== undefined && Object.hasOwn(carried, c.id)) out[c.id] = carried[c.id]!;
  }
  if (fromPrevious.size > 0) for (const f of previous.findings) fromPrevious.get(f.check)?.findings.push([f.fingerprint, f.severity, f.waived === true]);
  return Object.keys(out).length > 0 ? { fullInputCarry: out } : {};
}

/**
 * The open findings of both runs (paired by fingerprint) whose extent grew (src/run/extent.ts),
 * at the same or a higher severity, worst first: `d` as RunDiff.widened lists it, `all` every
 * member its listings prove added, `w` the current finding. A run stored before extents
 * existed has none: nothing is claimed then. A check evaluated for the first time compared
 * with nothing, so nothing of it widened.
 */
function widenedFindings(pairs: FindingPairs, firstEvaluated: ReadonlySet<string>, waived = false): Array<{ d: WidenedFinding; all: string[]; w: Finding }> {
  const out: Array<{ d: WidenedFinding; all: string[]; w: Finding }> = [];
  for (let i = 0; i < pairs.current.length; i++) {
    const f = pairs.current[i];
    const was = pairs.was[i];
    if (f.extent === undefined || was?.extent === undefined || f.waived !== waived || was.waived !== waived || firstEvaluated.has(f.check)) continue;
    if (severityRank(f.severity) > severityRank(was.severity)) continue;
    const added = widenedMembers(was.extent, f.extent);
    if (added === null) continue;
    out.push({
      d: { fingerprint: f.fingerprint, check: f.check, resource: f.resource, unit: f.extent.unit, before: was.extent.count, after: f.extent.count, added: added.named.slice(0, EXTENT_NAMED), ...(added.others > 0 ? { others: added.others } : {}) },
      all: added.named,
      w: f,
    });
  }
  return out.sort(({ w: x }, { w: y }) => severityRank(x.severity) - severityRank(y.severity) || x.check.localeCompare(y.check) || describeResource(x.resource).localeCompare(describeResource(y.resource)));
}

/** "network.X on Namespace shop widened: now also Deployment shop/api (3 → 4 workloads)". */
function widenedText(d: WidenedFinding, all: readonly string[]): string {
  const counts = `(${d.before} → ${d.after} ${d.unit})`;
  const on = `${d.check} on ${describeResource(d.resource)} widened`;
  const others = d.others ? `${d.others} other ${d.others === 1 ? d.unit.replace(/ies$/, 'y').replace(/s$/, '') : d.unit}` : '';
  if (all.length === 0) return `${on}: ${others ? `now covers ${others}` : d.after > d.before ? `now covers more ${d.unit}` : `now covers other ${d.unit}`} ${counts}`;
  const more = all.length > d.added.length ? ` and ${all.length - d.added.length} more` : '';
  return `${on}: now also ${d.added.join(', ')}${more}${others ? `, and ${others}` : ''} ${counts}`;
}

/** At most this many API groups named in a "breadth not compared" line; the rest are counted. */
const MAX_GROUPS_NAMED = 5;

type RbacDetails = NonNullable<RunReport['details']['rbac']>;

/** A breadth basis as a "breadth not compared" line says it. */
function basisText(rbac: RbacDetails): string {
  if (rbac.breadthBasis === 'served') return 'the resources the API server serves';
  if (rbac.breadthBasis === 'built-in') return 'the built-in resource list (API discovery unknown)';
  const groups = Array.isArray(rbac.breadthMissingGroups) ? rbac.breadthMissingGroups.map((g) => (g === '' ? 'core' : g)) : [];
  const named = groups.slice(0, MAX_GROUPS_NAMED).join(', ') + (groups.length > MAX_GROUPS_NAMED ? ` and ${groups.length - MAX_GROUPS_NAMED} more` : '');
  return `partial API discovery (${named ? `${named}: ` : ''}discovery failed, built-in list used for ${groups.length === 1 ? 'it' : 'them'})`;
}

/**
 * Whether two runs' RBAC breadths were counted against the same resource list
 * (details.rbac.breadthBasis): both the served resources, both the built-in list, or both
 * partial with the same API groups missing (the same served groups, the same built-in stand-in
 * for the missing ones: a stale APIService left behind by an uninstalled metrics-server makes
 * every run partial, and breadth must still compare). A run stored before the basis was
 * recorded compares as it always did with any complete one. baseline.ts takes the breadth
 * from the newest run for which this holds.
 */
export function breadthBasesMatch(a: Pick<RbacDetails, 'breadthBasis' | 'breadthMissingGroups'>, b: Pick<RbacDetails, 'breadthBasis' | 'breadthMissingGroups'>): boolean {
  const complete = (x: typeof a) => x.breadthBasis === undefined || x.breadthBasis === 'served' || x.breadthBasis === 'built-in';
  if (complete(a) && complete(b)) return a.breadthBasis === undefined || b.breadthBasis === undefined || a.breadthBasis === b.breadthBasis;
  if (a.breadthBasis !== 'partial' || b.breadthBasis !== 'partial' || !Array.isArray(a.breadthMissingGroups) || !Array.isArray(b.breadthMissingGroups)) return false;
  const x = [...new Set(a.breadthMissingGroups)].sort();
  const y = [...new Set(b.breadthMissingGroups)].sort();
  return x.length === y.length && x.every((g, i) => g === y[i]);
}

/**
 * Why two runs' RBAC breadths do not compare (RunDiff.breadthNotCompared), or undefined when
 * they do (breadthBasesMatch). The baseline reaches back to the newest stored run whose basis
 * matches: this line means none did.
 */
function breadthBasesDiffer(previousId: string, previous: RunReport, current: RunReport): string | undefined {
  const a = previous.details.rbac!;
  const b = current.details.rbac!;
  if (breadthBasesMatch(a, b)) return undefined;
  const said = (x: typeof a) => (x.breadthBasis === undefined ? 'an unrecorded resource list' : basisText(x));
  return `RBAC breadth not compared: run ${previousId} counted it against ${said(a)}, run ${current.run.id} against ${said(b)}`;
}

/** Causes that lower an area's score only as data gone (passing objects deleted or out of scope), or raise it. */
const NOT_WORSE: ReadonlySet<ScoreCause['kind']> = new Set(['passes-removed', 'resolved-findings', 'passes-added', 'waived', 'unitemised']);

/**
 * Why an area's score dropped, from its causes (explainScoreChanges), the one rule for whether
 * the drop is a regression and whether serve --watch may hold it back:
 * - 'new-findings': new findings appeared in the area, and the drop is theirs (a default-deny
 *   deleted brings its finding, and the passes of the policy's own checks go with the object);
 * - 'posture': something else there got worse: findings no longer waived, a persisting finding
 *   escalated or widened (`worsened`, worsenedAreas), or a cause not known to be harmless;
 * - null: the drop is only data gone: passing objects deleted or out of scope and findings
 *   resolved with them (a well-kept namespace uninstalled). No regression, as for a score that
 *   moved because a check was evaluated in one run only: posture did not change.
 */
function dropCause(change: AreaScoreChange | undefined, worsened: boolean): 'new-findings' | 'posture' | null {
  if (change === undefined) return 'posture';
  if (change.causes.some((c) => c.kind === 'new-findings')) return 'new-findings';
  // A severity change in an area that has a delta is a finding's (a re-weighted check leaves
  // its area without one): de-escalated unless `worsened` says otherwise.
  if (worsened || change.causes.some((c) => !NOT_WORSE.has(c.kind) && c.kind !== 'severity-changed')) return 'posture';
  return null;
}

/**
 * The areas where a persisting open finding got worse: escalated (not by a re-weight of its
 * check), or widened (`grown`: one more workload open under a namespace's finding).
 */
function worsenedAreas(pairs: FindingPairs, grown: ReadonlyArray<{ w: Finding }>, reweighted: ReadonlySet<string>): Set<string> {
  const out = new Set<string>(grown.map(({ w }) => w.area));
  for (let i = 0; i < pairs.current.length; i++) {
    const f = pairs.current[i];
    const was = pairs.was[i];
    if (was && !f.waived && !was.waived && !reweighted.has(f.check) && severityRank(f.severity) < severityRank(was.severity)) out.add(f.area);
  }
  return out;
}

/**
 * For each area whose checks `previous` holds partly from older runs (olderRuns: baseline.ts), or
 * holds as evaluated without some best-effort input while `current` read them all (fullInputRuns:
 * compared with the last run that read them), and that nothing else left without a delta
 * (`partial`): its score at the baseline and the change to `current`'s, for the area-score-drop
 * rule. The baseline score is rebuilt from `previous`'s check summaries and findings (for
 * fullInputRuns, `previous` is Baseline.fullInputReport), every check at its state in the run it was compared with: what
 * the area's per-check causes (score-causes.ts) add up to, so the drop is the findings and passes
 * the diff lists. That is right also when those checks come from different runs, where no stored
 * score is: `previous`'s left the blind checks out, and an older run's would count again the
 * other checks' changes since, which the runs in between judged. Absent where either score is n/a,
 * and for an area with a check no run that read all its inputs was found for (null): its drop
 * since then is not known.
 */
function olderAreaDrops(previous: RunReport, current: RunReport, olderRuns: Record<string, string>, fullInputRuns: Record<string, string | null>, checkArea: ReadonlyMap<string, Area>, partial: ReadonlySet<Area | undefined>): Map<Area, { before: number; delta: number; runs: string[]; degraded: boolean }> {
  const out = new Map<Area, { before: number; delta: number; runs: string[]; degraded: boolean }>();
  const runsOf = new Map<Area, Set<string>>();
  const degradedIn = new Set<Area>();
  const unknown = new Set<Area>();
  const add = (id: string, run: string | null, isDegraded: boolean) => {
    const area = checkArea.get(id);
    if (area === undefined || partial.has(area)) return;
    if (isDegraded) degradedIn.add(area);
    if (run === null) { unknown.add(area); return; }
    let runs = runsOf.get(area);
    if (!runs) runsOf.set(area, (runs = new Set()));
    runs.add(run);
  };
  for (const [id, run] of Object.entries(olderRuns)) add(id, run, false);
  for (const [id, run] of Object.entries(fullInputRuns)) add(id, run, true);
  for (const area of unknown) runsOf.delete(area);
  if (runsOf.size === 0) return out;
  const rebuilt = rebuiltAreaScores(previous);
  for (const [area, runs] of runsOf) {
    const before = rebuilt[area];
    const after = current.score.areas[area];
    if (before === null || after === null || after === undefined) continue;
    out.set(area, { before, delta: round1(after - before), runs: [...runs].sort(), degraded: degradedIn.has(area) });
  }
  return out;
}

/** The areas with a score in exactly one of two runs (null or absent in the other). */
function scoredInOneRun(a: { areas?: Partial<Record<string, number | null>> } | undefined, b: { areas?: Partial<Record<string, number | null>> } | undefined): Area[] {
  const scored = (s: typeof a, area: string) => typeof s?.areas?.[area] === 'number';
  return AREAS.filter((area) => scored(a, area) !== scored(b, area));
}

/** RunDiff.notApplicableBaselines: the runs older than `previousId` of `notApplicableRuns` that checks evaluated for the first time were compared with. */
function notApplicableBaselinesOf(firstEvaluated: readonly string[], previousId: string, notApplicableRuns: Record<string, string> = {}): Pick<RunDiff, 'notApplicableBaselines'> {
  const out: Record<string, string> = {};
  for (const id of firstEvaluated) if (Object.hasOwn(notApplicableRuns, id) && notApplicableRuns[id] !== previousId) out[id] = notApplicableRuns[id];
  return Object.keys(out).length > 0 ? { notApplicableBaselines: out } : {};
}

/** A waiver's resource as configured: "ClusterRole ci-deployer", "NetworkPolicy shop/*". */
function describeWaived(r: WaiverStatus['resource']): string {
  return `${r.kind ?? '*'} ${r.namespace ? `${r.namespace}/` : ''}${r.name ?? '*'}`;
}

/**
 * Each waived new finding with the waiver it fell under, in the same order. A waiver that names
 * the finding's own resource is preferred to one that only reaches it through related objects:
 * whoever wrote it meant that resource, whichever waiver came first in the config.
 */
function newlyWaivedOf(findings: readonly Finding[], waivers: readonly WaiverStatus[]): NewlyWaivedFinding[] {
  if (findings.length === 0) return [];
  const holding = waivers.filter((w) => w.state === 'active' || w.state === 'expiring-soon');
  return findings.map((f) => {
    const own = holding.find((w) => waiverNamesResource(w, f));
    const w = own ?? holding.find((x) => waiverMatches(x, f));
    return {
      fingerprint: f.fingerprint, check: f.check, resource: f.resource,
      // A stored run's finding marked waived with no waiver status to match (edited by hand):
      // the check's own name stands in, and it is not called a widening.
      waiver: { check: w?.check ?? f.check, resource: w ? w.resource : {} },
      throughRelated: own === undefined && w !== undefined,
    };
  });
}

/**
 * One line per waived finding, in both runs under the same fingerprint, that grew beyond what
 * its waiver was granted for, worst first: escalated (not by a re-weight of its check) or widened
 * beyond the waived scope (`grownWaived`, as beyondWaivedScope keeps it), at or above the
 * new-finding `threshold`. A waiver is written against the
 * exposure it saw: a namespace's exec that becomes cluster-wide is not what was accepted. Left
 * out: one that widened under a waiver reaching it only through related objects (that rule
 * says it already), a check compared with nothing, and one whose waiver changed in this run
 * (its reason, owner or expiry, or the rule matching it, differ from the previous run's): a
 * waiver re-granted as the finding grew was granted for what it covers now.
 */
function waivedGrowthLines(previous: RunReport, current: RunReport, pairs: FindingPairs, grownWaived: ReadonlyArray<{ d: WidenedFinding; w: Finding }>, first: ReadonlySet<string>, reweighted: ReadonlySet<string>, threshold: number, severityBefore: (was: Finding) => { severity: Severity } | undefined): string[] {
  const widenedBy = new Map(grownWaived.map(({ d, w }) => [w.fingerprint, d]));
  const waivedBefore = new Set((previous.waivers ?? []).map(waiverKey));
  const grew: Array<{ f: Finding; line: string }> = [];
  for (let i = 0; i < pairs.current.length; i++) {
    const f = pairs.current[i];
    const was = pairs.was[i];
    if (!was || !f.waived || !was.waived || first.has(f.check) || severityRank(f.severity) > threshold) continue;
    const before = severityBefore(was);
    const escalated = !reweighted.has(f.check) && before !== undefined && severityRank(f.severity) < severityRank(before.severity);
    const widened = beyondWaivedScope(was, f, widenedBy.get(f.fingerprint));
    if (!escalated && !widened) continue;
    const [n] = newlyWaivedOf([f], current.waivers ?? []);
    if (!escalated && n.throughRelated) continue;
    const rule = (current.waivers ?? []).find((w) => w.check === n.waiver.check && JSON.stringify(w.resource) === JSON.stringify(n.waiver.resource));
    const sameRef = f.waiver !== undefined && was.waiver !== undefined && f.waiver.reason === was.waiver.reason && f.waiver.owner === was.waiver.owner && f.waiver.expires === was.waiver.expires;
    if (!sameRef || (rule !== undefined && previous.waivers !== undefined && !waivedBefore.has(waiverKey(rule)))) continue;
    const what = [...(escalated ? [`escalated ${before!.severity} → ${f.severity}`] : []), ...(widened ? [`widened: ${widenedMembersText(widened)}`] : [])].join(' and ');
    grew.push({ f, line: `waived finding grew beyond its waiver (${n.waiver.check} ${describeWaived(n.waiver.resource)}): ${f.check} on ${describeResource(f.resource)} ${what}` });
  }
  grew.sort(({ f: x }, { f: y }) => severityRank(x.severity) - severityRank(y.severity) || x.check.localeCompare(y.check) || describeResource(x.resource).localeCompare(describeResource(y.resource)));
  return grew.map(({ line }) => line);
}

/**
 * What a waived finding's widening (`d`) added beyond the scope its waiver was granted for, or
 * undefined when nothing did. Permissions (RBAC findings: one more verb, resource or namespace a
 * subject holds) are all real growth, as are violations (a grouped workload finding's failed
 * controls by task, src/analysis/workloads.ts violationsOf: one more privileged task). Workloads
 * and policies are members inside the finding's
 * reach: one in the namespace the finding is about (a Namespace's default-deny finding), or in a
 * namespace the finding already had a listed member in, is churn under the same exposure (an
 * Argo Workflow or CronJob Job of a new generated name each night), not growth; one in another
 * namespace is (a mesh-wide PeerAuthentication now reaching a namespace it did not). Members
 * past the listing are known by hash only and cannot be placed: under a Namespace finding they
 * are inside it, elsewhere they are not counted.
 */
function beyondWaivedScope(was: Finding, f: Finding, d: WidenedFinding | undefined): WidenedFinding | undefined {
  if (d === undefined || /(permissions|violations)$/.test(d.unit)) return d;
  const own = f.resource.kind === 'Namespace' ? f.resource.name : undefined;
  const held = new Set((was.extent?.members ?? []).map(memberNamespace));
  const outside = (widenedMembers(was.extent, f.extent)?.named ?? []).filter((m) => {
    const ns = memberNamespace(m);
    return ns !== own && !held.has(ns);
  });
  if (outside.length === 0) return undefined;
  return { ...d, added: outside.slice(0, EXTENT_NAMED), others: undefined };
}

/** The namespace of an extent member ("Workflow ci/build-1", "ci/api[Deployment]"), '' when it names none. */
function memberNamespace(m: string): string {
  return /^(?:[^ /]+ )?([^ /]+)\//.exec(m)?.[1] ?? '';
}

/** A waiver rule as configured, to tell whether it is the same in two runs. */
function waiverKey(w: WaiverStatus): string {
  return JSON.stringify([w.check, w.resource.kind ?? null, w.resource.namespace ?? null, w.resource.name ?? null, w.reason, w.owner, w.expires]);
}

/** Check id -> the namespaces `report` lists it could not judge (CheckSummary.unjudgedNamespaces), for the checks that list some. */
function unjudgedByCheck(report: RunReport): Map<string, ReadonlySet<string>> {
  const out = new Map<string, ReadonlySet<string>>();
  for (const c of report.checks) if (Array.isArray(c.unjudgedNamespaces) && c.unjudgedNamespaces.length > 0) out.set(c.id, new Set(c.unjudgedNamespaces));
  return out;
}

/**
 * Takes out of `pairs.resolved` the previous findings whose resource the current run could not
 * judge: their check lists the namespace among its unjudgedNamespaces (the Namespace object is
 * not in the input), and the finding is on that Namespace or on an object in it. Returns them,
 * and `lostSight`, those of them `previous` judged (also set as `pairs.notJudged`: they left the
 * score now); the others `previous` could not judge either, its findings there carried from an
 * older run (baseline.ts), in neither run's score. A namespace deleted with everything in it is
 * named by nothing now, so its findings still resolve. O(previous findings).
 */
function notJudgedOf(pairs: FindingPairs, previous: RunReport, current: RunReport): { notJudged: Finding[]; lostSight: Finding[] } {
  const unjudged = unjudgedByCheck(current);
  if (unjudged.size === 0) return { notJudged: [], lostSight: [] };
  const before = unjudgedByCheck(previous);
  const resolved: Finding[] = [];
  const notJudged: Finding[] = [];
  const lostSight: Finding[] = [];
  for (const f of pairs.resolved) {
    const names = unjudged.get(f.check);
    const ns = findingNamespace(f.resource);
    if (names === undefined || ns === undefined || !names.has(ns)) { resolved.push(f); continue; }
    notJudged.push(f);
    if (before.get(f.check)?.has(ns) !== true) lostSight.push(f);
  }
  pairs.resolved = resolved;
  if (lostSight.length > 0) pairs.notJudged = lostSight;
  return { notJudged, lostSight };
}

/**
 * The comparable checks with a namespace `previous` could not judge and `current` does: the
 * previous score left it out, this one counts it. O(checks + their unjudged namespaces).
 */
function judgedAgain(previous: RunReport, current: RunReport, comparable: ReadonlySet<string>): string[] {
  const before = unjudgedByCheck(previous);
  if (before.size === 0) return [];
  const now = unjudgedByCheck(current);
  return [...before].filter(([id, names]) => comparable.has(id) && [...names].some((ns) => now.get(id)?.has(ns) !== true)).map(([id]) => id);
}

/**
 * RunDiff.notJudgedRuns: each finding not judged now that `previous` could not judge either
 * (not in `lostSight`), with the older run it comes from (`namespaceRuns`). O(not judged).
 */
function notJudgedRunsOf(notJudged: readonly Finding[], lostSight: readonly Finding[], namespaceRuns: DiffOptions['namespaceRuns']): Pick<RunDiff, 'notJudgedRuns'> {
  if (notJudged.length === lostSight.length || namespaceRuns === undefined) return {};
  const lost = new Set(lostSight);
  const entries: Array<[string, string]> = [];
  for (const f of notJudged) {
    const run = lost.has(f) ? undefined : namespaceRuns.get(f.check)?.get(findingNamespace(f.resource)!);
    if (run !== undefined) entries.push([f.fingerprint, run]);
  }
  // Object.fromEntries: a fingerprint read from a stored run is data, "__proto__" included.
  return entries.length > 0 ? { notJudgedRuns: Object.fromEntries(entries) } : {};
}

/** At most this many namespaces named in a "could not judge" line; the rest are counted. */
const MAX_NAMESPACES_NAMED = 5;

/**
 * "could not judge: …" lines for the open findings of `previousId` this run could not judge, at
 * or above the severity rank `threshold` (regression.newFindingSeverity), one per check, worst
 * first: silence about them must not read as compliance.
 */
function notJudgedLines(notJudged: readonly Finding[], previousId: string, threshold: number): string[] {
  const byCheck = new Map<string, Finding[]>();
  for (const f of notJudged) {
    if (f.waived || severityRank(f.severity) > threshold) continue;
    let list = byCheck.get(f.check);
    if (!list) byCheck.set(f.check, (list = []));
    list.push(f);
  }
  const worst = (fs: readonly Finding[]) => Math.min(...fs.map((f) => severityRank(f.severity)));
  const groups = [...byCheck].sort(([x, a], [y, b]) => worst(a) - worst(b) || x.localeCompare(y));
  return capped(groups.map(([check, fs]) => {
    const names = [...new Set(fs.map((f) => findingNamespace(f.resource)!))].sort();
    const shown = names.slice(0, MAX_NAMESPACES_NAMED).join(', ') + (names.length > MAX_NAMESPACES_NAMED ? ` and ${names.length - MAX_NAMESPACES_NAMED} more` : '');
    const severities = SEVERITIES.map((s) => [s, fs.filter((f) => f.severity === s).length] as const).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}`).join(', ');
    return `could not judge: ${check} had ${fs.length} open finding(s) (${severities}) in run ${previousId} in ${names.length === 1 ? 'namespace' : 'namespaces'} ${shown}, which this run could not judge (objects in ${names.length === 1 ? 'it' : 'them'} are in the input, the Namespace object is not); not resolved`;
  }), (n) => `…and ${n} more checks with findings this run could not judge`);
}

/** At most this many check ids named in one "coverage lost" line; the rest are counted. */
const MAX_CHECKS_NAMED = 10;

/** "coverage lost: …" lines, one per reason the checks give, most checks first. */
function coverageLost(previous: RunReport, current: RunReport): string[] {
  const before = new Map(previous.checks.map((c) => [c.id, c.status]));
  const byReason = new Map<string, string[]>();
  for (const c of current.checks) {
    if (!isBlind(c.status) || !isEvaluated(before.get(c.id))) continue;
    const why = c.reason ?? c.status;
    let ids = byReason.get(why);
    if (!ids) byReason.set(why, (ids = []));
    ids.push(c.id);
  }
  const groups = [...byReason].sort((x, y) => y[1].length - x[1].length || x[0].localeCompare(y[0]));
  return capped(groups.map(([why, ids]) => {
    ids.sort();
    const named = ids.slice(0, MAX_CHECKS_NAMED).join(', ') + (ids.length > MAX_CHECKS_NAMED ? ` and ${ids.length - MAX_CHECKS_NAMED} more` : '');
    return `coverage lost: ${ids.length} check(s) the previous run evaluated could not be evaluated: ${named} (${why})`;
  }), (n) => `…and ${n} more reasons checks could not be evaluated`);
}

/**
 * The findings of the comparable checks, matched by fingerprint within their check: each
 * current finding with its previous one (or undefined: new), and the previous findings no
 * current one matches (resolved). A fingerprint listed twice under one check in one run counts
 * once, with its last finding, at its first place. A current finding no previous one matches
 * is matched, failing that, by a fingerprint it had under an earlier ztaudit (former-keys.ts),
 * with a previous finding no other current one matches; `was` then holds another fingerprint.
 */
export function pairFindings(previous: readonly Finding[], current: readonly Finding[], comparable: ReadonlySet<string>): FindingPairs {
  // A fingerprint hashes its check's id (src/engine/fingerprint.ts), so findings pair within
  // their check: one map per check, the largest ~150,000 entries at L, instead of one for all
  // ~800,000 of both runs, whose look-ups miss the CPU's caches (half the time). A check's
  // findings come in a row (the audit runs one check at a time): its map is looked up once
  // per row. Each map holds both runs' fingerprints, written once per previous finding and
  // once per new one: a previous finding's place as a number >= 0, a new current finding's as
  // -(place + 1). curOf[j] is 1 + the place of the current finding paired with previous
  // finding j (0: none, resolved).
  const byCheck = new Map<string, Map<string, number>>();
  let rowCheck: string | undefined;
  let row: Map<string, number> | null = null;
  /** The map of `f`'s check, or null when the check does not compare. */
  const mapOf = (f: Finding): Map<string, number> | null => {
    if (f.check === rowCheck) return row;
    rowCheck = f.check;
    row = byCheck.get(f.check) ?? null;
    if (row === null && comparable.has(f.check)) byCheck.set(f.check, (row = new Map()));
    return row;
  };
  const prev: Finding[] = [];
  for (const f of previous) {
    const at = mapOf(f);
    if (at === null) continue;
    const i = at.get(f.fingerprint);
    if (i === undefined) { at.set(f.fingerprint, prev.length); prev.push(f); } else prev[i] = f;
  }
  const curOf = new Int32Array(prev.length);
  const cur: Finding[] = [];
  const was: Array<Finding | undefined> = [];
  /** Places of new current findings that may have had another fingerprint (former-keys.ts). */
  const renamed: number[] = [];
  for (const f of current) {
    const at = mapOf(f);
    if (at === null) continue;
    const j = at.get(f.fingerprint);
    if (j === undefined) {
      at.set(f.fingerprint, -cur.length - 1);
      if (hasFormerFingerprints(f.check)) renamed.push(cur.length);
      cur.push(f);
      was.push(undefined);
    } else if (j < 0) cur[-j - 1] = f;
    else if (curOf[j] !== 0) cur[curOf[j] - 1] = f;
    else {
      curOf[j] = cur.length + 1;
      cur.push(f);
      was.push(prev[j]);
    }
  }
  // Once every exact match is made: a finding whose key changed in an upgrade persists as its
  // stored self, under an earlier fingerprint no current finding holds, the likeliest first.
  // A finding that now stands for several stored ones (a Pipeline's finding, its TaskRuns' each
  // stored under their own name: absorbsFormerFindings) absorbs every one no current finding holds: none of them is
  // resolved, and it is compared with the worst of them (the first among equals), so it did not
  // escalate because its first workload was the milder one.
  for (const i of renamed) {
    const at = byCheck.get(cur[i].check)!;
    for (const fp of formerFingerprints(cur[i])) {
      const j = at.get(fp);
      if (j === undefined || j < 0 || curOf[j] !== 0) continue;
      curOf[j] = i + 1;
      const held = was[i];
      if (held === undefined || severityRank(prev[j].severity) < severityRank(held.severity)) was[i] = prev[j];
      if (!absorbsFormerFindings(cur[i].check)) break;
    }
  }
  // A stored finding under a workload's own generated name that no longer runs (a nightly
  // Pipeline ran again since the last run of the older version): absorbed by the one grouped
  // finding whose workloads include the same workload of tonight's run, its name differing only in
  // the generated segment (generatedShapes). None when two grouped findings claim that shape:
  // a guess would hide a resolved finding.
  const shapes = new Map<string, number>();
  for (const i of renamed) {
    if (!absorbsFormerFindings(cur[i].check)) continue;
    for (const w of formerWorkloads(cur[i])) {
      for (const key of generatedShapes(cur[i].check, w)) {
        const at = shapes.get(key);
        shapes.set(key, at === undefined || at === i ? i : -1);
      }
    }
  }
  if (shapes.size > 0) {
    for (let j = 0; j < prev.length; j++) {
      if (curOf[j] !== 0 || !absorbsFormerFindings(prev[j].check)) continue;
      let i = -1;
      for (const key of generatedShapes(prev[j].check, prev[j].resource)) {
        const at = shapes.get(key);
        if (at === undefined) continue;
        if (at === -1 || (i !== -1 && i !== at)) { i = -2; break; }
        i = at;
      }
      if (i < 0) continue;
      curOf[j] = i + 1;
      const held = was[i];
      if (held === undefined || severityRank(prev[j].severity) < severityRank(held.severity)) was[i] = prev[j];
    }
  }
  const resolved: Finding[] = [];
  for (let j = 0; j < prev.length; j++) if (curOf[j] === 0) resolved.push(prev[j]);
  return { current: cur, was, resolved };
}

/**
 * Expired waivers that are news: the finding was waived (or absent) in the previous run, under
 * its fingerprint or one it had under an earlier ztaudit (`renamedFrom`).
 * A waiver that had already expired then was reported by that run's diff; repeating it every
 * night until someone acts would teach people to ignore the alert.
 */
function newlyExpired(previous: RunReport, current: RunReport, expired: string[], renamedFrom: ReadonlyMap<string, Finding>): string[] {
  if (expired.length === 0) return [];
  const before = new Map(previous.findings.map((f) => [f.fingerprint, f]));
  const now = new Map(current.findings.map((f) => [f.fingerprint, f]));
  const lines: string[] = [];
  for (const fp of [...new Set(expired)].sort()) {
    const prev = before.get(fp) ?? renamedFrom.get(fp);
    if (prev && !prev.waived) continue;
    const f = now.get(fp);
    if (!f) continue;
    const w = waiverFor(current.waivers, f);
    lines.push(`waiver expired: ${f.check} on ${describeResource(f.resource)}${w ? ` (expired ${w.expires}, owner ${w.owner})` : ''}`);
  }
  return lines;
}

function waiverFor(waivers: WaiverStatus[], f: Finding): WaiverStatus | undefined {
  return waivers.find((w) => w.state === 'expired' && waiverMatches(w, f));
}

/**
 * The fingerprints whose waiver had expired when a stored run was made, recovered from the
 * report itself (for `ztaudit diff` over stored runs, where the engine's list is gone).
 */
export function expiredWaiversOf(report: RunReport): string[] {
  const out: string[] = [];
  for (const f of report.findings) if (!f.waived && waiverFor(report.waivers ?? [], f)) out.push(f.fingerprint);
  return out;
}

/**
 * The regression since a stored run whose report cannot be read, judged by its stored summary
 * (findings per severity, scores) with the same rules as diffRuns: more unwaived findings at or
 * above `newFindingSeverity`, or an area's or the overall score down by `areaScoreDrop` or more.
 * That run's alert (or its all-clear) is the last the on-call engineer saw; the diff against an
 * older readable run alone would call a finding that came back since "persisting". null when
 * nothing got worse. As in diffRuns, a check judged in only one of the two runs is left out:
 * its findings are not counted now when that run could not evaluate it, and its area's score
 * (and the overall one) are not compared; nor when an area was scored in only one of the two.
 */
export function regressionSinceSummary(runId: string, summary: RunSummary, current: RunReport, rules: Config['regression']): string | null {
  const blindThen = new Set(Array.isArray(summary.blind) ? summary.blind : []);
  const notApplicableThen = new Set(Array.isArray(summary.notApplicable) ? summary.notApplicable : []);
  const notCompared = new Set<string>();
  const partialAreas = new Set<string>();
  for (const c of current.checks) {
    if (isEvaluated(c.status) === !blindThen.has(c.id)) continue;
    partialAreas.add(c.area);
    if (isEvaluated(c.status) && !notApplicableThen.has(c.id)) notCompared.add(c.id);
  }
  for (const area of scoredInOneRun(summary.score, current.score)) partialAreas.add(area);
  const parts: string[] = [];
  const counts = summary.findings as Partial<Record<Severity, number>> | undefined;
  if (rules.newFindingSeverity !== 'none' && counts && typeof counts === 'object') {
    const threshold = severityRank(rules.newFindingSeverity);
    const serious = SEVERITIES.filter((s) => severityRank(s) <= threshold);
    const now = Object.fromEntries(serious.map((s) => [s, 0])) as Record<Severity, number>;
    for (const f of current.findings) if (!f.waived && f.severity in now && !notCompared.has(f.check)) now[f.severity]++;
    const then = (s: Severity) => (typeof counts[s] === 'number' ? counts[s] : 0);
    if (serious.reduce((n, s) => n + now[s], 0) > serious.reduce((n, s) => n + then(s), 0)) {
      parts.push(...serious.filter((s) => now[s] !== then(s)).map((s) => `${s} findings ${then(s)} → ${now[s]}`));
    }
  }
  if (rules.areaScoreDrop > 0) {
    const dropped = (a: number | null | undefined, b: number | null | undefined) => typeof a === 'number' && typeof b === 'number' && -round1(b - a) >= rules.areaScoreDrop;
    const shown = (n: number) => n.toFixed(1);
    if (partialAreas.size === 0 && dropped(summary.score?.overall, current.score.overall)) parts.push(`overall score ${shown(summary.score.overall!)} → ${shown(current.score.overall!)}`);
    for (const area of AREAS) {
      const a = summary.score?.areas?.[area];
      const b = current.score.areas[area];
      if (!partialAreas.has(area) && dropped(a, b)) parts.push(`${area} score ${shown(a!)} → ${shown(b!)}`);
    }
  }
  return parts.length > 0 ? `since run ${runId} (unreadable; compared by its stored summary): ${parts.join(', ')}` : null;
}

/**
 * `diff` with the regression since the newest of `newer` (the stored runs newer than its
 * baseline that could not be read, newest first), judged by that run's stored summary: that run
 * is what was last reported. The pipeline and `diff --last` both call it.
 */
export function addRegressionSinceUnreadable(diff: RunDiff, newer: readonly UnreadableRunError[], current: RunReport, rules: Config['regression']): void {
  const run = newer[0];
  // The stores set it from their summary column or index (sqlite.ts, postgres.ts, k8s.ts).
  const since = run?.summary ? regressionSinceSummary(run.runId, run.summary as RunSummary, current, rules) : null;
  if (since === null) return;
  diff.regressionReasons.push(since);
  diff.regression = true;
}

/**
 * The diff of a run none of whose earlier stored runs of its cluster can be read (`unreadable`,
 * newest first, as the baseline walk met them), when the newest one's stored summary reads and
 * what it reported got worse (regressionSinceSummary): a regression the alert must carry, since
 * that run's report was the last the on-call engineer saw and an undiffed run alerts nobody.
 * Only that is known: no finding is called new or resolved, no score delta is given
 * (RunDiff.bySummary). null when there is no such summary or nothing got worse: the run is
 * then not diffed, as before.
 */
export function diffBySummary(unreadable: readonly UnreadableRunError[], current: RunReport, rules: Config['regression']): RunDiff | null {
  const run = unreadable[0];
  const summary = run?.summary as RunSummary | undefined;
  if (!run || !summary) return null;
  const since = regressionSinceSummary(run.runId, summary, current, rules);
  if (since === null) return null;
  return {
    previousRunId: run.runId,
    previousStartedAt: summary.startedAt,
    new: [],
    resolved: [],
    persisting: 0,
    scoreDelta: { overall: null, areas: Object.fromEntries(AREAS.map((a) => [a, null])) as RunDiff['scoreDelta']['areas'] },
    breadthGrowth: [],
    notComparable: [],
    unreadableRuns: unreadable.map((e) => e.runId),
    partial: false,
    bySummary: true,
    regression: true,
    regressionReasons: [since],
  };
}
