import type { Permission } from '../../src/analysis/rbac/audit.ts';
import { each, permissionCheck } from './common.ts';
import { LEAST_PRIVILEGE, cis } from '../controls.ts';

const VERBS = ['create', 'update', 'patch'];

/** What the check looks for (in kube-system); rbac.aggregation-into-builtin asks for the same in any namespace. */
export const workloadWritePermissions = (): Permission[] => [
  ...each(VERBS, '', ['pods', 'replicationcontrollers']),
  ...each(VERBS, 'apps', ['deployments', 'replicasets', 'statefulsets', 'daemonsets']),
  ...each(VERBS, 'batch', ['jobs', 'cronjobs']),
];

export const workloadCreateKubeSystem = permissionCheck({
  id: 'rbac.workload-create-kube-system',
  title: 'Subject can create workloads in kube-system',
  protectsAgainst: 'subjects that can create or change workloads in kube-system, which run with control-plane service accounts and secrets',
  severity: 'high',
  controls: [cis('5.1.4'), ...LEAST_PRIVILEGE],
  remediation: 'Remove create/update/patch on pods and workload controllers in kube-system (and cluster-wide) from non-platform subjects; deploy add-ons through a dedicated pipeline identity.',
  wanted: workloadWritePermissions,
  namespace: 'kube-system',
  action: 'create or change workloads in kube-system',
});
