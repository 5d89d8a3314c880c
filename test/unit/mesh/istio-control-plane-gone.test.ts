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
import { runChecks } from '../../../src/engine/run.ts';
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

// The istiod chart's Service selects the istiod pods (app: istiod, istio: pilot;
// manifests/charts/istio-control/istio-discovery/templates/service.yaml).
const ISTIOD_SERVICE = `
apiVersion: v1
kind: Service
metadata: {name: istiod, namespace: istio-system}
spec: {selector: {app: istiod, istio: pilot}, ports: [{name: https-webhook, port: 443, targetPort: 15017}]}
---`;
// A primary-remote mesh's remote cluster: Service istio-system/istiod with no selector and
// Endpoints at the primary's east-west gateway (istio/istio manifests/charts/istio-control/
// istio-discovery/templates/remote-istiod-service.yaml, remote-istiod-endpoints.yaml;
// https://istio.io/latest/docs/setup/install/multicluster/primary-remote/).
const REMOTE_ISTIOD_SERVICE = `
apiVersion: v1
kind: Service
metadata: {name: istiod, namespace: istio-system}
spec: {ports: [{name: https-webhook, port: 443}, {name: tcp-istiod, port: 15012}]}
---
apiVersion: v1
kind: Endpoints
metadata: {name: istiod, namespace: istio-system}
subsets: [{addresses: [{ip: 203.0.113.10}], ports: [{name: https-webhook, port: 15017}, {name: tcp-istiod, port: 15012}]}]
---`;

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
    const ctx = live(`${CLUSTER}${webhook(IN_CLUSTER)}${ISTIOD_SERVICE}`);
    expect(meshModel(ctx.snapshot, ctx.config).istio.present).toBe(true);
    // The revision's failure is on its istiod Service; the mesh-wide PeerAuthentication is judged apart.
    const vs = [...meshNotStrict.evaluate(ctx)];
    expect(vs).toMatchObject([{ status: 'pass', resource: { kind: 'PeerAuthentication' } }, { status: 'fail', resource: { kind: 'Service', namespace: 'istio-system', name: 'istiod' } }]);
    const v = vs[1];
    expect(v.message).toContain('No istiod pod runs');
    expect(v.message).toContain('Service istio-system/istiod');
    expect(v.evidence).toMatchObject({ controlPlane: expect.stringContaining('istio-sidecar-injector') });
  });

  it('a webhook served from outside the cluster (external control plane) is no sign of a missing istiod, next to an in-cluster one too', () => {
    const external = webhook('{url: "https://istiod.external.example:15017/inject"}', 'istio-sidecar-injector-external');
    expect([...meshNotStrict.evaluate(live(`${CLUSTER}${external}`))]).toMatchObject([{ status: 'pass' }]);
    expect([...meshNotStrict.evaluate(live(`${CLUSTER}${external}${webhook(IN_CLUSTER)}${ISTIOD_SERVICE}`))]).toMatchObject([{ status: 'pass' }]);
  });

  it('the remote cluster of a primary-remote mesh (istiod Service with no selector, Endpoints at the primary) passes: istiod runs outside it', () => {
    expect([...meshNotStrict.evaluate(live(`${CLUSTER}${webhook(IN_CLUSTER)}${REMOTE_ISTIOD_SERVICE}`))]).toMatchObject([{ status: 'pass' }]);
    const external = REMOTE_ISTIOD_SERVICE.replace('spec: {ports:', 'spec: {type: ExternalName, externalName: istiod.primary.example, ports:');
    expect([...meshNotStrict.evaluate(live(`${CLUSTER}${webhook(IN_CLUSTER)}${external}`))]).toMatchObject([{ status: 'pass' }]);
    // Still a failure with a selector Service and no istiod pod.
    expect([...meshNotStrict.evaluate(live(`${CLUSTER}${webhook(IN_CLUSTER)}${ISTIOD_SERVICE}`))]).toMatchObject([{ status: 'pass' }, { status: 'fail', resource: { kind: 'Service', name: 'istiod' } }]);
  });

  it('the webhook\'s Service missing from a complete read: its backend is unknown, so istiod is not said to be gone', () => {
    expect([...meshNotStrict.evaluate(live(`${CLUSTER}${webhook(IN_CLUSTER)}`))]).toMatchObject([{ status: 'pass' }]);
  });

  it('with the Services unread the "gone" verdict is not claimed: the check is not evaluated, naming the Service', () => {
    const ctx = live(`${CLUSTER}${webhook(IN_CLUSTER)}${ISTIOD_SERVICE}`);
    ctx.snapshot.resources.services = [];
    ctx.snapshot.coverage.services = { status: 'forbidden' };
    expect(meshModel(ctx.snapshot, ctx.config).istio.controlPlaneGone).toBeUndefined();
    const o = runChecks([meshNotStrict], ctx)[0];
    expect(o.status).toBe('not-evaluated');
    expect(o.reason).toContain('istio-system/istiod');
  });

  it('from a manifests directory, which rarely holds the mesh\'s install, nothing is said', () => {
    expect([...meshNotStrict.evaluate(ctxOf(`${CLUSTER}${webhook(IN_CLUSTER)}`))]).toMatchObject([{ status: 'pass' }]);
  });
});
