// Which API groups a Traefik image's release reads (src/analysis/tls/traefik.ts traefikCrdGroups):
// - Traefik v1 has no Kubernetes CRD provider: its Kubernetes provider reads Ingresses only
//   (https://doc.traefik.io/traefik/v1.7/configuration/backends/kubernetes/, "Kubernetes Ingress
//   Provider"); IngressRoute came with v2.0 (https://doc.traefik.io/traefik/v2.0/migration/v1-to-v2/).
//   A v1 Traefik serves no IngressRoute.
// - Traefik's majors are v1, v2 and v3 (https://github.com/traefik/traefik/releases): a tag naming
//   another (a mirror's own scheme, mirror/traefik:2023.1) names no Traefik release, so which group
//   it reads is not known and the route is served as far as anyone can tell.
import { describe, expect, it } from 'vitest';
import { traefikCrdGroups } from '../../../src/analysis/tls/traefik.ts';
import { traefikCrdUnserved } from '../../../src/analysis/tls/index.ts';
import { edgeAuthMissing } from '../../../checks/tls/edge-auth-missing.ts';
import { cluster, ctx, tcpRoute } from './traefik-tcp.ts';

const containous = (route: string) => route.replace('apiVersion: traefik.io/v1alpha1', 'apiVersion: traefik.containo.us/v1alpha1');
const ingressRoute = (image: string) => ctx(cluster(['--providers.kubernetescrd'], containous(tcpRoute({ kind: 'IngressRoute', match: 'Host(`db.example.com`)' })), image));
const authKinds = (c: ReturnType<typeof ctx>) => [...edgeAuthMissing.evaluate(c)].map((v) => `${v.resource.kind} ${v.status}`);

describe('Traefik image tags and the API groups their release reads', () => {
  it('traefik:1.7.34 and traefik:v1.7 read no CRD group (was: traefik.containo.us)', () => {
    for (const image of ['traefik:1.7.34', 'traefik:v1.7', 'traefik:1']) {
      const g = traefikCrdGroups(image);
      expect([...(g.groups ?? ['not known'])], image).toEqual([]);
      expect(g.why).toContain('has no Kubernetes CRD provider');
    }
  });

  it('a traefik.containo.us IngressRoute is not served by a v1 Traefik: no guard verdict, a note saying why (was: judged as served)', () => {
    expect(authKinds(ingressRoute('docker.io/traefik:v2.9.10'))).toEqual(['IngressRoute fail']);
    const v1 = ingressRoute('docker.io/traefik:1.7.34');
    expect(authKinds(v1)).toEqual([]);
    const route = v1.snapshot.resources['traefik-legacy.ingressroutes']![0];
    expect(traefikCrdUnserved(v1.snapshot, route, 'IngressRoute db/postgres')).toBe('IngressRoute db/postgres: no Traefik workload of the snapshot runs the Kubernetes CRD provider (providers.kubernetesCRD), so it is not served');
  });

  it('mirror/traefik:2023.1 or traefik:4.0 name no Traefik release: groups not known (was: v2023 taken as reading traefik.io only)', () => {
    for (const image of ['mirror/traefik:2023.1', 'registry.example.com/traefik:2023', 'traefik:0.9', 'traefik:4.0.1']) {
      const g = traefikCrdGroups(image);
      expect(g.groups, image).toBeUndefined();
      expect(g.why).toContain(`the image ${image} names no release`);
    }
    // Known majors still tell.
    expect([...traefikCrdGroups('traefik:v3.1.2').groups!]).toEqual(['traefik.io']);
    expect([...traefikCrdGroups('traefik:3').groups!]).toEqual(['traefik.io']);
    expect([...traefikCrdGroups('traefik:v2.9.10').groups!]).toEqual(['traefik.containo.us']);
    expect([...traefikCrdGroups('traefik:v2.11.9').groups!].sort()).toEqual(['traefik.containo.us', 'traefik.io']);
  });

  it('a traefik.containo.us IngressRoute under mirror/traefik:2023.1 is served as far as anyone can tell (was: not served, no verdict)', () => {
    expect(authKinds(ingressRoute('mirror/traefik:2023.1'))).toEqual(['IngressRoute fail']);
  });
});
