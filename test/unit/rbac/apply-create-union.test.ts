// A create limited by resourceNames with patch on the same name is a server-side apply create
// (applyCreatePairs, checks/rbac/lib/named-workloads.ts). Two gaps closed here:
//
// 1. RBAC is a union: a request is allowed when any rule of any binding naming the user, or one
//    of its groups, allows it (kubernetes plugin/pkg/auth/authorizer/rbac/rbac.go, Authorize
//    walks VisitRulesFor over every ClusterRoleBinding and RoleBinding of the user's name and
//    groups, v1.36). A service account authenticates in system:serviceaccounts and
//    system:serviceaccounts:<ns> (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-subjects),
//    every authenticated user in system:authenticated. So the create half from one binding and
//    the patch half from a binding of one of the subject's groups combine (before: only the
//    subject's own bindings were paired).
// 2. A server-side apply to an object that exists only patches it: the registry's Update creates,
//    and runs createValidation (the create authorization patch.go adds), only when no object is
//    stored under the name (kubernetes staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go,
//    Store.Update, `existingResourceVersion == 0`; forceAllowCreate set by
//    staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go for apply, v1.36). Where a
//    complete live listing shows the named Pod (not being deleted), the pair creates nothing
//    (before: counted as creating it); a Pod's serviceAccountName cannot change by the patch
//    (pkg/apis/core/validation ValidatePodUpdate: "pod updates may not change fields other than" the image and a few others), so it runs as no other account.
import { describe, expect, it } from 'vitest';
import { privilegeEscalation } from '../../../checks/rbac/privilege-escalation.ts';
import { workloadCreateKubeSystem } from '../../../checks/rbac/workload-create-kube-system.ts';
import type { Check } from '../../../src/engine/types.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';
import { RBAC, run, snap } from './helpers.ts';

const NAMESPACES = ['kube-system', 'ops', 'apps'].map((n) => `---
apiVersion: v1
kind: Namespace
metadata: {name: ${n}}
`).join('') + `---
apiVersion: v1
kind: ServiceAccount
metadata: {name: ci, namespace: apps}
`;
/** ops holds a cluster-admin-equivalent account. */
const OPS_ADMIN = `---
apiVersion: v1
kind: ServiceAccount
metadata: {name: admin-sa, namespace: ops}
---
apiVersion: ${RBAC}
kind: ClusterRoleBinding
metadata: {name: admin-sa}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: admin-sa, namespace: ops}]
`;

const SUBJECTS = {
  carol: '{kind: User, name: carol, apiGroup: rbac.authorization.k8s.io}',
  ci: '{kind: ServiceAccount, name: ci, namespace: apps}',
  appsGroup: '{kind: Group, name: "system:serviceaccounts:apps", apiGroup: rbac.authorization.k8s.io}',
  allSas: '{kind: Group, name: "system:serviceaccounts", apiGroup: rbac.authorization.k8s.io}',
  authenticated: '{kind: Group, name: "system:authenticated", apiGroup: rbac.authorization.k8s.io}',
};

/** `who` holds `verbs` on pods (limited to `names`) by a binding `name` in `where` (a ClusterRoleBinding when omitted). */
const grant = (name: string, who: keyof typeof SUBJECTS, verbs: string, names: string, where?: string) => `---
apiVersion: ${RBAC}
kind: ClusterRole
metadata: {name: ${name}}
rules: [{apiGroups: [""], resources: [pods], verbs: [${verbs}], resourceNames: [${names}]}]
---
apiVersion: ${RBAC}
kind: ${where ? 'RoleBinding' : 'ClusterRoleBinding'}
metadata: {name: ${name}${where ? `, namespace: ${where}` : ''}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${name}}
subjects: [${SUBJECTS[who]}]
`;
const pod = (ns: string, name: string, deleting = false) => `---
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${ns}${deleting ? ', deletionTimestamp: "2026-11-25T23:00:00Z"' : ''}}
spec: {containers: [{name: app, image: nginx}]}
`;

