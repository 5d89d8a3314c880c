// The live collector against a real kube-apiserver: what it returns is exactly what is in the
// cluster, pagination, CRD discovery, by-name ConfigMaps, retries, and bounded failure.

import net from 'node:net';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { topBreadth } from '../../src/analysis/rbac/index.ts';
import { KINDS, type KindKey } from '../../src/snapshot/kinds.ts';
import { ApiUnreachableError, collectLive } from '../../src/collect/live.ts';
import { auditorClusterRoleRules } from '../../src/collect/rbac-rules.ts';
import { ClusterError } from '../../src/base/errors.ts';
import type { Snapshot } from '../../src/snapshot/types.ts';
import { antreaGroupCrds, antreaPolicyCrds, certManagerCrds, crd, installMeshAndGatewayCrds } from './crds.ts';
import { CHECK_BY_ID } from '../../checks/index.ts';
import { defaultConfig } from '../../src/config/types.ts';
import { liveConfigMapRefs } from '../../src/cli/source.ts';
import { detectCni } from '../../src/analysis/netpol/cni.ts';
import { buildReachability } from '../../src/analysis/netpol/model.ts';
import { runChecks } from '../../src/engine/run.ts';
import { Admin, LISTED_KEYS, describeCluster, scratchDir, tokenKubeconfig, uniqueName } from './env.ts';
import { withRecordingProxy } from './recording-proxy.ts';

const pause = { name: 'app', image: 'registry.k8s.io/pause:3.10' };
const podSpec = { containers: [pause] };
const template = (app: string) => ({ metadata: { labels: { app } }, spec: podSpec });

function namesIn(snapshot: Snapshot, key: KindKey, namespace?: string): string[] {
  return (snapshot.resources[key] ?? [])
    .filter((o) => namespace === undefined || o.metadata?.namespace === namespace)
    .map((o) => o.metadata?.name ?? '?')
    .sort();
}

