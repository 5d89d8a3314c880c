// istiod gone while its injection webhook remains (components.ts istioControlPlaneGone):
// mtls.mesh-not-strict fails on it (istio-control-plane-gone.test.ts). istiod is the mesh's CA
// ("Istio provisions identities through ... istiod", and "Istio agent ... sends the CSR to istiod"
// to rotate them, https://istio.io/latest/docs/concepts/security/#pki) and the xDS server that sends
// the sidecars their configuration (https://istio.io/latest/docs/ops/deployment/architecture/#istiod);
// the agent asks for 24-hour workload certificates by default (pilot-agent's SECRET_TTL,
// https://istio.io/latest/docs/reference/commands/pilot-agent/; "Istio-proxy's SDS agent defaults
// to 24 hours when setting the cert lifetime", istio/istio#21944). So the other mTLS checks
// whose pass says mutual TLS holds — auto mTLS on, a DestinationRule keeping ISTIO_MUTUAL, every
// caller having an identity — are no longer true for long: they keep their pass (one failing
// finding per cause) and say why, pointing at mtls.mesh-not-strict.
import { describe, expect, it } from 'vitest';
import { autoMtlsDisabled } from '../../../checks/mtls/auto-mtls-disabled.ts';
import { authzPlaintextBypass } from '../../../checks/mtls/authz-plaintext-bypass.ts';
import { destinationruleTlsDisabled } from '../../../checks/mtls/destinationrule-tls-disabled.ts';
import { meshNotStrict } from '../../../checks/mtls/mesh-not-strict.ts';
import type { Check } from '../../../src/engine/types.ts';
import { ctxOf } from './helpers.ts';

const pod = (namespace: string, name: string, containers: string) => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${namespace}, labels: {app: ${name}, security.istio.io/tlsMode: istio}}
spec: {containers: [${containers}]}
---`;
const SIDECAR = '{name: istio-proxy, image: docker.io/istio/proxyv2:1.24.0}';
// The istiod chart's injector webhook and Service (manifests/charts/istio-control/istio-discovery/
// templates/mutatingwebhook.yaml, service.yaml).
const MESH = `
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: istio-sidecar-injector, labels: {istio.io/rev: default}}
webhooks: [{name: rev.namespace.sidecar-injector.istio.io, clientConfig: {service: {name: istiod, namespace: istio-system, path: /inject}}, failurePolicy: Fail}]
---
apiVersion: v1
kind: Service
metadata: {name: istiod, namespace: istio-system}
spec: {selector: {app: istiod, istio: pilot}, ports: [{name: https-webhook, port: 443, targetPort: 15017}]}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{name: http, port: 80, targetPort: 8080}]}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: web, namespace: shop}
spec: {host: web.shop.svc.cluster.local, trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: web-callers, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  action: ALLOW
  rules: [{from: [{source: {principals: [cluster.local/ns/shop/sa/client]}}]}]
---${pod('shop', 'web', `{name: app, image: example/web:1, ports: [{containerPort: 8080}]}, ${SIDECAR}`)}${pod('shop', 'client', `{name: app, image: example/client:1}, ${SIDECAR}`)}`;
const ISTIOD = pod('istio-system', 'istiod-7d9f', '{name: discovery, image: docker.io/istio/pilot:1.24.0}');

const live = (yaml: string) => {
  const ctx = ctxOf(yaml);
  Object.assign(ctx.snapshot, { source: 'live', origin: 'live' });
  return ctx;
};
const NOTED = [autoMtlsDisabled, destinationruleTlsDisabled, authzPlaintextBypass];
const passes = (check: Check, yaml: string) => [...check.evaluate(live(yaml))].filter((v) => v.status === 'pass');

describe('istiod gone: one failing check names it, the passes that claim mutual TLS say why they no longer mean it', () => {
  it('with istiod running, each of these checks passes without a word of the control plane', () => {
    for (const check of NOTED) {
      const ps = passes(check, `${MESH}${ISTIOD}`);
      expect(ps.length, check.id).toBeGreaterThan(0);
      for (const p of ps) {
        expect(p.message, check.id).not.toContain('istiod');
        expect(p.evidence ?? {}, check.id).not.toHaveProperty('controlPlane');
      }
    }
  });

  it('without istiod, mtls.mesh-not-strict is the one failure; auto mTLS, the ISTIO_MUTUAL DestinationRule and the identity-only authorization keep their pass with the cause in message and evidence', () => {
    // Its failure is on the revision's istiod Service (the mesh-wide policy judged apart).
    expect([...meshNotStrict.evaluate(live(MESH))].filter((v) => v.status === 'fail').map((v) => v.resource)).toEqual([{ kind: 'Service', namespace: 'istio-system', name: 'istiod' }]);
    for (const check of NOTED) {
      const all = [...check.evaluate(live(MESH))];
      expect(all.filter((v) => v.status === 'fail'), check.id).toEqual([]);
      const ps = all.filter((v) => v.status === 'pass');
      expect(ps.length, check.id).toBeGreaterThan(0);
      for (const p of ps) {
        expect(p.message, check.id).toContain('but no ready istiod certifies the sidecars or sends them this configuration, so this holds only until the proxies\' certificates expire (mtls.mesh-not-strict fails on it)');
        expect(p.evidence, check.id).toMatchObject({ controlPlane: expect.stringContaining('no istiod pod runs') });
      }
    }
  });
});
