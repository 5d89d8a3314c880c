// Known gap (RBAC): the groups every identity is in without a binding naming it were links of no
// chain. The apiserver puts every service account in system:serviceaccounts and
// system:serviceaccounts:<namespace>, every authenticated identity in system:authenticated and an
// anonymous request (system:anonymous) in system:unauthenticated
// (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-subjects: "For all
// service accounts in any namespace" / "For all authenticated users" / "For all unauthenticated
// users"; https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/), so a
// grant to the group is a grant to each member, and acting as a member (a token minted for one,
// an impersonation of one) gains it. Repro before the fix (`ztaudit run --manifests`): mallory
// minting tokens in team-a, where every account can mint prod/deployer's through
// system:serviceaccounts, was medium; anonymous impersonating bob, whom system:authenticated lets
// mint that token, was high.
import { describe, expect, it } from 'vitest';
import { privilegeEscalation } from '../../../checks/rbac/privilege-escalation.ts';
import { podExecAttach } from '../../../checks/rbac/pod-exec-attach.ts';
import { workloadCreateKubeSystem } from '../../../checks/rbac/workload-create-kube-system.ts';
import { buildRbacModel, canI } from '../../../src/analysis/rbac/model.ts';
import { RBAC, run, snap } from './helpers.ts';

/** prod/deployer is bound to cluster-admin; `group` may mint its token (a RoleBinding in prod). */
const mintsDeployer = (group: string) => `---
apiVersion: v1
kind: ServiceAccount
metadata: {name: deployer, namespace: prod}
---
apiVersion: ${RBAC}
kind: ClusterRoleBinding
metadata: {name: deployer-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: deployer, namespace: prod}]
---
apiVersion: ${RBAC}
kind: ClusterRole
metadata: {name: mint-deployer}
rules: [{apiGroups: [""], resources: [serviceaccounts/token], verbs: [create], resourceNames: [deployer]}]
---
apiVersion: ${RBAC}
kind: RoleBinding
metadata: {name: group-mints-deployer, namespace: prod}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: mint-deployer}
subjects: [{kind: Group, name: "${group}", apiGroup: rbac.authorization.k8s.io}]
`;

/** User `name` holding `rules` through a RoleBinding in `where` (a ClusterRoleBinding when omitted). */
const user = (name: string, rules: string, where?: string) => `---
apiVersion: ${RBAC}
kind: ClusterRole
metadata: {name: ${name}-steps}
rules: ${rules}
---
apiVersion: ${RBAC}
kind: ${where ? 'RoleBinding' : 'ClusterRoleBinding'}
metadata: {name: ${name}-steps${where ? `, namespace: ${where}` : ''}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${name}-steps}
subjects: [{kind: User, name: "${name}", apiGroup: rbac.authorization.k8s.io}]
`;
const TOKENS = '[{apiGroups: [""], resources: [serviceaccounts/token], verbs: [create]}]';
const IMPERSONATE_BOB = '[{apiGroups: [""], resources: [users], verbs: [impersonate], resourceNames: [bob]}]';
const DEPLOYER_STEP = 'mint a token for ServiceAccount prod/deployer (kubectl create token deployer -n prod; create serviceaccounts/token by RoleBinding prod/group-mints-deployer → ClusterRole mint-deployer), which is cluster-admin-equivalent because ClusterRoleBinding deployer-admin binds it to ClusterRole cluster-admin';

const finding = (yaml: string, name: string) => {
  const v = run(privilegeEscalation, snap(yaml)).find((x) => x.resource.name === name)!;
  return { status: v.status, severity: v.severity ?? privilegeEscalation.severity, message: v.message ?? '' };
};

