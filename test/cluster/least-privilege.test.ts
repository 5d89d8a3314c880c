// Proves the auditor's ClusterRole (auditorClusterRoleRules, what the Helm chart renders) is
// enough for full coverage and no more: a ServiceAccount bound only to it collects everything,
// never asks for Secrets (observed on the wire through a recording proxy), and is refused
// Secrets, writes and watches beyond the collected kinds (serve --watch watches those). A role missing one kind yields 'forbidden' coverage for that
// kind, the run completes, and the engine does not evaluate the checks that need it.

import { beforeAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../../checks/index.ts';
import { KINDS } from '../../src/snapshot/kinds.ts';
import { collectLive } from '../../src/collect/live.ts';
import { auditorClusterRoleRules, type PolicyRule } from '../../src/collect/rbac-rules.ts';
import { defaultConfig } from '../../src/config/types.ts';
import { runChecks } from '../../src/engine/run.ts';
import type { Check } from '../../src/engine/types.ts';
import type { Snapshot } from '../../src/snapshot/types.ts';
import { calicoFelixConfigurationCrd, installMeshAndGatewayCrds } from './crds.ts';
import { Admin, apiRequest, describeCluster, tokenKubeconfig, uniqueName } from './env.ts';
import { startRecordingProxy, type RecordingProxy } from './recording-proxy.ts';

function uidsByKind(s: Snapshot): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const k of KINDS) out[k.key] = (s.resources[k.key] ?? []).map((o) => o.metadata?.uid ?? '?').sort();
  return out;
}

