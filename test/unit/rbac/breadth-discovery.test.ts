// Breadth expands wildcard and cluster-wide grants against what the API server serves
// (snapshot.apiResources) when the snapshot knows it, and against the built-in list otherwise.
import { describe, expect, it } from 'vitest';
import { breadthBasisOf, buildRbacModel, rbacBreadth, topBreadth } from '../../../src/analysis/rbac/index.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';
import { snap } from './helpers.ts';

type ApiResources = NonNullable<Snapshot['apiResources']>;

const STD = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

const SERVED: ApiResources = [
  { group: '', version: 'v1', resource: 'pods', namespaced: true, verbs: STD },
  { group: '', version: 'v1', resource: 'pods/exec', namespaced: true, verbs: ['create', 'get'] },
  { group: '', version: 'v1', resource: 'pods/log', namespaced: true, verbs: ['get'] },
  { group: '', version: 'v1', resource: 'namespaces', namespaced: false, verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] },
  { group: 'apps', version: 'v1', resource: 'deployments', namespaced: true, verbs: STD },
  { group: 'apps', version: 'v1', resource: 'deployments/scale', namespaced: true, verbs: ['get', 'patch', 'update'] },
];
const WIDGETS = { group: 'example.com', version: 'v1', resource: 'widgets', namespaced: true, verbs: STD };
const GADGETS = { group: 'example.com', version: 'v1alpha1', resource: 'gadgets', namespaced: false, verbs: STD };

function rbac(rules: string, apiResources?: unknown): Snapshot {
  const s = snap(`
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
metadata: {name: wide}
rules: ${rules}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: wide}
subjects: [{kind: Group, name: admins}]
roleRef: {kind: ClusterRole, name: wide}
`);
  if (apiResources !== undefined) s.apiResources = apiResources as ApiResources;
  return s;
}

const ALL = '[{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]';

function breadthOfAdmins(s: Snapshot) {
  return rbacBreadth(buildRbacModel(s), undefined, s).find((e) => e.subject.name === 'admins')!;
}

