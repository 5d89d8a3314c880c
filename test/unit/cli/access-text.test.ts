// `ztaudit can SUBJECT -n NS` through the real command line: the rules that apply in NS are the
// cluster-wide grants and the RoleBindings of NS, never another namespace's.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { canCommandCore, whoCanCommandCore } from '../../../src/cli/access-text.ts';
import { main } from '../../../src/cli/main.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { captureIO } from '../../helpers/cli.ts';

const RBAC = `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Namespace
metadata: {name: billing}
---
apiVersion: v1
kind: Namespace
metadata: {name: quiet}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: node-reader}
rules: [{apiGroups: [""], resources: [nodes], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: alice-nodes}
subjects: [{kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}]
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: node-reader}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pod-reader, namespace: shop}
rules: [{apiGroups: [""], resources: [pods], verbs: [list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: alice-pods, namespace: shop}
subjects: [{kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}]
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-reader}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: secret-reader, namespace: billing}
rules: [{apiGroups: [""], resources: [secrets], verbs: [watch]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: alice-secrets, namespace: billing}
subjects: [{kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}]
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: secret-reader}
`;

function cluster(): string {
  const dir = mkdtempSync(join(tmpdir(), 'zt-can-'));
  mkdirSync(join(dir, 'm'));
  writeFileSync(join(dir, 'm/rbac.yaml'), RBAC);
  return dir;
}

async function can(dir: string, ...args: string[]) {
  const t = captureIO(dir);
  const code = await main(['can', ...args, '--manifests', 'm'], t.cli);
  return { code, out: t.out(), err: t.errLines() };
}

describe('ztaudit can SUBJECT -n NAMESPACE (no verb)', () => {
  it('lists the cluster-wide rules and the RoleBindings of that namespace only', async () => {
    const r = await can(cluster(), 'User:alice', '-n', 'shop');
    expect(r.code).toBe(0);
    expect(r.err).toEqual([]);
    expect(r.out.split('\n')[0]).toBe('Permissions of User:alice (groups: system:authenticated) in namespace shop:');
    expect(r.out).toMatch(/get nodes .*ClusterRoleBinding alice-nodes/);
    expect(r.out).toContain('Namespace shop (RoleBindings):');
    expect(r.out).toMatch(/list pods .*RoleBinding shop\/alice-pods/);
    expect(r.out).not.toContain('billing');
    expect(r.out).not.toContain('secrets');
  });

  it('without -n still lists every namespace', async () => {
    const r = await can(cluster(), 'User:alice');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Namespace shop (RoleBindings):');
    expect(r.out).toContain('Namespace billing (RoleBindings):');
    expect(r.out).toMatch(/Breadth: \d+ distinct/);
  });

  it('a namespace where no RoleBinding names the subject leaves only its cluster-wide rules; one where nothing does says so', async () => {
    const dir = cluster();
    const quiet = await can(dir, 'User:alice', '-n', 'quiet');
    expect(quiet.code).toBe(0);
    expect(quiet.out).toMatch(/get nodes .*ClusterRoleBinding alice-nodes/);
    expect(quiet.out).not.toMatch(/^Namespace /m);
    const group = await can(dir, 'Group:auditors', '-n', 'billing');
    expect(group.code).toBe(0);
    expect(group.out).toContain('  none: no ClusterRoleBinding, and no RoleBinding in namespace billing, names this subject or its groups.');
    expect(group.out).not.toContain('secret-reader');
  });

  it('a namespace the source does not hold is answered with a warning, as for a question', async () => {
    const r = await can(cluster(), 'User:alice', '-n', 'shpo');
    expect(r.code).toBe(0);
    expect(r.err).toEqual(['ztaudit can: warning: namespace "shpo" is not in the source (did you mean shop?): only cluster-wide grants answer for it']);
    expect(r.out).toMatch(/get nodes .*ClusterRoleBinding alice-nodes/);
    expect(r.out).not.toMatch(/^Namespace /m);
  });
});

