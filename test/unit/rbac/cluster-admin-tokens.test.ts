// Two more grants of rbac.privilege-escalation that are cluster-admin in one step (known gaps, RBAC).
// - Acting as a cluster-admin-equivalent service account: "Users with create rights on
//   serviceaccounts/token can create TokenRequests to issue tokens for existing service accounts"
//   (https://kubernetes.io/docs/concepts/security/rbac-good-practices/#token-request), and
//   impersonate "allows users to impersonate and gain the rights of other users" (#impersonate-verb).
//   A token for an account holding cluster-admin, or one of the one-step paths to it, is cluster-admin.
//   kube-system's clusterrole-aggregation-controller is such an account in every cluster: the
//   bootstrap policy gives it escalate, update and patch on every ClusterRole
//   (kubernetes plugin/pkg/auth/authorizer/rbac/bootstrappolicy/controller_policy.go), its own
//   among them, and escalate lets its holder write rules it does not have (#escalate-verb;
//   https://kubernetes.io/docs/reference/access-authn-authz/rbac/#restrictions-on-role-creation-or-update).
//   A RoleBinding's grant reaches the accounts of its namespace only; resourceNames, only the
//   accounts named (a TokenRequest names its account).
// - Adding oneself to an existing ClusterRoleBinding of cluster-admin: "You can only create/update
//   a role binding if you already have all the permissions contained in the referenced role (at the
//   same scope as the role binding) or if you have been authorized to perform the bind verb on the
//   referenced role" (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#restrictions-on-role-binding-creation-or-update).
//   So update (or patch) on that binding and bind on cluster-admin, held cluster-wide, is
//   cluster-admin; either alone, or an update limited to another binding, is not.
import { describe, expect, it } from 'vitest';
import { rbacChecks } from '../../../checks/rbac/index.ts';
import { privilegeEscalation } from '../../../checks/rbac/privilege-escalation.ts';
import { catalogMarkdown } from '../../../src/cli/checks.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';
import { DEFAULT_CLUSTER, RBAC, run, snap } from './helpers.ts';

/** ClusterRole NAME with `rules`, bound to User NAME by a ClusterRoleBinding, or a RoleBinding in `ns`. */
const granted = (name: string, rules: string, ns?: string) => `---
apiVersion: ${RBAC}
kind: ClusterRole
metadata: {name: ${name}}
rules: ${rules}
---
apiVersion: ${RBAC}
kind: ${ns ? 'RoleBinding' : 'ClusterRoleBinding'}
metadata: {name: ${name}${ns ? `, namespace: ${ns}` : ''}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${name}}
subjects: [{kind: User, name: ${name}, apiGroup: rbac.authorization.k8s.io}]
`;

/** A ClusterRoleBinding of `role` to ServiceAccount NS/NAME. */
const accountBound = (ns: string, name: string, role: string, binding = `${name}-${role}`) => `---
apiVersion: v1
kind: ServiceAccount
metadata: {name: ${name}, namespace: ${ns}}
---
apiVersion: ${RBAC}
kind: ClusterRoleBinding
metadata: {name: ${binding}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${role}}
subjects: [{kind: ServiceAccount, name: ${name}, namespace: ${ns}}]
`;

const TOKENS = (names: string[] = []) => `[{apiGroups: [""], resources: [serviceaccounts/token], verbs: [create]${names.length ? `, resourceNames: [${names.join(', ')}]` : ''}}]`;

const finding = (yaml: string | Snapshot, user: string) => {
  const v = run(privilegeEscalation, typeof yaml === 'string' ? snap(yaml) : yaml).find((x) => x.resource.name === user)!;
  return { status: v.status, severity: v.severity ?? privilegeEscalation.severity, message: v.message };
};

const AGGREGATOR_WHY = 'which is cluster-admin-equivalent because it can write any rule into ClusterRole system:controller:clusterrole-aggregation-controller, which a ClusterRoleBinding binds to itself (escalate and update or patch on it): that is cluster-admin';

