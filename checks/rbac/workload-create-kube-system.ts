import { permissionCheck } from './common.ts';
import { workloadWritePermissions } from './lib/permissions.ts';
import { LEAST_PRIVILEGE, cis } from '../controls.ts';

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
