// tls.legacy-protocol-enabled on the edges where the configuration alone misleads: Google Cloud
// load balancers with no SSL policy, TLS passed through, settings istiod or Traefik never apply,
// and legacy versions no enabled cipher can negotiate.
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
const results = (yamlText: string) => [...legacyProtocolEnabled.evaluate(ctx(yamlText))];
const note = (yamlText: string) => legacyProtocolEnabled.excluded?.(ctx(yamlText)) ?? '';

// Google: a load balancer without an SSL policy of its own takes the default one, minimum TLS 1.0
// with the COMPATIBLE profile (https://cloud.google.com/load-balancing/docs/ssl-policies-concepts;
// CIS Google Cloud Platform Benchmark 3.9; gcloud compute ssl-policies create defaults
// --min-tls-version 1.0 --profile COMPATIBLE). A GKE Ingress sets one through a FrontendConfig's
// sslPolicy (cloud.google.com/kubernetes-engine/docs/how-to/ingress-configuration#ssl_policy), a GKE
// Gateway through a GCPGatewayPolicy.
describe('GKE load balancers without an SSL policy', () => {
  const ingress = (annotations: string, tls = 'tls: [{hosts: [shop.example.com], secretName: shop-tls}]') => `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
  annotations: {kubernetes.io/ingress.class: gce${annotations}}
spec:
  ${tls}
  rules: [{host: shop.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]
`;
  it('a GKE Ingress with spec.tls and no FrontendConfig fails high: Google\'s default policy accepts TLS 1.0', () => {
    const rs = results(ingress(''));
    expect(rs).toHaveLength(1);
    expect(rs[0]).toMatchObject({ status: 'fail', resource: { kind: 'Ingress', namespace: 'shop', name: 'web' }, detailKey: 'gke-ssl-policy', evidence: { minimumTlsVersion: '1.0' } });
    expect(rs[0].severity).toBeUndefined();
    expect(rs[0].message).toContain("Google Cloud's default SSL policy (minimum TLS 1.0, profile COMPATIBLE)");
  });
  it('a managed certificate alone gives HTTPS too, and fails the same way', () => {
    expect(results(ingress(', networking.gke.io/managed-certificates: shop-cert', 'tls: []')).map((r) => r.status)).toEqual(['fail']);
  });
  it('a GKE Ingress with no certificate serves no HTTPS: no result', () => {
    expect(results(ingress('', 'tls: []'))).toEqual([]);
  });
  it('one naming a FrontendConfig the input does not hold takes the default too: high, naming it (test/unit/tls/gke-ssl-policy.test.ts has the FrontendConfig cases)', () => {
    const y = ingress(', networking.gke.io/v1beta1.FrontendConfig: tls12');
    const rs = results(y);
    expect(rs.map((r) => [r.status, r.severity, r.resource.name])).toEqual([['fail', undefined, 'web']]);
    expect(rs[0].message).toContain('it names FrontendConfig "tls12", which does not exist in namespace shop');
    expect(note(y)).toBe('');
  });
  it('a GKE Gateway terminating TLS with no GCPGatewayPolicy fails high on the default policy, not a note', () => {
    const y = `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: gke-l7-global-external-managed}
spec: {controllerName: networking.gke.io/gateway}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: external-https, namespace: shop}
spec:
  gatewayClassName: gke-l7-global-external-managed
  listeners: [{name: https, protocol: HTTPS, port: 443, tls: {mode: Terminate, certificateRefs: [{name: shop-tls}]}}, {name: http, protocol: HTTP, port: 80}]
`;
    const rs = results(y);
    expect(rs.map((r) => [r.status, r.severity, `${r.resource.kind} ${r.resource.namespace}/${r.resource.name}`])).toEqual([['fail', undefined, 'Gateway shop/external-https']]);
    expect(rs[0].message).toContain('(listeners "https") with no SSL policy (no GCPGatewayPolicy targets it)');
    expect(note(y)).toBe('');
  });
});

