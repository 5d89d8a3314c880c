// A TLSOption's findings list as its users only the routers whose Traefik reads that TLSOption
// (traefikCrdCounts, the rule the edge guards apply to a client-certificate TLSOption):
// - Traefik before v2.10 reads traefik.containo.us only; v2.10 added traefik.io
//   (pkg/provider/kubernetes/crd/client.go @v2.9.0 watches the traefikcontainous informers only,
//   @v2.10.0 both; "Kubernetes CRDs API Group traefik.containo.us" deprecated 2.10:
//   https://doc.traefik.io/traefik/deprecation/features/). Its TLS options are built from the CRDs
//   its provider reads (pkg/provider/kubernetes/crd/kubernetes.go buildTLSOptions), so a
//   traefik.io TLSOption applies to no router of a v2.9 Traefik.
// - An Ingress names a TLSOption as "<namespace>-<name>@kubernetescrd"
//   (https://doc.traefik.io/traefik/reference/routing-configuration/kubernetes/crd/tls/tlsoption/),
//   an IngressRoute by spec.tls.options
//   (https://doc.traefik.io/traefik/reference/routing-configuration/kubernetes/crd/http/ingressroute/).
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { AuditContext } from '../../../src/analysis/context.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { legacyProtocolEnabled } from '../../../checks/tls/legacy-protocol-enabled.ts';
import { weakCiphers } from '../../../checks/tls/weak-ciphers.ts';

function ctx(yamlText: string): AuditContext {
  const objs = parseAllDocuments(yamlText).map((d) => d.toJSON() as KubeObject).filter(Boolean);
  return { snapshot: snapshotFromObjects(objs), config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') };
}

const scene = (image: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: traefik, namespace: traefik}
spec:
  selector: {matchLabels: {app: traefik}}
  template:
    metadata: {labels: {app: traefik}}
    spec: {containers: [{name: traefik, image: "${image}", args: [--providers.kubernetescrd, --providers.kubernetesingress]}]}
---
apiVersion: traefik.io/v1alpha1
kind: TLSOption
metadata: {name: legacy, namespace: shop}
spec:
  minVersion: VersionTLS10
  cipherSuites: [TLS_RSA_WITH_AES_128_CBC_SHA, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]
---
apiVersion: traefik.containo.us/v1alpha1
kind: IngressRoute
metadata: {name: web, namespace: shop}
spec:
  routes: [{match: "Host(\`web.example.com\`)", kind: Rule, services: [{name: web, port: 80}]}]
  tls: {options: {name: legacy}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: api
  namespace: shop
  annotations:
    traefik.ingress.kubernetes.io/router.tls: "true"
    traefik.ingress.kubernetes.io/router.tls.options: shop-legacy@kubernetescrd
spec:
  rules: [{host: api.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}]}}]
`;

const optionVerdict = (c: AuditContext, check: typeof weakCiphers) => [...check.evaluate(c)].find((v) => v.resource.kind === 'TLSOption' && v.resource.name === 'legacy');

describe('a TLSOption lists only routers whose Traefik reads it', () => {
  it('Traefik v2.9 (traefik.containo.us only): a traefik.io TLSOption no Traefik loads is not judged, and the note says why (was: a finding on dead configuration)', () => {
    const c = ctx(scene('traefik:v2.9.10'));
    for (const check of [weakCiphers, legacyProtocolEnabled]) {
      expect(optionVerdict(c, check)).toBeUndefined();
      expect(check.excluded!(c)).toContain('are loaded by no Traefik of the input, so no router uses them and they are not judged: TLSOption shop/legacy (it is of API group traefik.io, and Deployment traefik/traefik: Traefik v2.9 reads traefik.containo.us only (traefik.io came with v2.10))');
    }
  });

  it('an unknown release (traefik:latest): the Ingress counts it (traefik.io), the traefik.containo.us IngressRoute does not', () => {
    const c = ctx(scene('traefik:latest'));
    for (const check of [weakCiphers, legacyProtocolEnabled]) {
      const v = optionVerdict(c, check)!;
      expect(v.status).toBe('fail');
      expect(v.message).toContain('Routers using it: Ingress shop/api.');
      expect(v.message).toContain('1 router naming it is served only by Traefiks not known to read this TLSOption');
      expect(v.evidence).toMatchObject({ usedBy: ['Ingress shop/api'], usedByCount: 1, routersNotKnownToReadIt: 1 });
    }
  });

  it('Traefik v2.11 reads both groups: both routers are listed', () => {
    const c = ctx(scene('traefik:v2.11.20'));
    const v = optionVerdict(c, weakCiphers)!;
    expect(v.message).toContain('Routers using it: IngressRoute shop/web, Ingress shop/api.');
    expect(v.evidence).toMatchObject({ usedByCount: 2 });
    expect(v.evidence).not.toHaveProperty('routersNotKnownToReadIt');
  });
});
