// Linking Istio gateways to their workloads (src/analysis/tls/istio.ts gatewayRevisions), which
// tls.legacy-protocol-enabled and tls.weak-ciphers do for every classic Istio Gateway and every
// Gateway API Gateway of Istio's class. The workloads are indexed once per audit by their pod
// labels, so linking costs O(Gateways + workloads): the link must be the one a scan of every
// workload gives (a classic Gateway's spec.selector matches the pod labels of workloads in any
// namespace: istio.io/latest/docs/reference/config/networking/gateway/, Gateway.selector), on
// every check fixture and on a generated scene whose selectors share labels.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECK_BY_ID } from '../../../checks/index.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { istioGatewayApiServers, istioGatewayServers } from '../../../src/analysis/tls/index.ts';
import { gatewayRevisions } from '../../../src/analysis/tls/istio.ts';
import { podTemplateOf } from '../../../src/analysis/workloads.ts';
import type { KubeObject, Snapshot } from '../../../src/snapshot/types.ts';
import { loadFixture } from '../../helpers/fixtures.ts';
import { istioGatewayScene } from '../../../bench/istio-gateways-gen.ts';
import { rng } from '../../../bench/prng.ts';

const FIXTURES = join(import.meta.dirname, '../../fixtures/checks');

/** The link by a scan of every workload, as the checks made it before the index. */
function scanned(snapshot: Snapshot, gateway: KubeObject) {
  const selector = (gateway.spec as { selector?: Record<string, unknown> } | undefined)?.selector ?? {};
  const keys = Object.entries(selector);
  const gatewayApi = gateway.apiVersion?.startsWith('gateway.networking.k8s.io/');
  const name = gateway.metadata?.name;
  // A Gateway API Gateway's pods: its namespace's, by either gateway-name label (istio.ts GATEWAY_NAME_LABELS).
  const matches = (o: KubeObject, labels: Record<string, unknown>) => gatewayApi
    ? o.metadata?.namespace === gateway.metadata?.namespace && (labels['gateway.networking.k8s.io/gateway-name'] === name || labels['istio.io/gateway-name'] === name)
    : keys.length > 0 && keys.every(([k, v]) => typeof labels[k] === 'string' && labels[k] === v);
  const nsRev = new Map((snapshot.resources.namespaces ?? []).map((n) => [n.metadata?.name, n.metadata?.labels?.['istio.io/rev']]));
  const revisions = new Set<string>();
  const picked: string[] = [];
  let workloads = false;
  for (const key of ['deployments', 'daemonsets', 'statefulsets'] as const) {
    for (const o of snapshot.resources[key] ?? []) {
      const tpl = podTemplateOf(o) as { metadata?: { labels?: Record<string, unknown> }; spec?: { containers?: { image?: unknown }[] } } | undefined;
      const labels = tpl?.metadata?.labels ?? {};
      if (!matches(o, labels)) continue;
      workloads = true;
      revisions.add((labels['istio.io/rev'] as string | undefined) ?? nsRev.get(o.metadata?.namespace ?? 'default') ?? 'default');
      for (const c of tpl?.spec?.containers ?? []) if (typeof c.image === 'string' && /(^|\/)proxyv2(:|@|$)/.test(c.image)) picked.push(c.image);
    }
  }
  return { revisions: [...revisions], picked, workloads };
}

const indexed = (snapshot: Snapshot, gateway: KubeObject) => {
  const l = gatewayRevisions(snapshot, gateway);
  return { revisions: [...l.revisions], picked: l.picked.map((p) => p.image), workloads: l.workloads };
};

const gatewaysOf = (snapshot: Snapshot) => [...istioGatewayServers(snapshot).judged, ...istioGatewayApiServers(snapshot)].map((s) => s.gateway);

describe('Istio gateway linking through the pod-label index', () => {
  it('links every Gateway of every check fixture as a scan of every workload does', () => {
    let fixtures = 0;
    let linked = 0;
    let compared = 0;
    for (const dir of readdirSync(FIXTURES)) {
      for (const file of readdirSync(join(FIXTURES, dir)).filter((f) => /^(pass|fail)\..+\.ya?ml$/.test(f))) {
        // Only a fixture naming a Gateway can hold one (the others are not loaded: there are thousands).
        if (!readFileSync(join(FIXTURES, dir, file), 'utf8').includes('kind: Gateway')) continue;
        const snapshot = loadFixture(join(FIXTURES, dir, file), `${dir}/${file}`);
        if (gatewaysOf(snapshot).length > 0) fixtures++;
        for (const gateway of gatewaysOf(snapshot)) {
          const want = scanned(snapshot, gateway);
          expect(indexed(snapshot, gateway), `${dir}/${file} ${gateway.metadata?.namespace}/${gateway.metadata?.name}`).toEqual(want);
          compared++;
          if (want.workloads) linked++;
        }
      }
    }
    // The fixtures hold Gateways linked to workloads and Gateways linked to none.
    expect(fixtures).toBeGreaterThan(20);
    expect(linked).toBeGreaterThan(5);
    expect(compared).toBeGreaterThan(linked);
  });

  it('links as a scan does on a generated scene whose selectors share labels, name several, or hold a value that is no string', () => {
    const next = rng(20261207);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)];
    const values = ['a', 'b', 'c'];
    const objects: KubeObject[] = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns1', labels: { 'istio.io/rev': 'canary' } } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns2' } },
    ];
    for (let i = 0; i < 300; i++) {
      const labels: Record<string, string> = {};
      for (const k of ['istio', 'app', 'tier', 'istio.io/rev']) if (next() < (k === 'istio.io/rev' ? 0.2 : 0.6)) labels[k] = pick(values);
      const image = pick(['docker.io/istio/proxyv2:1.13.4', 'docker.io/istio/proxyv2:1.20.1', 'auto', 'nginx:1.25']);
      const kind = pick(['Deployment', 'DaemonSet', 'StatefulSet']);
      objects.push({ apiVersion: 'apps/v1', kind, metadata: { namespace: pick(['ns1', 'ns2', 'ns3']), name: `w${i}` }, spec: { template: { metadata: { labels }, spec: { containers: [{ name: 'c', image }] } } } });
    }
    for (let i = 0; i < 120; i++) {
      const selector: Record<string, unknown> = {};
      for (const k of ['istio', 'app', 'tier']) if (next() < 0.5) selector[k] = pick(values);
      if (i % 17 === 0) selector.app = 7;
      objects.push({ apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { namespace: 'ns2', name: `g${i}` }, spec: { selector, servers: [{ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['*'], tls: { mode: 'SIMPLE' } }] } });
    }
    const snapshot = snapshotFromObjects(objects, { origin: 'live' });
    const gateways = gatewaysOf(snapshot);
    expect(gateways).toHaveLength(120);
    let linked = 0;
    for (const g of gateways) {
      const want = scanned(snapshot, g);
      expect(indexed(snapshot, g), JSON.stringify(g.spec)).toEqual(want);
      if (want.workloads) linked++;
    }
    expect(linked).toBeGreaterThan(30);
    expect(linked).toBeLessThan(120);
  });
});

