// What a rule gives through a RoleBinding: only what a request carrying the binding's namespace
// can reach (reviewer repros r1, r1b, r5).
import { describe, expect, it } from 'vitest';
import { buildRbacModel, canI, directGrants } from '../../../src/analysis/rbac/index.ts';
import { ruleGivesInScope } from '../../../src/analysis/rbac/scope.ts';
import { normalizeRule } from '../../../src/analysis/rbac/rules.ts';
import type { Grant } from '../../../src/analysis/rbac/types.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';
import { rbacChecks } from '../../../checks/rbac/index.ts';
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
