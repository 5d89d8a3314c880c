// A waiver on the role behind an RBAC finding, run through the real check and diff: run 1 has
// ServiceAccount ci/deployer bound to ClusterRole ci-deployer, run 2 adds ci/new-sa bound to it.
import { wildcardPermission } from '../../../checks/rbac/wildcard-permission.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig, type WaiverConfig } from '../../../src/config/types.ts';
import { diffRuns } from '../../../src/diff/diff.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import type { RunReport } from '../../../src/run/types.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';

export const CHECK = 'rbac.wildcard-permission';
const ciDeployer: KubeObject = {
  apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'ci-deployer' },
  rules: [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['*'] }],
};
/** ServiceAccount ci/<name>, bound cluster-wide to ci-deployer by its own binding. */
const boundSa = (name: string): KubeObject[] => [
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: 'ci' } },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: `ci-deployer-${name}` },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'ci-deployer' },
    subjects: [{ kind: 'ServiceAccount', name, namespace: 'ci' }],
  },
];
export const waiverOn = (resource: WaiverConfig['resource']): WaiverConfig => ({
  check: CHECK, resource, reason: 'the CI pipeline deploys everywhere', owner: 'platform@example.com', expires: '2027-06-30',
});
export const roleWaiver = waiverOn({ kind: 'ClusterRole', name: 'ci-deployer' });

/** Role payments/ops granting every verb on everything there, bound to ServiceAccount ci/<name> by a RoleBinding. */
export const wildcardRoleFor = (name: string): KubeObject[] => [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'payments' } },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'ops', namespace: 'payments' }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'ops', namespace: 'payments' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'ops' },
    subjects: [{ kind: 'ServiceAccount', name, namespace: 'ci' }],
  },
];

export function audit(runId: string, sas: string[], waivers: WaiverConfig[], extra: KubeObject[] = []): RunReport {
  const at = new Date('2026-12-01T02:00:00Z');
  const config = defaultConfig();
  config.waivers = waivers;
  const snapshot = snapshotFromObjects([ciDeployer, ...sas.flatMap(boundSa), ...extra], { clusterName: 'demo', collectedAt: at.toISOString() });
  return auditSnapshot({ snapshot, config, checks: [wildcardPermission], now: at, runId, startedAt: at }).report;
}

/** Run 1 with ci/deployer bound to ci-deployer, run 2 with ci/new-sa bound too; run 2 carries the diff. */
export function twoRuns(waivers: WaiverConfig[], secondSas = ['deployer', 'new-sa']): RunReport {
  const first = audit('run-1', ['deployer'], waivers);
  const second = audit('run-2', secondSas, waivers);
  second.diff = diffRuns(first, second, { rules: defaultConfig().regression, expiredWaivers: [] });
  return second;
}

