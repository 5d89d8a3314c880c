// tls.weak-ciphers judges the cipher list a proxy really serves: an Istio Gateway server's
// cipherSuites (or the mesh's tlsDefaults), not a Traefik "default" TLSOption Traefik dropped,
// and for an ingress-nginx host only the ssl-ciphers annotation ingress-nginx applies.
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { weakCiphers } from '../../../checks/tls/weak-ciphers.ts';

function ctx(yamlText: string): AuditContext {
  const objs = parseAllDocuments(yamlText).map((d) => d.toJSON() as KubeObject).filter(Boolean);
  return { snapshot: snapshotFromObjects(objs), config: defaultConfig(), now: new Date('2026-12-01T00:00:00Z') };
}

const verdicts = (yamlText: string) => [...weakCiphers.evaluate(ctx(yamlText))];

// istio/api networking/v1alpha3/gateway.proto ServerTLSSettings.cipher_suites: "If specified, only
// support the specified cipher list" (the supported list includes AES128-SHA and DES-CBC3-SHA,
// istio/istio pkg/config/security/security.go ValidCipherSuites). istiod writes them to Envoy only
// for SIMPLE, MUTUAL and OPTIONAL_MUTUAL servers, over meshConfig.tlsDefaults
// (pilot/pkg/networking/core/listener.go BuildListenerTLSContext, isSimpleOrMutual,
// applyDownstreamTLSDefaults, applyServerTLSSettings).
const istioGateway = (tls: string, port = 443) => `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: edge}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: ${port}, name: https, protocol: HTTPS}
    hosts: [shop.example.com]
    tls: ${tls}
---
`;
const meshConfig = (mesh: string) => `
apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data:
  mesh: |
${mesh.split('\n').map((l) => `    ${l}`).join('\n')}
---
`;

describe('tls.weak-ciphers: Istio Gateway servers', () => {
  it('a SIMPLE server listing DES-CBC3-SHA, AES128-SHA and ECDHE-RSA-AES128-SHA fails, naming each suite', () => {
    const r = verdicts(istioGateway('{mode: SIMPLE, credentialName: shop-cert, cipherSuites: [DES-CBC3-SHA, AES128-SHA, ECDHE-RSA-AES128-SHA]}'));
    expect(r).toMatchObject([{ status: 'fail', resource: { kind: 'Gateway.networking.istio.io', namespace: 'edge', name: 'public' }, detailKey: 'server/https' }]);
    expect(r[0].severity).toBeUndefined();
    for (const suite of ['DES-CBC3-SHA', 'AES128-SHA', 'ECDHE-RSA-AES128-SHA']) expect(r[0].message).toContain(suite);
  });

  it('MUTUAL and OPTIONAL_MUTUAL servers apply cipherSuites too; ECDHE AEAD suites only pass', () => {
    for (const mode of ['MUTUAL', 'OPTIONAL_MUTUAL']) expect(verdicts(istioGateway(`{mode: ${mode}, credentialName: c, cipherSuites: [AES256-SHA]}`)).map((v) => v.status), mode).toEqual(['fail']);
    expect(verdicts(istioGateway('{mode: SIMPLE, credentialName: c, cipherSuites: [ECDHE-RSA-AES128-GCM-SHA256, ECDHE-RSA-CHACHA20-POLY1305]}')).map((v) => v.status)).toEqual(['pass']);
  });

  it('minProtocolVersion TLSV1_3 passes: the cipher list covers TLS 1.2 and below only', () => {
    const r = verdicts(istioGateway('{mode: SIMPLE, credentialName: c, minProtocolVersion: TLSV1_3, cipherSuites: [AES128-SHA]}'));
    expect(r).toMatchObject([{ status: 'pass', detailKey: 'server/https', evidence: { tls13Only: true } }]);
  });

  it('an ISTIO_MUTUAL server\'s cipherSuites have no effect from istiod 1.18 (not judged when its release is unknown); a PASSTHROUGH server or one without cipherSuites (Envoy\'s default list) is not judged', () => {
    const istiod = '\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: istiod, namespace: istio-system}\nspec:\n  selector: {matchLabels: {app: istiod}}\n  template:\n    metadata: {labels: {app: istiod}}\n    spec: {containers: [{name: discovery, image: "docker.io/istio/pilot:1.26.0"}]}\n';
    expect(verdicts(istioGateway('{mode: ISTIO_MUTUAL, cipherSuites: [AES128-SHA]}') + istiod)).toMatchObject([{ status: 'pass', evidence: { applied: false } }]);
    expect(verdicts(istioGateway('{mode: ISTIO_MUTUAL, cipherSuites: [AES128-SHA]}'))).toEqual([]);
    expect(weakCiphers.excluded?.(ctx(istioGateway('{mode: ISTIO_MUTUAL, cipherSuites: [AES128-SHA]}')))).toContain('ISTIO_MUTUAL Istio Gateway server(s) list cipherSuites');
    expect(verdicts(istioGateway('{mode: PASSTHROUGH, cipherSuites: [AES128-SHA]}'))).toEqual([]);
    expect(verdicts(istioGateway('{mode: SIMPLE, credentialName: c}'))).toEqual([]);
  });

  it('meshConfig.tlsDefaults.cipherSuites reach a server that lists none; the server\'s own list wins over them', () => {
    const weakDefaults = meshConfig('tlsDefaults:\n  cipherSuites: [ECDHE-RSA-AES128-SHA]');
    const r = verdicts(weakDefaults + istioGateway('{mode: SIMPLE, credentialName: c}'));
    expect(r).toMatchObject([{ status: 'fail', evidence: { source: 'ConfigMap istio-system/istio mesh.tlsDefaults' } }]);
    expect(r[0].message).toContain('ECDHE-RSA-AES128-SHA');
    expect(verdicts(weakDefaults + istioGateway('{mode: SIMPLE, credentialName: c, cipherSuites: [ECDHE-RSA-AES128-GCM-SHA256]}')).map((v) => v.status)).toEqual(['pass']);
    expect(verdicts(meshConfig('tlsDefaults:\n  minProtocolVersion: TLSV1_3\n  cipherSuites: [AES128-SHA]') + istioGateway('{mode: SIMPLE, credentialName: c}'))).toMatchObject([{ status: 'pass', evidence: { tls13Only: true } }]);
  });

  it('a mesh config that is not YAML leaves servers without cipherSuites unjudged, and says so', () => {
    const c = ctx(meshConfig('tlsDefaults: [unclosed') + istioGateway('{mode: SIMPLE, credentialName: c}'));
    expect([...weakCiphers.evaluate(c)]).toEqual([]);
    expect(weakCiphers.excluded?.(c)).toMatch(/1 Istio Gateway server\(s\) listing no cipherSuites are not judged: .*ConfigMap istio-system\/istio key mesh is not valid YAML/);
    expect(weakCiphers.excluded?.(ctx(meshConfig('tlsDefaults: {cipherSuites: [AES128-SHA]}') + istioGateway('{mode: SIMPLE, credentialName: c}')))).toBeUndefined();
  });

  it('declares istio.gateways among its reads', () => {
    expect(weakCiphers.reads).toContain('istio.gateways');
  });
});

