// Known gaps (RBAC), closed here:
// 1. Creating pods (or a workload whose pod template names its account) was no step of
//    rbac.privilege-escalation's chains: "Users who can create pods ... in a namespace ... can ...
//    mount any service account token in that namespace"
//    (https://kubernetes.io/docs/concepts/security/rbac-good-practices/#workload-creation), and the
//    ServiceAccount admission plugin checks only that the account a pod names exists
//    (https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#serviceaccount).
//    Repro before the fix: pat, creating pods in team-1 where team-1/deployer is bound to
//    cluster-admin, passed rbac.privilege-escalation; zoe, who may impersonate pat, was high.
// 2. The group of a namespace that does not exist (system:serviceaccounts:ghost, a live cluster's
//    Namespaces read and ghost not among them) made a token minter critical through ghost/default:
//    no object can be created in a missing namespace (NamespaceLifecycle admission,
//    https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#namespacelifecycle),
//    so no token or pod runs as a member. Impersonation still does: kubernetes
//    staging/src/k8s.io/apiserver/pkg/endpoints/filters/impersonation.go (v1.36) gives an
//    impersonated service account the groups serviceaccount.MakeGroupNames(namespace), whether or not
//    it exists.
// 3. A system:serviceaccounts:<ns> link read "because it can …" where the other group links read
//    "because it is in the group G, which can …" (group-chains.test.ts).
import { describe, expect, it } from 'vitest';
import { privilegeEscalation } from '../../../checks/rbac/privilege-escalation.ts';
import { workloadCreateKubeSystem } from '../../../checks/rbac/workload-create-kube-system.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';
import { RBAC, run, snap } from './helpers.ts';

