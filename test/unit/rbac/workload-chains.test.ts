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