describe('rbac.privilege-escalation: a token for a cluster-admin-equivalent service account is critical, naming it and why', () => {
  it('the default cluster alone: no finding (its own grants are exempt, the aggregation controller\'s included)', () => {
    expect(run(privilegeEscalation, snap(DEFAULT_CLUSTER)).filter((v) => v.status === 'fail')).toEqual([]);
  });

  it('create serviceaccounts/token in kube-system of a default cluster: critical, through kube-system/clusterrole-aggregation-controller', () => {
    const v = finding(DEFAULT_CLUSTER + granted('minter', TOKENS(), 'kube-system'), 'minter');
    expect(v).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(v.message).toBe('User:minter can escalate privileges in namespace kube-system (create serviceaccounts/token) via RoleBinding kube-system/minter → ClusterRole minter. '
      + `It can mint a token for ServiceAccount kube-system/clusterrole-aggregation-controller (kubectl create token clusterrole-aggregation-controller -n kube-system), ${AGGREGATOR_WHY}`);
  });

  it('edit bound in kube-system (it mints tokens and impersonates accounts there) is critical too', () => {
    const v = finding(`${DEFAULT_CLUSTER}---
apiVersion: ${RBAC}
kind: RoleBinding
metadata: {name: dev-edit, namespace: kube-system}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{kind: User, name: dev, apiGroup: rbac.authorization.k8s.io}]
`, 'dev');
    expect(v.severity).toBe('critical');
    expect(v.message).toContain('It can mint a token for ServiceAccount kube-system/clusterrole-aggregation-controller');
  });

  it('a token limited to a harmless kube-system account (coredns) stays high, as before', () => {
    const v = finding(DEFAULT_CLUSTER + granted('minter', TOKENS(['coredns']), 'kube-system'), 'minter');
    expect(v).toMatchObject({ status: 'fail', severity: 'high' });
    expect(v.message).not.toContain('cluster-admin');
  });

  it('a token limited to the aggregation controller by name is critical', () => {
    expect(finding(DEFAULT_CLUSTER + granted('minter', TOKENS(['coredns', 'clusterrole-aggregation-controller']), 'kube-system'), 'minter').severity).toBe('critical');
  });

  it('a Role in team-a reaches team-a\'s accounts only: medium, though kube-system holds the aggregation controller', () => {
    const v = finding(DEFAULT_CLUSTER + granted('minter', TOKENS(), 'team-a'), 'minter');
    expect(v).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(v.message).not.toContain('cluster-admin');
  });

  it('cluster-wide token minting where ops/deployer is bound to cluster-admin: critical, naming the binding', () => {
    const v = finding(accountBound('ops', 'deployer', 'cluster-admin') + granted('minter', TOKENS()), 'minter');
    expect(v).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(v.message).toContain('. It can mint a token for ServiceAccount ops/deployer (kubectl create token deployer -n ops), which is cluster-admin-equivalent because ClusterRoleBinding deployer-cluster-admin binds it to ClusterRole cluster-admin, every verb on every resource: that is cluster-admin');
  });

  it('an account bound to a custom role with * on *: critical; a role with * on configmaps only: high', () => {
    const superuser = `---
apiVersion: ${RBAC}
kind: ClusterRole
metadata: {name: superuser}
rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]
`;
    // Not * on pods: every verb on pods creates them in kube-system too, a step to its accounts (workload-chains.test.ts).
    const podsOnly = superuser.replace('resources: ["*"]', 'resources: ["configmaps"]');
    const v = finding(superuser + accountBound('ops', 'deployer', 'superuser') + granted('minter', TOKENS()), 'minter');
    expect(v.severity).toBe('critical');
    expect(v.message).toContain('because ClusterRoleBinding deployer-superuser binds it to ClusterRole superuser, every verb on every resource');
    // Limited to deployer by name: unlimited, it would reach the bootstrap clusterrole-aggregation-controller.
    expect(finding(podsOnly + accountBound('ops', 'deployer', 'superuser') + granted('minter', TOKENS(['deployer'])), 'minter').severity).toBe('high');
  });

  it('an account whose own grant (create clusterrolebindings) completes its group\'s (bind on cluster-admin) is cluster-admin-equivalent', () => {
    const yaml = `---
apiVersion: ${RBAC}
kind: ClusterRole
metadata: {name: crb-writer}
rules: [{apiGroups: [rbac.authorization.k8s.io], resources: [clusterrolebindings], verbs: [create]}]
---
apiVersion: ${RBAC}
kind: ClusterRole
metadata: {name: admin-binder}
rules: [{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind], resourceNames: [cluster-admin]}]
---
apiVersion: ${RBAC}
kind: ClusterRoleBinding
metadata: {name: ops-binders}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: admin-binder}
subjects: [{kind: Group, name: "system:serviceaccounts:ops", apiGroup: rbac.authorization.k8s.io}]
` + accountBound('ops', 'deployer', 'crb-writer');
    const v = finding(yaml + granted('minter', TOKENS(), 'ops'), 'minter');
    expect(v.severity).toBe('critical');
    expect(v.message).toContain('It can mint a token for ServiceAccount ops/deployer (kubectl create token deployer -n ops), which is cluster-admin-equivalent because it can bind ClusterRole cluster-admin to itself');
    // Without the group's bind, the account's create alone is nothing: medium, as any namespace's.
    expect(finding(yaml.replace('name: "system:serviceaccounts:ops"', 'name: "system:serviceaccounts:dev"') + granted('minter', TOKENS(), 'ops'), 'minter').severity).toBe('medium');
  });

  it('impersonating the account by name is critical too, named as acting as it', () => {
    const v = finding(accountBound('ops', 'deployer', 'cluster-admin') + granted('actor', '[{apiGroups: [""], resources: [serviceaccounts], verbs: [impersonate], resourceNames: [deployer]}]', 'ops'), 'actor');
    expect(v.severity).toBe('critical');
    expect(v.message).toContain('. It can act as ServiceAccount ops/deployer (kubectl --as=system:serviceaccount:ops:deployer), which is cluster-admin-equivalent because');
  });

  it('a live cluster where the admin account does not exist: no token can be minted for it (medium, as any namespace\'s); once the subject can create it there, critical', () => {
    const yaml = accountBound('ops', 'deployer', 'cluster-admin').replace(/^---\napiVersion: v1\nkind: ServiceAccount\nmetadata: \{name: deployer, namespace: ops\}\n/, `---
apiVersion: v1
kind: ServiceAccount
metadata: {name: default, namespace: ops}
`);
    const live = (y: string): Snapshot => ({ ...snap(y), origin: 'live' });
    expect(finding(live(yaml + granted('minter', TOKENS(['deployer']), 'ops')), 'minter').severity).toBe('medium');
    const creates = '[{apiGroups: [""], resources: [serviceaccounts/token], verbs: [create], resourceNames: [deployer]}, {apiGroups: [""], resources: [serviceaccounts], verbs: [create]}]';
    expect(finding(live(yaml + granted('minter', creates, 'ops')), 'minter').severity).toBe('critical');
  });
});

