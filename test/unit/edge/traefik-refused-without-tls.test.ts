// tls.ingress-without-tls judges only what Traefik serves: a route Traefik refuses for a reference
// across namespaces (allowCrossNamespace off) serves nothing, plaintext or not. Refusals as in
// traefik-cross-namespace-refusals.test.ts: a chain member of another namespace from v2.11.43,
// v3.6.14, v3.7.0 (traefik/traefik commit df00d82fc7, kubernetes.go createChainMiddleware → the
// router fails, "middleware does not exist"); an IngressRouteTCP MiddlewareTCP named
// "<key>@kubernetescrd" from v2.11.46, v3.6.17, v3.7.1 (commit 28604083a4, kubernetes_tcp.go, the
// route skipped). Both the edge routes and this check read one record of them (routes.ts traefikRefused).
import { describe, expect, it } from 'vitest';
import type { AuditContext } from '../../../src/analysis/context.ts';
import { ingressWithoutTls } from '../../../checks/tls/ingress-without-tls.ts';
import { cluster, ctx, exposure, tcpRoute } from './traefik-tcp.ts';

const CRD = ['--providers.kubernetescrd'];
const object = (kind: string, name: string, ns: string, spec: string) => `---
apiVersion: traefik.io/v1alpha1
kind: ${kind}
metadata: {name: ${name}, namespace: ${ns}}
spec: ${spec}
`;
const CHAIN = object('Middleware', 'guarded', 'db', '{chain: {middlewares: [{name: hdrs, namespace: shared}]}}') + object('Middleware', 'hdrs', 'shared', '{headers: {customResponseHeaders: {X-Frame-Options: DENY}}}');
const ofKind = (c: AuditContext, kind: string) => [...ingressWithoutTls.evaluate(c)].filter((v) => v.resource.kind === kind);
const httpRoute = (image: string, middlewares = '[{name: guarded}]') => ctx(cluster(CRD, tcpRoute({ kind: 'IngressRoute', match: 'Host(`db.example.com`)', middlewares }) + CHAIN, image));

describe('tls.ingress-without-tls skips what Traefik refuses', () => {
  it('an IngressRoute without tls whose chain Traefik v3.6.14 refuses: no verdict, as it is not served; on v3.3.4, which builds the chain, it fails', () => {
    const refused = httpRoute('traefik:v3.6.14');
    expect(exposure(refused)).toBeUndefined();
    // Before: failed, "served over plaintext HTTP", for a route Traefik does not serve.
    expect(ofKind(refused, 'IngressRoute')).toEqual([]);
    const served = httpRoute('docker.io/traefik:v3.3.4');
    expect(ofKind(served, 'IngressRoute').map((v) => [v.status, v.message])).toEqual([['fail', 'IngressRoute db/postgres has no spec.tls: host db.example.com is served over plaintext HTTP on entryPoint postgres.']]);
  });

  it('only its refused route is left out: the hosts of the served one are still judged', () => {
    const two = tcpRoute({ kind: 'IngressRoute', match: 'Host(`db.example.com`)', middlewares: '[{name: guarded}]' })
      .replace('  routes:\n', '  routes:\n  - match: Host(`open.example.com`)\n    services: [{name: postgres, port: 5432}]\n');
    expect(two).toContain('open.example.com');
    const v = ofKind(ctx(cluster(CRD, two + CHAIN, 'traefik:v3.6.14')), 'IngressRoute');
    expect(v.map((x) => [x.status, x.message])).toEqual([['fail', 'IngressRoute db/postgres has no spec.tls: host open.example.com is served over plaintext HTTP on entryPoint postgres.']]);
  });

  it('an IngressRouteTCP without tls naming MiddlewareTCP db-conns@kubernetescrd: no verdict on v3.6.17, which refuses it; a finding on v3.3.4, which serves it', () => {
    const conns = object('MiddlewareTCP', 'conns', 'db', '{inFlightConn: {amount: 10}}');
    const on = (image: string) => ctx(cluster(CRD, tcpRoute({ middlewares: '[{name: db-conns@kubernetescrd}]' }) + conns, image));
    expect(ofKind(on('traefik:v3.6.17'), 'IngressRouteTCP')).toEqual([]);
    expect(ofKind(on('docker.io/traefik:v3.3.4'), 'IngressRouteTCP').map((v) => v.status)).toEqual(['fail']);
  });

  it('an Ingress whose router.middlewares names a chain Traefik v3.6.14 refuses: no verdict; on v3.3.4 it fails', () => {
    const ingress = `---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: db
  annotations: {traefik.ingress.kubernetes.io/router.middlewares: "db-guarded@kubernetescrd", traefik.ingress.kubernetes.io/router.entrypoints: postgres}
spec:
  ingressClassName: traefik
  rules: [{host: web.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: postgres, port: {number: 5432}}}}]}}]
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: traefik}
spec: {controller: traefik.io/ingress-controller}
`;
    const on = (image: string) => ctx(cluster([...CRD, '--providers.kubernetesingress'], ingress + CHAIN, image));
    expect(ofKind(on('traefik:v3.6.14'), 'Ingress')).toEqual([]);
    expect(ofKind(on('docker.io/traefik:v3.3.4'), 'Ingress').map((v) => v.status)).toEqual(['fail']);
  });
});
