// Istio's effective outbound traffic policy per workload: which object decided it, and the
// revision ConfigMaps the collector is asked to read.
import { describe, expect, it } from 'vitest';
import { istioOutbound, istioRevisionConfigMapRefs } from '../../../src/analysis/mesh/index.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { loadFixture } from '../../helpers/fixtures.ts';
import { outboundAllowAny } from '../../../checks/mtls/outbound-allow-any.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { ctxOf, run } from './helpers.ts';
import { istioExcludedInboundPorts } from '../../../checks/mtls/istio-excluded-inbound-ports.ts';

const dir = new URL('../../fixtures/checks/mtls.outbound-allow-any/', import.meta.url).pathname;

describe('istio outbound traffic policy', () => {
  it('names the deciding Sidecar or mesh config per workload', () => {
    const snapshot = loadFixture(`${dir}fail.namespace-sidecar-overrides.yaml`);
    const m = istioOutbound(snapshot, defaultConfig());
    const by = Object.fromEntries(m.workloads.map((w) => [`${w.mesh.namespace}/${w.mesh.workload.ref.name}`, [w.mode, w.decidedBy]]));
    expect(by['shop/web']).toEqual(['ALLOW_ANY', 'ConfigMap istio-system/istio mesh.outboundTrafficPolicy.mode; Sidecar shop/default sets no outboundTrafficPolicy']);
    expect(by['pay/api']).toEqual(['ALLOW_ANY', 'Sidecar pay/api-open']);
    expect(by['pay/ledger']).toEqual(['REGISTRY_ONLY', 'Sidecar istio-system/default']);
  });

  it('asks for istio-<rev> ConfigMaps of the revisions namespaces and pods use', () => {
    const snapshot = loadFixture(`${dir}fail.revision-config.yaml`);
    expect(istioRevisionConfigMapRefs(snapshot, defaultConfig())).toEqual([{ namespace: 'istio-system', name: 'istio-1-24' }]);
    const m = istioOutbound(snapshot, defaultConfig());
    expect(m.meshConfigs.get('1-24')).toMatchObject({ mode: 'ALLOW_ANY', source: 'ConfigMap istio-system/istio-1-24 mesh.outboundTrafficPolicy.mode' });
  });

  // The collector reads by name what the chart grants by name (rbac.istioRevisions): revisions,
  // never tags. Tag prod-stable's webhook istio-revision-tag-prod-stable points at revision canary
  // (https://istio.io/latest/docs/setup/upgrade/canary/, "Stable revision labels"); the pod
  // annotation istio.io/rev is the revision that injected it; a value no Istio webhook names is no
  // revision istiod has a ConfigMap for.
  it('asks for the ConfigMaps of revisions, a tag resolved through its webhook, never istio-<tag>', () => {
    const snapshot = loadFixture(`${dir}fail.revision-config.yaml`);
    const hook = (name: string, labels: Record<string, string>) => ({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name, labels } });
    snapshot.resources.mutatingwebhookconfigurations = [hook('istio-revision-tag-prod-stable', { 'istio.io/rev': 'canary', 'istio.io/tag': 'prod-stable' }), hook('istio-sidecar-injector-1-24', { 'istio.io/rev': '1-24' })];
    snapshot.resources.namespaces!.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'pay', labels: { 'istio.io/rev': 'prod-stable' } } }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'old', labels: { 'istio.io/rev': 'gone' } } });
    snapshot.resources.pods = [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'pay', labels: { 'istio.io/rev': 'prod-stable' }, annotations: { 'istio.io/rev': '1-23' } } }];
    expect(istioRevisionConfigMapRefs(snapshot, defaultConfig()).map((r) => r.name)).toEqual(['istio-1-23', 'istio-1-24', 'istio-canary']);
  });

  // `istioctl tag set default --revision 1-22-1` makes webhook istio-revision-tag-default, whose
  // injector serves istio-injection=enabled and istio.io/rev=default
  // (https://istio.io/latest/docs/setup/upgrade/canary/, "Default tag"): before any pod is injected
  // (no istio.io/rev annotation yet, no label naming the revision) the collector must still read
  // istio-1-22-1, and those namespaces follow it, not the absent ConfigMap istio.
  it('reads the mesh config of the revision the default tag points at for istio-injection=enabled namespaces', () => {
    const snapshot = loadFixture(`${dir}pass.default-tag-revisioned.yaml`);
    expect(istioRevisionConfigMapRefs(snapshot, defaultConfig())).toEqual([{ namespace: 'istio-system', name: 'istio-1-22-1' }]);
    const m = istioOutbound(snapshot, defaultConfig());
    expect(m.workloads.map((w) => [w.mesh.workload.ref.name, w.mode, w.decidedBy])).toEqual([
      ['api', 'REGISTRY_ONLY', 'ConfigMap istio-system/istio-1-22-1 mesh.outboundTrafficPolicy.mode'],
      ['web', 'REGISTRY_ONLY', 'ConfigMap istio-system/istio-1-22-1 mesh.outboundTrafficPolicy.mode'],
    ]);
  });

  it('with the webhooks unread and no ConfigMap istio, which revision istio-injection=enabled follows is unknown: not evaluated, naming the default tag', () => {
    const snapshot = loadFixture(`${dir}pass.default-tag-revisioned.yaml`);
    snapshot.resources.mutatingwebhookconfigurations = [];
    snapshot.coverage.mutatingwebhookconfigurations = { status: 'forbidden' };
    const [outcome] = runChecks([outboundAllowAny], { snapshot, config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') });
    expect(outcome.status).toBe('not-evaluated');
    expect(outcome.reason).toContain('istio-revision-tag-default');
  });
});

