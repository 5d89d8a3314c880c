// A Slack post that times out may have been posted: Slack has no idempotency key, so ztaudit
// neither retries it (the SDK did, posting one alert four times) nor has the next run send it
// again as "not delivered". It warns that the alert may not have arrived. Against a local
// server speaking the Web API that posts the message but answers slowly.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src/config/types.ts';
import { diffRuns } from '../../../src/diff/diff.ts';
import { notifySlack, notifySlackFailure } from '../../../src/notify/slack.ts';
import { runPipeline, sendBounded, type PipelineEdges } from '../../../src/pipeline/pipeline.ts';
import type { RunReport } from '../../../src/run/types.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';
import { makeReport } from '../history/big-report.ts';
import { buildRun } from '../report/fixtures.ts';
import { startFakeSlack, type FakeSlack } from './slack-server.ts';

let slack: FakeSlack;
beforeEach(async () => { slack = await startFakeSlack(); });
afterEach(async () => { await slack.close(); });

const posts = () => slack.calls.filter((c) => c.path === '/api/chat.postMessage');
const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));
const REASON = 'new critical finding: rbac.cluster-admin-binding on ClusterRoleBinding backdoor';

describe('a Slack post that times out', () => {
  it('is posted once, not retried, and failed as maybe delivered', async () => {
    slack.slow('chat.postMessage', 1_500);
    const { report } = buildRun();
    const outcome = await notifySlack(report, { token: 'xoxb-test', channel: 'C1', apiUrl: slack.apiUrl, policy: 'always', timeoutMs: 300 });
    expect(outcome).toMatchObject({ channel: 'slack', status: 'failed', maybeDelivered: true });
    expect(outcome.detail).toMatch(/^no answer to chat\.postMessage \(.*\): the alert may have been posted, so it is not sent again$/);
    await settle(2_000); // long enough for any retry to have reached the server
    expect(posts()).toHaveLength(1);
  });

  it('cut off by the notify deadline, it is maybe delivered as well (not the deadline\'s bare failure)', async () => {
    slack.slow('chat.postMessage', 3_000);
    const { report } = buildRun();
    const outcome = await sendBounded('slack', (ctx) => notifySlack(report, { token: 't', channel: 'C1', apiUrl: slack.apiUrl, policy: 'always', timeoutMs: 600_000, ...ctx }), 1_000);
    expect(outcome).toMatchObject({ channel: 'slack', status: 'failed', maybeDelivered: true });
    expect(posts()).toHaveLength(1);
  });

  it('a thread reply the notify deadline cuts short leaves the alert sent, saying so', async () => {
    slack.slow('chat.postMessage', 3_000, (fields) => fields.thread_ts !== undefined);
    const { report } = buildRun();
    const outcome = await sendBounded('slack', (ctx) => notifySlack(report, { token: 't', channel: 'C1', apiUrl: slack.apiUrl, policy: 'always', timeoutMs: 600_000, ...ctx }), 1_000);
    expect(outcome).toMatchObject({ channel: 'slack', status: 'sent', detail: expect.stringContaining('; thread reply failed: ') });
  });

  it('the "could not run" alert too', async () => {
    slack.slow('chat.postMessage', 1_500);
    const outcome = await notifySlackFailure('boom', { token: 't', channel: 'C1', apiUrl: slack.apiUrl, timeoutMs: 300 });
    expect(outcome).toMatchObject({ status: 'failed', maybeDelivered: true });
    await settle(2_000);
    expect(posts()).toHaveLength(1);
  });

  it('is not sent again by the next run: one post across the regressing run and the next', async () => {
    slack.slow('chat.postMessage', 1_500);
    const stored: RunReport[] = [];
    const warnings: string[] = [];
    const run = async (id: string, day: number, regression: boolean) => {
      const at = `2026-12-0${day}T02:00:00Z`;
      const edges: PipelineEdges = {
        collect: async () => ({}) as Snapshot,
        audit: () => ({ report: makeReport(id, at, { findings: 3 }), expiredWaivers: [] }),
        store: {
          describe: () => 'a fake', acquire: async () => {}, release: async () => {}, trend: async () => [],
          recordNotifications: async () => {},
          runsNewestFirst: async function* () { yield* [...stored].reverse(); },
          save: async (report) => { stored.push(JSON.parse(JSON.stringify(report)) as RunReport); },
        },
        diff: (previous, current) => ({
          ...diffRuns(previous, current, { rules: defaultConfig().regression, expiredWaivers: [] }), regression, regressionReasons: regression ? [REASON] : [],
        }),
        render: async () => [],
        notifiers: [{ name: 'slack', send: (report, _files, ctx) => notifySlack(report, { token: 't', channel: 'C1', apiUrl: slack.apiUrl, policy: 'regression', timeoutMs: 300, ...ctx }) }],
        log: { info: () => {}, warn: (line) => { warnings.push(line); }, progress: () => {} },
        now: () => new Date(at),
      };
      return (await runPipeline(defaultConfig(), [], edges)).report;
    };
    await run('A', 1, false);
    const b = await run('B', 2, true);
    expect(b.notifications).toEqual([expect.objectContaining({ channel: 'slack', status: 'failed', maybeDelivered: true })]);
    expect(warnings.some((w) => w.startsWith('slack notification failed: no answer to chat.postMessage') && w.includes('may have been posted'))).toBe(true);
    await settle(2_000);
    const c = await run('C', 3, false);
    expect(c.diff?.undelivered).toBeUndefined();
    await settle(2_000);
    expect(posts()).toHaveLength(1);
  });
});
