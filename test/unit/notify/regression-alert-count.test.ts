// The soak counts, per injected regression, the Slack messages that alert it. Its regressions
// are named reg-0, reg-1, …: once reg-10 exists, the alert for reg-10 contains the text of
// reg-1's reason as a substring, and a substring count said reg-1 was alerted again (with
// reg-10, reg-11, reg-12: "reg-1 alerted 4 times", seed 159955362). This replays that sequence
// through the real check, diff and Slack notifier and counts with the soak's counter.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { clusterAdminBinding } from '../../../checks/rbac/cluster-admin-binding.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { diffRuns } from '../../../src/diff/diff.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import { notifySlack } from '../../../src/notify/slack.ts';
import type { RunReport } from '../../../src/run/types.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { regressionAlertCount, regressionReasonsOf } from '../../cluster/slack-alerts.ts';
import { startFakeSlack, type FakeSlack } from './slack-server.ts';

const NS = 'soak-1a2b3c';
const reasonFor = (name: string) => `new critical finding: rbac.cluster-admin-binding on ServiceAccount ${NS}/${name}`;

const clusterAdmin = {
  apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'cluster-admin' },
  rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }],
};
const bound = (name: string) => [
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: NS } },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: `${NS}-${name}` },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
    subjects: [{ kind: 'ServiceAccount', name, namespace: NS }],
  },
];

function audit(names: string[], i: number): RunReport {
  const at = new Date(Date.UTC(2026, 11, 2, 5, 0, 2 * i));
  const snapshot = snapshotFromObjects([clusterAdmin, ...names.flatMap(bound)], { clusterName: 'soak', clusterVersion: 'v1.36.3', collectedAt: at.toISOString() });
  return auditSnapshot({ snapshot, config: defaultConfig(), checks: [clusterAdminBinding], now: at, runId: `run-${i}`, startedAt: at }).report;
}

let slack: FakeSlack;
beforeEach(async () => { slack = await startFakeSlack(); });
afterEach(async () => { await slack.close(); });

it('counts each of reg-0 … reg-12 alerted once, though reg-1 is a prefix of reg-10, reg-11 and reg-12', async () => {
  // One run before any regression, then one regression more per run (none fixed): each run's
  // diff finds exactly the one just bound new, and every run notifies (policy always, as in the soak).
  const names = Array.from({ length: 13 }, (_, i) => `reg-${i}`);
  let previous = audit([], 0);
  for (let i = 1; i <= names.length; i++) {
    const report = audit(names.slice(0, i), i);
    report.diff = diffRuns(previous, report, { rules: defaultConfig().regression, expiredWaivers: [] });
    expect(report.diff.regressionReasons).toEqual([reasonFor(names[i - 1]!)]);
    expect((await notifySlack(report, { token: 'xoxb-soak', channel: 'C0SOAK', apiUrl: slack.apiUrl, policy: 'always' })).status).toBe('sent');
    previous = report;
  }
  const alerts = slack.calls.filter((c) => regressionReasonsOf(c).length > 0);
  expect(alerts).toHaveLength(13);
  // The trap: the message alerting reg-10 contains reg-1's reason as a substring.
  expect(JSON.stringify(alerts[10]!.fields.blocks)).toContain(reasonFor('reg-1'));
  expect(regressionReasonsOf(alerts[10]!)).toEqual([reasonFor('reg-10')]);
  for (const name of names) expect(regressionAlertCount(slack.calls, reasonFor(name)), name).toBe(1);
});
