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

  it('rbac.namespace-modification: patching argocd is no way to act as its account: medium, no note', () => {
    // Relabelling a namespace gives no pod, exec or token (kubernetes.io/docs/concepts/security/rbac-good-practices/
    // "Namespace modification": it can weaken Pod Security or NetworkPolicy selectors, not act as an account).
    const v = verdictOf('rbac.namespace-modification', ARGOCD('cluster-admin'), 'labeler');
    expect(v.severity).toBe('medium');
    expect(v.message).not.toContain('Namespace argocd holds');
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

const ROLE_IN = (ns: string, user: string, rules: string) => `
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r-${user}, namespace: ${ns}}
rules: ${rules}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: b-${user}, namespace: ${ns}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r-${user}}
subjects: [{kind: User, name: ${user}, apiGroup: rbac.authorization.k8s.io}]
`;

describe('only permissions that act as a namespace\'s service accounts are raised by a powerful one there', () => {
  it('port-forward alone, or escalate/bind of Roles, in argocd stay medium; impersonating or minting tokens there does not', () => {
    // Port-forwarding reaches a pod's ports, not its token; a Role bound in argocd reaches argocd only.
    // Impersonating a service account or creating its token acts as it (rbac-good-practices "Escalation risks").
    const yaml = ARGOCD('cluster-admin')
      + ROLE_IN('argocd', 'pf', '[{apiGroups: [""], resources: [pods/portforward], verbs: [create]}]')
      + ROLE_IN('argocd', 'binder', '[{apiGroups: [rbac.authorization.k8s.io], resources: [roles], verbs: [bind, escalate]}]')
      + ROLE_IN('argocd', 'minter', '[{apiGroups: [""], resources: [serviceaccounts/token], verbs: [create]}]');
    expect(verdictOf('rbac.pod-exec-attach', yaml, 'pf')).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(verdictOf('rbac.privilege-escalation', yaml, 'binder')).toMatchObject({ status: 'fail', severity: 'medium' });
    const minter = verdictOf('rbac.privilege-escalation', yaml, 'minter');
    expect(minter.severity).toBeUndefined();
    expect(minter.message).toContain('Namespace argocd holds ServiceAccount argocd/argocd-application-controller');
  });
});

describe('service accounts made powerful through their groups (reviewer repro grp)', () => {
  // system:serviceaccounts:NS is every service account of NS, system:serviceaccounts every one of
  // every namespace (kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-subjects).
  const GROUP = (group: string) => `
apiVersion: v1
kind: Namespace
metadata: {name: ci}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: sa-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: Group, name: "${group}", apiGroup: rbac.authorization.k8s.io}]
` + ROLE_IN('ci', 'bob', '[{apiGroups: [""], resources: [pods/exec], verbs: [create]}]') + ROLE_IN('web', 'eve', '[{apiGroups: [""], resources: [pods/exec], verbs: [create]}]');

  it('cluster-admin for system:serviceaccounts:ci raises exec in ci, not in another namespace', () => {
    const yaml = GROUP('system:serviceaccounts:ci');
    const bob = verdictOf('rbac.pod-exec-attach', yaml, 'bob');
    expect(bob.severity).toBeUndefined();
    expect(bob.message).toContain('. Namespace ci holds all service accounts (group system:serviceaccounts:ci), which have dangerous permissions cluster-wide: this access there is a way to act as them, so it is rated as in kube-system');
    expect(verdictOf('rbac.pod-exec-attach', yaml, 'eve').severity).toBe('medium');
  });

  it('cluster-admin for system:serviceaccounts raises exec in every namespace', () => {
    const yaml = GROUP('system:serviceaccounts');
    for (const user of ['bob', 'eve']) {
      const v = verdictOf('rbac.pod-exec-attach', yaml, user);
      expect(v.severity, user).toBeUndefined();
      expect(v.message, user).toContain('holds all service accounts of every namespace (group system:serviceaccounts), which have dangerous permissions cluster-wide');
    }
    // A group that only looks like it (no namespace after the colon) is nobody's service accounts.
    expect(verdictOf('rbac.pod-exec-attach', GROUP('system:serviceaccounts:'), 'bob').severity).toBe('medium');
  });
});