/** ServiceAccount NS/NAME bound to cluster-admin by ClusterRoleBinding NAME-admin. */
const adminAccount = (ns: string, name: string) => `---
apiVersion: v1
kind: ServiceAccount
metadata: {name: ${name}, namespace: ${ns}}
---
apiVersion: ${RBAC}
kind: ClusterRoleBinding
metadata: {name: ${name}-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: ${name}, namespace: ${ns}}]
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
const namespaces = (...names: string[]) => names.map((n) => `---
apiVersion: v1
kind: Namespace
metadata: {name: ${n}}
`).join('');

const PODS = '[{apiGroups: [""], resources: [pods], verbs: [create]}]';
const TOKENS = '[{apiGroups: [""], resources: [serviceaccounts/token], verbs: [create]}]';
const TOKENS_DEFAULT = '[{apiGroups: [""], resources: [serviceaccounts/token], verbs: [create], resourceNames: [default]}]';
const IMPERSONATE_PAT = '[{apiGroups: [""], resources: [users], verbs: [impersonate], resourceNames: [pat]}]';
const DEPLOYER_ADMIN = 'which is cluster-admin-equivalent because ClusterRoleBinding deployer-admin binds it to ClusterRole cluster-admin, every verb on every resource';

const finding = (yaml: string | Snapshot, name: string) => {
  const v = run(privilegeEscalation, typeof yaml === 'string' ? snap(yaml) : yaml).find((x) => x.resource.name === name)!;
  return { status: v.status, severity: v.severity ?? privilegeEscalation.severity, message: v.message ?? '' };
};

describe('rbac.privilege-escalation: creating workloads in a namespace is a step to its cluster-admin-equivalent accounts', () => {
  it('pat creates pods in team-1, where team-1/deployer is bound to cluster-admin: critical, naming the step (before: pass)', () => {
    const f = finding(adminAccount('team-1', 'deployer') + user('pat', PODS, 'team-1'), 'pat');
    expect(f).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(f.message).toBe(`User:pat can escalate privileges in namespace team-1 (create pods) via RoleBinding team-1/pat-steps → ClusterRole pat-steps. It can create pods in team-1 that run as ServiceAccount team-1/deployer (spec.serviceAccountName: deployer), ${DEPLOYER_ADMIN}: that is cluster-admin`);
  });

  it('zoe may impersonate pat: critical, naming both steps and the binding of each (before: high)', () => {
    const f = finding(adminAccount('team-1', 'deployer') + user('pat', PODS, 'team-1') + user('zoe', IMPERSONATE_PAT), 'zoe');
    expect(f.severity).toBe('critical');
    expect(f.message).toContain(`It can act as User pat (kubectl --as=pat; impersonate users by ClusterRoleBinding zoe-steps → ClusterRole zoe-steps), which is cluster-admin-equivalent because it can create pods in team-1 that run as ServiceAccount team-1/deployer (spec.serviceAccountName: deployer; create pods by RoleBinding team-1/pat-steps → ClusterRole pat-steps), ${DEPLOYER_ADMIN}`);
  });

  it('every workload kind that creates pods counts; changing a template counts, but not a Job\'s (immutable)', () => {
    const deploys = finding(adminAccount('team-1', 'deployer') + user('pat', '[{apiGroups: [apps], resources: [deployments], verbs: [create]}]', 'team-1'), 'pat');
    expect(deploys.severity).toBe('critical');
    expect(deploys.message).toContain('It can create deployments in team-1 whose pods run as ServiceAccount team-1/deployer (pod template spec.serviceAccountName: deployer)');
    for (const [group, resource] of [['""', 'replicationcontrollers'], ['apps', 'daemonsets'], ['apps', 'statefulsets'], ['apps', 'replicasets'], ['batch', 'jobs'], ['batch', 'cronjobs']]) {
      expect(finding(adminAccount('team-1', 'deployer') + user('pat', `[{apiGroups: [${group}], resources: [${resource}], verbs: [create]}]`, 'team-1'), 'pat').severity, resource).toBe('critical');
    }
    const patches = finding(adminAccount('team-1', 'deployer') + user('pat', '[{apiGroups: [batch], resources: [cronjobs], verbs: [patch]}]', 'team-1'), 'pat');
    expect(patches.message).toContain('It can change cronjobs in team-1 so that their pods run as ServiceAccount team-1/deployer');
    expect(finding(adminAccount('team-1', 'deployer') + user('pat', '[{apiGroups: [batch], resources: [jobs], verbs: [update, patch]}, {apiGroups: [""], resources: [pods], verbs: [update, patch]}]', 'team-1'), 'pat').status).toBe('pass');
  });

  it('pods created in team-2, which holds no such account, escalate nothing here: pass (rbac.workload-create-kube-system judges them)', () => {
    expect(finding(adminAccount('team-1', 'deployer') + user('pat', PODS, 'team-2'), 'pat').status).toBe('pass');
  });

  it('cluster-wide pod creation reaches every namespace: critical through team-1/deployer', () => {
    const f = finding(adminAccount('team-1', 'deployer') + user('pat', PODS), 'pat');
    expect(f.severity).toBe('critical');
    expect(f.message).toContain('It can create pods in team-1 that run as ServiceAccount team-1/deployer');
  });

  it('a live listing without team-1/deployer: its pods would be rejected, so pat passes unless it may create the account', () => {
    const live = (y: string): Snapshot => ({ ...snap(y), origin: 'live' });
    const yaml = adminAccount('team-1', 'deployer').replace(/^---\napiVersion: v1\nkind: ServiceAccount\nmetadata: \{name: deployer, namespace: team-1\}\n/, `---
apiVersion: v1
kind: ServiceAccount
metadata: {name: default, namespace: team-1}
`);
    expect(finding(live(yaml + user('pat', PODS, 'team-1')), 'pat').status).toBe('pass');
    expect(finding(live(yaml + user('pat', '[{apiGroups: [""], resources: [pods, serviceaccounts], verbs: [create]}]', 'team-1')), 'pat').severity).toBe('critical');
  });

  it('the namespace\'s group bound to cluster-admin: pods there run as its members (default named)', () => {
    const group = `---
