// The email's "…and N more" counts the new findings it leaves out, as Slack's "…and N more in
// the thread" does: a finding named under a listed one ("also implies") is not left out.
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../../checks/index.ts';
import { runDetails } from '../../../src/analysis/details.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { diffRuns } from '../../../src/diff/diff.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import { buildEmail } from '../../../src/notify/email.ts';
import { buildSlackMessage } from '../../../src/notify/slack.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';

const USERS = 20;
const role: KubeObject = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'wide' }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] } as unknown as KubeObject;
const bindings: KubeObject[] = Array.from({ length: USERS }, (_, i) => ({
  apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: `admin-${i}` },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'wide' },
  subjects: [{ kind: 'User', name: `user-${i}`, apiGroup: 'rbac.authorization.k8s.io' }],
}) as unknown as KubeObject);

describe('the email counts the new findings it does not list', () => {
  it('says how many new findings are neither a line nor named under one', () => {
    const { config } = loadConfig(undefined, '/nonexistent-ztaudit-dir', new Set(CHECKS.map((c) => c.id)));
    const audit = (objs: KubeObject[], at: Date, runId: string) => {
      const snapshot = snapshotFromObjects(objs, { clusterName: 'more', clusterVersion: 'v1.36.3', collectedAt: at.toISOString() });
      return auditSnapshot({ snapshot, config, checks: CHECKS, now: at, startedAt: at, runId, details: runDetails }).report;
    };
    const before = audit([role], new Date('2026-12-01T00:00:00Z'), 'run-1');
    const report = audit([role, ...bindings], new Date('2026-12-02T00:00:00Z'), 'run-2');
    report.diff = diffRuns(before, report, { rules: config.regression, expiredWaivers: [] });
    const fresh = report.diff.new.length;

    const mail = buildEmail(report, true);
    const lines = mail.text.split('\n');
    const listed = lines.filter((l) => l.startsWith('- [') && l.includes('User user-')).length;
    const named = lines.filter((l) => l.startsWith('    also implies')).reduce((n, l) => n + Number(/also implies (\d+)/.exec(l)![1]), 0);
    // 20 cluster-admin lines would not fit: the email lists 15, each with what it implies.
    expect(listed).toBe(15);
    expect(named).toBeGreaterThan(0);
    const unlisted = fresh - listed - named;
    expect(unlisted).toBeGreaterThan(USERS - 15); // more than the lines left out: the old count was 5
    expect(lines).toContain(`…and ${unlisted} more`);
    expect(mail.html).toContain(`${unlisted} more in the attached report.`);

    // Slack counts the same way (its thread lists every line here, so the top list's remainder is compared).
    const slack = buildSlackMessage(report);
    const top = /…and (\d+) more in the thread/.exec(JSON.stringify(slack.blocks));
    const shownTop = [...JSON.stringify(slack.blocks).matchAll(/also implies (\d+)/g)].reduce((n, m) => n + 1 + Number(m[1]), 0);
    expect(Number(top![1])).toBe(fresh - shownTop);
  });
});
