// One audit run, end to end: collect -> audit -> diff against the previous run -> store ->
// render -> notify -> publish. The edges (collector, run store, renderer, notifiers) are handed in, so
// tests give it real local servers or small fakes without patching modules. The run is
// stored before anything is sent: a notifier failure never loses it. The store is held from
// just after the audit (when the cluster is known: a shared store locks per cluster) to the
// end. A run that cannot be stored still has its reports written and its notifications
// sent, then fails with a StoreError ("audit could not be stored").
import type { Config } from '../config/types.ts';
import { runDetails } from '../analysis/details.ts';
import { auditSnapshot } from '../engine/audit.ts';
import type { Check } from '../engine/types.ts';
import type { NotificationOutcome, RunDiff, RunReport, TrendPoint } from '../run/types.ts';

export type { TrendPoint };
import type { Snapshot } from '../snapshot/types.ts';
import type { Logger } from '../base/log.ts';
import { HistoryError, StoreError, errorMessage } from '../base/errors.ts';
import { randomUUID } from 'node:crypto';

/** The part of a RunStore the pipeline uses. */
export interface PipelineStore {
  describe(): string;
  acquire(cluster?: string): Promise<void>;
  release(): Promise<void>;
  /** The newest stored run of that cluster. */
  latest(cluster?: string): Promise<RunReport | null>;
  save(report: RunReport): Promise<void>;
  trend(limit: number, cluster?: string): Promise<TrendPoint[]>;
}

export interface PipelineEdges {
  collect(): Promise<Snapshot>;
  store: PipelineStore | null;
  diff(previous: RunReport, current: RunReport, expiredWaivers: string[]): RunDiff;
  render(report: RunReport, extras: { previous: RunReport | null; trend: TrendPoint[] }): Promise<string[]>;
  notifiers: Array<{ name: string; send(report: RunReport, files: string[]): Promise<NotificationOutcome> }>;
  /** Run after the run is stored and notified (PolicyReports); what they say is logged, a failure is a warning. */
  publishers?: Publisher[];
  log: Logger;
  now(): Date;
}

export interface Publisher {
  name: string;
  publish(report: RunReport): Promise<{ info: string[]; warnings: string[] }>;
}

export interface PipelineResult {
  report: RunReport;
  files: string[];
}

export async function runPipeline(config: Config, checks: readonly Check[], edges: PipelineEdges): Promise<PipelineResult> {
  const startedAt = edges.now();
  const store = edges.store;
  let result: PipelineResult;
  let notStored: string | null = null;
  // The snapshot and the analysis models memoised on it live only inside this call, so
  // they can be collected before diffing and rendering a large run.
  const audit = async () => auditSnapshot({
    snapshot: await edges.collect(), config, checks, now: startedAt, startedAt, clock: edges.now, runId: runIdOf(startedAt), details: runDetails,
  });
  const { report, expiredWaivers } = await audit();
  if (store) await store.acquire(report.run.cluster.name);
  try {
    const previous = store ? await store.latest(report.run.cluster.name) : null;
    if (previous) report.diff = edges.diff(previous, report, expiredWaivers);
    else if (expiredWaivers.length > 0) edges.log.warn(`${expiredWaivers.length} finding(s) are back on because their waiver expired`);
    // The stored runs; the renderer adds the current one.
    const trend = store ? await store.trend(30, report.run.cluster.name) : [];
    // Render before storing: a run whose reports cannot be written (no space, --out not a
    // directory) must not become the baseline that hides its regressions next time.
    let files = await edges.render(report, { previous, trend });
    if (store) {
      try {
        await store.save(report);
        edges.log.info(`stored run ${report.run.id} in ${store.describe()}`);
      } catch (error: unknown) {
        if (!(error instanceof HistoryError)) throw error;
        notStored = error.message;
        edges.log.warn(`audit could not be stored: ${notStored}`);
      }
    }
    if (edges.notifiers.length > 0) {
      for (const n of edges.notifiers) {
        const outcome = await n.send(report, files).catch((error: unknown): NotificationOutcome => ({
          channel: n.name as NotificationOutcome['channel'], status: 'failed', detail: error instanceof Error ? error.message : String(error),
        }));
        report.notifications.push(outcome);
        if (outcome.status === 'failed') edges.log.warn(`${outcome.channel} notification failed: ${outcome.detail ?? ''}`);
      }
      files = await edges.render(report, { previous, trend }); // report.json now records the outcomes
    }
    result = { report, files };
  } finally {
    if (store) await store.release();
  }
  for (const p of edges.publishers ?? []) {
    try {
      const said = await p.publish(result.report);
      for (const line of said.info) edges.log.info(line);
      for (const line of said.warnings) edges.log.warn(line);
    } catch (error: unknown) {
      edges.log.warn(`${p.name} not written: ${errorMessage(error)}`);
    }
  }
  if (notStored !== null) {
    throw new StoreError(`audit could not be stored: ${notStored}; its reports were written (${result.files.join(', ')})`);
  }
  return result;
}

/** Sortable, unique, readable: 20261126T065500Z-1a2b3c. */
export function runIdOf(at: Date): string {
  return `${at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomUUID().slice(0, 6)}`;
}

export type FailOn = 'regression' | 'critical' | 'high' | 'never';

/** Whether the completed audit meets --fail-on (exit 1). */
export function meetsFailOn(report: RunReport, failOn: FailOn): boolean {
  const open = report.findings.filter((f) => !f.waived);
  switch (failOn) {
    case 'never': return false;
    case 'regression': return report.diff?.regression === true;
    case 'critical': return open.some((f) => f.severity === 'critical');
    case 'high': return open.some((f) => f.severity === 'critical' || f.severity === 'high');
  }
}