describe('rbac.privilege-escalation: system:serviceaccounts, system:authenticated and system:unauthenticated are links of a chain', () => {
  it('system:serviceaccounts may mint deployer\'s token: mallory, minting any team-a account\'s token, is critical through team-a/default\'s group', () => {
    const f = finding(mintsDeployer('system:serviceaccounts') + user('mallory', TOKENS, 'team-a'), 'mallory');
    expect(f.severity).toBe('critical');
    expect(f.message).toContain(`It can mint a token for ServiceAccount team-a/default (kubectl create token default -n team-a; create serviceaccounts/token by RoleBinding team-a/mallory-steps → ClusterRole mallory-steps), which is cluster-admin-equivalent because it is in the group system:serviceaccounts, which can ${DEPLOYER_STEP}`);
  });

  it('a step further: zoe may impersonate mallory, who mints team-a tokens, where every account may mint deployer\'s: zoe is critical, naming mallory and the group', () => {
    const yaml = mintsDeployer('system:serviceaccounts') + user('mallory', TOKENS, 'team-a') + user('zoe', '[{apiGroups: [""], resources: [users], verbs: [impersonate], resourceNames: [mallory]}]');
    const f = finding(yaml, 'zoe');
    expect(f.severity).toBe('critical');
    expect(f.message).toContain('It can act as User mallory (kubectl --as=mallory; impersonate users by ClusterRoleBinding zoe-steps → ClusterRole zoe-steps), which is cluster-admin-equivalent because it can mint a token for ServiceAccount team-a/default (kubectl create token default -n team-a; create serviceaccounts/token by RoleBinding team-a/mallory-steps → ClusterRole mallory-steps), which is cluster-admin-equivalent because it is in the group system:serviceaccounts, which can mint a token for ServiceAccount prod/deployer');
  });

  it('system:authenticated may mint deployer\'s token: system:anonymous, which may impersonate bob, is critical (bob is authenticated, anonymous is not)', () => {
    const f = finding(mintsDeployer('system:authenticated') + user('system:anonymous', IMPERSONATE_BOB), 'system:anonymous');
    expect(f.severity).toBe('critical');
    expect(f.message).toContain(`It can act as User bob (kubectl --as=bob; impersonate users by ClusterRoleBinding system:anonymous-steps → ClusterRole system:anonymous-steps), which is cluster-admin-equivalent because it is in the group system:authenticated, which can ${DEPLOYER_STEP}`);
  });

  it('system:authenticated may mint deployer\'s token: carol, who may impersonate bob, is in system:authenticated herself and gains nothing from bob: high, no chain', () => {
    // carol may impersonate bob, but carol is in system:authenticated herself: bob's power is hers already, not a step up.
    const yaml = mintsDeployer('system:authenticated') + user('carol', IMPERSONATE_BOB);
    const f = finding(yaml, 'carol');
    expect(f.severity).toBe('high');
    expect(f.message).not.toContain('cluster-admin-equivalent');
  });

  it('system:unauthenticated may impersonate bob, and every authenticated user may mint deployer\'s token: system:anonymous is critical through its group', () => {
    const yaml = mintsDeployer('system:authenticated') + `---
apiVersion: ${RBAC}
kind: ClusterRole
metadata: {name: impersonate-bob}
rules: ${IMPERSONATE_BOB}
---
apiVersion: ${RBAC}
kind: ClusterRoleBinding
metadata: {name: anyone-as-bob}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: impersonate-bob}
subjects: [{kind: Group, name: "system:unauthenticated", apiGroup: rbac.authorization.k8s.io}]
` + user('eve', '[{apiGroups: [""], resources: [users], verbs: [impersonate], resourceNames: ["system:anonymous"]}]');
    const group = finding(yaml, 'system:unauthenticated');
    expect(group.severity).toBe('critical');
    expect(group.message).toContain('It can act as User bob (kubectl --as=bob; impersonate users by ClusterRoleBinding anyone-as-bob → ClusterRole impersonate-bob), which is cluster-admin-equivalent because it is in the group system:authenticated');
    // eve is authenticated: acting as system:anonymous, which reaches bob, gains her nothing.
    expect(finding(yaml, 'eve').severity).toBe('high');
  });

  it('system:serviceaccounts:team-a may mint deployer\'s token, bound in prod: an account of team-b is not a member, so minting team-b tokens stays medium', () => {
    const f = finding(mintsDeployer('system:serviceaccounts:team-a') + user('mallory', TOKENS, 'team-b'), 'mallory');
    expect(f.severity).toBe('medium');
  });

  it('`can` answers as the chain does: an account of team-a, and bob, may mint deployer\'s token through their groups; system:anonymous may not', () => {
    const all = buildRbacModel(snap(mintsDeployer('system:serviceaccounts')));
    expect(canI(all, 'User:system:serviceaccount:team-a:x', 'create', 'serviceaccounts/token', { namespace: 'prod', name: 'deployer' }).allowed).toBe(true);
    const everyone = buildRbacModel(snap(mintsDeployer('system:authenticated')));
    expect(canI(everyone, 'User:bob', 'create', 'serviceaccounts/token', { namespace: 'prod', name: 'deployer' }).allowed).toBe(true);
    expect(canI(everyone, 'User:system:anonymous', 'create', 'serviceaccounts/token', { namespace: 'prod', name: 'deployer' }).allowed).toBe(false);
  });
});

