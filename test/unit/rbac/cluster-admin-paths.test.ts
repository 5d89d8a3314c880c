// Reviewer repro r3: two grants that are cluster-admin in one step were rated high, their path unnamed.
// - Impersonation: Impersonate-Group "Requires Impersonate-User" (either a user or a service
//   account), and the groups named are the impersonated identity's groups
//   (https://kubernetes.io/docs/reference/access-authn-authz/authentication/#user-impersonation);
//   system:masters is the group cluster-admin is bound to by default, "super-user access to
//   perform any action on any resource" (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles).
//   So impersonate on users plus impersonate on groups allowed system:masters acts as cluster-admin.
// - Binding: "you can create/update a role binding if … you have explicit permission to perform
//   the bind verb on the referenced role", the example being bind on clusterroles limited by
//   resourceNames to admin, edit, view, with create on rolebindings
//   (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#restrictions-on-role-binding-creation-or-update).
//   With create on clusterrolebindings and bind on cluster-admin held cluster-wide, the subject
//   binds cluster-admin to itself.
import { describe, expect, it } from 'vitest';
import { rbacChecks } from '../../../checks/rbac/index.ts';
import { privilegeEscalation } from '../../../checks/rbac/privilege-escalation.ts';
import { catalogMarkdown } from '../../../src/cli/checks.ts';
import { RBAC, run, snap } from './helpers.ts';

const granted = (name: string, rules: string, binding: 'ClusterRoleBinding' | 'RoleBinding' = 'ClusterRoleBinding') => `
apiVersion: ${RBAC}
kind: ClusterRole
metadata: {name: ${name}}
rules:
${rules}
---
apiVersion: ${RBAC}
kind: ${binding}
metadata: {name: ${name}${binding === 'RoleBinding' ? ', namespace: team-a' : ''}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${name}}
subjects: [{kind: User, name: ${name}, apiGroup: rbac.authorization.k8s.io}]
`;

const finding = (yaml: string, user: string) => {
  const v = run(privilegeEscalation, snap(yaml)).find((x) => x.resource.name === user)!;
  return { status: v.status, severity: v.severity ?? privilegeEscalation.severity, message: v.message };
};

// Repro r3, as the reviewer wrote it.
const R3 = granted('alice', `- {apiGroups: [""], resources: ["groups"], verbs: ["impersonate"], resourceNames: ["system:masters"]}
- {apiGroups: [""], resources: ["users"], verbs: ["impersonate"]}`) + '---' + granted('bob', `- {apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], verbs: ["bind"], resourceNames: ["cluster-admin"]}
- {apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterrolebindings"], verbs: ["create"]}`);

const AS_MASTERS = 'It can act as the group system:masters, which every request is allowed for (kubectl --as=ANY-USER --as-group=system:masters): that is cluster-admin';
const BIND_SELF = 'It can bind ClusterRole cluster-admin to itself (create a ClusterRoleBinding to cluster-admin naming itself): that is cluster-admin';

