import { namespaceOnlySeverity, permissionCheck, powerfulNamespaceNote } from './common.ts';
import { podExecPermissions } from './lib/permissions.ts';
import { LEAST_PRIVILEGE } from '../controls.ts';

export const podExecAttach = permissionCheck({
  id: 'rbac.pod-exec-attach',
  title: 'Subject can exec, attach or port-forward into pods',
  protectsAgainst: 'subjects that can run commands in, attach to, or port-forward into running pods (reaching their data and tokens)',
  severity: 'high',
  controls: LEAST_PRIVILEGE,
  remediation: 'Grant pods/exec, pods/attach, pods/portforward and pods/ephemeralcontainers only to break-glass roles, in the namespaces that need them.',
  wanted: podExecPermissions,
  action: 'exec into pods',
  severityFor: namespaceOnlySeverity('medium'),
  noteFor: powerfulNamespaceNote,
});
