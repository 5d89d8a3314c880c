// ingress-nginx takes no certificate from a canary Ingress: both loops of createServers skip it
// before looking at spec.tls (`if anns.Canary.Enabled { klog.V(2).Infof("Ingress %v is marked as
// Canary, ignoring", ingKey); continue }`, ahead of `servers[host].SSLCert != nil` and
// extractTLSSecretName), so it has no server, nor certificate, of its own: its paths join the
// server of the host's non-canary Ingress as alternative backends (kubernetes/ingress-nginx
// internal/ingress/controller/controller.go createServers, read at commit
// 019cd07abf03ef703288daafa83e9fd10dff8ae2 and at controller-v1.15.1). A canary value that does
// not parse as a bool is "invalid, defaulting to 'false'" (internal/ingress/annotations/canary/main.go
// Parse at controller-v1.15.1). An older canary Ingress was taken as the one deciding the host's
// certificate: a correct host failed high on both Ingresses.
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
const of = (rs: Verdict[], name: string) => rs.filter((r) => r.resource.name === name);

const certs = `
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: good, namespace: app}
spec: {secretName: good-tls, dnsNames: [api.example.com], issuerRef: {name: le, kind: ClusterIssuer}}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: wrong, namespace: app}
spec: {secretName: wrong-tls, dnsNames: [www.example.com], issuerRef: {name: le, kind: ClusterIssuer}}
`;
/** The older canary Ingress (annotations given), its spec.tls entry naming `tlsHost` with Secret wrong-tls. */
const canary = (annotations: Record<string, string>, tlsHost: string) => `
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: canary
  namespace: app
  creationTimestamp: "2025-01-01T00:00:00Z"
  annotations: ${JSON.stringify(annotations)}
spec:
  ingressClassName: nginx
  tls: [{hosts: [${tlsHost}], secretName: wrong-tls}]
  rules: [{host: api.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web-canary, port: {number: 80}}}}]}}]
`;
const main = `
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: main, namespace: app, creationTimestamp: "2025-02-01T00:00:00Z"}
spec:
  ingressClassName: nginx
  tls: [{hosts: [api.example.com], secretName: good-tls}]
  rules: [{host: api.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]
`;
const controller = (args: string[], env: unknown[] = []) => `
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
spec:
  template:
    spec:
      containers:
        - name: controller
          image: registry.k8s.io/ingress-nginx/controller:v1.15.1
          args: ${JSON.stringify(['/nginx-ingress-controller', ...args])}
          env: ${JSON.stringify(env)}
`;
const CANARY = { 'nginx.ingress.kubernetes.io/canary': 'true', 'nginx.ingress.kubernetes.io/canary-weight': '10' };

describe('ingress-nginx: an older canary Ingress gives a host no certificate', () => {
  for (const [what, tlsHost] of [['its spec.tls names another host', 'www.example.com'], ['its spec.tls names the host with a Secret for another', 'api.example.com']] as const) {
    it(`the newer main Ingress's certificate serves the host (${what}); the canary is not judged on a server it does not have`, () => {
      const rs = verdicts(certs + canary(CANARY, tlsHost) + main);
      const m = of(rs, 'main');
      expect(m.map((v) => [v.detailKey, v.status])).toEqual([['host/api.example.com', 'pass']]);
      expect(m[0].message).toContain('Secret good-tls');
      expect(of(rs, 'canary')).toEqual([]);
    });
  }

  it('a canary under another controller prefix is an ordinary Ingress there: it decides the certificate', () => {
    const rs = verdicts(certs + controller(['--annotations-prefix=custom.example.com']) + canary({ ...CANARY, 'custom.example.com/canary': 'false' }, 'www.example.com') + main);
    const m = of(rs, 'main');
    expect(m.map((v) => [v.status, v.severity ?? 'high'])).toEqual([['fail', 'high']]);
    expect(m[0].message).toContain('Ingress app/canary, the first in ingress-nginx\'s order');
    // Under the controller's prefix, canary: "true" skips it again.
    const skipped = verdicts(certs + controller(['--annotations-prefix=custom.example.com']) + canary({ 'custom.example.com/canary': 'true' }, 'www.example.com') + main);
    expect(of(skipped, 'main').map((v) => v.status)).toEqual(['pass']);
    expect(of(skipped, 'canary')).toEqual([]);
  });

  it('a canary value that does not parse as a bool leaves the Ingress no canary (defaulting to false): its entry decides', () => {
    const rs = verdicts(certs + canary({ 'nginx.ingress.kubernetes.io/canary': 'yes please' }, 'www.example.com') + main);
    expect(of(rs, 'main').map((v) => [v.status, v.severity ?? 'high'])).toEqual([['fail', 'high']]);
    expect(of(rs, 'canary').map((v) => v.status)).toEqual(['fail']);
  });

  it('a controller prefix that is not known: whether the canary decides cannot be confirmed (medium, not high)', () => {
    const env = [{ name: 'P', valueFrom: { secretKeyRef: { name: 'controller-secret', key: 'p' } } }];
    const rs = verdicts(certs + controller(['--annotations-prefix=$(P)'], env) + canary(CANARY, 'www.example.com') + main);
    const m = of(rs, 'main');
    expect(m.map((v) => [v.status, v.severity])).toEqual([['fail', 'medium']]);
    expect(m[0].message).toContain('cannot be confirmed');
    expect(String(m[0].evidence?.unconfirmed)).toContain('reads Ingress app/canary as a canary (nginx.ingress.kubernetes.io/canary)');
  });
});