describe('rbac.privilege-escalation: the paths that are cluster-admin are critical, and named', () => {
  it('r3 alice: impersonate users and groups limited to system:masters is critical, naming --as-group=system:masters', () => {
    const v = finding(R3, 'alice');
    expect(v).toMatchObject({ status: 'fail', severity: 'critical' });
    // Unrestricted impersonate on users acts as bob too, who binds cluster-admin to himself: the second path is named after it.
    expect(v.message).toContain(`${AS_MASTERS.replace(': that is cluster-admin', '')}, and act as User bob (kubectl --as=bob), which is cluster-admin-equivalent because it can bind ClusterRole cluster-admin to itself`);
  });

  it('r3 bob: bind limited to cluster-admin and create clusterrolebindings is critical, naming the binding', () => {
    const v = finding(R3, 'bob');
    expect(v).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(v.message).toContain(BIND_SELF);
  });

  it('unrestricted impersonate on groups, with a service account as the user, is critical too', () => {
    const v = finding(granted('carl', `- {apiGroups: [""], resources: ["groups"], verbs: ["impersonate"]}
- {apiGroups: [""], resources: ["serviceaccounts"], verbs: ["impersonate"], resourceNames: ["builder"]}`), 'carl');
    expect(v).toMatchObject({ status: 'fail', severity: 'critical' });
    // The user impersonated is the one service account the rule names, in any namespace (a ClusterRoleBinding's).
    expect(v.message).toContain(AS_MASTERS.replace('ANY-USER', 'system:serviceaccount:ANY-NAMESPACE:builder'));
  });

  it('unrestricted bind on clusterroles with create clusterrolebindings is critical', () => {
    const v = finding(granted('dora', `- {apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], verbs: ["bind"]}
- {apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterrolebindings"], verbs: ["create"]}`), 'dora');
    expect(v).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(v.message).toContain(BIND_SELF);
  });

  it('impersonate groups limited to [dev] stays high: not system:masters', () => {
    // Users limited to jane: unrestricted, it would act as system:kube-controller-manager, which mints any account's token (escalation-chains.test.ts).
    const v = finding(granted('erin', `- {apiGroups: [""], resources: ["groups"], verbs: ["impersonate"], resourceNames: ["dev"]}
- {apiGroups: [""], resources: ["users"], verbs: ["impersonate"], resourceNames: ["jane"]}`), 'erin');
    expect(v).toMatchObject({ status: 'fail', severity: 'high' });
    expect(v.message).not.toContain('cluster-admin');
  });

  it('impersonate groups system:masters without any user to impersonate stays high (Impersonate-Group requires Impersonate-User)', () => {
    expect(finding(granted('finn', '- {apiGroups: [""], resources: ["groups"], verbs: ["impersonate"], resourceNames: ["system:masters"]}'), 'finn')).toMatchObject({ status: 'fail', severity: 'high' });
  });

  it('bind limited to view, or bind cluster-admin without create clusterrolebindings, stays high', () => {
    expect(finding(granted('gail', `- {apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], verbs: ["bind"], resourceNames: ["view"]}
- {apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterrolebindings"], verbs: ["create"]}`), 'gail').severity).toBe('high');
    expect(finding(granted('hank', `- {apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], verbs: ["bind"], resourceNames: ["cluster-admin"]}
- {apiGroups: ["rbac.authorization.k8s.io"], resources: ["rolebindings"], verbs: ["create"]}`), 'hank').severity).toBe('high');
  });

  it('bind cluster-admin through a RoleBinding with create clusterrolebindings cluster-wide is not cluster-admin: the ClusterRoleBinding\'s bind is asked with no namespace', () => {
    const yaml = granted('ivy', '- {apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], verbs: ["bind"], resourceNames: ["cluster-admin"]}', 'RoleBinding')
      + '---' + granted('ivy-crb', '- {apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterrolebindings"], verbs: ["create"]}').replace('name: ivy-crb, apiGroup', 'name: ivy, apiGroup');
    const v = finding(yaml, 'ivy');
    expect(v.status).toBe('fail');
    expect(v.severity).not.toBe('critical');
    expect(v.message).not.toContain('cluster-admin to itself');
  });

  it('a subject bound to cluster-admin already gets no path to it (rbac.cluster-admin-binding reports it, critical)', () => {
    const yaml = `
apiVersion: ${RBAC}
kind: ClusterRoleBinding
metadata: {name: jo-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: User, name: jo, apiGroup: rbac.authorization.k8s.io}]
`;
    const v = finding(yaml, 'jo');
    expect(v).toMatchObject({ status: 'fail', severity: 'high' });
    expect(v.message).not.toContain('that is cluster-admin');
  });

  it('the docs row states the critical tier', () => {
    const row = catalogMarkdown(rbacChecks).split('\n').find((l) => l.startsWith('| `rbac.privilege-escalation` |'))!;
    expect(row).toContain('A subject that can act as system:masters (impersonate on groups, unrestricted or limited by resourceNames to system:masters, with impersonate on users or serviceaccounts to name the user) or bind cluster-admin to itself (bind on clusterroles, unrestricted or limited to cluster-admin, through a ClusterRoleBinding, with create on clusterrolebindings) is reported at critical');
  });
});