describe('rbac.privilege-escalation: update or patch on an existing ClusterRoleBinding of cluster-admin, with bind on it, is critical', () => {
  const OPS_ADMINS = `---
apiVersion: ${RBAC}
kind: ClusterRoleBinding
metadata: {name: ops-admins}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: Group, name: ops, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: ${RBAC}
kind: ClusterRoleBinding
metadata: {name: viewers}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: Group, name: auditors, apiGroup: rbac.authorization.k8s.io}]
`;
  const BIND = (names = '[cluster-admin]') => `{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind], resourceNames: ${names}}`;
  const UPDATE = (verb: string, names = '[ops-admins]') => `{apiGroups: [rbac.authorization.k8s.io], resources: [clusterrolebindings], verbs: [${verb}], resourceNames: ${names}}`;

  it('bind on cluster-admin and update (or patch) on ops-admins: critical, naming the binding', () => {
    for (const verb of ['update', 'patch']) {
      const v = finding(OPS_ADMINS + granted('carol', `[${BIND()}, ${UPDATE(verb)}]`), 'carol');
      expect(v, verb).toMatchObject({ status: 'fail', severity: 'critical' });
      expect(v.message, verb).toContain('. It can add itself to ClusterRoleBinding ops-admins, which binds ClusterRole cluster-admin (update or patch on that binding, and bind on cluster-admin): that is cluster-admin');
    }
  });

  it('unrestricted update on clusterrolebindings reaches the built-in cluster-admin binding, which the API server always creates', () => {
    const v = finding(granted('carol', `[${BIND()}, {apiGroups: [rbac.authorization.k8s.io], resources: [clusterrolebindings], verbs: [update]}]`), 'carol');
    expect(v.severity).toBe('critical');
    expect(v.message).toContain('It can add itself to ClusterRoleBinding cluster-admin, which binds ClusterRole cluster-admin');
  });

  it('a custom ClusterRole with * on *: bind on it and patch on its binding is critical, naming both', () => {
    const yaml = `---
apiVersion: ${RBAC}
kind: ClusterRole
metadata: {name: superuser}
rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]
---
apiVersion: ${RBAC}
kind: ClusterRoleBinding
metadata: {name: su}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: superuser}
subjects: [{kind: Group, name: ops, apiGroup: rbac.authorization.k8s.io}]
` + granted('carol', `[${BIND('[superuser]')}, ${UPDATE('patch', '[su]')}]`);
    const v = finding(yaml, 'carol');
    expect(v.severity).toBe('critical');
    expect(v.message).toContain('It can add itself to ClusterRoleBinding su, which binds ClusterRole superuser (update or patch on that binding, and bind on superuser)');
  });

  it('update alone is no escalation: the binding it writes must not grant more than the writer holds', () => {
    expect(finding(OPS_ADMINS + granted('carol', `[${UPDATE('update')}, ${UPDATE('patch', '[]')}]`), 'carol').status).toBe('pass');
  });

  it('near misses stay high: bind alone, update limited to another binding or to one that does not exist, bind on another role', () => {
    const cases: Record<string, string> = {
      'bind alone': `[${BIND()}]`,
      'update on viewers (binds view)': `[${BIND()}, ${UPDATE('update', '[viewers]')}]`,
      'update on a binding that does not exist': `[${BIND()}, ${UPDATE('update', '[gone]')}]`,
      'bind on view': `[${BIND('[view]')}, ${UPDATE('update')}]`,
    };
    for (const [what, rules] of Object.entries(cases)) {
      const v = finding(OPS_ADMINS + granted('carol', rules), 'carol');
      expect(v, what).toMatchObject({ status: 'fail', severity: 'high' });
      expect(v.message, what).not.toContain('that is cluster-admin');
    }
  });

  it('bind through a RoleBinding is asked in its namespace, not for a ClusterRoleBinding: not critical', () => {
    const yaml = OPS_ADMINS + granted('carol', `[${BIND()}]`, 'team-a') + granted('carol-crb', `[${UPDATE('update')}]`).replace('name: carol-crb, apiGroup', 'name: carol, apiGroup');
    const v = finding(yaml, 'carol');
    expect(v.status).toBe('fail');
    expect(v.severity).not.toBe('critical');
  });

  it('the docs row states both critical paths', () => {
    const row = catalogMarkdown(rbacChecks).split('\n').find((l) => l.startsWith('| `rbac.privilege-escalation` |'))!;
    expect(row).toContain('with update or patch on an existing ClusterRoleBinding of that role and bind on it');
    expect(row).toContain('mint a token for, or impersonate, a service account that is itself cluster-admin-equivalent');
  });
});