describe('breadth against discovered resources', () => {
  it('expands a wildcard grant to exactly the served resources and their discovery verbs', () => {
    const e = breadthOfAdmins(rbac(ALL, SERVED));
    // Namespaced: pods 8 + pods/exec 2 + pods/log 1 + deployments 8 + deployments/scale 3 = 22, in 2 namespaces.
    // Cluster-scoped: namespaces 7, plus impersonate on users, groups and uids (authorization-only).
    expect(e.clusterWide).toBe(22 + 7 + 3);
    expect(e.breadth).toBe(22 * 2 + 7 + 3);
  });

  it('grows with an installed CRD: a namespaced one per namespace, a cluster-scoped one once', () => {
    const before = breadthOfAdmins(rbac(ALL, SERVED)).breadth;
    expect(breadthOfAdmins(rbac(ALL, [...SERVED, WIDGETS])).breadth).toBe(before + 8 * 2);
    expect(breadthOfAdmins(rbac(ALL, [...SERVED, WIDGETS, GADGETS])).breadth).toBe(before + 8 * 2 + 8);
  });

  it('a group wildcard covers only that group as served', () => {
    const rules = '[{apiGroups: [example.com], resources: ["*"], verbs: ["*"]}]';
    expect(breadthOfAdmins(rbac(rules, SERVED)).breadth).toBe(0);
    expect(breadthOfAdmins(rbac(rules, [...SERVED, WIDGETS])).breadth).toBe(16);
  });

  it('does not count built-in resources the server does not serve', () => {
    const builtIn = breadthOfAdmins(rbac(ALL)).breadth;
    const served = breadthOfAdmins(rbac(ALL, SERVED)).breadth;
    // The built-in list has nodes, secrets, RBAC, storage...; this server serves six resources.
    expect(builtIn).toBeGreaterThan(served);
    const nodes = '[{apiGroups: [""], resources: ["*"], verbs: [get]}]';
    // get on pods, pods/exec, pods/log (x2 namespaces) and namespaces: no nodes, no secrets.
    expect(breadthOfAdmins(rbac(nodes, SERVED)).breadth).toBe(3 * 2 + 1);
  });

  it('counts subresources as their own resource, with their own verbs', () => {
    const exec = '[{apiGroups: [""], resources: ["*/exec"], verbs: ["*"]}]';
    expect(breadthOfAdmins(rbac(exec, SERVED)).breadth).toBe(2 * 2);
    const scale = '[{apiGroups: [apps], resources: [deployments/scale], verbs: [get, list]}]';
    // list is not a verb of deployments/scale.
    expect(breadthOfAdmins(rbac(scale, SERVED)).breadth).toBe(1 * 2);
  });

  it('adds the verbs the authorizer checks but discovery never lists', () => {
    const served: ApiResources = [
      ...SERVED,
      { group: '', version: 'v1', resource: 'serviceaccounts', namespaced: true, verbs: STD },
      { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles', namespaced: false, verbs: STD },
    ];
    const escalate = '[{apiGroups: ["*"], resources: ["*"], verbs: [impersonate, escalate, bind]}]';
    // impersonate: serviceaccounts (x2), users, groups, uids; escalate and bind: clusterroles.
    expect(breadthOfAdmins(rbac(escalate, served)).breadth).toBe(2 + 3 + 2);
  });

  it('uses the built-in list when discovery data is absent or unusable, and never crashes on malformed entries', () => {
    const builtIn = breadthOfAdmins(rbac(ALL)).breadth;
    expect(builtIn).toBeGreaterThan(100);
    expect(breadthOfAdmins(rbac(ALL, [])).breadth).toBe(builtIn);
    expect(breadthOfAdmins(rbac(ALL, [null, 7, { group: 5 }, { group: '', resource: '' }])).breadth).toBe(builtIn);
    const odd = breadthOfAdmins(rbac(ALL, [null, { group: '', resource: 'pods', namespaced: 'yes', verbs: 'get' }, { group: '', version: 'v1', resource: 'configmaps', namespaced: true, verbs: ['get', 3] }]));
    // pods: verbs unusable (none); configmaps: get (x2 namespaces); users, groups, uids.
    expect(odd.breadth).toBe(2 + 3);
  });

  it('topBreadth follows the snapshot it is given', () => {
    const without = topBreadth(rbac(ALL, SERVED), 5).find((t) => t.subject.name === 'admins')!.breadth;
    const withCrd = topBreadth(rbac(ALL, [...SERVED, WIDGETS]), 5).find((t) => t.subject.name === 'admins')!.breadth;
    expect(withCrd - without).toBe(16);
  });
});

// A group whose discovery failed (a metrics-server answering 503) while the others answered:
// client-go keeps the others' answers too ("partial results even in the case of non-nil error",
// https://pkg.go.dev/k8s.io/client-go/discovery#ServerResourcesInterface).
describe('breadth when some groups could not be discovered (snapshot.apiResourcesMissing)', () => {
  const missing = (s: Snapshot, groups: unknown) => Object.assign(s, { apiResourcesMissing: groups as string[] });

  it('counts the groups that answered as served, and the built-in list\'s types of the missing ones', () => {
    const served = breadthOfAdmins(rbac(ALL, SERVED)).breadth;
    // metrics.k8s.io is not in the built-in list: nothing stands in for it.
    expect(breadthOfAdmins(missing(rbac(ALL, SERVED), ['metrics.k8s.io'])).breadth).toBe(served);
    // batch is: jobs and cronjobs, 8 verbs each, in 2 namespaces.
    expect(breadthOfAdmins(missing(rbac(ALL, SERVED), ['batch'])).breadth).toBe(served + 2 * 8 * 2);
    // apps missing: the built-in list's nine apps types (deployments, deployments/scale, deployments/status,
    // replicasets, replicasets/scale, statefulsets, statefulsets/scale, daemonsets, controllerrevisions), get on each.
    const apps = '[{apiGroups: [apps], resources: ["*"], verbs: [get]}]';
    const noApps = SERVED.filter((r) => r.group !== 'apps');
    expect(breadthOfAdmins(rbac(apps, noApps)).breadth).toBe(0);
    expect(breadthOfAdmins(missing(rbac(apps, noApps), ['apps'])).breadth).toBe(9 * 2);
    // The core group answered: its served types stand, with no built-in ones beside them (no secrets, no nodes).
    const core = '[{apiGroups: [""], resources: ["*"], verbs: [get]}]';
    expect(breadthOfAdmins(missing(rbac(core, noApps), ['apps'])).breadth).toBe(breadthOfAdmins(rbac(core, noApps)).breadth);
  });

  it('says what the figures were counted against', () => {
    expect(breadthBasisOf(rbac(ALL, SERVED))).toEqual({ basis: 'served' });
    expect(breadthBasisOf(rbac(ALL))).toEqual({ basis: 'built-in' });
    expect(breadthBasisOf(missing(rbac(ALL, SERVED), ['metrics.k8s.io', '', 'metrics.k8s.io']))).toEqual({ basis: 'partial', missingGroups: ['', 'metrics.k8s.io'] });
    // Missing groups without any discovery data: the built-in list, as before.
    expect(breadthBasisOf(missing(rbac(ALL), ['metrics.k8s.io']))).toEqual({ basis: 'built-in' });
    // A hand-edited snapshot: entries that are not group names are skipped; a snapshot written before the field existed is 'served'.
    expect(breadthBasisOf(missing(rbac(ALL, SERVED), [7, null, 'batch']))).toEqual({ basis: 'partial', missingGroups: ['batch'] });
    expect(breadthBasisOf(missing(rbac(ALL, SERVED), 'batch'))).toEqual({ basis: 'served' });
  });
});
