// An Ingress Traefik serves under a release the snapshot cannot tell (traefik:latest, or no Traefik
// workload in the input) is taken as served, and so is a redirectScheme Middleware of traefik.io it
// names in router.middlewares: every Traefik release reading CRDs since v2.10 reads traefik.io
// (pkg/provider/kubernetes/crd/client.go @v2.10.0 and @v2.11.0 watch traefik.io and
// traefik.containo.us, @v3.0.0 traefik.io alone; https://doc.traefik.io/traefik/migration/v2-to-v3/),
// and traefik:latest is a v3 release. A traefik.containo.us Middleware there is genuinely uncertain
// (v3 reads none), and one under a known v3 release is surely not read.
// RedirectScheme: https://doc.traefik.io/traefik/reference/routing-configuration/http/middlewares/redirectscheme/
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { ingressWithoutTls } from '../../../checks/tls/ingress-without-tls.ts';

const traefik = (image: string) => `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: traefik, namespace: traefik}
spec:
  selector: {matchLabels: {app: traefik}}
  template:
    metadata: {labels: {app: traefik}}
    spec:
      containers: [{name: traefik, image: "${image}", args: ["--providers.kubernetescrd", "--providers.kubernetesingress", "--entrypoints.web.address=:8000", "--entrypoints.websecure.address=:8443"]}]
`;
const shop = (group: string) => `
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: traefik}
spec: {controller: traefik.io/ingress-controller}
---
apiVersion: ${group}/v1alpha1
kind: Middleware
metadata: {name: redirect, namespace: web}
spec: {redirectScheme: {scheme: https, permanent: true}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
  namespace: web
  annotations: {traefik.ingress.kubernetes.io/router.middlewares: web-redirect@kubernetescrd}
spec:
  ingressClassName: traefik
  tls: [{hosts: [shop.example.com], secretName: shop-tls}]
  rules:
  - host: shop.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: shop, port: {number: 80}}}}]}
`;
function verdicts(yaml: string) {
  const { objects } = parseManifestText(yaml, 'case.yaml');
  return [...ingressWithoutTls.evaluate({ snapshot: snapshotFromObjects(objects), config: defaultConfig(), now: new Date('2026-12-01T00:00:00Z') })]
    .filter((v) => v.resource.name === 'shop').map((v) => ({ status: v.status, message: v.message }));
}
const REDIRECTED = 'Host shop.example.com is served by a Traefik router that answers every plaintext request with a redirect to https (Traefik Middleware web/redirect (redirectScheme to https, permanent), traefik.ingress.kubernetes.io/router.middlewares).';

describe('a traefik.io redirectScheme Middleware of an Ingress under a Traefik release that is not known', () => {
  it('traefik:latest: the redirect counts, as the route does (was a high "served over plaintext HTTP … redirects nothing that is known")', () => {
    expect(verdicts(shop('traefik.io') + traefik('traefik:latest'))).toEqual([{ status: 'pass', message: REDIRECTED }]);
  });

  it('no Traefik workload in the input: the redirect counts', () => {
    expect(verdicts(shop('traefik.io'))).toEqual([{ status: 'pass', message: REDIRECTED }]);
  });

  it('a known release reading traefik.io (v3.1.2, v2.10.4) counts it too; v2.9.10, which reads traefik.containo.us alone, does not', () => {
    expect(verdicts(shop('traefik.io') + traefik('traefik:v3.1.2'))).toEqual([{ status: 'pass', message: REDIRECTED }]);
    expect(verdicts(shop('traefik.io') + traefik('traefik:v2.10.4'))).toEqual([{ status: 'pass', message: REDIRECTED }]);
    const old = verdicts(shop('traefik.io') + traefik('traefik:v2.9.10'));
    // The Middleware surely does not exist for it, so Traefik serves no router naming it (routes.ts traefikMiddlewaresAbsence): no verdict.
    expect(old).toEqual([]);
  });

  it('a traefik.containo.us Middleware under traefik:latest is genuinely uncertain (v3 reads none): not counted, the message saying why', () => {
    const v = verdicts(shop('traefik.containo.us') + traefik('traefik:latest'));
    expect(v.map((x) => x.status)).toEqual(['fail']);
    expect(v[0].message).toContain('Traefik Middleware web/redirect, which Ingress web/shop uses, is there, but it is of API group traefik.containo.us, and for Deployment traefik/traefik the image traefik:latest names no release');
  });

  it('a traefik.containo.us Middleware under traefik:v3.1.2 (surely not read): no verdict, as before', () => {
    expect(verdicts(shop('traefik.containo.us') + traefik('traefik:v3.1.2'))).toEqual([]);
  });
});