// From Istio 1.24 the Deployment istiod makes for a Gateway API Gateway labels its pods with
// gateway.networking.k8s.io/gateway-name only (istio/istio 1.24.0
// manifests/charts/istio-control/istio-discovery/files/kube-gateway.yaml; 1.21.0-1.23.0 set it
// beside istio.io/gateway-name, 1.20.0 istio.io/gateway-name alone), in the Gateway's namespace
// (`namespace: {{.Namespace}}` there). The gateway's revision decides whose istiod configures it.
describe('a Gateway API Gateway linked to its Istio 1.24+ gateway pods by gateway.networking.k8s.io/gateway-name', () => {
  const scene = (gatewayPods: KubeObject[]): KubeObject[] => [
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { namespace: 'istio-system', name: 'istiod' }, spec: { template: { metadata: { labels: { app: 'istiod' } }, spec: { containers: [{ name: 'discovery', image: 'docker.io/istio/pilot:1.13.9' }] } } } },
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { namespace: 'istio-system', name: 'istiod-canary' }, spec: { template: { metadata: { labels: { app: 'istiod', 'istio.io/rev': 'canary' } }, spec: { containers: [{ name: 'discovery', image: 'docker.io/istio/pilot:1.24.2' }] } } } },
    { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'istio' }, spec: { controllerName: 'istio.io/gateway-controller' } },
    { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { namespace: 'app', name: 'gwapi' }, spec: { gatewayClassName: 'istio', listeners: [{ name: 'https', protocol: 'HTTPS', port: 443, hostname: 'a.example.com', tls: { certificateRefs: [{ name: 'cert' }] } }] } },
    ...gatewayPods,
  ];
  const pods = (namespace: string, labels: Record<string, string>): KubeObject => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { namespace, name: 'gwapi-istio' }, spec: { template: { metadata: { labels }, spec: { containers: [{ name: 'istio-proxy', image: 'auto' }] } } } });
  const verdict = (objects: KubeObject[]) => {
    const snapshot = snapshotFromObjects(objects, { origin: 'live' });
    const [o] = runChecks([CHECK_BY_ID.get('tls.legacy-protocol-enabled')!], { snapshot, config: defaultConfig(), now: new Date('2026-12-07T00:00:00Z') });
    return o.results.find((r) => r.resource.name === 'gwapi')!;
  };

  it('takes the canary istiod (1.24) of its pods\' revision, so the listener passes; unlinked it was read as the oldest istiod (1.13, TLS 1.0 default) and failed', () => {
    const linked = verdict(scene([pods('app', { 'gateway.networking.k8s.io/gateway-name': 'gwapi', 'istio.io/rev': 'canary' })]));
    expect(linked.status, linked.message).toBe('pass');
    // No gateway pods: the release is the oldest istiod's, whose Envoy defaults servers to TLS 1.0.
    const unlinked = verdict(scene([]));
    expect(unlinked.status).toBe('fail');
    expect(unlinked.message).toContain('1.13');
  });

  it('still links by istio.io/gateway-name (Istio 1.20 and older), and never to pods of a Gateway of that name in another namespace', () => {
    expect(verdict(scene([pods('app', { 'istio.io/gateway-name': 'gwapi', 'istio.io/rev': 'canary' })])).status).toBe('pass');
    const elsewhere = verdict(scene([pods('other', { 'gateway.networking.k8s.io/gateway-name': 'gwapi', 'istio.io/rev': 'canary' })]));
    expect(elsewhere.status).toBe('fail');
    // The other namespace's default-revision gateway does not drag app/gwapi to the 1.13 istiod.
    const both = verdict(scene([pods('app', { 'gateway.networking.k8s.io/gateway-name': 'gwapi', 'istio.io/rev': 'canary' }), { ...pods('other', { 'gateway.networking.k8s.io/gateway-name': 'gwapi' }), metadata: { namespace: 'other', name: 'gwapi-istio' } }]));
    expect(both.status, both.message).toBe('pass');
  });
});
