// Protects against subjects that can relabel namespaces (weakening Pod Security Admission levels or matching NetworkPolicy namespaceSelectors).
// Controls: CIS-1.10 5.2.1 (5.1.8-adjacent); NSA-CISA AA/rbac; NIST-800-53 AC-6; NIST-800-207 T6.
import { RBAC_CONTROLS, cis, each, namespaceOnlySeverity, permissionCheck } from './common.ts';

export const namespaceModification = permissionCheck({
  id: 'rbac.namespace-modification',
  title: 'Subject can modify namespaces',
  severity: 'high',
  controls: [cis('5.2.1'), ...RBAC_CONTROLS],
  remediation: 'Remove patch/update on namespaces from tenant roles; a RoleBinding granting it lets the subject relabel its own namespace (e.g. drop pod-security.kubernetes.io/enforce).',
  wanted: () => each(['patch', 'update'], '', ['namespaces']),
  action: 'modify namespaces',
  // Through a RoleBinding only the binding's own namespace can be changed.
  severityFor: namespaceOnlySeverity('medium'),
});