describe('ztaudit can SUBJECT --name (no verb)', () => {
  it('is refused (exit 2, one line on stderr) rather than ignored; with a question it is accepted', async () => {
    const r = await can(cluster(), 'User:alice', '--name', 'db-password');
    expect(r.code).toBe(2);
    expect(r.err).toEqual(['ztaudit: can: --name applies to a question about one object, e.g. `ztaudit can User:alice get secrets --name db-password -n dev`']);
    expect(r.out).toBe('');
    expect((await can(cluster(), 'User:alice', 'get', 'secrets', '--name', 'db-password', '-n', 'billing')).code).toBe(1);
  });
});

// Reviewer repros r7 and r2: a ClusterRole on a cluster-scoped resource bound by a RoleBinding.
// RoleBindings are consulted only for requests that carry a namespace, and a request on
// nodes/proxy or a webhook configuration carries none (reference checks.md §3.1 and test case 2;
// VisitRulesFor, kubernetes pkg/registry/rbac/validation/rule.go), so -n cannot make them count.
// A request naming a namespace carries that name (requestinfo.go), so get on namespaces through
// a RoleBinding in app answers for namespace app itself.
const SCOPED = `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: kubelet-proxy}
rules:
- {apiGroups: [""], resources: ["nodes/proxy"], verbs: ["get"]}
- {apiGroups: ["admissionregistration.k8s.io"], resources: ["validatingwebhookconfigurations"], verbs: ["patch"]}
- {apiGroups: [""], resources: ["namespaces"], verbs: ["get"]}
- {apiGroups: ["acme.example.com"], resources: ["widgets"], verbs: ["get"]}
- {apiGroups: [""], resources: ["pods", "nodes"], verbs: ["list"]}
- {nonResourceURLs: ["/metrics"], verbs: ["get"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: proxy-ns, namespace: app}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: kubelet-proxy}
subjects: [{kind: User, name: mallory, apiGroup: rbac.authorization.k8s.io}]
`;

async function ask(command: 'can' | 'who-can', ...args: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'zt-scope-'));
  writeFileSync(join(dir, 'a.yaml'), SCOPED);
  const t = captureIO(dir);
  const code = await main([command, ...args, '--manifests', 'a.yaml'], t.cli);
  return { code, out: t.out(), err: t.errLines() };
}

describe('ztaudit can / who-can on a cluster-scoped resource with -n', () => {
  it('can: a RoleBinding does not grant get nodes/proxy, whatever -n says (exit 1)', async () => {
    const r = await ask('can', 'User:mallory', 'get', 'nodes/proxy', '-n', 'app');
    expect(r.code).toBe(1);
    expect(r.out).toBe('no: User:mallory (groups: system:authenticated) cannot get nodes/proxy cluster-wide (nodes/proxy is cluster-scoped: RoleBindings in app cannot grant it)\n');
    expect(r.err).toEqual([]);
    expect((await ask('can', 'User:mallory', 'patch', 'validatingwebhookconfigurations.admissionregistration.k8s.io', '-n', 'app')).code).toBe(1);
  });

  it('who-can: the RoleBinding is not listed for nodes/proxy or webhook configurations in app', async () => {
    for (const resource of ['nodes/proxy', 'validatingwebhookconfigurations.admissionregistration.k8s.io']) {
      const r = await ask('who-can', resource === 'nodes/proxy' ? 'get' : 'patch', resource, '-n', 'app');
      expect(r.out).not.toContain('mallory');
      expect(r.out).not.toContain('proxy-ns');
      expect(r.out.split('\n')[0]).toContain('cluster-wide (');
    }
  });

  it('namespaces: get on namespace app itself is granted in app, another namespace or a list is not', async () => {
    expect((await ask('can', 'User:mallory', 'get', 'namespaces', '--name', 'app', '-n', 'app')).out).toMatch(/^yes: .* can get namespaces app in namespace app\n.*RoleBinding app\/proxy-ns/s);
    expect((await ask('can', 'User:mallory', 'get', 'namespaces', '--name', 'app')).code).toBe(0);
    expect((await ask('can', 'User:mallory', 'get', 'namespaces', '--name', 'other', '-n', 'app')).code).toBe(1);
    expect((await ask('can', 'User:mallory', 'list', 'namespaces', '-n', 'app')).code).toBe(1);
    expect((await ask('who-can', 'get', 'namespaces', '--name', 'app', '-n', 'app')).out).toContain('User:mallory');
  });

  it('a type whose scope the source does not know (a CRD without discovery) keeps -n, and says so', async () => {
    const r = await ask('can', 'User:mallory', 'get', 'widgets.acme.example.com', '-n', 'app');
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toBe('yes: User:mallory (groups: system:authenticated) can get widgets.acme.example.com in namespace app');
    expect(r.err).toEqual(['ztaudit can: warning: the source does not say whether "widgets.acme.example.com" is namespaced (no discovery data names it): answered as if it were, so RoleBindings in app count']);
  });
});

