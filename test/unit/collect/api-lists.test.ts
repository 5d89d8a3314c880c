// What people feed --manifests straight from the API: typed lists (`GET /api/v1/pods` is a
// PodList whose items carry no kind or apiVersion — "the kind and apiVersion of list items
// are implied by the list", Kubernetes API conventions, Lists and Simple kinds), and pods
// whose ReplicaSet was not exported with them. The cluster tier proves the same against a
// real kube-apiserver's lists (test/cluster/manifest-lists.test.ts).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifests } from '../../../src/collect/manifests.ts';
import { workloadAliasOf, workloadsOf } from '../../../src/analysis/workloads.ts';
import { reachCommandCore } from '../../../src/cli/reach.ts';

function dirWith(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'zt-lists-'));
  for (const [name, value] of Object.entries(files)) writeFileSync(join(dir, name), typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  return dir;
}

const HASH_A = '5d8f7c9b6d';
const HASH_B = '7c6b5a4d3e';
/** A pod as the API lists it in a PodList: no kind, no apiVersion; owned by a ReplicaSet. */
const apiPod = (name: string, owner: { kind: string; name: string } | null, labels: Record<string, string>, spec: Record<string, unknown> = {}) => ({
  metadata: {
    name, namespace: 'shop', labels, uid: `uid-${name}`,
    ...(owner ? { ownerReferences: [{ apiVersion: owner.kind === 'Job' ? 'batch/v1' : 'apps/v1', kind: owner.kind, name: owner.name, uid: `uid-${owner.name}`, controller: true, blockOwnerDeletion: true }] } : {}),
  },
  spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 8080 }] }], ...spec },
  status: { phase: 'Running' },
});

const podList = (items: unknown[]) => ({ kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '42' }, items });

describe('typed lists', () => {
  it('a PodList, an apps/v1 DeploymentList and a NamespaceList load with the item kind inferred', () => {
    const dir = dirWith({
      'namespaces.json': { kind: 'NamespaceList', apiVersion: 'v1', items: [{ metadata: { name: 'shop' } }] },
      'deployments.json': { kind: 'DeploymentList', apiVersion: 'apps/v1', items: [{ metadata: { name: 'web', namespace: 'shop' }, spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } }] },
      'pods.json': podList([apiPod(`web-${HASH_A}-abcde`, { kind: 'ReplicaSet', name: `web-${HASH_A}` }, { app: 'web', 'pod-template-hash': HASH_A })]),
    });
    const s = loadManifests([dir]);
    expect(s.notes).toEqual([]);
    expect(s.resources.namespaces?.map((n) => [n.kind, n.apiVersion, n.metadata?.name])).toEqual([['Namespace', 'v1', 'shop']]);
    expect(s.resources.deployments?.map((n) => [n.kind, n.apiVersion, n.metadata?.name])).toEqual([['Deployment', 'apps/v1', 'web']]);
    expect(s.resources.pods?.map((n) => [n.kind, n.apiVersion, n.metadata?.name])).toEqual([['Pod', 'v1', `web-${HASH_A}-abcde`]]);
  });

  it('a plain List (kubectl get -o json) keeps the kinds its items name; an item that names none is skipped with a note naming its index', () => {
    const dir = dirWith({ 'all.json': { kind: 'List', apiVersion: 'v1', items: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }, { metadata: { name: 'nameless' } }] } });
    const s = loadManifests([dir]);
    expect(s.resources.namespaces?.map((n) => n.metadata?.name)).toEqual(['shop']);
    expect(s.notes).toEqual([expect.stringMatching(/all\.json:1: items\[1\]: skipped an item that is not a Kubernetes object/)]);
  });
});

