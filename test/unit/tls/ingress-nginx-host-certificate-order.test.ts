// Ingresses sharing a host: ingress-nginx builds one server per host and gives it the certificate
// of the first Ingress, in its order, whose spec.tls it takes ("only add a certificate if the
// server does not have one previously configured": kubernetes/ingress-nginx controller-v1.12.0
// internal/ingress/controller/controller.go createServers, `if servers[host].SSLCert != nil
// { continue }`; a certificate that does not verify for the host gives the server the default
// certificate there, which later Ingresses do not replace). Its order is
// internal/ingress/controller/store/store.go sortIngressSlice (ListIngresses): oldest
// creationTimestamp first, equal ones by namespace/name descending. The snapshot's own order
// (the order objects were listed or written) decided before.
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import type { Verdict } from '../../../src/base/vocabulary.ts';
import { ingressWithoutTls } from '../../../checks/tls/ingress-without-tls.ts';

function verdicts(yaml: string): Verdict[] {
  const ctx: AuditContext = { snapshot: snapshotFromObjects(parseManifestText(yaml, 'case.yaml').objects), config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') };
  return [...ingressWithoutTls.evaluate(ctx)];
}
const plain = (rs: Verdict[]) => rs.find((r) => r.resource.name === 'plain' && r.detailKey === 'host/api.example.com');

// Two Ingresses give api.example.com a certificate: "sure" from a Certificate naming the host in
// its dnsNames; "doubtful" from one naming it only as commonName beside other dnsNames, which a
// certificate with DNS names is not checked against (cannot be confirmed). "plain" has a path for
// the host and no spec.tls: it gets whichever certificate the host's server took.
const setup = (created: { sure: string; doubtful: string }, order: 'sure-first' | 'doubtful-first') => {
  const ing = (name: string, secret: string, ts: string) => `
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ${name}, namespace: app, creationTimestamp: "${ts}"}
spec:
  ingressClassName: nginx
  tls: [{hosts: [api.example.com], secretName: ${secret}}]
  rules: [{host: api.example.com, http: {paths: [{path: /${name}, pathType: Prefix, backend: {service: {name: ${name}, port: {number: 80}}}}]}}]
`;
  const sure = ing('sure', 'sure-tls', created.sure);
  const doubtful = ing('doubtful', 'doubtful-tls', created.doubtful);
  return `
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: sure, namespace: app}
spec: {secretName: sure-tls, dnsNames: [api.example.com], issuerRef: {name: le, kind: ClusterIssuer}}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: doubtful, namespace: app}
spec: {secretName: doubtful-tls, commonName: api.example.com, dnsNames: [www.example.com], issuerRef: {name: le, kind: ClusterIssuer}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: plain, namespace: app, creationTimestamp: "2025-03-01T00:00:00Z"}
spec:
  ingressClassName: nginx
  rules: [{host: api.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: plain, port: {number: 80}}}}]}}]
${order === 'sure-first' ? sure + doubtful : doubtful + sure}`;
};

describe('which Ingress gives a shared ingress-nginx host its certificate: the oldest, not the first listed', () => {
  it('the doubtful Ingress is older: its certificate is the host\'s, so "plain" cannot be confirmed, wherever it is listed', () => {
    for (const order of ['sure-first', 'doubtful-first'] as const) {
      const v = plain(verdicts(setup({ sure: '2025-02-01T00:00:00Z', doubtful: '2025-01-01T00:00:00Z' }, order)));
      expect([v?.status, v?.severity]).toEqual(['fail', 'medium']);
      expect(v?.message).toContain('may take its certificate from Ingress app/doubtful');
      expect(v?.message).toContain('cannot be confirmed');
    }
  });

  it('the sure Ingress is older: the host has its certificate, a pass naming it, wherever it is listed', () => {
    for (const order of ['sure-first', 'doubtful-first'] as const) {
      const v = plain(verdicts(setup({ sure: '2025-01-01T00:00:00Z', doubtful: '2025-02-01T00:00:00Z' }, order)));
      expect(v?.status).toBe('pass');
      expect(v?.message).toContain('takes its certificate from Ingress app/sure');
    }
  });

  it('equal creationTimestamps: namespace/name descending, so app/sure comes before app/doubtful', () => {
    const v = plain(verdicts(setup({ sure: '2025-01-01T00:00:00Z', doubtful: '2025-01-01T00:00:00Z' }, 'doubtful-first')));
    expect(v?.status).toBe('pass');
    expect(v?.message).toContain('from Ingress app/sure');
  });
});
