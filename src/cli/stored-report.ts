// What a stored run is rendered with, the same for `ztaudit report RUN` and serve's /runs/:id:
// the score trend of its cluster up to that run (never the runs stored after it) and its
// previous run, whose findings give the resolved ones their details. That run may be missing:
// retention may have evicted it (the oldest kept run's always is, by count or by age), or it is
// stored but cannot be read (a corrupt report, a damaged k8s:// index entry); the report then
// says which, and is rendered all the same.
import { UnreadableRunError } from '../base/errors.ts';
import { oneLine } from '../base/plain-text.ts';
import { reportFileOf, type ReportFormat } from '../report/render.ts';
import { SEVERITIES } from '../base/vocabulary.ts';
import type { RunStore } from '../history/store.ts';
import type { PreviousMissing } from '../report/view/types.ts';
import { carriedFindingsOf } from '../diff/baseline.ts';
import type { CarriedFindings, Finding, RunReport, TrendPoint } from '../run/types.ts';
import { splitCarried } from '../run/waivers.ts';

export const TREND_POINTS = 30;

export interface StoredRunExtras { trend: TrendPoint[]; previous: RunReport | null; previousMissing?: PreviousMissing }

export async function storedRunExtras(store: RunStore, report: RunReport): Promise<StoredRunExtras> {
  const trend = await store.trend(TREND_POINTS, report.run.cluster.name, report.run.startedAt);
  if (!report.diff) return { trend, previous: null };
  try {
    const previous = await store.get(report.diff.previousRunId);
    return previous ? { trend, previous } : { trend, previous: null, previousMissing: 'evicted' };
  } catch (error: unknown) {
    if (!(error instanceof UnreadableRunError)) throw error;
    return { trend, previous: null, previousMissing: 'unreadable' };
  }
}

/** A stored run by id (`previous` when it is that one), or null when it is no longer stored or cannot be read. */
async function storedRunOrNull(store: Pick<RunStore, 'get'>, runId: string, previous: RunReport | null): Promise<RunReport | null> {
  if (previous?.run.id === runId) return previous;
  try {
    return await store.get(runId);
  } catch (error: unknown) {
    if (!(error instanceof UnreadableRunError)) throw error;
    return null;
  }
}

/**
 * The open and the waived findings of the checks `report` could not evaluate, read again from the runs its
 * run.lastEvaluatedOpen names, as the run's own report.sarif listed them (Baseline.carried).
 * A run no longer stored or unreadable is named in `missing`: its findings cannot be listed.
 */
export async function storedCarried(store: Pick<RunStore, 'get'>, report: RunReport, previous: RunReport | null): Promise<{ carried: CarriedFindings[]; missing: string[] }> {
  const checksOf = new Map<string, Set<string>>();
  for (const e of report.run.lastEvaluatedOpen ?? []) {
    // A run that found none open or waived had nothing to list: it need not be read, nor missed.
    if (!e.waived && SEVERITIES.every((s) => e.open[s] === 0)) continue;
    const set = checksOf.get(e.runId);
    if (set) set.add(e.check); else checksOf.set(e.runId, new Set([e.check]));
  }
  const carried: CarriedFindings[] = [];
  const missing: string[] = [];
  for (const [runId, checks] of checksOf) {
    const run = await storedRunOrNull(store, runId, previous);
    if (!run) { missing.push(runId); continue; }
    const { open, waived } = carriedFindingsOf(report, run, checks);
    if (open.length > 0 || waived.length > 0) carried.push({ runId, findings: open, ...(waived.length > 0 ? { waived } : {}) });
  }
  return { carried, missing };
}

/** What storedNotJudged found: the findings carried, the runs it could not read, how many it could not list. */
export interface StoredNotJudged { carried: CarriedFindings[]; missing: string[]; leftOut: number }

/**
 * The findings of the namespaces `report` could not judge (RunDiff.notJudged), read again from
 * the runs that last judged them, as the run's own report.sarif and report.junit.xml listed
 * them (notJudgedCarried in src/diff/baseline.ts): each from RunDiff.notJudgedRuns, else the
 * run its check was compared with (RunDiff.olderBaselines), else the previous run; split by the
 * run's waivers at its start. Those runs are read newest-named first and no further than the
 * fingerprints sought; a run no longer stored or unreadable is named in `missing`, and what
 * could not be found is counted in `leftOut`. A run stored before diff.notJudged existed has
 * none to list. O(findings of the runs read).
 */