// From manifests, the bootstrap controller bindings are seldom in the input, yet every cluster has
// them: addControllerRole binds ClusterRole system:controller:X to ServiceAccount kube-system/X
// (kubernetes plugin/pkg/auth/authorizer/rbac/bootstrappolicy/controller_policy.go), so a token for
// kube-system/clusterrole-aggregation-controller is cluster-admin whether or not the input holds
// its ClusterRoleBinding (reviewer repros r1, r3).
describe('rbac.privilege-escalation from manifests: the bootstrap controller bindings count where the input lacks them', () => {
  const EDIT = (ns: string) => `---
apiVersion: ${RBAC}
kind: RoleBinding
metadata: {name: alice-edit, namespace: ${ns}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}]
`;
  const AGGREGATOR_BINDING = (subject = '{kind: ServiceAccount, name: clusterrole-aggregation-controller, namespace: kube-system}') => `---
apiVersion: ${RBAC}
kind: ClusterRoleBinding
metadata: {name: "system:controller:clusterrole-aggregation-controller"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:controller:clusterrole-aggregation-controller"}
subjects: [${subject}]
`;
  // edit's deletecollection and patch on secrets read them back too (secretsReadPermissions).
  const MINTS = 'User:alice can escalate privileges in namespace kube-system (create secrets, create serviceaccounts/token, deletecollection secrets, get secrets, impersonate serviceaccounts and 3 more) via RoleBinding kube-system/alice-edit → ClusterRole edit. '
    + `It can mint a token for ServiceAccount kube-system/clusterrole-aggregation-controller (kubectl create token clusterrole-aggregation-controller -n kube-system), ${AGGREGATOR_WHY}`;

  it('r1: edit bound in kube-system, nothing else in the input: critical, naming the aggregation controller', () => {
    const v = finding(EDIT('kube-system'), 'alice');
    expect(v).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(v.message.startsWith(MINTS)).toBe(true);
  });

  it('r3: the same with the bootstrap binding in the input: the same finding', () => {
    const v = finding(EDIT('kube-system') + AGGREGATOR_BINDING(), 'alice');
    expect(v).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(v.message.startsWith(MINTS)).toBe(true);
  });

  it('edit bound in another namespace stays medium: its tokens reach that namespace\'s accounts only', () => {
    const v = finding(EDIT('team-a'), 'alice');
    expect(v).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(v.message).not.toContain('cluster-admin');
  });

  it('the input\'s own binding of that name wins (here it binds another account): high, as the input says', () => {
    const v = finding(EDIT('kube-system') + AGGREGATOR_BINDING('{kind: ServiceAccount, name: someone-else, namespace: team-a}'), 'alice');
    expect(v).toMatchObject({ status: 'fail', severity: 'high' });
    expect(v.message).not.toContain('clusterrole-aggregation-controller');
  });

  it('a live listing without the binding is taken as it is: high', () => {
    const v = finding({ ...snap(EDIT('kube-system')), origin: 'live' }, 'alice');
    expect(v).toMatchObject({ status: 'fail', severity: 'high' });
    expect(v.message).not.toContain('cluster-admin');
  });

  it('cluster-wide token minting names an admin account of the input before the bootstrap one', () => {
    const v = finding(accountBound('ops', 'deployer', 'cluster-admin') + granted('minter', TOKENS()), 'minter');
    expect(v.message).toContain('It can mint a token for ServiceAccount ops/deployer');
    expect(finding(granted('minter', TOKENS()), 'minter').message).toContain('It can mint a token for ServiceAccount kube-system/clusterrole-aggregation-controller');
  });
});
