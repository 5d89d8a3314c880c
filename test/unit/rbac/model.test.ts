// The model beyond the reference cases: dangling and malformed input, SubjectAccessReview-style
// identities, whoCan, subjectRules, breadth, the CLI output, and the 60,000-binding scale.
import { describe, expect, it } from 'vitest';
import { buildRbacModel, canI, isSystemSubject, rbacBreadth, subjectRules, topBreadth, whoCan } from '../../../src/analysis/rbac/index.ts';
import { canCommandCore, whoCanCommandCore } from '../../../src/cli/access-text.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { rbacChecks } from '../../../checks/rbac/index.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { failing, run, snap } from './helpers.ts';

const check = (id: string) => rbacChecks.find((c) => c.id === id)!;

const TEAM = `
apiVersion: v1
kind: Namespace
metadata: {name: dev}
---
apiVersion: v1
kind: Namespace
metadata: {name: prod}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: secret-reader}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get, list, watch]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: dev-secrets, namespace: dev}
subjects: [{kind: User, name: dave}, {kind: ServiceAccount, name: builder, namespace: ci}]
roleRef: {kind: ClusterRole, name: secret-reader}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ops-secrets}
subjects: [{kind: Group, name: ops}]
roleRef: {kind: ClusterRole, name: secret-reader}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: dev-edit, namespace: dev}
subjects: [{kind: ServiceAccount, name: default}]
roleRef: {kind: ClusterRole, name: edit}
`;

describe('dangling and malformed bindings', () => {
  it('reports a binding to a missing role without crashing and grants nothing until the role exists', () => {
    const yaml = `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: future, namespace: app}
subjects: [{kind: User, name: eve}]
roleRef: {kind: Role, name: not-yet}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: to-nothing}
subjects: [{kind: User, name: eve}]
roleRef: {kind: ClusterRole, name: does-not-exist}
`;
    const s = snap(yaml);
    const m = buildRbacModel(s);
    expect(m.bindings.find((b) => b.name === 'future')!.roleProblem).toBe('Role app/not-yet does not exist');
    expect(canI(m, 'User:eve', 'get', 'pods', { namespace: 'app', name: 'p' }).allowed).toBe(false);
    const v = run(check('rbac.dangling-binding'), s);
    expect(failing(v)).toEqual(['ClusterRoleBinding:to-nothing', 'RoleBinding:app/future']);
    expect(v.find((x) => x.resource.name === 'future')!.message).toContain('does not exist');
    // The role appears later: the same binding now grants.
    const later = buildRbacModel(snap(`${yaml}---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: not-yet, namespace: app}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
`));
    expect(canI(later, 'User:eve', 'get', 'pods', { namespace: 'app', name: 'p' }).allowed).toBe(true);
  });

  it('evaluates malformed objects as far as possible', () => {
    const objects = [
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'weird' }, rules: [null, 'x', { verbs: 'get', apiGroups: [''], resources: ['pods', 7] }] },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: {}, rules: [] },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'single' }, subjects: { kind: 'User', name: 'solo' }, roleRef: { kind: 'ClusterRole', name: 'weird' } },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'noref' }, subjects: [{ kind: 'User', name: 'x' }, { kind: 'Robot', name: 'r2' }, {}] },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'badkind', namespace: 'a' }, subjects: [{ kind: 'User', name: 'y' }], roleRef: { kind: 'Policy', name: 'p' } },
    ] as KubeObject[];
    const s = snapshotFromObjects(objects);
    const m = buildRbacModel(s);
    expect(canI(m, 'User:solo', 'get', 'pods', { namespace: 'a', name: 'p' }).allowed).toBe(true);
    const v = run(check('rbac.dangling-binding'), s);
    expect(failing(v)).toEqual(['ClusterRoleBinding:noref', 'RoleBinding:a/badkind']);
    expect(v.find((x) => x.resource.name === 'noref')!.evidence?.problems).toEqual(['roleRef has no name', 'unknown subject kind "Robot"', 'subject without a name']);
    for (const c of rbacChecks) expect(() => run(c, s)).not.toThrow();
  });
});

