// What a rule gives through a RoleBinding: only what a request carrying the binding's namespace
// can reach (reviewer repros r1, r1b, r5).
import { describe, expect, it } from 'vitest';
import { buildRbacModel, canI, directGrants, resourceIsClusterScoped, whoCan } from '../../../src/analysis/rbac/index.ts';
import { ruleGivesInScope, ruleNotGivenInScope } from '../../../src/analysis/rbac/scope.ts';
import { normalizeRule } from '../../../src/analysis/rbac/rules.ts';
import type { Grant } from '../../../src/analysis/rbac/types.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';
import { rbacChecks } from '../../../checks/rbac/index.ts';
import { canCommandCore, whoCanCommandCore } from '../../../src/cli/access-text.ts';
import { run, snap } from './helpers.ts';

const BINDINGS = `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: r}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rb, namespace: team}
roleRef: {kind: ClusterRole, name: r}
subjects: [{kind: User, name: u}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: crb}
roleRef: {kind: ClusterRole, name: r}
subjects: [{kind: User, name: u}]
`;

function grants(s: Snapshot): { rb: Grant; crb: Grant } {
  const g = directGrants(buildRbacModel(s), { kind: 'User', name: 'u' });
  return { rb: g.find((x) => x.namespace)!, crb: g.find((x) => !x.namespace)! };
}

const rule = (r: object) => normalizeRule(r)!;