// The listing answers as the questions do: a security reviewer reading "what can mallory do in
// app" must not see nodes/proxy there as if granted, yet should see that the RoleBinding names
// it (the role is bound; `can … get nodes/proxy -n app` says no). So such rules stay, marked.
// RoleBindings never grant cluster-scoped resources or nonResourceURLs (reference checks.md §3.1;
// https://kubernetes.io/docs/reference/access-authn-authz/rbac/#rolebinding-and-clusterrolebinding:
// a RoleBinding grants "permissions within a specific namespace").
describe('ztaudit can SUBJECT -n NS (no verb): a RoleBinding\'s cluster-scoped and non-resource rules', () => {
  const row = (out: string, rule: string) => out.split('\n').find((l) => l.trimStart().startsWith(rule));

  it('are listed marked [not granted], with one line saying why; namespaced ones are not marked', async () => {
    const r = await ask('can', 'User:mallory', '-n', 'app');
    expect(r.code).toBe(0);
    expect(r.err).toEqual([]);
    const section = r.out.slice(r.out.indexOf('Namespace app (RoleBindings):'));
    expect(row(section, 'get nodes/proxy (core)')).toMatch(/^  get nodes\/proxy \(core\) \[not granted: cluster-scoped\] +User:mallory +RoleBinding app\/proxy-ns +ClusterRole kubelet-proxy$/);
    expect(row(section, 'patch validatingwebhookconfigurations')).toContain('(admissionregistration.k8s.io) [not granted: cluster-scoped]');
    expect(row(section, 'get /metrics')).toContain('get /metrics [not granted: non-resource URL]');
    // pods is granted in app, nodes is not: only nodes is marked.
    expect(row(section, 'list pods,nodes (core)')).toContain('list pods,nodes (core) [not granted for nodes: cluster-scoped]');
    // get on namespace app itself is granted (the request carries app as its namespace); no list of namespaces.
    expect(row(section, 'get namespaces (core)')).toContain('get namespaces (core) [namespaces: get of namespace app only]');
    expect(row(section, 'get widgets (acme.example.com)')).not.toContain('[');
    expect(section).toContain('  [not granted]: requests on cluster-scoped resources and non-resource URLs carry no namespace, so RoleBindings in app cannot grant them.');
  });

  it('are marked in every namespace of the full listing too; ClusterRoleBindings\' rules never are', async () => {
    const r = await ask('can', 'User:mallory');
    expect(row(r.out, 'get nodes/proxy (core)')).toContain('[not granted: cluster-scoped]');
    expect(r.out.slice(0, r.out.indexOf('Namespace app (RoleBindings):'))).not.toContain('not granted');
  });
});

