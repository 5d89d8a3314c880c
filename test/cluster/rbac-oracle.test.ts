// The real RBAC authorizer as the oracle for ztaudit's effective-permissions model: a seeded
// set of Roles, ClusterRoles and bindings is created in the apiserver, the snapshot is
// collected live, and for every generated (subject, verb, resource, namespace, name)
// question the model's answer must equal the apiserver's SubjectAccessReview.
//
// Aggregated ClusterRoles are left out of the seeded set on purpose: without
// kube-controller-manager the apiserver never fills their rules (the aggregation controller
// does that), so the server's answer would be wrong, not ztaudit's. Aggregation is proven by
// the unit tests and the kubescape conformance set.

import { beforeAll, expect, it } from 'vitest';
import { buildRbacModel, authorize } from '../../src/analysis/rbac/index.ts';
import { collectLive } from '../../src/collect/live.ts';
import type { KubeObject } from '../../src/snapshot/types.ts';
import { Admin, describeCluster, uniqueName } from './env.ts';
import { rng } from '../../bench/prng.ts';


interface Res { group: string; resource: string; subresource?: string; namespaced: boolean }
const RESOURCES: Res[] = [
  { group: '', resource: 'pods', namespaced: true },
  { group: '', resource: 'pods', subresource: 'exec', namespaced: true },
  { group: '', resource: 'pods', subresource: 'log', namespaced: true },
  { group: '', resource: 'secrets', namespaced: true },
  { group: '', resource: 'configmaps', namespaced: true },
  { group: '', resource: 'serviceaccounts', subresource: 'token', namespaced: true },
  { group: 'apps', resource: 'deployments', namespaced: true },
  { group: 'apps', resource: 'deployments', subresource: 'scale', namespaced: true },
  { group: 'rbac.authorization.k8s.io', resource: 'roles', namespaced: true },
  { group: 'rbac.authorization.k8s.io', resource: 'clusterroles', namespaced: false },
  { group: '', resource: 'nodes', namespaced: false },
  { group: '', resource: 'nodes', subresource: 'proxy', namespaced: false },
  { group: '', resource: 'namespaces', namespaced: false },
  { group: 'certificates.k8s.io', resource: 'certificatesigningrequests', subresource: 'approval', namespaced: false },
];
const VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection', 'escalate', 'bind', 'impersonate'];
const RULE_RESOURCES = ['pods', 'pods/exec', 'pods/*', '*/exec', 'pods/log', 'secrets', 'configmaps', 'serviceaccounts/token', 'deployments', 'deployments/scale', 'roles', 'clusterroles', 'nodes', 'nodes/proxy', 'namespaces', 'certificatesigningrequests/approval', '*'];
const GROUP_OF: Record<string, string> = {
  deployments: 'apps', 'deployments/scale': 'apps', roles: 'rbac.authorization.k8s.io', clusterroles: 'rbac.authorization.k8s.io',
  'certificatesigningrequests/approval': 'certificates.k8s.io',
};