describeCluster('least-privilege auditor ServiceAccount', (cluster) => {
  const admin = new Admin(cluster);
  const ns = uniqueName('ztaudit');
  const installedCustom = new Set(['istio.peerauthentications', 'gatewayapi.gateways', 'gatewayapi.gatewayclasses', 'gatewayapi.httproutes', 'gatewayapi.grpcroutes', 'gatewayapi.tlsroutes', 'gatewayapi.tcproutes', 'gatewayapi.referencegrants', 'gatewayapi.listenersets', 'gatewayapi-x.xlistenersets', 'linkerd.servers', 'linkerd.httproutes', 'consul.serviceintentions', 'envoygateway.clienttrafficpolicies', 'calico.ippools', 'traefik.ingressroutetcps', 'traefik.middlewaretcps', 'contour.contourconfigurations', 'cilium.cidrgroups', 'gke.frontendconfigs', 'gke.gcpgatewaypolicies', 'calico.felixconfigurations']);
  let proxy: RecordingProxy;

  /** A ServiceAccount bound (cluster-wide) to exactly `rules`; returns a kubeconfig through the proxy. */
  async function auditorKubeconfig(name: string, rules: PolicyRule[]): Promise<{ kubeconfigPath: string; token: string }> {
    const role = `${ns}-${name}`;
    const token = await admin.clusterRoleAccount(ns, name, role, rules);
    return { kubeconfigPath: tokenKubeconfig(proxy.server, cluster.caPem, token, name), token };
  }

  beforeAll(async () => {
    await installMeshAndGatewayCrds(admin);
    // Calico's FelixConfigurations (Felix's dropActionOverride, src/analysis/netpol/calico/felix.ts): the role may list them.
    await admin.create(calicoFelixConfigurationCrd(), true);
    await admin.waitForResource('crd.projectcalico.org', 'v1', 'felixconfigurations');
    await admin.namespace(ns, { 'pod-security.kubernetes.io/enforce': 'restricted' });
    await admin.createAll([
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ingress-settings', namespace: ns }, data: { 'ssl-protocols': 'TLSv1.3' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-settings', namespace: ns }, data: { 'db-password-hint': 'not for the auditor' } },
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'do-not-read', namespace: ns }, stringData: { password: 'hunter2' } },
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'default-deny', namespace: ns }, spec: { podSelector: {}, policyTypes: ['Ingress'] } },
      { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: ns }, spec: { mtls: { mode: 'STRICT' } } },
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'edge', namespace: ns }, spec: { gatewayClassName: 'x', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] } },
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'web', namespace: ns }, spec: { parentRefs: [{ name: 'edge' }], rules: [{ backendRefs: [{ name: 'api', port: 80 }] }] } },
      { apiVersion: 'gateway.networking.k8s.io/v1alpha2', kind: 'TLSRoute', metadata: { name: 'pass', namespace: ns }, spec: { parentRefs: [{ name: 'edge' }], rules: [{ backendRefs: [{ name: 'api', port: 443 }] }] } },
      { apiVersion: 'gateway.networking.k8s.io/v1alpha2', kind: 'TCPRoute', metadata: { name: 'db', namespace: ns }, spec: { parentRefs: [{ name: 'edge' }], rules: [{ backendRefs: [{ name: 'api', port: 5432 }] }] } },
      { apiVersion: 'gateway.envoyproxy.io/v1alpha1', kind: 'ClientTrafficPolicy', metadata: { name: 'edge-tls', namespace: ns }, spec: { targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'edge' }], tls: { minVersion: '1.2' } } },
      { apiVersion: 'gateway.networking.k8s.io/v1beta1', kind: 'ReferenceGrant', metadata: { name: 'g', namespace: ns }, spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'x' }], to: [{ group: '', kind: 'Service' }] } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: ns }, spec: { selector: { matchLabels: { app: 'api' } }, template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'api', image: 'registry.k8s.io/pause:3.10' }] } } } },
      // A selector-less Service's hand-written slice, and one labelled as the EndpointSlice controller's (never fetched)
      { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'legacy-db-1', namespace: ns, labels: { 'kubernetes.io/service-name': 'legacy-db' } }, addressType: 'IPv4', endpoints: [{ addresses: ['203.0.113.10'] }] },
      { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'api-x7k2p', namespace: ns, labels: { 'kubernetes.io/service-name': 'api', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' } }, addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.7'] }] },
    ]);
    proxy = await startRecordingProxy(cluster);
    return () => proxy.close();
  });

  // The chart's role with the ingress controller's ConfigMap added (rbac.extraConfigMapNames).
  describe('bound to exactly auditorClusterRoleRules({ extraConfigMapNames: [ingress-settings] })', () => {
    let snapshot: Snapshot;
    let adminSnapshot: Snapshot;
    let token: string;
    const refs = () => [{ namespace: ns, name: 'ingress-settings' }];

    beforeAll(async () => {
      const sa = await auditorKubeconfig('auditor', auditorClusterRoleRules({ extraConfigMapNames: ['ingress-settings'] }));
      token = sa.token;
      proxy.requests.length = 0;
      snapshot = await collectLive({ kubeconfigPath: sa.kubeconfigPath, configMapRefs: refs });
      adminSnapshot = await collectLive({ kubeconfigPath: cluster.kubeconfigPath, configMapRefs: refs });
    });

    it('collects every kind: built-ins ok, installed CRDs ok, the others absent, nothing forbidden', () => {
      for (const k of KINDS) {
        const status = snapshot.coverage[k.key]?.status;
        expect(status, `${k.key}: ${snapshot.coverage[k.key]?.detail ?? ''}`).toBe(k.builtin ? 'ok' : adminSnapshot.coverage[k.key]?.status);
        expect(['ok', 'absent'], k.key).toContain(status);
      }
      for (const key of installedCustom) expect(snapshot.coverage[key as 'gatewayapi.gateways']?.status, key).toBe('ok');
      expect(KINDS.some((k) => snapshot.coverage[k.key]?.status === 'absent')).toBe(true);
      expect((snapshot.resources.configmaps ?? []).map((c) => c.metadata?.name)).toContain('ingress-settings');
      expect(snapshot.cluster.version).toBe(cluster.version);
    });

    it('sees the same objects as cluster-admin', () => {
      expect(uidsByKind(snapshot)).toEqual(uidsByKind(adminSnapshot));
      expect(snapshot.resources['istio.peerauthentications']?.some((p) => p.metadata?.namespace === ns)).toBe(true);
    });

    it('lists EndpointSlices with the label selector: the hand-written slice is read, the controller\'s never fetched', () => {
      const mine = (snapshot.resources.endpointslices ?? []).filter((o) => o.metadata?.namespace === ns).map((o) => o.metadata?.name);
      expect(mine).toEqual(['legacy-db-1']);
      const lists = proxy.requests.filter((r) => r.path.startsWith('/apis/discovery.k8s.io/v1/endpointslices?'));
      expect(lists.length).toBeGreaterThanOrEqual(1);
      for (const r of lists) expect(new URL(r.path, 'http://x').searchParams.get('labelSelector')).toBe('endpointslice.kubernetes.io/managed-by!=endpointslice-controller.k8s.io');
    });

    it('sends only GETs, none of them for Secrets, and is never refused', () => {
      // One list per collected kind, cluster-wide (not per namespace), plus discovery and by-name gets.
      for (const k of KINDS) {
        if ('byNameOnly' in k || snapshot.coverage[k.key]?.status !== 'ok') continue;
        const version = String(snapshot.resources[k.key]?.[0]?.apiVersion ?? k.versions[0]).split('/').pop();
        const listPath = `${k.group ? `/apis/${k.group}` : '/api'}/${version}/${k.resource}?limit=`;
        expect(proxy.requests.filter((r) => r.path.startsWith(listPath)).length, k.key).toBeGreaterThanOrEqual(1);
      }
      expect(proxy.requests.filter((r) => r.path.includes('/configmaps/')).map((r) => r.path).sort()).toEqual(
        [`/api/v1/namespaces/${ns}/configmaps/ingress-settings`, '/api/v1/namespaces/istio-system/configmaps/istio', '/api/v1/namespaces/linkerd/configmaps/linkerd-config', '/api/v1/namespaces/consul/configmaps/consul-server-config', '/api/v1/namespaces/consul/configmaps/consul-server-tmp-extra-config'].sort(),
      );
      expect(proxy.requests.filter((r) => r.method !== 'GET')).toEqual([]);
      expect(proxy.requests.filter((r) => /secret/i.test(r.path))).toEqual([]);
      expect(proxy.requests.filter((r) => r.status === 403)).toEqual([]);
      expect(proxy.requests.filter((r) => r.path.includes('watch'))).toEqual([]);
    });

    it('is refused Secrets, ConfigMap listing, watches beyond the collected kinds, and writes', async () => {
      const as = (method: string, p: string, body?: unknown) => apiRequest(cluster, token, method, p, body).then((r) => r.status);
      expect(await as('GET', `/api/v1/namespaces/${ns}/secrets/do-not-read`)).toBe(403);
      expect(await as('GET', '/api/v1/secrets')).toBe(403);
      expect(await as('GET', `/api/v1/namespaces/${ns}/configmaps`)).toBe(403);
      // ConfigMaps by name only: one it was not given is as closed as a Secret.
      expect(await as('GET', `/api/v1/namespaces/${ns}/configmaps/app-settings`)).toBe(403);
      expect(await as('GET', '/api/v1/secrets?watch=true&timeoutSeconds=1')).toBe(403);
      expect(await as('GET', `/api/v1/namespaces/${ns}/configmaps?watch=true&timeoutSeconds=1`)).toBe(403);
      expect(await as('GET', '/api/v1/persistentvolumes?watch=true&timeoutSeconds=1')).toBe(403);
      // serve --watch watches exactly the collected kinds: Nodes among them (their podCIDRs), read-only.
      expect(await as('GET', '/api/v1/pods?watch=true&timeoutSeconds=1')).toBe(200);
      expect(await as('GET', '/api/v1/nodes?watch=true&timeoutSeconds=1')).toBe(200);
      expect(await as('DELETE', '/api/v1/nodes/any-node')).toBe(403);
      expect(await as('POST', `/api/v1/namespaces/${ns}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } })).toBe(403);
      expect(await as('DELETE', `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies/default-deny`)).toBe(403);
      // And what it needs it may do.
      expect(await as('GET', `/api/v1/namespaces/${ns}/configmaps/ingress-settings`)).toBe(200);
      expect(await as('GET', '/apis/networking.k8s.io/v1/networkpolicies?limit=1')).toBe(200);
    });
  });

  describe('bound to the chart\'s default role, which does not name the ingress controller\'s ConfigMap', () => {
    it('reports configmaps forbidden, naming the ConfigMap and the Helm value to add it to, and collects the rest', async () => {
      const sa = await auditorKubeconfig('defaults', auditorClusterRoleRules());
      const snapshot = await collectLive({ kubeconfigPath: sa.kubeconfigPath, configMapRefs: () => [{ namespace: ns, name: 'ingress-settings' }] });
      expect(snapshot.coverage.configmaps).toEqual({
        status: 'forbidden',
        detail: `get configmaps (denied for ${ns}/ingress-settings; ConfigMaps are granted by name: add ingress-settings to the Helm value rbac.extraConfigMapNames, or to resourceNames of your own role)`,
      });
      for (const k of KINDS) if (k.builtin && k.key !== 'configmaps') expect(snapshot.coverage[k.key]?.status, k.key).toBe('ok');
    });
  });

  describe('bound to a role without networkpolicies', () => {
    let snapshot: Snapshot;
    beforeAll(async () => {
      const sa = await auditorKubeconfig('narrow', auditorClusterRoleRules({ omitKinds: ['networkpolicies'] }));
      snapshot = await collectLive({ kubeconfigPath: sa.kubeconfigPath });
    });

    it('reports networkpolicies forbidden with the missing permission, and still collects the rest', () => {
      expect(snapshot.coverage.networkpolicies).toEqual({ status: 'forbidden', detail: 'list networkpolicies.networking.k8s.io at cluster scope' });
      expect(snapshot.resources.networkpolicies).toEqual([]);
      for (const k of KINDS) {
        if (k.key === 'networkpolicies') continue;
        if (k.builtin) expect(snapshot.coverage[k.key]?.status, k.key).toBe('ok');
      }
      expect(snapshot.resources.pods).toBeDefined();
    });

    it('makes every check that needs NetworkPolicies not-evaluated, never passed', () => {
      // An intent rule makes network.intent-violation applicable, a declared egress gateway
      // network.egress-not-controlled, so they too must be gated.
      const config = defaultConfig();
      config.intent.deny = [{ name: 'a-never-reaches-b', from: { namespace: 'a' }, to: { namespace: 'b' } }];
      config.egress.gateways = [{ namespace: 'egress' }];
      const ctx = { snapshot, config, now: new Date() };
      const probe: Check = {
        id: 'network.test-probe', area: 'network', title: 'probe', protectsAgainst: 'nothing (a probe)', severity: 'low', controls: [], remediation: '',
        needs: ['namespaces', 'networkpolicies'],
        evaluate: (c) => (c.snapshot.resources.namespaces ?? []).map((n) => ({ status: 'pass' as const, resource: { kind: 'Namespace', name: n.metadata?.name ?? '' }, message: 'ok' })),
      };
      const needing = [probe, ...CHECKS.filter((c) => c.needs.includes('networkpolicies'))];
      const outcomes = runChecks(needing, ctx);
      for (const o of outcomes) {
        expect(o.status, o.check.id).toBe('not-evaluated');
        expect(o.results, o.check.id).toEqual([]);
        expect(o.reason, o.check.id).toContain('networkpolicies: forbidden (list networkpolicies.networking.k8s.io at cluster scope)');
      }
      // The same probe over full coverage is evaluated, so the gate is the coverage, not the probe.
      const full = runChecks([probe], { ...ctx, snapshot: { ...snapshot, coverage: { ...snapshot.coverage, networkpolicies: { status: 'ok', count: 0 } } } });
      expect(full[0].status).toBe('pass');
    });
  });
});
