// Which grants the RBAC checks leave out: only the bindings Kubernetes' bootstrap policy and
// kubeadm create, exactly as they create them ("Default roles and role bindings" and "Core
// component roles", https://kubernetes.io/docs/reference/access-authn-authz/rbac/#default-roles-and-role-bindings).
// A subject's name exempts nothing: the good-practices page
// (https://kubernetes.io/docs/concepts/security/rbac-good-practices/) asks for cluster-admin
// to be held by as few subjects as possible, and a user-made binding is one more.
import { describe, expect, it } from 'vitest';
import { rbacChecks } from '../../../checks/rbac/index.ts';
import { rbacAudit } from '../../../src/analysis/rbac/audit.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { failing, run, snap } from './helpers.ts';

const check = (id: string) => rbacChecks.find((c) => c.id === id)!;
const adminOf = (id: string) => failing(run(check('rbac.cluster-admin-binding'), snap(id)));

const crb = (name: string, role: string, subject: string) => `---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "${name}"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "${role}"}
subjects: [${subject}]
`;

describe('user-made bindings of system identities (reviewer repro m1/m4)', () => {
  it('fails cluster-admin for system groups, system users and kube-system service accounts bound by a custom binding', () => {
    const s = [
      crb('nodes-admin', 'cluster-admin', '{kind: Group, apiGroup: rbac.authorization.k8s.io, name: "system:nodes"}'),
      crb('boot-admin', 'cluster-admin', '{kind: Group, apiGroup: rbac.authorization.k8s.io, name: "system:bootstrappers"}'),
      crb('sealed-admin', 'cluster-admin', '{kind: ServiceAccount, name: sealed-secrets-controller, namespace: kube-system}'),
      crb('coredns-admin', 'cluster-admin', '{kind: ServiceAccount, name: coredns, namespace: kube-system}'),
      crb('user-sys', 'cluster-admin', '{kind: User, apiGroup: rbac.authorization.k8s.io, name: "system:kube-proxy"}'),
      crb('monitoring-admin', 'cluster-admin', '{kind: Group, apiGroup: rbac.authorization.k8s.io, name: "system:monitoring"}'),
      crb('kubeadm-elsewhere', 'cluster-admin', '{kind: Group, apiGroup: rbac.authorization.k8s.io, name: "kubeadm:cluster-admins"}'),
    ].join('');
    expect(adminOf(s)).toEqual([
      'Group:kubeadm:cluster-admins', 'Group:system:bootstrappers', 'Group:system:monitoring', 'Group:system:nodes',
      'ServiceAccount:kube-system/coredns', 'ServiceAccount:kube-system/sealed-secrets-controller', 'User:system:kube-proxy',
    ]);
  });

  it('fails a subject added to the built-in cluster-admin binding; system:masters stays out (it bypasses RBAC)', () => {
    const s = crb('cluster-admin', 'cluster-admin', '{kind: Group, name: "system:masters"}, {kind: Group, name: "system:nodes"}')
      + crb('masters-again', 'cluster-admin', '{kind: Group, name: "system:masters"}');
    expect(adminOf(s)).toEqual(['Group:system:nodes']);
  });

  it('gives one verdict to both forms of a service account: ServiceAccount and User system:serviceaccount:NS:NAME', () => {
    const sa = adminOf(crb('a', 'cluster-admin', '{kind: ServiceAccount, name: coredns, namespace: kube-system}'));
    const user = adminOf(crb('a', 'cluster-admin', '{kind: User, name: "system:serviceaccount:kube-system:coredns"}'));
    expect(sa).toEqual(['ServiceAccount:kube-system/coredns']);
    expect(user).toEqual(['ServiceAccount:kube-system/coredns']);
  });
});

