// serve stores a run before it notifies it. A regression alert that no channel delivered must
// still reach the next run when the daemon restarts in between (a rollout, an evicted pod):
// the outcomes are recorded into the stored run, not only kept in the process.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { CliIO } from '../../../src/cli/io.ts';
import { startServe } from '../../../src/cli/serve.ts';
import { openRunStore } from '../../../src/history/store.ts';
import { REPO } from '../../helm/helm.ts';
import type { RunReport } from '../../../src/run/types.ts';
import { startFakeSlack, type FakeSlack } from '../notify/slack-server.ts';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON from the daemon
const body = async (r: Response | Promise<Response>): Promise<Obj> => (await (await r).json()) as Obj;

const work = mkdtempSync(join(tmpdir(), 'ztaudit-serve-undelivered-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const BACKDOOR = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: backdoor}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
  - {apiGroup: rbac.authorization.k8s.io, kind: User, name: mallory}
`;

type Daemon = Awaited<ReturnType<typeof startServe>>;

/**
 * A daemon audits the demo (its start-up run: the baseline), then a backdoor binding appears
 * and `regress` makes it run again against a Slack that does not deliver, and stops it; a new
 * daemon on the same history then runs at start-up against a Slack that works. Returns the
 * regressed run's id and reasons, and what the second daemon's run did.
 */
async function restartAfterFailedAlert(name: string, breakSlack: (slack: FakeSlack) => void, regress: (daemon: Daemon, slack: FakeSlack) => Promise<void>, flags: string[] = []) {
  const manifests = join(work, name, 'manifests');
  cpSync(join(REPO, 'examples', 'demo-cluster'), manifests, { recursive: true });
  const history = join(work, name, 'history.db');
  const argv = ['--manifests', manifests, '--config', join(REPO, 'examples', 'ztaudit.demo.yaml'), '--history', history, '--out', join(work, name, 'out'),
    '--schedule', '0 2 * * *', '--port', '0', '--host', '127.0.0.1', ...flags];
  const io = (apiUrl: string): CliIO => ({
    stdout: () => {}, stderr: () => {}, isTTY: false, cwd: work,
    env: { ZTAUDIT_SLACK_TOKEN: 'xoxb-test', ZTAUDIT_SLACK_CHANNEL: 'C0ALERTS', ZTAUDIT_SLACK_API_URL: apiUrl },
  });
  const slackDown = await startFakeSlack();
  const slackUp = await startFakeSlack();
  try {
    breakSlack(slackDown);
    const first = await startServe(argv, io(slackDown.apiUrl));
    let baseline = '';
    try {
      await first.idle();
      baseline = (await body(fetch(`${first.url}/report.json`))).run.id;
      writeFileSync(join(manifests, '99-backdoor.yaml'), BACKDOOR);
      await regress(first, slackDown);
    } finally {
      await first.stop();
    }
    expect(slackDown.calls.some((c) => c.path === '/api/chat.postMessage')).toBe(true); // the alert was tried
    const stored = await openRunStore(history, { readOnly: true });
    let regressed: RunReport;
    try {
      regressed = (await stored.latest())!;
    } finally {
      await stored.close();
    }
    expect(regressed.run.id).not.toBe(baseline);
    expect(regressed.diff?.regressionReasons).toContain('new critical finding: rbac.cluster-admin-binding on User mallory');

    const second = await startServe(argv, io(slackUp.apiUrl));
    try {
      await second.idle(); // the start-up run: nothing new since the regressed run
      const report = await body(fetch(`${second.url}/report.json`));
      const posted = slackUp.calls.filter((c) => c.path === '/api/chat.postMessage');
      return { regressed, report, slackText: posted.map((c) => String(c.fields.text) + JSON.stringify(c.fields.blocks)).join('\n') };
    } finally {
      await second.stop();
    }
  } finally {
    await slackDown.close();
    await slackUp.close();
  }
}

describe('serve, restarted between a run whose alert was not delivered and the next run', () => {
  it('Slack refused the alert: the next run, in a new process, carries it and sends it', async () => {
    const { regressed, report, slackText } = await restartAfterFailedAlert('refused', (slack) => slack.platformError('chat.postMessage', 'channel_not_found'), async (daemon) => {
      expect(await daemon.tick('manual')).toBe('ran');
    });
    expect(regressed.notifications).toEqual([{ channel: 'slack', status: 'failed', detail: expect.stringContaining('channel_not_found') }]);
    expect(report.diff.previousRunId).toBe(regressed.run.id);
    expect(report.diff.regression).toBe(false);
    expect(report.diff.undelivered).toEqual([{ runId: regressed.run.id, reasons: regressed.diff!.regressionReasons }]);
    expect(slackText).toContain(`not delivered after run ${regressed.run.id}: new critical finding: rbac.cluster-admin-binding on User mallory`);
    expect(report.notifications).toEqual([expect.objectContaining({ channel: 'slack', status: 'sent' })]);
  }, 60_000);

  it('stopped (SIGTERM) while Slack stalls on the alert: the abandoned send is recorded as failed, and the next process sends it', async () => {
    const { regressed, report, slackText } = await restartAfterFailedAlert('stalled', (slack) => slack.stall('chat.postMessage'), async (daemon, slack) => {
      void daemon.tick('manual');
      // The alert is in flight, never to be answered; stop() then gives the run 1 s and aborts it.
      await vi.waitFor(() => expect(slack.calls.some((c) => c.path === '/api/chat.postMessage')).toBe(true), { timeout: 20_000 });
    }, ['--shutdown-grace', '1']);
    expect(regressed.notifications).toEqual([{ channel: 'slack', status: 'failed', detail: 'ztaudit is shutting down' }]);
    expect(report.diff.undelivered).toEqual([{ runId: regressed.run.id, reasons: regressed.diff!.regressionReasons }]);
    expect(slackText).toContain(`not delivered after run ${regressed.run.id}: new critical finding`);
  }, 60_000);
});
