// A create limited by resourceNames with patch on the same name is a server-side apply create
// (applyCreatePairs, checks/rbac/lib/named-workloads.ts).
//
// 1. RBAC is a union: a request is allowed when any rule of any binding naming the user, or one
//    of its groups, allows it (kubernetes plugin/pkg/auth/authorizer/rbac/rbac.go, Authorize
//    walks VisitRulesFor over every ClusterRoleBinding and RoleBinding of the user's name and
//    groups, v1.36). A service account authenticates in system:serviceaccounts and
//    system:serviceaccounts:<ns> (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-subjects),
//    every authenticated user in system:authenticated. So the create half from one binding and
//    the patch half from a binding of one of the subject's groups combine (before: only the
//    subject's own bindings were paired).
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
