// The kinds liveConfigMapRefs declares it reads (serve --watch's ConfigMap refresh hands it a
// view of those alone): the ConfigMaps it asks for from that view are the ones it asks for from
// every object held, and each kind declared is one it reads.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LIVE_CONFIG_MAP_REF_KINDS, liveConfigMapRefs } from '../../../src/cli/source.ts';
import { calicoIpamDoubt } from '../../../src/analysis/netpol/calico/ip-pools.ts';
import { collectConfigMaps } from '../../../src/collect/live.ts';
import type { KubeClient } from '../../../src/kube/client.ts';
import { auditorClusterRoleRules } from '../../../src/collect/rbac-rules.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { KindKey } from '../../../src/snapshot/kinds.ts';
import type { KubeObject, Snapshot } from '../../../src/snapshot/types.ts';
import { loadFixture } from '../../helpers/fixtures.ts';
import { workload } from '../../helpers/workload.ts';

/** The snapshot as the refresh sees it: only `kinds` (their objects and coverage). */
function viewOf(snapshot: Snapshot, kinds: readonly KindKey[]): Snapshot {
  const only = new Set<string>(kinds);
  const pick = <T>(record: Record<string, T>) => Object.fromEntries(Object.entries(record).filter(([k]) => only.has(k)));
  return { ...snapshot, resources: pick(snapshot.resources), coverage: pick(snapshot.coverage), notes: [] };
}

/** An ingress-nginx controller whose --configmap names `configMap` (through $(POD_NAMESPACE) when it has no slash). */
function nginxController(kind: 'Deployment' | 'DaemonSet' | 'StatefulSet', namespace: string, name: string, configMap: string): KubeObject {
  const o = workload(namespace, name, { kind, container: { name: 'controller', image: 'registry.k8s.io/ingress-nginx/controller:v1.12.1' } });
  const c = (o.spec as { template: { spec: { containers: Array<Record<string, unknown>> } } }).template.spec.containers[0]!;
  c.args = ['/nginx-ingress-controller', `--configmap=${configMap.includes('/') ? configMap : `$(POD_NAMESPACE)/${configMap}`}`];
  c.env = [{ name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } }];
  return o;
}

const ciliumAgent = workload('cilium', 'cilium', { kind: 'DaemonSet', container: { name: 'cilium-agent', image: 'quay.io/cilium/cilium:v1.16.3' } });
const cnp = { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'deny', namespace: 'shop' }, spec: { endpointSelector: {}, ingress: [{}] } } as KubeObject;
const ccnp = { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'deny' }, spec: { endpointSelector: {}, ingress: [{}] } } as KubeObject;

/**
 * Contour as its example deployment runs it (projectcontour/contour examples/contour/03-contour.yaml):
 * `contour serve --config-path=/config/contour.yaml`, /config a volume of ConfigMap "contour" (asked
 * for by name), /certs one of Secret "contourcert" (never asked for).
 */
const contour = workload('projectcontour', 'contour', { kind: 'Deployment', container: { name: 'contour', image: 'ghcr.io/projectcontour/contour:v1.30.0' } });
{
  const spec = (contour.spec as { template: { spec: Record<string, unknown> & { containers: Array<Record<string, unknown>> } } }).template.spec;
  Object.assign(spec.containers[0]!, { command: ['contour'], args: ['serve', '--incluster', '--xds-address=0.0.0.0', '--config-path=/config/contour.yaml'], volumeMounts: [{ name: 'contourcert', mountPath: '/certs', readOnly: true }, { name: 'contour-config', mountPath: '/config', readOnly: true }] });
  spec.volumes = [{ name: 'contourcert', secret: { secretName: 'contourcert' } }, { name: 'contour-config', configMap: { name: 'contour', defaultMode: 420, items: [{ key: 'contour.yaml', path: 'contour.yaml' }] } }];
}