// Reviewer repro r1 (rbacscope merge): a ClusterRole on namespaces bound by a RoleBinding in dev.
// get/update/patch/delete of namespace dev go to /api/v1/namespaces/dev and carry dev as their
// namespace, with or without -n (reference checks.md §3.1 "Exception by request shape"; kubernetes
// staging/src/k8s.io/apiserver/pkg/endpoints/request/requestinfo.go NewRequestInfo); create and list
// go to /api/v1/namespaces and carry none, so no RoleBinding is consulted (VisitRulesFor, kubernetes
// pkg/registry/rbac/validation/rule.go), whatever name the question gives.
const NS_ADMIN = `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ns-admin}
rules:
- {apiGroups: [""], resources: [namespaces], verbs: [get, update, delete, list, create]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: nsa, namespace: dev}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ns-admin}
subjects:
- {kind: User, name: carol, apiGroup: rbac.authorization.k8s.io}
`;

async function askNs(command: 'can' | 'who-can', ...args: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'zt-nsreq-'));
  writeFileSync(join(dir, 'a.yaml'), NS_ADMIN);
  const t = captureIO(dir);
  const code = await main([command, ...args, '--manifests', 'a.yaml'], t.cli);
  return { code, out: t.out(), err: t.errLines() };
}

describe('ztaudit can / who-can on one named namespace', () => {
  it('who-can delete namespaces --name dev (no -n) lists carol through RoleBinding dev/nsa', async () => {
    const r = await askNs('who-can', 'delete', 'namespaces', '--name', 'dev');
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toBe('Subjects that can delete namespaces dev in namespace dev:');
    expect(r.out).toMatch(/^User:carol +dev +RoleBinding dev\/nsa +ClusterRole ns-admin /m);
  });

  it('can User:carol get namespaces --name dev says "in namespace dev", not cluster-wide', async () => {
    const r = await askNs('can', 'User:carol', 'get', 'namespaces', '--name', 'dev');
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toBe('yes: User:carol (groups: system:authenticated) can get namespaces dev in namespace dev');
    expect(r.out).toContain('RoleBinding dev/nsa');
  });

  it('create and list with --name dev are not granted by the RoleBinding, as list without a name is not', async () => {
    for (const verb of ['create', 'list']) {
      for (const extra of [[], ['-n', 'dev']]) {
        const r = await askNs('can', 'User:carol', verb, 'namespaces', '--name', 'dev', ...extra);
        expect(r.code, `${verb} ${extra.join(' ')}`).toBe(1);
        expect(r.out).not.toContain('nsa');
      }
      expect((await askNs('who-can', verb, 'namespaces', '--name', 'dev')).out).not.toContain('carol');
    }
    expect((await askNs('can', 'User:carol', 'list', 'namespaces')).code).toBe(1);
    expect((await askNs('can', 'User:carol', 'list', 'namespaces', '--name', 'dev', '-n', 'dev')).out)
      .toBe('no: User:carol (groups: system:authenticated) cannot list namespaces dev cluster-wide (list on namespaces carries no namespace: RoleBindings in dev cannot grant it)\n');
  });

  it('-n other with --name dev: the request still carries dev, and the answer says so', async () => {
    const yes = await askNs('can', 'User:carol', 'update', 'namespaces', '--name', 'dev', '-n', 'other');
    expect(yes.code).toBe(0);
    expect(yes.out.split('\n')[0]).toBe('yes: User:carol (groups: system:authenticated) can update namespaces dev in namespace dev (a request on namespace dev carries that name, not -n other)');
    expect((await askNs('who-can', 'delete', 'namespaces', '--name', 'dev', '-n', 'other')).out).toMatch(/^User:carol +dev +RoleBinding dev\/nsa/m);
    // The reverse: -n dev does not lend dev's RoleBindings to namespace other.
    const no = await askNs('can', 'User:carol', 'get', 'namespaces', '--name', 'other', '-n', 'dev');
    expect(no.code).toBe(1);
    expect(no.out).toBe('no: User:carol (groups: system:authenticated) cannot get namespaces other in namespace other (a request on namespace other carries that name, not -n dev)\n');
  });
});

