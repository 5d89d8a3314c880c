// Protects against subjects that can add, change or delete admission webhooks (intercept or mutate every object, or switch admission control off).
// Controls: CIS-1.10 5.1.12; NSA-CISA AA/rbac; NIST-800-53 AC-6; NIST-800-207 T6.
import { RBAC_CONTROLS, cis, each, permissionCheck } from './common.ts';

export const webhookConfigWrite = permissionCheck({
  id: 'rbac.webhook-config-write',
  title: 'Subject can write admission webhook configurations',
  severity: 'high',
  controls: [cis('5.1.12'), ...RBAC_CONTROLS],
  remediation: 'Restrict create/update/patch/delete on validatingwebhookconfigurations and mutatingwebhookconfigurations to the platform deployment identity.',
  wanted: () => each(['create', 'update', 'patch', 'delete'], 'admissionregistration.k8s.io', ['validatingwebhookconfigurations', 'mutatingwebhookconfigurations']),
  clusterScoped: true,
  action: 'write admission webhook configurations',
});