/**
 * calico-node as projectcalico/calico manifests/calico.yaml ships it (DaemonSet kube-system/
 * calico-node): upgrade-ipam and the calico-node container take CALICO_NETWORKING_BACKEND from
 * configMapKeyRef calico-config/calico_backend, install-cni takes CNI_NETWORK_CONFIG from
 * calico-config/cni_network_config and CNI_MTU from calico-config/veth_mtu, and every container
 * has envFrom configMapRef kubernetes-services-endpoint (optional).
 */
const calicoYamlNode = (name = 'calico-config'): KubeObject => {
  const servicesEndpoint = [{ configMapRef: { name: 'kubernetes-services-endpoint', optional: true } }];
  const fromConfig = (env: string, key: string) => ({ name: env, valueFrom: { configMapKeyRef: { name, key } } });
  const nodeName = { name: 'KUBERNETES_NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } };
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'calico-node', namespace: 'kube-system', labels: { 'k8s-app': 'calico-node' } },
    spec: {
      selector: { matchLabels: { 'k8s-app': 'calico-node' } },
      template: {
        metadata: { labels: { 'k8s-app': 'calico-node' } },
        spec: {
          hostNetwork: true, serviceAccountName: 'calico-node',
          initContainers: [
            { name: 'upgrade-ipam', image: 'quay.io/calico/cni:v3.30.0', envFrom: servicesEndpoint, env: [nodeName, fromConfig('CALICO_NETWORKING_BACKEND', 'calico_backend')] },
            { name: 'install-cni', image: 'quay.io/calico/cni:v3.30.0', envFrom: servicesEndpoint, env: [{ name: 'CNI_CONF_NAME', value: '10-calico.conflist' }, fromConfig('CNI_NETWORK_CONFIG', 'cni_network_config'), nodeName, fromConfig('CNI_MTU', 'veth_mtu')] },
          ],
          containers: [{
            name: 'calico-node', image: 'quay.io/calico/node:v3.30.0', envFrom: servicesEndpoint,
            env: [{ name: 'DATASTORE_TYPE', value: 'kubernetes' }, fromConfig('CALICO_NETWORKING_BACKEND', 'calico_backend'), { name: 'CLUSTER_TYPE', value: 'k8s,bgp' }, fromConfig('FELIX_IPINIPMTU', 'veth_mtu')],
          }],
        },
      },
    },
  } as KubeObject;
};

/** calico.yaml's calico-config (the same manifest): backend bird, a CNI config template (placeholders, no JSON) on calico-ipam. */
const calicoConfig = {
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'calico-config', namespace: 'kube-system' },
  data: {
    typha_service_name: 'none', calico_backend: 'bird', veth_mtu: '0',
    cni_network_config: '{"name": "k8s-pod-network", "cniVersion": "0.3.1", "plugins": [{"type": "calico", "datastore_type": "kubernetes", "mtu": __CNI_MTU__, "ipam": {"type": "calico-ipam"}, "policy": {"type": "k8s"}}, {"type": "portmap", "snat": true, "capabilities": {"portMappings": true}}]}',
  },
};

/** A client answering by-name ConfigMap gets from `held` (404 otherwise), recording each path asked for. */
function configMapServer(held: Array<{ metadata: { namespace: string; name: string }; data?: Record<string, string> }>, asked: string[]): KubeClient {
  return {
    get: async (path: string) => {
      asked.push(path);
      const cm = held.find((c) => path === `/api/v1/namespaces/${c.metadata.namespace}/configmaps/${c.metadata.name}`);
      return cm ? { status: 200, body: structuredClone(cm) } : { status: 404, body: undefined };
    },
  } as unknown as KubeClient;
}