describeCluster('RBAC: SubjectAccessReview as the oracle for the effective-permissions model', (cluster) => {
  const admin = new Admin(cluster);
  const rand = rng(20261126);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const some = <T>(xs: readonly T[], max: number): T[] => [...new Set(Array.from({ length: 1 + Math.floor(rand() * max) }, () => pick(xs)))];
  const prefix = uniqueName('oracle');
  const namespaces = [0, 1, 2].map((i) => `${prefix}-ns${i}`);
  const users = Array.from({ length: 8 }, (_, i) => `${prefix}-user${i}`);
  const groups = Array.from({ length: 4 }, (_, i) => `${prefix}-group${i}`);
  const serviceAccounts = namespaces.flatMap((ns) => [0, 1].map((i) => ({ namespace: ns, name: `sa${i}` })));
  const questions: Array<{ user: string; groups: string[]; verb: string; res: Res; namespace?: string; name?: string }> = [];
  let model: ReturnType<typeof buildRbacModel>;

  function rule(): Record<string, unknown> {
    const resources = some(RULE_RESOURCES, 3);
    const apiGroups = rand() < 0.15 ? ['*'] : [...new Set(resources.map((r) => (r === '*' || r === '*/exec' || r === 'pods/*' ? pick(['', 'apps', '*']) : GROUP_OF[r] ?? '')))];
    const r: Record<string, unknown> = { apiGroups, resources, verbs: rand() < 0.1 ? ['*'] : some(VERBS, 4) };
    if (rand() < 0.35 && !resources.includes('*')) r.resourceNames = ['alpha', 'beta'].slice(0, 1 + Math.floor(rand() * 2));
    return r;
  }

  function subject(bindingNs?: string): Record<string, unknown> {
    const kind = pick(['User', 'Group', 'ServiceAccount'] as const);
    if (kind === 'User') return { kind, apiGroup: 'rbac.authorization.k8s.io', name: pick(users) };
    if (kind === 'Group') {
      const name = rand() < 0.2 ? `system:serviceaccounts:${pick(namespaces)}` : pick(groups);
      return { kind, apiGroup: 'rbac.authorization.k8s.io', name };
    }
    const sa = pick(serviceAccounts);
    // In a RoleBinding a missing namespace defaults to the binding's own.
    return bindingNs && sa.namespace === bindingNs && rand() < 0.3 ? { kind, name: sa.name } : { kind, name: sa.name, namespace: sa.namespace };
  }

  beforeAll(async () => {
    for (const ns of namespaces) await admin.namespace(ns);
    const objects: KubeObject[] = [];
    for (const ns of namespaces) for (const sa of serviceAccounts.filter((s) => s.namespace === ns && s.name !== 'default')) objects.push({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: sa });
    const clusterRoles = Array.from({ length: 10 }, (_, i) => `${prefix}-cr${i}`);
    for (const name of clusterRoles) objects.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, rules: Array.from({ length: 1 + Math.floor(rand() * 3) }, rule) });
    const roles: Array<{ namespace: string; name: string }> = [];
    for (const ns of namespaces) for (let i = 0; i < 4; i++) {
      roles.push({ namespace: ns, name: `role${i}` });
      objects.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { namespace: ns, name: `role${i}` }, rules: Array.from({ length: 1 + Math.floor(rand() * 3) }, rule) });
    }
    for (let i = 0; i < 6; i++) {
      objects.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: `${prefix}-crb${i}` }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: pick(clusterRoles) }, subjects: [subject(), subject()] });
    }
    for (let i = 0; i < 18; i++) {
      const ns = pick(namespaces);
      const toCluster = rand() < 0.4;
      const roleRef = toCluster
        ? { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: pick(clusterRoles) }
        : { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: pick(roles.filter((r) => r.namespace === ns)).name };
      objects.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { namespace: ns, name: `rb${i}` }, roleRef, subjects: [subject(ns), subject(ns)] });
    }
    // A binding whose role does not exist grants nothing (yet).
    objects.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { namespace: namespaces[0], name: 'dangling' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'missing' }, subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: users[0] }] });
    await admin.createAll(objects);

    const snapshot = await collectLive({ kubeconfigPath: cluster.kubeconfigPath, env: {} });
    model = buildRbacModel(snapshot);

    for (let i = 0; i < 1500; i++) {
      const who = rand();
      let user: string;
      let gs: string[];
      if (who < 0.4) {
        user = pick(users);
        gs = [...some(groups, 2), 'system:authenticated'];
      } else if (who < 0.85) {
        const sa = pick(serviceAccounts);
        user = `system:serviceaccount:${sa.namespace}:${sa.name}`;
        gs = ['system:serviceaccounts', `system:serviceaccounts:${sa.namespace}`, 'system:authenticated'];
      } else {
        user = `${prefix}-nobody`;
        gs = [pick(groups)];
      }
      const res = pick(RESOURCES);
      const namespace = res.namespaced ? (rand() < 0.85 ? pick(namespaces) : undefined) : undefined;
      const name = rand() < 0.5 ? pick(['alpha', 'beta', 'gamma']) : undefined;
      questions.push({ user, groups: gs, verb: pick(VERBS), res, namespace, name });
    }
  }, 120_000);

  it('answers >= 500 generated questions exactly as the apiserver does', async () => {
    let allowed = 0;
    const mismatches: string[] = [];
    let next = 0;
    const ask = async () => {
      while (next < questions.length) {
        const q = questions[next++];
        const attrs = { verb: q.verb, group: q.res.group, resource: q.res.resource, ...(q.res.subresource ? { subresource: q.res.subresource } : {}), ...(q.namespace ? { namespace: q.namespace } : {}), ...(q.name ? { name: q.name } : {}) };
        const r = await admin.request('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
          apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview',
          spec: { user: q.user, groups: q.groups, resourceAttributes: attrs },
        });
        expect(r.status, JSON.stringify(r.body)).toBe(201);
        const server = r.body.status.allowed === true;
        const ours = authorize(model, { user: q.user, groups: q.groups }, { ...attrs, namespace: q.namespace ?? '' }).allowed;
        if (server) allowed++;
        if (server !== ours) mismatches.push(`${q.user} [${q.groups.join(',')}] ${JSON.stringify(attrs)}: apiserver ${server}, ztaudit ${ours}`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, ask));
    console.log(`RBAC oracle: ${questions.length - mismatches.length} of ${questions.length} SubjectAccessReview answers agree (${allowed} allowed by the apiserver)`);
    expect(mismatches).toEqual([]);
    expect(questions.length).toBeGreaterThanOrEqual(500);
    // A question set that is all "no" would prove little.
    expect(allowed).toBeGreaterThan(100);
  });
});
