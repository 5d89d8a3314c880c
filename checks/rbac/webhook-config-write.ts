import { permissionCheck } from './common.ts';
import { webhookWritePermissions } from './lib/permissions.ts';
import { LEAST_PRIVILEGE, cis } from '../controls.ts';

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
