// A RoleBinding to the ClusterRole cluster-admin: Kubernetes docs, "Using RBAC Authorization",
// user-facing roles (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles):
// cluster-admin "When used in a RoleBinding, it gives full control over every resource in the
// role binding's namespace, including the namespace itself". rbac.cluster-admin-binding reported
// only ClusterRoleBindings, so such a subject passed. It is reported now at high, said to be
// namespace-scoped; cluster-wide it stays critical, and its fingerprint is the one it had.
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../../checks/index.ts';
import { clusterAdminBinding } from '../../../checks/rbac/cluster-admin-binding.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import { RBAC, run, snap } from './helpers.ts';

// Fingerprints measured on main (35a7763b) with this snapshot: an existing finding keeps its own.
const FRANK_FINGERPRINT = '0619ab05c7d2763aaaf6';
const ERIN_SECRETS_FINGERPRINT = '4ad87a4574704d534e1b';
const NOW = new Date('2026-11-26T00:00:00Z');
const NS = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: kube-system}\n';

const rb = (ns: string, user: string) => `---
apiVersion: ${RBAC}
kind: RoleBinding
metadata: {name: ${user}-admin, namespace: ${ns}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: User, name: ${user}, apiGroup: rbac.authorization.k8s.io}]
`;
const crb = (user: string, role: string) => `---
apiVersion: ${RBAC}
kind: ClusterRoleBinding
metadata: {name: ${user}-${role}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${role}}
subjects: [{kind: User, name: ${user}, apiGroup: rbac.authorization.k8s.io}]
`;
const SECRET_READER = `---
apiVersion: ${RBAC}
kind: ClusterRole
metadata: {name: secret-reader}
rules: [{apiGroups: [""], resources: ["secrets"], verbs: ["get", "list"]}]
`;

const verdictOf = (yaml: string, user: string) => {
  const v = run(clusterAdminBinding, snap(NS + yaml)).find((x) => x.resource.name === user)!;
  return { status: v.status, severity: v.severity ?? clusterAdminBinding.severity, message: v.message };
};

describe('rbac.cluster-admin-binding: a RoleBinding to cluster-admin', () => {
  it('is reported at high, in its namespace, said to be namespace-scoped', () => {
    const v = verdictOf(rb('shop', 'bob'), 'bob');
    expect(v.status).toBe('fail');
    expect(v.severity).toBe('high');
    expect(v.message).toContain('namespace-scoped cluster-admin) in namespace shop');
    expect(v.message).toContain('via RoleBinding shop/bob-admin → ClusterRole cluster-admin');
    expect(v.message).toContain('Namespace-scoped: full control of every resource in namespace shop, the namespace object itself included');
  });

  it('stays critical in kube-system (its service accounts are the control plane\'s)', () => {
    const v = verdictOf(rb('kube-system', 'carol'), 'carol');
    expect(v.status).toBe('fail');
    expect(v.severity).toBe('critical');
    expect(v.message).toContain('in namespace kube-system');
  });

  it('held cluster-wide too, is the critical cluster-wide finding it was', () => {
    const v = verdictOf(rb('shop', 'dave') + crb('dave', 'cluster-admin'), 'dave');
    expect(v.severity).toBe('critical');
    expect(v.message).toBe('User:dave can do anything on any resource (cluster-admin equivalent) cluster-wide (* *.*) via ClusterRoleBinding dave-cluster-admin → ClusterRole cluster-admin');
  });

  it('does not fold a cluster-wide Secrets read under the namespace-scoped finding; a cluster-wide one does', () => {
    const snapshot = snap(NS + SECRET_READER + rb('shop', 'erin') + crb('erin', 'secret-reader') + crb('frank', 'cluster-admin') + crb('frank', 'secret-reader'));
    const { report } = auditSnapshot({ snapshot, config: defaultConfig(), checks: CHECKS, now: NOW, runId: 'r1', startedAt: NOW });
    const find = (check: string, name: string) => report.findings.find((f) => f.check === check && f.resource.name === name)!;
    expect(find('rbac.secrets-cluster-read', 'erin').impliedBy).toBeUndefined();
    expect(find('rbac.secrets-cluster-read', 'frank').impliedBy).toBe(find('rbac.cluster-admin-binding', 'frank').fingerprint);
    expect(find('rbac.cluster-admin-binding', 'erin').severity).toBe('high');
    expect(find('rbac.cluster-admin-binding', 'frank').fingerprint).toBe(FRANK_FINGERPRINT);
    expect(find('rbac.secrets-cluster-read', 'erin').fingerprint).toBe(ERIN_SECRETS_FINGERPRINT);
  });
});
