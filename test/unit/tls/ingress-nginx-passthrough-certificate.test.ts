// tls.ingress-without-tls on an ingress-nginx SSL-passthrough host that no spec.tls entry names.
// Port 443 goes to the backend by SNI; port 80 is nginx's, and kubernetes/ingress-nginx
// rootfs/etc/nginx/lua/lua_ingress.lua redirect_to_https (controller-v1.15.1) redirects it with
// force-ssl-redirect, or with ssl-redirect when certificate.lua configured_for_current_request finds
// a certificate uid for the host. internal/ingress/controller/controller.go createServers (same tag)
// gives the server of every host of a non-canary Ingress with spec.tls a certificate, the first
// Ingress in order keeping it: extractTLSSecretName picks the entry naming the host, else "no TLS
// host matching host name, try each TLS host for matching SAN or CN" (the first entry whose Secret's
// certificate VerifyHostname accepts), else "" and getDefaultSSLCertificate, which is never nil
// (the fake certificate without --default-ssl-certificate). Nothing clears SSLCert for a
// passthrough server (getConfiguration only collects its PassthroughBackends), and
// internal/ingress/controller/nginx.go configureCertificates posts every server's certificate uid to
// Lua. So such a host is redirected by ssl-redirect (on by default) whichever certificate it holds.
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import type { Verdict } from '../../../src/base/vocabulary.ts';
import { ingressWithoutTls } from '../../../checks/tls/ingress-without-tls.ts';

const controller = (args: string[] = []) => `
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
spec:
  selector: {matchLabels: {app: ingress-nginx}}
  template:
    metadata: {labels: {app: ingress-nginx}}
    spec:
      containers:
        - name: controller
          image: registry.k8s.io/ingress-nginx/controller:v1.15.1
          args: ${JSON.stringify(['/nginx-ingress-controller', '--configmap=ingress-nginx/ingress-nginx-controller', '--enable-ssl-passthrough', ...args])}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
data: {}
`;

const certificate = (dnsNames: string[]) => `
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: shop-cert, namespace: shop}
spec:
  secretName: shop-tls
  dnsNames: ${JSON.stringify(dnsNames)}
  issuerRef: {name: letsencrypt, kind: ClusterIssuer}
`;

/** Ingress shop/api: passthrough for api.example.com, its one TLS entry naming www.example.com only. */
const ingress = (opts: { annotations?: Record<string, string>; tls?: boolean; name?: string; namespace?: string; created?: string } = {}) => `
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${opts.name ?? 'api'}
  namespace: ${opts.namespace ?? 'shop'}
  ${opts.created ? `creationTimestamp: "${opts.created}"` : ''}
  annotations: ${JSON.stringify({ 'nginx.ingress.kubernetes.io/ssl-passthrough': 'true', ...opts.annotations })}
spec:
  ingressClassName: nginx
  ${opts.tls === false ? '' : 'tls: [{hosts: [www.example.com], secretName: shop-tls}]'}
  rules:
  - host: api.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: api, port: {number: 443}}}}]}
`;

function verdict(yaml: string, name = 'api'): Verdict {
  const ctx: AuditContext = { snapshot: snapshotFromObjects(parseManifestText(yaml, 'case.yaml').objects), config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') };
  const out = [...ingressWithoutTls.evaluate(ctx)].filter((v) => v.resource.name === name && v.detailKey === 'host/api.example.com');
  expect(out).toHaveLength(1);
  return out[0]!;
}

describe('an SSL-passthrough host named by no spec.tls entry, on a controller with --enable-ssl-passthrough', () => {
  it('its Ingress\'s Secret names it (certificate SANs): ssl-redirect redirects port 80, a pass (a high "plaintext on port 80" before)', () => {
    const v = verdict(controller() + certificate(['www.example.com', 'api.example.com']) + ingress());
    expect(v.status).toBe('pass');
    expect(v.message).toContain('ingress-nginx redirects plain HTTP on port 80 to HTTPS (ingress-nginx default ssl-redirect: true)');
    expect(v.message).toContain('the certificate of Secret shop-tls, which names the host, given by Ingress shop/api');
    expect(v.evidence).toMatchObject({ sslPassthrough: 'nginx.ingress.kubernetes.io/ssl-passthrough: "true"', certificateHeld: expect.stringContaining('Secret shop-tls') });
  });

  it('its Secret does not name it: the server holds the default certificate, which ssl-redirect needs as much, so a pass too', () => {
    const v = verdict(controller() + certificate(['www.example.com']) + ingress());
    expect(v.status).toBe('pass');
    expect(v.message).toContain("as it holds a certificate for the host (the controller's default certificate");
  });

  it('no Certificate shows what its Secret holds: either way a certificate is held, so a pass saying which it may be', () => {
    const v = verdict(controller() + ingress());
    expect(v.status).toBe('pass');
    expect(v.message).toContain("the certificate of a Secret of its spec.tls if one names the host, else the controller's default one");
  });

  it('ssl-redirect "false" on the Ingress: plaintext on port 80, high, naming both settings', () => {
    const v = verdict(controller() + certificate(['www.example.com', 'api.example.com']) + ingress({ annotations: { 'nginx.ingress.kubernetes.io/ssl-redirect': 'false' } }));
    expect([v.status, v.severity]).toEqual(['fail', undefined]);
    expect(v.message).toContain('serves it over plaintext HTTP on port 80: ingress-nginx default force-ssl-redirect: false, and annotation nginx.ingress.kubernetes.io/ssl-redirect: "false"');
  });

  it('no spec.tls on any Ingress of the host: no certificate is held, so port 80 stays plaintext (high), as before', () => {
    const v = verdict(controller() + ingress({ tls: false }));
    expect([v.status, v.severity]).toEqual(['fail', undefined]);
    expect(v.message).toContain('ssl-redirect needs a certificate ingress-nginx holds for the host');
  });

  it('the certificate held comes from an older Ingress the controller may not watch: medium "cannot be confirmed"', () => {
    const selector = controller(['--watch-namespace-selector=team=web']) + `
---
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: web}}
`;
    const older = ingress({ name: 'api-old', namespace: 'legacy', created: '2024-01-01T00:00:00Z' }).replace('hosts: [www.example.com]', 'hosts: [api.example.com]');
    const v = verdict(selector + older + ingress({ tls: false, created: '2025-01-01T00:00:00Z' }));
    expect([v.status, v.severity]).toEqual(['fail', 'medium']);
    expect(v.message).toContain('cannot be confirmed');
    expect(String(v.evidence?.unconfirmed)).toContain('Namespace legacy is not in the snapshot');
  });
});