describe('aggregation cycles (reviewer repro r4)', () => {
  // role-a selects parts (x=1) and role-b (y=1); role-b selects role-a (z Exists): a cycle.
  const docs = [
    'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: parts, labels: {x: "1"}}\nrules: [{apiGroups: [""], resources: [secrets], verbs: [get, list, watch]}]',
    'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: role-a, labels: {z: "1"}}\naggregationRule: {clusterRoleSelectors: [{matchLabels: {x: "1"}}, {matchLabels: {y: "1"}}]}\nrules: []',
    'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: role-b, labels: {y: "1"}}\naggregationRule: {clusterRoleSelectors: [{matchExpressions: [{key: z, operator: Exists}]}]}\nrules: []',
    'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: carol-b}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: role-b}\nsubjects: [{kind: User, name: carol}]',
    'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: dave-a}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: role-a}\nsubjects: [{kind: User, name: dave}]',
  ];

  it.each([['role-a read first', docs], ['role-b read first', [docs[0], docs[2], docs[1], docs[3], docs[4]]]])('both roles of a cycle hold what either selects (%s)', (_order, list) => {
    const s = snap(list.join('\n---\n'));
    const m = buildRbacModel(s);
    for (const user of ['User:carol', 'User:dave']) expect(canI(m, user, 'list', 'secrets').allowed, user).toBe(true);
    expect(m.roles.get('ClusterRole:role-b')!.rules).toEqual(m.roles.get('ClusterRole:role-a')!.rules);
    expect(m.roles.get('ClusterRole:role-a')!.aggregatedFrom).toEqual(['parts', 'role-b']);
    expect(m.roles.get('ClusterRole:role-b')!.aggregatedFrom).toEqual(['role-a']);
    expect(failing(run(check('rbac.secrets-cluster-read'), s))).toEqual(['User:carol', 'User:dave']);
  });
});

describe('canI with SubjectAccessReview identities', () => {
  const m = buildRbacModel(snap(TEAM));
  it('takes user and groups literally, matching ServiceAccount subjects by username', () => {
    expect(canI(m, { user: 'system:serviceaccount:ci:builder', groups: [] }, 'get', 'secrets', { namespace: 'dev', name: 's' }).allowed).toBe(true);
    expect(canI(m, { user: 'someone', groups: ['ops'] }, 'list', 'secrets', { namespace: 'prod' }).allowed).toBe(true);
    expect(canI(m, { user: 'someone', groups: [] }, 'list', 'secrets', { namespace: 'prod' }).allowed).toBe(false);
    // Explicit group and subresource options give the same answer as the short forms.
    expect(canI(m, 'ServiceAccount:dev/default', 'create', 'deployments', { group: 'apps', namespace: 'dev' }).allowed).toBe(true);
    expect(canI(m, 'ServiceAccount:dev/default', 'create', 'deployments.apps', { namespace: 'dev' }).allowed).toBe(true);
    expect(canI(m, 'ServiceAccount:dev/default', 'create', 'pods', { subresource: 'exec', namespace: 'dev', name: 'p' }).allowed).toBe(true);
    expect(canI(m, 'ServiceAccount:dev/default', 'create', 'deployments', { group: 'apps', namespace: 'prod' }).allowed).toBe(false);
  });

  it('names the binding, role and rule that grant', () => {
    const d = canI(m, 'User:dave', 'watch', 'secrets', { namespace: 'dev' });
    expect(d.grants.map((g) => [g.binding.kind, g.binding.name, g.role.name, g.rule.verbs.join(',')])).toEqual([['RoleBinding', 'dev-secrets', 'secret-reader', 'get,list,watch']]);
  });

  it('rejects a malformed subject string', () => {
    expect(() => canI(m, 'Robot:r2', 'get', 'pods')).toThrow(/not a subject/);
  });
});

