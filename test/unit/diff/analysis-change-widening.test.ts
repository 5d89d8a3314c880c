// Known gap (RBAC) 4, documented rather than changed: the diff has one rule for "the check
// changed, not the cluster" — a check whose severity differs between the two runs (a config or
// catalog re-weight: `reweighted` in src/diff/diff.ts) moves no score delta and is no
// escalation. It has none for an extent that grows because a newer version's analysis sees more
// (run.toolVersion is stored but the diff does not read it, and checkCatalogVersion hashes ids
// and severities only): such growth is reported "widened" like a change in the cluster. This
// pins that behaviour, which docs/deploy.md ("Upgrade") describes, so changing it is a decision.
// The example is this version's own: a create limited by resourceNames with patch on the same
// name is now a way to create the workload (a server-side apply, authorized as create with the
// object's name: kubernetes staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go,
// createAuthorizerAttributes), so a subject holding both gains a member in its extent.
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../../checks/index.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { diffRuns } from '../../../src/diff/diff.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import type { RunReport } from '../../../src/run/types.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';

const RBAC = 'rbac.authorization.k8s.io';
const objects = (verbs: string[]): KubeObject[] => [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } },
  { apiVersion: `${RBAC}/v1`, kind: 'Role', metadata: { name: 'web', namespace: 'kube-system' }, rules: [{ apiGroups: ['apps'], resources: ['deployments'], verbs, resourceNames: ['web'] }] },
  { apiVersion: `${RBAC}/v1`, kind: 'RoleBinding', metadata: { name: 'carol-web', namespace: 'kube-system' }, roleRef: { apiGroup: RBAC, kind: 'Role', name: 'web' }, subjects: [{ kind: 'User', name: 'carol', apiGroup: RBAC }] },
];

function audit(o: KubeObject[], runId: string, toolVersion: string): RunReport {
  const now = new Date('2026-12-05T02:00:00Z');
  const report = auditSnapshot({ snapshot: snapshotFromObjects(structuredClone(o), { clusterName: 'demo' }), config: defaultConfig(), checks: CHECKS, now, startedAt: now, runId }).report;
  return { ...report, run: { ...report.run, toolVersion } };
}

describe('extent growth from a newer analysis is reported as widened (no rule tells it apart)', () => {
  it('the same grants, read by a version that counts more of them, widen, whatever toolVersion each run carries', () => {
    // Stands in for the older version's run: its extent held the patch only.
    const before = audit(objects(['patch']), 'A', '0.0.1-old');
    const after = audit(objects(['create', 'patch']), 'B', '0.0.2-new');
    const d = diffRuns(before, after, { rules: defaultConfig().regression, expiredWaivers: [] });
    const carol = (d.widened ?? []).filter((w) => w.check === 'rbac.workload-create-kube-system' && w.resource.name === 'carol');
    expect(carol).toHaveLength(1);
    expect(carol[0].added.join(' ')).toContain('create deployments.apps');
    expect(d.regressionReasons.some((r) => r.includes('rbac.workload-create-kube-system on User carol widened'))).toBe(true);
  });
});
