// An Istio VirtualService bound to a Gateway answers, on each server, the hosts istiod computes as
// serverHosts.Intersection(virtualServiceHosts) (istio/istio pilot/pkg/networking/core/gateway.go,
// buildGatewayHTTPRouteConfig: `serverHosts := host.NamesForNamespace(server.Hosts,
// virtualService.Namespace)`; `intersectingHosts := serverHosts.Intersection(virtualServiceHosts)`).
// Names.Intersection (istio/istio pkg/config/host/names.go, read at commit 167ae66e) keeps, for each pair, the host that is a
// SubsetOf the other (pkg/config/host/name.go, read at commit 03da29c9: a leading "*" is a suffix wildcard, so "*" covers
// a.example.com and "*.example.com" does not cover example.com), in either direction. Server hosts
// "./h" name the Gateway's own namespace (pilot/pkg/model, sanitizeServerHostNamespace:
// "convert ./host to currentNamespace/Host") and "ns/h" admit only VirtualServices of ns
// (NamesForNamespace). So a VirtualService with hosts ["*"] is bound to a server for
// a.example.com and forwards plaintext through it.
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import { edgeRoutes } from '../../../src/analysis/edge/routes.ts';
import { ingressWithoutTls } from '../../../checks/tls/ingress-without-tls.ts';
import { edgeAuthMissing } from '../../../checks/tls/edge-auth-missing.ts';

const gateway = (servers: string) => `
apiVersion: networking.istio.io/v1beta1
kind: Gateway
metadata: {name: gw, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers:
${servers}`;
const HTTP_A = (host: string) => `  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: [${JSON.stringify(host)}]\n`;
const vs = (hosts: string[], ns = 'istio-system') => `---
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: {name: wild, namespace: ${ns}}
spec:
  hosts: ${JSON.stringify(hosts)}
  gateways: [istio-system/gw]
  http:
  - route: [{destination: {host: web.default.svc.cluster.local, port: {number: 80}}}]
`;
const WEB = `---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: nginx}]}
`;

const ctxOf = (yaml: string): AuditContext => ({ snapshot: snapshotFromObjects(parseManifestText(yaml, 'case.yaml').objects), config: defaultConfig(), now: new Date('2026-12-01T00:00:00Z') });
const tlsVerdicts = (yaml: string) => [...ingressWithoutTls.evaluate(ctxOf(yaml))].map((v) => `${v.status}${v.status === 'pass' ? '' : ` ${v.severity ?? ingressWithoutTls.severity}`} ${v.message}`);
const routeHosts = (yaml: string) => edgeRoutes(ctxOf(yaml + WEB).snapshot).routes.filter((r) => r.via === 'IstioGateway').map((r) => r.host);
const FORWARDS = /^fail high HTTP server on port 80 serves content in plaintext without tls\.httpsRedirect: VirtualService (istio-system|shop)\/wild \(a\.example\.com → destination web\.default\.svc\.cluster\.local:80\) is bound to it\.$/;
const NO_CONTENT = 'pass HTTP server on port 80 has no HTTPS server for a.example.com and no tls.httpsRedirect, but serves no content: no VirtualService is bound to it, so istiod answers every request with 404.';

describe('Istio VirtualService hosts bind to Gateway server hosts by istiod\'s host intersection', () => {
  it('VirtualService hosts ["*"] on an HTTP server for a.example.com: bound, forwards plaintext, fails high (was a pass "serves no content")', () => {
    const yaml = gateway(HTTP_A('a.example.com')) + vs(['*']);
    expect(tlsVerdicts(yaml)).toEqual([expect.stringMatching(FORWARDS)]);
    // The exposure view answers the host the server and the VirtualService share, a.example.com.
    expect(routeHosts(yaml)).toEqual(['a.example.com']);
  });
  it('a wildcard VirtualService host covering the server host binds, in both directions', () => {
    expect(tlsVerdicts(gateway(HTTP_A('a.example.com')) + vs(['*.example.com']))).toEqual([expect.stringMatching(FORWARDS)]);
    expect(routeHosts(gateway(HTTP_A('*.example.com')) + vs(['a.example.com']))).toEqual(['a.example.com']);
    expect(routeHosts(gateway(HTTP_A('*')) + vs(['a.example.com']))).toEqual(['a.example.com']);
  });
  it('hosts neither of which covers the other do not bind: the server serves no content', () => {
    expect(tlsVerdicts(gateway(HTTP_A('a.example.com')) + vs(['b.example.com']))).toEqual([NO_CONTENT]);
    // "*.example.com" is a suffix wildcard: it does not cover the apex example.com.
    expect(routeHosts(gateway(HTTP_A('example.com')) + vs(['*.example.com']))).toEqual([]);
  });
  it('namespace-scoped server hosts: "./h" and "istio-system/h" admit only the Gateway\'s namespace, "*/h" any', () => {
    expect(tlsVerdicts(gateway(HTTP_A('./a.example.com')) + vs(['*']))).toEqual([expect.stringMatching(FORWARDS)]);
    expect(tlsVerdicts(gateway(HTTP_A('./a.example.com')) + vs(['*'], 'shop'))).toEqual([NO_CONTENT]);
    expect(tlsVerdicts(gateway(HTTP_A('istio-system/a.example.com')) + vs(['*'], 'shop'))).toEqual([NO_CONTENT]);
    expect(tlsVerdicts(gateway(HTTP_A('*/a.example.com')) + vs(['*'], 'shop'))).toEqual([expect.stringMatching(FORWARDS)]);
  });
  it('client certificates on the HTTPS server for a.example.com are not a guard when the HTTP server for "*" answers it too', () => {
    const yaml = gateway(`  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: ["a.example.com"]
    tls: {mode: MUTUAL, credentialName: c}
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: ["*"]
`) + vs(['*']) + WEB;
    const a = [...edgeAuthMissing.evaluate(ctxOf(yaml))].find((v) => v.message.startsWith('a.example.com '));
    expect(a?.status).toBe('fail');
    expect(a?.message).toContain('client certificates required (tls.mode MUTUAL) on Istio Gateway istio-system/gw servers[0], but Istio Gateway istio-system/gw servers[1] serves a.example.com without one');
  });
});
