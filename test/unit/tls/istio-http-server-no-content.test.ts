// An Istio Gateway HTTP server (port 80) without tls.httpsRedirect and with no HTTPS server for its
// hosts serves content in plaintext only when a VirtualService bound to it forwards. With no
// VirtualService, istiod installs a "blackhole" virtual host whose empty route list makes Envoy
// answer 404 to every request (istio/istio 1.26.0 pilot/pkg/networking/core/gateway.go lines
// 527-535: "constructed http route config ... with no vhosts; Setting up a default 404 vhost");
// a VirtualService whose http routes only redirect (HTTPRedirect scheme https) forwards to no
// backend. The Gateway API branch judges an HTTP listener with no route, or only redirecting ones,
// the same way (checks/tls/ingress-without-tls.ts gatewayApiVerdicts).
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { ingressWithoutTls } from '../../../checks/tls/ingress-without-tls.ts';

const GATEWAY = `
apiVersion: networking.istio.io/v1beta1
kind: Gateway
metadata: {name: gw, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: ["a.example.com"]
`;
const vs = (http: string) => `---
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: {name: vs, namespace: istio-system}
spec:
  hosts: ["a.example.com"]
  gateways: [gw]
  http:
${http}
`;

function ctxOf(yaml: string) {
  const snapshot = snapshotFromObjects(parseManifestText(yaml, 'case.yaml').objects, {});
  return { snapshot, config: defaultConfig(), now: new Date('2026-12-01T00:00:00Z') };
}
function judge(yaml: string) {
  const ctx = ctxOf(yaml);
  const [o] = runChecks([ingressWithoutTls], ctx);
  return { status: o.status, verdicts: [...ingressWithoutTls.evaluate(ctx)].map((v) => `${v.status}${v.status === 'pass' ? '' : ` ${v.severity ?? ingressWithoutTls.severity}`} ${v.message}`) };
}

describe('tls.ingress-without-tls: Istio HTTP server that forwards nothing', () => {
  it('no VirtualService bound: istiod answers 404, so it passes (it was a high finding)', () => {
    const r = judge(GATEWAY);
    expect(r.status).toBe('pass');
    expect(r.verdicts).toEqual(['pass HTTP server on port 80 has no HTTPS server for a.example.com and no tls.httpsRedirect, but serves no content: no VirtualService is bound to it, so istiod answers every request with 404.']);
  });
  it('a bound VirtualService that only redirects to https: passes, naming it', () => {
    const r = judge(GATEWAY + vs('  - redirect: {scheme: https}'));
    expect(r.status).toBe('pass');
    expect(r.verdicts).toEqual([expect.stringMatching(/^pass HTTP server on port 80 .*the VirtualService bound to it \(VirtualService istio-system\/vs\) only redirect or answer directly, forwarding to no backend\.$/)]);
  });
  it('a bound VirtualService that forwards to a backend still fails high', () => {
    const r = judge(GATEWAY + vs('  - redirect: {scheme: https}\n    match: [{uri: {prefix: /old}}]\n  - route: [{destination: {host: shop.app.svc.cluster.local, port: {number: 80}}}]'));
    expect(r.status).toBe('fail');
    expect(r.verdicts).toEqual([expect.stringMatching(/^fail high HTTP server on port 80 serves content in plaintext without tls\.httpsRedirect: VirtualService istio-system\/vs \(a\.example\.com → destination shop\.app\.svc\.cluster\.local:80\)/)]);
  });
  it('VirtualServices that could not be read: not evaluated, never a pass', () => {
    const ctx = ctxOf(GATEWAY);
    ctx.snapshot.coverage['istio.virtualservices'] = { status: 'forbidden', detail: 'list virtualservices.networking.istio.io' };
    const [o] = runChecks([ingressWithoutTls], ctx);
    expect(o.status).toBe('not-evaluated');
    expect(o.reason).toContain('istio.virtualservices: forbidden');
  });
});
