// A regression alert no channel delivered is sent by the next run, whether the run was
// stored after notifying (run: the outcomes are stored) or before (serve: the daemon hands
// the outcomes it saw to the next run).
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src/config/types.ts';
import { diffRuns } from '../../../src/diff/diff.ts';
import { runPipeline, type PipelineEdges } from '../../../src/pipeline/pipeline.ts';
import type { NotificationOutcome, RunReport } from '../../../src/run/types.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';
import { makeReport } from '../history/big-report.ts';

const REASON = 'new critical finding: rbac.cluster-admin-binding on ClusterRoleBinding backdoor';

/** Runs A (baseline), B (regresses; Slack fails), C (nothing new); returns C's report. */
async function threeRuns(opts: { notifyBeforeStore?: boolean; remember?: boolean }): Promise<{ b: RunReport; c: RunReport }> {
  const stored: RunReport[] = [];
  let notified: { id: string; outcomes: NotificationOutcome[] } | null = null;
  const run = async (id: string, day: number, regression: boolean, slack: NotificationOutcome['status']) => {
    const at = `2026-12-0${day}T02:00:00Z`;
    const edges: PipelineEdges = {
      collect: async () => ({}) as Snapshot,
      audit: () => ({ report: makeReport(id, at, { findings: 3 }), expiredWaivers: [] }),
      store: {
        describe: () => 'a fake', acquire: async () => {}, release: async () => {}, trend: async () => [],
        runsNewestFirst: async function* () { yield* [...stored].reverse(); },
        save: async (report) => { stored.push(JSON.parse(JSON.stringify(report)) as RunReport); }, // as it was when stored
      },
      diff: (previous, current) => ({
        ...diffRuns(previous, current, { rules: defaultConfig().regression, expiredWaivers: [] }), regression, regressionReasons: regression ? [REASON] : [],
      }),
      render: async () => [],
      notifiers: [{ name: 'slack', send: async () => ({ channel: 'slack', status: slack, ...(slack === 'failed' ? { detail: 'channel_not_found' } : {}) }) }],
      ...(opts.notifyBeforeStore === undefined ? {} : { notifyBeforeStore: opts.notifyBeforeStore }),
      ...(opts.remember ? { outcomesOf: (runId: string) => (notified?.id === runId ? notified.outcomes : undefined) } : {}),
      log: { info: () => {}, warn: () => {}, progress: () => {} },
      now: () => new Date(at),
    };
    const { report } = await runPipeline(defaultConfig(), [], edges);
    notified = { id: report.run.id, outcomes: report.notifications };
    return report;
  };
  await run('A', 1, false, 'skipped');
  const b = await run('B', 2, true, 'failed');
  const c = await run('C', 3, false, 'sent');
  return { b, c };
}

describe('an undelivered regression alert', () => {
  it('is carried by the next run when the run was stored with its outcomes (the default: notify, then store)', async () => {
    const { b, c } = await threeRuns({});
    expect(b.notifications).toEqual([{ channel: 'slack', status: 'failed', detail: 'channel_not_found' }]);
    expect(c.diff?.undelivered).toEqual([{ runId: 'B', reasons: [REASON] }]);
  });

  it('is carried when the run was stored before notifying and the outcomes are handed over (serve)', async () => {
    expect((await threeRuns({ notifyBeforeStore: false, remember: true })).c.diff?.undelivered).toEqual([{ runId: 'B', reasons: [REASON] }]);
    // Without them the stored run shows no attempt, and nothing is carried.
    expect((await threeRuns({ notifyBeforeStore: false })).c.diff?.undelivered).toBeUndefined();
  });
});
