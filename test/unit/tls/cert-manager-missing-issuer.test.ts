// A cert-manager Certificate whose spec.issuerRef names an Issuer or ClusterIssuer that does not
// exist is never renewed: "All cert-manager certificates require a referenced issuer that is in a
// ready condition to attempt to honor the request" (https://cert-manager.io/docs/concepts/issuer/),
// and the CertificateRequest controller leaves a request for a missing issuer Pending with reason
// IssuerNotFound ("Referenced %q not found", cert-manager pkg/controller/certificaterequests/sync.go),
// skipping any request whose issuerRef.group is neither empty nor cert-manager.io (an external
// issuer's). issuerRef.kind defaults to Issuer, looked up in the Certificate's namespace, group to
// cert-manager.io (IssuerReference, https://cert-manager.io/docs/reference/api-docs/#meta.cert-manager.io/v1.IssuerReference).
// The Certificate's own Ready condition reflects the Secret it wrote and stays True meanwhile, so
// before this tls.certificate-not-ready passed it and tls.issuer-not-ready had nothing to say.
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import { renderHtml } from '../../../src/report/html.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';
import { CHECKS } from '../../../checks/index.ts';
import { issuerNotReady } from '../../../checks/tls/issuer-not-ready.ts';
import { certificateNotReady } from '../../../checks/tls/certificate-not-ready.ts';
import { certificatesNamingMissingIssuers } from '../../../src/analysis/tls/index.ts';

const at = new Date('2026-06-01T00:00:00Z');
const READY = '{conditions: [{type: Ready, status: "True", reason: Ready}], notAfter: "2026-08-01T00:00:00Z"}';
const certificate = (ns: string, name: string, issuerRef: string) => `---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: ${name}, namespace: ${ns}}
spec: {secretName: ${name}-tls, dnsNames: [${name}.example.com], issuerRef: ${issuerRef}}
status: ${READY}
`;
const ISSUERS = `---
apiVersion: cert-manager.io/v1
kind: Issuer
metadata: {name: ca, namespace: shop}
spec: {ca: {secretName: ca-key}}
status: {conditions: [{type: Ready, status: "True"}]}
---
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: {name: letsencrypt}
spec: {acme: {server: https://acme-v02.api.letsencrypt.org/directory, privateKeySecretRef: {name: le}}}
status: {conditions: [{type: Ready, status: "True"}]}
`;
const CERTIFICATES = [
  certificate('shop', 'typo', '{name: ca-typo}'), // kind defaults to Issuer, in shop: missing
  certificate('shop', 'served', '{name: ca}'), // Issuer shop/ca exists
  certificate('blog', 'elsewhere', '{name: ca, kind: Issuer}'), // no Issuer blog/ca: an Issuer is looked up in the Certificate's namespace
  certificate('blog', 'acme', '{name: letsencrypt, kind: ClusterIssuer, group: cert-manager.io}'), // exists
  certificate('blog', 'gone', '{name: letsencrypt-prod, kind: ClusterIssuer}'), // missing
  certificate('blog', 'pca', '{name: pca, kind: AWSPCAClusterIssuer, group: awspca.cert-manager.io}'), // an external issuer's: not cert-manager's to resolve
].join('');

/** As the live collector records it: both issuer kinds served and listed, none of them maybe. */
function live(yaml: string): Snapshot {
  const s = snapshotFromObjects(parseManifestText(yaml, 'case.yaml').objects, { origin: 'live' });
  s.source = 'live';
  for (const k of ['certmanager.issuers', 'certmanager.clusterissuers'] as const) s.coverage[k] = { status: 'ok', count: s.resources[k]?.length ?? 0 };
  return s;
}