// istiod's gateway controller renders a Gateway API Gateway's Deployment with
// gateway.istio.io/managed, sidecar.istio.io/inject "false" and an istio-proxy running
// `proxy router` (istio/istio manifests/charts/istio-control/istio-discovery/files/kube-gateway.yaml,
// read at commit 03404d0fbc82). That Envoy is the gateway: no application behind it, no outbound capture, while
// outboundTrafficPolicy governs how a sidecar handles its application's outbound traffic
// (https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-OutboundTrafficPolicy).
describe('istio gateways and the outbound traffic policy', () => {
  const yaml = `
apiVersion: v1
kind: Namespace
metadata: {name: edge}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: gw-istio, namespace: edge, labels: {gateway.networking.k8s.io/gateway-name: gw}}
spec:
  selector: {matchLabels: {gateway.networking.k8s.io/gateway-name: gw}}
  template:
    metadata:
      labels: {gateway.istio.io/managed: istio.io-gateway-controller, gateway.networking.k8s.io/gateway-name: gw, sidecar.istio.io/inject: "false"}
      annotations: {istio.io/rev: default}
    spec:
      containers:
      - name: istio-proxy
        image: docker.io/istio/proxyv2:1.22.3
        args: [proxy, router, --domain, $(POD_NAMESPACE).svc.cluster.local]
        ports: [{containerPort: 15021}, {containerPort: 80}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: example/web:1, ports: [{containerPort: 8080}]}]
`;

  it('leaves a rendered Gateway API gateway (`proxy router`, no istio= label) out, judging only the application', () => {
    const ctx = ctxOf(yaml);
    expect(istioOutbound(ctx.snapshot, ctx.config).workloads.map((w) => `${w.mesh.namespace}/${w.mesh.workload.ref.name}`)).toEqual(['shop/web']);
    const failing = run(outboundAllowAny, ctx).filter((v) => v.status === 'fail');
    expect(failing.map((v) => v.resource.name)).toEqual(['shop']);
    expect(JSON.stringify(failing)).not.toContain('gw-istio');
  });
});

// The same gateway is no sidecar for mtls.istio-excluded-inbound-ports either: istiod's
// kube-gateway template (istio manifests/charts/istio-control/istio-discovery/files/kube-gateway.yaml, commit 03404d0fbc82)
// renders only istio-proxy running `proxy router`, no istio-init, so nothing captures its inbound
// traffic and traffic.sidecar.istio.io/excludeInboundPorts bypasses nothing.
describe('istio gateways and mtls.istio-excluded-inbound-ports', () => {
  it('neither passes nor fails a rendered Gateway API gateway as if it had a sidecar', () => {
    const gw = (annotations: string) => `
apiVersion: v1
kind: Namespace
metadata: {name: edge}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: gw-istio, namespace: edge}
spec:
  selector: {matchLabels: {gateway.networking.k8s.io/gateway-name: gw}}
  template:
    metadata:
      labels: {gateway.istio.io/managed: istio.io-gateway-controller, gateway.networking.k8s.io/gateway-name: gw, sidecar.istio.io/inject: "false"}
      annotations: {istio.io/rev: default${annotations}}
    spec:
      containers:
      - name: istio-proxy
        image: docker.io/istio/proxyv2:1.22.3
        args: [proxy, router, --domain, $(POD_NAMESPACE).svc.cluster.local]
        ports: [{containerPort: 15021}, {containerPort: 80}]
`;
    for (const a of ['', ', traffic.sidecar.istio.io/excludeInboundPorts: "80"']) {
      expect(run(istioExcludedInboundPorts, ctxOf(gw(a))).filter((v) => v.resource.name === 'gw-istio')).toEqual([]);
    }
  });
});

