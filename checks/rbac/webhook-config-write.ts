import type { PermissionHit } from '../../src/analysis/rbac/audit.ts';
import { permissionCheck } from './common.ts';
import { webhookWritePermissions } from './lib/permissions.ts';
import { LEAST_PRIVILEGE, cis } from '../controls.ts';

const isPolicy = (h: PermissionHit) => h.permission.includes('admissionpolic');

export const webhookConfigWrite = permissionCheck({
  id: 'rbac.webhook-config-write',
  title: 'Subject can write admission webhook configurations or admission policies',
  protectsAgainst: 'subjects that can add, change or delete admission webhooks or admission policies (intercept or mutate every object, or switch admission control off): a MutatingAdmissionPolicy and its binding mutate every object they match in the API server, as a mutating webhook does, and deleting or changing a ValidatingAdmissionPolicy or its binding switches that policy off',
  severity: 'high',
  controls: [cis('5.1.12'), ...LEAST_PRIVILEGE],
  remediation: 'Restrict create/update/patch/delete/deletecollection on validatingwebhookconfigurations, mutatingwebhookconfigurations, validatingadmissionpolicies, validatingadmissionpolicybindings, mutatingadmissionpolicies and mutatingadmissionpolicybindings to the platform deployment identity. A grant on the admission policies counts whether or not the API server serves them yet (MutatingAdmissionPolicy is served by default from Kubernetes 1.36): it takes effect when it does.',
  wanted: webhookWritePermissions,
  clusterScoped: true,
  action: 'write admission webhook configurations or admission policies',
  actionFor: (hits) => {
    const policies = hits.some(isPolicy);
    const webhooks = hits.some((h) => !isPolicy(h));
    return policies && webhooks ? undefined : policies ? 'write admission policies' : 'write admission webhook configurations';
  },
});
