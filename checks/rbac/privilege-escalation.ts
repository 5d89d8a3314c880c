import { permissionLabel, type Permission, type PermissionHit } from '../../src/analysis/rbac/audit.ts';
import { ANY_SUBRESOURCE } from '../../src/analysis/rbac/rules.ts';
import { each, namespaceOnlySeverity, p, permissionCheck } from './common.ts';
import { LEAST_PRIVILEGE, cis } from '../controls.ts';

const RBAC = 'rbac.authorization.k8s.io';

// Every storage provisioner that creates volumes for PersistentVolumeClaims (a CSI
// external-provisioner, kind's local-path-provisioner) needs create persistentvolumes, so that
// permission alone is something to verify rather than a certain escalation.
const PV_CREATE = { ...p('create', '', 'persistentvolumes'), clusterScoped: true };
const PV_CREATE_LABEL = permissionLabel(PV_CREATE);
const onlyPvCreate = (hits: PermissionHit[]) => hits.every((h) => h.permission === PV_CREATE_LABEL);
const namespaceOnly = namespaceOnlySeverity('medium');

/**
 * What the check looks for; rbac.aggregation-into-builtin asks for the same. Impersonating users,
 * groups, uids and user extras, escalating ClusterRoles and creating PersistentVolumes are
 * authorized at cluster scope, so only ClusterRoleBindings give them; bind (checked in the
 * RoleBinding's namespace), impersonating service accounts and minting their tokens also work
 * through RoleBindings.
 */
export const privilegeEscalationPermissions = (): Permission[] => [
  ...each(['escalate', 'bind'], RBAC, ['roles']),
  p('bind', RBAC, 'clusterroles'),
  { ...p('escalate', RBAC, 'clusterroles'), clusterScoped: true },
  ...each(['impersonate'], '', ['users', 'groups']).map((x) => ({ ...x, clusterScoped: true })),
  { ...p('impersonate', 'authentication.k8s.io', 'uids'), clusterScoped: true },
  { ...p('impersonate', 'authentication.k8s.io', 'userextras', ANY_SUBRESOURCE), clusterScoped: true },
  PV_CREATE,
  p('impersonate', '', 'serviceaccounts'),
  p('create', '', 'serviceaccounts', 'token'),
];

export const privilegeEscalation = permissionCheck({
  id: 'rbac.privilege-escalation',
  title: 'Subject can escalate, bind, impersonate, create tokens or create PersistentVolumes',
  protectsAgainst: 'subjects that can raise their own privileges: escalate or bind roles, impersonate (users, groups, service accounts, uids, user extras), mint service-account tokens, or create PersistentVolumes (a hostPath volume reaches the node filesystem)',
  severity: 'high',
  controls: [cis('5.1.8'), cis('5.1.9'), cis('5.1.13'), ...LEAST_PRIVILEGE],
  remediation: 'Remove escalate/bind on roles and clusterroles, impersonate on users/groups/serviceaccounts/uids/userextras and create on serviceaccounts/token from roles of non-platform subjects. A subject whose only such permission is create on persistentvolumes is reported at medium: storage provisioners (a CSI external-provisioner, local-path-provisioner) need it to create volumes for PersistentVolumeClaims. Verify the subject is such a provisioner or a trusted cluster operator, since a hostPath PersistentVolume it creates gives the pod that claims it the node\'s filesystem, and waive the finding for it; remove the permission from any other subject.',
  wanted: privilegeEscalationPermissions,
  action: 'escalate privileges',
  severityFor: (hits) => (onlyPvCreate(hits) ? 'medium' : namespaceOnly(hits)),
  noteFor: (hits) => (onlyPvCreate(hits)
    ? 'Creating PersistentVolumes is what a storage provisioner does: verify this subject is one (or a trusted cluster operator), since a hostPath PersistentVolume it creates gives the pod that claims it the node\'s filesystem'
    : undefined),
});
