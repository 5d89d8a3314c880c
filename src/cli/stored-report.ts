// What a stored run is rendered with, the same for `ztaudit report RUN` and serve's /runs/:id:
// the score trend of its cluster up to that run (never the runs stored after it) and its
// previous run, whose findings give the resolved ones their details (retention may have evicted
// it: the oldest kept run's always is, by count or by age; the report then says so).
import type { RunStore } from '../history/store.ts';
import type { RunReport, TrendPoint } from '../run/types.ts';

export const TREND_POINTS = 30;

export interface StoredRunExtras { trend: TrendPoint[]; previous: RunReport | null; previousGone: boolean }

export async function storedRunExtras(store: RunStore, report: RunReport): Promise<StoredRunExtras> {
  const trend = await store.trend(TREND_POINTS, report.run.cluster.name, report.run.startedAt);
  const previous = report.diff ? await store.get(report.diff.previousRunId) : null;
  return { trend, previous, previousGone: Boolean(report.diff) && previous === null };
}
