// A Traefik TLSOption's findings stay on the TLSOption and name the routers that use it:
// - an IngressRoute's spec.tls.options {name, namespace} (namespace defaulting to the route's:
//   https://doc.traefik.io/traefik/reference/routing-configuration/kubernetes/crd/http/ingressroute/, tls.options.name/namespace),
//   an IngressRouteTCP's alike unless it passes TLS through (tls.passthrough "delegates the TLS
//   termination to the backend": https://doc.traefik.io/traefik/reference/routing-configuration/kubernetes/crd/tcp/ingressroutetcp/);
// - an Ingress's `traefik.ingress.kubernetes.io/router.tls.options: <resource-namespace>-<resource-name>@kubernetescrd`
//   (https://doc.traefik.io/traefik/reference/routing-configuration/kubernetes/crd/tls/tlsoption/);
// - "When no tls options are specified in a tls router, the `default` option is used"
//   (https://doc.traefik.io/traefik/reference/routing-configuration/http/tls/tls-options/).
// Only routers a Traefik of the snapshot serves count (its CRD provider's ingressClass). The Traefik
// here allows cross-namespace references, as IngressRouteTCP db/pg names TLSOption shop/legacy: without
// it Traefik refuses that route, which then uses no TLSOption (traefik-refused-tls-routers.test.ts).
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { AuditContext } from '../../../src/analysis/context.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { legacyProtocolEnabled } from '../../../checks/tls/legacy-protocol-enabled.ts';
import { weakCiphers } from '../../../checks/tls/weak-ciphers.ts';

function ctx(yamlText: string): AuditContext {
  const objs = parseAllDocuments(yamlText).map((d) => d.toJSON() as KubeObject).filter(Boolean);
  return { snapshot: snapshotFromObjects(objs), config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') };
}

const traefik = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: traefik, namespace: traefik}
spec:
  selector: {matchLabels: {app: traefik}}
  template:
    metadata: {labels: {app: traefik}}
    spec: {containers: [{name: traefik, image: "docker.io/traefik:v3.3.4", args: [--providers.kubernetescrd, --providers.kubernetescrd.allowCrossNamespace=true, --providers.kubernetesingress]}]}
---
apiVersion: traefik.io/v1alpha1
kind: TLSOption
metadata: {name: legacy, namespace: shop}
spec:
  minVersion: VersionTLS10
  cipherSuites: [TLS_RSA_WITH_AES_128_CBC_SHA, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]
`;
const ingressRoute = (name: string, tls: string, annotations = '{}') => `
---
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: {name: ${name}, namespace: shop, annotations: ${annotations}}
spec:
  routes: [{match: "Host(\`${name}.example.com\`)", kind: Rule, services: [{name: web, port: 80}]}]
  tls: ${tls}
`;
const tcp = `
---
apiVersion: traefik.io/v1alpha1
kind: IngressRouteTCP
metadata: {name: pg, namespace: db}
spec:
  routes: [{match: "HostSNI(\`db.example.com\`)", services: [{name: pg, port: 5432}]}]
  tls: {secretName: db-cert, options: {name: legacy, namespace: shop}}
`;
const ingress = `
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

describe('a TLSOption\'s findings name the routers using it', () => {
  it('IngressRoute, IngressRouteTCP and Ingress naming it are listed in both checks\' failures; one of a class no Traefik takes and a passthrough one are not', () => {
    const c = ctx(traefik + ingressRoute('web', '{options: {name: legacy}}') + ingressRoute('other', '{options: {name: legacy}}', '{kubernetes.io/ingress.class: internal}') + tcp + tcp.replace('name: pg', 'name: raw').replace('secretName: db-cert', 'passthrough: true') + ingress);
    for (const check of [legacyProtocolEnabled, weakCiphers]) {
      const v = optionVerdict(c, check);
      expect(v?.status, check.id).toBe('fail');
      expect(v?.message, check.id).toContain(' Routers using it: IngressRoute shop/web, IngressRouteTCP db/pg, Ingress shop/api.');
      expect(v?.evidence?.usedBy, check.id).toEqual(['IngressRoute shop/web', 'IngressRouteTCP db/pg', 'Ingress shop/api']);
    }
  });

  it('the list is capped at 10, the rest counted', () => {
    const many = Array.from({ length: 13 }, (_, i) => ingressRoute(`r${String(i).padStart(2, '0')}`, '{options: {name: legacy}}')).join('');
    const v = optionVerdict(ctx(traefik + many), weakCiphers);
    expect(v?.message).toContain('Routers using it: IngressRoute shop/r00, IngressRoute shop/r01');
    expect(v?.message).toContain('IngressRoute shop/r09 and 3 more.');
    expect(v?.evidence?.usedByCount).toBe(13);
  });

  it('a TLSOption no router names says so; the "default" one lists the TLS routers naming no options', () => {
    expect(optionVerdict(ctx(traefik), weakCiphers)?.message).toContain('No router of the snapshot names it.');
    const asDefault = traefik.replace('name: legacy, namespace: shop', 'name: default, namespace: traefik');
    const v = [...weakCiphers.evaluate(ctx(asDefault + ingressRoute('web', '{}') + ingressRoute('plain', 'null')))].find((x) => x.resource.kind === 'TLSOption');
    expect(v?.message).toContain('Routers using it (naming it, or naming no TLS options): IngressRoute shop/web.');
  });

  it('IngressRoutes unreadable: the check is still judged, and the finding says which routers it could not look at', () => {
    const c = ctx(traefik + ingressRoute('web', '{options: {name: legacy}}') + ingress);
    c.snapshot.coverage['traefik.ingressroutes'] = { status: 'forbidden', detail: 'list ingressroutes.traefik.io' };
    c.snapshot.resources['traefik.ingressroutes'] = [];
    const [o] = runChecks([weakCiphers], c);
    expect(o.status).not.toBe('not-evaluated');
    const v = o.results.find((r) => r.resource.kind === 'TLSOption');
    expect(v?.message).toContain('Routers using it: Ingress shop/api (traefik.ingressroutes could not be read, so routers there that use it are not named).');
  });
});