describe('pods whose owner is not in the input', () => {
  const pods = [
    apiPod(`web-${HASH_A}-abcde`, { kind: 'ReplicaSet', name: `web-${HASH_A}` }, { app: 'web', 'pod-template-hash': HASH_A }),
    apiPod(`web-${HASH_A}-fghij`, { kind: 'ReplicaSet', name: `web-${HASH_A}` }, { app: 'web', 'pod-template-hash': HASH_A }),
    // A rollout half-way: the new ReplicaSet's pod.
    apiPod(`web-${HASH_B}-klmno`, { kind: 'ReplicaSet', name: `web-${HASH_B}` }, { app: 'web', 'pod-template-hash': HASH_B }),
    apiPod('nightly-29061440-pqrst', { kind: 'Job', name: 'nightly-29061440' }, { 'job-name': 'nightly-29061440' }),
    // A ReplicaSet made by hand (no pod-template-hash): its own workload.
    apiPod('cache-xyz12', { kind: 'ReplicaSet', name: 'cache' }, { app: 'cache' }),
  ];
  const cronJob = { kind: 'CronJobList', apiVersion: 'batch/v1', items: [{ metadata: { name: 'nightly', namespace: 'shop' }, spec: { schedule: '0 0 * * *', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'x' }] } } } } } }] };

  it('fold into one workload: the Deployment their ReplicaSets belong to, the CronJob of their Job', () => {
    const s = loadManifests([dirWith({ 'pods.json': podList(pods), 'cronjobs.json': cronJob })]);
    const byRef = new Map(workloadsOf(s).map((w) => [`${w.ref.kind}/${w.ref.name}`, w]));
    expect([...byRef.keys()].sort()).toEqual(['CronJob/nightly', 'Deployment/web', 'ReplicaSet/cache']);
    expect(byRef.get('Deployment/web')!.pods.map((p) => p.name).sort()).toEqual([`web-${HASH_A}-abcde`, `web-${HASH_A}-fghij`, `web-${HASH_B}-klmno`]);
    expect(byRef.get('Deployment/web')!.podCount).toBe(3);
    expect(byRef.get('CronJob/nightly')!.pods.map((p) => p.origin)).toEqual(['pod']);
  });

  it('a Job is folded into a CronJob only when that CronJob is in the input', () => {
    const s = loadManifests([dirWith({ 'pods.json': podList(pods) })]);
    expect(workloadsOf(s).map((w) => `${w.ref.kind}/${w.ref.name}`).sort()).toEqual(['Deployment/web', 'Job/nightly-29061440', 'ReplicaSet/cache']);
  });

  it('a pod name or a ReplicaSet name stands for the workload; the workload name is itself', () => {
    const s = loadManifests([dirWith({ 'pods.json': podList(pods) })]);
    const web = { kind: 'Deployment', namespace: 'shop', name: 'web' };
    expect(workloadAliasOf(s, 'shop', `web-${HASH_A}-fghij`)).toEqual({ ref: web, via: 'pod' });
    expect(workloadAliasOf(s, 'shop', `web-${HASH_B}`)).toEqual({ ref: web, via: 'ReplicaSet' });
    expect(workloadAliasOf(s, 'shop', 'web')).toBeUndefined();
    expect(workloadAliasOf(s, 'shop', 'cache')).toBeUndefined();
    expect(workloadAliasOf(s, 'other', `web-${HASH_A}-fghij`)).toBeUndefined();
  });
});

describe('reach by pod, ReplicaSet or workload name', () => {
  const pods = [
    apiPod(`web-${HASH_A}-abcde`, { kind: 'ReplicaSet', name: `web-${HASH_A}` }, { app: 'web', 'pod-template-hash': HASH_A }),
    apiPod(`db-${HASH_B}-zzzzz`, { kind: 'ReplicaSet', name: `db-${HASH_B}` }, { app: 'db', 'pod-template-hash': HASH_B }),
  ];
  const policies = { kind: 'NetworkPolicyList', apiVersion: 'networking.k8s.io/v1', items: [
    { metadata: { name: 'db-from-web', namespace: 'shop' }, spec: { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 8080 }] }] } },
  ] };
  const s = loadManifests([dirWith({ 'pods.json': podList(pods), 'policies.json': policies })]);

  it('gives one answer for the three names and says which workload it answered for', () => {
    const answers = [`shop/web-${HASH_A}-abcde`, `shop/web-${HASH_A}`, 'shop/web'].map((from) => reachCommandCore(s, { from, to: `shop/db-${HASH_B}-zzzzz`, port: '8080' }));
    for (const a of answers) {
      expect(a.exitCode).toBe(0);
      expect(a.output).toContain('ALLOWED: shop/web[Deployment] -> shop/db[Deployment] on 8080/TCP');
    }
    expect(answers[0]!.output).toContain(`note: shop/web-${HASH_A}-abcde is a pod of Deployment shop/web: answered for that workload`);
    expect(answers[1]!.output).toContain(`note: shop/web-${HASH_A} is a ReplicaSet of Deployment shop/web: answered for that workload`);
    expect(answers[2]!.output).not.toContain('note: shop/web');
    const json = JSON.parse(reachCommandCore(s, { from: `shop/web-${HASH_A}-abcde`, to: 'shop/db', port: '5432', output: 'json' }).output) as { from: string; allowed: boolean; notes: string[] };
    expect(json.from).toBe('shop/web[Deployment]');
    expect(json.allowed).toBe(false);
    expect(json.notes[0]).toContain('is a pod of Deployment shop/web');
  });

  it('an unknown name is still exit 2 naming the known workloads', () => {
    const r = reachCommandCore(s, { from: 'shop/nope', to: 'shop/db' });
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('no workload "nope" in namespace "shop"');
  });
});