apiVersion: ${RBAC}
kind: ClusterRoleBinding
metadata: {name: team-1-sas}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: Group, name: "system:serviceaccounts:team-1", apiGroup: rbac.authorization.k8s.io}]
`;
    const f = finding(group + user('pat', PODS, 'team-1'), 'pat');
    expect(f.severity).toBe('critical');
    expect(f.message).toContain('It can create pods in team-1 that run as ServiceAccount team-1/default (spec.serviceAccountName: default), which is cluster-admin-equivalent because ClusterRoleBinding team-1-sas binds the group system:serviceaccounts:team-1 to ClusterRole cluster-admin');
  });

  it('fan-out stays one step per creator: 100 namespaces of 3 pod creators each, one admin account each, every creator critical', () => {
    let yaml = '';
    for (let i = 0; i < 100; i++) {
      yaml += adminAccount(`t${i}`, `deployer${i}`);
      for (let j = 0; j < 3; j++) yaml += user(`u${i}-${j}`, PODS, `t${i}`);
    }
    const verdicts = run(privilegeEscalation, snap(yaml)).filter((v) => v.resource.kind === 'User');
    expect(verdicts).toHaveLength(300);
    expect(verdicts.every((v) => v.severity === 'critical')).toBe(true);
    expect(verdicts.find((v) => v.resource.name === 'u7-2')!.message).toContain('It can create pods in t7 that run as ServiceAccount t7/deployer7');
  });
});

describe('rbac.privilege-escalation: the group of a namespace that does not exist', () => {
  const GHOST = `---
apiVersion: ${RBAC}
kind: ClusterRoleBinding
metadata: {name: ghost-sas}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: Group, name: "system:serviceaccounts:ghost", apiGroup: rbac.authorization.k8s.io}]
`;
  const live = (y: string): Snapshot => ({ ...snap(namespaces('default', 'kube-system', 'team-1') + y), origin: 'live' });

  it('a live cluster without namespace ghost: minting tokens, or creating pods, cluster-wide is high, not critical through ghost/default (before: critical)', () => {
    const tokens = finding(live(GHOST + user('mallory', TOKENS)), 'mallory');
    expect(tokens).toMatchObject({ status: 'fail', severity: 'high' });
    expect(tokens.message).not.toContain('ghost');
    // Pods alone reach no cluster-admin-equivalent account: not this check's finding.
    expect(finding(live(GHOST + user('pat', PODS)), 'pat').status).toBe('pass');
    // A chain through such a subject ends there too.
    expect(finding(live(GHOST + user('mallory', TOKENS) + user('zoe', '[{apiGroups: [""], resources: [users], verbs: [impersonate], resourceNames: [mallory]}]')), 'zoe').severity).toBe('high');
  });

  it('the same subject that may also create namespaces brings ghost and its default account into being: critical', () => {
    const f = finding(live(GHOST + user('mallory', '[{apiGroups: [""], resources: [serviceaccounts/token, namespaces], verbs: [create]}]')), 'mallory');
    expect(f.severity).toBe('critical');
    expect(f.message).toContain('It can mint a token for ServiceAccount ghost/default');
  });

  it('impersonating an account of ghost still acts in the group (impersonation adds it whether or not the namespace exists): critical', () => {
    const f = finding(live(GHOST + user('ivan', '[{apiGroups: [""], resources: [serviceaccounts], verbs: [impersonate]}]')), 'ivan');
    expect(f.severity).toBe('critical');
    expect(f.message).toContain('It can act as ServiceAccount ghost/default (kubectl --as=system:serviceaccount:ghost:default)');
  });

  it('from manifests, a namespace the input does not hold may exist: still critical, saying it holds only if ghost exists', () => {
    // Limited to accounts named default: unlimited, it would reach kube-system's bootstrap clusterrole-aggregation-controller first.
    const f = finding(GHOST + user('mallory', TOKENS_DEFAULT), 'mallory');
    expect(f.severity).toBe('critical');
    expect(f.message).toContain('It can mint a token for ServiceAccount ghost/default (kubectl create token default -n ghost; namespace ghost is not in the input, so this holds only if it exists), which is cluster-admin-equivalent because ClusterRoleBinding ghost-sas binds the group system:serviceaccounts:ghost to ClusterRole cluster-admin');
    // A namespace the input holds is said nothing of.
    expect(finding(namespaces('ghost') + GHOST + user('mallory', TOKENS_DEFAULT), 'mallory').message).not.toContain('not in the input');
    // kube-system is in every cluster: never said to be missing.
    expect(finding(user('mallory', TOKENS), 'mallory').message).toContain('It can mint a token for ServiceAccount kube-system/clusterrole-aggregation-controller (kubectl create token clusterrole-aggregation-controller -n kube-system), which');
  });
});

describe('rbac.privilege-escalation: a system:serviceaccounts:<ns> link reads as the other group links', () => {
  const OPS_MINTS_DEPLOYER = adminAccount('prod', 'deployer') + `---
