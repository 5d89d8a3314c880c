import { ANY_SUBRESOURCE } from '../../src/analysis/rbac/rules.ts';
import { each, namespaceOnlySeverity, p, permissionCheck } from './common.ts';
import { LEAST_PRIVILEGE, cis } from '../controls.ts';

const RBAC = 'rbac.authorization.k8s.io';

export const privilegeEscalation = permissionCheck({
  id: 'rbac.privilege-escalation',
  title: 'Subject can escalate, bind, impersonate, create tokens or create PersistentVolumes',
  protectsAgainst: 'subjects that can raise their own privileges: escalate or bind roles, impersonate (users, groups, service accounts, uids, user extras), mint service-account tokens, or create PersistentVolumes (a hostPath volume reaches the node filesystem)',
  severity: 'high',
  controls: [cis('5.1.8'), cis('5.1.9'), cis('5.1.13'), ...LEAST_PRIVILEGE],
  remediation: 'Remove escalate/bind on roles and clusterroles, impersonate on users/groups/serviceaccounts/uids/userextras, create on serviceaccounts/token, and create on persistentvolumes from roles of non-platform subjects (let a CSI provisioner create volumes from PersistentVolumeClaims).',
  // Impersonating users, groups, uids and user extras, escalating ClusterRoles and creating
  // PersistentVolumes are authorized at cluster scope, so only ClusterRoleBindings give them;
  // bind (checked in the RoleBinding's namespace), impersonating service accounts and minting
  // their tokens also work through RoleBindings.
  wanted: () => [
    ...each(['escalate', 'bind'], RBAC, ['roles']),
    p('bind', RBAC, 'clusterroles'),
    { ...p('escalate', RBAC, 'clusterroles'), clusterScoped: true },
    ...each(['impersonate'], '', ['users', 'groups']).map((x) => ({ ...x, clusterScoped: true })),
    { ...p('impersonate', 'authentication.k8s.io', 'uids'), clusterScoped: true },
    { ...p('impersonate', 'authentication.k8s.io', 'userextras', ANY_SUBRESOURCE), clusterScoped: true },
    { ...p('create', '', 'persistentvolumes'), clusterScoped: true },
    p('impersonate', '', 'serviceaccounts'),
    p('create', '', 'serviceaccounts', 'token'),
  ],
  action: 'escalate privileges',
  severityFor: namespaceOnlySeverity('medium'),
});
