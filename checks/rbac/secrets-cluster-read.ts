import type { PermissionHit } from '../../src/analysis/rbac/audit.ts';
import { permissionCheck } from './common.ts';
import { secretsReadHow, secretsReadPermissions } from './lib/permissions.ts';
import { LEAST_PRIVILEGE, cis } from '../controls.ts';

// Cluster-wide only: a ClusterRoleBinding reaching Secrets in every namespace. Access granted
// by a RoleBinding in one namespace is rbac.secrets-namespace-read's to judge. A rule limited by
// resourceNames reads only Secrets of those names, but in every namespace: less than all
// Secrets, more than one.
const named = (hits: PermissionHit[]) => hits.every((h) => h.ruleObj.resourceNames.length > 0);

function secretNames(hits: PermissionHit[]): string {
  const names = [...new Set(hits.flatMap((h) => h.ruleObj.resourceNames))].sort();
  return names.length <= 5 ? names.join(', ') : `${names.slice(0, 5).join(', ')} and ${names.length - 5} more`;
}

export const secretsClusterRead = permissionCheck({
  id: 'rbac.secrets-cluster-read',
  title: 'Subject can read Secrets in all namespaces',
  protectsAgainst: 'subjects that can read the Secrets of every namespace through a ClusterRoleBinding: get, list and watch return their contents, and so do patch (the API server answers a patch with the Secret it patched, so an empty patch reads it unchanged) and deletecollection (answered with every Secret it deleted; a dry run deletes none): kube-apiserver answers a PATCH with the patched object and a DELETE of a collection with the list of deleted objects (k8s.io/apiserver endpoints/handlers/patch.go, registry/generic/registry/store.go DeleteCollection), while update (a PUT answered with the object it was sent) and delete of one Secret (answered with a Status) read nothing',
  severity: 'high',
  controls: [cis('5.1.2'), ...LEAST_PRIVILEGE],
  remediation: 'Remove get, list, watch, patch and deletecollection on secrets from the cluster role, or replace the ClusterRoleBinding with RoleBindings in the namespaces that need it; prefer resourceNames for the specific Secrets an application reads. A grant already limited by resourceNames is reported at medium: it still reads the Secret of that name in every namespace, so bind it with RoleBindings in the namespaces that hold that Secret.',
  wanted: secretsReadPermissions,
  clusterScoped: true,
  action: 'read Secrets in all namespaces',
  actionFor: (hits) => (named(hits) ? `read only the Secrets named ${secretNames(hits)}` : undefined),
  severityFor: (hits) => (named(hits) ? 'medium' : undefined),
  noteFor: (hits) => secretsReadHow(hits.map((h) => h.permission)),
});
