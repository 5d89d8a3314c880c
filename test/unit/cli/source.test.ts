// The kinds liveConfigMapRefs declares it reads (serve --watch's ConfigMap refresh hands it a
// view of those alone): the ConfigMaps it asks for from that view are the ones it asks for from
// every object held, and each kind declared is one it reads.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LIVE_CONFIG_MAP_REF_KINDS, liveConfigMapRefs } from '../../../src/cli/source.ts';
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
  'CiliumNetworkPolicy without the agent': [cnp],
  'CiliumClusterwideNetworkPolicy without the agent': [ccnp],
};

const refsOf = (snapshot: Snapshot) => liveConfigMapRefs(defaultConfig())(snapshot).map((r) => `${r.namespace}/${r.name}`).sort();

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
