import type { Permission } from '../../src/analysis/rbac/audit.ts';
import { each, permissionCheck } from './common.ts';
import { LEAST_PRIVILEGE, cis } from '../controls.ts';

/**
 * What the check looks for; rbac.aggregation-into-builtin asks for the same. deletecollection: the
 * configurations are served by the generic registry store, which deletes collections too
 * (kubernetes pkg/registry/admissionregistration/validatingwebhookconfiguration/storage/storage.go).
 */
export const webhookWritePermissions = (): Permission[] => each(['create', 'update', 'patch', 'delete', 'deletecollection'], 'admissionregistration.k8s.io', ['validatingwebhookconfigurations', 'mutatingwebhookconfigurations']);

export const webhookConfigWrite = permissionCheck({
  id: 'rbac.webhook-config-write',
  title: 'Subject can write admission webhook configurations',
  protectsAgainst: 'subjects that can add, change or delete admission webhooks (intercept or mutate every object, or switch admission control off)',
  severity: 'high',
  controls: [cis('5.1.12'), ...LEAST_PRIVILEGE],
  remediation: 'Restrict create/update/patch/delete/deletecollection on validatingwebhookconfigurations and mutatingwebhookconfigurations to the platform deployment identity.',
  wanted: webhookWritePermissions,
  clusterScoped: true,
  action: 'write admission webhook configurations',
});
