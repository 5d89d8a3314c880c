// OpenShift Service Mesh 3 builds Istio under its own image names: istio-pilot-rhel9,
// istio-proxyv2-rhel9, istio-ztunnel-rhel9, istio-cni-rhel9 in
// registry.redhat.io/openshift-service-mesh (the OSSM image names in openshift/cluster-ingress-operator
// pkg/operator/controller/gatewayclass/controller.go; the servicemeshoperator3 CSV's
// images.<version>.{istiod,proxy,cni,ztunnel} annotations name the same repositories). An
// istiod running one of them is Istio running: its mTLS checks apply.
import { describe, expect, it } from 'vitest';
import { meshComponentOfImage } from '../../../src/analysis/mesh/components.ts';
import { mtlsChecks } from '../../../checks/mtls/index.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { ctxOf } from './helpers.ts';

const OSSM = 'registry.redhat.io/openshift-service-mesh';

const istiod = (image: string) => `
apiVersion: v1
kind: Namespace
metadata: {name: istio-system}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: istiod, namespace: istio-system}
spec:
  replicas: 1
  selector: {matchLabels: {app: istiod}}
  template:
    metadata: {labels: {app: istiod}}
    spec:
      containers:
      - name: discovery
        image: ${image}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: web, image: 'nginx:1.27'}
`;

describe('OpenShift Service Mesh 3 images are Istio', () => {
  it('recognises istiod, the proxy, ztunnel and the CNI agent by their OSSM 3 names', () => {
    expect(meshComponentOfImage(`${OSSM}/istio-pilot-rhel9:1.26.4`, 'discovery')).toEqual({ mesh: 'istio', role: 'control plane', what: 'istiod' });
    expect(meshComponentOfImage(`${OSSM}/istio-proxyv2-rhel9:1.26.4`, 'istio-proxy')).toEqual({ mesh: 'istio', role: 'dataplane', what: 'Istio proxy' });
    expect(meshComponentOfImage(`${OSSM}/istio-ztunnel-rhel9:1.26.4`, 'istio-proxy')).toEqual({ mesh: 'istio', role: 'dataplane', what: 'ztunnel' });
    expect(meshComponentOfImage(`${OSSM}/istio-cni-rhel9@sha256:${'0'.repeat(64)}`, 'install-cni')).toEqual({ mesh: 'istio', role: 'dataplane', what: 'istio-cni node agent' });
    // The names OSSM 2 and upstream use still count; an unrelated CNI does not.
    expect(meshComponentOfImage(`${OSSM}/pilot-rhel8:2.6.1`, 'discovery')?.what).toBe('istiod');
    expect(meshComponentOfImage('docker.io/istio/install-cni:1.24.1', 'install-cni')?.what).toBe('istio-cni node agent');
    expect(meshComponentOfImage('docker.io/calico/cni:v3.28.0', 'install-cni')).toBeUndefined();
  });

  it('an OSSM 3 istiod makes mtls.mesh-not-strict evaluate (no mesh-wide PeerAuthentication: fail), not "not applicable"', () => {
    const ctx = ctxOf(istiod(`${OSSM}/istio-pilot-rhel9:1.26.4`));
    const o = runChecks(mtlsChecks, ctx).find((x) => x.check.id === 'mtls.mesh-not-strict')!;
    expect(o.status).toBe('fail');
    expect(o.results.filter((r) => r.status === 'fail').map((r) => r.resource)).toEqual([{ kind: 'PeerAuthentication', namespace: 'istio-system', name: 'default' }]);
  });

  it('with the webhooks forbidden, an OSSM 3 istiod still shows Istio running: no mtls check turns not-evaluated', () => {
    const ctx = ctxOf(istiod(`${OSSM}/istio-pilot-rhel9:1.26.4`));
    // A live cluster: Istio's API is served (empty), the injection webhooks could not be listed.
    ctx.snapshot.source = 'live';
    ctx.snapshot.origin = 'live';
    for (const k of ['istio.peerauthentications', 'istio.authorizationpolicies', 'istio.destinationrules'] as const) ctx.snapshot.coverage[k] = { status: 'ok', count: 0 };
    ctx.snapshot.coverage.mutatingwebhookconfigurations = { status: 'forbidden' };
    const outcomes = runChecks(mtlsChecks, ctx);
    expect(outcomes.filter((o) => o.status === 'not-evaluated').map((o) => o.check.id)).toEqual([]);
    expect(outcomes.find((o) => o.check.id === 'mtls.mesh-not-strict')!.status).toBe('fail');
  });
});
