// Reviewer repro s5: impersonating a group needs impersonating a user too, and the API server
// authorizes the user first ("Impersonate-Group … Requires Impersonate-User";
// https://kubernetes.io/docs/reference/access-authn-authz/authentication/#user-impersonation).
// A subject that may impersonate only service accounts (here in dev, by a RoleBinding) and the
// group system:masters is cluster-admin, but `kubectl --as=alice --as-group=system:masters` is
// refused: the hint names a user it may impersonate, `system:serviceaccount:dev:…`.
import { describe, expect, it } from 'vitest';
import { privilegeEscalation } from '../../../checks/rbac/privilege-escalation.ts';
import { run, snap } from './helpers.ts';

const role = (name: string, rule: string) => `---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ${name}}
rules: [${rule}]
`;
const binding = (kind: 'ClusterRoleBinding' | 'RoleBinding', name: string, roleName: string, user: string, ns?: string) => `---
apiVersion: rbac.authorization.k8s.io/v1
kind: ${kind}
metadata: {name: ${name}${ns ? `, namespace: ${ns}` : ''}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${roleName}}
subjects: [{kind: User, name: ${user}, apiGroup: rbac.authorization.k8s.io}]
`;

const MASTERS = role('impg', '{apiGroups: [""], resources: [groups], verbs: [impersonate], resourceNames: ["system:masters"]}') + binding('ClusterRoleBinding', 'impg', 'impg', 'alice');

const messageOf = (yaml: string, user: string) => run(privilegeEscalation, snap(yaml)).find((v) => v.resource.name === user)!;

describe('rbac.privilege-escalation: the --as of an impersonated group is a user the subject may impersonate', () => {
  it('s5: impersonate serviceaccounts by RoleBinding dev/imps → --as=system:serviceaccount:dev:ANY-NAME, never ANY-USER', () => {
    const v = messageOf(MASTERS + role('imps', '{apiGroups: [""], resources: [serviceaccounts], verbs: [impersonate]}') + binding('RoleBinding', 'imps', 'imps', 'alice', 'dev'), 'alice');
    expect(v).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(v.message).toContain('It can act as the group system:masters, which every request is allowed for (kubectl --as=system:serviceaccount:dev:ANY-NAME --as-group=system:masters): that is cluster-admin');
    expect(v.message).not.toContain('ANY-USER');
  });

  it('a rule naming the service account: --as names it', () => {
    const v = messageOf(MASTERS + role('imps', '{apiGroups: [""], resources: [serviceaccounts], verbs: [impersonate], resourceNames: [builder]}') + binding('RoleBinding', 'imps', 'imps', 'alice', 'dev'), 'alice');
    expect(v.message).toContain('(kubectl --as=system:serviceaccount:dev:builder --as-group=system:masters)');
  });

  it('impersonate users named bob: --as=bob; unrestricted: any user', () => {
    const named = messageOf(MASTERS + role('impu', '{apiGroups: [""], resources: [users], verbs: [impersonate], resourceNames: [bob]}') + binding('ClusterRoleBinding', 'impu', 'impu', 'alice'), 'alice');
    expect(named.message).toContain('(kubectl --as=bob --as-group=system:masters)');
    const any = messageOf(MASTERS + role('impu', '{apiGroups: [""], resources: [users], verbs: [impersonate]}') + binding('ClusterRoleBinding', 'impu', 'impu', 'alice'), 'alice');
    expect(any.message).toContain('(kubectl --as=ANY-USER --as-group=system:masters)');
  });

  it('a step of a longer chain: alice acts as xavier, who acts as the group release-team with a dev service account', () => {
    const deployer = `---
apiVersion: v1
kind: ServiceAccount
metadata: {name: deployer, namespace: prod}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: deployer-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: deployer, namespace: prod}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: release}
rules: [{apiGroups: [""], resources: [serviceaccounts/token], verbs: [create], resourceNames: [deployer]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: release, namespace: prod}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: release}
subjects: [{kind: Group, name: release-team, apiGroup: rbac.authorization.k8s.io}]
`;
    const xavier = role('impg', '{apiGroups: [""], resources: [groups], verbs: [impersonate], resourceNames: [release-team]}') + binding('ClusterRoleBinding', 'impg', 'impg', 'xavier')
      + role('imps', '{apiGroups: [""], resources: [serviceaccounts], verbs: [impersonate]}') + binding('RoleBinding', 'imps', 'imps', 'xavier', 'dev');
    const alice = role('impu', '{apiGroups: [""], resources: [users], verbs: [impersonate], resourceNames: [xavier]}') + binding('ClusterRoleBinding', 'impu', 'impu', 'alice');
    const v = messageOf(deployer + xavier + alice, 'alice');
    expect(v).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(v.message).toContain('act as User xavier (kubectl --as=xavier; impersonate users by ClusterRoleBinding impu → ClusterRole impu), which is cluster-admin-equivalent because it can act as the group release-team (kubectl --as=system:serviceaccount:dev:ANY-NAME --as-group=release-team;');
  });
});
