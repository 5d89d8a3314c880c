// What a stored run is rendered with, the same for `ztaudit report RUN` and serve's /runs/:id:
// the score trend of its cluster up to that run (never the runs stored after it) and its
// previous run, whose findings give the resolved ones their details. That run may be missing:
// retention may have evicted it (the oldest kept run's always is, by count or by age), or it is
// stored but cannot be read (a corrupt report, a damaged k8s:// index entry); the report then
// says which, and is rendered all the same.
import { UnreadableRunError } from '../base/errors.ts';
import { SEVERITIES } from '../base/vocabulary.ts';
import type { RunStore } from '../history/store.ts';
import type { PreviousMissing } from '../report/view/types.ts';
import { carriedFindingsOf } from '../diff/baseline.ts';
import type { CarriedFindings, RunReport, TrendPoint } from '../run/types.ts';

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
    let run: RunReport | null;
    try {
      run = previous?.run.id === runId ? previous : await store.get(runId);
    } catch (error: unknown) {
      if (!(error instanceof UnreadableRunError)) throw error;
      run = null;
    }
    if (!run) { missing.push(runId); continue; }
    const { open, waived } = carriedFindingsOf(report, run, checks);
    if (open.length > 0 || waived.length > 0) carried.push({ runId, findings: open, ...(waived.length > 0 ? { waived } : {}) });
  }
  return { carried, missing };
}
