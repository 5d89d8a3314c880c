// Known gap (RBAC): escalation paths were judged one step deep. Acting as another subject gains
// that subject's power: "Users with create rights on serviceaccounts/token can create
// TokenRequests to issue tokens for existing service accounts", and impersonate "allows users to
// impersonate and gain the rights of other users"
// (https://kubernetes.io/docs/concepts/security/rbac-good-practices/#token-request, #impersonate-verb,
// both under "Kubernetes RBAC - privilege escalation risks"). So a subject that can act as one that
// can act as a cluster-admin-equivalent one is cluster-admin too, however many steps the chain
// takes: the API server asks each step of the identity that takes it, never of where it came from
// (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#privilege-escalation-prevention-and-bootstrapping
// prevents writing roles and bindings beyond one's own rights, not using another identity's).
// A TokenRequest and an impersonation name their account (resourceNames limit them); a
// RoleBinding's grant reaches its namespace's accounts only.
import { describe, expect, it } from 'vitest';
import { rbacChecks } from '../../../checks/rbac/index.ts';
import { privilegeEscalation } from '../../../checks/rbac/privilege-escalation.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';
import { DEFAULT_CLUSTER, RBAC, run, snap } from './helpers.ts';

/** ServiceAccount NS/NAME (made here) holding `rules` through a RoleBinding in `where` (ClusterRoleBinding when omitted), both named NAME-steps. */
const account = (ns: string, name: string, rules: string, where?: string) => `---
apiVersion: v1
kind: ServiceAccount
metadata: {name: ${name}, namespace: ${ns}}
${holding({ kind: 'ServiceAccount', name, namespace: ns }, `${name}-steps`, rules, where)}`;

/** User NAME holding `rules` through a RoleBinding in `where` (ClusterRoleBinding when omitted), both named NAME. */
const user = (name: string, rules: string, where?: string) => holding({ kind: 'User', name, apiGroup: 'rbac.authorization.k8s.io' }, name, rules, where);

function holding(subject: object, name: string, rules: string, where?: string): string {
  return `---
apiVersion: ${RBAC}
kind: ClusterRole
metadata: {name: ${name}}
rules: ${rules}
---
apiVersion: ${RBAC}
kind: ${where ? 'RoleBinding' : 'ClusterRoleBinding'}
metadata: {name: ${name}${where ? `, namespace: ${where}` : ''}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${name}}
subjects: [${JSON.stringify(subject)}]
`;
}

/** A binding of the existing ClusterRole `role` to `subject`: a RoleBinding in `where`, or a ClusterRoleBinding. */
const bound = (subject: { kind: string; name: string; apiGroup?: string }, role: string, where?: string) => `---
apiVersion: ${RBAC}
kind: ${where ? 'RoleBinding' : 'ClusterRoleBinding'}
metadata: {name: ${subject.name}-${role}${where ? `, namespace: ${where}` : ''}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${role}}
subjects: [${JSON.stringify(subject)}]
`;

const tokens = (names: string[] = []) => `[{apiGroups: [""], resources: [serviceaccounts/token], verbs: [create]${names.length ? `, resourceNames: [${names.join(', ')}]` : ''}}]`;
const impersonates = (resource: string, names: string[] = []) => `[{apiGroups: [""], resources: [${resource}], verbs: [impersonate]${names.length ? `, resourceNames: ["${names.join('", "')}"]` : ''}}]`;

/** prod/deployer, bound to cluster-admin: the end of every chain here. */
const DEPLOYER = `---
apiVersion: v1
kind: ServiceAccount
metadata: {name: deployer, namespace: prod}
---
apiVersion: ${RBAC}
kind: ClusterRoleBinding
metadata: {name: deployer-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: deployer, namespace: prod}]
`;
const DEPLOYER_WHY = 'which is cluster-admin-equivalent because ClusterRoleBinding deployer-admin binds it to ClusterRole cluster-admin, every verb on every resource: that is cluster-admin';

