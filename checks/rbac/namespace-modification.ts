import { inNamedNamespaces, namespaceOnlySeverity, permissionCheck } from './common.ts';
import { namespaceModificationPermissions } from './lib/permissions.ts';
import { LEAST_PRIVILEGE, cis } from '../controls.ts';

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