// traefik pkg/provider/kubernetes/crd/kubernetes.go buildTLSOptions: with TLSOptions named "default"
// in more than one namespace, "delete(tlsOptions, tls.DefaultTLSConfigName)" and the error "Default
// TLS Options defined in multiple namespaces"; routers then use pkg/tls/tlsmanager.go DefaultTLSOptions.
describe('tls.weak-ciphers: a Traefik "default" TLSOption Traefik dropped', () => {
  const option = (ns: string, spec: string) => `
apiVersion: traefik.io/v1alpha1
kind: TLSOption
metadata: {name: default, namespace: ${ns}}
spec: ${spec}
---
`;
  it('two "default" TLSOptions across namespaces both pass as dropped, whatever they list', () => {
    const r = verdicts(option('traefik', '{minVersion: VersionTLS10}') + option('team-a', '{cipherSuites: [TLS_RSA_WITH_AES_128_CBC_SHA]}'));
    expect(r.map((v) => [v.status, v.resource.namespace])).toEqual([['pass', 'traefik'], ['pass', 'team-a']]);
    for (const v of r) expect(v.message).toMatch(/dropped by Traefik.*routers use the built-in default/);
  });

  it('a single "default" TLSOption is still judged', () => {
    expect(verdicts(option('traefik', '{cipherSuites: [TLS_RSA_WITH_AES_128_CBC_SHA]}')).map((v) => v.status)).toEqual(['fail']);
  });
});