// REGISTRY_ONLY is enforced by the sidecar's Envoy: a connection its iptables do not redirect never
// meets it. includeOutboundIPRanges: "An empty list will disable all outbound redirection";
// excludeOutboundIPRanges and excludeOutboundPorts keep those destinations away from Envoy
// (https://istio.io/latest/docs/reference/config/annotations/).
describe('mtls.outbound-allow-any and outbound traffic that bypasses the sidecar', () => {
  const REGISTRY_ONLY = `
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data:
  mesh: |
    outboundTrafficPolicy:
      mode: REGISTRY_ONLY
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: istiod, namespace: istio-system}
spec:
  selector: {matchLabels: {app: istiod}}
  template:
    metadata: {labels: {app: istiod, istio: pilot}}
    spec: {containers: [{name: discovery, image: docker.io/istio/pilot:1.24.0}]}
`;
  const wl = (name: string, annotations: Record<string, string>) => `
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: shop}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata:
      labels: {app: ${name}}
      annotations: ${JSON.stringify(annotations)}
    spec: {containers: [{name: c, image: nginx:1.27}]}
`;

  it('REGISTRY_ONLY, but the sidecar lets public addresses or ports leave around it: fails naming what and why', () => {
    const ctx = ctxOf(`${REGISTRY_ONLY}${wl('bypass', { 'traffic.sidecar.istio.io/excludeOutboundIPRanges': '0.0.0.0/0' })}${wl('nocapture', { 'traffic.sidecar.istio.io/includeOutboundIPRanges': '' })}`);
    const [v] = run(outboundAllowAny, ctx);
    expect(v).toMatchObject({ status: 'fail', resource: { kind: 'Namespace', name: 'shop' }, evidence: { workloadCount: 2 } });
    expect(v.message).toBe('2 meshed workload(s) in shop bypass the sidecar: REGISTRY_ONLY not enforced for '
      + 'Deployment shop/bypass: every public IPv4 address (pod annotation traffic.sidecar.istio.io/excludeOutboundIPRanges="0.0.0.0/0"); '
      + 'Deployment shop/nocapture: every public IPv4 address, every public IPv6 address (pod annotation traffic.sidecar.istio.io/includeOutboundIPRanges="").');
  });

  it('an excluded port, a public range, or an include list of the cluster\'s space (included ports aside) each fail; private exclusions pass', () => {
    const judge = (annotations: Record<string, string>) => run(outboundAllowAny, ctxOf(`${REGISTRY_ONLY}${wl('web', annotations)}`))[0];
    expect(judge({ 'traffic.sidecar.istio.io/excludeOutboundPorts': '443' }).message).toContain('Deployment shop/web: port 443 to any address (pod annotation traffic.sidecar.istio.io/excludeOutboundPorts="443")');
    expect(judge({ 'traffic.sidecar.istio.io/excludeOutboundIPRanges': '203.0.113.0/24' }).message).toContain('public IPv4 addresses 203.0.113.0-203.0.113.255 (');
    expect(judge({ 'traffic.sidecar.istio.io/includeOutboundIPRanges': '10.0.0.0/8', 'traffic.sidecar.istio.io/includeOutboundPorts': '443' }).message)
      .toContain('every public IPv4 address on ports other than 443, every public IPv6 address on ports other than 443 (');
    expect(judge({ 'traffic.sidecar.istio.io/excludeOutboundIPRanges': '10.0.0.0/8,169.254.169.254/32' }).status).toBe('pass');
    expect(judge({}).status).toBe('pass');
  });
});