const live = (yaml: string): Snapshot => ({ ...snap(NAMESPACES + yaml), origin: 'live', source: 'live' });
const verdictOf = (check: Check, s: Snapshot, kind: string, name: string, namespace?: string) => {
  const v = run(check, s).find((x) => x.resource.kind === kind && x.resource.name === name && x.resource.namespace === namespace);
  return { status: v?.status ?? 'none', severity: v?.severity ?? check.severity, message: v?.message ?? '' };
};
const KS = workloadCreateKubeSystem;

describe('create and patch on one name from different bindings of the subject and its groups combine (RBAC is a union)', () => {
  it('ServiceAccount apps/ci: create pods x by its own RoleBinding, patch pods x by one of system:serviceaccounts:apps, in kube-system: fails (before: pass)', () => {
    const s = live(grant('create-x', 'ci', 'create', 'x', 'kube-system') + grant('patch-x', 'appsGroup', 'patch', 'x', 'kube-system'));
    const f = verdictOf(KS, s, 'ServiceAccount', 'ci', 'apps');
    expect(f.status).toBe('fail');
    expect(f.message).toContain('create pods by a server-side apply creates only Pod kube-system/x, which its resourceNames name, and which does not exist');
    // The group holds only the patch on a pod that does not exist: nothing.
    expect(verdictOf(KS, s, 'Group', 'system:serviceaccounts:apps').status).toBe('pass');
  });

  it('the patch half from system:serviceaccounts, or the create half from a group, combine the same way', () => {
    expect(verdictOf(KS, live(grant('create-x', 'ci', 'create', 'x', 'kube-system') + grant('patch-x', 'allSas', 'patch', 'x')), 'ServiceAccount', 'ci', 'apps').status).toBe('fail');
    expect(verdictOf(KS, live(grant('create-x', 'appsGroup', 'create', 'x') + grant('patch-x', 'ci', 'patch', 'x', 'kube-system')), 'ServiceAccount', 'ci', 'apps').status).toBe('fail');
  });

  it('User carol: create pods x in kube-system, patch pods x granted to system:authenticated: fails (before: pass)', () => {
    const s = live(grant('create-x', 'carol', 'create', 'x', 'kube-system') + grant('patch-x', 'authenticated', 'patch', 'x'));
    expect(verdictOf(KS, s, 'User', 'carol').status).toBe('fail');
  });

  it('two groups completing each other: the narrower group fails, its members are not each reported for it', () => {
    const s = live(grant('create-x', 'appsGroup', 'create', 'x', 'kube-system') + grant('patch-x', 'allSas', 'patch', 'x', 'kube-system'));
    expect(verdictOf(KS, s, 'Group', 'system:serviceaccounts:apps').status).toBe('fail');
    expect(verdictOf(KS, s, 'ServiceAccount', 'ci', 'apps').status).not.toBe('fail');
  });

  it('halves that do not meet stay apart: another name, another namespace, a group the subject is not in', () => {
    expect(verdictOf(KS, live(grant('create-x', 'ci', 'create', 'x', 'kube-system') + grant('patch-y', 'appsGroup', 'patch', 'y', 'kube-system')), 'ServiceAccount', 'ci', 'apps').status).toBe('pass');
    expect(verdictOf(KS, live(grant('create-x', 'ci', 'create', 'x', 'kube-system') + grant('patch-x', 'appsGroup', 'patch', 'x', 'ops')), 'ServiceAccount', 'ci', 'apps').status).toBe('pass');
    // carol is a user, not a service account: system:serviceaccounts' patch is not hers.
    expect(verdictOf(KS, live(grant('create-x', 'carol', 'create', 'x', 'kube-system') + grant('patch-x', 'allSas', 'patch', 'x')), 'User', 'carol').status).toBe('pass');
  });

  it('rbac.privilege-escalation: carol creates pod x in ops, system:authenticated patches it: runs as ops/admin-sa, critical (before: not)', () => {
    const f = verdictOf(privilegeEscalation, live(OPS_ADMIN + grant('create-x', 'carol', 'create', 'x', 'ops') + grant('patch-x', 'authenticated', 'patch', 'x', 'ops')), 'User', 'carol');
    expect(f).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(f.message).toContain('create pods in ops that run as ServiceAccount ops/admin-sa');
  });
});

