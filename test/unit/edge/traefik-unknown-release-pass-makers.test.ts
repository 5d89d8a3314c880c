// What lets a Traefik route pass the edge guards (an authenticating Middleware, a TLSOption
// requiring verified client certificates) counts by one rule with the redirect of
// tls.ingress-without-tls (src/analysis/tls/traefik.ts traefikCrdCounts): under a release that is
// not known (traefik:latest, no Traefik workload), where the route itself is taken as served, a
// traefik.io object an Ingress names counts: every release reading CRDs since v2.10 reads traefik.io
// (pkg/provider/kubernetes/crd/client.go @v2.10.0, @v2.11.0; v3 reads it alone, @v3.0.0 and
// https://doc.traefik.io/traefik/migration/v2-to-v3/), and traefik:latest is a v3 release. A
// traefik.containo.us one there is genuinely uncertain and does not count.
// TLSOption clientAuth: https://doc.traefik.io/traefik/reference/routing-configuration/kubernetes/crd/tls/tlsoption/
// router.tls.options / router.middlewares: https://doc.traefik.io/traefik/reference/routing-configuration/kubernetes/ingress/#annotations
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { edgeAuthMissing } from '../../../checks/tls/edge-auth-missing.ts';
import { weakCiphers } from '../../../checks/tls/weak-ciphers.ts';

const ctx = (yaml: string) => ({ snapshot: snapshotFromObjects(parseManifestText(yaml, 'case.yaml').objects), config: defaultConfig(), now: new Date('2026-12-01T00:00:00Z') });
const traefik = (image: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: traefik, namespace: traefik}
spec:
  selector: {matchLabels: {app.kubernetes.io/name: traefik}}
  template:
    metadata: {labels: {app.kubernetes.io/name: traefik}}
    spec: {containers: [{name: c, image: "${image}", ports: [{name: http, containerPort: 8080}]}]}
---`;
/** An Ingress shop/admin on websecure whose router uses `annotations` (router.tls.options, router.middlewares), and `extra` objects. */
const admin = (annotations: string, extra: string) => `
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: traefik}
spec: {controller: traefik.io/ingress-controller}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: admin, namespace: shop}
spec:
  selector: {matchLabels: {app: admin}}
  template:
    metadata: {labels: {app: admin}}
    spec: {containers: [{name: c, image: "app:1", ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: admin, namespace: shop}
spec: {selector: {app: admin}, ports: [{name: http, port: 80, targetPort: http}]}
---
${extra}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: admin
  namespace: shop
  annotations:
    traefik.ingress.kubernetes.io/router.entrypoints: websecure
    traefik.ingress.kubernetes.io/router.tls: "true"
    ${annotations}
spec:
  ingressClassName: traefik
  tls: [{hosts: [admin.example.com], secretName: admin-cert}]
  rules:
  - host: admin.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: admin, port: {number: 80}}}}]}
`;
const tlsOption = (group: string) => `apiVersion: ${group}/v1alpha1
kind: TLSOption
metadata: {name: clients-only, namespace: shop}
spec: {minVersion: VersionTLS12, clientAuth: {secretNames: [clients-ca], clientAuthType: RequireAndVerifyClientCert}}`;
const basicAuth = (group: string) => `apiVersion: ${group}/v1alpha1
kind: Middleware
metadata: {name: auth, namespace: shop}
spec: {basicAuth: {secret: users}}`;
const CLIENT_CERT = 'traefik.ingress.kubernetes.io/router.tls.options: shop-clients-only@kubernetescrd';
const MIDDLEWARE = 'traefik.ingress.kubernetes.io/router.middlewares: shop-auth@kubernetescrd';
const auth = (yaml: string) => [...edgeAuthMissing.evaluate(ctx(yaml))].filter((v) => v.resource.kind === 'Ingress').map((v) => ({ status: v.status, message: v.message }));

describe('a client-certificate TLSOption or basicAuth Middleware of traefik.io named by an Ingress under a release that is not known', () => {
  it('traefik:latest, TLSOption: tls.edge-auth-missing passes, as tls.weak-ciphers lists the Ingress as using that TLSOption (was a high "no authentication")', () => {
    const yaml = traefik('traefik:latest') + admin(CLIENT_CERT, tlsOption('traefik.io'));
    expect(auth(yaml)).toEqual([{ status: 'pass', message: 'admin.example.com: Traefik TLSOption shop/clients-only clientAuth RequireAndVerifyClientCert (CA secretNames clients-ca)' }]);
    const weak = [...weakCiphers.evaluate(ctx(yaml))].find((v) => v.resource.kind === 'TLSOption');
    expect(weak?.message).toContain('Routers using it: Ingress shop/admin.');
  });

  it('no Traefik workload in the input, TLSOption: passes', () => {
    expect(auth(admin(CLIENT_CERT, tlsOption('traefik.io'))).map((v) => v.status)).toEqual(['pass']);
  });

  it('traefik:latest, basicAuth Middleware: passes', () => {
    expect(auth(traefik('traefik:latest') + admin(MIDDLEWARE, basicAuth('traefik.io')))).toEqual([{ status: 'pass', message: expect.stringContaining('Traefik Middleware shop/auth basicAuth') }]);
  });

  it('traefik.containo.us under traefik:latest is genuinely uncertain: neither counts, saying why', () => {
    for (const [annotation, object, what] of [[CLIENT_CERT, tlsOption('traefik.containo.us'), 'TLSOption shop/clients-only (traefik.containo.us/v1alpha1), which Ingress shop/admin uses, is there'], [MIDDLEWARE, basicAuth('traefik.containo.us'), 'Traefik Middleware shop/auth is there']]) {
      const v = auth(traefik('traefik:latest') + admin(annotation, object));
      expect(v.map((x) => x.status)).toEqual(['fail']);
      expect(v[0].message).toContain(`${what}, but it is of API group traefik.containo.us, and for Deployment traefik/traefik the image traefik:latest names no release`);
    }
  });

  it('a known release reading traefik.io (v3.1.2) counts it; v2.9.10, reading traefik.containo.us alone, does not', () => {
    expect(auth(traefik('traefik:v3.1.2') + admin(CLIENT_CERT, tlsOption('traefik.io'))).map((v) => v.status)).toEqual(['pass']);
    const old = auth(traefik('traefik:v2.9.10') + admin(CLIENT_CERT, tlsOption('traefik.io')));
    expect(old.map((v) => v.status)).toEqual(['fail']);
    expect(old[0].message).toContain('it is of API group traefik.io, and Deployment traefik/traefik: Traefik v2.9 reads traefik.containo.us only');
  });
});