describe('ruleGivesInScope', () => {
  const s = snap(BINDINGS);
  const { rb, crb } = grants(s);

  it('through a RoleBinding: namespaced resources yes; non-resource URLs and cluster-scoped resources no', () => {
    expect(ruleGivesInScope(rule({ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }), rb, s)).toBe(true);
    expect(ruleGivesInScope(rule({ nonResourceURLs: ['/metrics'], verbs: ['get'] }), rb, s)).toBe(false);
    expect(ruleGivesInScope(rule({ apiGroups: [''], resources: ['nodes', 'nodes/proxy'], verbs: ['get'] }), rb, s)).toBe(false);
    expect(ruleGivesInScope(rule({ apiGroups: ['*'], resources: ['persistentvolumes'], verbs: ['*'] }), rb, s)).toBe(false);
    expect(ruleGivesInScope(rule({ apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests'], verbs: ['create'] }), rb, s)).toBe(false);
    // Wildcards and types the catalog does not know (a CRD) may be namespaced: they count.
    expect(ruleGivesInScope(rule({ apiGroups: [''], resources: ['*'], verbs: ['get'] }), rb, s)).toBe(true);
    expect(ruleGivesInScope(rule({ apiGroups: ['acme.io'], resources: ['widgets'], verbs: ['get'] }), rb, s)).toBe(true);
    // Through a ClusterRoleBinding everything counts.
    expect(ruleGivesInScope(rule({ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }), crb, s)).toBe(true);
    expect(ruleGivesInScope(rule({ nonResourceURLs: ['/metrics'], verbs: ['get'] }), crb, s)).toBe(true);
  });

  it('namespaces: a named verb on the binding\'s own namespace counts, a list or another name does not', () => {
    expect(ruleGivesInScope(rule({ apiGroups: [''], resources: ['namespaces'], verbs: ['get'] }), rb, s)).toBe(true);
    expect(ruleGivesInScope(rule({ apiGroups: [''], resources: ['namespaces'], verbs: ['patch'], resourceNames: ['team'] }), rb, s)).toBe(true);
    expect(ruleGivesInScope(rule({ apiGroups: [''], resources: ['namespaces'], verbs: ['patch'], resourceNames: ['other'] }), rb, s)).toBe(false);
    expect(ruleGivesInScope(rule({ apiGroups: [''], resources: ['namespaces'], verbs: ['list', 'watch', 'create'] }), rb, s)).toBe(false);
  });

  it('a CRD discovery reports as cluster-scoped counts as cluster-scoped', () => {
    const withDiscovery = { ...snap(BINDINGS), apiResources: [
      { group: 'acme.io', version: 'v1', resource: 'widgets', namespaced: false, verbs: ['get'] },
      { group: '', version: 'v1', resource: 'configmaps', namespaced: true, verbs: ['get'] },
    ] };
    const g = grants(withDiscovery);
    expect(ruleGivesInScope(rule({ apiGroups: ['acme.io'], resources: ['widgets'], verbs: ['get'] }), g.rb, withDiscovery)).toBe(false);
    expect(ruleGivesInScope(rule({ apiGroups: ['acme.io'], resources: ['widgets'], verbs: ['get'] }), g.crb, withDiscovery)).toBe(true);
  });
});

describe('ruleNotGivenInScope (what `can SUBJECT -n NS` marks not granted)', () => {
  const s = snap(BINDINGS);
  const { rb, crb } = grants(s);
  const not = (r: object, g: Grant) => ruleNotGivenInScope(rule(r), g, s);

  it('through a RoleBinding: the cluster-scoped resources of a rule, each, and its non-resource URLs; through a ClusterRoleBinding nothing', () => {
    expect(not({ apiGroups: [''], resources: ['pods', 'nodes', 'nodes/proxy'], verbs: ['get'] }, rb)).toEqual({ nonResourceURLs: [], resources: ['nodes', 'nodes/proxy'] });
    expect(not({ nonResourceURLs: ['/metrics'], verbs: ['get'] }, rb)).toEqual({ nonResourceURLs: ['/metrics'], resources: [] });
    expect(not({ apiGroups: [''], resources: ['namespaces'], verbs: ['get'] }, rb).resources).toEqual([]);
    expect(not({ apiGroups: [''], resources: ['namespaces'], verbs: ['list'] }, rb).resources).toEqual(['namespaces']);
    expect(not({ apiGroups: ['acme.io'], resources: ['widgets'], verbs: ['get'] }, rb).resources).toEqual([]);
    expect(not({ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }, crb)).toEqual({ nonResourceURLs: [], resources: [] });
  });
});

describe('rbac.anonymous-access counts only what a RoleBinding gives', () => {
  it('a RoleBinding to nodes and configmaps is one rule beyond discovery, and can agrees', () => {
    const s = snap(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: mixed}
rules:
- {apiGroups: [""], resources: ["nodes"], verbs: ["get", "list"]}
- {nonResourceURLs: ["/metrics"], verbs: ["get"]}
- {apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: anon, namespace: team}
roleRef: {kind: ClusterRole, name: mixed}
subjects: [{kind: User, name: system:anonymous}]
`);
    const v = run(rbacChecks.find((c) => c.id === 'rbac.anonymous-access')!, s).find((x) => x.resource.name === 'system:anonymous')!;
    expect(v.status).toBe('fail');
    expect(v.message).toContain('is granted 1 rule beyond discovery');
    expect((v.evidence as { grants: Array<{ rule: string }> }).grants.map((g) => g.rule)).toEqual(['get,list configmaps (core)']);
    const m = buildRbacModel(s);
    expect(canI(m, 'User:system:anonymous', 'list', 'nodes').allowed).toBe(false);
    expect(canI(m, 'User:system:anonymous', 'get', '/metrics').allowed).toBe(false);
    expect(canI(m, 'User:system:anonymous', 'list', 'configmaps', { namespace: 'team' }).allowed).toBe(true);
  });
});

// Reviewer repro r7: the model's own questions agree with the checks. A request on a
// cluster-scoped type carries no namespace, so RoleBindings never answer it (reference checks.md
// §3.1 and test case 2; VisitRulesFor, kubernetes pkg/registry/rbac/validation/rule.go).
describe('canI and whoCan with the snapshot\'s resource scopes', () => {
  const s = snap(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: kubelet-proxy}
rules: [{apiGroups: [""], resources: [nodes/proxy, namespaces, configmaps], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: proxy-ns, namespace: app}
roleRef: {kind: ClusterRole, name: kubelet-proxy}
subjects: [{kind: User, name: mallory}]
`);
  const m = buildRbacModel(s);
  const clusterScoped = (group: string, resource: string) => resourceIsClusterScoped(s, group, resource);

  it('knows the scope of built-in types and not of an undescribed CRD', () => {
    expect(resourceIsClusterScoped(s, '', 'nodes/proxy')).toBe(true);
    expect(resourceIsClusterScoped(s, '', 'configmaps')).toBe(false);
    expect(resourceIsClusterScoped(s, 'acme.example.com', 'widgets')).toBeUndefined();
  });

  it('get nodes/proxy in app: denied, and the RoleBinding is not among who can', () => {
    const d = canI(m, 'User:mallory', 'get', 'nodes/proxy', { namespace: 'app', clusterScoped });
    expect(d.allowed).toBe(false);
    expect(d.request).toMatchObject({ resource: 'nodes', subresource: 'proxy', namespace: undefined });
    expect(whoCan(m, 'get', 'nodes/proxy', 'app', { clusterScoped }).map((e) => e.subject.name)).not.toContain('mallory');
  });

  it('namespaced types and the binding\'s own namespace object still answer through it', () => {
    expect(canI(m, 'User:mallory', 'get', 'configmaps', { namespace: 'app', clusterScoped }).allowed).toBe(true);
    expect(canI(m, 'User:mallory', 'get', 'namespaces', { namespace: 'app', name: 'app', clusterScoped }).allowed).toBe(true);
    expect(canI(m, 'User:mallory', 'get', 'namespaces', { namespace: 'app', name: 'other', clusterScoped }).allowed).toBe(false);
    expect(whoCan(m, 'get', 'configmaps', 'app', { clusterScoped }).map((e) => e.subject.name)).toContain('mallory');
  });
});

// Reviewer repro r1 (rbacscope merge): the model's request on one named namespace. Only a verb
// that goes to /api/v1/namespaces/NAME carries NAME as its namespace (reference checks.md §3.1
// "Exception by request shape"; requestinfo.go NewRequestInfo, kubernetes
// staging/src/k8s.io/apiserver/pkg/endpoints/request); create and list carry none, so no
// RoleBinding answers them (VisitRulesFor, pkg/registry/rbac/validation/rule.go), the same verbs
// namespaceRequestReaches lets the checks count.
describe('requests on one named namespace', () => {
  const s = snap(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ns-admin}
rules: [{apiGroups: [""], resources: [namespaces], verbs: [get, update, delete, list, create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: nsa, namespace: dev}
roleRef: {kind: ClusterRole, name: ns-admin}
subjects: [{kind: User, name: carol}]
`);
  const m = buildRbacModel(s);
  const clusterScoped = (group: string, resource: string) => resourceIsClusterScoped(s, group, resource);

  it('whoCan without a namespace finds the RoleBinding for delete of namespace dev', () => {
    const e = whoCan(m, 'delete', 'namespaces', undefined, { name: 'dev', clusterScoped }).find((x) => x.subject.name === 'carol');
    expect(e?.grants.map((g) => `${g.namespace}/${g.binding.name}`)).toEqual(['dev/nsa']);
    // An explicit '' still asks for cluster scope.
    expect(whoCan(m, 'delete', 'namespaces', '', { name: 'dev', clusterScoped }).map((x) => x.subject.name)).not.toContain('carol');
  });

  it('create and list naming dev carry no namespace, with or without a namespace asked', () => {
    for (const verb of ['create', 'list', 'watch', 'deletecollection']) {
      for (const namespace of [undefined, 'dev']) {
        const d = canI(m, 'User:carol', verb, 'namespaces', { name: 'dev', namespace, clusterScoped });
        expect(d.allowed, `${verb} -n ${namespace}`).toBe(false);
        expect(d.request).toMatchObject({ namespace: undefined });
      }
      expect(whoCan(m, verb, 'namespaces', undefined, { name: 'dev', clusterScoped }).map((x) => x.subject.name)).not.toContain('carol');
    }
    expect(canI(m, 'User:carol', 'create', 'namespaces', { name: 'dev' }).allowed).toBe(false);
  });

  it('get/update/patch/delete naming dev carry dev, whatever namespace is asked', () => {
    for (const verb of ['get', 'update', 'delete']) {
      for (const namespace of [undefined, 'dev', 'other']) {
        const d = canI(m, 'User:carol', verb, 'namespaces', { name: 'dev', namespace, clusterScoped });
        expect(d.allowed, `${verb} -n ${namespace}`).toBe(true);
        expect(d.request).toMatchObject({ namespace: 'dev' });
      }
    }
    expect(canI(m, 'User:carol', 'patch', 'namespaces', { name: 'dev' }).request).toMatchObject({ namespace: 'dev' });
    expect(canI(m, 'User:carol', 'get', 'namespaces', { name: 'other', namespace: 'dev', clusterScoped }).allowed).toBe(false);
  });
});

// bind on ClusterRoles is asked in the namespace of the binding being written (BindingAuthorized,
// kubernetes v1.36.3 pkg/registry/rbac/escalation_check.go: "this allows delegation to bind
// particular clusterroles in rolebindings within particular namespaces"). The role-grantor example
// of https://kubernetes.io/docs/reference/access-authn-authz/rbac/#restrictions-on-role-binding-creation-or-update,
// as written there: user-1 may bind admin, edit and view in user-1-namespace. Reviewer repro t4.
describe('bind on ClusterRoles through a RoleBinding', () => {
  const s = snap(`
apiVersion: v1
kind: Namespace
metadata: {name: user-1-namespace}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: role-grantor}
rules:
- apiGroups: ["rbac.authorization.k8s.io"]
  resources: ["rolebindings"]
  verbs: ["create"]
- apiGroups: ["rbac.authorization.k8s.io"]
  resources: ["clusterroles"]
  verbs: ["bind"]
  resourceNames: ["admin","edit","view"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: role-grantor-binding, namespace: user-1-namespace}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: role-grantor}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: user-1}]
`);
  const m = buildRbacModel(s);
  const clusterScoped = (group: string, resource: string) => resourceIsClusterScoped(s, group, resource);
  const CR = 'clusterroles.rbac.authorization.k8s.io';

  it('user-1 can bind edit in user-1-namespace, and nowhere else', () => {
    const d = canI(m, 'User:user-1', 'bind', CR, { namespace: 'user-1-namespace', name: 'edit', clusterScoped });
    expect(d.allowed).toBe(true);
    expect(d.request).toMatchObject({ namespace: 'user-1-namespace', name: 'edit' });
    expect(canI(m, 'User:user-1', 'bind', CR, { namespace: 'other', name: 'edit', clusterScoped }).allowed).toBe(false);
    expect(canI(m, 'User:user-1', 'bind', CR, { name: 'edit', clusterScoped }).allowed).toBe(false);
    expect(canI(m, 'User:user-1', 'bind', CR, { namespace: 'user-1-namespace', name: 'cluster-admin', clusterScoped }).allowed).toBe(false);
    expect(whoCan(m, 'bind', CR, 'user-1-namespace', { name: 'view', clusterScoped }).map((e) => e.subject.name)).toContain('user-1');
  });

  it('escalate on ClusterRoles stays cluster-scoped: a RoleBinding does not give it', () => {
    const d = canI(m, 'User:user-1', 'escalate', CR, { namespace: 'user-1-namespace', name: 'edit', clusterScoped });
    expect(d.allowed).toBe(false);
    expect(d.request).toMatchObject({ namespace: undefined });
  });

  it('ruleGivesInScope: a RoleBinding\'s bind on clusterroles gives; escalate or get alone does not', () => {
    const rb = { namespace: 'user-1-namespace' };
    const RBAC_G = ['rbac.authorization.k8s.io'];
    expect(ruleGivesInScope(rule({ apiGroups: RBAC_G, resources: ['clusterroles'], verbs: ['bind'] }), rb, s)).toBe(true);
    expect(ruleGivesInScope(rule({ apiGroups: ['*'], resources: ['clusterroles'], verbs: ['*'] }), rb, s)).toBe(true);
    expect(ruleGivesInScope(rule({ apiGroups: RBAC_G, resources: ['clusterroles'], verbs: ['escalate', 'get'] }), rb, s)).toBe(false);
    expect(ruleNotGivenInScope(rule({ apiGroups: RBAC_G, resources: ['clusterroles', 'clusterrolebindings'], verbs: ['bind', 'get'] }), rb, s).resources).toEqual(['clusterrolebindings']);
  });

  it('can and who-can answer it in the namespace, and mark the verbs a RoleBinding does not give', () => {
    const yes = canCommandCore(s, { subject: 'User:user-1', verb: 'bind', resource: CR, namespace: 'user-1-namespace', name: 'view' });
    expect(yes.output.split('\n')[0]).toBe(`yes: User:user-1 (groups: system:authenticated) can bind ${CR} view in namespace user-1-namespace`);
    const who = whoCanCommandCore(s, { verb: 'bind', resource: CR, namespace: 'user-1-namespace', name: 'view' });
    expect(who.output.split('\n')[0]).toBe(`Subjects that can bind ${CR} view in namespace user-1-namespace:`);
    expect(who.output).toContain('RoleBinding user-1-namespace/role-grantor-binding');
    const wide = snap(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: bind-escalate}
rules: [{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind, escalate]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rb, namespace: dev}
roleRef: {kind: ClusterRole, name: bind-escalate}
subjects: [{kind: User, name: bob}]
`);
    expect(canCommandCore(wide, { subject: 'User:bob' }).output).toContain('bind,escalate clusterroles (rbac.authorization.k8s.io) [clusterroles: bind only, in RoleBindings of dev; escalate not granted]');
  });
});