describe('the chains of rbac.privilege-escalation pair the halves across a member and its group too', () => {
  // ci (apps) creates pod x in ops by its own RoleBinding, its group system:serviceaccounts:apps
  // patches it there: ci runs a pod as ops/admin-sa. carol, who may mint ci's token
  // (https://kubernetes.io/docs/concepts/security/rbac-good-practices/#token-request), is as much.
  const tokenForCi = `---
apiVersion: ${RBAC}
kind: Role
metadata: {name: ci-token, namespace: apps}
rules: [{apiGroups: [""], resources: [serviceaccounts/token], verbs: [create], resourceNames: [ci]}]
---
apiVersion: ${RBAC}
kind: RoleBinding
metadata: {name: carol-ci-token, namespace: apps}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: ci-token}
subjects: [${SUBJECTS.carol}]
`;
  it('carol: mint a token for apps/ci, which creates pods in ops as ops/admin-sa: critical (before: not)', () => {
    const f = verdictOf(privilegeEscalation, live(OPS_ADMIN + tokenForCi + grant('create-x', 'ci', 'create', 'x', 'ops') + grant('patch-x', 'appsGroup', 'patch', 'x', 'ops')), 'User', 'carol');
    expect(f).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(f.message).toContain('ServiceAccount apps/ci');
  });

  it('without the group\'s patch, ci creates nothing and carol gains nothing', () => {
    expect(verdictOf(privilegeEscalation, live(OPS_ADMIN + tokenForCi + grant('create-x', 'ci', 'create', 'x', 'ops')), 'User', 'carol').severity).not.toBe('critical');
  });
});

describe('a server-side apply to a Pod that exists only patches it', () => {
  const applyX = (ns: string) => grant('apply-x', 'carol', 'create, patch', 'x', ns);

  it('rbac.privilege-escalation: create and patch on pod x in ops where ops/x runs: no step to ops/admin-sa (before: critical)', () => {
    expect(verdictOf(privilegeEscalation, live(OPS_ADMIN + applyX('ops') + pod('ops', 'x')), 'User', 'carol').severity).not.toBe('critical');
  });

  it('ops/x absent, or being deleted (it will be gone): the apply creates it, critical', () => {
    expect(verdictOf(privilegeEscalation, live(OPS_ADMIN + applyX('ops')), 'User', 'carol')).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(verdictOf(privilegeEscalation, live(OPS_ADMIN + applyX('ops') + pod('ops', 'x', true)), 'User', 'carol')).toMatchObject({ status: 'fail', severity: 'critical' });
  });

  it('from manifests (no live listing) the count is kept, and the message says it holds only if x does not exist', () => {
    const f = verdictOf(privilegeEscalation, snap(NAMESPACES + OPS_ADMIN + applyX('ops') + pod('ops', 'x')), 'User', 'carol');
    expect(f).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(f.message).toContain('by a server-side apply creating pods x, which its resourceNames name, with patch on it; the input is no live listing, and an apply to an existing one only patches it, so this holds only if it does not exist');
  });

  it('rbac.workload-create-kube-system: kube-system/x runs: the finding is the patch of that Pod, not a create', () => {
    const f = verdictOf(KS, live(applyX('kube-system') + pod('kube-system', 'x')), 'User', 'carol');
    expect(f.status).toBe('fail');
    expect(f.message).toContain('(patch pods)');
    expect(f.message).toContain('patch pods changes only Pod kube-system/x, which its resourceNames name');
    expect(f.message).not.toContain('create pods');
  });

  it('rbac.workload-create-kube-system: pods unreadable: create and patch both counted, the create saying when it holds', () => {
    const s = live(applyX('kube-system'));
    const unread: Snapshot = { ...s, coverage: { ...s.coverage, pods: { status: 'forbidden', detail: 'list pods' } }, resources: { ...s.resources, pods: [] } };
    const f = verdictOf(KS, unread, 'User', 'carol');
    expect(f.message).toContain('(create pods, patch pods)');
    expect(f.message).toContain('create pods by a server-side apply creates only Pod kube-system/x, which its resourceNames name; pods could not be read (forbidden), and an apply to an existing one only patches it, so this holds only if it does not exist');
  });
});