// Reviewer repro r1 (revmerged2): the warning about a namespace the source does not hold names the
// namespace the request carries, the one the answer is about. A request on one namespace carries its
// own name whatever -n says; one on a cluster-scoped type carries none (reference checks.md §3.1
// "Exception by request shape"; https://kubernetes.io/docs/reference/access-authn-authz/rbac/#rolebinding-and-clusterrolebinding).
describe('ztaudit can / who-can: the namespace warned about is the one the request carries', () => {
  it('--name dev -n other: no warning about other, which the answer does not use', async () => {
    const can = await askNs('can', 'User:carol', 'update', 'namespaces', '--name', 'dev', '-n', 'other');
    expect(can.code).toBe(0);
    expect(can.out.split('\n')[0]).toBe('yes: User:carol (groups: system:authenticated) can update namespaces dev in namespace dev (a request on namespace dev carries that name, not -n other)');
    expect(can.err).toEqual([]);
    const who = await askNs('who-can', 'delete', 'namespaces', '--name', 'dev', '-n', 'other');
    expect(who.out).toMatch(/^User:carol +dev +RoleBinding dev\/nsa/m);
    expect(who.err).toEqual([]);
  });

  it('--name devv -n dev: the warning is about devv, the namespace asked about, with or without -n', async () => {
    for (const extra of [['-n', 'dev'], []]) {
      const can = await askNs('can', 'User:carol', 'update', 'namespaces', '--name', 'devv', ...extra);
      expect(can.code, extra.join(' ')).toBe(1);
      expect(can.err).toEqual(['ztaudit can: warning: namespace "devv" is not in the source (did you mean dev?): only cluster-wide grants answer for it']);
      const who = await askNs('who-can', 'update', 'namespaces', '--name', 'devv', ...extra);
      expect(who.out).not.toContain('carol');
      expect(who.err).toEqual(['ztaudit who-can: warning: namespace "devv" is not in the source (did you mean dev?): only cluster-wide grants answer for it']);
    }
  });

  it('a cluster-scoped type with -n: the answer is cluster-wide and says why, with no warning about -n', async () => {
    const who = await askNs('who-can', 'get', 'nodes', '-n', 'shpo');
    expect(who.out.split('\n')[0]).toBe('Subjects that can get nodes cluster-wide (nodes is cluster-scoped: RoleBindings in shpo cannot grant it):');
    expect(who.err).toEqual([]);
    const can = await askNs('can', 'User:carol', 'list', 'namespaces', '-n', 'shpo');
    expect(can.out).toBe('no: User:carol (groups: system:authenticated) cannot list namespaces cluster-wide (list on namespaces carries no namespace: RoleBindings in shpo cannot grant it)\n');
    expect(can.err).toEqual([]);
  });

  it('a namespaced type with -n keeps the warning about -n', async () => {
    const r = await askNs('can', 'User:carol', 'get', 'pods', '-n', 'dve');
    expect(r.code).toBe(1);
    expect(r.err).toEqual(['ztaudit can: warning: namespace "dve" is not in the source (did you mean dev?): only cluster-wide grants answer for it']);
  });
});

// Reviewer repro rb (revmerged3): the rule list marked a RoleBinding's get,list on namespaces
// "namespace team itself only", while `can … list namespaces -n team` answers no. Only a request
// naming namespace team carries team as its namespace (get, update, patch, delete: /api/v1/namespaces/team);
// list, watch and create go to /api/v1/namespaces and carry none, so no RoleBinding is consulted
// (reference checks.md §3.1 "Exception by request shape"; kubernetes
// staging/src/k8s.io/apiserver/pkg/endpoints/request/requestinfo.go NewRequestInfo;
// https://kubernetes.io/docs/reference/access-authn-authz/rbac/#rolebinding-and-clusterrolebinding).
// The mark names the verbs the question form answers yes for, and those it answers no for.
const NS_MIXED = `
apiVersion: v1
kind: Namespace
metadata: {name: team}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: mixed}
rules:
  - apiGroups: [""]
    resources: [pods, persistentvolumes, nodes/proxy, namespaces]
    verbs: [get, list]
  - apiGroups: [""]
    resources: [namespaces, namespaces/status]
    verbs: ["*"]
  - apiGroups: [""]
    resources: [namespaces]
    verbs: [patch, watch]
    resourceNames: [team, other]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rb, namespace: team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: mixed}
subjects: [{kind: User, name: alice}]
`;

