// A Traefik TLSOption's clientAuth is mutual TLS: with CA secretNames and an explicit clientAuthType
// RequireAndVerifyClientCert (traefik/traefik pkg/tls/tlsmanager.go buildTLSConfig; without CAs that
// type fails closed, "CAFiles is required"), a client
// without a certificate signed by those CAs is refused in the handshake, so the routers using the
// option authenticate their clients. VerifyClientCertIfGiven lets a client without a certificate
// through, RequestClientCert and RequireAnyClientCert verify none, NoClientCert asks for none
// (https://doc.traefik.io/traefik/reference/routing-configuration/kubernetes/crd/tls/tlsoption/,
// clientAuth.secretNames and clientAuth.clientAuthType; Go crypto/tls ClientAuthType). A router
// naming no TLSOption uses the one named "default"
// (https://doc.traefik.io/traefik/reference/routing-configuration/http/tls/tls-options/).
import { describe, expect, it } from 'vitest';
import type { AuditContext } from '../../../src/analysis/context.ts';
import { edgeAuthMissing } from '../../../checks/tls/edge-auth-missing.ts';
import { cluster, ctx, guard, tcpRoute } from './traefik-tcp.ts';

const CRD = ['--providers.kubernetescrd'];
const option = (name: string, clientAuth: string, ns = 'db') => `---
apiVersion: traefik.io/v1alpha1
kind: TLSOption
metadata: {name: ${name}, namespace: ${ns}}
spec: {minVersion: VersionTLS12, clientAuth: ${clientAuth}}
`;
const REQUIRE = '{secretNames: [clients-ca], clientAuthType: RequireAndVerifyClientCert}';

const tcp = (tls: string, ...objects: string[]) => ctx(cluster(CRD, tcpRoute({ match: 'HostSNI(`db.example.com`)', tls }) + objects.join('')));
const only = (c: AuditContext, kind = 'IngressRouteTCP') => {
  const v = [...edgeAuthMissing.evaluate(c)].filter((x) => x.resource.kind === kind);
  expect(v).toHaveLength(1);
  return v[0];
};