describe('liveConfigMapRefs: calico-node installed from calico.yaml', () => {
  it('asks for kube-system/calico-config and the envFrom ConfigMap that may set USE_POD_CIDR (kubernetes-services-endpoint), never any Secret', () => {
    const refs = refsOf(snapshotFromObjects([calicoYamlNode()]));
    expect(refs).toContain('kube-system/calico-config');
    expect(refs.filter((r) => r.startsWith('kube-system/')).sort()).toEqual(['kube-system/calico-config', 'kube-system/kubernetes-services-endpoint']);
    // A renamed ConfigMap is followed by name; a DaemonSet that is not calico-node is not read.
    // The chart's role may get it (by name: a refused read would leave every ConfigMap verdict unevaluated).
    const byName = auditorClusterRoleRules().find((r) => r.resources?.includes('configmaps'))?.resourceNames ?? [];
    expect(byName).toContain('calico-config');
    expect(refsOf(snapshotFromObjects([calicoYamlNode('my-calico')]))).toContain('kube-system/my-calico');
    const other = workload('kube-system', 'agent', { kind: 'DaemonSet', container: { name: 'agent', image: 'example.com/agent:1' } });
    (other.spec as { template: { spec: { containers: Array<Record<string, unknown>> } } }).template.spec.containers[0]!.env = [{ name: 'CALICO_NETWORKING_BACKEND', valueFrom: { configMapKeyRef: { name: 'agent-config', key: 'b' } } }];
    expect(refsOf(snapshotFromObjects([other]))).not.toContain('kube-system/agent-config');
  });

  it('a live collection reads calico-config, so the IP pools are trusted instead of "a ConfigMap that was not read"', async () => {
    const snapshot = snapshotFromObjects([calicoYamlNode()]);
    const asked: string[] = [];
    await collectConfigMaps(configMapServer([calicoConfig], asked), snapshot, { configMapRefs: liveConfigMapRefs(defaultConfig()) }, 2);
    expect(asked).toContain('/api/v1/namespaces/kube-system/configmaps/calico-config');
    expect(asked.some((p) => p.includes('/secrets'))).toBe(false);
    expect(snapshot.coverage.configmaps).toMatchObject({ status: 'ok' });
    expect(calicoIpamDoubt(snapshot)).toBeUndefined();
    // The same cluster with bird's ConfigMap on host-local IPAM: the pools stay untrusted, for that reason.
    const hostLocal = snapshotFromObjects([calicoYamlNode()]);
    await collectConfigMaps(configMapServer([{ ...calicoConfig, data: { ...calicoConfig.data, cni_network_config: calicoConfig.data.cni_network_config.replace('calico-ipam', 'host-local') } }], []), hostLocal, { configMapRefs: liveConfigMapRefs(defaultConfig()) }, 2);
    expect(calicoIpamDoubt(hostLocal)).toContain('installs a CNI config whose IPAM is host-local, not calico-ipam');
  });
});

/**
 * calico-node as the tigera operator renders it (tigera/operator pkg/render/node.go: cniEnvvars
 * gives install-cni CNI_NETWORK_CONFIG from ConfigMap cni-config, key config, in calico-system;
 * nodeEnvVars sets CALICO_NETWORKING_BACKEND as a literal).
 */
const operatorNode = {
  apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'calico-node', namespace: 'calico-system' },
  spec: { selector: { matchLabels: { 'k8s-app': 'calico-node' } }, template: { metadata: { labels: { 'k8s-app': 'calico-node' } }, spec: {
    hostNetwork: true,
    initContainers: [{ name: 'install-cni', image: 'quay.io/calico/cni:v3.30.0', env: [{ name: 'CNI_NETWORK_CONFIG', valueFrom: { configMapKeyRef: { name: 'cni-config', key: 'config' } } }] }],
    containers: [{ name: 'calico-node', image: 'quay.io/calico/node:v3.30.0', env: [{ name: 'CALICO_NETWORKING_BACKEND', value: 'bird' }] }],
  } } },
} as KubeObject;

/**
 * Canal as projectcalico/calico manifests/canal.yaml runs it: DaemonSet canal, calico-node beside
 * kube-flannel, install-cni's CNI config from canal-config (RKE2: rke2-canal-config).
 */
const canalNode = {
  apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'canal', namespace: 'kube-system' },
  spec: { selector: { matchLabels: { 'k8s-app': 'canal' } }, template: { metadata: { labels: { 'k8s-app': 'canal' } }, spec: {
    hostNetwork: true,
    initContainers: [{ name: 'install-cni', image: 'quay.io/calico/cni:v3.30.0', env: [{ name: 'CNI_NETWORK_CONFIG', valueFrom: { configMapKeyRef: { name: 'canal-config', key: 'cni_network_config' } } }] }],
    containers: [
      { name: 'calico-node', image: 'quay.io/calico/node:v3.30.0', env: [{ name: 'CALICO_NETWORKING_BACKEND', value: 'none' }] },
      { name: 'kube-flannel', image: 'ghcr.io/flannel-io/flannel:v0.26.1' },
    ],
  } } },
} as KubeObject;

