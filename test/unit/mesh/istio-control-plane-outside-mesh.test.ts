// mtls.workload-outside-mesh leaves out istiod and the istio-cni node agent, which Istio's charts
// run without a sidecar by design, when their namespace is labelled for injection; gateways are
// judged as any workload. Upstream (istio/istio 1.30.0): manifests/charts/istio-control/
// istio-discovery/templates/deployment.yaml and manifests/charts/istio-cni/templates/daemonset.yaml
// label/annotate their pods sidecar.istio.io/inject: "false"; the gateways chart's
// deployment.yaml does too, but a gateway is a data-plane proxy, not the control plane.
import { describe, expect, it } from 'vitest';
import { mtlsChecks } from '../../../checks/mtls/index.ts';
import { ctxOf, deploymentYaml, fails, istiodYaml, istioInjectorYaml, namespaceYaml, run } from './helpers.ts';

const check = mtlsChecks.find((c) => c.id === 'mtls.workload-outside-mesh')!;
const gateway = deploymentYaml('istio-system', 'istio-ingressgateway', {
  labels: { app: 'istio-ingressgateway', istio: 'ingressgateway', 'sidecar.istio.io/inject': 'false' }, selector: { app: 'istio-ingressgateway' },
  container: { name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.30.2' }, ports: [8080],
});
const scene = (extra = '', systemLabels = 'istio-injection: enabled') => `${namespaceYaml('istio-system', systemLabels)}${istiodYaml()}${istioInjectorYaml()}${namespaceYaml('shop')}${deploymentYaml('shop', 'api')}${extra}`;

describe('workload-outside-mesh and Istio\'s control plane', () => {
  it('istiod in an istio-system labelled for injection is not failed (was: high), and the exclusion is said', () => {
    const ctx = ctxOf(scene());
    const failed = fails(run(check, ctx));
    expect(failed.map((f) => f.resource.name)).not.toContain('istiod');
    expect(check.excluded!(ctx)).toBe('Deployment istio-system/istiod (istiod) runs Istio\'s control plane, which Istio\'s charts run without a sidecar by design (sidecar.istio.io/inject: "false"), so it is not judged although its namespace is meant to be meshed');
  });

  it('a gateway opted out of injection there still fails', () => {
    const failed = fails(run(check, ctxOf(scene(gateway))));
    expect(failed.map((f) => f.resource.name)).toEqual(['istio-ingressgateway']);
  });

  it('nothing excluded when istio-system is not labelled for injection', () => {
    const ctx = ctxOf(scene('', 'team: infra'));
    expect(check.excluded!(ctx)).toBeUndefined();
  });

  // Reviewer's repro (/tmp/rev-mr6/cp): a user Deployment opted out of injection in a meshed
  // namespace that adds a container with Istio's install-cni image is not Istio's control plane.
  it('a user workload that adds a container with an Istio image still fails (was: excluded as the istio-cni agent)', () => {
    const ctx = ctxOf(`${namespaceYaml('shop')}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
      annotations: {sidecar.istio.io/inject: "false"}
    spec:
      containers:
      - {name: web, image: nginx:1.27}
      - {name: tools, image: docker.io/istio/install-cni:1.26.0}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata:
      labels: {app: api}
      annotations: {sidecar.istio.io/inject: "false"}
    spec:
      containers:
      - {name: api, image: nginx:1.27}
`);
    const failed = fails(run(check, ctx));
    expect(failed.map((f) => f.resource.name).sort()).toEqual(['api', 'web']);
    expect(failed.every((f) => (f.severity ?? check.severity) === 'high')).toBe(true);
    expect(check.excluded!(ctx)).toBeUndefined();
  });

  it('istiod\'s image in a DaemonSet, or the istio-cni image alone in a Deployment, is not the control plane', () => {
    const ctx = ctxOf(`${namespaceYaml('shop')}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: fake-istiod, namespace: shop}
spec:
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: {app: a}, annotations: {sidecar.istio.io/inject: "false"}}
    spec:
      containers:
      - {name: discovery, image: docker.io/istio/pilot:1.30.2}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: fake-cni, namespace: shop}
spec:
  selector: {matchLabels: {app: b}}
  template:
    metadata: {labels: {app: b}, annotations: {sidecar.istio.io/inject: "false"}}
    spec:
      containers:
      - {name: install-cni, image: docker.io/istio/install-cni:1.30.2}
`);
    expect(fails(run(check, ctx)).map((f) => f.resource.name).sort()).toEqual(['fake-cni', 'fake-istiod']);
    expect(check.excluded!(ctx)).toBeUndefined();
  });
});
