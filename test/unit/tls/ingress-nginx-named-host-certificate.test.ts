// ingress-nginx gives a host the Secret of the first spec.tls entry whose hosts hold it, compared
// lower-cased and exactly, never as a wildcard (kubernetes/ingress-nginx controller-v1.12.0,
// internal/ingress/controller/controller.go:1695-1703, extractTLSSecretName); it then checks that
// Secret's certificate with cert.Certificate.VerifyHostname(host), falls back to the Common Name of
// a certificate without DNS SANs (controller.go:1449-1460; certificate.go:34-63 verifyHostname),
// and serves the controller's default certificate when neither names the host
// (getDefaultSSLCertificate). A host no entry names exactly, a wildcard entry's included, only gets
// an entry's Secret whose certificate verifies for it (controller.go:1705-1730). An entry naming the
// host without a secretName gives it the default certificate (controller.go:1427-1431).
// Secrets are never read: a cert-manager Certificate's spec.dnsNames and spec.commonName are what
// cert-manager issues into its spec.secretName
// (https://cert-manager.io/docs/reference/api-docs/#cert-manager.io/v1.CertificateSpec).
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { AuditContext } from '../../../src/analysis/context.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import type { Verdict } from '../../../src/base/vocabulary.ts';
import { ingressWithoutTls } from '../../../checks/tls/ingress-without-tls.ts';

