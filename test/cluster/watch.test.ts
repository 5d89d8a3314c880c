// serve --watch against the real kube-apiserver: creating, updating and deleting an object of
// every built-in collected kind (and a CRD kind) reaches the in-memory snapshot; a watch from
// a too-old resourceVersion is answered 410 Gone and the kind is re-listed; a revoked `watch`
// permission makes the kind 'forbidden' and its checks not evaluated until it is restored;
// and end to end, `ztaudit serve --watch` (a real process) alerts the local Slack stand-in
// within seconds when a default-deny NetworkPolicy is deleted, naming the deletion, marks the
// run as a watch run in `ztaudit history`, and exports the watch metrics.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../../checks/index.ts';
import { ClusterWatch, describeChange } from '../../src/collect/watch.ts';
import { liveConfigMapRefs } from '../../src/cli/source.ts';
import { auditorClusterRoleRules, type PolicyRule } from '../../src/collect/rbac-rules.ts';
import { defaultConfig } from '../../src/config/types.ts';
import { runChecks } from '../../src/engine/run.ts';
import { KINDS, type KindKey } from '../../src/snapshot/kinds.ts';
import type { KubeObject } from '../../src/snapshot/types.ts';
import { startFakeSlack, type FakeSlack } from '../unit/notify/slack-server.ts';
import { installMeshAndGatewayCrds } from './crds.ts';
import { Admin, apiRequest, collectionPath, describeCluster, restartApiserver, scratchDir, tokenKubeconfig, uniqueName } from './env.ts';

const BIN = join(import.meta.dirname, '../../bin/ztaudit.cjs');