describe('whoCan and subjectRules', () => {
  const m = buildRbacModel(snap(TEAM));
  it('lists cluster-wide holders, and namespace holders when asked for a namespace', () => {
    // The bootstrap controller manager lists everything, secrets included.
    expect(whoCan(m, 'list', 'secrets').map((e) => `${e.subject.kind}:${e.subject.name}`)).toEqual(['Group:ops', 'Group:system:masters', 'User:system:kube-controller-manager']);
    expect(whoCan(m, 'list', 'secrets', 'dev').map((e) => `${e.subject.kind}:${e.subject.name}`)).toEqual([
      'Group:ops', 'Group:system:masters', 'ServiceAccount:builder', 'ServiceAccount:default', 'User:dave', 'User:system:kube-controller-manager',
    ]);
    expect(whoCan(m, 'list', 'secrets', 'prod').some((e) => e.subject.name === 'dave')).toBe(false);
  });

  it('gives a subject its rules per namespace, including those of its implicit groups', () => {
    const r = subjectRules(m, 'ServiceAccount:dev/default');
    expect([...r.namespaces.keys()]).toEqual(['dev']);
    expect(r.cluster.some((g) => g.via.name === 'system:authenticated' && g.rule.nonResourceURLs.includes('/api'))).toBe(true);
    expect(r.cluster.some((g) => g.via.name === 'system:serviceaccounts' && g.binding.name === 'system:service-account-issuer-discovery')).toBe(true);
  });
});

