// tls.ingress-without-tls on Traefik IngressRouteTCPs, and the CRD provider's class filter for
// IngressRoutes and IngressRouteTCPs.
// An IngressRouteTCP's spec.tls makes Traefik terminate TLS (secretName, certResolver) or, with
// passthrough: true, "delegates the TLS termination to the backend"
// (https://doc.traefik.io/traefik/reference/routing-configuration/kubernetes/crd/tcp/ingressroutetcp/).
// Without it the router forwards raw TCP, and can only match HostSNI(`*`): "only TLS routers will
// be able to specify a domain name with that rule ... when one wants a non-TLS router that matches
// all (non-TLS) requests, one should use the specific HostSNI(`*`) syntax"
// (https://doc.traefik.io/traefik/reference/routing-configuration/tcp/routing/rules-and-priority/#hostsni-and-hostsniregexp, "HostSNI & TLS";
// traefik/traefik pkg/server/router/tcp/manager.go: "HostSNI Rule, but TLS not set on the router,
// which is an error", the router is not built).
// Traefik's CRD provider takes an IngressRoute or IngressRouteTCP only when its class
// (spec.ingressClassName, else the kubernetes.io/ingress.class annotation) equals
// providers.kubernetesCRD.ingressClass, or, with that unset, is empty or "traefik"
// (https://doc.traefik.io/traefik/reference/install-configuration/providers/kubernetes/kubernetes-crd/,
// providers.kubernetesCRD.ingressClass): another one is another Traefik's, not judged here.
import { describe, expect, it } from 'vitest';
import type { AuditContext } from '../../../src/analysis/context.ts';
import { ingressWithoutTls } from '../../../checks/tls/ingress-without-tls.ts';
import { cluster, ctx, tcpRoute } from '../edge/traefik-tcp.ts';

const CRD = ['--providers.kubernetescrd'];
const verdicts = (c: AuditContext, kind = 'IngressRouteTCP') => [...ingressWithoutTls.evaluate(c)].filter((v) => v.resource.kind === kind);

describe('a Traefik IngressRouteTCP without spec.tls forwards raw TCP at the edge', () => {
  it('fails at the check\'s severity, naming the entryPoint and the backend, and saying the backend\'s own TLS is not seen', () => {
    const v = verdicts(ctx(cluster(CRD, tcpRoute())));
    expect(v.map((x) => [x.status, x.severity, `${x.resource.namespace}/${x.resource.name}`, x.detailKey])).toEqual([['fail', undefined, 'db/postgres', 'tls']]);
    expect(v[0].message).toBe('IngressRouteTCP db/postgres has no spec.tls: Traefik forwards raw TCP to Service db/postgres:5432 without TLS at the edge, on entryPoint postgres; unless the backend\'s own protocol negotiates TLS (PostgreSQL\'s SSLRequest, SMTP STARTTLS), which is not seen, its connections cross in plaintext. Give it spec.tls (secretName or certResolver, or passthrough: true when the backend terminates TLS).');
    expect(v[0].evidence).toMatchObject({ apiVersion: 'traefik.io/v1alpha1', entryPoints: ['postgres'], plaintextEntryPoints: ['postgres'] });
  });

  it('the traefik.containo.us group alike', () => {
    const legacy = ctx(cluster(CRD, tcpRoute().replace('traefik.io/v1alpha1', 'traefik.containo.us/v1alpha1'), 'docker.io/traefik:v2.11.9'));
    expect(verdicts(legacy).map((x) => x.status)).toEqual(['fail']);
  });

  it('spec.tls passes: Traefik terminates TLS, or passes only TLS connections through to a backend that terminates them', () => {
    const terminated = verdicts(ctx(cluster(CRD, tcpRoute({ match: 'HostSNI(`db.example.com`)', tls: '{secretName: db-cert}' }))));
    expect(terminated.map((x) => [x.status, x.message])).toEqual([['pass', 'IngressRouteTCP db/postgres terminates TLS (secretName db-cert).']]);
    const passthrough = verdicts(ctx(cluster(CRD, tcpRoute({ match: 'HostSNI(`db.example.com`)', tls: '{passthrough: true}' }))));
    expect(passthrough.map((x) => x.status)).toEqual(['pass']);
    expect(passthrough[0].message).toContain('passes TLS through (tls.passthrough: true)');
  });

  it('on an entryPoint only clients inside the cluster reach (the Traefik Service is ClusterIP) it is a low finding', () => {
    const inCluster = ctx(cluster(CRD, tcpRoute()).replace('type: LoadBalancer', 'type: ClusterIP'));
    const v = verdicts(inCluster);
    expect(v.map((x) => [x.status, x.severity])).toEqual([['fail', 'low']]);
    expect(v[0].message).toContain('without TLS on entryPoint postgres (port 5432), which no LoadBalancer, NodePort or externalIPs Service selecting the Traefik pods publishes');
  });

  it('a route Traefik refuses (HostSNI naming a host, no tls) serves nothing: no verdict, and the note names it', () => {
    const c = ctx(cluster(CRD, tcpRoute({ match: 'HostSNI(`db.example.com`)' })));
    expect(verdicts(c)).toEqual([]);
    expect(ingressWithoutTls.excluded?.(c)).toContain('IngressRouteTCP db/postgres: its rule "HostSNI(`db.example.com`)" matches HostSNI "db.example.com" without tls, which Traefik refuses (a TCP router without TLS can only match HostSNI(`*`)); it serves nothing');
  });
});

describe('IngressRoutes and IngressRouteTCPs of a class no Traefik of the snapshot takes are not judged as its own', () => {
  it('an IngressRoute of class traefik-internal with the provider\'s ingressClass unset: no verdict, the note names it', () => {
    const route = (annotation?: string) => tcpRoute({ kind: 'IngressRoute', match: 'Host(`db.example.com`)', annotation });
    expect(verdicts(ctx(cluster(CRD, route())), 'IngressRoute').map((x) => x.status)).toEqual(['fail']);
    const other = ctx(cluster(CRD, route('traefik-internal')));
    expect(verdicts(other, 'IngressRoute')).toEqual([]);
    expect(ingressWithoutTls.excluded?.(other)).toContain('IngressRoute db/postgres: it asks for class "traefik-internal", which no Traefik of the snapshot processes (providers.kubernetesCRD.ingressClass (unset: none or "traefik")), so it is not served');
    // The Traefik whose provider takes that class judges it.
    expect(verdicts(ctx(cluster(['--providers.kubernetescrd.ingressclass=traefik-internal'], route('traefik-internal'))), 'IngressRoute').map((x) => x.status)).toEqual(['fail']);
  });

  it('an IngressRouteTCP alike (spec.ingressClassName)', () => {
    expect(verdicts(ctx(cluster(CRD, tcpRoute({ className: 'traefik-internal' }))))).toEqual([]);
    expect(verdicts(ctx(cluster(['--providers.kubernetescrd.ingressclass=traefik-internal'], tcpRoute({ className: 'traefik-internal' })))).map((x) => x.status)).toEqual(['fail']);
  });

  it('where no Traefik workload is in the snapshot every class may be served: judged (missing data is not a fix)', () => {
    const withoutTraefik = cluster([], tcpRoute({ kind: 'IngressRoute', match: 'Host(`db.example.com`)', annotation: 'traefik-internal' })).replace(/apiVersion: apps\/v1\nkind: Deployment\nmetadata: \{name: traefik[\s\S]*?---\n/, '');
    expect(verdicts(ctx(withoutTraefik), 'IngressRoute').map((x) => x.status)).toEqual(['fail']);
  });
});