async function waitFor<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const t0 = Date.now();
  for (;;) {
    const v = await probe();
    if (v) return v as NonNullable<T>;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const silentLog = () => {
  const lines: string[] = [];
  const push = (level: string) => (msg: string) => { lines.push(`${level} ${msg}`); };
  return { lines, log: { info: push('info'), warn: push('warn'), error: push('error'), debug: () => {}, progress: () => {} } as never };
};

describeCluster('serve --watch against a real kube-apiserver', (cluster) => {
  const admin = new Admin(cluster);
  const ns = uniqueName('watch');

  beforeAll(async () => {
    await admin.namespace(ns);
    await installMeshAndGatewayCrds(admin);
    await admin.waitForResource('security.istio.io', 'v1', 'peerauthentications');
  });

  describe('the in-memory snapshot follows the cluster', () => {
    let watch: ClusterWatch;
    const requests: string[] = [];
    const { lines, log } = silentLog();

    beforeAll(async () => {
      watch = new ClusterWatch({ kubeconfigPath: cluster.kubeconfigPath, log, onRequest: (_m, p) => requests.push(p), backoff: { baseMs: 100, maxMs: 1000 } });
      await watch.start();
      return () => watch.stop();
    });

    const pod = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'registry.example/app:1' }] } });
    const template = (app: string) => ({ metadata: { labels: { app } }, spec: { containers: [{ name: 'app', image: 'registry.example/app:1' }] } });
    const name = uniqueName('w');
    // One object of every built-in collected kind, plus a CRD kind.
    const objects: Record<string, KubeObject> = {
      namespaces: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `${name}-ns` } },
      pods: pod(name),
      nodes: { apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: { podCIDR: '10.250.7.0/24', podCIDRs: ['10.250.7.0/24'] } },
      services: { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { clusterIP: 'None', selector: { app: name }, ports: [{ port: 80 }] } },
      serviceaccounts: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: ns } },
      replicationcontrollers: { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name, namespace: ns }, spec: { replicas: 0, selector: { app: name }, template: template(name) } },
      replicasets: { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, namespace: ns }, spec: { replicas: 0, selector: { matchLabels: { app: name } }, template: template(name) } },
      deployments: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns }, spec: { replicas: 0, selector: { matchLabels: { app: name } }, template: template(name) } },
      statefulsets: { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name, namespace: ns }, spec: { replicas: 0, serviceName: name, selector: { matchLabels: { app: name } }, template: template(name) } },
      daemonsets: { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name, namespace: ns }, spec: { selector: { matchLabels: { app: name } }, template: template(name) } },
      jobs: { apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: ns }, spec: { suspend: true, template: { ...template(name), spec: { ...template(name).spec, restartPolicy: 'Never' } } } },
      cronjobs: { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name, namespace: ns }, spec: { schedule: '0 0 1 1 *', suspend: true, jobTemplate: { spec: { template: { ...template(name), spec: { ...template(name).spec, restartPolicy: 'Never' } } } } } },
      limitranges: { apiVersion: 'v1', kind: 'LimitRange', metadata: { name, namespace: ns }, spec: { limits: [{ type: 'Container', default: { memory: '512Mi' } }] } },
      networkpolicies: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec: { podSelector: {}, policyTypes: ['Ingress'] } },
      ingresses: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, namespace: ns }, spec: { defaultBackend: { service: { name, port: { number: 80 } } } } },
      ingressclasses: { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name }, spec: { controller: 'example.com/ingress' } },
      roles: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace: ns }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] },
      clusterroles: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] },
      rolebindings: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name, namespace: ns }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name }, subjects: [{ kind: 'ServiceAccount', name, namespace: ns }] },
      clusterrolebindings: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name }, subjects: [{ kind: 'ServiceAccount', name, namespace: ns }] },
      mutatingwebhookconfigurations: { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name }, webhooks: [] },
      // Hand-written (not the EndpointSlice controller's, which the collector's label selector leaves out)
      endpointslices: { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name, namespace: ns, labels: { 'kubernetes.io/service-name': name, 'endpointslice.kubernetes.io/managed-by': 'staff.example.com' } }, addressType: 'IPv4', endpoints: [{ addresses: ['203.0.113.10'] }], ports: [{ port: 5432, protocol: 'TCP' }] },
      'istio.peerauthentications': { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name, namespace: ns }, spec: { mtls: { mode: 'STRICT' } } },
      'cilium.cidrgroups': { apiVersion: 'cilium.io/v2', kind: 'CiliumCIDRGroup', metadata: { name }, spec: { externalCIDRs: ['203.0.113.0/24'] } },
      'calico.ippools': { apiVersion: 'crd.projectcalico.org/v1', kind: 'IPPool', metadata: { name }, spec: { cidr: '192.168.0.0/16', allowedUses: ['Workload', 'Tunnel'] } },
      'traefik.ingressroutetcps': { apiVersion: 'traefik.io/v1alpha1', kind: 'IngressRouteTCP', metadata: { name, namespace: ns }, spec: { entryPoints: ['websecure'], routes: [{ match: 'HostSNI(`*`)', services: [{ name, port: 5432 }] }], tls: { passthrough: true } } },
      'traefik.middlewaretcps': { apiVersion: 'traefik.io/v1alpha1', kind: 'MiddlewareTCP', metadata: { name, namespace: ns }, spec: { ipAllowList: { sourceRange: ['203.0.113.0/24'] } } },
      'contour.contourconfigurations': { apiVersion: 'projectcontour.io/v1alpha1', kind: 'ContourConfiguration', metadata: { name, namespace: ns }, spec: { envoy: { listener: { tls: { minimumProtocolVersion: '1.2' } } } } },
      'gke.frontendconfigs': { apiVersion: 'networking.gke.io/v1beta1', kind: 'FrontendConfig', metadata: { name, namespace: ns }, spec: { sslPolicy: 'tls12-modern' } },
      'gke.gcpgatewaypolicies': { apiVersion: 'networking.gke.io/v1', kind: 'GCPGatewayPolicy', metadata: { name, namespace: ns }, spec: { default: { sslPolicy: 'tls12-modern' }, targetRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name } } },
      'envoygateway.clienttrafficpolicies': { apiVersion: 'gateway.envoyproxy.io/v1alpha1', kind: 'ClientTrafficPolicy', metadata: { name, namespace: ns }, spec: { targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name }], tls: { minVersion: '1.2' } } },
    };

    it('covers every built-in collected kind', () => {
      const builtin = KINDS.filter((k) => k.builtin && !('byNameOnly' in k && k.byNameOnly)).map((k) => k.key);
      expect(Object.keys(objects).filter((k) => builtin.includes(k as never)).sort()).toEqual([...builtin].sort());
      const snap = watch.snapshot();
      for (const key of Object.keys(objects)) expect(snap.coverage[key as KindKey]?.status, key).toBe('ok');
    });

    it('create, update and delete of each kind reach the snapshot, each as a named change', async () => {
      watch.takeChanges();
      const find = (key: string, o: KubeObject) => watch.snapshot().resources[key as KindKey]?.find((x) => x.metadata?.name === o.metadata?.name && (x.metadata?.namespace ?? '') === (o.metadata?.namespace ?? ''));
      for (const [key, o] of Object.entries(objects)) await admin.create(o);
      for (const [key, o] of Object.entries(objects)) await waitFor(`${key} created`, () => find(key, o));
      const created = watch.takeChanges();
      for (const [key, o] of Object.entries(objects)) {
        expect(created.kinds.has(key as KindKey), key).toBe(true);
        expect(created.changes.some((c) => c.kind === key && c.type === 'created' && c.name === o.metadata?.name), key).toBe(true);
      }

      const path = (o: KubeObject) => `${collectionPath(o)}/${o.metadata!.name}`;
      for (const [, o] of Object.entries(objects)) {
        const cur = (await admin.request('GET', path(o))).body;
        cur.metadata.labels = { ...cur.metadata.labels, watched: 'yes' };
        const r = await admin.request('PUT', path(o), cur);
        expect(r.status, `${o.kind}: ${JSON.stringify(r.body?.message)}`).toBe(200);
      }
      for (const [key, o] of Object.entries(objects)) await waitFor(`${key} updated`, () => find(key, o)?.metadata?.labels?.watched === 'yes');
      const updated = watch.takeChanges();
      for (const key of Object.keys(objects)) expect(updated.changes.some((c) => c.kind === key && c.type === 'updated'), key).toBe(true);

      for (const [key, o] of Object.entries(objects)) {
        if (key === 'namespaces') continue; // a namespace is finalised by the controller-manager, which does not run here
        const r = await admin.request('DELETE', path(o), { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' });
        expect([200, 202], `${o.kind}`).toContain(r.status);
      }
      for (const [key, o] of Object.entries(objects)) if (key !== 'namespaces') await waitFor(`${key} deleted`, () => !find(key, o));
      const deleted = watch.takeChanges();
      expect(deleted.changes.find((c) => c.kind === 'networkpolicies' && c.type === 'deleted')).toMatchObject({ namespace: ns, name });
      expect(deleted.changes.filter((c) => c.type === 'deleted').map((c) => c.kind).sort()).toEqual(Object.keys(objects).filter((k) => k !== 'namespaces').sort());
      expect(watch.metrics().events.pods).toBeGreaterThanOrEqual(3);
    });

    it('re-lists a kind when its watch is answered 410 Gone (a too-old resourceVersion), and keeps following it', { timeout: 180_000 }, async () => {
      // A restarted kube-apiserver starts its watch cache at the current revision: older
      // versions are gone from it (meanwhile every watch reconnects, with backoff).
      await restartApiserver(cluster);
      requests.length = 0;
      watch.rewatchFrom('serviceaccounts', '1');
      await waitFor('the 410 re-list', () => lines.some((l) => l.includes('watch serviceaccounts: resourceVersion 1 is too old (410 Gone); re-listing')), 60_000);
      const watchAt = requests.findIndex((p) => p.startsWith('/api/v1/serviceaccounts?watch=1') && p.includes('resourceVersion=1&'));
      expect(watchAt).toBeGreaterThanOrEqual(0);
      await waitFor('the list after the 410', () => requests.slice(watchAt + 1).some((p) => p.startsWith('/api/v1/serviceaccounts?limit=')));
      // The watch resumes from the list's resourceVersion: new objects keep arriving.
      const sa = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: uniqueName('after-410'), namespace: ns } };
      await admin.create(sa);
      await waitFor('a ServiceAccount created after the re-list', () => watch.snapshot().resources.serviceaccounts?.some((o) => o.metadata?.name === sa.metadata.name));
      expect(watch.snapshot().coverage.serviceaccounts?.status).toBe('ok');
    });
  });

  describe('a revoked watch permission', () => {
    const role = `${ns}-watcher`;
    let token = '';
    // The chart's role, without `watch` on NetworkPolicies.
    const withoutWatch = (): PolicyRule[] => auditorClusterRoleRules().flatMap((r) => {
      if (!r.apiGroups?.includes('networking.k8s.io')) return [r];
      return [
        { ...r, resources: r.resources!.filter((x) => x !== 'networkpolicies') },
        { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['get', 'list'] },
      ];
    });

    async function setRules(rules: PolicyRule[], canWatch: boolean): Promise<void> {
      const current = (await admin.request('GET', `/apis/rbac.authorization.k8s.io/v1/clusterroles/${role}`)).body;
      current.rules = rules;
      expect((await admin.request('PUT', `/apis/rbac.authorization.k8s.io/v1/clusterroles/${role}`, current)).status).toBe(200);
      await waitFor('the RBAC change', async () => ((await apiRequest(cluster, token, 'GET', '/apis/networking.k8s.io/v1/networkpolicies?watch=1&timeoutSeconds=1')).status === 200) === canWatch);
    }

    it('makes the kind forbidden and its checks not evaluated, until the permission is back', async () => {
      token = await admin.clusterRoleAccount(ns, 'watcher', role, withoutWatch());
      await waitFor('the role to apply', async () => (await apiRequest(cluster, token, 'GET', '/apis/networking.k8s.io/v1/networkpolicies?limit=1')).status === 200);
      const { log } = silentLog();
      const watch = new ClusterWatch({ kubeconfigPath: tokenKubeconfig(cluster.server, cluster.caPem, token, 'watcher'), log, backoff: { baseMs: 100, maxMs: 500 } });
      try {
        await watch.start();
        const forbidden = await waitFor('networkpolicies forbidden', () => {
          const c = watch.snapshot().coverage.networkpolicies;
          return c?.status === 'forbidden' ? c : null;
        });
        expect(forbidden.detail).toBe('watch networkpolicies.networking.k8s.io at cluster scope');
        expect(watch.metrics().watching.networkpolicies).toBe(false);
        expect(watch.snapshot().coverage.pods?.status).toBe('ok');
        const ctx = { snapshot: watch.snapshot(), config: defaultConfig(), now: new Date() };
        const outcome = runChecks(CHECKS.filter((c) => c.id === 'network.namespace-default-deny-ingress'), ctx)[0]!;
        expect(outcome.status).toBe('not-evaluated');
        expect(outcome.reason).toContain('networkpolicies: forbidden (watch networkpolicies.networking.k8s.io at cluster scope)');
        expect(watch.takeChanges().kinds.has('networkpolicies')).toBe(true);

        await setRules(auditorClusterRoleRules(), true);
        await waitFor('networkpolicies ok again', () => watch.snapshot().coverage.networkpolicies?.status === 'ok');
        expect(watch.metrics().watching.networkpolicies).toBe(true);
        const again = runChecks(CHECKS.filter((c) => c.id === 'network.namespace-default-deny-ingress'), { snapshot: watch.snapshot(), config: defaultConfig(), now: new Date() })[0]!;
        expect(['pass', 'fail']).toContain(again.status);
      } finally {
        await watch.stop();
      }
    });
  });

  describe('a ConfigMap a watched change newly names (an ingress-nginx --configmap)', () => {
    // ingress-nginx reads its settings (ssl-protocols) from the ConfigMap its --configmap flag
    // names (kubernetes/ingress-nginx docs/user-guide/cli-arguments.md, --configmap; tag
    // controller-v1.11.2). Patching the flag to another name changes which ConfigMap is in force:
    // a watch run must judge the one now named (read by name first), or say it cannot.
    const edge = uniqueName('edge');
    const controller = (configMap: string): KubeObject => ({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'ingress-nginx-controller', namespace: edge },
      spec: {
        replicas: 0, selector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
        template: {
          metadata: { labels: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' } },
          spec: { containers: [{ name: 'controller', image: 'registry.k8s.io/ingress-nginx/controller:v1.11.2', args: ['/nginx-ingress-controller', `--configmap=$(POD_NAMESPACE)/${configMap}`, '--ingress-class=nginx'], env: [{ name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } }] } ] },
        },
      },
    });
    const deploymentPath = () => `/apis/apps/v1/namespaces/${edge}/deployments/ingress-nginx-controller`;
    const legacy = (snapshot: ReturnType<ClusterWatch['snapshot']>) => runChecks(CHECKS.filter((c) => c.id === 'tls.legacy-protocol-enabled'), { snapshot, config: defaultConfig(), now: new Date() })[0]!;
    let watch: ClusterWatch;

    beforeAll(async () => {
      await admin.namespace(edge);
      await admin.createAll([
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ingress-nginx-controller', namespace: edge }, data: { 'ssl-protocols': 'TLSv1.2 TLSv1.3' } },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'nginx-configuration', namespace: edge }, data: { 'ssl-protocols': 'TLSv1 TLSv1.1 TLSv1.2' } },
        { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: `${edge}-nginx` }, spec: { controller: 'k8s.io/ingress-nginx' } },
        { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'shop', namespace: edge }, spec: { ingressClassName: `${edge}-nginx`, tls: [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }], rules: [{ host: 'shop.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] } },
        controller('ingress-nginx-controller'),
      ], 1);
      // The chart's role: ConfigMaps by name only (KNOWN_CONFIGMAP_NAMES), my-nginx-cm not among them.
      const token = await admin.clusterRoleAccount(edge, 'auditor', `${edge}-auditor`, auditorClusterRoleRules());
      await waitFor('the role to apply', async () => (await apiRequest(cluster, token, 'GET', `/api/v1/namespaces/${edge}/configmaps/nginx-configuration`)).status === 200);
      const { log } = silentLog();
      watch = new ClusterWatch({ kubeconfigPath: tokenKubeconfig(cluster.server, cluster.caPem, token, 'auditor'), log, configMapRefs: liveConfigMapRefs(defaultConfig()), backoff: { baseMs: 100, maxMs: 1000 } });
      await watch.start();
      return () => watch.stop();
    });

    async function patchConfigMapFlag(name: string): Promise<void> {
      const cur = (await admin.request('GET', deploymentPath())).body;
      cur.spec.template.spec.containers[0].args[1] = `--configmap=$(POD_NAMESPACE)/${name}`;
      const r = await admin.request('PUT', deploymentPath(), cur);
      expect(r.status, JSON.stringify(r.body?.message)).toBe(200);
      await waitFor('the Deployment change to reach the watch', () => watch.snapshot().resources.deployments?.some((d) => d.metadata?.namespace === edge && JSON.stringify(d).includes(`/${name}"`)));
    }

    it('patched to another ConfigMap the role grants: read before the re-audit, judged on it (not passed as absent), the changes named truly', async () => {
      expect(legacy(watch.snapshot()).status).toBe('pass');
      watch.takeChanges();
      await patchConfigMapFlag('nginx-configuration');
      await watch.readReferencedConfigMaps();
      const batch = watch.takeChanges();
      const snapshot = watch.snapshot();
      expect(snapshot.coverage.configmaps?.status).toBe('ok');
      const outcome = legacy(snapshot);
      expect(outcome.status).toBe('fail');
      expect(snapshot.resources.configmaps?.map((c) => `${c.metadata?.namespace}/${c.metadata?.name}`)).toContain(`${edge}/nginx-configuration`);
      expect(outcome.results.filter((r) => r.status === 'fail').map((r) => r.message).join('\n')).toContain('TLSv1, TLSv1.1');
      // Both ConfigMaps exist before and after: neither is said created or deleted.
      const said = batch.changes.map(describeChange);
      expect(said).toContain(`Deployment ${edge}/ingress-nginx-controller updated`);
      expect(said).toContain(`ConfigMap ${edge}/nginx-configuration now referenced`);
      expect(said).toContain(`ConfigMap ${edge}/ingress-nginx-controller no longer referenced`);
      expect(said.filter((c) => c.startsWith('ConfigMap') && /(created|deleted)$/.test(c))).toEqual([]);
      expect(batch.kinds.has('configmaps')).toBe(true);
    });

    it('patched to a ConfigMap the role refuses: its checks are not evaluated (not passed); the flag set back, coverage ok again', async () => {
      await patchConfigMapFlag('my-nginx-cm');
      await watch.readReferencedConfigMaps();
      const refused = watch.snapshot();
      expect(refused.coverage.configmaps?.status).toBe('forbidden');
      expect(refused.coverage.configmaps?.detail).toContain(`${edge}/my-nginx-cm`);
      expect(legacy(refused).status).toBe('not-evaluated');
      watch.takeChanges();

      await patchConfigMapFlag('ingress-nginx-controller');
      await watch.readReferencedConfigMaps();
      const back = watch.snapshot();
      expect(back.coverage.configmaps?.status).toBe('ok');
      expect(legacy(back).status).toBe('pass');
      expect(watch.takeChanges().changes.map(describeChange)).toContain(`ConfigMap ${edge}/my-nginx-cm no longer referenced`);
    });
  });

  describe('ztaudit serve --watch, end to end', () => {
    let slack: FakeSlack;
    const shop = uniqueName('shop');
    const dir = scratchDir('serve-watch');
    let child: ReturnType<typeof spawn> | null = null;
    let stderr = '';

    beforeAll(async () => {
      slack = await startFakeSlack();
      await admin.namespace(shop);
      await admin.createAll([
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: shop, labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'registry.example/web:1' }] } },
        { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'default-deny', namespace: shop }, spec: { podSelector: {}, policyTypes: ['Ingress'] } },
      ], 1);
      writeFileSync(join(dir, 'ztaudit.yaml'), 'watch: {debounceSeconds: 1}\nnotify: {policy: regression, deadlineSeconds: 20}\n');
    });
    afterAll(async () => {
      if (child && child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child!.once('exit', r));
      }
      await slack.close();
    });

    const metrics = (port: number) => new Promise<string>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: '/metrics' }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => { body += c.toString('utf8'); });
        res.on('end', () => resolve(body));
      }).on('error', reject);
    });

    it('alerts Slack within seconds of a default-deny NetworkPolicy being deleted, naming the deletion', async () => {
      child = spawn(process.execPath, [BIN, 'serve', '--watch', '--kubeconfig', cluster.kubeconfigPath, '--schedule', '0 0 1 1 *', '--port', '0',
        '--history', 'h.db', '--out', 'out', '--format', 'json'], {
        cwd: dir, stdio: ['ignore', 'ignore', 'pipe'],
        env: { PATH: process.env.PATH, HOME: dir, ZTAUDIT_SLACK_TOKEN: 'xoxb-test', ZTAUDIT_SLACK_CHANNEL: 'C0SEC', ZTAUDIT_SLACK_API_URL: slack.apiUrl },
      });
      child.stderr!.on('data', (c: Buffer) => { stderr += c.toString('utf8'); });
      await waitFor('the start-up run', () => stderr.includes('"event":"run-finished"'), 90_000);
      const port = Number(/"event":"serve-start"[^\n]*"port":(\d+)/.exec(stderr)?.[1] ?? 0);
      expect(port).toBeGreaterThan(0);
      expect(stderr).toContain('"event":"watch-start"');
      const before = slack.calls.filter((c) => c.path.endsWith('chat.postMessage')).length;

      const t0 = performance.now();
      const del = await admin.request('DELETE', `/apis/networking.k8s.io/v1/namespaces/${shop}/networkpolicies/default-deny`);
      expect(del.status).toBe(200);
      const message = await waitFor('the regression on Slack', () => slack.calls.filter((c) => c.path.endsWith('chat.postMessage')).slice(before).find((c) => String(c.fields.text).includes('regression')), 60_000);
      const seconds = (performance.now() - t0) / 1000;
      process.stderr.write(`serve --watch: default-deny deleted -> Slack regression in ${seconds.toFixed(2)} s (debounce 1 s)\n`);
      expect(String(message.fields.text)).toContain(`caused by NetworkPolicy ${shop}/default-deny deleted`);
      expect(JSON.stringify(message.fields.blocks)).toContain('Caused by');
      expect(JSON.stringify(message.fields.blocks)).toContain(`network.namespace-default-deny-ingress`);

      // Stored and marked as a watch run.
      await waitFor('the run to settle', () => stderr.split('"event":"run-finished"').length >= 3, 30_000);
      const history = spawnSync(process.execPath, [BIN, 'history', '--history', 'h.db'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: dir } });
      expect(history.status, history.stderr).toBe(0);
      expect(history.stdout).toMatch(/REGRESSION \(watch\)/);
      expect(history.stdout.trim().split('\n')).toHaveLength(3); // header, the start-up run, the watch run

      const text = await metrics(port);
      expect(text).toMatch(/^ztaudit_watch_events_total\{kind="networkpolicies"\} [1-9]\d*$/m);
      expect(text).toMatch(/^ztaudit_watch_lag_seconds \d/m);
      expect(text).toMatch(/^ztaudit_watch_up\{kind="pods"\} 1$/m);
    });

    it('a change that leaves the findings as they are is audited but not stored, and not alerted', async () => {
      const posts = slack.calls.filter((c) => c.path.endsWith('chat.postMessage')).length;
      const runs = stderr.split('"event":"watch-run"').length;
      const web = (await admin.request('GET', `/api/v1/namespaces/${shop}/pods/web`)).body;
      web.metadata.annotations = { ...web.metadata.annotations, 'example.com/note': 'touched' };
      expect((await admin.request('PUT', `/api/v1/namespaces/${shop}/pods/web`, web)).status).toBe(200);
      await waitFor('the watch run', () => stderr.split('"event":"watch-run"').length > runs, 30_000);
      expect(stderr).toContain('not stored (nothing changed)');
      const history = spawnSync(process.execPath, [BIN, 'history', '--history', 'h.db'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: dir } });
      expect(history.stdout.trim().split('\n')).toHaveLength(3);
      expect(slack.calls.filter((c) => c.path.endsWith('chat.postMessage')).length).toBe(posts);
    });

    it('an ingress-nginx controller patched to another --configmap: the watch run judges the ConfigMap now named at once, and the alert names the Deployment', async () => {
      // The reviewer's scene (ingress-nginx reads ssl-protocols from the ConfigMap --configmap names:
      // kubernetes/ingress-nginx docs/user-guide/cli-arguments.md, tag controller-v1.11.2). Before
      // the fix the watch run judged nginx-configuration unread as absent (defaults: a pass, the
      // old finding "resolved"); the timed refresh found it a minute later and the alert said
      // "ConfigMap … created, ConfigMap … deleted" of two ConfigMaps that existed all along.
      const edge = uniqueName('edge');
      await admin.namespace(edge);
      const runs = stderr.split('"event":"watch-run"').length;
      await admin.createAll([
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ingress-nginx-controller', namespace: edge }, data: { 'ssl-protocols': 'TLSv1 TLSv1.1 TLSv1.2' } },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'nginx-configuration', namespace: edge }, data: { 'ssl-protocols': 'TLSv1 TLSv1.1 TLSv1.2', 'ssl-ciphers': 'ECDHE-RSA-AES128-SHA:AES128-SHA' } },
        { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: `${edge}-nginx` }, spec: { controller: 'k8s.io/ingress-nginx' } },
        { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'shop', namespace: edge }, spec: { ingressClassName: `${edge}-nginx`, tls: [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }], rules: [{ host: 'shop.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] } },
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'ingress-nginx-controller', namespace: edge }, spec: { replicas: 0, selector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } }, template: { metadata: { labels: { 'app.kubernetes.io/name': 'ingress-nginx' } }, spec: { containers: [{ name: 'controller', image: 'registry.k8s.io/ingress-nginx/controller:v1.11.2', args: ['/nginx-ingress-controller', '--configmap=$(POD_NAMESPACE)/ingress-nginx-controller'], env: [{ name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } }] }] } } } },
      ], 1);
      await waitFor('the watch run of the new controller', () => stderr.split('"event":"watch-run"').length > runs, 30_000);
      // Any run the objects' arrival split into is over before the patch.
      await new Promise((r) => setTimeout(r, 2_500));
      const before = slack.calls.filter((c) => c.path.endsWith('chat.postMessage')).length;

      const path = `/apis/apps/v1/namespaces/${edge}/deployments/ingress-nginx-controller`;
      const cur = (await admin.request('GET', path)).body;
      cur.spec.template.spec.containers[0].args[1] = '--configmap=$(POD_NAMESPACE)/nginx-configuration';
      const t0 = performance.now();
      expect((await admin.request('PUT', path, cur)).status).toBe(200);
      // Well before the ConfigMap refresh (watch.configMapRefreshSeconds, 60 s).
      const message = await waitFor('the regression on Slack', () => slack.calls.filter((c) => c.path.endsWith('chat.postMessage')).slice(before).find((c) => String(c.fields.text).includes('regression')), 30_000);
      const text = String(message.fields.text);
      process.stderr.write(`serve --watch: --configmap patched -> Slack regression in ${((performance.now() - t0) / 1000).toFixed(2)} s: ${text.slice(0, 400)}\n`);
      expect(text).toContain(`Deployment ${edge}/ingress-nginx-controller updated`);
      expect(text).not.toMatch(/ConfigMap \S+ (created|deleted)/);
      expect(JSON.stringify(message.fields.blocks)).toContain('tls.weak-ciphers');
    });
  });

  describe('ztaudit serve --watch, NetworkPolicies forbidden for a while', () => {
    // docs/deploy.md (serve --watch, a kind that cannot be read): a change made while a kind is
    // unreadable waits for the first watch run that can judge the kind, which names it among
    // the likely causes. network.cni-not-enforcing reads NetworkPolicies best-effort, so the
    // blind run judged it degraded; the run after the regain compares it with the start-up run.
    let slack: FakeSlack;
    const shop = uniqueName('regain');
    const role = `${shop}-auditor`;
    const dir = scratchDir('serve-watch-regain');
    let child: ReturnType<typeof spawn> | null = null;
    let stderr = '';
    let token = '';
    const withoutNetworkPolicies = (): PolicyRule[] => auditorClusterRoleRules().map((r) => (r.apiGroups?.includes('networking.k8s.io') ? { ...r, resources: r.resources!.filter((x) => x !== 'networkpolicies') } : r));
    async function setRules(rules: PolicyRule[], canList: boolean): Promise<void> {
      const current = (await admin.request('GET', `/apis/rbac.authorization.k8s.io/v1/clusterroles/${role}`)).body;
      current.rules = rules;
      expect((await admin.request('PUT', `/apis/rbac.authorization.k8s.io/v1/clusterroles/${role}`, current)).status).toBe(200);
      await waitFor('the RBAC change', async () => ((await apiRequest(cluster, token, 'GET', '/apis/networking.k8s.io/v1/networkpolicies?limit=1')).status === 200) === canList);
    }
    const posts = () => slack.calls.filter((c) => c.path.endsWith('chat.postMessage'));

    beforeAll(async () => {
      slack = await startFakeSlack();
      await admin.namespace(shop);
      // No pods: the deletion's new findings are below regression.newFindingSeverity, so only
      // the network score's drop (regression.areaScoreDrop) makes it a regression.
      await admin.createAll([
        { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'default-deny', namespace: shop }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } },
      ], 1);
      token = await admin.clusterRoleAccount(shop, 'auditor', role, auditorClusterRoleRules());
      await waitFor('the role to apply', async () => (await apiRequest(cluster, token, 'GET', '/apis/networking.k8s.io/v1/networkpolicies?limit=1')).status === 200);
      writeFileSync(join(dir, 'ztaudit.yaml'), 'watch: {debounceSeconds: 1}\nnotify: {policy: regression, deadlineSeconds: 20}\n');
    });
    afterAll(async () => {
      if (child && child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child!.once('exit', r));
      }
      await slack.close();
    });

    it('a default-deny deleted meanwhile: the watch run after access is restored alerts the regression on Slack, naming the deletion', { timeout: 240_000 }, async () => {
      const kubeconfig = tokenKubeconfig(cluster.server, cluster.caPem, token, 'auditor');
      child = spawn(process.execPath, [BIN, 'serve', '--watch', '--kubeconfig', kubeconfig, '--schedule', '0 0 1 1 *', '--port', '0',
        '--history', 'h.db', '--out', 'out', '--format', 'json'], {
        cwd: dir, stdio: ['ignore', 'ignore', 'pipe'],
        env: { PATH: process.env.PATH, HOME: dir, ZTAUDIT_SLACK_TOKEN: 'xoxb-test', ZTAUDIT_SLACK_CHANNEL: 'C0SEC', ZTAUDIT_SLACK_API_URL: slack.apiUrl },
      });
      child.stderr!.on('data', (c: Buffer) => { stderr += c.toString('utf8'); });
      await waitFor('the start-up run', () => stderr.includes('"event":"run-finished"'), 90_000);

      // Access lost: the role loses NetworkPolicies and the established watch is cut (a restart), so the re-list is refused.
      await setRules(withoutNetworkPolicies(), false);
      await restartApiserver(cluster);
      await waitFor('the coverage-lost alert', () => posts().find((c) => String(c.fields.text).includes('networkpolicies: coverage forbidden')), 90_000);
      const del = await admin.request('DELETE', `/apis/networking.k8s.io/v1/namespaces/${shop}/networkpolicies/default-deny`);
      expect(del.status).toBe(200);

      // Access back: the first watch run that reads NetworkPolicies again alerts the deletion.
      const before = posts().length;
      await setRules(auditorClusterRoleRules(), true);
      const message = await waitFor('the regression on Slack', () => posts().slice(before).find((c) => String(c.fields.text).includes('regression')), 120_000);
      expect(String(message.fields.text)).toContain(`NetworkPolicy ${shop}/default-deny deleted`);
      // Stored as a regression of a watch run (not "ok (watch)").
      const latestRun = () => spawnSync(process.execPath, [BIN, 'history', '--history', 'h.db'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: dir } }).stdout.split('\n')[1] ?? '';
      await waitFor('the watch run stored as a regression', () => /REGRESSION \(watch\)$/.test(latestRun()), 30_000);
      // By the network score's drop since the start-up run, the last one that read NetworkPolicies for every network check.
      const diff = JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8')).diff;
      expect(diff.fullInputBaselines['network.cni-not-enforcing']).toMatch(/^\d{8}T\d{6}Z-/);
      expect(diff.regressionReasons.some((r: string) => r.startsWith('network score dropped'))).toBe(true);
    });
  });
});