/** ops/ci may mint a token for prod/deployer only. */
const CI = account('ops', 'ci', tokens(['deployer']), 'prod');
const CI_STEP = 'which is cluster-admin-equivalent because it can mint a token for ServiceAccount prod/deployer (kubectl create token deployer -n prod; create serviceaccounts/token by RoleBinding prod/ci-steps → ClusterRole ci-steps), ';

const finding = (yaml: string | Snapshot, name: string) => {
  const v = run(privilegeEscalation, typeof yaml === 'string' ? snap(yaml) : yaml).find((x) => x.resource.name === name)!;
  return { status: v.status, severity: v.severity ?? privilegeEscalation.severity, message: v.message ?? '' };
};

describe('rbac.privilege-escalation: a chain of acting as others ending at cluster-admin is critical, naming every step', () => {
  it('two tokens: alice mints ops/ci\'s token, ci mints prod/deployer\'s (bound to cluster-admin): critical, naming alice → ops/ci → prod/deployer', () => {
    const v = finding(DEPLOYER + CI + user('alice', tokens(['ci']), 'ops'), 'alice');
    expect(v).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(v.message).toBe('User:alice can escalate privileges in namespace ops (create serviceaccounts/token) via RoleBinding ops/alice → ClusterRole alice. '
      + 'It can mint a token for ServiceAccount ops/ci (kubectl create token ci -n ops; create serviceaccounts/token by RoleBinding ops/alice → ClusterRole alice), '
      + CI_STEP + DEPLOYER_WHY);
    // ci itself: one step, as before.
    expect(finding(DEPLOYER + CI + user('alice', tokens(['ci']), 'ops'), 'ci').message).toContain(`It can mint a token for ServiceAccount prod/deployer (kubectl create token deployer -n prod), ${DEPLOYER_WHY}`);
  });

  it('impersonate then token: bob impersonates ops/ci, which mints prod/deployer\'s token: critical', () => {
    const v = finding(DEPLOYER + CI + user('bob', impersonates('serviceaccounts', ['ci']), 'ops'), 'bob');
    expect(v).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(v.message).toContain('. It can act as ServiceAccount ops/ci (kubectl --as=system:serviceaccount:ops:ci; impersonate serviceaccounts by RoleBinding ops/bob → ClusterRole bob), '
      + CI_STEP + DEPLOYER_WHY);
  });

  it('impersonating a User that can mint the token, and a group that can: critical, naming the user or group', () => {
    const releaser = user('releaser', tokens(['deployer']), 'prod');
    const v = finding(DEPLOYER + releaser + user('erin', impersonates('users', ['releaser'])), 'erin');
    expect(v.severity).toBe('critical');
    expect(v.message).toContain('. It can act as User releaser (kubectl --as=releaser; impersonate users by ClusterRoleBinding erin → ClusterRole erin), which is cluster-admin-equivalent because it can mint a token for ServiceAccount prod/deployer');
    const group = holding({ kind: 'Group', name: 'release-team', apiGroup: 'rbac.authorization.k8s.io' }, 'release-team', tokens(['deployer']), 'prod');
    const both = `[{apiGroups: [""], resources: [groups], verbs: [impersonate], resourceNames: [release-team]}, {apiGroups: [""], resources: [users], verbs: [impersonate], resourceNames: [jane]}]`;
    const g = finding(DEPLOYER + group + user('gail', both), 'gail');
    expect(g.severity).toBe('critical');
    expect(g.message).toContain('. It can act as the group release-team (kubectl --as=jane --as-group=release-team; impersonate groups by ClusterRoleBinding gail → ClusterRole gail), which is cluster-admin-equivalent because it can mint a token for ServiceAccount prod/deployer');
    // The group without a user to impersonate with it (Impersonate-Group requires Impersonate-User): no chain.
    expect(finding(DEPLOYER + group + user('gail', impersonates('groups', ['release-team'])), 'gail').severity).toBe('high');
  });

  it('three steps: carol → ops/a (token) → dev/b (impersonate) → prod/deployer (token), each step\'s verb and binding named', () => {
    const yaml = DEPLOYER
      + account('dev', 'b', tokens(['deployer']), 'prod')
      + account('ops', 'a', impersonates('serviceaccounts', ['b']), 'dev')
      + user('carol', tokens(['a']), 'ops');
    const v = finding(yaml, 'carol');
    expect(v).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(v.message).toContain('. It can mint a token for ServiceAccount ops/a (kubectl create token a -n ops; create serviceaccounts/token by RoleBinding ops/carol → ClusterRole carol), '
      + 'which is cluster-admin-equivalent because it can act as ServiceAccount dev/b (kubectl --as=system:serviceaccount:dev:b; impersonate serviceaccounts by RoleBinding dev/a-steps → ClusterRole a-steps), '
      + 'which is cluster-admin-equivalent because it can mint a token for ServiceAccount prod/deployer (kubectl create token deployer -n prod; create serviceaccounts/token by RoleBinding prod/b-steps → ClusterRole b-steps), '
      + DEPLOYER_WHY);
    // Without the chain carol reaches nothing powerful: ops holds no account with a dangerous grant cluster-wide or in kube-system.
    expect(finding(yaml.replace('resourceNames: [deployer]', 'resourceNames: [nobody]'), 'carol')).toMatchObject({ status: 'fail', severity: 'medium' });
  });

  it('the shortest chain is named: carol can reach deployer in three steps or in two, the two are named', () => {
    const yaml = DEPLOYER
      + account('dev', 'b', tokens(['deployer']), 'prod')
      + account('ops', 'a', impersonates('serviceaccounts', ['b']), 'dev')
      + account('ops', 'z', tokens(['deployer']), 'prod')
      + user('carol', tokens(['a', 'z']), 'ops');
    const v = finding(yaml, 'carol');
    expect(v.severity).toBe('critical');
    expect(v.message).toContain('It can mint a token for ServiceAccount ops/z (kubectl create token z -n ops; create serviceaccounts/token by RoleBinding ops/carol → ClusterRole carol), which is cluster-admin-equivalent because it can mint a token for ServiceAccount prod/deployer');
    expect(v.message).not.toContain('dev/b');
  });

  it('a cycle ends: ops/a and ops/b mint each other\'s tokens; with no way out, no chain (medium, as any namespace\'s); with b also minting deployer\'s, critical, naming b once', () => {
    const cycle = account('ops', 'a', tokens(['b']), 'ops') + account('ops', 'b', tokens(['a']), 'ops') + user('dana', tokens(['a']), 'ops');
    const closed = finding(DEPLOYER + cycle, 'dana');
    expect(closed).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(closed.message).not.toContain('cluster-admin');
    expect(finding(DEPLOYER + cycle, 'a').message).not.toContain('cluster-admin');
    const out = DEPLOYER + cycle + holding({ kind: 'ServiceAccount', name: 'b', namespace: 'ops' }, 'b-out', tokens(['deployer']), 'prod');
    const v = finding(out, 'dana');
    expect(v.severity).toBe('critical');
    expect(v.message).toContain('It can mint a token for ServiceAccount ops/a (kubectl create token a -n ops; create serviceaccounts/token by RoleBinding ops/dana → ClusterRole dana), which is cluster-admin-equivalent because it can mint a token for ServiceAccount ops/b (kubectl create token b -n ops; create serviceaccounts/token by RoleBinding ops/a-steps → ClusterRole a-steps), which is cluster-admin-equivalent because it can mint a token for ServiceAccount prod/deployer');
    expect(v.message.split('ops/b ').length - 1).toBe(1);
    // a, one step from b: its own chain (a → b → deployer) does not pass through itself.
    expect(finding(out, 'a')).toMatchObject({ severity: 'critical' });
    expect(finding(out, 'a').message).toContain('It can mint a token for ServiceAccount ops/b (kubectl create token b -n ops; create serviceaccounts/token by RoleBinding ops/a-steps → ClusterRole a-steps), which is cluster-admin-equivalent because it can mint a token for ServiceAccount prod/deployer');
    expect(finding(out, 'a').message).not.toContain('ServiceAccount ops/a ');
  });

  it('a group of service accounts in a chain: every account of ops is in system:serviceaccounts:ops, which mints deployer\'s token; minting any ops account\'s token is critical, naming ops/default', () => {
    const group = holding({ kind: 'Group', name: 'system:serviceaccounts:ops', apiGroup: 'rbac.authorization.k8s.io' }, 'ops-accounts', tokens(['deployer']), 'prod');
    const v = finding(DEPLOYER + group + user('ivy', tokens(), 'ops'), 'ivy');
    expect(v.severity).toBe('critical');
    expect(v.message).toContain('It can mint a token for ServiceAccount ops/default (kubectl create token default -n ops; create serviceaccounts/token by RoleBinding ops/ivy → ClusterRole ivy), which is cluster-admin-equivalent because it is in the group system:serviceaccounts:ops, which can mint a token for ServiceAccount prod/deployer (kubectl create token deployer -n prod; create serviceaccounts/token by RoleBinding prod/ops-accounts → ClusterRole ops-accounts)');
    // An account of ops holding the same grant itself is reported for it, as before chains: its group's chain is no shorter than its own.
    expect(finding(DEPLOYER + group + account('ops', 'x', tokens(['deployer']), 'prod'), 'x').severity).toBe('critical');
  });

  it('a chain broken by resourceNames: ci may mint only prod/builder\'s token, not deployer\'s; alice stays medium, as before', () => {
    const v = finding(DEPLOYER + account('ops', 'ci', tokens(['builder']), 'prod') + user('alice', tokens(['ci']), 'ops'), 'alice');
    expect(v).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(v.message).not.toContain('cluster-admin');
    // Impersonating ci by another name breaks it too.
    expect(finding(DEPLOYER + CI + user('bob', impersonates('serviceaccounts', ['cd']), 'ops'), 'bob').severity).toBe('medium');
  });
});