// Contour API, TLS.Passthrough: "Passthrough defines whether the encrypted TLS handshake will be
// passed through to the backing cluster" (projectcontour.io/docs/main/config/api/#projectcontour.io/v1.TLS).
describe('Contour HTTPProxy passing TLS through', () => {
  it('is left out with a coverage note, not passed as "requires TLS 1.2"', () => {
    const y = `
apiVersion: projectcontour.io/v1
kind: HTTPProxy
metadata: {name: legacy-passthrough, namespace: shop}
spec:
  virtualhost: {fqdn: legacy.example.com, tls: {passthrough: true}}
  tcpproxy: {services: [{name: legacy-tls-backend, port: 443}]}
`;
    expect(results(y)).toEqual([]);
    expect(note(y)).toContain('1 Contour HTTPProxy(ies) pass TLS through to the backend (virtualhost.tls.passthrough: true)');
    expect(note(y)).toContain('shop/legacy-passthrough');
  });
});

// Contour reads no ListenerSet or XListenerSet (projectcontour/contour main at 31c4bb38, August
// 2026: internal/dag takes a Gateway's spec.listeners alone, on gateway-api v1.3.0), so the HTTPS
// listener one adds to a Contour Gateway is not served: neither judged nor passed, but named.
describe('Contour Gateway with a ListenerSet', () => {
  it('the HTTPS listener a ListenerSet adds is named in both checks\' notes as not served by Contour; one the Gateway does not allow is not', () => {
    const y = (allowed: string) => `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: contour}
spec: {controllerName: projectcontour.io/gateway-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: edge}
spec:
  gatewayClassName: contour
${allowed}  listeners: [{name: http, protocol: HTTP, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: team, namespace: edge}
spec:
  parentRef: {name: gw}
  listeners: [{name: https, protocol: HTTPS, port: 443, hostname: t.example.com, tls: {certificateRefs: [{name: t}]}}]
`;
    const allowing = y('  allowedListeners: {namespaces: {from: Same}}\n');
    expect(results(allowing)).toEqual([]);
    const said = '1 HTTPS/TLS listener(s) that ListenerSets add to Contour Gateways are not judged: Contour reads no ListenerSet or XListenerSet, so it serves no TLS there: Gateway edge/gw listener https (ListenerSet edge/team)';
    expect(note(allowing)).toContain(said);
    expect(weakCiphers.excluded?.(ctx(allowing)) ?? '').toContain(said);
    expect(note(y(''))).not.toContain('ListenerSet');
  });
});

// A listener's implementation-specific tls.options naming a version are read on a ListenerSet's
// listener as on the Gateway's own (gateway-api apis/v1/listenerset_types.go: its listeners are
// the Gateway's), each verdict naming where the listener comes from.
describe('Gateway API listener tls.options on a ListenerSet', () => {
  it('a ListenerSet listener named as one of the Gateway\'s own gets its own verdict, naming the ListenerSet', () => {
    const y = `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: edge}
spec:
  gatewayClassName: other
  allowedListeners: {namespaces: {from: Same}}
  listeners: [{name: https, protocol: HTTPS, port: 443, tls: {certificateRefs: [{name: a}], options: {example.com/min-tls-version: TLSv1.2}}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: team, namespace: edge}
spec:
  parentRef: {name: gw}
  listeners: [{name: https, protocol: HTTPS, port: 8443, tls: {certificateRefs: [{name: t}], options: {example.com/min-tls-version: TLSv1.0}}}]
`;
    expect(results(y).map((r) => `${r.detailKey}: ${r.status} ${r.message}`)).toEqual([
      'listener/https: pass Listener https tls.options keep TLS 1.2 or later.',
      'listener/https (ListenerSet edge/team): fail Listener https (ListenerSet edge/team) tls.options allow TLS below 1.2 (example.com/min-tls-version=TLSv1.0).',
    ]);
  });
});

// Istio routes passthrough connections by SNI (gateway.proto ServerTLSSettings PASSTHROUGH), so the
// note says how the probe reaches them.
describe('Istio PASSTHROUGH note', () => {
  it('says the probe sends their hosts as SNI, and what to do for wildcards', () => {
    const y = `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: passthrough, namespace: edge}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 443, name: tls, protocol: TLS}, hosts: [legacy.example.com], tls: {mode: PASSTHROUGH}}]
`;
    expect(note(y)).toContain('the probe sends each of their hosts as SNI to the address of the LoadBalancer Service selecting the gateway\'s pods');
    expect(note(y)).toContain('needs its hosts listed in tls.probe.endpoints with their sni');
  });
});

