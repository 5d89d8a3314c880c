// The Helm chart against a real kube-apiserver: every rendered object is accepted (the pod
// template also as a real Pod under Pod Security Admission `restricted`, with no warnings),
// the chart's own ServiceAccount — with a TokenRequest token and nothing but the chart's RBAC —
// collects every built-in kind, runs a full audit that it stores in the k8s history store,
// and ztaudit finds nothing wrong with the chart's own objects in the live cluster.
import { beforeAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../../checks/index.ts';
import { KINDS, kindForManifest } from '../../src/snapshot/kinds.ts';
import { collectLive } from '../../src/collect/live.ts';
import { defaultConfig } from '../../src/config/types.ts';
import { openRunStore } from '../../src/history/store.ts';
import { runPipeline } from '../../src/pipeline/pipeline.ts';
import type { KubeObject, Snapshot } from '../../src/snapshot/types.ts';
import { findHelm, renderChart } from '../helm/helm.ts';
import { Admin, apiRequest, describeCluster, tokenKubeconfig, uniqueName, type ApiResult } from './env.ts';
import { diffStep } from '../unit/pipeline/diff-step.ts';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- raw API JSON

const EXTRA: Record<string, { resource: string; namespaced: boolean }> = {
  '/ConfigMap': { resource: 'configmaps', namespaced: true },
  '/PersistentVolumeClaim': { resource: 'persistentvolumeclaims', namespaced: true },
  '/Pod': { resource: 'pods', namespaced: true },
};

function collectionOf(o: KubeObject): string {
  const apiVersion = String(o.apiVersion);
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
  const spec = kindForManifest(apiVersion, String(o.kind)) ?? EXTRA[`${group}/${o.kind}`];
  if (!spec) throw new Error(`no collection known for ${apiVersion} ${o.kind}`);
  const prefix = group ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return spec.namespaced ? `${prefix}/namespaces/${o.metadata?.namespace}/${spec.resource}` : `${prefix}/${spec.resource}`;
}

const { helm } = findHelm('the chart against the real apiserver (test/cluster/helm-chart.test.ts)');

describeCluster('Helm chart on a real kube-apiserver', (cluster) => {
  const admin = new Admin(cluster);
  const ns = uniqueName('ztaudit-chart');
  const serveNs = uniqueName('ztaudit-serve');
  const release = uniqueName('zt');
  let cronObjects: KubeObject[] = [];
  let serveObjects: KubeObject[] = [];
  const created: Array<{ o: KubeObject; r: ApiResult }> = [];

  async function apply(objects: KubeObject[]): Promise<void> {
    for (const o of objects) created.push({ o, r: await admin.request('POST', collectionOf(o), o) });
  }

  beforeAll(async () => {
    if (!helm) return;
    // As docs/deploy.md has it: the namespace enforces (and warns at) the restricted level.
    const psa = { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted' };
    await admin.namespace(ns, psa);
    await admin.namespace(serveNs, psa);
    cronObjects = renderChart(helm, { history: { type: 'k8s' } }, { release, namespace: ns });
    serveObjects = renderChart(helm, {
      mode: 'serve', history: { type: 'sqlite' },
      // A private CA bundle for the probes, from a ConfigMap (run.probeCaBundle): an optional volume of one key.
      run: { probeTls: true, probeCaBundle: { configMap: 'corp-ca' } },
      notifications: { existingSecret: 'ztaudit-notify', slack: { enabled: true, channel: '#sec' }, email: { enabled: true, to: ['sec@example.com'] } },
      networkPolicy: { enabled: true, apiServer: { cidrs: ['127.0.0.1/32'], ports: [443, 6443] }, serveIngressFrom: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }] },
    }, { release: `${release}-s`, namespace: serveNs });
    await apply(cronObjects);
    await apply(serveObjects);
  });

  describe.skipIf(!helm)('with the pinned helm', () => {
    it('the apiserver accepts every rendered object, without warnings', () => {
      const kinds = new Set(created.map(({ o }) => o.kind));
      for (const k of ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'ConfigMap', 'NetworkPolicy', 'CronJob', 'Deployment', 'Service', 'PersistentVolumeClaim']) expect(kinds, k).toContain(k);
      for (const { o, r } of created) {
        expect(r.status, `${o.kind} ${o.metadata?.name}: ${JSON.stringify(r.body?.message ?? '')}`).toBe(201);
        expect(r.headers.warning, `${o.kind} ${o.metadata?.name}`).toBeUndefined();
      }
      const [cj] = created.filter(({ o }) => o.kind === 'CronJob').map(({ r }) => r.body as Obj);
      expect(cj!.spec.concurrencyPolicy).toBe('Forbid');
      const [deployment] = created.filter(({ o }) => o.kind === 'Deployment').map(({ r }) => r.body as Obj);
      expect(deployment!.spec.template.spec.volumes).toContainEqual(expect.objectContaining({ name: 'probe-ca', configMap: expect.objectContaining({ name: 'corp-ca', items: [{ key: 'ca.crt', path: 'ca.crt' }], optional: true }) }));
    });

    it("the auditor's pod, as a real Pod, is admitted at Pod Security 'restricted'", async () => {
      for (const [objects, namespace] of [[cronObjects, ns], [serveObjects, serveNs]] as const) {
        const owner = objects.find((o) => o.kind === 'CronJob' || o.kind === 'Deployment') as Obj;
        const template = owner.kind === 'CronJob' ? owner.spec.jobTemplate.spec.template : owner.spec.template;
        const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: `${owner.metadata.name}-probe`, namespace, labels: template.metadata.labels }, spec: { ...template.spec, restartPolicy: template.spec.restartPolicy ?? 'Always' } };
        const r = await admin.request('POST', collectionOf(pod), pod);
        expect(r.status, JSON.stringify(r.body?.message ?? '')).toBe(201);
        expect(r.headers.warning).toBeUndefined();
        // The token is mounted (the pod needs it); the ServiceAccount itself does not automount.
        expect((r.body.spec.volumes as Obj[]).some((v) => v.projected?.sources?.some((s: Obj) => s.serviceAccountToken))).toBe(true);
      }
      // Control: the same namespace refuses a pod that drops the hardening.
      const bad = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'root-probe', namespace: ns }, spec: { serviceAccountName: 'default', containers: [{ name: 'c', image: 'x' }] } };
      expect((await admin.request('POST', collectionOf(bad), bad)).status).toBe(403);
    });

    describe("the chart's ServiceAccount with a TokenRequest token", () => {
      let kubeconfigPath = '';
      let snapshot: Snapshot;
      beforeAll(async () => {
        const sa = cronObjects.find((o) => o.kind === 'ServiceAccount')!;
        const token = await admin.serviceAccountToken(ns, sa.metadata!.name!);
        kubeconfigPath = tokenKubeconfig(cluster.server, cluster.caPem, token, 'chart-sa');
        snapshot = await collectLive({ kubeconfigPath });
      });

      it('collects every built-in kind (ok), and no kind is forbidden', () => {
        for (const k of KINDS) {
          const c = snapshot.coverage[k.key];
          if (k.builtin) expect(c?.status, `${k.key}: ${c?.detail ?? ''}`).toBe('ok');
          else expect(['ok', 'absent'], `${k.key}: ${c?.status} ${c?.detail ?? ''}`).toContain(c?.status);
        }
        expect(snapshot.resources.cronjobs?.some((o) => o.metadata?.namespace === ns)).toBe(true);
      });

      it('runs a full audit and stores it in the k8s history store its Role allows', async () => {
        const history = cronObjects.find((o) => o.kind === 'CronJob') as Obj;
        const args = history.spec.jobTemplate.spec.template.spec.containers[0].args as string[];
        const url = args[args.indexOf('--history') + 1]!;
        expect(url).toBe(`k8s://${ns}-history/${release}-ztaudit-history`);
        const store = await openRunStore(url, { kubeconfigPath });
        const log = { info: () => {}, warn: () => {}, progress: () => {} };
        try {
          const edges = {
            collect: () => collectLive({ kubeconfigPath }), store,
            diff: diffStep(defaultConfig().regression),
            render: async () => [], notifiers: [], log, now: () => new Date(),
          };
          const first = await runPipeline(defaultConfig(), CHECKS, edges);
          const second = await runPipeline(defaultConfig(), CHECKS, edges);
          expect((await store.latest())?.run.id).toBe(second.report.run.id);
          expect(second.report.diff?.previousRunId).toBe(first.report.run.id);
          expect(first.report.checks.filter((c) => c.area !== 'tls' && c.area !== 'mtls').every((c) => c.status !== 'not-evaluated')).toBe(true);
        } finally {
          await store.close();
        }
        // Its write access ends at the history namespace: not even its own config in the release namespace.
        const token = /token: (\S+)/.exec((await import('node:fs')).readFileSync(kubeconfigPath, 'utf8'))![1]!;
        const cm = (n: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'probe', namespace: n } });
        expect((await apiRequest(cluster, token, 'POST', `/api/v1/namespaces/${serveNs}/configmaps`, cm(serveNs))).status).toBe(403);
        expect((await apiRequest(cluster, token, 'POST', `/api/v1/namespaces/${ns}/configmaps`, cm(ns))).status).toBe(403);
        expect((await apiRequest(cluster, token, 'DELETE', `/api/v1/namespaces/${ns}/configmaps/${release}-ztaudit-config`)).status).toBe(403);
        expect((await apiRequest(cluster, token, 'GET', '/api/v1/secrets')).status).toBe(403);
      });

      it("ztaudit finds nothing wrong with the chart's own objects in the live cluster (network, pod-security, rbac)", async () => {
        const log = { info: () => {}, warn: () => {}, progress: () => {} };
        const { report } = await runPipeline(defaultConfig(), CHECKS, {
          collect: async () => snapshot, store: null, diff: () => { throw new Error('unused'); }, render: async () => [], notifiers: [], log, now: () => new Date(),
        });
        const mine = new Set(cronObjects.filter((o) => !o.metadata?.namespace).map((o) => `${o.kind}/${o.metadata?.name}`));
        const ours = report.findings.filter((f) => ['network', 'pod-security', 'rbac'].includes(f.area)
          && (f.resource.namespace === ns || (f.resource.kind === 'Namespace' && f.resource.name === ns) || mine.has(`${f.resource.kind}/${f.resource.name}`)
            || JSON.stringify(f.evidence ?? {}).includes(`${release}-ztaudit`)));
        expect(ours.map((f) => `${f.check} ${f.resource.kind}/${f.resource.namespace ?? ''}/${f.resource.name}: ${f.message}`)).toEqual([]);
        // Not vacuous: the auditor's CronJob was evaluated by the pod-security checks.
        expect(report.checks.find((c) => c.id === 'pod-security.pod-violates-target')?.evaluated).toBeGreaterThan(0);
      });
    });
  });
});
