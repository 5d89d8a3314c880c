// TLS option conflicts are per Traefik: each Traefik workload builds its own routers from what it
// serves, and of two HTTP routers of one host and entryPoint naming different TLS options it gives
// every one the default options ("router's TLSOptions configuration is conflicting with other
// routers on the same entrypoint and host, default TLS options will be used instead":
// traefik/traefik pkg/server/router/tcp/manager.go@v3.3.4; pkg/server/aggregator.go
// findConflictingRouters). Two Traefiks serving overlapping but different sets of routes still
// conflict on the Traefik serving both: a client reaching the route through that Traefik meets
// the default options, so the route's client certificates do not guard it.
import { describe, expect, it } from 'vitest';
import type { AuditContext } from '../../../src/analysis/context.ts';
import { edgeAuthMissing } from '../../../checks/tls/edge-auth-missing.ts';
import { cluster, ctx, tcpRoute } from './traefik-tcp.ts';

const option = (name: string) => `---
apiVersion: traefik.io/v1alpha1
kind: TLSOption
metadata: {name: ${name}, namespace: db}
spec: {minVersion: VersionTLS12, clientAuth: {secretNames: [clients-ca], clientAuthType: RequireAndVerifyClientCert}}
`;
/** Traefik B (Deployment traefik/traefik-b): the CRD provider only, so it serves the IngressRoute and not the Ingress. */
const traefikB = `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: traefik-b, namespace: traefik}
spec:
  selector: {matchLabels: {app: edge-b}}
  template:
    metadata: {labels: {app: edge-b}}
    spec:
      containers:
      - name: traefik
        image: docker.io/traefik:v3.3.4
        args: ["--entrypoints.postgres.address=:5432", "--providers.kubernetescrd"]
        ports: [{name: postgres, containerPort: 5432}]
`;
/** An Ingress of db.example.com on the same entryPoint naming TLSOption db/mtls2, served by Traefik A (its Ingress provider) only. */
const ingress = `---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: db
  annotations:
    traefik.ingress.kubernetes.io/router.entrypoints: postgres
    traefik.ingress.kubernetes.io/router.tls: "true"
    traefik.ingress.kubernetes.io/router.tls.options: db-mtls2@kubernetescrd
spec:
  ingressClassName: traefik
  rules: [{host: db.example.com, http: {paths: [{path: /y, pathType: Prefix, backend: {service: {name: postgres, port: {number: 5432}}}}]}}]
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: traefik}
spec: {controller: traefik.io/ingress-controller}
`;
/** Traefik A (traefik/traefik: CRD and Ingress providers) and the IngressRoute db/postgres naming TLSOption mtls, plus `more`. */
const scenario = (more: string) => ctx(cluster(['--providers.kubernetescrd', '--providers.kubernetesingress'], tcpRoute({ kind: 'IngressRoute', match: 'Host(`db.example.com`)', tls: '{secretName: db-cert, options: {name: mtls}}' }) + option('mtls') + option('mtls2') + more));
const verdicts = (c: AuditContext) => [...edgeAuthMissing.evaluate(c)].filter((v) => v.resource.name === 'postgres' && v.resource.kind === 'IngressRoute');

describe('TLS option conflicts on Traefiks serving different sets of routes', () => {
  it('Traefik A serves the IngressRoute and a conflicting Ingress, Traefik B the IngressRoute alone: the conflict on A counts, and the finding names A', () => {
    const [v] = verdicts(scenario(traefikB + ingress));
    // Before: the IngressRoute (A and B) and the Ingress (A) were grouped apart, no conflict was seen, and mtls's client certificates passed it.
    expect(v.status).toBe('fail');
    expect(v.message).toContain('db.example.com: Ingress db/web uses TLSOption db-mtls2@kubernetescrd; IngressRoute db/postgres uses TLSOption db/mtls on entryPoint postgres: Traefik then uses the default TLS options for all of them (on Deployment traefik/traefik)');
  });

  it('without the conflicting Ingress, the client certificates count on both Traefiks', () => {
    const [v] = verdicts(scenario(traefikB));
    expect(v.status).toBe('pass');
    expect(v.message).toContain('Traefik TLSOption db/mtls clientAuth RequireAndVerifyClientCert');
  });

  it('a single Traefik serving both: the conflict, as before', () => {
    const [v] = verdicts(scenario(ingress));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('Traefik then uses the default TLS options for all of them (on Deployment traefik/traefik)');
  });
});
