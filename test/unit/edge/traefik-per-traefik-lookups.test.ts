// The objects a Traefik router uses are the ones its own Traefik reads: a CRD provider lists
// Middlewares and TLSOptions only in the namespaces providers.kubernetesCRD.namespaces names
// (https://doc.traefik.io/traefik/reference/install-configuration/providers/kubernetes/kubernetes-crd/,
// `providers.kubernetesCRD.namespaces`) and only of the API groups its release reads: traefik.containo.us
// before v2.10 (pkg/provider/kubernetes/crd/traefik/v1alpha1/register.go@v2.8.8), both in v2.10 and
// v2.11 (pkg/provider/kubernetes/crd/client.go@v2.11.0), traefik.io alone from v3.0
// (https://doc.traefik.io/traefik/migration/v2-to-v3/). A redirect Middleware, a TLSOption or an
// authenticating Middleware that Traefik does not read must not make a route pass; under an image naming
// no release one of traefik.io named by an Ingress counts, as the route does (traefikCrdCounts).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AuditContext } from '../../../src/analysis/context.ts';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { edgeAuthMissing } from '../../../checks/tls/edge-auth-missing.ts';
import { ingressWithoutTls } from '../../../checks/tls/ingress-without-tls.ts';
import { exposedWorkload } from '../../../checks/network/exposed-workload.ts';
import { cluster, ctx, tcpRoute } from './traefik-tcp.ts';

const REQUIRE = '{secretNames: [clients-ca], clientAuthType: RequireAndVerifyClientCert}';
const option = (name: string, ns: string, group = 'traefik.io') => `---
apiVersion: ${group}/v1alpha1
kind: TLSOption
metadata: {name: ${name}, namespace: ${ns}}
spec: {minVersion: VersionTLS12, clientAuth: ${REQUIRE}}
`;
const authOf = (c: AuditContext, kind: string) => [...edgeAuthMissing.evaluate(c)].filter((x) => x.resource.kind === kind).map((x) => ({ status: x.status, message: x.message }));

describe('the TLSOption a route uses is one its Traefik reads', () => {
  it('the TLSOption named "default" in a namespace the CRD provider does not watch applies to no router: client certificates are not counted', () => {
    const route = tcpRoute({ match: 'HostSNI(`db.example.com`)', tls: '{secretName: db-cert}' }) + option('default', 'traefik');
    // Watching every namespace, the default option's clientAuth authenticates the route.
    expect(authOf(ctx(cluster(['--providers.kubernetescrd'], route)), 'IngressRouteTCP').map((v) => v.status)).toEqual(['pass']);
    const v = authOf(ctx(cluster(['--providers.kubernetescrd', '--providers.kubernetescrd.namespaces=db'], route)), 'IngressRouteTCP');
    expect(v.map((x) => x.status)).toEqual(['fail']);
    expect(v[0].message).toContain('TLSOption traefik/default (traefik.io/v1alpha1), which IngressRouteTCP db/postgres uses, is there, but Deployment traefik/traefik watches only namespaces db (providers.kubernetesCRD.namespaces), not traefik, so it does not count');
  });

  it('a TLSOption of an API group the Traefik\'s release may not read (an image naming no release) is not counted', () => {
    const route = tcpRoute({ match: 'HostSNI(`db.example.com`)', tls: '{secretName: db-cert, options: {name: mtls}}' }) + option('mtls', 'db', 'traefik.containo.us');
    expect(authOf(ctx(cluster(['--providers.kubernetescrd'], route, 'docker.io/traefik:v2.11.9')), 'IngressRouteTCP').map((v) => v.status)).toEqual(['pass']);
    const v = authOf(ctx(cluster(['--providers.kubernetescrd'], route, 'docker.io/traefik:latest')), 'IngressRouteTCP');
    expect(v.map((x) => x.status)).toEqual(['fail']);
    expect(v[0].message).toContain('TLSOption db/mtls (traefik.containo.us/v1alpha1), which IngressRouteTCP db/postgres uses, is there, but it is of API group traefik.containo.us, and for Deployment traefik/traefik the image docker.io/traefik:latest names no release');
  });
});

// A RedirectScheme {scheme: https} Middleware answers every plaintext request with a redirect
// (https://doc.traefik.io/traefik/reference/routing-configuration/http/middlewares/redirectscheme/),
// but only where the route's Traefik reads that Middleware.
describe('a redirect Middleware counts only where the route\'s Traefik reads it', () => {
  const fixture = (name: string) => readFileSync(new URL(`../../fixtures/traefik-redirect/${name}`, import.meta.url), 'utf8');
  const legacyMiddleware = (y: string) => y.replace('apiVersion: traefik.io/v1alpha1\nkind: Middleware', 'apiVersion: traefik.containo.us/v1alpha1\nkind: Middleware');
  const judge = (y: string) => {
    const c: AuditContext = { snapshot: snapshotFromObjects(parseManifestText(y, 'case.yaml').objects), config: defaultConfig(), now: new Date('2026-12-01T00:00:00Z') };
    return {
      tls: [...ingressWithoutTls.evaluate(c)].filter((v) => v.resource.name === 'app-http').map((v) => ({ status: v.status, message: v.message })),
      exposure: [...exposedWorkload.evaluate(c)].find((v) => v.resource.name === 'app')?.message ?? '',
    };
  };

  it('an IngressRoute whose redirect Middleware is traefik.containo.us, on a Traefik whose image names no release: plaintext, and the route is a way in', () => {
    const unknownRelease = (y: string) => y.replace('docker.io/traefik:v3.3.4', 'docker.io/traefik:latest');
    // Of the route's own group, it is read wherever the route is: a redirect.
    expect(judge(unknownRelease(fixture('ingressroute.yaml'))).tls.map((v) => v.status)).toEqual(['pass']);
    const r = judge(unknownRelease(legacyMiddleware(fixture('ingressroute.yaml'))));
    expect(r.tls.map((v) => v.status)).toEqual(['fail']);
    expect(r.tls[0].message).toContain('Its middlewares do not redirect it to https: Traefik Middleware web/to-https, which IngressRoute web/app-http uses, is there, but it is of API group traefik.containo.us, and for Deployment traefik/traefik the image docker.io/traefik:latest names no release');
    expect(r.exposure).toContain('IngressRoute web/app-http → Service web/app:80');
  });

  it('an Ingress naming a redirect Middleware in router.middlewares, on a Traefik whose image names no release: traefik.io counts (every release since v2.10 reads it), traefik.containo.us is not known, so plaintext', () => {
    // Traefik v3.3.4 reads traefik.io: a redirect.
    expect(judge(fixture('ingress.yaml')).tls.map((v) => v.status)).toEqual(['pass']);
    // traefik:latest: a traefik.io Middleware counts as the route does (src/analysis/tls/traefik.ts traefikCrdCounts).
    expect(judge(fixture('ingress.yaml').replace('docker.io/traefik:v3.3.4', 'docker.io/traefik:latest')).tls.map((v) => v.status)).toEqual(['pass']);
    const r = judge(legacyMiddleware(fixture('ingress.yaml')).replace('docker.io/traefik:v3.3.4', 'docker.io/traefik:latest'));
    expect(r.tls.map((v) => v.status)).toEqual(['fail']);
    expect(r.exposure).toContain('Ingress web/app-http → Service web/app:80');
  });
});
