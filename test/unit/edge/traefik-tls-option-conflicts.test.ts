// HTTP routers of one host and entryPoint naming different TLS options all get Traefik's default
// ones ("router's TLSOptions configuration is conflicting with other routers on the same
// entrypoint and host, default TLS options will be used instead": traefik/traefik
// pkg/server/router/tcp/manager.go; pkg/server/aggregator.go findConflictingRouters). Traefik
// compares the options' qualified names (provider.GetQualifiedName): the kubernetescrd provider
// resolves an IngressRoute's tls.options to Normalize(namespace-name) (kubernetes.go
// resolveReference), qualified as "<key>@kubernetescrd", and an Ingress's
// traefik.ingress.kubernetes.io/router.tls.options "<key>@kubernetescrd" is taken as written
// (https://doc.traefik.io/traefik/routing/providers/kubernetes-ingress/, "router.tls.options").
// So "mtls" from namespace db, "db/mtls", "db-mtls@kubernetescrd" are one option, no conflict.
import { describe, expect, it } from 'vitest';
import type { AuditContext } from '../../../src/analysis/context.ts';
import { edgeAuthMissing } from '../../../checks/tls/edge-auth-missing.ts';
import { cluster, ctx, tcpRoute } from './traefik-tcp.ts';

const CRD = ['--providers.kubernetescrd'];
const option = (name: string) => `---
apiVersion: traefik.io/v1alpha1
kind: TLSOption
metadata: {name: ${name}, namespace: db}
spec: {minVersion: VersionTLS12, clientAuth: {secretNames: [clients-ca], clientAuthType: RequireAndVerifyClientCert}}
`;
/** IngressRoute db/postgres naming TLSOption mtls, beside `other` on the same host and entryPoint. */
const hostCase = (args: string[], other: string) => ctx(cluster(args, tcpRoute({ kind: 'IngressRoute', match: 'Host(`db.example.com`)', tls: '{secretName: db-cert, options: {name: mtls}}' }) + option('mtls') + option('mtls2') + other));
const otherRoute = (options: string) => `---
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: {name: other, namespace: db}
spec:
  entryPoints: [postgres]
  tls: {options: ${options}}
  routes:
  - match: Host(\`db.example.com\`) && PathPrefix(\`/x\`)
    services: [{name: postgres, port: 5432}]
`;
const ingress = (options: string) => `---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: db
  annotations:
    traefik.ingress.kubernetes.io/router.entrypoints: postgres
    traefik.ingress.kubernetes.io/router.tls: "true"
    traefik.ingress.kubernetes.io/router.tls.options: ${options}
spec:
  ingressClassName: traefik
  rules: [{host: db.example.com, http: {paths: [{path: /y, pathType: Prefix, backend: {service: {name: postgres, port: {number: 5432}}}}]}}]
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: traefik}
spec: {controller: traefik.io/ingress-controller}
`;
const verdicts = (c: AuditContext) => [...edgeAuthMissing.evaluate(c)].filter((v) => v.resource.name === 'postgres' && v.resource.kind === 'IngressRoute');

describe('conflicting Traefik TLS options are told apart by the option, not by how the reference is spelled', () => {
  it('an IngressRoute naming db-mtls@kubernetescrd and one naming mtls from namespace db use one TLSOption: no conflict, its client certificates count', () => {
    const c = hostCase([...CRD, '--providers.kubernetescrd.allowCrossNamespace=true'], otherRoute('{name: db-mtls@kubernetescrd}'));
    const [v] = verdicts(c);
    // Before: "IngressRoute db/postgres uses TLSOption db/mtls; IngressRoute db/other uses TLSOption db-mtls@kubernetescrd …: Traefik then uses the default TLS options", failing.
    expect(v.status).toBe('pass');
    expect(v.message).toContain('Traefik TLSOption db/mtls clientAuth RequireAndVerifyClientCert');
    expect((v.evidence?.lookedAt as string[]).filter((l) => l.includes('default TLS options for all of them'))).toEqual([]);
  });

  it('an Ingress whose router.tls.options is db-mtls@kubernetescrd, beside the IngressRoute naming mtls: no conflict', () => {
    const c = hostCase([...CRD, '--providers.kubernetesingress'], ingress('db-mtls@kubernetescrd'));
    expect(verdicts(c).map((v) => v.status)).toEqual(['pass']);
  });

  it('two different TLSOptions on the host and entryPoint do conflict, however spelled: the default options apply, neither counts', () => {
    const c = hostCase([...CRD, '--providers.kubernetesingress'], ingress('db-mtls2@kubernetescrd'));
    const [v] = verdicts(c);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('db.example.com: Ingress db/web uses TLSOption db-mtls2@kubernetescrd; IngressRoute db/postgres uses TLSOption db/mtls on entryPoint postgres: Traefik then uses the default TLS options for all of them');
    expect(verdicts(hostCase(CRD, otherRoute('{name: mtls2, namespace: db}'))).map((x) => x.status)).toEqual(['fail']);
  });
});