function verdicts(yamlText: string, origin: 'live' | 'manifests' = 'manifests'): Verdict[] {
  const objs = parseAllDocuments(yamlText).map((d) => d.toJSON() as KubeObject).filter(Boolean);
  const ctx: AuditContext = { snapshot: snapshotFromObjects(objs, { origin }), config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') };
  return [...ingressWithoutTls.evaluate(ctx)];
}
const api = (rs: Verdict[], name = 'api') => rs.find((r) => r.resource.name === name && r.detailKey === 'host/api.example.com')!;
const severity = (r: Verdict) => r.severity ?? ingressWithoutTls.severity;

const certificate = (spec: string, status = '{conditions: [{type: Ready, status: "True"}]}') => `
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: web, namespace: app}
spec: {secretName: web-tls, issuerRef: {name: le, kind: ClusterIssuer}, ${spec}}
status: ${status}
`;
const setup = (tls: string, extra = '') => `
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: api, namespace: app}
spec:
  ingressClassName: nginx
  tls: ${tls}
  rules:
  - host: api.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: s, port: {number: 80}}}}]}
${extra}`;

describe('tls.ingress-without-tls: a host a tls entry names gets that entry\'s certificate only if it names the host', () => {
  it('the Secret\'s Certificate issues for another name: ingress-nginx serves its default certificate, a high finding', () => {
    const r = api(verdicts(setup('[{hosts: [api.example.com], secretName: web-tls}]', certificate('dnsNames: [www.example.com]'))));
    expect([r.status, severity(r)]).toEqual(['fail', 'high']);
    expect(r.message).toContain('Host api.example.com is named by TLS entry api.example.com, but Secret web-tls\'s certificate does not name it (cert-manager Certificate app/web issues it for www.example.com)');
    expect(r.message).toContain('serves the controller\'s default certificate');
  });

  it('the Certificate names the host: a pass naming it; a wildcard dnsName covers one label', () => {
    const r = api(verdicts(setup('[{hosts: [api.example.com], secretName: web-tls}]', certificate('dnsNames: [www.example.com, api.example.com]'))));
    expect(r.status).toBe('pass');
    expect(r.message).toContain('cert-manager Certificate app/web issues for api.example.com');
    expect(api(verdicts(setup('[{hosts: [api.example.com], secretName: web-tls}]', certificate('dnsNames: ["*.example.com"]')))).status).toBe('pass');
  });

  it('tls hosts are compared lower-cased: API.Example.com names api.example.com', () => {
    expect(api(verdicts(setup('[{hosts: [API.Example.com], secretName: web-tls}]', certificate('dnsNames: [www.example.com]')))).status).toBe('fail');
    expect(api(verdicts(setup('[{hosts: [API.Example.com], secretName: web-tls}]'))).status).toBe('pass');
  });

  it('a certificate without DNS names is checked on its commonName (ingress-nginx\'s Common Name fallback)', () => {
    expect(api(verdicts(setup('[{hosts: [api.example.com], secretName: web-tls}]', certificate('commonName: api.example.com')))).status).toBe('pass');
    expect(api(verdicts(setup('[{hosts: [api.example.com], secretName: web-tls}]', certificate('commonName: www.example.com')))).status).toBe('fail');
  });

  it('no Certificate writes the Secret: the certificate is unknown and the named host is taken as served, saying so', () => {
    const r = api(verdicts(setup('[{hosts: [api.example.com], secretName: web-tls}]')));
    expect(r.status).toBe('pass');
    expect(r.message).toBe('Host api.example.com is covered by TLS entry api.example.com (Secret web-tls; Secrets are not read and no cert-manager Certificate writes Secret web-tls, so its certificate is taken to name the host).');
  });

  it('a live Certificate naming the host but not Ready cannot confirm the certificate: medium', () => {
    const r = api(verdicts(setup('[{hosts: [api.example.com], secretName: web-tls}]', certificate('dnsNames: [api.example.com]', '{conditions: [{type: Ready, status: "False", reason: Failed, message: order failed}]}')), 'live'));
    expect([r.status, r.severity]).toEqual(['fail', 'medium']);
    expect(r.message).toContain('cannot be confirmed');
  });

  it('an entry naming the host without a secretName gives it the default certificate', () => {
    const r = api(verdicts(setup('[{hosts: [api.example.com]}]')));
    expect([r.status, severity(r)]).toEqual(['fail', 'high']);
    expect(r.message).toContain('named by a spec.tls entry without a secretName');
  });
});

describe('tls.ingress-without-tls: a wildcard tls entry names no host for ingress-nginx', () => {
  it('*.example.com with a Secret whose Certificate issues for www.example.com only: high, as with no entry', () => {
    const r = api(verdicts(setup('[{hosts: ["*.example.com"], secretName: web-tls}]', certificate('dnsNames: [www.example.com]'))));
    expect([r.status, severity(r)]).toEqual(['fail', 'high']);
    expect(r.message).toContain('ingress-nginx compares tls hosts exactly, so *.example.com names no host');
  });

  it('*.example.com whose Certificate issues *.example.com: the Secret fallback serves it', () => {
    expect(api(verdicts(setup('[{hosts: ["*.example.com"], secretName: web-tls}]', certificate('dnsNames: ["*.example.com"]')))).status).toBe('pass');
  });

  it('*.example.com with a Secret no Certificate writes: unknown, a medium finding instead of a pass', () => {
    const r = api(verdicts(setup('[{hosts: ["*.example.com"], secretName: web-tls}]')));
    expect([r.status, r.severity]).toEqual(['fail', 'medium']);
    expect(r.message).toContain('Host api.example.com is named by no spec.tls hosts entry (TLS hosts: *.example.com; ingress-nginx compares tls hosts exactly, so *.example.com names no host)');
  });

  it('another controller\'s Ingress keeps the wildcard covering (port 80 on a controller ztaudit does not read is unconfirmed)', () => {
    const r = api(verdicts(setup('[{hosts: ["*.example.com"], secretName: web-tls}]', certificate('dnsNames: [www.example.com]')).replace('ingressClassName: nginx', 'ingressClassName: other')));
    expect([r.status, severity(r)]).toEqual(['fail', 'medium']);
    expect(r.message).toContain('is covered by TLS entry *.example.com, but whether controller other (IngressClass other) also serves it over plaintext HTTP on port 80');
  });
});

describe('tls.ingress-without-tls: another Ingress of the host gives no certificate its Secret does not hold', () => {
  const second = `
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: api-extra, namespace: app}
spec:
  ingressClassName: nginx
  rules:
  - host: api.example.com
    http: {paths: [{path: /extra, pathType: Prefix, backend: {service: {name: s, port: {number: 80}}}}]}
`;
  it('the certificate Ingress names the host but its Certificate does not: the merged Ingress is high too', () => {
    const rs = verdicts(setup('[{hosts: [api.example.com], secretName: web-tls}]', certificate('dnsNames: [www.example.com]') + second));
    expect([api(rs, 'api-extra').status, severity(api(rs, 'api-extra'))]).toEqual(['fail', 'high']);
    expect(api(rs, 'api-extra').message).not.toContain('takes its certificate from Ingress');
  });

  it('its Certificate names the host: the merged Ingress takes it', () => {
    const rs = verdicts(setup('[{hosts: [api.example.com], secretName: web-tls}]', certificate('dnsNames: [api.example.com]') + second));
    expect(api(rs, 'api-extra').status).toBe('pass');
    expect(api(rs, 'api-extra').message).toContain('takes its certificate from Ingress app/api');
  });

  it('a wildcard entry on the certificate Ingress gives the merged Ingress nothing', () => {
    const rs = verdicts(setup('[{hosts: ["*.example.com"], secretName: web-tls}]', second));
    expect(api(rs, 'api-extra').status).toBe('fail');
  });
});
