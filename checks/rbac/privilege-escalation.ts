import { each, namespaceOnlySeverity, p, permissionCheck } from './common.ts';
import { LEAST_PRIVILEGE, cis } from '../controls.ts';

const RBAC = 'rbac.authorization.k8s.io';

export const privilegeEscalation = permissionCheck({
  id: 'rbac.privilege-escalation',
  title: 'Subject can escalate, bind, impersonate or create tokens',
  protectsAgainst: 'subjects that can raise their own privileges: escalate or bind roles, impersonate, or mint service-account tokens',
  severity: 'high',
  controls: [cis('5.1.8'), cis('5.1.13'), ...LEAST_PRIVILEGE],
  remediation: 'Remove escalate/bind on roles and clusterroles, impersonate on users/groups/serviceaccounts/uids, and create on serviceaccounts/token from roles of non-platform subjects.',
  // Impersonating users, groups and uids and escalating ClusterRoles are authorized at cluster
  // scope, so only ClusterRoleBindings give them; bind (checked in the RoleBinding's namespace),
  // impersonating service accounts and minting their tokens also work through RoleBindings.
  wanted: () => [
    ...each(['escalate', 'bind'], RBAC, ['roles']),
    p('bind', RBAC, 'clusterroles'),
    { ...p('escalate', RBAC, 'clusterroles'), clusterScoped: true },
    ...each(['impersonate'], '', ['users', 'groups']).map((x) => ({ ...x, clusterScoped: true })),
    { ...p('impersonate', 'authentication.k8s.io', 'uids'), clusterScoped: true },
    p('impersonate', '', 'serviceaccounts'),
    p('create', '', 'serviceaccounts', 'token'),
  ],
  action: 'escalate privileges',
  severityFor: namespaceOnlySeverity('medium'),
});