async function askMixed(...args: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'zt-nsmark-'));
  writeFileSync(join(dir, 'm.yaml'), NS_MIXED);
  const t = captureIO(dir);
  const code = await main(['can', ...args, '--manifests', 'm.yaml'], t.cli);
  return { code, out: t.out(), err: t.errLines() };
}

describe('ztaudit can SUBJECT -n NS (no verb): a RoleBinding\'s rule on namespaces says which verbs reach NS itself', () => {
  const row = (out: string, rule: string) => out.split('\n').find((l) => l.trimStart().startsWith(rule));

  it('get,list namespaces: get of namespace team only, list not granted; as `can … list namespaces -n team` answers', async () => {
    const r = await askMixed('User:alice', '-n', 'team');
    expect(r.code).toBe(0);
    expect(r.err).toEqual([]);
    expect(row(r.out, 'get,list pods,persistentvolumes,nodes/proxy,namespaces (core)')).toContain(
      'get,list pods,persistentvolumes,nodes/proxy,namespaces (core) [not granted for persistentvolumes,nodes/proxy: cluster-scoped] [namespaces: get of namespace team only; list not granted]');
    expect(r.out).not.toContain('itself only');
    // The question form agrees with the mark, verb by verb.
    expect((await askMixed('User:alice', 'list', 'namespaces', '-n', 'team')).code).toBe(1);
    expect((await askMixed('User:alice', 'get', 'namespaces', '--name', 'team', '-n', 'team')).code).toBe(0);
  });

  it('a wildcard verb is spelled out: the verbs it grants on namespace team, and list, watch, create it does not', async () => {
    const r = await askMixed('User:alice', '-n', 'team');
    expect(row(r.out, '* namespaces,namespaces/status (core)')).toContain(
      '* namespaces,namespaces/status (core) [namespaces,namespaces/status: * grants get,update,patch,delete of namespace team only; list,watch,create not granted]');
    for (const [verb, code] of [['delete', 0], ['update', 0], ['watch', 1], ['create', 1]] as const) {
      expect((await askMixed('User:alice', verb, 'namespaces', '--name', 'team', '-n', 'team')).code, verb).toBe(code);
    }
  });

  it('resourceNames naming team: patch of namespace team only, watch not granted', async () => {
    const r = await askMixed('User:alice', '-n', 'team');
    expect(row(r.out, 'patch,watch namespaces (core)')).toContain('patch,watch namespaces (core) [names: team,other] [namespaces: patch of namespace team only; watch not granted]');
    expect((await askMixed('User:alice', 'patch', 'namespaces', '--name', 'team')).code).toBe(0);
    expect((await askMixed('User:alice', 'watch', 'namespaces', '--name', 'team', '-n', 'team')).code).toBe(1);
  });
});

describe('the namespaces mark with discovery data: a `*` verb is spelled out as the verbs the cluster serves', () => {
  const withDiscovery = (verbs: string[]) => ({
    ...snapshotFromObjects(parseAllDocuments(NS_MIXED).map((d) => d.toJS()) as KubeObject[], { clusterVersion: 'v1.36.3' }),
    apiResources: [
      { group: '', version: 'v1', resource: 'namespaces', namespaced: false, verbs },
      { group: '', version: 'v1', resource: 'pods', namespaced: true, verbs: ['get', 'list'] },
    ],
  });
  const mark = (verbs: string[]) => canCommandCore(withDiscovery(verbs), { subject: 'User:alice', namespace: 'team' }).output
    .split('\n').find((l) => l.trimStart().startsWith('* namespaces,namespaces/status'));

  it('discovery\'s verbs for namespaces; its namespaces/status falls back to the built-in catalog', () => {
    expect(mark(['get', 'list', 'delete'])).toContain('[namespaces,namespaces/status: * grants get,delete,patch,update of namespace team only; list not granted]');
  });

  it('discovery that lists no verbs for namespaces leaves the built-in catalog\'s, never an empty list', () => {
    expect(mark([])).toContain('[namespaces,namespaces/status: * grants get,update,patch,delete of namespace team only; list,watch,create not granted]');
  });
});

