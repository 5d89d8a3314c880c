// A subject whose dangerous access is confined to one namespace is rated lower, unless that
// namespace holds a service account with a dangerous cluster-wide grant: exec into its pods,
// minting its token or impersonating it there acts as that account, as in kube-system
// (kubernetes.io/docs/concepts/security/rbac-good-practices/: "Workload creation", "Escalation
// risks": holders of such permissions in a namespace can use any service account of it).
import { describe, expect, it } from 'vitest';
import { rbacChecks } from '../../../checks/rbac/index.ts';
import { run, snap } from './helpers.ts';

const check = (id: string) => rbacChecks.find((c) => c.id === id)!;

const ARGOCD = (controllerRole: string) => `
apiVersion: v1
kind: Namespace
metadata: {name: argocd}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: argocd-application-controller, namespace: argocd}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: pv-maker}
rules: [{apiGroups: [""], resources: [persistentvolumes], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: argocd-application-controller}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${controllerRole}}
subjects: [{kind: ServiceAccount, name: argocd-application-controller, namespace: argocd}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: dev-edit, namespace: argocd}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{kind: User, name: dev, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: ns-labeler, namespace: argocd}
rules: [{apiGroups: [""], resources: [namespaces], verbs: [patch]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: labeler, namespace: argocd}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: ns-labeler}
subjects: [{kind: User, name: labeler, apiGroup: rbac.authorization.k8s.io}]
`;

const verdictOf = (id: string, yaml: string, name: string) => run(check(id), snap(yaml)).find((v) => v.resource.name === name)!;

describe('namespace-only access where a service account holds cluster-admin (reviewer repro s2)', () => {
  for (const id of ['rbac.pod-exec-attach', 'rbac.privilege-escalation']) {
    it(`${id}: exec/tokens in argocd keep the check's severity and name the account`, () => {
      const v = verdictOf(id, ARGOCD('cluster-admin'), 'dev');
      expect(v.status).toBe('fail');
      expect(v.severity).toBeUndefined();
      expect(v.message).toContain('. Namespace argocd holds ServiceAccount argocd/argocd-application-controller, which has dangerous permissions cluster-wide: this access there is a way to act as it, so it is rated as in kube-system');
    });
  }

  it('rbac.namespace-modification: patching argocd is rated as in kube-system too', () => {
    expect(verdictOf('rbac.namespace-modification', ARGOCD('cluster-admin'), 'labeler').severity).toBeUndefined();
  });

  it('with the account holding only create persistentvolumes (a storage provisioner): lowered as before, no note', () => {
    for (const id of ['rbac.pod-exec-attach', 'rbac.privilege-escalation']) {
      const v = verdictOf(id, ARGOCD('pv-maker'), 'dev');
      expect(v.severity, id).toBe('medium');
      expect(v.message, id).not.toContain('Namespace argocd holds');
    }
    expect(verdictOf('rbac.namespace-modification', ARGOCD('pv-maker'), 'labeler').severity).toBe('medium');
  });
});
