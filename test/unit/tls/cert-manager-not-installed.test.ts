// cert-manager's ingress-shim and gateway-shim are part of the cert-manager controller: an
// Ingress or Gateway annotation (cert-manager.io/cluster-issuer, cert-manager.io/issuer,
// kubernetes.io/tls-acme) creates a Certificate only where cert-manager runs
// (https://cert-manager.io/docs/usage/ingress/: "A small sub-component of cert-manager,
// ingress-shim, is responsible for this"). A live cluster that serves no certificates.cert-manager.io has no
// cert-manager, so the annotation leaves the Secret rotated by hand. Reviewer repro
// r-fleet/cm1live.json.gz.
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { runChecks } from '../../../src/engine/run.ts';
import type { CoverageEntry, Snapshot } from '../../../src/snapshot/types.ts';
import { certificateUnmanaged } from '../../../checks/tls/certificate-unmanaged.ts';

const ingress = (annotation: string) => `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop, namespace: web, annotations: {${annotation}}}
spec:
  tls: [{hosts: [shop.example.com], secretName: shop-tls}]
  rules: [{host: shop.example.com}]`;

type Where = 'live' | 'snapshot of live' | 'manifests';

function snapshotOf(yaml: string, where: Where, certificates?: CoverageEntry): Snapshot {
  const s = snapshotFromObjects(parseManifestText(yaml, 'case.yaml').objects, where === 'manifests' ? {} : { origin: 'live' });
  if (where === 'live') s.source = 'live';
  if (where === 'snapshot of live') s.source = 'snapshot';
  // As the live collector records a CRD the API server does not serve (collect/live.ts).
  s.coverage['certmanager.certificates'] = certificates ?? { status: 'absent', detail: 'certificates.cert-manager.io/v1 is not served by this API server' };
  return s;
}

function judge(snapshot: Snapshot) {
  const ctx = { snapshot, config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') };
  const [outcome] = runChecks([certificateUnmanaged], ctx);
  return { outcome, verdicts: [...certificateUnmanaged.evaluate(ctx)] };
}

describe('tls.certificate-unmanaged when cert-manager is not installed', () => {
  it.each(['live', 'snapshot of live'] as const)('%s: a cert-manager.io/cluster-issuer annotation fails, naming why', (where) => {
    const { outcome, verdicts } = judge(snapshotOf(ingress('cert-manager.io/cluster-issuer: letsencrypt'), where));
    expect(outcome.status).toBe('fail');
    expect(verdicts.map((v) => `${v.status}: ${v.message}`)).toEqual([
      'fail: Ingress web/shop tls[0]: its Ingress carries the cert-manager.io/cluster-issuer annotation for TLS Secret web/shop-tls, but cert-manager is not installed (the cluster serves no certificates.cert-manager.io): the annotation creates no Certificate, so it is rotated by hand.',
    ]);
    expect(verdicts[0].evidence).toMatchObject({ certificatesRead: 'absent', shimAnnotation: 'cert-manager.io/cluster-issuer' });
  });

  it('live: kubernetes.io/tls-acme with no cert-manager controller Deployment fails the same way', () => {
    const { verdicts } = judge(snapshotOf(ingress('kubernetes.io/tls-acme: "true"'), 'live'));
    expect(verdicts.map((v) => v.status)).toEqual(['fail']);
    expect(verdicts[0].message).toContain('Ingress web/shop tls[0]: its Ingress carries the kubernetes.io/tls-acme annotation for TLS Secret web/shop-tls, but cert-manager is not installed');
  });

  // The annotation sits on the Ingress or Gateway, not on the Secret (https://cert-manager.io/docs/usage/gateway/:
  // "This is configured by adding annotations to a Gateway"; .../usage/ingress/ the same for an
  // Ingress). Reviewer repro r-m7/t1 read "TLS Secret web/shop-tls carries the … annotation".
  it('live: a Gateway with the annotation says its Gateway carries it, for the listener\'s TLS Secret', () => {
    const gateway = `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: edge, namespace: web, annotations: {cert-manager.io/issuer: ca}}
spec:
  gatewayClassName: eg
  listeners: [{name: https, hostname: shop.example.com, port: 443, protocol: HTTPS, tls: {mode: Terminate, certificateRefs: [{name: edge-tls}]}}]`;
    const { verdicts } = judge(snapshotOf(gateway, 'live'));
    expect(verdicts.map((v) => `${v.status}: ${v.message}`)).toEqual([
      'fail: Gateway web/edge listener https: its Gateway carries the cert-manager.io/issuer annotation for TLS Secret web/edge-tls, but cert-manager is not installed (the cluster serves no certificates.cert-manager.io): the annotation creates no Certificate, so it is rotated by hand.',
    ]);
  });

  // The shim names its Certificate after the Secret and writes the Secret through it: listed and
  // absent, it has made none (test/unit/tls/cert-manager-shim-made-none.test.ts).
  it('live with the Certificate API served and no Certificate writing the Secret: the annotation does not count', () => {
    const { verdicts } = judge(snapshotOf(ingress('cert-manager.io/cluster-issuer: letsencrypt'), 'live', { status: 'ok', count: 0 }));
    expect(verdicts.map((v) => `${v.status}: ${v.message}`)).toEqual(['fail: Ingress web/shop tls[0]: its Ingress carries the cert-manager.io/cluster-issuer annotation for TLS Secret web/shop-tls, but cert-manager has created no Certificate for it (no Certificate of the cluster has spec.secretName shop-tls in web): nothing issues or renews it.']);
  });

  it('manifests: cert-manager is usually installed outside the audited directory, so the annotation counts', () => {
    const { verdicts } = judge(snapshotOf(ingress('cert-manager.io/cluster-issuer: letsencrypt'), 'manifests'));
    expect(verdicts.map((v) => v.status)).toEqual(['pass']);
  });

  it.each([
    ['forbidden', { status: 'forbidden', detail: 'list certificates.cert-manager.io' }],
    ['error', { status: 'error', detail: 'HTTP 503' }],
  ] as const)('live with Certificates %s: not evaluated, never a verdict', (_name, coverage) => {
    const { outcome } = judge(snapshotOf(ingress('cert-manager.io/cluster-issuer: letsencrypt'), 'live', { ...coverage }));
    expect(outcome.status).toBe('not-evaluated');
    expect(outcome.results).toEqual([]);
  });
});