describe('breadth', () => {
  it('counts cluster-wide grants once per namespace and ranks admins first', () => {
    const s = snap(`${TEAM}---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: root}
subjects: [{kind: User, name: root}]
roleRef: {kind: ClusterRole, name: cluster-admin}
`);
    const m = buildRbacModel(s);
    const entries = rbacBreadth(m);
    const of = (name: string) => entries.find((e) => e.subject.name === name)!;
    // Namespaces: dev, prod, ci (from the SA subject? no: only declared + binding namespaces).
    expect(m.namespaces).toEqual(['dev', 'prod']);
    // ops: get/list/watch secrets cluster-wide = 3 tuples x 2 namespaces.
    expect(of('ops').breadth).toBe(6);
    // dave: 3 tuples in dev, plus the discovery URLs system:authenticated gets.
    expect(of('dave').namespaced).toBe(3);
    expect(of('dave').clusterWide).toBe(3); // selfsubjectaccessreviews, selfsubjectrulesreviews, selfsubjectreviews create
    expect(of('root').breadth).toBeGreaterThan(of('ops').breadth);
    const top = topBreadth(s, 2);
    expect(top[0]).toEqual({ subject: { kind: 'User', name: 'root' }, breadth: of('root').breadth });
    expect(top.some((t) => t.subject.name === 'system:masters')).toBe(false);
    expect(topBreadth(s, 50, { includeSystem: true }).some((t) => t.subject.name === 'system:masters')).toBe(true);
  });

  it('expands wildcards against discovered resource types', () => {
    const s = snap(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: widgets}
rules: [{apiGroups: [example.com], resources: ["*"], verbs: ["*"]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: widgets}
subjects: [{kind: Group, name: w}]
roleRef: {kind: ClusterRole, name: widgets}
`);
    const m = buildRbacModel(s);
    expect(rbacBreadth(m).find((e) => e.subject.name === 'w')!.breadth).toBe(0);
    const discovered = [{ group: 'example.com', resource: 'widgets', namespaced: false, verbs: ['get', 'list'] }];
    expect(rbacBreadth(m, discovered).find((e) => e.subject.name === 'w')!.breadth).toBe(2);
  });
});

describe('CLI cores', () => {
  const s = snap(TEAM);
  it('who-can prints a table of subjects with binding and role, exit 0; nobody gives exit 1; bad input exit 2', () => {
    const r = whoCanCommandCore(s, { verb: 'get', resource: 'secrets', namespace: 'dev' });
    expect(r.exitCode).toBe(0);
    expect(r.output).toMatch(/Subjects that can get secrets in namespace dev:/);
    expect(r.output).toMatch(/User:dave\s+dev\s+RoleBinding dev\/dev-secrets\s+ClusterRole secret-reader/);
    expect(r.output).toMatch(/Group:ops\s+cluster-wide\s+ClusterRoleBinding ops-secrets/);
    expect(r.output).toContain('6 subjects.');
    const proxy = whoCanCommandCore(s, { verb: 'create', resource: 'nodes/proxy' });
    // Only system:masters (via the default cluster-admin binding) can.
    expect(proxy.output.split('\n').filter((l) => /^(Group|User|ServiceAccount):/.test(l)).map((l) => l.split(/\s+/)[0])).toEqual(['Group:system:masters']);
    expect(whoCanCommandCore(s, { verb: '', resource: 'pods' }).exitCode).toBe(2);
  });

  it('who-can exits 1 when no subject can', () => {
    const r = whoCanCommandCore(snap(TEAM), { verb: 'get', resource: '/debug/pprof' });
    expect(r.exitCode).toBe(0); // system:masters holds nonResourceURLs *
    const bare = whoCanCommandCore(snap('apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: cluster-admin}\nsubjects: []\nroleRef: {kind: ClusterRole, name: cluster-admin}\n'), { verb: 'get', resource: '/debug/pprof' });
    expect(bare.exitCode).toBe(1);
    expect(bare.output).toContain('No subject can get /debug/pprof.');
  });

  it('can lists a subject\'s permissions per scope with breadth; a question answers yes/no', () => {
    const r = canCommandCore(s, { subject: 'ServiceAccount:dev/default' });
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain('Permissions of ServiceAccount:dev/default (groups: system:serviceaccounts, system:serviceaccounts:dev, system:authenticated):');
    expect(r.output).toContain('Namespace dev (RoleBindings):');
    expect(r.output).toMatch(/create,delete,deletecollection,patch,update pods,pods\/attach,pods\/exec.*RoleBinding dev\/dev-edit\s+ClusterRole edit/);
    expect(r.output).toMatch(/Breadth: \d+ distinct/);
    const yes = canCommandCore(s, { subject: 'User:dave', verb: 'get', resource: 'secrets', namespace: 'dev' });
    expect(yes.exitCode).toBe(0);
    expect(yes.output.split('\n')[0]).toBe('yes: User:dave (groups: system:authenticated) can get secrets in namespace dev');
    const no = canCommandCore(s, { subject: 'User:dave', verb: 'get', resource: 'secrets', namespace: 'prod' });
    expect(no.exitCode).toBe(1);
    expect(no.output).toMatch(/^no: /);
    expect(canCommandCore(s, { subject: 'alice' }).exitCode).toBe(2);
    expect(canCommandCore(s, { subject: 'User:alice', verb: 'get' }).exitCode).toBe(2);
  });
});

describe('system subjects and ignoreSubjects', () => {
  // A user-made binding is judged whoever it names: only the bindings Kubernetes itself creates
  // are exempt (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#core-component-roles).
  it('reports control-plane identities a user-made binding makes cluster-admin; config.rbac.ignoreSubjects exempts by name', () => {
    const s = snap(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: admins}
subjects:
- {kind: User, name: "system:kube-controller-manager"}
- {kind: ServiceAccount, name: deployment-controller, namespace: kube-system}
- {kind: ServiceAccount, name: tiller, namespace: kube-system}
- {kind: ServiceAccount, name: argocd-application-controller, namespace: argocd}
roleRef: {kind: ClusterRole, name: cluster-admin}
`);
    const all = ['ServiceAccount:argocd/argocd-application-controller', 'ServiceAccount:kube-system/deployment-controller', 'ServiceAccount:kube-system/tiller', 'User:system:kube-controller-manager'];
    expect(failing(run(check('rbac.cluster-admin-binding'), s))).toEqual(all);
    const config = defaultConfig();
    config.rbac.ignoreSubjects = [{ kind: 'ServiceAccount', namespace: 'argocd', name: 'argocd-*' }];
    expect(failing(run(check('rbac.cluster-admin-binding'), s, config))).toEqual(all.filter((x) => !x.includes('argocd')));
  });
});