/** A client answering as the chart's role would: a ConfigMap name it does not grant is refused (403), the rest 404. */
function chartRoleServer(asked: string[]): KubeClient {
  const granted = new Set(auditorClusterRoleRules().find((r) => r.resources?.includes('configmaps'))?.resourceNames ?? []);
  return {
    get: async (path: string) => {
      asked.push(path);
      const name = path.slice(path.lastIndexOf('/') + 1);
      return granted.has(name) ? { status: 404, body: undefined } : { status: 403, body: { kind: 'Status', reason: 'Forbidden' } };
    },
  } as unknown as KubeClient;
}

describe("liveConfigMapRefs: calico-node's ConfigMaps are asked for only where they can change a verdict", () => {
  it("an operator install asks for calico-system/cni-config, which the chart's role grants: the ConfigMaps stay readable", async () => {
    const snapshot = snapshotFromObjects([operatorNode]);
    expect(refsOf(snapshot)).toContain('calico-system/cni-config');
    const asked: string[] = [];
    await collectConfigMaps(chartRoleServer(asked), snapshot, { configMapRefs: liveConfigMapRefs(defaultConfig()) }, 2);
    expect(asked).toContain('/api/v1/namespaces/calico-system/configmaps/cni-config');
    expect(snapshot.coverage.configmaps).toMatchObject({ status: 'ok' });
    expect(calicoIpamDoubt(snapshot)).toBeUndefined();
  });

  it("calico.yaml's envFrom kubernetes-services-endpoint is asked for and the chart's role grants it: the ConfigMaps stay readable", async () => {
    const snapshot = snapshotFromObjects([calicoYamlNode()]);
    const asked: string[] = [];
    await collectConfigMaps(chartRoleServer(asked), snapshot, { configMapRefs: liveConfigMapRefs(defaultConfig()) }, 2);
    expect(asked).toContain('/api/v1/namespaces/kube-system/configmaps/kubernetes-services-endpoint');
    expect(snapshot.coverage.configmaps).toMatchObject({ status: 'ok' });
  });

  it("Canal's canal-config is never asked for: flannel addresses the pods whatever it says", async () => {
    const snapshot = snapshotFromObjects([canalNode]);
    expect(refsOf(snapshot).filter((r) => r.startsWith('kube-system/'))).toEqual([]);
    const asked: string[] = [];
    await collectConfigMaps(chartRoleServer(asked), snapshot, { configMapRefs: liveConfigMapRefs(defaultConfig()) }, 2);
    expect(asked.some((p) => p.endsWith('/canal-config'))).toBe(false);
    expect(snapshot.coverage.configmaps).toMatchObject({ status: 'ok' });
    expect(calicoIpamDoubt(snapshot)).toContain('Canal');
  });
});

/** Every kind the refs read, each deciding some ConfigMap asked for; and kinds they do not read. */
const CLUSTERS: Record<string, KubeObject[]> = {
  'nginx controllers, istio revisions, cilium': [
    nginxController('Deployment', 'ingress-nginx', 'ingress-nginx-controller', 'ingress-nginx-controller'),
    nginxController('StatefulSet', 'edge', 'edge-nginx', 'edge/edge-settings'),
    nginxController('DaemonSet', 'node-edge', 'node-nginx', 'node-settings'),
    ciliumAgent,
    contour,
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'istio.io/rev': 'canary' } } } as KubeObject,
    workload('payments', 'api', { kind: 'Pod', labels: { 'istio.io/rev': 'stable' } }),
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } } as KubeObject,
    { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: 'shop' }, spec: { podSelector: {} } } as KubeObject,
  ],
  // A namespace on Istio tag prod-stable, which `istioctl tag set prod-stable --revision canary`
  // points at canary through its webhook: istiod canary reads istio-canary, never istio-prod-stable.
  'istio revision tag': [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team', labels: { 'istio.io/rev': 'prod-stable' } } } as KubeObject,
    { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name: 'istio-revision-tag-prod-stable', labels: { 'istio.io/rev': 'canary', 'istio.io/tag': 'prod-stable' } }, webhooks: [] } as unknown as KubeObject,
  ],
  'calico-node from calico.yaml': [calicoYamlNode()],
  'calico-node from the tigera operator': [operatorNode],
  'Canal': [canalNode],
  'CiliumNetworkPolicy without the agent': [cnp],
  'CiliumClusterwideNetworkPolicy without the agent': [ccnp],
};