// kubernetes/ingress-nginx internal/ingress/controller/controller.go createServers: "only add SSL
// ciphers if the server does not have them previously configured", over Ingresses sorted by
// internal/ingress/controller/store/store.go sortIngressSlice (oldest CreationTimestamp first,
// equal ones by namespace/name descending); canary Ingresses are skipped ("is marked as Canary,
// ignoring"). The annotation is documented per host: "This configuration is active for all the
// paths in the host" (internal/ingress/annotations/sslcipher/main.go).
describe('tls.weak-ciphers: ingress-nginx applies the oldest Ingress\'s ssl-ciphers for a host', () => {
  const base = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
spec:
  template:
    spec:
      containers:
      - name: controller
        image: registry.k8s.io/ingress-nginx/controller:v1.12.1
        args: [/nginx-ingress-controller]
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
---
`;
  const ingress = (name: string, created: string | undefined, ciphers: string, opts: { host?: string; ns?: string; extra?: string } = {}) => `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${name}
  namespace: ${opts.ns ?? 'shop'}
${created ? `  creationTimestamp: "${created}"\n` : ''}  annotations:
    nginx.ingress.kubernetes.io/ssl-ciphers: "${ciphers}"
${opts.extra ?? ''}spec:
  ingressClassName: nginx
  tls: [{hosts: [${opts.host ?? 'shop.example.com'}], secretName: shop-tls}]
  rules:
  - host: ${opts.host ?? 'shop.example.com'}
    http: {paths: [{path: /${name}, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
---
`;
  const GCM = 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256';
  const WEAK = 'AES128-SHA:DES-CBC3-SHA';
  const byName = (r: ReturnType<typeof verdicts>) => Object.fromEntries(r.filter((v) => v.resource.kind === 'Ingress').map((v) => [v.resource.name, v]));

  it('a newer Ingress\'s weak annotation on the same host has no effect: nginx serves the older one\'s suites', () => {
    const r = byName(verdicts(base + ingress('shop-main', '2025-01-01T00:00:00Z', GCM) + ingress('shop-legacy-api', '2026-06-01T00:00:00Z', WEAK)));
    expect(r['shop-main']).toMatchObject({ status: 'pass' });
    expect(r['shop-legacy-api']).toMatchObject({ status: 'pass', evidence: { applied: false, decidedBy: [{ host: 'shop.example.com', ingress: 'shop/shop-main' }] } });
    expect(r['shop-legacy-api'].message).toMatch(/no effect/);
  });

  it('in reverse order only the older Ingress fails', () => {
    const r = byName(verdicts(base + ingress('shop-main', '2026-06-01T00:00:00Z', GCM) + ingress('shop-legacy-api', '2025-01-01T00:00:00Z', WEAK)));
    expect(r['shop-legacy-api']).toMatchObject({ status: 'fail' });
    expect(r['shop-main']).toMatchObject({ status: 'pass', evidence: { applied: false } });
  });

  it('equal creationTimestamps: namespace/name descending goes first', () => {
    const t = '2025-01-01T00:00:00Z';
    // shop/b > shop/a: b's annotation is the one served.
    const r = byName(verdicts(base + ingress('a', t, WEAK) + ingress('b', t, GCM)));
    expect(r.a).toMatchObject({ status: 'pass', evidence: { applied: false } });
    expect(r.b).toMatchObject({ status: 'pass' });
    expect(byName(verdicts(base + ingress('a', t, GCM) + ingress('b', t, WEAK))).b).toMatchObject({ status: 'fail' });
  });

  it('other hosts, canary Ingresses and empty annotations do not take a host\'s ciphers', () => {
    const other = byName(verdicts(base + ingress('shop-main', '2025-01-01T00:00:00Z', GCM) + ingress('api', '2026-06-01T00:00:00Z', WEAK, { host: 'api.example.com' })));
    expect(other.api).toMatchObject({ status: 'fail' });
    const canary = byName(verdicts(base + ingress('old-canary', '2024-01-01T00:00:00Z', GCM, { extra: '    nginx.ingress.kubernetes.io/canary: "true"\n' }) + ingress('shop-legacy-api', '2026-06-01T00:00:00Z', WEAK)));
    expect(canary['shop-legacy-api']).toMatchObject({ status: 'fail' });
    expect(canary['old-canary']).toMatchObject({ status: 'pass', evidence: { canary: true } });
    const empty = byName(verdicts(base + ingress('blank', '2024-01-01T00:00:00Z', ' ') + ingress('shop-legacy-api', '2026-06-01T00:00:00Z', WEAK)));
    expect(empty['shop-legacy-api']).toMatchObject({ status: 'fail' });
  });

  it('an Ingress without creationTimestamp (not yet applied) comes after existing ones, and says so', () => {
    const r = byName(verdicts(base + ingress('shop-main', '2025-01-01T00:00:00Z', GCM) + ingress('shop-legacy-api', undefined, WEAK)));
    expect(r['shop-legacy-api']).toMatchObject({ status: 'pass', evidence: { applied: false } });
    expect(String(r['shop-legacy-api'].evidence?.orderNote)).toMatch(/no creationTimestamp/);
  });
});
