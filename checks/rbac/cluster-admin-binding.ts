import { scopeText, type PermissionHit } from '../../src/analysis/rbac/audit.ts';
import { POWERFUL_SA_BEST_EFFORT, namespaceOnlySeverity, permissionCheck, powerfulNamespaceNote, type ActsAsServiceAccounts } from './common.ts';
import { clusterAdminPermissions } from './lib/permissions.ts';
import { LEAST_PRIVILEGE, cis } from '../controls.ts';

/** Every verb on every resource of a namespace acts as each of its service accounts (a pod run as it, a token minted for it). */
const actsAsEvery: ActsAsServiceAccounts = () => true;
const namespaceSeverity = namespaceOnlySeverity('high', actsAsEvery);
const powerfulNote = powerfulNamespaceNote(actsAsEvery);
const onlyInNamespaces = (hits: readonly PermissionHit[]) => hits.every((h) => h.namespace !== undefined);

/** Whether a finding of this check holds `*` on `*` cluster-wide (its evidence's scopes), not only in namespaces. */
function clusterWide(f: { evidence?: Record<string, unknown> }): boolean {
  const scopes = f.evidence?.scopes;
  return Array.isArray(scopes) && scopes.includes('cluster-wide');
}

export const clusterAdminBinding = permissionCheck({
  id: 'rbac.cluster-admin-binding',
  title: 'Cluster-admin held outside the built-in grants',
  protectsAgainst: 'subjects holding cluster-admin (or an equivalent `*` on `*`) everywhere through a binding Kubernetes or kubeadm did not create, system identities and kube-system service accounts included; or in a namespace, through a RoleBinding to cluster-admin (full control of every resource there, the namespace itself included)',
  severity: 'critical',
  // A RoleBinding's severity asks which powerful service accounts its namespace holds.
  readsBestEffort: POWERFUL_SA_BEST_EFFORT,
  controls: [cis('5.1.1'), cis('5.1.7'), ...LEAST_PRIVILEGE],
  remediation: 'Bind cluster-admin only to break-glass identities. Replace the ClusterRoleBinding with RoleBindings to narrower roles in the namespaces the subject works in. A RoleBinding to cluster-admin (or to a role granting every verb on every resource) is reported at high, in its namespace: it gives full control of every resource there, Secrets, RoleBindings and the namespace object itself included; bind the built-in admin or edit ClusterRole there instead. In kube-system, or in a namespace holding a service account with dangerous permissions cluster-wide that the subject could act as, it stays critical.',
  // Every verb on every resource of every group: granted by a ClusterRoleBinding, everywhere; by a RoleBinding, in its namespace.
  wanted: clusterAdminPermissions,
  // `*` on `*` everywhere: every narrower dangerous grant on the same subject follows from it.
  // Held only in namespaces it does not (a cluster-wide Secrets read beside it): impliesWhen.
  implies: [
    'rbac.wildcard-permission', 'rbac.secrets-cluster-read', 'rbac.secrets-namespace-read', 'rbac.privilege-escalation',
    'rbac.pod-exec-attach', 'rbac.nodes-proxy', 'rbac.csr-approval', 'rbac.webhook-config-write',
    'rbac.workload-create-kube-system', 'rbac.namespace-modification', 'rbac.default-serviceaccount-bound',
  ],
  impliesWhen: clusterWide,
  // Held cluster-wide, a RoleBinding to it adds nothing: the finding stays what it was (message, extent).
  keepHits: (hits) => (onlyInNamespaces(hits) ? hits : hits.filter((h) => h.namespace === undefined)),
  action: 'do anything on any resource (cluster-admin equivalent)',
  // Kubernetes docs, "Using RBAC Authorization", user-facing roles: cluster-admin "When used in a
  // RoleBinding, it gives full control over every resource in the role binding's namespace,
  // including the namespace itself".
  actionFor: (hits) => (onlyInNamespaces(hits) ? 'do anything on any resource (namespace-scoped cluster-admin)' : undefined),
  severityFor: (hits, grants, ctx, subject) => (onlyInNamespaces(hits) ? namespaceSeverity(hits, grants, ctx, subject) : undefined),
  noteFor: (hits, ctx, subject, grants) => {
    if (!onlyInNamespaces(hits)) return undefined;
    const powerful = powerfulNote(hits, ctx, subject, grants);
    const scoped = `Namespace-scoped: full control of every resource in ${scopeText(hits).replace(/^in /, '')}, the namespace object itself included, and of nothing outside`;
    return powerful ? `${scoped}. ${powerful}` : scoped;
  },
});
