// A Traefik TLSOption's clientAuth is mutual TLS: with CA secretNames and clientAuthType
// RequireAndVerifyClientCert (the type Traefik takes when CAs are given and no type is: traefik/traefik
// pkg/tls/tlsmanager.go buildTLSConfig sets tls.RequireAndVerifyClientCert with ClientCAs), a client
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

  it('CAs without a clientAuthType are RequireAndVerifyClientCert too', () => {
    expect(only(tcp('{secretName: db-cert, options: {name: mtls}}', option('mtls', '{secretNames: [clients-ca]}'))).message).toBe('db.example.com: Traefik TLSOption db/mtls clientAuth RequireAndVerifyClientCert (the default with CAs) (CA secretNames clients-ca)');
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
});
