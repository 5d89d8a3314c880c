// Thirteen RBAC cases (kubernetes.io RBAC and RBAC good-practices pages; the rbac authorizer's
// rule matching), each through the model (canI) and, where
// the case names a finding, through the check that must report it.
import { describe, expect, it } from 'vitest';
import { buildRbacModel, canI } from '../../../src/analysis/rbac/index.ts';
import { rbacChecks } from '../../../checks/rbac/index.ts';
import { failing, run, snap } from './helpers.ts';

const check = (id: string) => rbacChecks.find((c) => c.id === id)!;

describe('RBAC semantics cases', () => {
  it('1: RoleBinding dev/rb to ClusterRole secret-reader reads secrets in dev only, and is reported scoped to dev', () => {
    const s = snap(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: secret-reader}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rb, namespace: dev}
subjects: [{kind: User, name: dave, apiGroup: rbac.authorization.k8s.io}]
roleRef: {kind: ClusterRole, name: secret-reader, apiGroup: rbac.authorization.k8s.io}
`);
    const m = buildRbacModel(s);
    expect(canI(m, 'User:dave', 'list', 'secrets', { namespace: 'dev' }).allowed).toBe(true);
    expect(canI(m, 'User:dave', 'list', 'secrets', { namespace: 'prod' }).allowed).toBe(false);
    expect(canI(m, 'User:dave', 'list', 'secrets').allowed).toBe(false);
    // Namespaced access is not "in all namespaces": its own check, at medium for list.
    expect(failing(run(check('rbac.secrets-cluster-read'), s))).toEqual([]);
    const v = run(check('rbac.secrets-namespace-read'), s).filter((x) => x.status === 'fail');
    expect(v).toHaveLength(1);
    expect(v[0].resource).toEqual({ kind: 'User', name: 'dave' });
    expect(v[0].evidence?.scopes).toEqual(['dev']);
    expect(v[0].severity).toBe('medium');
    expect(v[0].message).toContain('RoleBinding dev/rb');
  });

  it('2: a RoleBinding to a ClusterRole granting get nodes grants nothing; a ClusterRoleBinding does', () => {
    const base = `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: node-reader}
rules: [{apiGroups: [""], resources: [nodes], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rb, namespace: dev}
subjects: [{kind: User, name: nina}]
roleRef: {kind: ClusterRole, name: node-reader}
`;
    const m1 = buildRbacModel(snap(base));
    expect(canI(m1, 'User:nina', 'get', 'nodes', { name: 'n1' }).allowed).toBe(false);
    const m2 = buildRbacModel(snap(`${base}---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: crb}
subjects: [{kind: User, name: nina}]
roleRef: {kind: ClusterRole, name: node-reader}
`));
    const d = canI(m2, 'User:nina', 'get', 'nodes', { name: 'n1' });
    expect(d.allowed).toBe(true);
    expect(d.grants.map((g) => g.binding.name)).toEqual(['crb']);
  });

  it('3: pods/* grants no pods/exec; */exec and * do', () => {
    const mk = (res: string) => buildRbacModel(snap(`
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r, namespace: a}
rules: [{apiGroups: [""], resources: ["${res}"], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rb, namespace: a}
subjects: [{kind: User, name: u}]
roleRef: {kind: Role, name: r}
`));
    expect(canI(mk('pods/*'), 'User:u', 'create', 'pods/exec', { namespace: 'a', name: 'p' }).allowed).toBe(false);
    expect(canI(mk('pods'), 'User:u', 'create', 'pods/exec', { namespace: 'a', name: 'p' }).allowed).toBe(false);
    expect(canI(mk('*/exec'), 'User:u', 'create', 'pods/exec', { namespace: 'a', name: 'p' }).allowed).toBe(true);
    expect(canI(mk('*'), 'User:u', 'create', 'pods/exec', { namespace: 'a', name: 'p' }).allowed).toBe(true);
    expect(canI(mk('*/exec'), 'User:u', 'create', 'pods', { namespace: 'a' }).allowed).toBe(false);
  });

  it('4: create pods with resourceNames [foo] cannot create any pod', () => {
    const s = snap(`
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r, namespace: a}
rules: [{apiGroups: [""], resources: [pods], verbs: [create, get], resourceNames: [foo]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rb, namespace: a}
subjects: [{kind: User, name: u}]
roleRef: {kind: Role, name: r}
`);
    const m = buildRbacModel(s);
    expect(canI(m, 'User:u', 'create', 'pods', { namespace: 'a' }).allowed).toBe(false);
    expect(canI(m, 'User:u', 'get', 'pods', { namespace: 'a', name: 'foo' }).allowed).toBe(true);
    expect(canI(m, 'User:u', 'get', 'pods', { namespace: 'a', name: 'bar' }).allowed).toBe(false);
    expect(canI(m, 'User:u', 'list', 'pods', { namespace: 'a' }).allowed).toBe(false);
  });

  it('5: Role * on * bound in ns1 includes escalate/bind/impersonate there: wildcard and escalation findings', () => {
    const s = snap(`
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: all, namespace: ns1}
rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: all, namespace: ns1}
subjects: [{kind: User, name: bob}]
roleRef: {kind: Role, name: all}
`);
    const m = buildRbacModel(s);
    for (const [verb, res] of [['escalate', 'roles.rbac.authorization.k8s.io'], ['bind', 'roles.rbac.authorization.k8s.io'], ['impersonate', 'serviceaccounts']]) {
      expect(canI(m, 'User:bob', verb, res, { namespace: 'ns1', name: 'x' }).allowed, `${verb} ${res}`).toBe(true);
    }
    expect(canI(m, 'User:bob', 'get', 'secrets', { namespace: 'ns2', name: 'x' }).allowed).toBe(false);
    expect(failing(run(check('rbac.wildcard-permission'), s))).toEqual(['User:bob']);
    expect(failing(run(check('rbac.privilege-escalation'), s))).toEqual(['User:bob']);
    // Every verb on every resource of ns1: a namespace-scoped cluster-admin, reported at high
    // (a RoleBinding to cluster-admin gives "full control over every resource in the role
    // binding's namespace": kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles).
    const admin = run(check('rbac.cluster-admin-binding'), s).filter((v) => v.status === 'fail');
    expect(failing(admin)).toEqual(['User:bob']);
    expect(admin[0].severity).toBe('high');
  });

  it('6: a ServiceAccount subject without namespace matches nothing in a ClusterRoleBinding, the binding namespace in a RoleBinding', () => {
    const s = snap(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: crb}
subjects: [{kind: ServiceAccount, name: x}]
roleRef: {kind: ClusterRole, name: view}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rb, namespace: ns1}
subjects: [{kind: ServiceAccount, name: x}]
roleRef: {kind: ClusterRole, name: edit}
`);
    const m = buildRbacModel(s);
    expect(canI(m, 'ServiceAccount:ns1/x', 'create', 'configmaps', { namespace: 'ns1' }).allowed).toBe(true);
    expect(canI(m, 'ServiceAccount:ns1/x', 'list', 'pods', { namespace: 'ns2' }).allowed).toBe(false);
    expect(canI(m, 'ServiceAccount:default/x', 'list', 'pods', { namespace: 'default' }).allowed).toBe(false);
    const crb = m.bindings.find((b) => b.name === 'crb')!;
    expect(crb.subjects).toEqual([]);
    expect(crb.invalidSubjects[0].reason).toMatch(/without namespace/);
    expect(failing(run(check('rbac.dangling-binding'), s))).toEqual(['ClusterRoleBinding:crb']);
  });

  it('7: Group system:serviceaccounts:ci bound to edit lets every SA in ci read secrets and exec: FAIL', () => {
    const s = snap(`
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ci-edit, namespace: ci}
subjects: [{kind: Group, name: "system:serviceaccounts:ci", apiGroup: rbac.authorization.k8s.io}]
roleRef: {kind: ClusterRole, name: edit}
`);
    const m = buildRbacModel(s);
    expect(canI(m, 'ServiceAccount:ci/anything', 'get', 'secrets', { namespace: 'ci', name: 's' }).allowed).toBe(true);
    expect(canI(m, 'ServiceAccount:ci/anything', 'create', 'pods/exec', { namespace: 'ci', name: 'p' }).allowed).toBe(true);
    expect(canI(m, 'ServiceAccount:other/anything', 'get', 'secrets', { namespace: 'ci', name: 's' }).allowed).toBe(false);
    expect(failing(run(check('rbac.secrets-namespace-read'), s))).toEqual(['Group:system:serviceaccounts:ci']);
    expect(failing(run(check('rbac.pod-exec-attach'), s))).toEqual(['Group:system:serviceaccounts:ci']);
  });

  it('8: a ClusterRole labelled aggregate-to-view with secrets list makes every view holder list secrets: FAIL', () => {
    const s = snap(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: sneaky
  labels: {rbac.authorization.k8s.io/aggregate-to-view: "true"}
rules: [{apiGroups: [""], resources: [secrets], verbs: [list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: viewers, namespace: app}
subjects: [{kind: User, name: vera}]
roleRef: {kind: ClusterRole, name: view}
`);
    const m = buildRbacModel(s);
    expect(canI(m, 'User:vera', 'list', 'secrets', { namespace: 'app' }).allowed).toBe(true);
    // view ⊂ edit ⊂ admin: the label reaches admin holders too.
    expect(m.roles.get('ClusterRole:admin')!.aggregatedFrom).toContain('edit');
    expect(m.roles.get('ClusterRole:view')!.aggregatedFrom).toEqual(['sneaky', 'system:aggregate-to-view']);
    expect(failing(run(check('rbac.secrets-namespace-read'), s))).toEqual(['User:vera']);
  });

  it('8b: stored rules of an aggregated ClusterRole are not trusted', () => {
    const s = snap(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: agg}
aggregationRule: {clusterRoleSelectors: [{matchLabels: {team: x}}]}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: piece, labels: {team: x}}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: b}
subjects: [{kind: User, name: u}]
roleRef: {kind: ClusterRole, name: agg}
`);
    const m = buildRbacModel(s);
    expect(canI(m, 'User:u', 'get', 'pods', { namespace: 'a', name: 'p' }).allowed).toBe(true);
    expect(canI(m, 'User:u', 'get', 'secrets', { namespace: 'a', name: 's' }).allowed).toBe(false);
  });

  it('9: get on nodes/proxy only is not read-only: FAIL', () => {
    const s = snap(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: np}
rules: [{apiGroups: [""], resources: [nodes/proxy], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: np}
subjects: [{kind: ServiceAccount, name: agent, namespace: mon}]
roleRef: {kind: ClusterRole, name: np}
`);
    expect(failing(run(check('rbac.nodes-proxy'), s))).toEqual(['ServiceAccount:mon/agent']);
    expect(canI(buildRbacModel(s), 'ServiceAccount:mon/agent', 'get', 'nodes', { name: 'n' }).allowed).toBe(false);
  });

  it('10: a RoleBinding in team-a granting patch on namespaces lets the subject relabel namespace team-a only', () => {
    const s = snap(`
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: nsp, namespace: team-a}
rules: [{apiGroups: [""], resources: [namespaces], verbs: [get, patch]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: nsp, namespace: team-a}
subjects: [{kind: User, name: tom}]
roleRef: {kind: Role, name: nsp}
`);
    const m = buildRbacModel(s);
    expect(canI(m, 'User:tom', 'patch', 'namespaces', { name: 'team-a' }).allowed).toBe(true);
    expect(canI(m, 'User:tom', 'patch', 'namespaces', { name: 'team-b' }).allowed).toBe(false);
    // SubjectAccessReview semantics: an explicit '' namespace is cluster scope.
    expect(canI(m, 'User:tom', 'patch', 'namespaces', { name: 'team-a', namespace: '' }).allowed).toBe(false);
    const v = run(check('rbac.namespace-modification'), s).filter((x) => x.status === 'fail');
    expect(v.map((x) => x.resource)).toEqual([{ kind: 'User', name: 'tom' }]);
  });

  it('11: cluster-admin binding with system:masters and alice fails for alice only; the default binding alone passes', () => {
    const withAlice = snap(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: cluster-admin, labels: {kubernetes.io/bootstrapping: rbac-defaults}}
subjects:
- {kind: Group, name: "system:masters", apiGroup: rbac.authorization.k8s.io}
- {kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}
roleRef: {kind: ClusterRole, name: cluster-admin, apiGroup: rbac.authorization.k8s.io}
`);
    expect(failing(run(check('rbac.cluster-admin-binding'), withAlice))).toEqual(['User:alice']);
    const defaults = snap(`
apiVersion: v1
kind: Namespace
metadata: {name: app}
`);
    expect(run(check('rbac.cluster-admin-binding'), defaults)).toEqual([]);
    // system:masters is known to the model (default binding) and bypasses RBAC in canI.
    const m = buildRbacModel(defaults);
    expect(canI(m, { user: 'root', groups: ['system:masters'] }, 'delete', 'nodes', { name: 'n' })).toMatchObject({ allowed: true, reason: 'system:masters' });
    expect(canI(m, 'Group:system:masters', 'delete', 'nodes', { name: 'n' }).allowed).toBe(true);
  });

  it('12: system:unauthenticated bound to anything fails critical, system:authenticated medium; unchanged public-info-viewer is ignored', () => {
    const s = snap(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: anon}
subjects: [{kind: Group, name: "system:unauthenticated"}]
roleRef: {kind: ClusterRole, name: view}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: everyone}
subjects: [{kind: Group, name: "system:authenticated"}]
roleRef: {kind: ClusterRole, name: view}
`);
    const v = run(check('rbac.anonymous-access'), s);
    const fails = v.filter((x) => x.status === 'fail');
    expect(fails.map((x) => [x.resource.name, x.severity])).toEqual([['system:unauthenticated', 'critical'], ['system:authenticated', 'medium']]);
    const clean = run(check('rbac.anonymous-access'), snap(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: system:public-info-viewer}
subjects: [{kind: Group, name: "system:authenticated"}, {kind: Group, name: "system:unauthenticated"}]
roleRef: {kind: ClusterRole, name: system:public-info-viewer}
`));
    expect(clean.filter((x) => x.status === 'fail')).toEqual([]);
    expect(clean.length).toBeGreaterThan(0);
    // A default binding whose role was widened is judged like any other.
    const widened = run(check('rbac.anonymous-access'), snap(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: system:public-info-viewer}
rules: [{nonResourceURLs: [/healthz, /metrics], verbs: [get]}]
`));
    expect(failing(widened)).toEqual(['Group:system:authenticated', 'Group:system:unauthenticated']);
    // The anonymous user reaches public-info-viewer through system:unauthenticated.
    const m = buildRbacModel(snap('apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n'));
    expect(canI(m, 'User:system:anonymous', 'get', '/healthz').allowed).toBe(true);
    expect(canI(m, 'User:system:anonymous', 'get', '/api').allowed).toBe(false);
    expect(canI(m, 'User:alice', 'get', '/api').allowed).toBe(true);
  });

  it('13: nonResourceURLs "/metrics*" matches /metrics and /metricsfoo; "/metrics/*" does not match /metrics', () => {
    const mk = (url: string) => buildRbacModel(snap(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: m}
rules: [{nonResourceURLs: ["${url}"], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: m}
subjects: [{kind: User, name: prom}]
roleRef: {kind: ClusterRole, name: m}
`));
    const star = mk('/metrics*');
    expect(canI(star, 'User:prom', 'get', '/metrics').allowed).toBe(true);
    expect(canI(star, 'User:prom', 'get', '/metricsfoo').allowed).toBe(true);
    const slash = mk('/metrics/*');
    expect(canI(slash, 'User:prom', 'get', '/metrics').allowed).toBe(false);
    expect(canI(slash, 'User:prom', 'get', '/metrics/slis').allowed).toBe(true);
    expect(canI(slash, 'User:prom', 'post', '/metrics/slis').allowed).toBe(false);
    // Every trailing '*' goes (strings.TrimRight in NonResourceURLMatches): "/metrics**" is the prefix /metrics (reviewer repro r6).
    const stars = mk('/metrics**');
    expect(canI(stars, 'User:prom', 'get', '/metrics').allowed).toBe(true);
    expect(canI(stars, 'User:prom', 'get', '/metrics/slis').allowed).toBe(true);
    expect(canI(stars, 'User:prom', 'get', '/debug/pprof').allowed).toBe(false);
  });
});