// A group whose discovery failed (snapshot.apiResourcesMissing) while the core group answered:
// its types are the built-in catalog's, as client-go keeps the groups that answered
// ("partial results even in the case of non-nil error", https://pkg.go.dev/k8s.io/client-go/discovery#ServerResourcesInterface).
describe('who-can and can when the apps group could not be discovered', () => {
  const snapshot = (missing?: string[]) => ({
    ...snapshotFromObjects(parseAllDocuments(NS_MIXED).map((d) => d.toJS()) as KubeObject[], { clusterVersion: 'v1.36.3' }),
    apiResources: [
      { group: '', version: 'v1', resource: 'namespaces', namespaced: false, verbs: ['get', 'list'] },
      { group: '', version: 'v1', resource: 'pods', namespaced: true, verbs: ['get', 'list'] },
    ],
    ...(missing ? { apiResourcesMissing: missing } : {}),
  });

  it('knows deployments.apps and its scope from the built-in catalog: no "unknown resource type" warning', () => {
    const q = { verb: 'get', resource: 'deployments.apps', namespace: 'team' };
    expect(whoCanCommandCore(snapshot(['apps']), q).warnings).toEqual([]);
    expect(canCommandCore(snapshot(['apps']), { subject: 'User:alice', ...q }).warnings).toEqual([]);
    // Served data alone (apps answered, and serves nothing): the cluster does not serve it.
    expect(whoCanCommandCore(snapshot(), q).warnings).toEqual([expect.stringContaining('unknown resource type "deployments.apps"')]);
  });
});

// A wildcard resource through a RoleBinding: `*` names every resource of its groups, but a
// RoleBinding grants only the namespaced ones (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#rolebinding-and-clusterrolebinding:
// a RoleBinding grants "permissions within a specific namespace"; requests on cluster-scoped
// resources carry no namespace, reference checks.md §3.1), so the listing says so, as `can` answers.
const STAR = `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ns-admin}
rules:
- {apiGroups: ["*"], resources: ["*"], verbs: ["*"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: admin-in-app, namespace: app}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ns-admin}
subjects: [{kind: User, name: dana, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: admin-everywhere}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ns-admin}
subjects: [{kind: User, name: root, apiGroup: rbac.authorization.k8s.io}]
`;

async function askStar(...args: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'zt-star-'));
  writeFileSync(join(dir, 's.yaml'), STAR);
  const t = captureIO(dir);
  const code = await main(['can', ...args, '--manifests', 's.yaml'], t.cli);
  return { code, out: t.out(), err: t.errLines() };
}

describe('ztaudit can SUBJECT -n NS (no verb): resources ["*"] through a RoleBinding', () => {
  const row = (out: string, rule: string) => out.split('\n').find((l) => l.trimStart().startsWith(rule));

  it('is marked as granting namespaced resources only, with the [not granted] line; `can` agrees on nodes and pods', async () => {
    const r = await askStar('User:dana', '-n', 'app');
    expect(r.code).toBe(0);
    const section = r.out.slice(r.out.indexOf('Namespace app (RoleBindings):'));
    expect(row(section, '* * (*)')).toContain('[not granted for cluster-scoped resources: * here is namespaced ones only]');
    expect(section).toContain('  [not granted]: requests on cluster-scoped resources and non-resource URLs carry no namespace, so RoleBindings in app cannot grant them.');
    expect((await askStar('User:dana', 'delete', 'nodes', '-n', 'app')).code).toBe(1);
    expect((await askStar('User:dana', 'delete', 'pods', '-n', 'app')).code).toBe(0);
  });

  it('is not marked through a ClusterRoleBinding', async () => {
    const r = await askStar('User:root');
    expect(r.out).toContain('* * (*)');
    expect(r.out).not.toContain('not granted');
  });
});
