import { each, namespaceOnlySeverity, permissionCheck } from './common.ts';
import { LEAST_PRIVILEGE, cis } from '../controls.ts';

export const secretsClusterRead = permissionCheck({
  id: 'rbac.secrets-cluster-read',
  title: 'Subject can read Secrets',
  protectsAgainst: 'subjects that can read Secrets (get, list and watch all return contents), above all in every namespace',
  severity: 'high',
  controls: [cis('5.1.2'), ...LEAST_PRIVILEGE],
  remediation: 'Remove get/list/watch on secrets from the role, or bind it with a RoleBinding in the one namespace that needs it; prefer resourceNames for the specific Secrets an application reads.',
  wanted: () => each(['get', 'list', 'watch'], '', ['secrets']),
  action: 'read Secrets',
  // Cluster-wide or kube-system reads keep the check's severity; one application namespace is medium.
  severityFor: namespaceOnlySeverity('medium'),
});
