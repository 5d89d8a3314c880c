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
import { certificateUnmanaged } from '../../../checks/tls/certificate-unmanaged.ts';

function ctx(yamlText: string, origin: 'live' | 'manifests' = 'manifests'): AuditContext {
  const objs = parseAllDocuments(yamlText).map((d) => d.toJSON() as KubeObject).filter(Boolean);
  return { snapshot: snapshotFromObjects(objs, { origin }), config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') };
}
const verdicts = (yamlText: string, origin: 'live' | 'manifests' = 'manifests'): Verdict[] => [...ingressWithoutTls.evaluate(ctx(yamlText, origin))];

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

// cert-manager's ingress-shim creates the Certificate of an annotated Ingress's TLS entry with the
// entry's hosts as dnsNames: "placing a host in the TLS config will determine what ends up in the
// cert's subjectAltNames" (https://cert-manager.io/docs/usage/ingress/). A host the entry does not
// name is then not in the Secret's certificate, VerifyHostname fails in extractTLSSecretName, and
// ingress-nginx gives the host its default certificate.
const shimmed = (annotations: string, extra = '') => `
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
${extra}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop, annotations: ${annotations}}
spec:
  ingressClassName: nginx
  tls: [{hosts: [www.example.com], secretName: web-cert}]
  rules:
  - host: www.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: s, port: {number: 80}}}}]}
  - host: api.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: s, port: {number: 80}}}}]}
`;
const api = (rs: Verdict[]) => rs.find((r) => r.detailKey === 'host/api.example.com')!;

describe('tls.ingress-without-tls: a Secret cert-manager\'s ingress-shim issues holds the TLS entry\'s hosts only', () => {
  it('cert-manager.io/cluster-issuer: a host the entry does not name is high, not an unknown Secret', () => {
    const r = api(verdicts(shimmed('{cert-manager.io/cluster-issuer: letsencrypt}')));
    expect([r.status, r.severity ?? ingressWithoutTls.severity]).toEqual(['fail', 'high']);
    expect(r.message).toBe('Host api.example.com has no covering spec.tls entry (TLS hosts: www.example.com): ingress-nginx gives it the controller\'s default certificate (with ssl-redirect on, HTTP is redirected to HTTPS serving that certificate).');
  });

  // The controller's --default-issuer-name defaults to empty (cert-manager
  // internal/apis/config/controller/v1alpha1/defaults.go, defaultTLSACMEIssuerName = ""), and then
  // issuerForIngressLike fails ("failed to determine issuer name"): the annotation issues only
  // with a controller that sets it (https://cert-manager.io/docs/usage/ingress/#optional-configuration).
  it('kubernetes.io/tls-acme: "true" is a shim annotation only with --default-issuer-name; without it, or with no controller to say, the Secret stays unknown', () => {
    const controller = (args: string) => `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: cert-manager, namespace: cert-manager}
spec:
  selector: {matchLabels: {app: cm}}
  template:
    metadata: {labels: {app: cm}}
    spec: {containers: [{name: c, image: quay.io/jetstack/cert-manager-controller:v1.16.0, args: ${args}}]}`;
    expect(api(verdicts(shimmed('{kubernetes.io/tls-acme: "true"}', controller('[--v=2, --default-issuer-name=le, --default-issuer-kind=ClusterIssuer]')))).severity ?? ingressWithoutTls.severity).toBe('high');
    expect(api(verdicts(shimmed('{kubernetes.io/tls-acme: "true"}', controller('[--v=2]')))).severity).toBe('medium');
    expect(api(verdicts(shimmed('{kubernetes.io/tls-acme: "true"}'))).severity).toBe('medium');
  });

  it('a Certificate that writes the Secret is read instead of the shim\'s', () => {
    const cert = `---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: web, namespace: shop}
spec: {secretName: web-cert, dnsNames: [www.example.com, api.example.com], issuerRef: {name: le, kind: ClusterIssuer}}`;
    expect(api(verdicts(shimmed('{cert-manager.io/cluster-issuer: letsencrypt}', cert))).status).toBe('pass');
  });

  it('an Ingress without a shim annotation keeps the unknown-Secret finding', () => {
    expect(api(verdicts(shimmed('{}'))).severity).toBe('medium');
  });
});

// In a live cluster a Certificate describes its Secret only once Ready: a dnsName just added whose
// issuance fails leaves the earlier certificate (or none) in the Secret
// (https://cert-manager.io/docs/usage/certificate/, Ready condition; tls.certificate-not-ready
// reports the same Certificate). ingress-nginx then finds no Secret verifying for the host.
const notReady = (status: string) => setup({ tls: '[{hosts: [www.example.com], secretName: api-cert}]', dnsNames: ['www.example.com', 'api.example.com'] })
  .replace('  issuerRef: {name: le, kind: ClusterIssuer}', `  issuerRef: {name: le, kind: ClusterIssuer}\nstatus: ${status}`);

describe('tls.ingress-without-tls: the Secret fallback trusts a live Certificate only when Ready', () => {
  it('a live Certificate not Ready is a medium finding naming it and its reason', () => {
    const r = verdicts(notReady('{conditions: [{type: Ready, status: "False", reason: DoesNotExist, message: Issuing certificate as Secret does not exist}]}'), 'live')[0];
    expect([r.status, r.severity]).toEqual(['fail', 'medium']);
    expect(r.message).toContain('cert-manager Certificate shop/api names the host but is not Ready (Ready False: DoesNotExist: Issuing certificate as Secret does not exist), so Secret api-cert may hold an earlier certificate, or none, until it is');
  });

  it('a live Certificate that is Ready passes, as do manifests (no status)', () => {
    expect(verdicts(notReady('{conditions: [{type: Ready, status: "True", reason: Ready}]}'), 'live')[0].status).toBe('pass');
    expect(verdicts(notReady('{}'))[0].status).toBe('pass');
  });
});

// With a spec.tls entry, ingress-nginx gives a host no Secret verifies for its default certificate
// (internal/ingress/controller/controller.go createServers: tlsSecretName == "" →
// getDefaultSSLCertificate()), so certificate.lua's configured_for_current_request() is true and
// ssl-redirect redirects it (rootfs/etc/nginx/lua/lua_ingress.lua redirect_to_https). Without any
// spec.tls ingress-nginx sets no certificate ("does not contains a TLS section") and serves HTTP.
describe('tls.ingress-without-tls: what ingress-nginx does with a host no certificate names', () => {
  it('the unknown-Secret finding says the default certificate is served and HTTP redirected', () => {
    const r = verdicts(setup({ tls: '[{secretName: api-cert}]' }))[0];
    expect(r.message).toContain('otherwise it gets the controller\'s default certificate (with ssl-redirect on, HTTP is redirected to HTTPS serving that certificate)');
    expect(r.message).not.toContain('not redirected');
  });

  it('an Ingress without spec.tls is still served over plaintext HTTP', () => {
    const r = verdicts(setup({ tls: '[]' }))[0];
    expect(r.message).toBe('Ingress shop/api has no spec.tls: host api.example.com is served over plaintext HTTP.');
  });
});

// Ingress shop/www asks ingress-shim for Secret example-tls; Ingress shop/api names the Secret in
// a tls entry without hosts, so ingress-nginx gives api.example.com that Secret's certificate only
// if it names the host. When cert-manager creates no Certificate from www, nothing says it does.
const shared = (opts: { annotations: string; tls: string; extra?: string }) => `
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: www, namespace: shop, uid: "1111", annotations: ${opts.annotations}}
spec:
  ingressClassName: nginx
  tls: ${opts.tls}
  rules:
  - host: www.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: s, port: {number: 80}}}}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: api, namespace: shop}
spec:
  ingressClassName: nginx
  tls: [{secretName: example-tls}]
  rules:
  - host: api.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: s, port: {number: 80}}}}]}
${opts.extra ?? ''}`;
const BOTH = '[{hosts: [www.example.com, api.example.com], secretName: example-tls}]';
const CLUSTER_ISSUER = '{cert-manager.io/cluster-issuer: letsencrypt}';
const UNKNOWN = 'ingress-nginx covers it only if Secret example-tls\'s certificate names the host (Secrets are not read, and no cert-manager Certificate writes it)';
const handWritten = (owner = '') => `---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: example-tls, namespace: shop${owner}}
spec: {secretName: example-tls-2025, dnsNames: [legacy.example.com], issuerRef: {name: letsencrypt, kind: ClusterIssuer}}`;

// cert-manager pkg/controller/certificate-shim/sync.go: SyncFn stops for the whole Ingress when
// issuerForIngressLike fails or validateIngressLike finds a secretName in two TLS entries, and
// buildCertificates skips a TLS entry whose Certificate (named after the Secret) exists without
// being controlled by the Ingress.
describe('tls.ingress-without-tls: a Secret ingress-shim refuses to issue is not taken as holding the entry\'s hosts', () => {
  it('baseline: the shim issues example-tls for both hosts, so api.example.com passes', () => {
    expect(api(verdicts(shared({ annotations: CLUSTER_ISSUER, tls: BOTH }))).status).toBe('pass');
  });

  it('one secretName in two TLS entries: "this secret name must only appear in a single TLS entry", no Certificate at all: medium', () => {
    const r = api(verdicts(shared({ annotations: CLUSTER_ISSUER, tls: '[{hosts: [www.example.com], secretName: example-tls}, {hosts: [api.example.com], secretName: example-tls}]' })));
    expect([r.status, r.severity]).toEqual(['fail', 'medium']);
    expect(r.message).toContain(UNKNOWN);
  });

  it('conflicting issuer annotations: "Could not determine issuer", no Certificate: medium', () => {
    for (const annotations of [
      '{cert-manager.io/cluster-issuer: letsencrypt, cert-manager.io/issuer-kind: ClusterIssuer}',
      '{cert-manager.io/cluster-issuer: letsencrypt, cert-manager.io/issuer: letsencrypt}',
      '{cert-manager.io/cluster-issuer: letsencrypt, cert-manager.io/issuer-group: cert-manager.io}',
    ]) {
      const r = api(verdicts(shared({ annotations, tls: BOTH })));
      expect([annotations, r.status, r.severity]).toEqual([annotations, 'fail', 'medium']);
    }
    // issuer with issuer-kind (and the issuer-group the webhook requires of an external kind,
    // cert-manager-shim-refusals.test.ts) is how an external issuer is named: no conflict
    expect(api(verdicts(shared({ annotations: '{cert-manager.io/issuer: letsencrypt, cert-manager.io/issuer-kind: AWSPCAIssuer, cert-manager.io/issuer-group: awspca.cert-manager.io}', tls: BOTH }))).status).toBe('pass');
  });

  it('a Certificate named like the Secret that the Ingress does not control: "refusing to update non-owned certificate resource": medium', () => {
    const r = api(verdicts(shared({ annotations: CLUSTER_ISSUER, tls: BOTH, extra: handWritten() })));
    expect([r.status, r.severity]).toEqual(['fail', 'medium']);
    expect(r.message).toContain(UNKNOWN);
    const other = api(verdicts(shared({ annotations: CLUSTER_ISSUER, tls: BOTH, extra: handWritten(', ownerReferences: [{apiVersion: networking.k8s.io/v1, kind: Ingress, name: other, uid: "2222", controller: true}]') })));
    expect(other.severity).toBe('medium');
  });

  it('the Certificate the Ingress controls is the shim\'s own, updated to the entry\'s hosts: pass', () => {
    const r = api(verdicts(shared({ annotations: CLUSTER_ISSUER, tls: BOTH, extra: handWritten(', ownerReferences: [{apiVersion: networking.k8s.io/v1, kind: Ingress, name: www, uid: "1111", controller: true}]') })));
    expect(r.status).toBe('pass');
  });

  it('kubernetes.io/tls-acme: "true" with no cert-manager controller in the manifests (an app repository): medium, not pass', () => {
    const r = api(verdicts(shared({ annotations: '{kubernetes.io/tls-acme: "true"}', tls: BOTH })));
    expect([r.status, r.severity]).toEqual(['fail', 'medium']);
    expect(r.message).toContain(UNKNOWN);
  });

  it('tls.certificate-unmanaged says why a refused Ingress\'s Secret is unmanaged, and still takes tls-acme at its word', () => {
    const unmanaged = (yamlText: string) => [...certificateUnmanaged.evaluate(ctx(yamlText))].find((v) => v.resource.name === 'www')!;
    const dup = unmanaged(shared({ annotations: CLUSTER_ISSUER, tls: '[{hosts: [www.example.com], secretName: example-tls}, {hosts: [api.example.com], secretName: example-tls}]' }));
    expect([dup.status, dup.message]).toEqual(['fail', 'Ingress shop/www tls[0]: TLS Secret shop/example-tls is not managed by any cert-manager Certificate (no Certificate has spec.secretName example-tls in shop, cert-manager.io/cluster-issuer creates no Certificate for Ingress shop/www: secretName example-tls is in both tls[0] and tls[1], and a secret name must only appear in a single TLS entry): it is rotated by hand.']);
    const kind = unmanaged(shared({ annotations: '{cert-manager.io/cluster-issuer: letsencrypt, cert-manager.io/issuer-kind: ClusterIssuer}', tls: BOTH }));
    expect(kind.status).toBe('fail');
    expect(kind.message).toContain('cert-manager.io/cluster-issuer creates no Certificate for Ingress shop/www: it cannot determine the issuer: cert-manager.io/cluster-issuer and cert-manager.io/issuer-kind may not both be set');
    expect(unmanaged(shared({ annotations: '{kubernetes.io/tls-acme: "true"}', tls: BOTH })).status).toBe('pass');
  });

  // cert-manager pkg/controller/certificate-shim/helper.go translateAnnotations returns
  // errInvalidIngressAnnotation for an annotation it cannot parse (its unit test's "bad duration"
  // case), and sync.go buildCertificates returns that error before creating any Certificate.
  // Durations are Go time.ParseDuration syntax, as https://cert-manager.io/docs/usage/ingress/#supported-annotations
  // says: "cert-manager.io/duration: 2160h", there is no "d" unit.
  it('a cert-manager annotation ingress-shim cannot parse ("invalid ingress annotation"), no Certificate: medium', () => {
    for (const [bad, reason] of [
      ['cert-manager.io/duration: "90d"', 'cert-manager.io/duration: "90d" is not a Go duration'],
      ['cert-manager.io/duration: "30m"', 'cert-manager.io/duration: "30m" is less than the minimum 1h'],
      ['cert-manager.io/renew-before: "30 days"', 'cert-manager.io/renew-before: "30 days" is not a Go duration'],
      ['cert-manager.io/revision-history-limit: "0"', 'cert-manager.io/revision-history-limit: "0" is not a positive number'],
      ['cert-manager.io/revision-history-limit: "seven"', 'cert-manager.io/revision-history-limit: "seven" is not a 32-bit integer'],
      ['cert-manager.io/private-key-algorithm: "rsa"', 'cert-manager.io/private-key-algorithm: "rsa" is not RSA, ECDSA or Ed25519'],
    ]) {
      const annotations = `{cert-manager.io/cluster-issuer: letsencrypt, ${bad}}`;
      const r = api(verdicts(shared({ annotations, tls: BOTH })));
      expect([bad, r.status, r.severity]).toEqual([bad, 'fail', 'medium']);
      expect(r.message).toContain(UNKNOWN);
      const www = [...certificateUnmanaged.evaluate(ctx(shared({ annotations, tls: BOTH })))].find((v) => v.resource.name === 'www')!;
      expect(www.message).toContain(`cert-manager.io/cluster-issuer creates no Certificate for Ingress shop/www: invalid ingress annotation ${reason}`);
    }
  });

  it('valid cert-manager annotations ("2160h", "1h30m", a revision history limit, ECDSA 384) still give the Certificate: pass', () => {
    const annotations = `{cert-manager.io/cluster-issuer: letsencrypt, cert-manager.io/duration: "2160h", cert-manager.io/renew-before: "1h30m",
      cert-manager.io/revision-history-limit: "7", cert-manager.io/private-key-algorithm: ECDSA, cert-manager.io/private-key-size: "384",
      cert-manager.io/private-key-encoding: PKCS8, cert-manager.io/private-key-rotation-policy: Always, cert-manager.io/usages: "digital signature,key encipherment",
      cert-manager.io/subject-organizations: '"Example, Inc.",Shop', cert-manager.io/secret-template: '{"labels": {"team": "shop"}}'}`;
    expect(api(verdicts(shared({ annotations, tls: BOTH }))).status).toBe('pass');
  });
});
