// Lists exactly as a real kube-apiserver serves them (`GET /api/v1/namespaces/NS/pods` is a
// PodList whose items carry no kind or apiVersion), saved to files and audited with
// --manifests: the pods reach every check (Pod Security included), pods of ReplicaSets that
// were not exported fold into their Deployment, and `reach` takes a pod, ReplicaSet or
// workload name alike.
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/io.ts';
import { main } from '../../src/cli/main.ts';
import { Admin, describeCluster, scratchDir, uniqueName } from './env.ts';

function io(cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  const cli: CliIO = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: {}, isTTY: false, cwd };
  return { cli, out: () => out.join(''), err: () => err.join('') };
}

describeCluster('manifests saved from the API server', (cluster) => {
  const admin = new Admin(cluster);
  const ns = uniqueName('lists');
  const hashA = '5d8f7c9b6d';
  const hashB = '7c6b5a4d3e';
  const pod = (name: string, app: string, hash: string) => ({
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name, namespace: ns, labels: { app, 'pod-template-hash': hash },
      // No controller-manager runs here: the ReplicaSets never exist, as in an export of pods only.
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${app}-${hash}`, uid: `00000000-0000-4000-8000-${hash.padStart(12, '0')}`, controller: true, blockOwnerDeletion: true }],
    },
    spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 8080 }] }] },
  });

  it('PodList, DeploymentList and NetworkPolicyList load; the pods are audited under their Deployment', async () => {
    await admin.namespace(ns, { 'pod-security.kubernetes.io/enforce': 'privileged' });
    await admin.createAll([
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: ns }, spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } },
      pod(`web-${hashA}-abcde`, 'web', hashA),
      pod(`web-${hashB}-fghij`, 'web', hashB), // a rollout half-way: two ReplicaSets, one Deployment
      pod(`db-${hashA}-klmno`, 'db', hashA),
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'db-from-web', namespace: ns }, spec: { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 8080 }] }] } },
    ]);
    const dir = scratchDir('api-lists');
    const save = async (file: string, urlPath: string) => {
      const r = await admin.request('GET', urlPath);
      expect(r.status).toBe(200);
      fs.writeFileSync(path.join(dir, file), JSON.stringify(r.body));
      return r.body as { kind: string; items: Array<Record<string, unknown>> };
    };
    const pods = await save('pods.json', `/api/v1/namespaces/${ns}/pods`);
    // What the server sends: a typed list whose items name no kind.
    expect(pods.kind).toBe('PodList');
    expect(pods.items.length).toBe(3);
    for (const item of pods.items) expect(item.kind).toBeUndefined();
    expect((await save('deployments.json', `/apis/apps/v1/namespaces/${ns}/deployments`)).kind).toBe('DeploymentList');
    expect((await save('netpol.json', `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies`)).kind).toBe('NetworkPolicyList');
    await save('namespace.json', `/api/v1/namespaces/${ns}`);

    const out = path.join(dir, 'out');
    const t = io(dir);
    expect(await main(['run', '--manifests', dir, '--history', 'none', '--no-notify', '--format', 'json', '--out', out, '-q'], t.cli)).toBe(0);
    expect(t.err()).toBe('');
    const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as { run: { notes: string[] }; findings: Array<{ check: string; resource: { kind: string; namespace?: string; name: string } }> };
    // A manifests run names no cluster version: the one note says Pod Security is judged at the newest policy.
    expect(report.run.notes).toEqual(['Pod Security judged at v1.37, the newest policy ztaudit knows: the cluster version is unknown; set cluster.version (or --cluster-version)']);
    const pss = report.findings.filter((f) => f.check.startsWith('pod-security.') && f.resource.namespace === ns);
    // nginx without a securityContext falls short of the default target, restricted: one finding per workload.
    // Without limits and with a writable root filesystem, the hardening checks name the same two workloads.
    expect(pss.map((f) => `${f.check} ${f.resource.kind}/${f.resource.name}`).sort()).toEqual([
      'pod-security.pod-violates-target Deployment/db',
      'pod-security.pod-violates-target Deployment/web',
      'pod-security.resource-limits-missing Deployment/db',
      'pod-security.resource-limits-missing Deployment/web',
      'pod-security.writable-root-filesystem Deployment/db',
      'pod-security.writable-root-filesystem Deployment/web',
    ]);
    expect(report.findings.filter((f) => f.resource.kind === 'ReplicaSet' || f.resource.kind === 'Pod')).toEqual([]);

    for (const from of [`${ns}/web-${hashB}-fghij`, `${ns}/web-${hashA}`, `${ns}/web`]) {
      const r = io(dir);
      expect(await main(['reach', '--manifests', dir, '--from', from, '--to', `${ns}/db-${hashA}-klmno`, '--port', '8080'], r.cli)).toBe(0);
      expect(r.out()).toContain(`ALLOWED: ${ns}/web[Deployment] -> ${ns}/db[Deployment] on 8080/TCP`);
      if (from !== `${ns}/web`) expect(r.out()).toMatch(new RegExp(`note: ${from} is a (pod|ReplicaSet) of Deployment ${ns}/web`));
    }
    const denied = io(dir);
    expect(await main(['reach', '--manifests', dir, '--from', `${ns}/web`, '--to', `${ns}/db`, '--port', '5432'], denied.cli)).toBe(1);
  });
});