// Envoy (v1.28+): "TLS protocol versions below TLSv1_2 require setting compatible ciphers with the
// cipher_suites setting as the default ciphers no longer include compatible ciphers"
// (https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/transport_sockets/tls/v3/common.proto);
// ingress-nginx's default ssl-ciphers are ECDHE/DHE AES-GCM and ChaCha20 only
// (https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/configmap/#ssl-ciphers;
// /work/shared/reference/checks.md), suites OpenSSL lists for TLSv1.2 only.
describe('a legacy version no enabled cipher can use is low, as on Envoy Gateway', () => {
  const istio = (tls: string) => `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: edge}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 8443, name: https-legacy, protocol: HTTPS}, hosts: [legacy.example.com], tls: {mode: SIMPLE, credentialName: c, ${tls}}}]
`;
  it('Istio minProtocolVersion TLSV1_0 without cipherSuites (Envoy\'s default list) is low', () => {
    const [r] = results(istio('minProtocolVersion: TLSV1_0'));
    expect(r).toMatchObject({ status: 'fail', severity: 'low', detailKey: 'server/https-legacy' });
    expect(r.message).toContain('no enabled cipher works below TLS 1.2');
  });
  it('Istio minProtocolVersion TLSV1_0 with only GCM cipherSuites is low; with a CBC-SHA suite it stays high', () => {
    expect(results(istio('minProtocolVersion: TLSV1_0, cipherSuites: [ECDHE-RSA-AES128-GCM-SHA256]'))[0].severity).toBe('low');
    const [high] = results(istio('minProtocolVersion: TLSV1_0, cipherSuites: [ECDHE-RSA-AES128-GCM-SHA256, ECDHE-RSA-AES128-SHA]'));
    expect(high).toMatchObject({ status: 'fail', evidence: { ciphersBelowTls12: ['ECDHE-RSA-AES128-SHA'] } });
    expect(high.severity).toBeUndefined();
  });
  // A server listing no cipherSuites takes meshConfig.tlsDefaults.cipherSuites
  // (https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-TLSConfig),
  // the list tls.weak-ciphers judges for it too.
  const mesh = (text: string) => `
apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data:
  mesh: |
    ${text}
---`;
  it('Istio TLSV1_0 without cipherSuites, the mesh tlsDefaults enabling a CBC-SHA suite, stays high naming that suite', () => {
    const [r] = results(mesh('tlsDefaults: {cipherSuites: [ECDHE-RSA-AES128-SHA, ECDHE-RSA-AES128-GCM-SHA256]}') + istio('minProtocolVersion: TLSV1_0'));
    expect(r).toMatchObject({ status: 'fail', evidence: { ciphersBelowTls12: ['ECDHE-RSA-AES128-SHA'], cipherSuitesFrom: 'ConfigMap istio-system/istio mesh.tlsDefaults' } });
    expect(r.severity).toBeUndefined();
    expect(r.message).toContain('ConfigMap istio-system/istio mesh.tlsDefaults.cipherSuites apply: ECDHE-RSA-AES128-SHA work below TLS 1.2');
  });
  it('mesh tlsDefaults listing only GCM suites keep it low; an unparsable mesh config is not claimed low', () => {
    expect(results(mesh('tlsDefaults: {cipherSuites: [ECDHE-RSA-AES128-GCM-SHA256]}') + istio('minProtocolVersion: TLSV1_0'))[0].severity).toBe('low');
    const [r] = results(mesh('tlsDefaults: [unclosed') + istio('minProtocolVersion: TLSV1_0'));
    expect(r.status).toBe('fail');
    expect(r.severity).toBeUndefined();
    expect(r.message).toMatch(/ConfigMap istio-system\/istio key mesh is not valid YAML \(.+\): whether a cipher it enables works below TLS 1\.2 is unknown/);
  });
  it('tls.legacy-protocol-enabled declares the mesh-config read tls.weak-ciphers declares', () => {
    expect(legacyProtocolEnabled.readsWhen?.map((r) => r.when)).toContain(weakCiphers.readsWhen?.find((r) => r.when.includes('ConfigMap istio'))?.when);
  });

  const nginx = (data: string, ingress = '') => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
spec:
  selector: {matchLabels: {app: nginx}}
  template:
    metadata: {labels: {app: nginx}}
    spec:
      containers:
      - name: controller
        image: registry.k8s.io/ingress-nginx/controller:v1.12.1
        args: [/nginx-ingress-controller, --configmap=$(POD_NAMESPACE)/ingress-nginx-controller]
        env: [{name: POD_NAMESPACE, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
data: {ssl-protocols: "TLSv1 TLSv1.1 TLSv1.2 TLSv1.3"${data}}
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
${ingress}`;
  const nginxResult = (y: string) => results(y).find((r) => r.detailKey === 'ssl-protocols')!;
  it('ingress-nginx ssl-protocols with TLSv1 and the default ssl-ciphers is low', () => {
    expect(nginxResult(nginx(''))).toMatchObject({ status: 'fail', severity: 'low', evidence: { ciphersBelowTls12: [] } });
  });
  it('with a CBC-SHA suite in ssl-ciphers it stays high, naming the suite', () => {
    const r = nginxResult(nginx(', ssl-ciphers: "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA"'));
    expect(r.severity).toBeUndefined();
    expect(r.message).toContain('ECDHE-RSA-AES128-SHA');
  });
  it('an Ingress of the controller whose ssl-ciphers annotation enables a CBC-SHA suite keeps it high', () => {
    const r = nginxResult(nginx('', `---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: old-clients, namespace: shop, annotations: {nginx.ingress.kubernetes.io/ssl-ciphers: "ECDHE-RSA-AES128-SHA"}}
spec: {ingressClassName: nginx, rules: [{host: old.example.com}]}
`));
    expect(r.severity).toBeUndefined();
    expect(r.message).toContain('Ingress shop/old-clients (nginx.ingress.kubernetes.io/ssl-ciphers)');
  });
  // ingress-nginx takes no server settings from a canary Ingress, and a host's ssl-ciphers from the
  // oldest Ingress that sets them (https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#canary:
  // a canary Ingress's non-canary annotations are ignored, bar a few load-balancing and affinity ones;
  // internal/ingress/controller/controller.go createServers keeps the first ssl-ciphers a server gets);
  // tls.weak-ciphers says such an annotation has no effect, and so must this check.
  const ingress = (name: string, created: string, annotations: string) => `---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ${name}, namespace: shop, creationTimestamp: "${created}", annotations: {${annotations}}}
spec: {ingressClassName: nginx, rules: [{host: shop.example.com}]}
`;
  const cbc = 'nginx.ingress.kubernetes.io/ssl-ciphers: "ECDHE-RSA-AES128-SHA"';
  it('a canary Ingress\'s CBC-SHA ssl-ciphers annotation does not keep it high', () => {
    const y = nginx('', ingress('shop', '2025-01-01T00:00:00Z', '') + ingress('shop-canary', '2025-02-01T00:00:00Z', `nginx.ingress.kubernetes.io/canary: "true", ${cbc}`));
    expect(nginxResult(y)).toMatchObject({ status: 'fail', severity: 'low' });
    expect([...weakCiphers.evaluate(ctx(y))].find((r) => r.resource.name === 'shop-canary')?.message).toContain('has no effect');
  });
  it('a newer Ingress\'s CBC-SHA annotation on a host whose oldest Ingress sets GCM ssl-ciphers does not keep it high; on the oldest it does', () => {
    const gcm = 'nginx.ingress.kubernetes.io/ssl-ciphers: "ECDHE-RSA-AES128-GCM-SHA256"';
    expect(nginxResult(nginx('', ingress('shop', '2025-01-01T00:00:00Z', gcm) + ingress('shop-old-clients', '2025-06-01T00:00:00Z', cbc)))).toMatchObject({ status: 'fail', severity: 'low' });
    const r = nginxResult(nginx('', ingress('shop', '2025-06-01T00:00:00Z', gcm) + ingress('shop-old-clients', '2025-01-01T00:00:00Z', cbc)));
    expect(r.severity).toBeUndefined();
    expect(r.message).toContain('Ingress shop/shop-old-clients (nginx.ingress.kubernetes.io/ssl-ciphers)');
  });
});

// istio/istio 1.18.0 pilot/pkg/networking/core/v1alpha3/listener.go lines 194-198: `if
// isSimpleOrMutual(serverTLSSettings.Mode) { applyDownstreamTLSDefaults(...); applyServerTLSSettings(...) }`:
// from 1.18 the version fields apply in SIMPLE, MUTUAL (and from 1.20 OPTIONAL_MUTUAL) only; before
// 1.18 in every mode (1.17.0 listener.go lines 185-194, test/unit/tls/istio-mutual-gateway-api.test.ts).
describe('Istio ISTIO_MUTUAL server', () => {
  const gateway = (istiod?: string) => `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: cross-network, namespace: istio-system}
spec:
  selector: {istio: eastwestgateway}
  servers: [{port: {number: 15443, name: tls, protocol: TLS}, hosts: ["*.local"], tls: {mode: ISTIO_MUTUAL, minProtocolVersion: TLSV1_0}}]
${istiod ? `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: istiod, namespace: istio-system}
spec:
  selector: {matchLabels: {app: istiod}}
  template:
    metadata: {labels: {app: istiod}}
    spec: {containers: [{name: discovery, image: "docker.io/istio/pilot:${istiod}"}]}
` : ''}`;
  it('istiod 1.18+: passes with minProtocolVersion TLSV1_0, which istiod does not write in this mode (Envoy\'s default, TLS 1.2+)', () => {
    const [r] = results(gateway('1.26.0'));
    expect(r).toMatchObject({ status: 'pass', detailKey: 'server/tls' });
    expect(r.message).toContain('writes no TLS parameters for ISTIO_MUTUAL servers from Istio 1.18');
  });
  it('istiod\'s release not known: not judged, named in the note', () => {
    expect(results(gateway())).toEqual([]);
    expect(note(gateway())).toContain('ISTIO_MUTUAL Istio Gateway server(s) set TLS versions or cipherSuites that istiod writes to Envoy before Istio 1.18');
  });
});

// Two TLSOptions named "default" across namespaces: Traefik drops them all
// (traefik pkg/provider/kubernetes/crd/kubernetes.go) and routers take the built-in default,
// VersionTLS12 (pkg/tls/tlsmanager.go).
describe('Traefik "default" TLSOptions Traefik dropped', () => {
  it('pass: dropped by Traefik, routers use the built-in default (VersionTLS12)', () => {
    const rs = results(`
apiVersion: traefik.io/v1alpha1
kind: TLSOption
metadata: {name: default, namespace: traefik}
spec: {minVersion: VersionTLS10}
---
apiVersion: traefik.io/v1alpha1
kind: TLSOption
metadata: {name: default, namespace: team-a}
spec: {minVersion: VersionTLS12}
`);
    expect(rs.map((r) => r.status)).toEqual(['pass', 'pass']);
    expect(rs[0].message).toContain('dropped by Traefik');
    expect(rs[0].message).toContain('routers use the built-in default (VersionTLS12)');
  });
});

// Gateway API TLSModeType Passthrough: "In this mode, the TLS session is not terminated by the
// Gateway" (https://gateway-api.sigs.k8s.io/reference/spec/#tlsmodetype), so the backend decides
// the TLS version: the listener gets the coverage note and its hostname becomes a probe target.
describe('Gateway API TLS Passthrough listener', () => {
  const gateway = (listener: string, status = '') => `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: web, namespace: shop}
spec:
  gatewayClassName: eg
  listeners:
  - ${listener}
${status}`;
  it('no verdict, and the note names the Gateway, the listener and its hostname, pointing to --probe-tls', () => {
    const y = gateway('{name: tls, port: 443, protocol: TLS, hostname: shop.example.com, tls: {mode: Passthrough}}');
    expect(results(y)).toEqual([]);
    expect(note(y)).toContain('1 Gateway API listener(s) pass TLS through to the backend (protocol TLS, tls.mode Passthrough)');
    expect(note(y)).toContain('Gateway shop/web listener "tls" (port 443, hostname "shop.example.com"); run with --probe-tls');
  });
  it('a TLS listener that terminates (mode omitted: Terminate) gets no passthrough note', () => {
    expect(note(gateway('{name: tls, port: 443, protocol: TLS, hostname: shop.example.com, tls: {certificateRefs: [{name: c}]}}'))).not.toContain('pass TLS through');
  });
});
