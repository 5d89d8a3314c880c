// ingress-nginx gives a host no spec.tls hosts entry names the certificate of any of the
// Ingress's TLS Secrets that verifies for it: kubernetes/ingress-nginx
// internal/ingress/controller/controller.go, extractTLSSecretName, "no TLS host matching host
// name, try each TLS host for matching SAN or CN" (cert.Certificate.VerifyHostname(host)).
// Secrets are never read; a cert-manager Certificate's spec.dnsNames are the SANs of the
// certificate cert-manager writes into its spec.secretName
// (https://cert-manager.io/docs/reference/api-docs/#cert-manager.io/v1.CertificateSpec).
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { AuditContext } from '../../../src/analysis/context.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import type { Verdict } from '../../../src/base/vocabulary.ts';
import { ingressWithoutTls } from '../../../checks/tls/ingress-without-tls.ts';

function ctx(yamlText: string): AuditContext {
  const objs = parseAllDocuments(yamlText).map((d) => d.toJSON() as KubeObject).filter(Boolean);
  return { snapshot: snapshotFromObjects(objs), config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') };
}
const verdicts = (yamlText: string): Verdict[] => [...ingressWithoutTls.evaluate(ctx(yamlText))];

const setup = (opts: { className?: string; tls: string; dnsNames?: string[] }) => `
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
${opts.dnsNames ? `---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: api, namespace: shop}
spec:
  secretName: api-cert
  dnsNames: ${JSON.stringify(opts.dnsNames)}
  issuerRef: {name: le, kind: ClusterIssuer}` : ''}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: api, namespace: shop}
spec:
  ingressClassName: ${opts.className ?? 'nginx'}
  tls: ${opts.tls}
  rules:
  - host: api.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: s, port: {number: 80}}}}]}
`;

describe('tls.ingress-without-tls: ingress-nginx takes a TLS Secret whose certificate names the host', () => {
  it('a TLS entry without hosts whose cert-manager Certificate names the host covers it', () => {
    const [r] = verdicts(setup({ tls: '[{secretName: api-cert}]', dnsNames: ['api.example.com'] }));
    expect([r.detailKey, r.status]).toEqual(['host/api.example.com', 'pass']);
    expect(r.message).toContain('certificate of Secret api-cert, which cert-manager Certificate shop/api issues for api.example.com');
  });

  it('a wildcard dnsName covers one label only, as Go\'s VerifyHostname does', () => {
    expect(verdicts(setup({ tls: '[{secretName: api-cert}]', dnsNames: ['*.example.com'] }))[0].status).toBe('pass');
    expect(verdicts(setup({ tls: '[{secretName: api-cert}]', dnsNames: ['*.com'] }))[0].status).toBe('fail');
  });

  it('a TLS entry whose hosts name another host falls back to its Secret too', () => {
    expect(verdicts(setup({ tls: '[{hosts: [www.example.com], secretName: api-cert}]', dnsNames: ['www.example.com', 'api.example.com'] }))[0].status).toBe('pass');
  });

  it('a Secret no Certificate writes is a medium finding that says the Secret is not read, not that HTTP is served', () => {
    const r = verdicts(setup({ tls: '[{secretName: api-cert}]' }))[0];
    expect([r.status, r.severity]).toEqual(['fail', 'medium']);
    expect(r.message).toContain('covers it only if Secret api-cert\'s certificate names the host (Secrets are not read, and no cert-manager Certificate writes it)');
    expect(r.message).not.toContain('served over HTTP');
  });

  it('a Secret whose Certificate does not name the host leaves it without a certificate: still high', () => {
    const r = verdicts(setup({ tls: '[{secretName: api-cert}]', dnsNames: ['www.example.com'] }))[0];
    expect([r.status, r.severity ?? ingressWithoutTls.severity]).toEqual(['fail', 'high']);
    expect(r.message).toContain('has no covering spec.tls entry');
  });

  it('a TLS entry without a secretName has no certificate to fall back to: still high', () => {
    const r = verdicts(setup({ tls: '[{hosts: [www.example.com]}]', dnsNames: ['api.example.com'] }))[0];
    expect([r.status, r.severity ?? ingressWithoutTls.severity]).toEqual(['fail', 'high']);
  });

  it('another controller\'s Ingress is not given ingress-nginx\'s fallback', () => {
    const r = verdicts(setup({ className: 'other', tls: '[{secretName: api-cert}]', dnsNames: ['api.example.com'] }))[0];
    expect([r.status, r.severity ?? ingressWithoutTls.severity]).toEqual(['fail', 'high']);
  });
});

describe('tls.ingress-without-tls: the Secret fallback keeps what else the finding says', () => {
  it('an ssl-passthrough annotation ingress-nginx ignores is still named', () => {
    const yamlText = setup({ tls: '[{secretName: api-cert}]' }).replace('metadata: {name: api, namespace: shop}\nspec:\n  ingressClassName', 'metadata: {name: api, namespace: shop, annotations: {nginx.ingress.kubernetes.io/ssl-passthrough: "true"}}\nspec:\n  ingressClassName');
    const r = verdicts(yamlText)[0];
    expect([r.status, r.severity]).toEqual(['fail', 'medium']);
    expect(r.message).toMatch(/^Ingress shop\/api asks for SSL passthrough \(nginx\.ingress\.kubernetes\.io\/ssl-passthrough: "true"\), but ingress-nginx ignores it: .*Host api\.example\.com is named by no spec\.tls hosts entry/);
  });
});