apiVersion: ${RBAC}
kind: ClusterRole
metadata: {name: mint-deployer}
rules: [{apiGroups: [""], resources: [serviceaccounts/token], verbs: [create], resourceNames: [deployer]}]
---
apiVersion: ${RBAC}
kind: RoleBinding
metadata: {name: ops-mints-deployer, namespace: prod}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: mint-deployer}
subjects: [{kind: Group, name: "system:serviceaccounts:ops", apiGroup: rbac.authorization.k8s.io}]
`;
  const GROUP_STEP = 'which is cluster-admin-equivalent because it is in the group system:serviceaccounts:ops, which can mint a token for ServiceAccount prod/deployer (kubectl create token deployer -n prod; create serviceaccounts/token by RoleBinding prod/ops-mints-deployer → ClusterRole mint-deployer)';

  it('minting an ops token: "because it is in the group system:serviceaccounts:ops, which can …" (before: "because it can …")', () => {
    const f = finding(OPS_MINTS_DEPLOYER + user('mallory', TOKENS, 'ops'), 'mallory');
    expect(f.severity).toBe('critical');
    expect(f.message).toContain(`It can mint a token for ServiceAccount ops/default (kubectl create token default -n ops; create serviceaccounts/token by RoleBinding ops/mallory-steps → ClusterRole mallory-steps), ${GROUP_STEP}`);
  });

  it('the same link inside a longer chain (zoe impersonates mallory)', () => {
    const f = finding(OPS_MINTS_DEPLOYER + user('mallory', TOKENS, 'ops') + user('zoe', '[{apiGroups: [""], resources: [users], verbs: [impersonate], resourceNames: [mallory]}]'), 'zoe');
    expect(f.severity).toBe('critical');
    expect(f.message).toContain(`which is cluster-admin-equivalent because it can mint a token for ServiceAccount ops/default (kubectl create token default -n ops; create serviceaccounts/token by RoleBinding ops/mallory-steps → ClusterRole mallory-steps), ${GROUP_STEP}`);
  });
});

describe('rbac.workload-create-kube-system: an account cluster-admin-equivalent only through a cluster-admin\'s own pods gains that cluster-admin nothing', () => {
  it('ops/deployer holds cluster-admin and deploys in ops, where ops/builder may run pods as it: deployer\'s finding names no namespace note (it lacks no power)', () => {
    const yaml = adminAccount('ops', 'deployer') + `---
apiVersion: v1
kind: ServiceAccount
metadata: {name: builder, namespace: ops}
---
apiVersion: ${RBAC}
kind: Role
metadata: {name: deploy, namespace: ops}
rules: [{apiGroups: [apps], resources: [deployments], verbs: [create]}]
---
apiVersion: ${RBAC}
kind: RoleBinding
metadata: {name: deploy, namespace: ops}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deploy}
subjects: [{kind: ServiceAccount, name: deployer, namespace: ops}, {kind: ServiceAccount, name: builder, namespace: ops}]
`;
    const verdicts = run(workloadCreateKubeSystem, snap(yaml));
    const deployer = verdicts.find((v) => v.resource.name === 'deployer')!;
    expect(deployer.message).toContain('via ClusterRoleBinding deployer-admin → ClusterRole cluster-admin');
    expect(deployer.message).not.toContain('Namespace ops holds');
    // builder may run pods as deployer: its finding names deployer.
    expect(verdicts.find((v) => v.resource.name === 'builder')!.message).toContain('Namespace ops holds ServiceAccount ops/deployer');
  });
});