describe('grants Kubernetes and kubeadm create stay exempt', () => {
  // controller_policy.go binds each controller's role to its kube-system service account; kubeadm
  // binds cluster-admin to its kubeadm:cluster-admins group (admin.conf) and system:node-proxier to kube-proxy.
  const builtins = [
    crb('system:controller:clusterrole-aggregation-controller', 'system:controller:clusterrole-aggregation-controller', '{kind: ServiceAccount, name: clusterrole-aggregation-controller, namespace: kube-system}'),
    `---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "system:controller:clusterrole-aggregation-controller"}
rules: [{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [escalate, get, list, watch, update, patch]}]
`,
    crb('kubeadm:cluster-admins', 'cluster-admin', '{kind: Group, apiGroup: rbac.authorization.k8s.io, name: "kubeadm:cluster-admins"}'),
    crb('kubeadm:node-proxier', 'system:node-proxier', '{kind: ServiceAccount, name: kube-proxy, namespace: kube-system}'),
    `---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: "system:controller:token-cleaner", namespace: kube-system}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: "system:controller:token-cleaner"}
subjects: [{kind: ServiceAccount, name: token-cleaner, namespace: kube-system}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: "system:controller:token-cleaner", namespace: kube-system}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get, list, watch, delete]}]
`,
  ].join('');

  it('no finding for the controller, kubeadm and namespace-policy bindings as shipped', () => {
    const s = snap(builtins);
    for (const id of ['rbac.cluster-admin-binding', 'rbac.privilege-escalation', 'rbac.secrets-namespace-read']) expect(failing(run(check(id), s)), id).toEqual([]);
  });

  it('a default subject written as its username (User system:serviceaccount:NS:NAME) is the same grant', () => {
    const s = snap(crb('kubeadm:node-proxier', 'system:node-proxier', '{kind: User, name: "system:serviceaccount:kube-system:kube-proxy"}')
      + crb('kubeadm:node-proxier-2', 'cluster-admin', '{kind: User, name: "system:serviceaccount:kube-system:kube-proxy"}'));
    const audited = rbacAudit({ snapshot: s, config: defaultConfig(), now: new Date() }).subjects.find((x) => x.subject.kind === 'ServiceAccount' && x.subject.name === 'kube-proxy');
    expect(audited?.bindings.map((b) => b.name)).toEqual(['kubeadm:node-proxier-2']);
  });

  it('the same roles bound by another binding name, or the default binding to another role, are findings', () => {
    const s = snap(builtins.replace("roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: \"system:node-proxier\"}", 'roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}')
      + crb('my-aggregator', 'system:controller:clusterrole-aggregation-controller', '{kind: ServiceAccount, name: clusterrole-aggregation-controller, namespace: kube-system}'));
    expect(failing(run(check('rbac.privilege-escalation'), s))).toEqual(['ServiceAccount:kube-system/clusterrole-aggregation-controller', 'ServiceAccount:kube-system/kube-proxy']);
    expect(failing(run(check('rbac.cluster-admin-binding'), s))).toEqual(['ServiceAccount:kube-system/kube-proxy']);
  });
});

// Aggregation replaces a ClusterRole's rules with those of the roles its selectors match
// (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#aggregated-clusterroles): a
// default role redefined with a selector grants what the selected roles grant, so its default
// binding is no longer the grant Kubernetes makes.
describe('default roles redefined with an aggregationRule (reviewer repro m3)', () => {
  const discovery = (selector: string) => `---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "system:discovery", labels: {kubernetes.io/bootstrapping: rbac-defaults}}
aggregationRule:
  clusterRoleSelectors: [${selector}]
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: disc-extra, labels: {acme.io/disc: "true"}}
rules: [{apiGroups: [""], resources: [secrets], verbs: [list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: disc-paths, labels: {acme.io/paths: "true"}}
rules: [{nonResourceURLs: ["/version", "/healthz"], verbs: [get]}]
`;

  it('fails secrets read and all-users access when system:discovery aggregates list secrets into its default binding', () => {
    const s = snap(discovery('{matchLabels: {acme.io/disc: "true"}}'));
    expect(failing(run(check('rbac.secrets-cluster-read'), s))).toEqual(['Group:system:authenticated']);
    const anon = run(check('rbac.anonymous-access'), s).find((v) => v.resource.name === 'system:authenticated')!;
    expect(anon.status).toBe('fail');
    expect(anon.message).toContain('ClusterRoleBinding system:discovery');
  });

  it('keeps the default binding exempt when what the selector pulls in is within the default', () => {
    // system:kube-controller-manager's default rules include get secrets; its default binding names the user.
    const s = snap(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "system:kube-controller-manager"}
aggregationRule:
  clusterRoleSelectors: [{matchLabels: {acme.io/kcm: "true"}}]
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: kcm-piece, labels: {acme.io/kcm: "true"}}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get]}]
`);
    expect(failing(run(check('rbac.secrets-namespace-read'), s))).toEqual([]);
    expect(failing(run(check('rbac.secrets-cluster-read'), s))).toEqual([]);
    const widened = snap(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "system:kube-controller-manager"}
aggregationRule:
  clusterRoleSelectors: [{matchLabels: {acme.io/kcm: "true"}}]
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: kcm-piece, labels: {acme.io/kcm: "true"}}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get]}, {apiGroups: [""], resources: [nodes/proxy], verbs: [get]}]
`);
    expect(failing(run(check('rbac.nodes-proxy'), widened))).toEqual(['User:system:kube-controller-manager']);
  });

  it('view with an extra selector is modified: rbac.aggregation-into-builtin judges it like a custom role', () => {
    const s = snap(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: view, labels: {rbac.authorization.k8s.io/aggregate-to-edit: "true"}}
aggregationRule:
  clusterRoleSelectors: [{matchLabels: {rbac.authorization.k8s.io/aggregate-to-view: "true"}}, {matchLabels: {acme.io/disc: "true"}}]
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: disc-extra, labels: {acme.io/disc: "true"}}
rules: [{apiGroups: [""], resources: [nodes/proxy], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: edit, labels: {rbac.authorization.k8s.io/aggregate-to-admin: "true"}}
aggregationRule:
  clusterRoleSelectors: [{matchLabels: {rbac.authorization.k8s.io/aggregate-to-edit: "true"}}]
rules: []
`);
    // disc-extra reaches view through the extra selector; view, no longer the default, carries it on into edit and admin.
    expect(failing(run(check('rbac.aggregation-into-builtin'), s))).toEqual(['ClusterRole:disc-extra', 'ClusterRole:view']);
  });
});