describe('a TLSOption requiring verified client certificates authenticates the routers using it', () => {
  it('an IngressRouteTCP whose tls.options names it passes tls.edge-auth-missing, naming the TLSOption and its CAs', () => {
    const v = only(tcp('{secretName: db-cert, options: {name: mtls}}', option('mtls', REQUIRE)));
    // Before: failed, "no authentication in front of it".
    expect(v.status).toBe('pass');
    expect(v.message).toBe('db.example.com: Traefik TLSOption db/mtls clientAuth RequireAndVerifyClientCert (CA secretNames clients-ca)');
  });

  it('CAs without a clientAuthType do not count: Traefik requires a certificate only if a CA Secret exists, which is not read', () => {
    // traefik/traefik pkg/tls/tlsmanager.go@fd5a576d buildTLSConfig sets tls.RequireAndVerifyClientCert only
    // when CAFiles is non-empty, and pkg/provider/kubernetes/crd/kubernetes.go buildTLSOptions leaves out a
    // CA Secret it cannot get: with every Secret missing no client certificate is asked for.
    const v = only(tcp('{secretName: db-cert, options: {name: mtls}}', option('mtls', '{secretNames: [clients-ca]}')));
    // Before: pass, "clientAuth RequireAndVerifyClientCert (the default with CAs)".
    expect(v.status).toBe('fail');
    expect(v.message).toContain('TLSOption db/mtls, which IngressRouteTCP db/postgres uses, names no clientAuthType: Traefik then requires a client certificate only if one of its CA Secrets (clients-ca) exists, and CA Secrets are not read (Traefik requests no client certificate when none of them exists)');
    // An explicit RequireAndVerifyClientCert fails closed without CAs ("invalid clientAuthType:
    // RequireAndVerifyClientCert, CAFiles is required", the same buildTLSConfig), so it counts.
    expect(only(tcp('{secretName: db-cert, options: {name: mtls}}', option('mtls', REQUIRE))).status).toBe('pass');
  });

  it('VerifyClientCertIfGiven, RequestClientCert, RequireAnyClientCert and NoClientCert authenticate no one: the host fails, saying why', () => {
    for (const type of ['VerifyClientCertIfGiven', 'RequestClientCert', 'RequireAnyClientCert', 'NoClientCert']) {
      const v = only(tcp('{secretName: db-cert, options: {name: mtls}}', option('mtls', `{secretNames: [clients-ca], clientAuthType: ${type}}`)));
      expect(v.status, type).toBe('fail');
      expect(v.message, type).toContain(`TLSOption db/mtls, which IngressRouteTCP db/postgres uses, has clientAuthType ${type}, which lets a client through without a verified certificate`);
    }
    expect(only(tcp('{secretName: db-cert, options: {name: mtls}}', option('mtls', '{clientAuthType: RequireAndVerifyClientCert}'))).status).toBe('fail');
  });

  it('a route naming no TLSOption uses the one named "default"; a passthrough route terminates no TLS, so none applies', () => {
    expect(only(tcp('{secretName: db-cert}', option('default', REQUIRE, 'traefik'))).status).toBe('pass');
    expect(only(tcp('{passthrough: true, options: {name: mtls}}', option('mtls', REQUIRE))).status).toBe('fail');
  });

  it('an HTTP IngressRoute with tls using it passes too; without spec.tls the option is not used', () => {
    const route = (tls?: string) => ctx(cluster(CRD, tcpRoute({ kind: 'IngressRoute', match: 'Host(`db.example.com`)', tls }) + option('mtls', REQUIRE)));
    expect(only(route('{secretName: db-cert, options: {name: mtls}}'), 'IngressRoute').status).toBe('pass');
    expect(only(route(), 'IngressRoute').status).toBe('fail');
  });

  it('TLSOptions that could not be read: the host fails, saying so', () => {
    const c = tcp('{secretName: db-cert, options: {name: mtls}}', option('mtls', REQUIRE));
    c.snapshot.coverage['traefik.tlsoptions'] = { status: 'forbidden', detail: 'list tlsoptions.traefik.io (refused in test)' };
    delete c.snapshot.resources['traefik.tlsoptions'];
    const v = only(c);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('IngressRouteTCP db/postgres uses TLSOption db/mtls, which could not be read (traefik.tlsoptions)');
  });

  it('an HTTP IngressRoute whose rule names no host gets the default TLS options, not its own; a HostSNI(`*`) IngressRouteTCP keeps its own', () => {
    // traefik/traefik pkg/server/router/tcp/manager.go@fd5a576d: "No domain found in rule %v, the TLS
    // option %s cannot be applied" (TLS options are chosen by SNI, before any HTTP rule is matched);
    // the TCP router for HostSNI(`*`) gets its own options (the same file, tlsManager.Get(…, tlsOptionsName)).
    const hostless = ctx(cluster(CRD, tcpRoute({ kind: 'IngressRoute', match: 'PathPrefix(`/`)', tls: '{secretName: db-cert, options: {name: mtls}}' }) + option('mtls', REQUIRE)));
    const v = only(hostless, 'IngressRoute');
    // Before: pass, the TLSOption's client certificates counted.
    expect(v.status).toBe('fail');
    expect(v.message).toContain('IngressRoute db/postgres: its rule names no host, so Traefik cannot apply TLSOption db/mtls (TLS options are chosen by SNI) and uses the default TLS options');
    // A default TLSOption requiring client certificates is what such a route gets.
    expect(only(ctx(cluster(CRD, tcpRoute({ kind: 'IngressRoute', match: 'PathPrefix(`/`)', tls: '{secretName: db-cert, options: {name: mtls}}' }) + option('mtls', REQUIRE) + option('default', REQUIRE, 'traefik'))), 'IngressRoute').status).toBe('pass');
    expect(only(ctx(cluster(CRD, tcpRoute({ match: 'HostSNI(`*`)', tls: '{secretName: db-cert, options: {name: mtls}}' }) + option('mtls', REQUIRE)))).status).toBe('pass');
  });

  it('HTTP routers of one host and entryPoint naming different TLS options all get the default ones: neither counts', () => {
    // traefik/traefik pkg/server/aggregator.go@fd5a576d findConflictingRouters; pkg/server/router/tcp/manager.go
    // "router's TLSOptions configuration is conflicting with other routers on the same entrypoint and host,
    // default TLS options will be used instead".
    const other = (tls: string, entryPoints = '[postgres]') => `---
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: {name: other, namespace: db}
spec:
  entryPoints: ${entryPoints}
  tls: ${tls}
  routes:
  - match: Host(\`db.example.com\`) && PathPrefix(\`/x\`)
    services: [{name: postgres, port: 5432}]
`;
    const c = (tls: string, entryPoints?: string) => ctx(cluster(CRD, tcpRoute({ kind: 'IngressRoute', match: 'Host(`db.example.com`)', tls: '{secretName: db-cert, options: {name: mtls}}' }) + option('mtls', REQUIRE) + other(tls, entryPoints)));
    const v = [...edgeAuthMissing.evaluate(c('{}'))].filter((x) => x.resource.kind === 'IngressRoute');
    // Before: db.example.com/ (IngressRoute db/postgres) passed.
    expect(v.map((x) => x.status)).toEqual(['fail', 'fail']);
    expect(v[0].message).toContain('db.example.com: IngressRoute db/postgres uses TLSOption db/mtls; IngressRoute db/other uses the default TLS options on entryPoint postgres: Traefik then uses the default TLS options for all of them');
    // The same option on both: no conflict, both pass; another entryPoint: no conflict for db/postgres.
    expect([...edgeAuthMissing.evaluate(c('{options: {name: mtls}}'))].filter((x) => x.resource.kind === 'IngressRoute').map((x) => x.status)).toEqual(['pass', 'pass']);
    expect([...edgeAuthMissing.evaluate(c('{}', '[web]'))].filter((x) => x.resource.kind === 'IngressRoute' && x.resource.name === 'postgres').map((x) => x.status)).toEqual(['pass']);
  });
});
