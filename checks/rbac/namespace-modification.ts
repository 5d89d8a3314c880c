import type { PermissionHit } from '../../src/analysis/rbac/audit.ts';
import { namespaceOnlySeverity, permissionCheck } from './common.ts';
import { namespaceModificationPermissions } from './lib/permissions.ts';
import { LEAST_PRIVILEGE, cis } from '../controls.ts';

/**
 * A cluster-wide hit limited by resourceNames, as one hit in each namespace it names: on
 * `namespaces` the names are namespaces (ResourceNameMatches, kubernetes
 * pkg/apis/rbac/v1/evaluation_helpers.go, compares the request's name, and a request on
 * /api/v1/namespaces/NAME names NAME), so it changes those and no other, as a RoleBinding there
 * would: its scope and severity are theirs.
 */
function inNamedNamespaces(hits: PermissionHit[]): PermissionHit[] {
  if (!hits.some((h) => !h.namespace && h.ruleObj.resourceNames.length > 0)) return hits;
  return hits.flatMap((h) => (h.namespace || h.ruleObj.resourceNames.length === 0 ? [h] : [...new Set(h.ruleObj.resourceNames)].map((namespace) => ({ ...h, namespace }))));
}

export const namespaceModification = permissionCheck({
  id: 'rbac.namespace-modification',
  title: 'Subject can modify namespaces',
  protectsAgainst: 'subjects that can relabel namespaces (weakening Pod Security Admission levels or matching NetworkPolicy namespaceSelectors)',
  severity: 'high',
  controls: [cis('5.2.1'), ...LEAST_PRIVILEGE],
  remediation: 'Remove patch/update on namespaces from tenant roles; a RoleBinding granting it lets the subject relabel its own namespace (e.g. drop pod-security.kubernetes.io/enforce). Granted only for namespaces other than kube-system (by RoleBindings there, or by a ClusterRoleBinding whose rule names them in resourceNames) it is reported at medium, in those namespaces.',
  wanted: namespaceModificationPermissions,
  keepHits: inNamedNamespaces,
  action: 'modify namespaces',
  // Through a RoleBinding only the binding's own namespace can be changed, and through a rule
  // limited by resourceNames only the namespaces it names. Relabelling one gives no pod, exec or
  // token of its service accounts (kubernetes.io/docs/concepts/security/rbac-good-practices/
  // "Namespace modification"): a powerful account there does not raise it (the plain rule).
  severityFor: namespaceOnlySeverity('medium'),
});