export async function storedNotJudged(store: Pick<RunStore, 'get'>, report: RunReport, previous: RunReport | null): Promise<StoredNotJudged> {
  const diff = report.diff;
  const sought = new Set(diff?.notJudged ?? []);
  if (!diff || sought.size === 0) return { carried: [], missing: [], leftOut: 0 };
  const from = diff.notJudgedRuns ?? {};
  const older = diff.olderBaselines ?? {};
  const runOf = (f: Finding) => Object.hasOwn(from, f.fingerprint) ? from[f.fingerprint]! : Object.hasOwn(older, f.check) ? older[f.check]! : diff.previousRunId;
  const named = new Set<string>();
  for (const fp of sought) if (Object.hasOwn(from, fp)) named.add(from[fp]!);
  const byRun = new Map<string, Finding[]>();
  const missing: string[] = [];
  for (const runId of [...named, diff.previousRunId, ...Object.values(older)]) {
    if (sought.size === 0) break;
    if (byRun.has(runId) || missing.includes(runId)) continue;
    const run = await storedRunOrNull(store, runId, previous);
    if (!run) { missing.push(runId); continue; }
    const found: Finding[] = [];
    for (const f of run.findings) if (sought.has(f.fingerprint) && runOf(f) === runId) { sought.delete(f.fingerprint); found.push(f); }
    byRun.set(runId, found);
  }
  const carried: CarriedFindings[] = [];
  for (const [runId, findings] of byRun) {
    if (findings.length === 0) continue;
    const { open, waived } = splitCarried(report.waivers ?? [], findings, new Date(report.run.startedAt));
    carried.push({ runId, findings: open, ...(waived.length > 0 ? { waived } : {}) });
  }
  return { carried, missing, leftOut: sought.size };
}

/** The formats that list a partial run's carried findings (the others give their counts only). */
const CARRIED_LISTED_IN: readonly string[] = ['sarif', 'html', 'pdf'];
/** The formats that list the findings of the namespaces the run could not judge. */
const NOT_JUDGED_LISTED_IN: readonly string[] = ['sarif', 'junit', 'html', 'pdf'];

/** Everything a stored run is rendered with besides itself: StoredRunExtras and the findings it carried. */
export interface StoredRunRendering extends StoredRunExtras { carried: CarriedFindings[] }

/**
 * What a stored run is rendered with in `formats`, the one way `ztaudit report RUN` and serve's
 * /runs/:id both take, so every rendering of one run lists the same findings: its trend and
 * previous run (storedRunExtras), the findings of the checks it could not evaluate (storedCarried)
 * and of the namespaces it could not judge (storedNotJudged), read from the runs that last did.
 * What cannot be listed is told to `warn`, one line each.
 */
export async function storedRunRendering(store: RunStore, report: RunReport, formats: readonly string[], warn: (line: string) => void): Promise<StoredRunRendering> {
  const extras = await storedRunExtras(store, report);
  const listing = formats.filter((f) => CARRIED_LISTED_IN.includes(f));
  const { carried, missing } = listing.length > 0 ? await storedCarried(store, report, extras.previous) : { carried: [], missing: [] };
  if (missing.length > 0) warn(oneLine(`${listing.map((f) => `report.${f}`).join(', ')} leave${listing.length === 1 ? 's' : ''} out the findings run ${report.run.id} carried from run(s) ${missing.join(', ')}: not stored any more or unreadable`));
  const judging = formats.filter((f) => NOT_JUDGED_LISTED_IN.includes(f));
  const notJudged = judging.length > 0 ? await storedNotJudged(store, report, extras.previous) : { carried: [], missing: [], leftOut: 0 };
  if (notJudged.leftOut > 0) {
    const why = notJudged.missing.length > 0 ? `carried from run(s) ${notJudged.missing.join(', ')}: not stored any more or unreadable` : 'not found in the runs that judged them';
    warn(oneLine(`${judging.map((f) => reportFileOf(f as ReportFormat)).join(', ')} leave${judging.length === 1 ? 's' : ''} out the ${notJudged.leftOut} finding(s) of namespaces run ${report.run.id} could not judge, ${why}`));
  }
  return { ...extras, carried: [...carried, ...notJudged.carried] };
}