describe('rbac: the kubeadm built-ins make no new critical through chains', () => {
  const criticals = (yaml: string) => rbacChecks.flatMap((c) => run(c, snap(yaml)).filter((v) => v.status === 'fail' && (v.severity ?? c.severity) === 'critical').map((v) => `${c.id} ${v.resource.kind}:${v.resource.name}`));

  it('a default cluster (Kubernetes v1.36.3 and kubeadm\'s roles and bindings) alone: no critical finding of any RBAC check', () => {
    expect(criticals(DEFAULT_CLUSTER)).toEqual([]);
  });

  it('with ordinary tenants (edit and admin in team-a, view cluster-wide, team-a\'s CI account minting team-a\'s tokens, which edit can mint a token for): still none', () => {
    const tenants = bound({ kind: 'Group', name: 'devs', apiGroup: 'rbac.authorization.k8s.io' }, 'edit', 'team-a')
      + bound({ kind: 'User', name: 'lead', apiGroup: 'rbac.authorization.k8s.io' }, 'admin', 'team-a')
      + bound({ kind: 'Group', name: 'auditors', apiGroup: 'rbac.authorization.k8s.io' }, 'view')
      + account('team-a', 'deployer', tokens(), 'team-a');
    expect(criticals(DEFAULT_CLUSTER + tenants)).toEqual([]);
  });

  it('system:kube-controller-manager may mint any account\'s token (an intentional built-in grant): it has no finding, but a subject that can impersonate it is critical, naming it', () => {
    // The holder is exempt as in one step: the audit leaves out grants Kubernetes makes exactly as it makes them.
    expect(run(privilegeEscalation, snap(DEFAULT_CLUSTER)).filter((v) => v.status === 'fail')).toEqual([]);
    const v = finding(DEFAULT_CLUSTER + user('hank', impersonates('users', ['system:kube-controller-manager'])), 'hank');
    expect(v.severity).toBe('critical');
    expect(v.message).toContain('. It can act as User system:kube-controller-manager (kubectl --as=system:kube-controller-manager; impersonate users by ClusterRoleBinding hank → ClusterRole hank), which is cluster-admin-equivalent because it can mint a token for ServiceAccount kube-system/clusterrole-aggregation-controller (kubectl create token clusterrole-aggregation-controller -n kube-system; create serviceaccounts/token by ClusterRoleBinding system:kube-controller-manager → ClusterRole system:kube-controller-manager), which is cluster-admin-equivalent because it can write any rule into ClusterRole system:controller:clusterrole-aggregation-controller');
  });
});
