import { permissionCheck } from './common.ts';
import { clusterAdminPermissions } from './lib/permissions.ts';
import { LEAST_PRIVILEGE, cis } from '../controls.ts';

export const clusterAdminBinding = permissionCheck({
  id: 'rbac.cluster-admin-binding',
  title: 'Cluster-admin held outside the built-in grants',
  protectsAgainst: 'subjects holding cluster-admin (or an equivalent `*` on `*`) everywhere through a binding Kubernetes or kubeadm did not create, system identities and kube-system service accounts included',
  severity: 'critical',
  controls: [cis('5.1.1'), cis('5.1.7'), ...LEAST_PRIVILEGE],
  remediation: 'Bind cluster-admin only to break-glass identities. Replace the ClusterRoleBinding with RoleBindings to narrower roles in the namespaces the subject works in.',
  // Every verb on every resource of every group, granted by a ClusterRoleBinding.
  wanted: clusterAdminPermissions,
  clusterScoped: true,
  // `*` on `*` everywhere: every narrower dangerous grant on the same subject follows from it.
  implies: [
    'rbac.wildcard-permission', 'rbac.secrets-cluster-read', 'rbac.secrets-namespace-read', 'rbac.privilege-escalation',
    'rbac.pod-exec-attach', 'rbac.nodes-proxy', 'rbac.csr-approval', 'rbac.webhook-config-write',
    'rbac.workload-create-kube-system', 'rbac.namespace-modification', 'rbac.default-serviceaccount-bound',
  ],
  action: 'do anything on any resource (cluster-admin equivalent)',
});