describe('a Certificate naming an Issuer or ClusterIssuer that does not exist', () => {
  it('live: tls.issuer-not-ready fails the Certificate, naming the missing issuer; tls.certificate-not-ready still passes it (it is Ready)', () => {
    const snapshot = live(ISSUERS + CERTIFICATES);
    const ctx = { snapshot, config: defaultConfig(), now: at };
    expect(runChecks([certificateNotReady], ctx)[0]!.status).toBe('pass');
    const [outcome] = runChecks([issuerNotReady], ctx);
    expect(outcome!.status).toBe('fail');
    expect(outcome!.results.filter((r) => r.status === 'fail').map((r) => [`${r.resource.kind} ${r.resource.namespace}/${r.resource.name}`, r.message])).toEqual([
      ['Certificate shop/typo', 'Certificate shop/typo names Issuer shop/ca-typo in spec.issuerRef, which does not exist: cert-manager cannot issue or renew it (its CertificateRequests wait as IssuerNotFound), so it is Ready now, but the certificate it serves expires at 2026-08-01T00:00:00Z unrenewed.'],
      ['Certificate blog/elsewhere', 'Certificate blog/elsewhere names Issuer blog/ca in spec.issuerRef, which does not exist: cert-manager cannot issue or renew it (its CertificateRequests wait as IssuerNotFound), so it is Ready now, but the certificate it serves expires at 2026-08-01T00:00:00Z unrenewed.'],
      ['Certificate blog/gone', 'Certificate blog/gone names ClusterIssuer letsencrypt-prod in spec.issuerRef, which does not exist: cert-manager cannot issue or renew it (its CertificateRequests wait as IssuerNotFound), so it is Ready now, but the certificate it serves expires at 2026-08-01T00:00:00Z unrenewed.'],
    ]);
    // The issuers themselves are still judged.
    expect(outcome!.results.filter((r) => r.status === 'pass').map((r) => `${r.resource.kind} ${r.resource.name}`)).toEqual(['Issuer ca', 'ClusterIssuer letsencrypt']);
  });

  it('live with no Issuer or ClusterIssuer at all: the check applies and fails the Certificates naming one', () => {
    const [outcome] = runChecks([issuerNotReady], { snapshot: live(certificate('shop', 'typo', '{name: ca}')), config: defaultConfig(), now: at });
    expect(outcome!.status).toBe('fail');
    expect(outcome!.results.map((r) => `${r.status} ${r.resource.name}`)).toEqual(['fail typo']);
  });

  it('an issuer kind that could not be listed is never called missing; the other kind still is', () => {
    const snapshot = live(ISSUERS + CERTIFICATES);
    snapshot.coverage['certmanager.issuers'] = { status: 'forbidden', detail: 'issuers.cert-manager.io is forbidden' };
    expect(certificatesNamingMissingIssuers(snapshot).map((m) => `${m.kind} ${m.name}`)).toEqual(['ClusterIssuer letsencrypt-prod']);
    // And the check, which reads the Issuers, is not evaluated rather than passed.
    expect(runChecks([issuerNotReady], { snapshot, config: defaultConfig(), now: at })[0]!.status).toBe('not-evaluated');
  });

  it('from manifests, an issuer not in the directory is not taken as missing (ClusterIssuers are seldom kept beside the Certificates)', () => {
    const snapshot = snapshotFromObjects(parseManifestText(ISSUERS + CERTIFICATES, 'case.yaml').objects);
    expect(certificatesNamingMissingIssuers(snapshot)).toEqual([]);
    expect(runChecks([issuerNotReady], { snapshot, config: defaultConfig(), now: at })[0]!.status).toBe('pass');
  });

  it('the issuer name from the Certificate stays escaped in the HTML report', () => {
    const snapshot = live(certificate('shop', 'typo', '{name: "<img src=x onerror=alert(1)>"}'));
    const { report } = auditSnapshot({ snapshot, config: defaultConfig(), checks: CHECKS, now: at, startedAt: at, runId: 'run-1' });
    expect(report.findings.find((f) => f.check === 'tls.issuer-not-ready')?.message).toContain('names Issuer shop/<img src=x onerror=alert(1)> in spec.issuerRef');
    const html = renderHtml(report, {});
    expect(html).not.toContain('<img src=x');
    expect(html.replace(/<wbr>/g, '')).toContain('shop/&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
  });
});
