// A regression alert no channel delivered is sent by the next run, whether the run was
// stored after notifying (run: the outcomes are stored) or before (serve: the outcomes are
// recorded into the stored run, each channel pending until then, and the daemon hands them to
// its next run as well).
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src/config/types.ts';
import { diffRuns } from '../../../src/diff/diff.ts';
import { runPipeline, type PipelineEdges } from '../../../src/pipeline/pipeline.ts';
import type { NotificationOutcome, RunReport } from '../../../src/run/types.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';
import { pendingOutcome } from '../../../src/run/undelivered.ts';
import { makeReport } from '../history/big-report.ts';

const REASON = 'new critical finding: rbac.cluster-admin-binding on ClusterRoleBinding backdoor';

/** Runs A (baseline), B (regresses; Slack fails), C (nothing new); returns C's report. */
async function threeRuns(opts: { notifyBeforeStore?: boolean; remember?: boolean; recordFails?: boolean }): Promise<{ b: RunReport; c: RunReport; stored: RunReport[]; warnings: string[] }> {
  const stored: RunReport[] = [];
  const warnings: string[] = [];
  let notified: { id: string; outcomes: NotificationOutcome[] } | null = null;
  const run = async (id: string, day: number, regression: boolean, slack: NotificationOutcome['status']) => {
    const at = `2026-12-0${day}T02:00:00Z`;
    const edges: PipelineEdges = {
      collect: async () => ({}) as Snapshot,
      audit: () => ({ report: makeReport(id, at, { findings: 3 }), expiredWaivers: [] }),
      store: {
        describe: () => 'a fake', acquire: async () => {}, release: async () => {}, trend: async () => [],
        recordNotifications: async (runId, outcomes) => {
          if (opts.recordFails) throw new Error('database is locked\n(after 15 s)');
          stored.find((r) => r.run.id === runId)!.notifications = structuredClone(outcomes);
        },
        runsNewestFirst: async function* () { yield* [...stored].reverse(); },
        save: async (report, _written, options) => { // as it was when stored, its outcomes as a store keeps them
          stored.push({ ...JSON.parse(JSON.stringify(report)) as RunReport, ...(options?.notifications ? { notifications: structuredClone(options.notifications) } : {}) });
        },
      },
      diff: (previous, current) => ({
        ...diffRuns(previous, current, { rules: defaultConfig().regression, expiredWaivers: [] }), regression, regressionReasons: regression ? [REASON] : [],
      }),
      render: async () => [],
      notifiers: [{ name: 'slack', send: async () => ({ channel: 'slack', status: slack, ...(slack === 'failed' ? { detail: 'channel_not_found' } : {}) }) }],
      ...(opts.notifyBeforeStore === undefined ? {} : { notifyBeforeStore: opts.notifyBeforeStore }),
      ...(opts.remember ? { outcomesOf: (runId: string) => (notified?.id === runId ? notified.outcomes : undefined) } : {}),
      log: { info: () => {}, warn: (line) => { warnings.push(line); }, progress: () => {} },
      now: () => new Date(at),
    };
    const { report } = await runPipeline(defaultConfig(), [], edges);
    notified = { id: report.run.id, outcomes: report.notifications };
    return report;
  };
  await run('A', 1, false, 'skipped');
  const b = await run('B', 2, true, 'failed');
  const c = await run('C', 3, false, 'sent');
  return { b, c, stored, warnings };
}

describe('an undelivered regression alert', () => {
  it('is carried by the next run when the run was stored with its outcomes (the default: notify, then store)', async () => {
    const { b, c } = await threeRuns({});
    expect(b.notifications).toEqual([{ channel: 'slack', status: 'failed', detail: 'channel_not_found' }]);
    expect(c.diff?.undelivered).toEqual([{ runId: 'B', reasons: [REASON] }]);
  });

  it('is carried when the run was stored before notifying (serve): its outcomes are recorded into the stored run, so a new process sees them', async () => {
    const { c, stored } = await threeRuns({ notifyBeforeStore: false });
    expect(c.diff?.undelivered).toEqual([{ runId: 'B', reasons: [REASON] }]);
    expect(stored.find((r) => r.run.id === 'B')?.notifications).toEqual([{ channel: 'slack', status: 'failed', detail: 'channel_not_found' }]);
  });

  it('when the outcomes cannot be recorded: one warning, the run stays stored, and the same process still carries the alert', async () => {
    const { c, stored, warnings } = await threeRuns({ notifyBeforeStore: false, recordFails: true, remember: true });
    expect(stored.map((r) => r.run.id)).toEqual(['A', 'B', 'C']);
    const failedToRecord = warnings.filter((w) => /could not be recorded/.test(w));
    expect(failedToRecord).toHaveLength(3); // A, B and C each stored, then not recorded
    expect(failedToRecord[1]).toBe('the notification outcomes of run B could not be recorded in a fake: database is locked\\u000a(after 15 s)');
    expect(c.diff?.undelivered).toEqual([{ runId: 'B', reasons: [REASON] }]);
    // A process started after such a failure finds B's channel pending in the stored run (as
    // after a kill): it carries the alert, repeated rather than lost.
    const fresh = await threeRuns({ notifyBeforeStore: false, recordFails: true });
    expect(fresh.stored.find((r) => r.run.id === 'B')?.notifications).toEqual([pendingOutcome('slack')]);
    expect(fresh.c.diff?.undelivered).toEqual([{ runId: 'B', reasons: [REASON] }]);
  });
});