describeCluster('live collector against a real kube-apiserver', (cluster) => {
  const admin = new Admin(cluster);

  describe('workloads', () => {
    const ns = uniqueName('collect');
    const other = uniqueName('collect-other');
    const suffix = ns.slice(-6);
    let snapshot: Snapshot;
    const progress = new Map<string, number>();

    beforeAll(async () => {
      await admin.namespace(ns, { team: 'shop', 'pod-security.kubernetes.io/enforce': 'baseline' });
      await admin.namespace(other);
      await admin.createAll([
        { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'api', namespace: ns } },
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-0', namespace: ns, labels: { app: 'web' } }, spec: podSpec },
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: ns, labels: { app: 'web' } }, spec: podSpec },
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'elsewhere', namespace: other }, spec: podSpec },
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: ns }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } },
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: ns }, spec: { selector: { matchLabels: { app: 'api' } }, template: template('api') } },
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'api-rs', namespace: ns }, spec: { selector: { matchLabels: { app: 'api-rs' } }, template: template('api-rs') } },
        { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: ns }, spec: { serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: template('db') } },
        { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: ns }, spec: { selector: { matchLabels: { app: 'agent' } }, template: template('agent') } },
        { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate', namespace: ns }, spec: { template: { spec: { ...podSpec, restartPolicy: 'Never' } } } },
        { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'nightly', namespace: ns }, spec: { schedule: '0 2 * * *', jobTemplate: { spec: { template: { spec: { ...podSpec, restartPolicy: 'OnFailure' } } } } } },
        { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'default-deny', namespace: ns }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } },
        { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'allow-web', namespace: ns }, spec: { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ namespaceSelector: {} }] }] } },
        { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: `nginx-${suffix}` }, spec: { controller: 'k8s.io/ingress-nginx' } },
        { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web', namespace: ns }, spec: { ingressClassName: `nginx-${suffix}`, rules: [{ host: 'shop.example', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] } },
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'reader', namespace: ns }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }] },
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'reader', namespace: ns }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' }, subjects: [{ kind: 'ServiceAccount', name: 'api', namespace: ns }] },
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: `wide-${suffix}` }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] },
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: `wide-${suffix}` }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `wide-${suffix}` }, subjects: [{ kind: 'ServiceAccount', name: 'api', namespace: ns }] },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'nginx-settings', namespace: ns }, data: { 'ssl-protocols': 'TLSv1.2 TLSv1.3' } },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'unreferenced', namespace: ns }, data: { a: 'b' } },
      ]);
      await admin.namespace('istio-system');
      await admin.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio', namespace: 'istio-system' }, data: { mesh: 'enableAutoMtls: true' } }, true);
      let partialDeployments = -1;
      snapshot = await collectLive({
        kubeconfigPath: cluster.kubeconfigPath,
        onProgress: (key, count) => progress.set(key, count),
        configMapRefs: (partial) => {
          partialDeployments = (partial.resources.deployments ?? []).filter((d) => d.metadata?.namespace === ns).length;
          return [{ namespace: ns, name: 'nginx-settings' }, { namespace: ns, name: 'does-not-exist' }];
        },
      });
      expect(partialDeployments, 'configMapRefs sees the workloads already listed').toBe(1);
    });

    it('returns exactly the objects created, per kind and namespace', () => {
      expect(namesIn(snapshot, 'pods', ns)).toEqual(['web-0', 'web-1']);
      expect(namesIn(snapshot, 'pods', other)).toEqual(['elsewhere']);
      expect(namesIn(snapshot, 'serviceaccounts', ns)).toEqual(['api', 'default']);
      expect(namesIn(snapshot, 'services', ns)).toEqual(['web']);
      expect(namesIn(snapshot, 'deployments', ns)).toEqual(['api']);
      expect(namesIn(snapshot, 'replicasets', ns)).toEqual(['api-rs']);
      expect(namesIn(snapshot, 'statefulsets', ns)).toEqual(['db']);
      expect(namesIn(snapshot, 'daemonsets', ns)).toEqual(['agent']);
      expect(namesIn(snapshot, 'jobs', ns)).toEqual(['migrate']);
      expect(namesIn(snapshot, 'cronjobs', ns)).toEqual(['nightly']);
      expect(namesIn(snapshot, 'networkpolicies', ns)).toEqual(['allow-web', 'default-deny']);
      expect(namesIn(snapshot, 'ingresses', ns)).toEqual(['web']);
      expect(namesIn(snapshot, 'roles', ns)).toEqual(['reader']);
      expect(namesIn(snapshot, 'rolebindings', ns)).toEqual(['reader']);
      expect(namesIn(snapshot, 'ingressclasses')).toContain(`nginx-${suffix}`);
      expect(namesIn(snapshot, 'clusterroles')).toEqual(expect.arrayContaining([`wide-${suffix}`, 'cluster-admin', 'view']));
      expect(namesIn(snapshot, 'clusterrolebindings')).toContain(`wide-${suffix}`);
      expect(namesIn(snapshot, 'namespaces')).toEqual(expect.arrayContaining([ns, other, 'default', 'kube-system']));
      const nsObj = snapshot.resources.namespaces?.find((n) => n.metadata?.name === ns);
      expect(nsObj?.metadata?.labels).toMatchObject({ team: 'shop', 'pod-security.kubernetes.io/enforce': 'baseline', 'kubernetes.io/metadata.name': ns });
    });

    it('keeps raw JSON with kind and apiVersion filled in, and counts in coverage', () => {
      for (const spec of KINDS) {
        const items = snapshot.resources[spec.key] ?? [];
        const cov = snapshot.coverage[spec.key];
        expect(cov, spec.key).toBeDefined();
        if (spec.builtin) expect(cov?.status, spec.key).toBe('ok');
        if (cov?.status === 'ok') expect(cov.count, spec.key).toBe(items.length);
        for (const o of items) {
          expect(o.kind, spec.key).toBe(spec.kind);
          const version = String(o.apiVersion).slice(spec.group ? spec.group.length + 1 : 0);
          expect(o.apiVersion, spec.key).toBe(spec.group ? `${spec.group}/${version}` : version);
          expect(spec.versions as readonly string[], spec.key).toContain(version);
        }
      }
      const pod = snapshot.resources.pods?.find((p) => p.metadata?.name === 'web-0');
      expect(typeof pod?.metadata?.creationTimestamp).toBe('string');
      expect(pod?.spec?.containers?.[0]?.image).toBe(pause.image);
      // Admission filled what a real cluster fills: the SA token volume proves ServiceAccount admission ran.
      expect(pod?.spec?.serviceAccountName).toBe('default');
      expect(JSON.stringify(pod?.spec?.volumes ?? [])).toContain('kube-api-access');
      expect(snapshot.source).toBe('live');
      expect(snapshot.origin).toBe('live');
      expect(snapshot.cluster).toEqual({ name: 'ztaudit-test', server: cluster.server, version: cluster.version });
      expect(Number.isNaN(Date.parse(snapshot.collectedAt))).toBe(false);
      expect(progress.get('pods')).toBe(snapshot.resources.pods?.length);
    });

    it('shares what two pods have in common as one frozen object, and keeps apart what differs', () => {
      const [a, b] = ['web-0', 'web-1'].map((n) => snapshot.resources.pods!.find((p) => p.metadata?.namespace === ns && p.metadata?.name === n)!);
      expect(a.metadata!.labels).toEqual({ app: 'web' });
      expect(b.metadata!.labels).toBe(a.metadata!.labels);
      expect(Object.isFrozen(a.metadata!.labels)).toBe(true);
      expect(a.metadata).not.toBe(b.metadata);
      // Each pod's token volume has its own generated name: the specs differ, and stay apart.
      expect(a.spec.volumes).not.toEqual(b.spec.volumes);
      expect(a.spec).not.toBe(b.spec);
    });

    it('gets ConfigMaps by name only: the referenced ones and the mesh defaults, never the rest', () => {
      const cms = (snapshot.resources.configmaps ?? []).map((c) => `${c.metadata?.namespace}/${c.metadata?.name}`).sort();
      expect(cms).toEqual(['istio-system/istio', `${ns}/nginx-settings`].sort());
      expect(snapshot.coverage.configmaps).toEqual({ status: 'ok', count: 2 });
      expect(snapshot.resources.configmaps?.[0]?.kind).toBe('ConfigMap');
      expect(snapshot.notes).toContain(`ConfigMap ${ns}/does-not-exist is referenced but does not exist`);
    });
  });

  describe('crds', () => {
    const ns = uniqueName('crds');
    let snapshot: Snapshot;
    beforeAll(async () => {
      await installMeshAndGatewayCrds(admin);
      // An Istio DestinationRule CRD serving only v1alpha3: the collector must pick that version.
      await admin.create(crd('networking.istio.io', 'DestinationRule', 'destinationrules', ['v1alpha3'], true, {}), true);
      await admin.waitForResource('networking.istio.io', 'v1alpha3', 'destinationrules');
      await admin.namespace(ns);
      await admin.createAll([
        { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: ns }, spec: { mtls: { mode: 'STRICT' } } },
        { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'legacy', namespace: ns }, spec: { mtls: { mode: 'PERMISSIVE' } } },
        { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'edge', namespace: ns }, spec: { gatewayClassName: 'x', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] } },
        { apiVersion: 'networking.istio.io/v1alpha3', kind: 'DestinationRule', metadata: { name: 'db', namespace: ns }, spec: { host: 'db', trafficPolicy: { tls: { mode: 'DISABLE' } } } },
        { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: `${ns}-eg` }, spec: { controllerName: 'gateway.envoyproxy.io/gatewayclass-controller' } },
        { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'web', namespace: ns }, spec: { parentRefs: [{ name: 'edge', sectionName: 'http' }], hostnames: ['shop.example.com'], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] } },
        { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GRPCRoute', metadata: { name: 'rpc', namespace: ns }, spec: { parentRefs: [{ name: 'edge' }], rules: [{ backendRefs: [{ name: 'rpc', port: 9000 }] }] } },
        { apiVersion: 'gateway.networking.k8s.io/v1alpha2', kind: 'TLSRoute', metadata: { name: 'pass', namespace: ns }, spec: { parentRefs: [{ name: 'edge' }], rules: [{ backendRefs: [{ name: 'tls', port: 443 }] }] } },
        { apiVersion: 'gateway.networking.k8s.io/v1alpha2', kind: 'TCPRoute', metadata: { name: 'db', namespace: ns }, spec: { parentRefs: [{ name: 'edge' }], rules: [{ backendRefs: [{ name: 'db', port: 5432 }] }] } },
        { apiVersion: 'gateway.networking.k8s.io/v1beta1', kind: 'ReferenceGrant', metadata: { name: 'from-apps', namespace: ns }, spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'apps' }], to: [{ group: '', kind: 'Service' }] } },
        { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'ListenerSet', metadata: { name: 'team-a', namespace: ns, annotations: { 'cert-manager.io/cluster-issuer': 'le' } }, spec: { parentRef: { name: 'edge' }, listeners: [{ name: 'plain', port: 8080, protocol: 'HTTP' }] }, status: { conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted', message: '', lastTransitionTime: '2026-01-01T00:00:00Z' }] } },
        { apiVersion: 'gateway.networking.x-k8s.io/v1alpha1', kind: 'XListenerSet', metadata: { name: 'team-b', namespace: ns }, spec: { parentRef: { name: 'edge' }, listeners: [{ name: 'plain', port: 8081, protocol: 'HTTP' }] } },
        { apiVersion: 'policy.linkerd.io/v1beta3', kind: 'Server', metadata: { name: 'web-http', namespace: ns }, spec: { podSelector: { matchLabels: { app: 'web' } }, port: 8080, accessPolicy: 'deny' } },
        { apiVersion: 'policy.linkerd.io/v1beta3', kind: 'HTTPRoute', metadata: { name: 'web-get', namespace: ns }, spec: { parentRefs: [{ group: 'policy.linkerd.io', kind: 'Server', name: 'web-http' }] } },
        { apiVersion: 'policy.linkerd.io/v1alpha1', kind: 'NetworkAuthentication', metadata: { name: 'cluster', namespace: ns }, spec: { networks: [{ cidr: '10.0.0.0/8' }] } },
        { apiVersion: 'consul.hashicorp.com/v1alpha1', kind: 'ServiceIntentions', metadata: { name: 'api', namespace: ns }, spec: { destination: { name: 'api' }, sources: [{ name: 'web', action: 'allow' }] } },
      ]);
      snapshot = await collectLive({ kubeconfigPath: cluster.kubeconfigPath });
    });

    it('lists custom kinds found through discovery, at the first served version', () => {
      expect(snapshot.coverage['istio.peerauthentications']?.status).toBe('ok');
      expect(namesIn(snapshot, 'istio.peerauthentications', ns)).toEqual(['default', 'legacy']);
      expect(snapshot.resources['istio.peerauthentications']?.find((p) => p.metadata?.name === 'legacy')?.spec).toEqual({ mtls: { mode: 'PERMISSIVE' } });
      expect(snapshot.resources['istio.peerauthentications']?.[0]?.apiVersion).toBe('security.istio.io/v1');
      expect(namesIn(snapshot, 'gatewayapi.gateways', ns)).toEqual(['edge']);
      expect(snapshot.resources['gatewayapi.gateways']?.[0]).toMatchObject({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway' });
      expect(namesIn(snapshot, 'istio.destinationrules', ns)).toEqual(['db']);
      expect(snapshot.resources['istio.destinationrules']?.[0]?.apiVersion).toBe('networking.istio.io/v1alpha3');
      // Linkerd policy and Consul intentions: the HTTPRoute of policy.linkerd.io, not the Gateway API's.
      expect(namesIn(snapshot, 'linkerd.servers', ns)).toEqual(['web-http']);
      expect(namesIn(snapshot, 'linkerd.httproutes', ns)).toEqual(['web-get']);
      expect(snapshot.resources['linkerd.httproutes']?.[0]?.apiVersion).toBe('policy.linkerd.io/v1beta3');
      expect(namesIn(snapshot, 'linkerd.networkauthentications', ns)).toEqual(['cluster']);
      expect(namesIn(snapshot, 'consul.serviceintentions', ns)).toEqual(['api']);
      expect(snapshot.resources['consul.serviceintentions']?.[0]).toMatchObject({ apiVersion: 'consul.hashicorp.com/v1alpha1', spec: { destination: { name: 'api' } } });
    });

    it('collects the Gateway API routes, classes and grants the exposure view follows, each at its served version', () => {
      const versionOf = (key: Parameters<typeof namesIn>[1]) => snapshot.resources[key]?.find((o) => (o.metadata?.namespace ?? ns) === ns)?.apiVersion;
      expect(namesIn(snapshot, 'gatewayapi.httproutes', ns)).toEqual(['web']);
      expect(snapshot.resources['gatewayapi.httproutes']?.find((o) => o.metadata?.namespace === ns)?.spec).toMatchObject({ parentRefs: [{ name: 'edge', sectionName: 'http' }] });
      expect(namesIn(snapshot, 'gatewayapi.grpcroutes', ns)).toEqual(['rpc']);
      expect(namesIn(snapshot, 'gatewayapi.tlsroutes', ns)).toEqual(['pass']);
      expect(versionOf('gatewayapi.tlsroutes')).toBe('gateway.networking.k8s.io/v1alpha2');
      expect(namesIn(snapshot, 'gatewayapi.tcproutes', ns)).toEqual(['db']);
      expect(namesIn(snapshot, 'gatewayapi.referencegrants', ns)).toEqual(['from-apps']);
      expect(versionOf('gatewayapi.referencegrants')).toBe('gateway.networking.k8s.io/v1beta1');
      expect((snapshot.resources['gatewayapi.gatewayclasses'] ?? []).map((o) => o.metadata?.name)).toContain(`${ns}-eg`);
      // ListenerSets (v1) and XListenerSets (v1alpha1): the spec alone is kept, annotations and status dropped.
      expect(snapshot.resources['gatewayapi.listenersets']?.find((o) => o.metadata?.namespace === ns)).toEqual({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'ListenerSet', metadata: expect.not.objectContaining({ annotations: expect.anything() }), spec: { parentRef: { name: 'edge' }, listeners: [{ name: 'plain', port: 8080, protocol: 'HTTP' }] } });
      expect(namesIn(snapshot, 'gatewayapi-x.xlistenersets', ns)).toEqual(['team-b']);
      expect(versionOf('gatewayapi-x.xlistenersets')).toBe('gateway.networking.x-k8s.io/v1alpha1');
      for (const key of ['gatewayapi.httproutes', 'gatewayapi.grpcroutes', 'gatewayapi.tlsroutes', 'gatewayapi.tcproutes', 'gatewayapi.referencegrants', 'gatewayapi.gatewayclasses', 'gatewayapi.listenersets', 'gatewayapi-x.xlistenersets'] as const) {
        expect(snapshot.coverage[key]?.status, key).toBe('ok');
      }
      // Not installed in this tier: absent, never ok-and-empty.
      expect(snapshot.coverage['traefik.ingressroutes']?.status).toBe('absent');
      expect(snapshot.coverage['envoygateway.securitypolicies']?.status).toBe('absent');
    });

    it('marks kinds whose CRD is not installed absent, never ok-and-empty', () => {
      // Group served (PeerAuthentication) but this resource is not.
      expect(snapshot.coverage['istio.authorizationpolicies']).toMatchObject({ status: 'absent' });
      // Group not served at all.
      expect(snapshot.coverage['cilium.networkpolicies']).toMatchObject({ status: 'absent', detail: expect.stringContaining('cilium.io') });
      expect(snapshot.resources['cilium.networkpolicies']).toEqual([]);
    });
  });

  describe('cert-manager and Istio egress kinds', () => {
    const ns = uniqueName('certs');
    let snapshot: Snapshot;
    beforeAll(async () => {
      for (const c of certManagerCrds()) await admin.create(c, true);
      await admin.create(crd('networking.istio.io', 'Sidecar', 'sidecars', ['v1'], true, {}), true);
      await admin.create(crd('networking.istio.io', 'ServiceEntry', 'serviceentries', ['v1'], true, {}), true);
      for (const r of ['certificates', 'issuers', 'clusterissuers']) await admin.waitForResource('cert-manager.io', 'v1', r);
      await admin.waitForResource('networking.istio.io', 'v1', 'serviceentries');
      await admin.namespace(ns);
      await admin.createAll([
        { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: 'ca', namespace: ns }, spec: { ca: { secretName: 'ca-keypair' } }, status: { conditions: [{ type: 'Ready', status: 'False', reason: 'ErrGetKeyPair', message: 'secret "ca-keypair" not found' }] } },
        { apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: { name: `le-${ns}` }, spec: { acme: {} }, status: { conditions: [{ type: 'Ready', status: 'True', reason: 'ACMEAccountRegistered' }] } },
        { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'web', namespace: ns }, spec: { secretName: 'web-tls', issuerRef: { name: 'ca', kind: 'Issuer' } }, status: { notAfter: '2020-01-01T00:00:00Z', conditions: [{ type: 'Ready', status: 'False', reason: 'Expired' }] } },
        { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'fresh', namespace: ns }, spec: { secretName: 'fresh-tls', issuerRef: { name: 'ca', kind: 'Issuer' } } },
        // Ready, but naming a ClusterIssuer no listing holds (cert-manager: IssuerNotFound, never renewed), and one of an external issuer group.
        { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'orphan', namespace: ns }, spec: { secretName: 'orphan-tls', issuerRef: { name: `gone-${ns}`, kind: 'ClusterIssuer' } }, status: { notAfter: '2027-06-01T00:00:00Z', conditions: [{ type: 'Ready', status: 'True', reason: 'Ready' }] } },
        { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'external', namespace: ns }, spec: { secretName: 'external-tls', issuerRef: { name: 'pca', kind: 'AWSPCAClusterIssuer', group: 'awspca.cert-manager.io' } }, status: { notAfter: '2027-06-01T00:00:00Z', conditions: [{ type: 'Ready', status: 'True', reason: 'Ready' }] } },
        { apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: { name: 'default', namespace: ns }, spec: { outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } } },
        { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'stripe', namespace: ns }, spec: { hosts: ['api.stripe.com'], location: 'MESH_EXTERNAL' } },
      ]);
      snapshot = await collectLive({ kubeconfigPath: cluster.kubeconfigPath });
    });

    it('collects Certificates, Issuers and ClusterIssuers with the status cert-manager wrote, and Sidecars and ServiceEntries', () => {
      for (const k of ['certmanager.certificates', 'certmanager.issuers', 'certmanager.clusterissuers', 'istio.sidecars', 'istio.serviceentries'] as const) expect(snapshot.coverage[k]?.status, k).toBe('ok');
      expect(namesIn(snapshot, 'certmanager.certificates', ns)).toEqual(['external', 'fresh', 'orphan', 'web']);
      expect(namesIn(snapshot, 'certmanager.issuers', ns)).toEqual(['ca']);
      expect(namesIn(snapshot, 'certmanager.clusterissuers')).toContain(`le-${ns}`);
      expect(snapshot.resources['certmanager.certificates']?.find((c) => c.metadata?.name === 'web')).toMatchObject({ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', status: { notAfter: '2020-01-01T00:00:00Z' } });
      expect(namesIn(snapshot, 'istio.sidecars', ns)).toEqual(['default']);
      expect(namesIn(snapshot, 'istio.serviceentries', ns)).toEqual(['stripe']);
    });

    it('judges them from their status: not-ready issuer and certificate, expired, no status; a Ready certificate naming a ClusterIssuer the listing lacks', () => {
      const ctx = { snapshot, config: defaultConfig(), now: new Date('2026-11-26T00:00:00Z') };
      const failing = (id: string) => runChecks([CHECK_BY_ID.get(id)!], ctx)[0].results.filter((r) => r.status === 'fail' && r.resource.namespace === ns).map((r) => `${r.severity} ${r.resource.kind} ${r.resource.name}`).sort();
      expect(failing('tls.issuer-not-ready')).toEqual(['medium Certificate orphan', 'medium Issuer ca']);
      expect(failing('tls.certificate-not-ready')).toEqual(['low Certificate fresh', 'medium Certificate web']);
      expect(failing('tls.certificate-expiring')).toEqual(['critical Certificate web']);
    });
  });

  describe('served API resources', () => {
    const suffix = uniqueName('x').slice(-6);
    const group = `breadth-${suffix}.ztaudit.example`;
    const user = `wildcard-${suffix}`;
    const served = (s: Snapshot, g: string, resource: string) => s.apiResources?.find((r) => r.group === g && r.resource === resource);
    const breadthOf = (s: Snapshot) => topBreadth(s, 1000).find((t) => t.subject.kind === 'User' && t.subject.name === user)?.breadth ?? -1;
    let before: Snapshot;
    let after: Snapshot;

    beforeAll(async () => {
      await installMeshAndGatewayCrds(admin);
      await admin.createAll([
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: user }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] },
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: user }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: user }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }] },
      ]);
      before = await collectLive({ kubeconfigPath: cluster.kubeconfigPath });
      // A cluster-scoped CRD in a group of its own, served at v1beta1 (preferred) and v1alpha1.
      await admin.create(crd(group, 'Gizmo', 'gizmos', ['v1beta1', 'v1alpha1'], false, {}));
      await admin.waitForResource(group, 'v1beta1', 'gizmos');
      after = await collectLive({ kubeconfigPath: cluster.kubeconfigPath });
    });

    it('records core, apps and CRD resources and subresources at the preferred version, with scope and verbs', () => {
      expect(served(after, '', 'pods')).toMatchObject({ version: 'v1', namespaced: true, verbs: expect.arrayContaining(['get', 'list', 'create', 'delete']) });
      expect(served(after, '', 'pods/exec')).toMatchObject({ version: 'v1', namespaced: true, verbs: expect.arrayContaining(['create']) });
      expect(served(after, '', 'namespaces')).toMatchObject({ namespaced: false });
      expect(served(after, '', 'nodes')).toMatchObject({ namespaced: false });
      expect(served(after, 'apps', 'deployments')).toMatchObject({ version: 'v1', namespaced: true });
      expect(served(after, 'apps', 'deployments/scale')).toMatchObject({ namespaced: true });
      expect(served(after, 'security.istio.io', 'peerauthentications')).toMatchObject({ version: 'v1', namespaced: true, verbs: expect.arrayContaining(['list']) });
      expect(served(after, group, 'gizmos')).toMatchObject({ version: 'v1beta1', namespaced: false, verbs: expect.arrayContaining(['get', 'list', 'create']) });
      expect(served(before, group, 'gizmos')).toBeUndefined();
      // One entry per group/resource.
      const keys = (after.apiResources ?? []).map((r) => `${r.group}/${r.resource}`);
      expect(new Set(keys).size).toBe(keys.length);
      expect(after.notes.filter((n) => n.includes('served API resources'))).toEqual([]);
    });

    it('makes the breadth of a wildcard ClusterRole count an installed CRD', () => {
      const gizmos = served(after, group, 'gizmos')!;
      expect(breadthOf(before)).toBeGreaterThan(0);
      expect(breadthOf(after)).toBeGreaterThan(breadthOf(before));
      // Exactly the CRD's verbs, once (cluster-scoped): the same snapshot without it says so.
      const withoutCrd: Snapshot = { ...after, apiResources: after.apiResources!.filter((r) => r.group !== group) };
      expect(breadthOf(after) - breadthOf(withoutCrd)).toBe(gizmos.verbs.length);
      // Without discovery data, the built-in list cannot know the CRD.
      expect(breadthOf({ ...after, apiResources: undefined })).toBe(breadthOf({ ...withoutCrd, apiResources: undefined }));
    });

    it('is discovered with the least-privilege auditor role as well', async () => {
      const ns = uniqueName('served');
      await admin.namespace(ns);
      const token = await admin.clusterRoleAccount(ns, 'auditor', `auditor-${suffix}`, auditorClusterRoleRules());
      const snapshot = await collectLive({ kubeconfigPath: tokenKubeconfig(cluster.server, cluster.caPem, token) });
      expect(served(snapshot, '', 'pods/exec')).toBeDefined();
      expect(served(snapshot, group, 'gizmos')).toMatchObject({ namespaced: false });
    });

    it('keeps the groups that answered and names the one that cannot be discovered, with a note', async () => {
      await withRecordingProxy(cluster, [{ match: /^\/apis\/apps\/v1$/, times: Infinity, status: 503 }], async (proxy, kc) => {
        const snapshot = await collectLive({ kubeconfigPath: kc, retries: 1, retryBaseDelayMs: 20 });
        expect(snapshot.apiResourcesMissing).toEqual(['apps']);
        expect(served(snapshot, '', 'pods/exec')).toBeDefined();
        expect(served(snapshot, group, 'gizmos')).toMatchObject({ namespaced: false });
        expect(snapshot.apiResources?.some((r) => r.group === 'apps')).toBe(false);
        expect(snapshot.notes).toContain('served API resources of API group apps unknown (RBAC breadth uses the built-in resource list for it): discovery of apps/v1 failed: HTTP 503: injected 503');
        // The lists themselves are unaffected.
        expect(snapshot.coverage.deployments?.status).toBe('ok');
        // Discovery is one GET per group version, never repeated for kinds in the same group.
        const gets = proxy.requests.filter((r) => r.path === '/api/v1');
        expect(gets).toHaveLength(1);
      });
    });
  });

  describe('pagination', () => {
    const ns = uniqueName('paged');
    it('pages through a kind larger than the page size and keeps every object once', async () => {
      await admin.namespaceWithServiceAccounts(ns, 250, 10);
      await withRecordingProxy(cluster, [], async (proxy, kc) => {
        const counts: number[] = [];
        // A clock that stands still: the pages come within one progress interval, so the running count is not said once a page.
        const snapshot = await collectLive({ kubeconfigPath: kc, pageSize: 100, now: () => 0, onProgress: (key, n) => key === 'serviceaccounts' && counts.push(n) });
        const mine = (snapshot.resources.serviceaccounts ?? []).filter((s) => s.metadata?.namespace === ns);
        expect(mine).toHaveLength(251); // 250 + default
        expect(new Set(mine.map((s) => s.metadata?.uid)).size).toBe(251);
        const total = snapshot.resources.serviceaccounts?.length ?? 0;
        expect(snapshot.coverage.serviceaccounts).toEqual({ status: 'ok', count: total });
        const pages = proxy.requests.filter((r) => r.path.startsWith('/api/v1/serviceaccounts?'));
        expect(pages.length).toBe(Math.ceil(total / 100));
        expect(pages.length).toBeGreaterThanOrEqual(3);
        expect(pages.every((p) => p.path.includes('limit=100'))).toBe(true);
        expect(pages.slice(1).every((p) => p.path.includes('continue='))).toBe(true);
        expect(counts).toEqual([total]);
        // ConfigMaps are read by name only, never listed.
        expect(proxy.requests.some((r) => /\/configmaps\?/.test(r.path) || r.path.endsWith('/configmaps'))).toBe(false);
      });
    });
  });

  describe('resilience', () => {
    it('retries 429 (honouring Retry-After) and 503, then succeeds', async () => {
      await withRecordingProxy(cluster, [
        { match: /^\/apis\/apps\/v1\/deployments\?/, times: 1, status: 429, headers: { 'Retry-After': '1' } },
        { match: /^\/apis\/apps\/v1\/deployments\?/, times: 1, status: 503 },
      ], async (proxy, kc) => {
        const snapshot = await collectLive({ kubeconfigPath: kc, retryBaseDelayMs: 50 });
        expect(snapshot.coverage.deployments?.status).toBe('ok');
        const tries = proxy.requests.filter((r) => r.path.startsWith('/apis/apps/v1/deployments?'));
        expect(tries.map((t) => t.status).slice(0, 3)).toEqual([429, 503, 200]);
        expect(tries[1].at - tries[0].at).toBeGreaterThanOrEqual(950);
        expect(snapshot.notes.some((n) => n.includes('list deployments.apps: succeeded after 2 retries'))).toBe(true);
      });
    });

    describe('a list page that arrives damaged (each page is parsed object by object as it streams in)', () => {
      const ns = uniqueName('damaged');
      const N = 60;
      beforeAll(async () => {
        await admin.namespaceWithServiceAccounts(ns, N, 10);
      }, 120_000);
      const pagesOf = (proxy: { requests: Array<{ path: string; status: number }> }) => proxy.requests.filter((r) => r.path.startsWith('/api/v1/serviceaccounts?'));

      it('asks again for a page cut off mid-way, and keeps every object once', async () => {
        await withRecordingProxy(cluster, [{ match: /^\/api\/v1\/serviceaccounts\?.*continue=/, times: 1, status: 200, body: 'truncate' }], async (proxy, kc) => {
          const snapshot = await collectLive({ kubeconfigPath: kc, pageSize: 25, retryBaseDelayMs: 20 });
          expect(snapshot.coverage.serviceaccounts?.status).toBe('ok');
          const mine = (snapshot.resources.serviceaccounts ?? []).filter((s) => s.metadata?.namespace === ns).map((s) => s.metadata?.name);
          expect(mine.length).toBeGreaterThanOrEqual(N);
          expect(new Set(mine).size).toBe(mine.length);
          const uids = (snapshot.resources.serviceaccounts ?? []).map((s) => s.metadata?.uid);
          expect(new Set(uids).size).toBe(uids.length);
          expect(snapshot.coverage.serviceaccounts?.count).toBe(uids.length);
          expect(snapshot.notes).toContain('list serviceaccounts: succeeded after 1 retry');
          expect(pagesOf(proxy).length).toBeGreaterThanOrEqual(3);
        });
      });

      it('reports a page that is never valid JSON as one error naming the kind, and collects every other kind', async () => {
        await withRecordingProxy(cluster, [{ match: /^\/api\/v1\/serviceaccounts\?.*continue=/, times: Infinity, status: 200, body: 'corrupt' }], async (proxy, kc) => {
          const snapshot = await collectLive({ kubeconfigPath: kc, pageSize: 25, retries: 2, retryBaseDelayMs: 20 });
          expect(snapshot.coverage.serviceaccounts?.status).toBe('error');
          expect(snapshot.coverage.serviceaccounts?.detail).toMatch(/^list serviceaccounts failed: reading the response failed: the body is not valid JSON \(truncated\?\) \(3 attempts over \d+\.\d s\)$/);
          // Not the pages that were read before it: a kind is whole or not collected.
          expect(snapshot.resources.serviceaccounts).toEqual([]);
          for (const key of LISTED_KEYS.filter((k) => k !== 'serviceaccounts')) {
            expect(snapshot.coverage[key as KindKey]?.status, `${key}: ${snapshot.coverage[key as KindKey]?.detail ?? ''}`).toMatch(/^(ok|absent)$/);
          }
          expect((snapshot.resources.namespaces ?? []).some((n) => n.metadata?.name === ns)).toBe(true);
          expect(pagesOf(proxy).filter((r) => r.path.includes('continue='))).toHaveLength(3);
        });
      });
    });

    it('reports a kind that keeps failing as error with the last error, and collects the rest', async () => {
      await withRecordingProxy(cluster, [{ match: /^\/apis\/batch\/v1\/jobs\?/, times: Infinity, status: 500 }], async (proxy, kc) => {
        const snapshot = await collectLive({ kubeconfigPath: kc, retries: 2, retryBaseDelayMs: 20 });
        expect(snapshot.coverage.jobs).toEqual({ status: 'error', detail: 'list jobs.batch failed: HTTP 500: injected 500' });
        expect(snapshot.resources.jobs).toEqual([]);
        expect(proxy.requests.filter((r) => r.path.startsWith('/apis/batch/v1/jobs?'))).toHaveLength(3);
        expect(snapshot.coverage.cronjobs?.status).toBe('ok');
        expect(snapshot.coverage.pods?.status).toBe('ok');
      });
    });

    it('fails within the retry budget with a clear message when nothing listens at the server address', async () => {
      const port = await closedPort();
      const kc = tokenKubeconfig(`https://127.0.0.1:${port}`, cluster.caPem, 'x');
      const started = Date.now();
      const error = await collectLive({ kubeconfigPath: kc, timeoutMs: 1000, retryBudgetMs: 2000 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApiUnreachableError);
      // Refused is retried (an API server restarting refuses too), within the retry budget.
      expect((error as Error).message).toMatch(new RegExp(`^cannot reach API server at https://127\\.0\\.0\\.1:${port}: connection refused \\(\\d+ attempts over \\d\\.\\d s\\)$`));
      expect((error as ClusterError).code).toBe('E_CLUSTER');
      expect(Date.now() - started).toBeLessThan(3000);
    });

    it('gives up within the retry budget and one timeout when the server accepts but never answers', async () => {
      const silent = net.createServer(() => {});
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
      const port = (silent.address() as net.AddressInfo).port;
      try {
        const kc = tokenKubeconfig(`https://127.0.0.1:${port}`, cluster.caPem, 'x');
        const started = Date.now();
        const error = await collectLive({ kubeconfigPath: kc, timeoutMs: 1500, retryBudgetMs: 1000 }).catch((e: unknown) => e);
        const took = Date.now() - started;
        expect((error as Error).message).toMatch(new RegExp(`^cannot reach API server at https://127\\.0\\.0\\.1:${port}: no response within (1500|2500) ms( \\(\\d+ attempts over \\d+\\.\\d s\\))?$`));
        expect(took).toBeGreaterThanOrEqual(1400);
        expect(took).toBeLessThan(1000 + 1500 + 2000);
      } finally {
        silent.close();
      }
    });

    it('says the credentials were rejected instead of collecting nothing', async () => {
      const kc = tokenKubeconfig(cluster.server, cluster.caPem, 'not-a-valid-token');
      const error = await collectLive({ kubeconfigPath: kc }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ClusterError);
      expect((error as Error).message).toContain('rejected the credentials (HTTP 401 Unauthorized)');
    });
  });

  // policy.networking.k8s.io as network-policy-api ships it: ClusterNetworkPolicy at v1alpha2
  // (config/crd/standard/policy.networking.k8s.io_clusternetworkpolicies.yaml, v0.2.0), and the
  // same CRD as a later release would serve it, at a version ztaudit does not read. The CRD is
  // deleted after each case so no other test sees the group.
  describe('ClusterNetworkPolicy, and a policy API served only at a version ztaudit does not read', () => {
    const CRD_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/clusternetworkpolicies.policy.networking.k8s.io';
    const name = uniqueName('cnp');
    const install = async (version: string) => {
      // A *.k8s.io group needs the approval annotation; upstream's CRD carries this one.
      await admin.create(crd('policy.networking.k8s.io', 'ClusterNetworkPolicy', 'clusternetworkpolicies', [version], false, { 'api-approved.kubernetes.io': 'https://github.com/kubernetes-sigs/network-policy-api/pull/347' }));
      await admin.waitForResource('policy.networking.k8s.io', version, 'clusternetworkpolicies');
      await admin.create({ apiVersion: `policy.networking.k8s.io/${version}`, kind: 'ClusterNetworkPolicy', metadata: { name }, spec: { tier: 'Admin', priority: 10, subject: { namespaces: {} }, ingress: [{ action: 'Deny', from: [{ namespaces: {} }] }] } });
    };
    const uninstall = async () => {
      await admin.request('DELETE', CRD_PATH);
      const deadline = Date.now() + 60_000;
      while ((await admin.request('GET', CRD_PATH)).status !== 404) {
        if (Date.now() > deadline) throw new Error('the ClusterNetworkPolicy CRD was not deleted within 60 s');
        await new Promise((r) => setTimeout(r, 200));
      }
    };

    it('reads ClusterNetworkPolicies at v1alpha2', async () => {
      await install('v1alpha2');
      try {
        const snapshot = await collectLive({ kubeconfigPath: cluster.kubeconfigPath });
        expect(snapshot.coverage['anp.clusternetworkpolicies']).toEqual({ status: 'ok', count: 1 });
        expect(snapshot.resources['anp.clusternetworkpolicies']?.map((o) => `${o.apiVersion} ${o.metadata?.name}`)).toEqual([`policy.networking.k8s.io/v1alpha2 ${name}`]);
        expect(snapshot.coverage['anp.adminnetworkpolicies']?.status).toBe('absent');
      } finally {
        await uninstall();
      }
    });

    it('served only at v1alpha3: "served at v1alpha3; not read" (error), and the network checks are not evaluated', async () => {
      await install('v1alpha3');
      try {
        const snapshot = await collectLive({ kubeconfigPath: cluster.kubeconfigPath });
        expect(snapshot.coverage['anp.clusternetworkpolicies']).toEqual({ status: 'error', detail: 'clusternetworkpolicies.policy.networking.k8s.io is served at v1alpha3; not read (ztaudit reads v1alpha2)' });
        expect(snapshot.coverage['anp.adminnetworkpolicies']).toMatchObject({ status: 'absent' });
        const [o] = runChecks([CHECK_BY_ID.get('network.namespace-default-deny-ingress')!], { snapshot, config: defaultConfig(), now: new Date() });
        expect(o.status).toBe('not-evaluated');
      } finally {
        await uninstall();
      }
    });
  });

  // Antrea-native policies (crd.antrea.io), listed live at the version the API server serves: v1beta1
  // (Antrea v2.x) or v1alpha1 (Antrea v1.0-v1.12). Their CRDs are deleted after each case.
  describe('Antrea-native policies (crd.antrea.io ClusterNetworkPolicy and NetworkPolicy) and their Tiers', () => {
    const acnp = uniqueName('acnp');
    const ns = uniqueName('antrea');
    const paths = ['clusternetworkpolicies', 'networkpolicies', 'tiers'].map((r) => `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${r}.crd.antrea.io`);
    const install = async (version: string) => {
      for (const c of antreaPolicyCrds([version])) await admin.create(c);
      await admin.waitForResource('crd.antrea.io', version, 'clusternetworkpolicies');
      await admin.waitForResource('crd.antrea.io', version, 'networkpolicies');
      await admin.waitForResource('crd.antrea.io', version, 'tiers');
      await admin.namespace(ns);
      // Posted to their own paths: the helper's collectionPath knows only the kinds ztaudit reads.
      const post = async (path: string, o: Record<string, unknown>) => {
        const r = await admin.request('POST', path, o);
        if (r.status !== 201) throw new Error(`create ${path}: HTTP ${r.status}`);
      };
      await post(`/apis/crd.antrea.io/${version}/clusternetworkpolicies`, { apiVersion: `crd.antrea.io/${version}`, kind: 'ClusterNetworkPolicy', metadata: { name: acnp }, spec: { priority: 5, tier: 'securityops', appliedTo: [{ namespaceSelector: {} }], ingress: [{ action: 'Allow', from: [{ namespaceSelector: {} }] }] } });
      await post(`/apis/crd.antrea.io/${version}/tiers`, { apiVersion: `crd.antrea.io/${version}`, kind: 'Tier', metadata: { name: 'mytier' }, spec: { priority: 120 } });
      await post(`/apis/crd.antrea.io/${version}/namespaces/${ns}/networkpolicies`, { apiVersion: `crd.antrea.io/${version}`, kind: 'NetworkPolicy', metadata: { name: 'annp', namespace: ns }, spec: { priority: 5, appliedTo: [{ podSelector: {} }], egress: [{ action: 'Drop', to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] } });
    };
    const uninstall = async () => {
      for (const p of paths) await admin.request('DELETE', p);
      const deadline = Date.now() + 60_000;
      for (const p of paths) {
        while ((await admin.request('GET', p)).status !== 404) {
          if (Date.now() > deadline) throw new Error('the Antrea CRDs were not deleted within 60 s');
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    };

    // Antrea's feature gates (docs/feature-gates.md: AntreaPolicy, Agent + Controller) come from the
    // ConfigMap its agent mounts, which the collector gets by name (liveConfigMapRefs).
    it('reads the ConfigMap the antrea-agent DaemonSet mounts: AntreaPolicy false there makes Antrea-native policies decorative', async () => {
      const gates = uniqueName('antrea-gates');
      await admin.namespace(gates);
      await admin.createAll([
        { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'antrea-agent', namespace: gates }, spec: { selector: { matchLabels: { app: 'antrea' } }, template: { metadata: { labels: { app: 'antrea' } }, spec: { containers: [{ name: 'antrea-agent', image: 'antrea/antrea-agent-ubuntu:v2.2.0' }], volumes: [{ name: 'antrea-config', configMap: { name: 'antrea-config' } }] } } } },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'antrea-config', namespace: gates }, data: { 'antrea-agent.conf': 'featureGates:\n  AntreaPolicy: false\n', 'antrea-controller.conf': 'featureGates:\n  AntreaPolicy: false\n' } },
      ]);
      const snapshot = await collectLive({ kubeconfigPath: cluster.kubeconfigPath, configMapRefs: liveConfigMapRefs(defaultConfig()) });
      expect(snapshot.resources.configmaps?.some((c) => c.metadata?.namespace === gates && c.metadata.name === 'antrea-config')).toBe(true);
      const antrea = detectCni(snapshot).plugins.find((p) => p.name === 'antrea' && p.namespace === gates);
      expect(antrea?.unimplemented?.Antrea).toBe(`the AntreaPolicy feature gate is false in antrea-agent.conf of ConfigMap ${gates}/antrea-config: Antrea handles no Antrea-native policy (and no AdminNetworkPolicy, which requires it)`);
      await admin.request('DELETE', `/apis/apps/v1/namespaces/${gates}/daemonsets/antrea-agent`);
    });

    // The groups a policy's `group` names (docs/antrea-network-policy.md v2.2.0, "ClusterGroup", "Group"):
    // listed with the policies, their spec kept and nothing else, and resolved by the live model.
    it('lists ClusterGroups and Groups (v1beta1), spec only, and a policy naming a ClusterGroup is evaluated, not left in doubt', async () => {
      const groupPaths = ['clustergroups', 'groups'].map((r) => `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${r}.crd.antrea.io`);
      const cg = uniqueName('cg');
      const post = async (path: string, o: Record<string, unknown>) => {
        const r = await admin.request('POST', path, o);
        if (r.status !== 201) throw new Error(`create ${path}: HTTP ${r.status}`);
      };
      try {
        await install('v1beta1');
        for (const c of antreaGroupCrds()) await admin.create(c);
        await admin.waitForResource('crd.antrea.io', 'v1beta1', 'clustergroups');
        await admin.waitForResource('crd.antrea.io', 'v1beta1', 'groups');
        await post('/apis/crd.antrea.io/v1beta1/clustergroups', { apiVersion: 'crd.antrea.io/v1beta1', kind: 'ClusterGroup', metadata: { name: cg, annotations: { owner: 'platform' } }, spec: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } } });
        await post(`/apis/crd.antrea.io/v1beta1/namespaces/${ns}/groups`, { apiVersion: 'crd.antrea.io/v1beta1', kind: 'Group', metadata: { name: 'grp', namespace: ns }, spec: { podSelector: {} } });
        await post('/apis/crd.antrea.io/v1beta1/clusternetworkpolicies', { apiVersion: 'crd.antrea.io/v1beta1', kind: 'ClusterNetworkPolicy', metadata: { name: `${cg}-deny` }, spec: { priority: 1, tier: 'baseline', appliedTo: [{ group: cg }], ingress: [{ action: 'Drop' }] } });
        const snapshot = await collectLive({ kubeconfigPath: cluster.kubeconfigPath });
        expect(snapshot.coverage['antrea.clustergroups']).toEqual({ status: 'ok', count: 1 });
        expect(snapshot.resources['antrea.clustergroups']?.map((o) => ({ name: o.metadata?.name, annotations: o.metadata?.annotations, spec: o.spec }))).toEqual([{ name: cg, annotations: undefined, spec: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } } }]);
        expect(namesIn(snapshot, 'antrea.groups', ns)).toEqual(['grp']);
        const model = buildReachability(snapshot);
        expect(model.policies.find((p) => p.id === `AntreaClusterNetworkPolicy:${cg}-deny`)?.errors).toEqual([]);
      } finally {
        await admin.request('DELETE', `/apis/crd.antrea.io/v1beta1/clusternetworkpolicies/${cg}-deny`);
        for (const p of groupPaths) await admin.request('DELETE', p);
        await uninstall();
      }
    });

    for (const version of ['v1beta1', 'v1alpha1']) {
      it(`lists them at ${version}`, async () => {
        try {
          await install(version);
          const snapshot = await collectLive({ kubeconfigPath: cluster.kubeconfigPath });
          expect(snapshot.coverage['antrea.clusternetworkpolicies']).toEqual({ status: 'ok', count: 1 });
          expect(snapshot.resources['antrea.clusternetworkpolicies']?.map((o) => `${o.apiVersion} ${o.metadata?.name}`)).toEqual([`crd.antrea.io/${version} ${acnp}`]);
          expect(namesIn(snapshot, 'antrea.networkpolicies', ns)).toEqual(['annp']);
          // The Tier a policy may name, read for its priority.
          expect(snapshot.coverage['antrea.tiers']).toEqual({ status: 'ok', count: 1 });
          expect(snapshot.resources['antrea.tiers']?.map((o) => `${o.metadata?.name} ${(o.spec as { priority?: number }).priority}`)).toEqual(['mytier 120']);
        } finally {
          await uninstall();
        }
      });
    }
  });

  describe('kubeconfig', () => {
    it('resolves KUBECONFIG like kubectl: missing files skipped, first current-context wins, --context overrides', async () => {
      const dir = scratchDir('kubeconfigs');
      const port = await closedPort();
      const dead = tokenKubeconfig(`https://127.0.0.1:${port}`, cluster.caPem, 'x', 'dead');
      const live = tokenKubeconfig(cluster.server, cluster.caPem, cluster.adminToken, 'live');
      const env = { KUBECONFIG: [path.join(dir, 'missing'), dead, live].join(path.delimiter), HOME: dir };
      await expect(collectLive({ env, timeoutMs: 2000, retryBudgetMs: 1000 })).rejects.toThrow(`cannot reach API server at https://127.0.0.1:${port}`);
      const snapshot = await collectLive({ env, context: 'live' });
      expect(snapshot.cluster.name).toBe('live');
      expect(snapshot.coverage.pods?.status).toBe('ok');
      await expect(collectLive({ env, context: 'nope' })).rejects.toThrow('context "nope" not found in kubeconfig');
    });
  });
});

async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}
