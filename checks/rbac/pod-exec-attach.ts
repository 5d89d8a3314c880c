import type { PermissionHit } from '../../src/analysis/rbac/audit.ts';
import { POWERFUL_SA_BEST_EFFORT, namespaceOnlySeverity, permissionCheck, powerfulNamespaceNote } from './common.ts';
import { podExecPermissions } from './lib/permissions.ts';
import { LEAST_PRIVILEGE } from '../controls.ts';

// Exec, attach and an ephemeral container run as or beside a pod's processes, with its mounted
// token; port-forwarding only reaches its ports, so it is no way to act as its service account.
const actsAsServiceAccounts = (h: PermissionHit) => !h.permission.endsWith(' pods/portforward');

export const podExecAttach = permissionCheck({
  id: 'rbac.pod-exec-attach',
  title: 'Subject can exec, attach or port-forward into pods',
  protectsAgainst: 'subjects that can run commands in, attach to, or port-forward into running pods (reaching their data and tokens)',
  severity: 'high',
  readsBestEffort: POWERFUL_SA_BEST_EFFORT,
  controls: LEAST_PRIVILEGE,
  remediation: 'Grant pods/exec, pods/attach, pods/portforward and pods/ephemeralcontainers only to break-glass roles, in the namespaces that need them.',
  wanted: podExecPermissions,
  action: 'exec into pods',
  severityFor: namespaceOnlySeverity('medium', actsAsServiceAccounts),
  noteFor: powerfulNamespaceNote(actsAsServiceAccounts),
});