describe('scale', () => {
  it('builds and answers for 60,000 bindings and 5,000 roles (time is measured by npm run bench)', () => {
    const objects: KubeObject[] = [];
    const NS = 500;
    for (let i = 0; i < 5000; i++) {
      const ns = `ns-${i % NS}`;
      objects.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: i % 5 === 0 ? 'ClusterRole' : 'Role', metadata: { name: `role-${i}`, namespace: i % 5 === 0 ? undefined : ns, labels: i % 50 === 0 ? { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } : {} },
        rules: [{ apiGroups: ['', 'apps'], resources: i % 97 === 0 ? ['*'] : ['pods', 'deployments', `things-${i % 40}`], verbs: i % 13 === 0 ? ['*'] : ['get', 'list'] }] });
    }
    for (let i = 0; i < 60000; i++) {
      const roleIdx = i % 5000;
      const cluster = roleIdx % 5 === 0;
      const ns = `ns-${roleIdx % NS}`;
      if (cluster && i % 10 === 0) {
        objects.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: `crb-${i}` }, subjects: [{ kind: 'User', name: `user-${i % 3000}` }], roleRef: { kind: 'ClusterRole', name: `role-${roleIdx}` } });
      } else {
        objects.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: `rb-${i}`, namespace: ns },
          subjects: [{ kind: 'ServiceAccount', name: `sa-${i % 40}`, namespace: ns }, { kind: 'User', name: `user-${i % 3000}` }, { kind: 'Group', name: `system:serviceaccounts:${ns}` }],
          roleRef: { kind: cluster ? 'ClusterRole' : 'Role', name: `role-${roleIdx}` } });
      }
    }
    const s = snapshotFromObjects(objects);
    const m = buildRbacModel(s);
    let allowed = 0;
    for (let i = 0; i < 2000; i++) if (canI(m, `ServiceAccount:ns-${i % NS}/sa-${i % 40}`, 'get', 'pods', { namespace: `ns-${i % NS}`, name: 'p' }).allowed) allowed++;
    expect(allowed).toBeGreaterThan(0);
    whoCan(m, 'list', 'deployments.apps', 'ns-3');
    const top = topBreadth(s, 10);
    expect(top).toHaveLength(10);
    // The top n are the first n of every subject sorted, ties at the cut included.
    const all = rbacBreadth(m, undefined, s).filter((e) => !isSystemSubject(e.subject)).map((e) => ({ name: e.subject.name, breadth: e.breadth }));
    for (const n of [0, 1, 10, 57, 400]) {
      expect(topBreadth(s, n).map((e) => ({ name: e.subject.name, breadth: e.breadth }))).toEqual(all.slice(0, n));
    }
    expect(all.slice(0, 400).some((e, i) => i > 0 && e.breadth === all[i - 1].breadth)).toBe(true);
    const failed = rbacChecks.flatMap((c) => run(c, s)).filter((r) => r.status === 'fail');
    expect(failed.length).toBeGreaterThan(0);
  }, 60_000);
});

