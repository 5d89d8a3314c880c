// serve stores a run before it notifies it. A regression alert that no channel delivered must
// still reach the next run when the daemon restarts in between (a rollout, an evicted pod):
// the outcomes are recorded into the stored run, not only kept in the process.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../../src/cli/io.ts';
import { startServe } from '../../../src/cli/serve.ts';
import { openRunStore } from '../../../src/history/store.ts';
import { REPO } from '../../helm/helm.ts';
import { startFakeSlack } from '../notify/slack-server.ts';

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

describe('serve, restarted between a run whose alert failed and the next run', () => {
  it('the next run carries the undelivered alert and sends it', async () => {
    const manifests = join(work, 'manifests');
    cpSync(join(REPO, 'examples', 'demo-cluster'), manifests, { recursive: true });
    const history = join(work, 'history.db');
    const argv = ['--manifests', manifests, '--config', join(REPO, 'examples', 'ztaudit.demo.yaml'), '--history', history, '--out', join(work, 'out'),
      '--schedule', '0 2 * * *', '--port', '0', '--host', '127.0.0.1'];
    const io = (apiUrl: string): CliIO => ({
      stdout: () => {}, stderr: () => {}, isTTY: false, cwd: work,
      env: { ZTAUDIT_SLACK_TOKEN: 'xoxb-test', ZTAUDIT_SLACK_CHANNEL: 'C0ALERTS', ZTAUDIT_SLACK_API_URL: apiUrl },
    });
    const slackDown = await startFakeSlack();
    const slackUp = await startFakeSlack();
    try {
      slackDown.platformError('chat.postMessage', 'channel_not_found');
      const first = await startServe(argv, io(slackDown.apiUrl));
      let regressed = '';
      let reasons: string[] = [];
      try {
        await first.idle(); // the start-up run: the baseline
        writeFileSync(join(manifests, '99-backdoor.yaml'), BACKDOOR);
        expect(await first.tick('manual')).toBe('ran');
        const report = await body(fetch(`${first.url}/report.json`));
        expect(report.diff.regression).toBe(true);
        regressed = report.run.id;
        reasons = report.diff.regressionReasons;
        expect(reasons).toContain('new critical finding: rbac.cluster-admin-binding on User mallory');
        expect(slackDown.calls.some((c) => c.path === '/api/chat.postMessage')).toBe(true);
      } finally {
        await first.stop();
      }
      const stored = await openRunStore(history, { readOnly: true });
      try {
        expect((await stored.get(regressed))?.notifications).toEqual([expect.objectContaining({ channel: 'slack', status: 'failed' })]);
      } finally {
        await stored.close();
      }

      const second = await startServe(argv, io(slackUp.apiUrl));
      try {
        await second.idle(); // the start-up run: nothing new since the regressed run
        const report = await body(fetch(`${second.url}/report.json`));
        expect(report.diff.previousRunId).toBe(regressed);
        expect(report.diff.regression).toBe(false);
        expect(report.diff.undelivered).toEqual([{ runId: regressed, reasons }]);
        const posted = slackUp.calls.filter((c) => c.path === '/api/chat.postMessage');
        expect(posted.length).toBeGreaterThan(0);
        expect(String(posted[0].fields.text) + JSON.stringify(posted[0].fields.blocks)).toContain(`not delivered after run ${regressed}: new critical finding: rbac.cluster-admin-binding on User mallory`);
        expect(report.notifications).toEqual([expect.objectContaining({ channel: 'slack', status: 'sent' })]);
      } finally {
        await second.stop();
      }
    } finally {
      await slackDown.close();
      await slackUp.close();
    }
  }, 60_000);
});
