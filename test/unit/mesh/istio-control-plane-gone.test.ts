// Istio's control plane uninstalled (or scaled away) while its injection webhooks and namespace
// labels remain. The istiod chart's injector webhook calls the istiod Service in the cluster with
// failurePolicy: Fail (manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml),
// so with no istiod pod the API server refuses the pods it selects; istiod is also the mesh's CA
// ("Istio provisions identities through ... istiod", https://istio.io/latest/docs/concepts/security/#pki),
// so the running sidecars cannot renew their certificates. A mesh-wide STRICT PeerAuthentication then
// protects nothing new: mtls.mesh-not-strict fails. A webhook calling a URL is served by a control
// plane outside the cluster (https://istio.io/latest/docs/setup/install/external-controlplane/): no
// finding then, nor from a manifests directory, which rarely holds the mesh's install.
import { describe, expect, it } from 'vitest';
import { meshNotStrict } from '../../../checks/mtls/mesh-not-strict.ts';
import { meshModel } from '../../../src/analysis/mesh/index.ts';
import { ctxOf } from './helpers.ts';

const webhook = (clientConfig: string, name = 'istio-sidecar-injector') => `
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: ${name}, labels: {istio.io/rev: default}}
webhooks: [{name: rev.namespace.sidecar-injector.istio.io, clientConfig: ${clientConfig}, failurePolicy: Fail}]
---`;
const IN_CLUSTER = '{service: {name: istiod, namespace: istio-system, path: /inject}}';
const pod = (namespace: string, name: string, containers: string) => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${namespace}, labels: {app: ${name}}}
spec: {containers: [${containers}]}
---`;
const ISTIOD = pod('istio-system', 'istiod-7d9f', '{name: discovery, image: docker.io/istio/pilot:1.24.0}');
const CLUSTER = `
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
---${pod('shop', 'web', '{name: app, image: example/web:1}, {name: istio-proxy, image: docker.io/istio/proxyv2:1.24.0}')}`;

const live = (yaml: string) => {
  const ctx = ctxOf(yaml);
  Object.assign(ctx.snapshot, { source: 'live', origin: 'live' });
  return ctx;
};

describe('Istio\'s injection webhooks and labels remain, istiod is gone', () => {
  it('with istiod running, a STRICT mesh-wide PeerAuthentication passes', () => {
    expect([...meshNotStrict.evaluate(live(`${CLUSTER}${webhook(IN_CLUSTER)}${ISTIOD}`))]).toMatchObject([{ status: 'pass' }]);
  });

  it('without istiod, mtls.mesh-not-strict fails, saying why mTLS is not being enforced', () => {
    const ctx = live(`${CLUSTER}${webhook(IN_CLUSTER)}`);
    expect(meshModel(ctx.snapshot, ctx.config).istio.present).toBe(true);
    const [v] = [...meshNotStrict.evaluate(ctx)];
    expect(v.status).toBe('fail');
    expect(v.message).toContain('no istiod pod runs');
    expect(v.message).toContain('Service istio-system/istiod');
    expect(v.evidence).toMatchObject({ controlPlane: expect.stringContaining('istio-sidecar-injector') });
  });

  it('a webhook served from outside the cluster (external control plane) is no sign of a missing istiod, next to an in-cluster one too', () => {
    const external = webhook('{url: "https://istiod.external.example:15017/inject"}', 'istio-sidecar-injector-external');
    expect([...meshNotStrict.evaluate(live(`${CLUSTER}${external}`))]).toMatchObject([{ status: 'pass' }]);
    expect([...meshNotStrict.evaluate(live(`${CLUSTER}${external}${webhook(IN_CLUSTER)}`))]).toMatchObject([{ status: 'pass' }]);
  });

  it('from a manifests directory, which rarely holds the mesh\'s install, nothing is said', () => {
    expect([...meshNotStrict.evaluate(ctxOf(`${CLUSTER}${webhook(IN_CLUSTER)}`))]).toMatchObject([{ status: 'pass' }]);
  });
});
