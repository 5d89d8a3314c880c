// cert-manager's certificate shims skip some TLS entries of an annotated Ingress or Gateway and
// create no Certificate for their Secrets (pkg/controller/certificate-shim/sync.go,
// validateIngressTLSBlock, handleGatewayAPIListeners and validateGatewayListenerBlock).
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { certificateUnmanaged } from '../../../checks/tls/certificate-unmanaged.ts';

function verdicts(yaml: string): Record<string, string> {
  const snapshot = snapshotFromObjects(parseManifestText(yaml, 'case.yaml').objects);
  const ctx = { snapshot, config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') };
  return Object.fromEntries([...certificateUnmanaged.evaluate(ctx)].map((r) => [`${r.resource.kind} ${r.detailKey}`, `${r.status}: ${r.message}`]));
}

describe('cert-manager shim annotations cover only the entries the shims accept', () => {
  it('Ingress: a TLS entry without hosts is skipped; one with hosts is issued', () => {
    const v = verdicts(`
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop, namespace: web, annotations: {cert-manager.io/cluster-issuer: letsencrypt}}
spec:
  tls: [{secretName: a-tls}, {hosts: [shop.example.com], secretName: b-tls}]
  rules: [{host: shop.example.com}]`);
    expect(v['Ingress web/a-tls']).toBe('fail: Ingress web/shop tls[0]: TLS Secret web/a-tls is not managed by any cert-manager Certificate (no Certificate has spec.secretName a-tls in web, cert-manager.io/cluster-issuer creates no Certificate for tls[0]: cert-manager skips a TLS entry without hosts): it is rotated by hand.');
    expect(v['Ingress web/b-tls']).toMatch(/^pass: .*issued through the cert-manager\.io\/cluster-issuer annotation/);
  });

  it('Gateway: listeners without hostname, with a cross-namespace certificateRef, in Passthrough mode, of another protocol or named by ignore-tls-listeners are skipped; a Terminate HTTPS listener with a hostname (mode defaulted) is issued', () => {
    const v = verdicts(`
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: web, annotations: {cert-manager.io/issuer: ca, cert-manager.io/ignore-tls-listeners: "skipped , other"}}
spec:
  gatewayClassName: eg
  listeners:
    - {name: any, protocol: HTTPS, port: 443, tls: {mode: Terminate, certificateRefs: [{name: any-tls}]}}
    - {name: shared, protocol: HTTPS, port: 443, hostname: api.example.com, tls: {mode: Terminate, certificateRefs: [{name: own-tls}, {name: shared-tls, namespace: certs}]}}
    - {name: pass, protocol: TLS, port: 8443, hostname: db.example.com, tls: {mode: Passthrough, certificateRefs: [{name: db-tls}]}}
    - {name: skipped, protocol: HTTPS, port: 443, hostname: b.example.com, tls: {certificateRefs: [{name: skipped-tls}]}}
    - {name: plain, protocol: HTTP, port: 80, hostname: p.example.com, tls: {certificateRefs: [{name: p-tls}]}}
    - {name: good, protocol: HTTPS, port: 443, hostname: www.example.com, tls: {certificateRefs: [{name: www-tls, namespace: web}]}}`);
    expect(v['Gateway web/any-tls']).toContain('cert-manager.io/issuer creates no Certificate for listener any: it has no hostname');
    expect(v['Gateway web/own-tls']).toContain('creates no Certificate for listener shared: a certificateRef names namespace certs (cross-namespace references are refused)');
    expect(v['Gateway certs/shared-tls']).toMatch(/^fail: /);
    expect(v['Gateway web/db-tls']).toContain('creates no Certificate for listener pass: cert-manager never issues for a Passthrough listener');
    expect(v['Gateway web/skipped-tls']).toContain('creates no Certificate for listener skipped: cert-manager.io/ignore-tls-listeners names it');
    expect(v['Gateway web/p-tls']).toContain('creates no Certificate for listener plain: its protocol HTTP is not HTTPS or TLS');
    expect(v['Gateway web/www-tls']).toMatch(/^pass: .*issued through the cert-manager\.io\/issuer annotation/);
  });
});
