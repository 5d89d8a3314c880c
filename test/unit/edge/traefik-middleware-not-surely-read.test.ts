// The edge guards count a Traefik Middleware only where a Traefik resolving the route surely reads
// it: a CRD provider lists Middlewares of the API groups its release reads, traefik.containo.us
// before v2.10 (traefik/traefik pkg/provider/kubernetes/crd/traefik/v1alpha1/register.go@v2.8.8),
// both in v2.10 and v2.11 (pkg/provider/kubernetes/crd/client.go@v2.11.0), traefik.io alone from
// v3.0 (https://doc.traefik.io/traefik/migration/v2-to-v3/). An image naming no release leaves a
// Middleware of another group than the route's unconfirmed ("not surely read"): the route stays
// served (the Middleware may exist), and the Middleware is named, not counted as its guard.
import { describe, expect, it } from 'vitest';
import type { AuditContext } from '../../../src/analysis/context.ts';
import { edgeAuthMissing } from '../../../checks/tls/edge-auth-missing.ts';
import { cluster, ctx, exposure, tcpRoute } from './traefik-tcp.ts';

const authOf = (c: AuditContext, kind: string) => [...edgeAuthMissing.evaluate(c)].filter((x) => x.resource.kind === kind).map((x) => ({ status: x.status, message: x.message }));

describe('an authenticating Middleware the route\'s Traefik may not read does not count', () => {
  const basicAuth = (group: string) => `---
apiVersion: ${group}/v1alpha1
kind: Middleware
metadata: {name: login, namespace: db}
spec: {basicAuth: {secret: users}}
`;
  const route = (group: string, image: string) => ctx(cluster(['--providers.kubernetescrd'], tcpRoute({ kind: 'IngressRoute', match: 'Host(`db.example.com`)', middlewares: '[{name: login}]' }) + basicAuth(group), image));

  it('basicAuth of traefik.containo.us for a traefik.io IngressRoute on traefik:latest: the route is served, its authentication not counted, the message saying why', () => {
    // Read by the Traefik (v2.11 reads both groups): the basicAuth authenticates.
    expect(authOf(route('traefik.containo.us', 'docker.io/traefik:v2.11.9'), 'IngressRoute').map((v) => v.status)).toEqual(['pass']);
    const v = authOf(route('traefik.containo.us', 'docker.io/traefik:latest'), 'IngressRoute');
    expect(v.map((x) => x.status)).toEqual(['fail']);
    expect(v[0].message).toContain('Traefik Middleware db/login is there, but it is of API group traefik.containo.us, and for Deployment traefik/traefik the image docker.io/traefik:latest names no release');
    expect(v[0].message).toContain('so it does not count');
    // Not surely absent either: the route is still a way in.
    expect(exposure(route('traefik.containo.us', 'docker.io/traefik:latest'))?.status).toBe('fail');
  });

  it('basicAuth in a namespace whose watching is not known (providers.kubernetesCRD.namespaces from a $(VAR) reference): not counted, saying why', () => {
    // https://doc.traefik.io/traefik/reference/install-configuration/providers/kubernetes/kubernetes-crd/ (namespaces, allowCrossNamespace).
    const shared = (args: string[]) => ctx(cluster(['--providers.kubernetescrd', '--providers.kubernetescrd.allowCrossNamespace=true', ...args], tcpRoute({ kind: 'IngressRoute', match: 'Host(`db.example.com`)', middlewares: '[{name: login, namespace: shared}]' }) + basicAuth('traefik.io').replace('namespace: db', 'namespace: shared')));
    expect(authOf(shared([]), 'IngressRoute').map((v) => v.status)).toEqual(['pass']);
    const v = authOf(shared(['--providers.kubernetescrd.namespaces=$(WATCHED)']), 'IngressRoute');
    expect(v.map((x) => x.status)).toEqual(['fail']);
    expect(v[0].message).toContain('Traefik Middleware shared/login is there, but whether Deployment traefik/traefik watches namespace shared is not known');
  });
});
