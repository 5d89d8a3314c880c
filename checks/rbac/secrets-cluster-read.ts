import { each, permissionCheck } from './common.ts';
import { LEAST_PRIVILEGE, cis } from '../controls.ts';

// Cluster-wide only: a ClusterRoleBinding reaching Secrets in every namespace. Access granted
// by a RoleBinding in one namespace is rbac.secrets-namespace-read's to judge.
export const secretsClusterRead = permissionCheck({
  id: 'rbac.secrets-cluster-read',
  title: 'Subject can read Secrets in all namespaces',
  protectsAgainst: 'subjects that can read the Secrets of every namespace (get, list and watch all return contents) through a ClusterRoleBinding',
  severity: 'high',
  controls: [cis('5.1.2'), ...LEAST_PRIVILEGE],
  remediation: 'Remove get/list/watch on secrets from the cluster role, or replace the ClusterRoleBinding with RoleBindings in the namespaces that need it; prefer resourceNames for the specific Secrets an application reads.',
  wanted: () => each(['get', 'list', 'watch'], '', ['secrets']),
  clusterScoped: true,
  action: 'read Secrets in all namespaces',
});
