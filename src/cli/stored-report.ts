// What a stored run is rendered with, the same for `ztaudit report RUN` and serve's /runs/:id:
// the score trend of its cluster up to that run (never the runs stored after it) and its
// previous run, whose findings give the resolved ones their details.
import type { RunStore } from '../history/store.ts';
import type { RunReport, TrendPoint } from '../run/types.ts';

export const TREND_POINTS = 30;

export interface StoredRunExtras { trend: TrendPoint[]; previous: RunReport | null }

export async function storedRunExtras(store: RunStore, report: RunReport): Promise<StoredRunExtras> {
  const trend = await store.trend(TREND_POINTS, report.run.cluster.name, report.run.startedAt);
  const previous = report.diff ? await store.get(report.diff.previousRunId) : null;
  return { trend, previous };
}
