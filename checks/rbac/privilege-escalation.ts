import { permissionLabel, type PermissionHit } from '../../src/analysis/rbac/audit.ts';
import { POWERFUL_SA_BEST_EFFORT, namespaceOnlySeverity, permissionCheck, powerfulNamespaceNote } from './common.ts';
import { PV_CREATE, p, privilegeEscalationPermissions } from './lib/permissions.ts';
import { LEAST_PRIVILEGE, cis } from '../controls.ts';

const PV_CREATE_LABEL = permissionLabel(PV_CREATE);
const onlyPvCreate = (hits: PermissionHit[]) => hits.every((h) => h.permission === PV_CREATE_LABEL);
// Impersonating service accounts and minting their tokens act as them; escalate and bind
// in a namespace reach no further than it. A rule limited by resourceNames acts only as the
// accounts it names: a TokenRequest is a create on serviceaccounts/token named by its account,
// and impersonating an account (also as the user system:serviceaccount:NS:NAME) is authorized as
// impersonate on serviceaccounts NAME in NS (kubernetes staging/src/k8s.io/apiserver/pkg/endpoints/filters/impersonation.go).
const ACTS_AS = new Set([permissionLabel(p('impersonate', '', 'serviceaccounts')), permissionLabel(p('create', '', 'serviceaccounts', 'token'))]);
const actsAsServiceAccounts = (h: PermissionHit) => ACTS_AS.has(h.permission) && (h.ruleObj.resourceNames.length > 0 ? h.ruleObj.resourceNames : true);
const namespaceOnly = namespaceOnlySeverity('medium', actsAsServiceAccounts);
const powerfulNote = powerfulNamespaceNote(actsAsServiceAccounts);

export const privilegeEscalation = permissionCheck({
  id: 'rbac.privilege-escalation',
  title: 'Subject can escalate, bind, impersonate, create tokens or create PersistentVolumes',
  protectsAgainst: 'subjects that can raise their own privileges: escalate or bind roles, impersonate (users, groups, service accounts, uids, user extras), mint service-account tokens, or create PersistentVolumes (a hostPath volume reaches the node filesystem)',
  severity: 'high',
  readsBestEffort: POWERFUL_SA_BEST_EFFORT,
  controls: [cis('5.1.8'), cis('5.1.9'), cis('5.1.13'), ...LEAST_PRIVILEGE],
  remediation: 'Remove escalate/bind on roles and clusterroles, impersonate on users/groups/serviceaccounts/uids/userextras and create on serviceaccounts/token from roles of non-platform subjects. A subject whose only such permission is create on persistentvolumes is reported at medium: storage provisioners (a CSI external-provisioner, local-path-provisioner) need it to create volumes for PersistentVolumeClaims. Verify the subject is such a provisioner or a trusted cluster operator, since a hostPath PersistentVolume it creates gives the pod that claims it the node\'s filesystem, and waive the finding for it; remove the permission from any other subject.',
  wanted: privilegeEscalationPermissions,
  action: 'escalate privileges',
  severityFor: (hits, grants, ctx, subject) => (onlyPvCreate(hits) ? 'medium' : namespaceOnly(hits, grants, ctx, subject)),
  noteFor: (hits, ctx, subject, grants) => (onlyPvCreate(hits)
    ? 'Creating PersistentVolumes is what a storage provisioner does: verify this subject is one (or a trusted cluster operator), since a hostPath PersistentVolume it creates gives the pod that claims it the node\'s filesystem'
    : powerfulNote(hits, ctx, subject, grants)),
});
