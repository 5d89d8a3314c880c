import type { AuditContext } from '../../src/analysis/context.ts';
import type { Permission } from '../../src/analysis/rbac/audit.ts';
import { each, namespaceOnlySeverity, p, permissionCheck } from './common.ts';
import { LEAST_PRIVILEGE } from '../controls.ts';

/** Before 1.35 a WebSocket GET was enough for exec/attach/portforward; an unknown version may be older. */
export function getSufficesForExec(ctx: AuditContext): boolean {
  const m = /^v?(\d+)\.(\d+)/.exec(ctx.snapshot.cluster.version ?? '');
  if (!m) return true;
  return Number(m[1]) === 1 && Number(m[2]) < 35;
}

/** What the check looks for; rbac.aggregation-into-builtin asks for the same. */
export const podExecPermissions = (ctx: AuditContext): Permission[] => [
  ...['exec', 'attach', 'portforward'].map((sub) => p('create', '', 'pods', sub)),
  ...(getSufficesForExec(ctx) ? ['exec', 'attach', 'portforward'].map((sub) => p('get', '', 'pods', sub)) : []),
  ...each(['update', 'patch'], '', ['pods'], 'ephemeralcontainers'),
];

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
});