describe('a pod runs as an account of its namespace: creating pods where the namespace\'s group is cluster-admin-equivalent through a chain is reported', () => {
  // "Users who can create pods ... in a namespace ... can ... mount any service account token in
  // that namespace" (https://kubernetes.io/docs/concepts/security/rbac-good-practices/#workload-creation);
  // every such account is in system:serviceaccounts:team-a, which may mint prod/deployer's token.
  const PODS = '[{apiGroups: [""], resources: [pods], verbs: [create]}]';

  it('pat creates pods in team-a, whose group may mint deployer\'s token: rbac.workload-create-kube-system fails for pat, naming the group (before: no finding at all)', () => {
    const v = run(workloadCreateKubeSystem, snap(mintsDeployer('system:serviceaccounts:team-a') + user('pat', PODS, 'team-a'))).find((x) => x.resource.name === 'pat')!;
    expect(v.status).toBe('fail');
    expect(v.severity ?? workloadCreateKubeSystem.severity).toBe('high');
    expect(v.message).toContain('Namespace team-a holds all service accounts (group system:serviceaccounts:team-a), which have dangerous permissions cluster-wide: a workload created there can run as them');
  });

  it('quinn may exec into team-a\'s pods: rbac.pod-exec-attach rates it as in kube-system, high (before: medium, one namespace)', () => {
    const v = run(podExecAttach, snap(mintsDeployer('system:serviceaccounts:team-a') + user('quinn', '[{apiGroups: [""], resources: [pods/exec], verbs: [create, get]}]', 'team-a'))).find((x) => x.resource.name === 'quinn')!;
    expect(v.severity ?? podExecAttach.severity).toBe('high');
    expect(v.message).toContain('Namespace team-a holds all service accounts (group system:serviceaccounts:team-a), which have dangerous permissions cluster-wide: this access there is a way to act as them, so it is rated as in kube-system');
  });

  it('pat creates pods in team-b, whose group holds nothing: pass', () => {
    const v = run(workloadCreateKubeSystem, snap(mintsDeployer('system:serviceaccounts:team-a') + user('pat', PODS, 'team-b'))).find((x) => x.resource.name === 'pat')!;
    expect(v.status).toBe('pass');
  });

  it('every account may mint deployer\'s token (system:serviceaccounts): pods created in any namespace run as one, so pat fails in team-b too', () => {
    const v = run(workloadCreateKubeSystem, snap(mintsDeployer('system:serviceaccounts') + user('pat', PODS, 'team-b'))).find((x) => x.resource.name === 'pat')!;
    expect(v.status).toBe('fail');
    expect(v.message).toContain('all service accounts of every namespace (group system:serviceaccounts)');
  });
});