const refsOf = (snapshot: Snapshot) => liveConfigMapRefs(defaultConfig())(snapshot).map((r) => `${r.namespace}/${r.name}`).sort();

describe("liveConfigMapRefs: Contour's config file", () => {
  it('asks for projectcontour/contour and the chart\'s role grants that name (a refused by-name read would leave every ConfigMap verdict unevaluated)', () => {
    expect(refsOf(snapshotFromObjects([contour]))).toContain('projectcontour/contour');
    const byName = auditorClusterRoleRules().find((r) => r.resources?.includes('configmaps'))?.resourceNames ?? [];
    expect(byName).toContain('contour');
  });
});

describe('liveConfigMapRefs: the kinds it declares (serve --watch refreshes from a view of those alone)', () => {
  it('asks for the same ConfigMaps from a view of its kinds as from every object held', () => {
    expect(liveConfigMapRefs(defaultConfig()).kinds).toBe(LIVE_CONFIG_MAP_REF_KINDS);
    const full = snapshotFromObjects(CLUSTERS['nginx controllers, istio revisions, cilium']!);
    expect(refsOf(full)).toEqual([
      'cilium/cilium-config', 'consul/consul-server-config', 'consul/consul-server-tmp-extra-config', 'edge/edge-settings',
      'ingress-nginx/ingress-nginx-controller', 'istio-system/istio', 'istio-system/istio-canary', 'istio-system/istio-stable',
      'linkerd/linkerd-config', 'node-edge/node-settings', 'projectcontour/contour',
    ]);
    for (const [name, objects] of Object.entries(CLUSTERS)) {
      const snapshot = snapshotFromObjects(objects);
      expect(refsOf(viewOf(snapshot, LIVE_CONFIG_MAP_REF_KINDS)), name).toEqual(refsOf(snapshot));
    }
  });

  it('reads every kind it declares: without any one of them, some cluster asks for other ConfigMaps', () => {
    const snapshots = Object.values(CLUSTERS).map((objects) => snapshotFromObjects(objects));
    for (const kind of LIVE_CONFIG_MAP_REF_KINDS) {
      const without = LIVE_CONFIG_MAP_REF_KINDS.filter((k) => k !== kind);
      expect(snapshots.some((s) => refsOf(viewOf(s, without)).join() !== refsOf(s).join()), kind).toBe(true);
    }
  });

  it('asks for the mesh config of the revision a tag points at, never a ConfigMap named after the tag', () => {
    const refs = refsOf(snapshotFromObjects(CLUSTERS['istio revision tag']!));
    expect(refs).toContain('istio-system/istio-canary');
    expect(refs).not.toContain('istio-system/istio-prod-stable');
  });

  it('asks for the same ConfigMaps from a view of its kinds as from every object, for each check fixture', () => {
    const root = join(import.meta.dirname, '..', '..', 'fixtures', 'checks');
    let files = 0;
    for (const dir of readdirSync(root)) {
      for (const file of readdirSync(join(root, dir)).filter((f) => /^(pass|fail)\..*\.ya?ml$/.test(f))) {
        const snapshot = loadFixture(join(root, dir, file));
        expect(refsOf(viewOf(snapshot, LIVE_CONFIG_MAP_REF_KINDS)), `${dir}/${file}`).toEqual(refsOf(snapshot));
        files++;
      }
    }
    expect(files).toBeGreaterThan(100);
  });
});
