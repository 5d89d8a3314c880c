// A GKE Ingress needs no spec.tls for HTTPS: "Using Google-managed SSL certificates",
// https://cloud.google.com/kubernetes-engine/docs/how-to/managed-certs, names a ManagedCertificate
// in the annotation networking.gke.io/managed-certificates, and "Using multiple SSL certificates
// in HTTPS load balancing with Ingress", https://cloud.google.com/kubernetes-engine/docs/how-to/ingress-multi-ssl,
// names Google Cloud SSL certificate resources in ingress.gcp.kubernetes.io/pre-shared-cert
// (kubernetes/ingress-gce pkg/metrics/features.go managedCertKey, preSharedCertKey). Port 80 is
// served in plaintext unless kubernetes.io/ingress.allow-http is "false" ("Disabling HTTP",
// https://cloud.google.com/kubernetes-engine/docs/how-to/ingress-configuration#disabling_http).
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

/** An Ingress of class gce for one host, with the annotations given. */
const ingress = (annotations: Record<string, string>) => `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: managed-cert-ingress
  namespace: web
  annotations: ${JSON.stringify({ 'kubernetes.io/ingress.class': 'gce', ...annotations })}
spec:
  rules:
  - host: shop.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: mc-service, port: {number: 80}}}}]}
`;

/** The verdicts themselves: a run keeps no message for a pass. */
const verdicts = (yamlText: string): Verdict[] => [...ingressWithoutTls.evaluate(ctx(yamlText))];
const hostResult = (annotations: Record<string, string>) => verdicts(ingress(annotations)).find((r) => r.detailKey === 'host/shop.example.com')!;

describe('tls.ingress-without-tls: GKE certificates named outside spec.tls', () => {
  it('a Google-managed certificate with allow-http "false" is HTTPS only, and says which certificate', () => {
    const r = hostResult({ 'networking.gke.io/managed-certificates': 'managed-cert', 'kubernetes.io/ingress.allow-http': 'false' });
    expect(r.status).toBe('pass');
    expect(r.message).toContain('is served over HTTPS only');
    expect(r.message).toContain('networking.gke.io/managed-certificates: "managed-cert"');
  });

  it('a pre-shared certificate with allow-http "false" is HTTPS only', () => {
    const r = hostResult({ 'ingress.gcp.kubernetes.io/pre-shared-cert': 'my-cert', 'kubernetes.io/ingress.allow-http': 'false' });
    expect(r.status).toBe('pass');
    expect(r.message).toContain('ingress.gcp.kubernetes.io/pre-shared-cert: "my-cert"');
  });

  it('with HTTP allowed it stays a high finding that says HTTPS is served with the certificate and port 80 in plaintext', () => {
    const r = hostResult({ 'networking.gke.io/managed-certificates': 'managed-cert' });
    expect([r.status, r.severity ?? ingressWithoutTls.severity]).toEqual(['fail', 'high']);
    expect(r.message).toContain('is served over HTTPS with the certificate of networking.gke.io/managed-certificates: "managed-cert"');
    expect(r.message).toContain('plaintext HTTP on port 80');
  });

  it('a hostile certificate name is quoted, not spliced into the message', () => {
    const r = hostResult({ 'networking.gke.io/managed-certificates': 'x" and all is well\n', 'kubernetes.io/ingress.allow-http': 'false' });
    expect(r.message).toContain('"x\\" and all is well\\n"');
  });

  it('the managed-certs page\'s own Ingress (a defaultBackend, no rules) with allow-http "false" is HTTPS only', () => {
    // "Set up a Google-managed certificate", step "Create an Ingress": annotation
    // networking.gke.io/managed-certificates: managed-cert, class gce, spec.defaultBackend only.
    const page = `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: managed-cert-ingress
  annotations:
    networking.gke.io/managed-certificates: managed-cert
    kubernetes.io/ingress.class: "gce"
    kubernetes.io/ingress.allow-http: "false"
spec:
  defaultBackend:
    service:
      name: mc-service
      port:
        number: SERVICE_PORT
`.replace('SERVICE_PORT', '80');
    expect(verdicts(page).map((r) => [r.detailKey, r.status])).toEqual([['default', 'pass']]);
  });

  it('allow-http "false" without any certificate is no HTTPS: the host stays a finding', () => {
    const r = hostResult({ 'kubernetes.io/ingress.allow-http': 'false' });
    expect(r.status).toBe('fail');
  });
});

// ingress-gce reads only spec.tls[].secretName, never spec.tls[].hosts (kubernetes/ingress-gce
// pkg/translator/translator.go: NewEnv fetches each entry's Secret, Secrets() returns them all), and
// the load balancer picks a certificate by SNI, otherwise "uses the first certificate listed in the
// Ingress" (https://cloud.google.com/kubernetes-engine/docs/how-to/ingress-multi-ssl, whose example
// Ingress lists `tls: [{secretName: …}, {secretName: …}]` without hosts).
describe('tls.ingress-without-tls: GKE spec.tls entries without hosts', () => {
  const hostless = (annotations: Record<string, string>, body: string) => `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: my-mc-ingress
  namespace: web
  annotations: ${JSON.stringify({ 'kubernetes.io/ingress.class': 'gce', ...annotations })}
spec:
  tls:
  - secretName: first-secret
  - secretName: second-secret
${body}`;
  const rules = `  rules:
  - host: first.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: first, port: {number: 60001}}}}]}`;

  it('a host with allow-http "false" is HTTPS only, with the certificates of the secrets', () => {
    const [r] = verdicts(hostless({ 'kubernetes.io/ingress.allow-http': 'false' }, rules));
    expect([r.detailKey, r.status]).toEqual(['host/first.example.com', 'pass']);
    expect(r.message).toContain('spec.tls secretName "first-secret" and spec.tls secretName "second-secret"');
    expect(r.message).not.toContain('default certificate');
  });

  it('a defaultBackend-only Ingress with allow-http "false" is HTTPS only', () => {
    const [r] = verdicts(hostless({ 'kubernetes.io/ingress.allow-http': 'false' }, '  defaultBackend: {service: {name: my-service, port: {number: 60000}}}'));
    expect([r.detailKey, r.status]).toEqual(['default', 'pass']);
  });

  it('with HTTP allowed it is a finding for port 80, not for a default certificate', () => {
    const [r] = verdicts(hostless({}, rules));
    expect([r.status, r.severity ?? ingressWithoutTls.severity]).toEqual(['fail', 'high']);
    expect(r.message).toContain('is served over HTTPS with the certificate of spec.tls secretName "first-secret"');
    expect(r.message).toContain('plaintext HTTP on port 80');
    expect(r.message).not.toContain('default certificate');
  });
});
