// Protects against non-system subjects holding cluster-admin (or an equivalent `*` on `*`) everywhere.
// Controls: CIS-1.10 5.1.1, 5.1.7; NSA-CISA AA/rbac; NIST-800-53 AC-6; NIST-800-207 T6.
import { RBAC_CONTROLS, cis, permissionCheck, p } from './common.ts';

export const clusterAdminBinding = permissionCheck({
  id: 'rbac.cluster-admin-binding',
  title: 'Cluster-admin held by a non-system subject',
  severity: 'critical',
  controls: [cis('5.1.1'), cis('5.1.7'), ...RBAC_CONTROLS],
  remediation: 'Bind cluster-admin only to break-glass identities. Replace the ClusterRoleBinding with RoleBindings to narrower roles in the namespaces the subject works in.',
  // Every verb on every resource of every group, granted by a ClusterRoleBinding.
  wanted: () => [p('*', '*', '*')],
  clusterScoped: true,
  // `*` on `*` everywhere: every narrower dangerous grant on the same subject follows from it.
  implies: [
    'rbac.wildcard-permission', 'rbac.secrets-cluster-read', 'rbac.privilege-escalation',
    'rbac.pod-exec-attach', 'rbac.nodes-proxy', 'rbac.csr-approval', 'rbac.webhook-config-write',
    'rbac.workload-create-kube-system', 'rbac.namespace-modification', 'rbac.default-serviceaccount-bound',
  ],
  action: 'do anything on any resource (cluster-admin equivalent)',
});