describe('who-can and can: a question the source does not know', () => {
  const WIDGETS = `${TEAM}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: widget-user}
rules: [{apiGroups: [example.com], resources: [widgets], verbs: [frobnicate]}]
`;
  const s = snap(WIDGETS);
  const who = (verb: string, resource: string, namespace?: string) => whoCanCommandCore(s, { verb, resource, namespace });

  it('a misspelt verb or resource type is one warning each, with what was likely meant; the answer stands', () => {
    const verb = who('gte', 'secrets');
    expect(verb.warnings).toEqual(['unknown verb "gte" (did you mean get?): answered for the verb as given']);
    expect(verb.exitCode).toBe(0);
    expect(verb.output).toContain('Group:system:masters');
    expect(who('get', 'secretz').warnings).toEqual(['unknown resource type "secretz" (did you mean secrets?): not a Kubernetes built-in, a kind ztaudit reads or a type the source\'s RBAC rules name; answered for the name as given']);
    expect(who('get', 'pods/exce').warnings).toEqual([expect.stringMatching(/^unknown resource type "pods\/exce" \(did you mean pods\/exec\?\)/)]);
    expect(who('get', 'deploymnets.apps').warnings).toEqual([expect.stringMatching(/^unknown resource type "deploymnets.apps" \(did you mean deployments.apps\?\)/)]);
    expect(who('get', 'deployment').warnings).toEqual([expect.stringMatching(/^unknown resource type "deployment" \(did you mean deployments.apps\?\)/)]);
    expect(who('get', 'qwertyuiop').warnings).toEqual([expect.stringMatching(/^unknown resource type "qwertyuiop": /)]);
    // A non-resource URL is asked with an HTTP method.
    expect(who('list', '/healthz').warnings).toEqual([expect.stringMatching(/^"list" is not a verb for a non-resource URL: its verb is the HTTP method \(get, post/)]);
    const can = canCommandCore(s, { subject: 'User:dave', verb: 'gte', resource: 'secretz', namespace: 'dev' });
    expect(can.warnings).toEqual([expect.stringMatching(/^unknown verb "gte" \(did you mean get\?\)/), expect.stringMatching(/^unknown resource type "secretz" \(did you mean secrets\?\)/)]);
  });

  it('a type outside the core group asked without its group: the warning names the group (the answer is for the core group)', () => {
    expect(who('get', 'deployments').warnings).toEqual(['no core resource type "deployments" (did you mean deployments.apps?): a type outside the core group is named with its API group; answered for the core group']);
  });

  it('known verbs and types, wildcards, and what the source\'s rules name give no warning', () => {
    for (const [verb, resource] of [['get', 'secrets'], ['create', 'pods/exec'], ['list', 'deployments.apps'], ['impersonate', 'serviceaccounts'], ['escalate', 'clusterroles.rbac.authorization.k8s.io'], ['*', '*'], ['get', '*.apps'], ['get', '/healthz'], ['frobnicate', 'widgets.example.com'], ['get', 'networkpolicies.networking.k8s.io']]) {
      expect(who(verb, resource).warnings, `${verb} ${resource}`).toEqual([]);
    }
  });

  it('with discovery data, the resource types are the ones the cluster serves', () => {
    const live = snap(TEAM);
    live.apiResources = [
      { group: '', version: 'v1', resource: 'secrets', namespaced: true, verbs: ['get', 'list'] },
      { group: 'example.com', version: 'v1', resource: 'gadgets', namespaced: true, verbs: ['get', 'tune'] },
      { group: 'events.k8s.io', version: 'v1', resource: 'events', namespaced: true, verbs: ['get'] },
      { group: '', version: 'v1', resource: 'events', namespaced: true, verbs: ['get'] },
    ];
    // Without a group, the core type of that name is the one meant, wherever discovery lists it.
    expect(whoCanCommandCore(live, { verb: 'get', resource: 'event' }).warnings).toEqual([expect.stringMatching(/^unknown resource type "event" \(did you mean events\?\)/)]);
    expect(whoCanCommandCore(live, { verb: 'tune', resource: 'gadgets.example.com' }).warnings).toEqual([]);
    expect(whoCanCommandCore(live, { verb: 'get', resource: 'gadgetz.example.com' }).warnings).toEqual(['unknown resource type "gadgetz.example.com" (did you mean gadgets.example.com?): the cluster does not serve it and the source\'s RBAC rules do not name it; answered for the name as given']);
    // Built in, but not served by this cluster.
    expect(whoCanCommandCore(live, { verb: 'get', resource: 'cronjobs.batch' }).warnings).toEqual([expect.stringMatching(/^unknown resource type "cronjobs.batch": the cluster does not serve it/)]);
  });

  it('a namespace the source does not hold is one warning (what was likely meant, if anything); an unreadable namespace list warns of nothing', () => {
    expect(who('get', 'secrets', 'nope').warnings).toEqual(['namespace "nope" is not in the source: only cluster-wide grants answer for it']);
    expect(who('get', 'secrets', 'dve').warnings).toEqual(['namespace "dve" is not in the source (did you mean dev?): only cluster-wide grants answer for it']);
    expect(who('get', 'secrets', 'dev').warnings).toEqual([]);
    expect(canCommandCore(s, { subject: 'User:dave', verb: 'get', resource: 'secrets', namespace: 'nope' }).warnings).toEqual([expect.stringMatching(/^namespace "nope" is not in the source/)]);
    const forbidden = snap(TEAM);
    forbidden.coverage.namespaces = { status: 'forbidden', detail: 'list namespaces' };
    expect(whoCanCommandCore(forbidden, { verb: 'get', resource: 'secrets', namespace: 'nope' }).warnings).toEqual([]);
  });
});
