// A router Traefik does not build uses no TLSOption. Traefik's CRD provider loops over an
// IngressRoute's spec.routes and skips (`continue`) a route whose references it cannot resolve
// (pkg/provider/kubernetes/crd/kubernetes_http.go loadConfigurationFromCRD @v3.3.4: makeMiddlewareKeys
// "... namespace is not allowed", the route logged and left out); a route naming a Middleware that
// does not exist gets a router that buildEntryPointHandler skips after BuildMiddlewareChain returns
// `middleware %q does not exist` (pkg/server/router/router.go, pkg/server/middleware/middlewares.go
// @v3.3.4), as for an Ingress whose router.middlewares names one. Such a route takes no TLS options,
// so tls.legacy-protocol-enabled and tls.weak-ciphers name it as no user of a TLSOption, and a
// Traefik whose only TLS router is refused has no router taking its built-in default. Which routes
// are refused is edgeRoutes' one answer (the exposure model's), not a second copy of it.
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

const traefik = (image: string) => `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Namespace
metadata: {name: shared}
---
apiVersion: v1
kind: Namespace
metadata: {name: traefik}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: traefik, namespace: traefik}
spec:
  selector: {matchLabels: {app: traefik}}
  template:
    metadata: {labels: {app: traefik}}
    spec: {containers: [{name: traefik, image: "${image}", args: [--entrypoints.web.address=:8000, --providers.kubernetescrd, --providers.kubernetesingress]}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{port: 80}]}
`;
const legacyOption = `
---
apiVersion: traefik.io/v1alpha1
kind: TLSOption
metadata: {name: legacy, namespace: shop}
spec: {minVersion: VersionTLS10}
`;
const headers = (ns: string) => `
---
apiVersion: traefik.io/v1alpha1
kind: Middleware
metadata: {name: hdrs, namespace: ${ns}}
spec: {headers: {customResponseHeaders: {X-Frame-Options: DENY}}}
`;
/** IngressRoute shop/web with TLS (`tls`), its one route naming `middlewares`. */
const ingressRoute = (middlewares: string, tls = '{options: {name: legacy}}') => `
---
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: {name: web, namespace: shop}
spec:
  routes: [{match: "Host(\`web.example.com\`)", kind: Rule, middlewares: ${middlewares}, services: [{name: web, port: 80}]}]
  tls: ${tls}
`;
const ingress = (middlewares: string) => `
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: traefik}
spec: {controller: traefik.io/ingress-controller}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: api
  namespace: shop
  annotations:
    traefik.ingress.kubernetes.io/router.tls.options: shop-legacy@kubernetescrd
    traefik.ingress.kubernetes.io/router.middlewares: "${middlewares}"
spec:
  ingressClassName: traefik
  tls: [{hosts: [api.example.com], secretName: api-cert}]
  rules: [{host: api.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]
`;

const optionVerdict = (c: AuditContext, check: typeof weakCiphers) => [...check.evaluate(c)].find((v) => v.resource.kind === 'TLSOption' && v.resource.name === 'legacy');

describe('a refused Traefik route uses no TLSOption', () => {
  it('an IngressRoute whose only route names a missing Middleware is not named as a user; with the Middleware there it is', () => {
    const served = ctx(traefik('docker.io/traefik:v3.3.4') + legacyOption + headers('shop') + ingressRoute('[{name: hdrs}]'));
    expect(optionVerdict(served, legacyProtocolEnabled)?.evidence?.usedBy).toEqual(['IngressRoute shop/web']);
    const missing = ctx(traefik('docker.io/traefik:v3.3.4') + legacyOption + ingressRoute('[{name: hdrs}]'));
    for (const check of [legacyProtocolEnabled, weakCiphers]) {
      const v = optionVerdict(missing, check);
      expect(v?.evidence?.usedBy, check.id).toEqual([]);
      expect(v?.message, check.id).toContain('No router of the snapshot names it.');
    }
  });

  it('an IngressRoute refused for a Middleware of another namespace (traefik:v3: allowCrossNamespace off) is not named; one of two routes refused keeps it named', () => {
    const cross = ctx(traefik('docker.io/traefik:v3.3.4') + legacyOption + headers('shared') + ingressRoute('[{name: hdrs, namespace: shared}]'));
    expect(optionVerdict(cross, legacyProtocolEnabled)?.evidence?.usedBy).toEqual([]);
    const two = ingressRoute('[{name: hdrs, namespace: shared}]').replace('  routes: [', '  routes: [{match: "Host(`open.example.com`)", kind: Rule, services: [{name: web, port: 80}]}, ');
    expect(optionVerdict(ctx(traefik('docker.io/traefik:v3.3.4') + legacyOption + headers('shared') + two), legacyProtocolEnabled)?.evidence?.usedBy).toEqual(['IngressRoute shop/web']);
  });

  it('an Ingress whose router.middlewares names a missing Middleware is not named as a user', () => {
    const served = ctx(traefik('docker.io/traefik:v3.3.4') + legacyOption + headers('shop') + ingress('shop-hdrs@kubernetescrd'));
    expect(optionVerdict(served, legacyProtocolEnabled)?.evidence?.usedBy).toEqual(['Ingress shop/api']);
    const missing = ctx(traefik('docker.io/traefik:v3.3.4') + legacyOption + ingress('shop-hdrs@kubernetescrd'));
    expect(optionVerdict(missing, legacyProtocolEnabled)?.evidence?.usedBy).toEqual([]);
  });

  it('an IngressRouteTCP whose only route names a missing MiddlewareTCP is not named as a user (BuildChain: "middleware %q does not exist", pkg/server/middleware/tcp/middlewares.go @v3.3.4)', () => {
    const tcp = (extra: string) => ctx(traefik('docker.io/traefik:v3.3.4') + legacyOption + extra + `
---
apiVersion: traefik.io/v1alpha1
kind: IngressRouteTCP
metadata: {name: pg, namespace: shop}
spec:
  routes: [{match: "HostSNI(\`db.example.com\`)", middlewares: [{name: conns}], services: [{name: web, port: 80}]}]
  tls: {secretName: db-cert, options: {name: legacy}}
`);
    const conns = `
---
apiVersion: traefik.io/v1alpha1
kind: MiddlewareTCP
metadata: {name: conns, namespace: shop}
spec: {inFlightConn: {amount: 10}}
`;
    expect(optionVerdict(tcp(conns), legacyProtocolEnabled)?.evidence?.usedBy).toEqual(['IngressRouteTCP shop/pg']);
    expect(optionVerdict(tcp(''), legacyProtocolEnabled)?.evidence?.usedBy).toEqual([]);
  });

  it('Traefik v2.8.8 whose only TLS router is refused: its built-in default (TLS 1.0) is used by no router, no finding', () => {
    // Written as traefik.containo.us, the only API group v2.8 reads (pkg/provider/kubernetes/crd/traefik/v1alpha1/register.go@v2.8.8).
    const verdicts = (y: string) => [...legacyProtocolEnabled.evaluate(ctx(y.replaceAll('apiVersion: traefik.io/', 'apiVersion: traefik.containo.us/')))].filter((v) => v.detailKey === 'traefik-default-tls-options').map((v) => v.status);
    expect(verdicts(traefik('docker.io/traefik:v2.8.8') + headers('shop') + ingressRoute('[{name: hdrs}]', '{}'))).toEqual(['fail']);
    expect(verdicts(traefik('docker.io/traefik:v2.8.8') + ingressRoute('[{name: hdrs}]', '{}'))).toEqual([]);
  });
});
