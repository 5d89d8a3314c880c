// A Traefik serves IngressRoutes and IngressRouteTCPs only of the API groups its release reads.
// Before v2.10 its CRD client is generated for GroupName "traefik.containo.us" alone
// (traefik/traefik pkg/provider/kubernetes/crd/traefik/v1alpha1/register.go@v2.8.8); v2.10 added
// traefik.io (pkg/provider/kubernetes/crd/traefikio/v1alpha1/register.go@v2.10.0) and v2.10/v2.11
// still list traefik.containo.us too (pkg/provider/kubernetes/crd/client.go@v2.11.0,
// appendContainousIngressRoutes); v3.0 removed it (client.go@v3.0.0;
// https://doc.traefik.io/traefik/migration/v2-to-v3/, "Kubernetes CRDs API Group
// traefik.containo.us" removed). A route of a group its Traefik does not read is no router: no
// exposure, no edge guard finding, a note saying why. An image naming no release, or no Traefik
// workload in the input, leaves the group unknown and the route is served as before (cautious).
import { describe, expect, it } from 'vitest';
import { exposureNotes } from '../../../src/analysis/netpol/exposure.ts';
import { edgeAuthMissing } from '../../../checks/tls/edge-auth-missing.ts';
import { edgeRateLimitMissing } from '../../../checks/tls/edge-rate-limit-missing.ts';
import { cluster, ctx, exposure, guard, tcpRoute } from './traefik-tcp.ts';

const containous = (route: string) => route.replace('apiVersion: traefik.io/', 'apiVersion: traefik.containo.us/');
const served = (image: string, route: string) => ctx(cluster(['--providers.kubernetescrd'], route, image));
/** The IngressRoute variant of the shared scenario's route, on entryPoint postgres. */
const httpRoute = () => tcpRoute({ kind: 'IngressRoute', match: 'Host(`db.example.com`)' });

describe('a Traefik route of an API group its Traefik does not read is not served', () => {
  it('traefik.io under Traefik v2.8.8, which reads traefik.containo.us only: no exposure, no guard finding, a note naming the group and the release', () => {
    for (const [kind, route] of [['IngressRouteTCP', tcpRoute()], ['IngressRoute', httpRoute()]] as const) {
      const c = served('docker.io/traefik:v2.8.8', route);
      expect(exposure(c), kind).toBeUndefined();
      expect([...edgeAuthMissing.evaluate(c)].filter((v) => v.resource.kind === kind), kind).toEqual([]);
      expect(exposureNotes(c.snapshot), kind).toContain(`${kind} db/postgres: no Traefik of the snapshot reads it (it is of API group traefik.io, and Deployment traefik/traefik: Traefik v2.8 reads traefik.containo.us only (traefik.io came with v2.10)), so it is not served`);
      // The same route written as traefik.containo.us is served by that Traefik.
      expect(exposure(served('docker.io/traefik:v2.8.8', containous(route)))?.status, kind).toBe('fail');
    }
  });

  it('traefik.containo.us under Traefik v3.3.4, which reads traefik.io only: not served, and said why', () => {
    const c = served('docker.io/traefik:v3.3.4', containous(tcpRoute()));
    expect(exposure(c)).toBeUndefined();
    expect(guard(c, edgeRateLimitMissing)).toEqual([]);
    expect(exposureNotes(c.snapshot)).toContain('IngressRouteTCP db/postgres: no Traefik of the snapshot reads it (it is of API group traefik.containo.us, and Deployment traefik/traefik: Traefik v3.3 reads traefik.io only), so it is not served');
  });

  it('Traefik v2.10 and v2.11 read both groups: served either way', () => {
    for (const image of ['docker.io/traefik:v2.10.7', 'docker.io/traefik:v2.11.9']) {
      expect(exposure(served(image, tcpRoute()))?.status, image).toBe('fail');
      expect(exposure(served(image, containous(tcpRoute())))?.status, image).toBe('fail');
    }
  });

  it('an image naming no release, or no Traefik workload at all: the group cannot be ruled out, so the route is served as before', () => {
    for (const route of [tcpRoute(), containous(tcpRoute())]) {
      expect(exposure(served('docker.io/traefik:latest', route))?.status).toBe('fail');
      const noWorkload = ctx(cluster([], route).replace(/apiVersion: apps\/v1\nkind: Deployment\nmetadata: \{name: traefik[\s\S]*?---\n/, ''));
      expect(guard(noWorkload, edgeAuthMissing).map((v) => v.status)).toEqual(['fail']);
    }
  });

  it('of two Traefiks taking the route, one reading its group serves it', () => {
    const second = `
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: traefik-new, namespace: traefik}
spec:
  selector: {matchLabels: {app: edge}}
  template:
    metadata: {labels: {app: edge}}
    spec: {containers: [{name: traefik, image: docker.io/traefik:v3.3.4, args: [--entrypoints.postgres.address=:5432, --providers.kubernetescrd]}]}
`;
    const c = ctx(cluster(['--providers.kubernetescrd'], tcpRoute(), 'docker.io/traefik:v2.8.8') + second);
    expect(exposure(c)?.status).toBe('fail');
  });
});
