// The critical tier of rbac.privilege-escalation, follow-up of reviewer repro r3: two more grants
// that are cluster-admin in one step.
// - Impersonating a group bound to cluster-admin: Impersonate-Group "requires Impersonate-User",
//   and the impersonated identity has the groups named
//   (https://kubernetes.io/docs/reference/access-authn-authz/authentication/#user-impersonation).
//   kubeadm binds its group kubeadm:cluster-admins to cluster-admin by the ClusterRoleBinding
//   kubeadm:cluster-admins (https://kubernetes.io/docs/reference/setup-tools/kubeadm/implementation-details/,
//   the admin.conf user is in that group; kubernetes/kubeadm#2414 moved admin.conf off system:masters to it), so impersonating it with any user is cluster-admin, as
//   impersonating system:masters is.
// - Rewriting a ClusterRole bound to oneself: a role may be created or updated with permissions its
//   writer lacks only by one granted the escalate verb on roles or clusterroles
//   (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#privilege-escalation-prevention-and-bootstrapping,
//   "Restrictions on role creation or update"); the RBAC good practices name escalate as a way for
//   its holder to add permissions it does not have to a role
//   (https://kubernetes.io/docs/concepts/security/rbac-good-practices/#escalate-verb). With update or
//   patch on a ClusterRole a ClusterRoleBinding binds to the subject, it writes '*' on '*' into it.
import { describe, expect, it } from 'vitest';
import { privilegeEscalation } from '../../../checks/rbac/privilege-escalation.ts';
import { RBAC, run, snap } from './helpers.ts';

const granted = (name: string, rules: string, roleName = name) => `
apiVersion: ${RBAC}
kind: ClusterRole
metadata: {name: ${roleName}}
rules:
${rules}
---
apiVersion: ${RBAC}
kind: ClusterRoleBinding
metadata: {name: ${name}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${roleName}}
subjects: [{kind: User, name: ${name}, apiGroup: rbac.authorization.k8s.io}]
`;

// kubeadm's binding, as kubeadm init makes it.
const KUBEADM_ADMINS = `
apiVersion: ${RBAC}
kind: ClusterRoleBinding
metadata: {name: kubeadm:cluster-admins}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: Group, name: kubeadm:cluster-admins, apiGroup: rbac.authorization.k8s.io}]
`;

const finding = (yaml: string, user: string) => {
  const v = run(privilegeEscalation, snap(yaml)).find((x) => x.resource.name === user)!;
  return { status: v.status, severity: v.severity ?? privilegeEscalation.severity, message: v.message };
};

// Users limited to jane: unrestricted, it would act as system:kube-controller-manager, which mints any account's token (escalation-chains.test.ts).
const IMPERSONATOR = granted('frank', `- {apiGroups: [""], resources: ["groups"], verbs: ["impersonate"], resourceNames: ["kubeadm:cluster-admins"]}
- {apiGroups: [""], resources: ["users"], verbs: ["impersonate"], resourceNames: ["jane"]}`);

describe('rbac.privilege-escalation: impersonating a group bound to cluster-admin is critical', () => {
  it('impersonate groups [kubeadm:cluster-admins] and users, the group bound to cluster-admin: critical, naming the group', () => {
    const v = finding(`${IMPERSONATOR}---${KUBEADM_ADMINS}`, 'frank');
    expect(v).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(v.message).toContain('It can act as the group kubeadm:cluster-admins, which a ClusterRoleBinding binds to cluster-admin (kubectl --as=jane --as-group=kubeadm:cluster-admins): that is cluster-admin');
  });

  it('near miss: the group bound to cluster-admin only by a RoleBinding stays high', () => {
    const v = finding(`${IMPERSONATOR}---${KUBEADM_ADMINS.replace('kind: ClusterRoleBinding\nmetadata: {name: kubeadm:cluster-admins}', 'kind: RoleBinding\nmetadata: {name: kubeadm:cluster-admins, namespace: team-a}')}`, 'frank');
    expect(v).toMatchObject({ status: 'fail', severity: 'high' });
    expect(v.message).not.toContain('that is cluster-admin');
  });

  it('near miss: no user to impersonate with the group stays high', () => {
    const v = finding(`${granted('gus', `- {apiGroups: [""], resources: ["groups"], verbs: ["impersonate"], resourceNames: ["kubeadm:cluster-admins"]}`)}---${KUBEADM_ADMINS}`, 'gus');
    expect(v).toMatchObject({ status: 'fail', severity: 'high' });
  });
});

describe('rbac.privilege-escalation: escalate and update on a ClusterRole bound to oneself is critical', () => {
  const selfEditor = (verbs: string, names = 'self-editor') => granted('gina', `- {apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], verbs: [${verbs}], resourceNames: [${names}]}`, 'self-editor');

  it('escalate and update on its own ClusterRole, bound by a ClusterRoleBinding: critical, naming the role', () => {
    for (const verbs of ['escalate, update', 'escalate, patch']) {
      const v = finding(selfEditor(verbs), 'gina');
      expect(v, verbs).toMatchObject({ status: 'fail', severity: 'critical' });
      expect(v.message, verbs).toContain('It can write any rule into ClusterRole self-editor, which a ClusterRoleBinding binds to itself (escalate and update or patch on it): that is cluster-admin');
    }
  });

  it('near miss: escalate and update on a ClusterRole it is not bound to stays high', () => {
    const v = finding(`${selfEditor('escalate, update', 'other')}---
apiVersion: ${RBAC}
kind: ClusterRole
metadata: {name: other}
rules: []
`, 'gina');
    expect(v).toMatchObject({ status: 'fail', severity: 'high' });
    expect(v.message).not.toContain('that is cluster-admin');
  });

  it('near miss: escalate without update or patch stays high', () => {
    const v = finding(selfEditor('escalate, get'), 'gina');
    expect(v).toMatchObject({ status: 'fail', severity: 'high' });
  });
});
