// serve stores a run before it notifies it. A regression alert that no channel delivered must
// still reach the next run when the daemon restarts in between (a rollout, an evicted pod):
// the outcomes are recorded into the stored run, not only kept in the process. And a
// serve --watch run in between (stored for a resolved finding, with no regression of its
// own) sends it rather than dropping it.
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
import { CHECKS } from '../../../checks/index.ts';
import type { Logger } from '../../../src/base/log.ts';
import { ServeWatch } from '../../../src/cli/serve-watch.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { notifySlack } from '../../../src/notify/slack.ts';
import { runPipeline } from '../../../src/pipeline/pipeline.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { FakeWatch } from './fake-watch.ts';
import { diffStep } from '../pipeline/diff-step.ts';

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

describe('serve --watch, after a run whose alert was not delivered', () => {
  it.each([
    ['a default-deny in blog resolves a finding', (fake: FakeWatch) => fake.add({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'default-deny', namespace: 'blog' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } }), 1],
    // Stored all the same: otherwise the next run, diffing against the regressed run, sends it again.
    ['a pod annotation changes, moving no finding', (fake: FakeWatch) => fake.touch('Pod', 'web'), 0],
  ] as const)('%s: the watch run sends the carried alert, is stored, and the next run does not send it again', async (name, change, resolved) => {
    const ns = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    const pod = (name: string, namespace: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'registry.example/app:1' }] } });
    const denyAll = (namespace: string): KubeObject => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'default-deny', namespace }, spec: { podSelector: {}, policyTypes: ['Ingress'] } });
    const fake = new FakeWatch([ns('shop'), ns('blog'), pod('web', 'shop'), pod('debug', 'blog'), denyAll('shop')]);
    const config = defaultConfig();
    const log = { info() {}, warn() {}, error() {}, debug() {}, progress() {} } as unknown as Logger;
    const sw = new ServeWatch({ config, checks: CHECKS, log, configMapRefs: () => [], watcher: () => fake });
    const store = await openRunStore(join(work, `watch-history-${resolved}.db`));
    const slackDown = await startFakeSlack();
    const slackUp = await startFakeSlack();
    slackDown.platformError('chat.postMessage', 'channel_not_found');
    let slack = slackUp;
    const run = async (reason: string) => (await runPipeline(config, CHECKS, sw.edges({
      collect: () => sw.collectFull(), store, log, now: () => new Date(), render: async () => [],
      diff: diffStep(config.regression),
      notifiers: [{ name: 'slack', send: (report, _files, ctx) => notifySlack(report, { token: 'xoxb-test', channel: 'C0ALERTS', apiUrl: slack.apiUrl, policy: config.notify.policy, ...ctx }) }],
    }, reason))).report;
    const posted = () => slackUp.calls.filter((c) => c.path === '/api/chat.postMessage').map((c) => String(c.fields.text) + JSON.stringify(c.fields.blocks));
    try {
      await run('start-up');
      // The default-deny is deleted; the scheduled run regresses and Slack refuses its alert.
      slack = slackDown;
      fake.remove('NetworkPolicy', 'shop', 'default-deny');
      fake.takeChanges(); // the scheduled run re-lists everything
      const regressed = await run('schedule');
      expect(regressed.diff?.regression).toBe(true);
      expect(regressed.notifications).toEqual([expect.objectContaining({ channel: 'slack', status: 'failed' })]);
      // Slack works again; then the change: a watch run, no regression.
      slack = slackUp;
      change(fake);
      const watch = await run('watch');
      expect(watch.run.trigger, name).toBe('watch');
      expect(watch.diff?.regression).toBe(false);
      expect(watch.diff?.resolved).toHaveLength(resolved);
      expect(watch.diff?.undelivered).toEqual([{ runId: regressed.run.id, reasons: regressed.diff!.regressionReasons }]);
      expect(watch.notifications).toEqual([expect.objectContaining({ channel: 'slack', status: 'sent' })]);
      expect(posted().join('\n')).toContain(`not delivered after run ${regressed.run.id}: new high finding: network.namespace-default-deny-ingress on Namespace shop`);
      expect((await store.latest())?.run.id).toBe(watch.run.id);
      // Delivered once: the next scheduled run carries nothing and sends nothing.
      const sentAfterWatch = posted().length;
      const next = await run('schedule');
      expect(next.diff?.undelivered ?? []).toEqual([]);
      expect(posted()).toHaveLength(sentAfterWatch);
    } finally {
      await store.close();
      await slackDown.close();
      await slackUp.close();
    }
  }, 30_000);
});
