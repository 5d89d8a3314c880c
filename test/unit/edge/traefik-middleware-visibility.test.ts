// Which Middlewares and routes exist for a Traefik:
// - API group by release: before v2.10 Traefik's CRD provider watches traefik.containo.us only;
//   v2.10 and v2.11 watch traefik.io too (pkg/provider/kubernetes/crd/client.go @v2.10.0, @v2.11.0:
//   informers of both generated trees, traefikio and traefikcontainous); v3.0 removed
//   traefik.containo.us (client.go @v3.0.0; https://doc.traefik.io/traefik/migration/v2-to-v3/,
//   https://doc.traefik.io/traefik/deprecation/features/ "Kubernetes CRDs API Group
//   traefik.containo.us": deprecated 2.10, removed 3.0). A Middleware only in the group a Traefik
//   does not read does not exist for it, so a router naming it is not built; an image naming no
//   release leaves that unknown (the route kept, the note saying it cannot be confirmed).
// - providers.kubernetesCRD.namespaces / providers.kubernetesIngress.namespaces ("Array of
//   namespaces to watch", default all: https://doc.traefik.io/traefik/reference/install-configuration/providers/kubernetes/kubernetes-crd/
//   and .../kubernetes-ingress/, `namespaces`; the informers list those namespaces only,
//   pkg/provider/kubernetes/crd/client.go and pkg/provider/kubernetes/ingress/client.go WatchAll @v3.3.4):
//   a Middleware, IngressRoute or Ingress in another namespace does not exist for that Traefik.
import { describe, expect, it } from 'vitest';
import { exposureNotes } from '../../../src/analysis/netpol/exposure.ts';
import { servedByTraefik } from '../../../src/analysis/tls/index.ts';
import { cluster, ctx, exposure, tcpRoute } from './traefik-tcp.ts';

const CRD = ['--providers.kubernetescrd'];
const middleware = (group: string, ns: string) => `
---
apiVersion: ${group}/v1alpha1
kind: Middleware
metadata: {name: auth, namespace: ${ns}}
spec: {headers: {customResponseHeaders: {X-Frame-Options: DENY}}}
`;
const route = (middlewares = '[{name: auth}]') => tcpRoute({ kind: 'IngressRoute', match: 'Host(`db.example.com`)', middlewares });
const httpCase = (image: string, objects: string, args = CRD, mws?: string) => ctx(cluster(args, route(mws) + objects, image));

describe('Middleware API group by the serving Traefik\'s release', () => {
  it('traefik:v3.3.4 does not read a traefik.containo.us Middleware: the route naming it is not served; v2.11.0 reads both', () => {
    const v3 = httpCase('docker.io/traefik:v3.3.4', middleware('traefik.containo.us', 'db'));
    expect(exposure(v3)).toBeUndefined();
    expect(exposureNotes(v3.snapshot).join('\n')).toContain('Traefik Middleware db/auth does not exist for the Traefik serving it: Middleware db/auth (traefik.containo.us/v1alpha1) is there, but it is of API group traefik.containo.us');
    expect(exposure(httpCase('docker.io/traefik:v2.11.0', middleware('traefik.containo.us', 'db')))?.status).toBe('fail');
    expect(exposure(httpCase('docker.io/traefik:v3.3.4', middleware('traefik.io', 'db')))?.status).toBe('fail');
  });

  it('an image naming no release: the route is kept, and the note says it cannot be confirmed', () => {
    const latest = httpCase('docker.io/traefik:latest', middleware('traefik.containo.us', 'db'));
    expect(exposure(latest)?.status).toBe('fail');
    expect(exposureNotes(latest.snapshot).join('\n')).toMatch(/Traefik Middleware db\/auth: Middleware db\/auth \(traefik.containo.us\/v1alpha1\) is there, but it is of API group traefik.containo.us.*names no release.*whether Traefik builds the router cannot be confirmed/);
  });
});

describe('providers.kubernetesCRD.namespaces and providers.kubernetesIngress.namespaces', () => {
  it('an IngressRoute in a namespace the CRD provider does not watch is not served', () => {
    expect(exposure(httpCase('docker.io/traefik:v3.3.4', middleware('traefik.io', 'db'), [...CRD, '--providers.kubernetescrd.namespaces=db'])) ?.status).toBe('fail');
    const other = httpCase('docker.io/traefik:v3.3.4', middleware('traefik.io', 'db'), [...CRD, '--providers.kubernetescrd.namespaces=web,shop']);
    expect(exposure(other)).toBeUndefined();
    expect(exposureNotes(other.snapshot).join('\n')).toContain('watches only namespaces web, shop (providers.kubernetesCRD.namespaces), not db');
  });

  it('a Middleware in a namespace it does not watch does not exist for it: the route naming it is not served', () => {
    const args = [...CRD, '--providers.kubernetescrd.allowCrossNamespace=true'];
    const watched = httpCase('docker.io/traefik:v3.3.4', middleware('traefik.io', 'shared'), [...args, '--providers.kubernetescrd.namespaces=db,shared'], '[{name: auth, namespace: shared}]');
    expect(exposure(watched)?.status).toBe('fail');
    const unwatched = httpCase('docker.io/traefik:v3.3.4', middleware('traefik.io', 'shared'), [...args, '--providers.kubernetescrd.namespaces=db'], '[{name: auth, namespace: shared}]');
    expect(exposure(unwatched)).toBeUndefined();
    expect(exposureNotes(unwatched.snapshot).join('\n')).toContain('Traefik Middleware shared/auth does not exist for the Traefik serving it');
  });

  it('an Ingress in a namespace the Ingress provider does not watch is not Traefik\'s', () => {
    const ingress = `
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: traefik}
spec: {controller: traefik.io/ingress-controller}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: db, annotations: {traefik.ingress.kubernetes.io/router.entrypoints: postgres}}
spec:
  ingressClassName: traefik
  rules: [{host: web.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: postgres, port: {number: 5432}}}}]}}]
`;
    const c = (ns: string) => ctx(cluster(['--providers.kubernetesingress', `--providers.kubernetesingress.namespaces=${ns}`], ingress));
    const served = (x: ReturnType<typeof c>) => servedByTraefik(x.snapshot, x.snapshot.resources.ingresses![0]);
    expect(served(c('db'))).toBe(true);
    expect(served(c('web,shop'))).toBe(false);
  });
});
