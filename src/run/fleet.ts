// What a store answers about a whole fleet (every cluster it holds): the input of
// `ztaudit fleet`, `/fleet` in serve and the fleet digest. Data only; the view is built in
// src/fleet/.
import type { Severity } from '../base/vocabulary.ts';
import type { RunReport, RunSummary, TrendPoint, WaiverStatus } from './types.ts';

export interface FleetCluster {
  cluster: string;
  /** Runs of this cluster in the store. */
  runs: number;
  latest: RunSummary;
  previous: RunSummary | null;
  /** Oldest first, the latest run last. */
  trend: TrendPoint[];
  /**
   * The checks `latest` could not evaluate, with their findings from the newest older run that
   * did (CarriedChecks in src/history/run-store.ts), newest run first; absent when none is
   * carried. Missing data is not a fix: these findings count in the fleet as the latest run's.
   */
  carried?: FleetCarried[];
}

/** Checks a cluster's latest run could not evaluate, and their findings in the run that last did. */
export interface FleetCarried {
  runId: string;
  startedAt: string;
  checks: string[];
  /** Unwaived findings of those checks in that run, by severity. */
  findings: Record<Severity, number>;
}

/**
 * A cluster whose newest stored run's summary cannot be read (a hand edit, another writer):
 * what that cluster looks like now is unknown. Missing data is not a fix: the fleet report and
 * the digest say so, never showing an older run as the cluster's current state.
 */
export interface FleetUnreadable {
  cluster: string;
  /** The newest run, the one that cannot be read. */
  runId: string;
  /** When it started, from the store's own record of it (a column, an index field); null when the store cannot say. */
  startedAt: string | null;
  /** The newest run that can be read, by which `clusters` still shows the cluster (marked not current); null when none can (the cluster is listed here only). */
  shownBy: string | null;
  /**
   * With `shownBy` null: how many of the cluster's newest runs were read, none of them readable,
   * when it has more (a PostgreSQL store reads at most FLEET_LOOKBACK); absent when every run was.
   */
  searched?: number;
}

export interface FleetRegressionCount {
  cluster: string;
  runs: number;
}

/**
 * The regressions listed of each cluster, newest first: one cluster that flaps hundreds of times
 * in the window cannot crowd another's single regression out of the list (the counts stay whole).
 */
export const REGRESSIONS_PER_CLUSTER = 10;

export interface FleetRegression {
  run: RunSummary;
  reasons: string[];
}

/** Findings with the same check and resource shape on many clusters' latest runs (with their carried findings: FleetCluster.carried). */
export interface FleetCommonFinding {
  check: string;
  severity: Severity;
  kind: string;
  namespace: string;
  /** The resource name with generated parts (hashes, numbers) replaced by `*`. */
  shape: string;
  clusters: number;
  /** Up to 20 of them, sorted. */
  clusterNames: string[];
  findings: number;
}

export interface FleetWaiver {
  cluster: string;
  runId: string;
  waiver: WaiverStatus;
}

export interface FleetData {
  store: string;
  generatedAt: string;
  sinceHours: number;
  /** A finding shape in `common` is on at least this many clusters (FleetQuery.minClusters). */
  minClusters: number;
  clusters: FleetCluster[];
  /** Regressions of the last `sinceHours`, newest first: the newest REGRESSIONS_PER_CLUSTER of each cluster (`regressionRuns` counts them all). */
  regressions: FleetRegression[];
  /**
   * Every cluster with a regression in the window and how many of its runs regressed there,
   * by name: what "N regressed" counts and "…and N more" is said from, never the cut list
   * (absent from data of older callers: counted from `regressions`).
   */
  regressionRuns?: FleetRegressionCount[];
  common: FleetCommonFinding[];
  /** Clusters whose newest run cannot be read, by name (absent from data of older callers: read as none). */
  unreadable?: FleetUnreadable[];
  /** Waivers of each cluster's latest run expiring soon or expired at generatedAt, in that state (fleetDataOf restates each stored run's). */
  waivers: FleetWaiver[];
}

export interface FleetQuery {
  now: Date;
  sinceHours: number;
  trendPoints: number;
  /** A finding shape is "common" from this many clusters on. */
  minClusters: number;
  maxCommon: number;
}

export const DEFAULT_FLEET_QUERY: Omit<FleetQuery, 'now'> = { sinceHours: 24, trendPoints: 30, minClusters: 2, maxCommon: 50 };

/** Each cluster's regressions in the window: the store's counts, or for data of older callers (without them) the listed ones. */
export function regressionRunsOf(data: Pick<FleetData, 'regressions' | 'regressionRuns'>): FleetRegressionCount[] {
  if (data.regressionRuns) return data.regressionRuns;
  const n = new Map<string, number>();
  for (const r of data.regressions) n.set(r.run.cluster, (n.get(r.run.cluster) ?? 0) + 1);
  return [...n].map(([cluster, runs]) => ({ cluster, runs }));
}
