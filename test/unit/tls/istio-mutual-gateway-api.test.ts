// What istiod writes to Envoy for ISTIO_MUTUAL Gateway servers and for Gateway API listeners of
// Istio's class, read in istio/istio at the tags named:
// - pilot/pkg/networking/core/v1alpha3/listener.go BuildListenerTLSContext at 1.17.0, lines 185-194:
//   "Set TLS parameters if they are non-default" writes minProtocolVersion, maxProtocolVersion and
//   cipherSuites for every mode, ISTIO_MUTUAL included (the same block at 1.14.6 and 1.12.0's
//   gateway.go). At 1.18.0 (lines 194-198) only `if isSimpleOrMutual(serverTLSSettings.Mode)`,
//   so an ISTIO_MUTUAL server gets no TLS parameters and Envoy's defaults apply;
//   pilot/pkg/security/model/authentication.go ApplyToCommonTLSContext sets none at 1.14.6-1.30.3.
// - pilot/pkg/config/kube/gateway/conversion.go buildTLS (1.14.6 lines 1455-1466, 1.26.0 lines
//   1888-1899, 1.30.3): a Terminate listener becomes a SIMPLE server with no minProtocolVersion
//   ("Not yet implemented: TLS mode, https redirect, max protocol version ..."); tls.options
//   gateway.istio.io/tls-terminate-mode ISTIO_MUTUAL is read from 1.22.0, and
//   gateway.istio.io/tls-cipher-suites from 1.29.0. The server is then built by the same
//   BuildListenerTLSContext (meshConfig.tlsDefaults, mapped wrong before 1.27.6: istio/istio#58912).
// - Envoy before 1.23 (Istio before 1.15) accepts TLS 1.0 by default (src/analysis/tls/istio.ts).
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { legacyProtocolEnabled } from '../../../checks/tls/legacy-protocol-enabled.ts';
import { weakCiphers } from '../../../checks/tls/weak-ciphers.ts';

const istio = (release: string, mesh?: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: istiod, namespace: istio-system}
spec:
  selector: {matchLabels: {app: istiod}}
  template:
    metadata: {labels: {app: istiod, istio: pilot}}
    spec: {containers: [{name: discovery, image: "docker.io/istio/pilot:${release}"}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: istio-ingressgateway, namespace: istio-system}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  template:
    metadata: {labels: {istio: ingressgateway}}
    spec: {containers: [{name: istio-proxy, image: "docker.io/istio/proxyv2:${release}"}]}
${mesh ? `---
apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data:
  mesh: |
${mesh.split('\n').map((l) => `    ${l}`).join('\n')}
` : ''}`;

const classic = (tls: string) => `---
apiVersion: networking.istio.io/v1beta1
kind: Gateway
metadata: {name: gw, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 443, name: tls-mtls, protocol: HTTPS}
    hosts: ["*"]
    tls: ${tls}
`;

const gatewayApi = (options = '', controller = 'istio.io/gateway-controller') => `---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: istio}
spec: {controllerName: ${controller}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gwapi, namespace: app}
spec:
  gatewayClassName: istio
  listeners:
  - name: https
    protocol: HTTPS
    port: 443
    hostname: a.example.com
    tls: {certificateRefs: [{name: cert}]${options ? `, options: {${options}}` : ''}}
  - {name: http, protocol: HTTP, port: 80}
`;

function judge(yaml: string) {
  const snapshot = snapshotFromObjects(parseManifestText(yaml, 'case.yaml').objects, {});
  const ctx = { snapshot, config: defaultConfig(), now: new Date('2026-12-01T00:00:00Z') };
  const show = (c: typeof legacyProtocolEnabled) => [...c.evaluate(ctx)].map((v) => `${v.resource.kind} ${v.detailKey}: ${v.status}${v.status === 'pass' ? '' : ` ${v.severity ?? c.severity}`} ${v.message}`);
  const [legacyRun, weakRun] = runChecks([legacyProtocolEnabled, weakCiphers], ctx);
  return { legacy: show(legacyProtocolEnabled), weak: show(weakCiphers), legacyStatus: legacyRun.status, weakStatus: weakRun.status, legacyNote: legacyProtocolEnabled.excluded?.(ctx) ?? '', weakNote: weakCiphers.excluded?.(ctx) ?? '' };
}

describe('ISTIO_MUTUAL Gateway servers before istiod 1.18', () => {
  const settings = '{mode: ISTIO_MUTUAL, minProtocolVersion: TLSV1_0, cipherSuites: [ECDHE-RSA-AES128-SHA, ECDHE-RSA-AES128-GCM-SHA256]}';
  it('Istio 1.17.2: istiod writes minProtocolVersion TLSV1_0 and the CBC suite: both checks fail, saying a client still needs a mesh certificate', () => {
    const r = judge(istio('1.17.2') + classic(settings));
    expect(r.legacyStatus).toBe('fail');
    // High, as a MUTUAL server is graded: the client certificate limits who connects, not the TLS version.
    expect(r.legacy).toEqual([expect.stringMatching(/^Gateway\.networking\.istio\.io server\/tls-mtls: fail high Server on port 443 allows TLSV1_0 \(minProtocolVersion TLSV1_0\); its cipherSuites ECDHE-RSA-AES128-SHA work below TLS 1\.2\. The server is ISTIO_MUTUAL, so a client needs a certificate from the mesh CA, but Istio 1\.17 .* writes its minProtocolVersion TLSV1_0, cipherSuites to Envoy in every mode \(before Istio 1\.18\)\.$/)]);
    expect(r.weakStatus).toBe('fail');
    expect(r.weak).toEqual([expect.stringMatching(/^Gateway\.networking\.istio\.io server\/tls-mtls: fail medium Server on port 443 cipherSuites enable weak suites: ECDHE-RSA-AES128-SHA \(cbc\)\. The server is ISTIO_MUTUAL/)]);
  });
  it('Istio 1.13.9 with no minProtocolVersion: Envoy 1.21\'s default, TLS 1.0 and CBC suites', () => {
    const r = judge(istio('1.13.9') + classic('{mode: ISTIO_MUTUAL}'));
    expect(r.legacy).toEqual([expect.stringMatching(/^Gateway\.networking\.istio\.io server\/tls-mtls: fail high Server on port 443 allows TLSV1_0 \(no minProtocolVersion: Istio 1\.13 .*Envoy 1\.21 or older.*The server is ISTIO_MUTUAL, so a client needs a certificate from the mesh CA/)]);
    expect(r.weak).toEqual([expect.stringMatching(/^Gateway\.networking\.istio\.io server\/tls-mtls: fail medium Server on port 443 sets no cipherSuites, so Envoy's default list before 1\.23.*ECDHE-RSA-AES128-SHA \(cbc\)/)]);
  });
  it('Istio 1.18.0: the same settings are not written to Envoy, whose defaults (TLS 1.2, AES-GCM/ChaCha20) apply: pass', () => {
    const r = judge(istio('1.18.0') + classic(settings));
    expect(r.legacy).toEqual([expect.stringMatching(/^Gateway\.networking\.istio\.io server\/tls-mtls: pass Server on port 443 requires TLS 1\.2 or later\. The server is ISTIO_MUTUAL.*writes no TLS parameters for ISTIO_MUTUAL servers from Istio 1\.18/)]);
    expect(r.weak).toEqual([expect.stringMatching(/^Gateway\.networking\.istio\.io server\/tls-mtls: pass Server on port 443 lists cipherSuites, but its tls\.mode is ISTIO_MUTUAL/)]);
  });
});

describe('Gateway API Gateways of class istio (istio.io/gateway-controller)', () => {
  it('Istio 1.26.0 with tlsDefaults TLSV1_2 and a CBC suite: the listener gets what a classic SIMPLE server without minProtocolVersion gets, TLS 1.0', () => {
    const r = judge(istio('1.26.0', 'tlsDefaults:\n  minProtocolVersion: TLSV1_2\n  cipherSuites: [ECDHE-RSA-AES128-GCM-SHA256, ECDHE-RSA-AES128-SHA]') + gatewayApi() + classic('{mode: SIMPLE, credentialName: cert}'));
    expect(r.legacy).toEqual([
      expect.stringMatching(/^Gateway\.networking\.istio\.io server\/tls-mtls: fail high Server on port 443 allows TLSV1_0 \(no minProtocolVersion, so it takes meshConfig\.tlsDefaults\.minProtocolVersion TLSV1_2, which Istio 1\.26\.0/),
      expect.stringMatching(/^Gateway listener\/https: fail high Listener "https" on port 443 allows TLSV1_0 \(no minProtocolVersion, so it takes meshConfig\.tlsDefaults\.minProtocolVersion TLSV1_2, which Istio 1\.26\.0 .*ECDHE-RSA-AES128-SHA work below TLS 1\.2\. Upgrade istiod .*It is the Gateway API listener "https", which Istio 1\.26 turns into a SIMPLE server with no minProtocolVersion/),
    ]);
    expect(r.weak).toEqual([
      expect.stringMatching(/^Gateway\.networking\.istio\.io server\/tls-mtls: fail medium/),
      expect.stringMatching(/^Gateway listener\/https: fail medium Listener "https" on port 443 sets no cipherSuites, so ConfigMap istio-system\/istio mesh\.tlsDefaults\.cipherSuites enable weak suites: ECDHE-RSA-AES128-SHA \(cbc\)/),
    ]);
  });
  it('Istio 1.13.9: Envoy 1.21\'s default TLS 1.0 and CBC list, where the listener used to get no verdict and no note', () => {
    const r = judge(istio('1.13.9') + gatewayApi());
    expect(r.legacyStatus).toBe('fail');
    expect(r.legacy).toEqual([expect.stringMatching(/^Gateway listener\/https: fail high Listener "https" on port 443 allows TLSV1_0 \(no minProtocolVersion: Istio 1\.13 .*Upgrade Istio to 1\.14 or later/)]);
    expect(r.weak).toEqual([expect.stringMatching(/^Gateway listener\/https: fail medium Listener "https" on port 443 sets no cipherSuites, so Envoy's default list before 1\.23/)]);
  });
  it('a version-like tls.options key is no minimum istiod reads: it does not make the listener pass', () => {
    const r = judge(istio('1.13.9') + gatewayApi('gateway.istio.io/tls-min-version: TLSV1_2'));
    expect(r.legacy).toEqual([expect.stringMatching(/^Gateway listener\/https: fail high Listener "https" on port 443 allows TLSV1_0/)]);
  });
  it('Istio 1.29.1 without tlsDefaults: TLS 1.2 passes; gateway.istio.io/tls-cipher-suites is read from 1.29, not at 1.28', () => {
    expect(judge(istio('1.29.1') + gatewayApi()).legacy).toEqual([expect.stringMatching(/^Gateway listener\/https: pass Listener "https" on port 443 requires TLS 1\.2 or later\. It is the Gateway API listener/)]);
    const cbc = '"gateway.istio.io/tls-cipher-suites": "ECDHE-RSA-AES128-SHA,ECDHE-RSA-AES128-GCM-SHA256"';
    expect(judge(istio('1.29.1') + gatewayApi(cbc)).weak).toEqual([expect.stringMatching(/^Gateway listener\/https: fail medium Listener "https" on port 443 cipherSuites enable weak suites: ECDHE-RSA-AES128-SHA \(cbc\)/)]);
    expect(judge(istio('1.28.0') + gatewayApi(cbc)).weak).toEqual([]);
  });
  it('tls-terminate-mode ISTIO_MUTUAL (read from 1.22): no tlsDefaults apply, Envoy\'s default TLS 1.2; at 1.21 the key is not read and the listener stays SIMPLE', () => {
    const mesh = 'tlsDefaults:\n  minProtocolVersion: TLSV1_2';
    const opt = '"gateway.istio.io/tls-terminate-mode": ISTIO_MUTUAL';
    expect(judge(istio('1.26.0', mesh) + gatewayApi(opt)).legacy).toEqual([expect.stringMatching(/^Gateway listener\/https: pass .*turns into an ISTIO_MUTUAL server/)]);
    expect(judge(istio('1.21.0', mesh) + gatewayApi(opt)).legacy).toEqual([expect.stringMatching(/^Gateway listener\/https: fail low Listener "https" on port 443 allows TLSV1_0 .*"ISTIO_MUTUAL" is not read there/)]);
  });
  // istiod turns the listeners of a ListenerSet the Gateway allows into servers of the Gateway's
  // pods with the same buildListener/buildTLS (istio/istio pilot/pkg/config/kube/gateway/
  // gateway_collection.go ListenerSetCollection, v1 ListenerSet from 1.30).
  it('an HTTPS listener a ListenerSet adds to a Gateway with only an HTTP one is judged as its own, naming the ListenerSet; one the Gateway does not allow is not', () => {
    const httpOnly = (allowed: string) => gatewayApi().replace(/  listeners:\n  - name: https\n[\s\S]*?\n  - \{name: http/, `${allowed}  listeners:\n  - {name: http`) + `---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: team, namespace: app}
spec:
  parentRef: {name: gwapi}
  listeners: [{name: https, protocol: HTTPS, port: 8443, hostname: b.example.com, tls: {certificateRefs: [{name: b}]}}]
`;
    const r = judge(istio('1.13.9') + httpOnly('  allowedListeners: {namespaces: {from: Same}}\n'));
    expect(r.legacy).toEqual([expect.stringMatching(/^Gateway listener\/https \(ListenerSet app\/team\): fail high Listener "https \(ListenerSet app\/team\)" on port 8443 allows TLSV1_0/)]);
    expect(r.weak).toEqual([expect.stringMatching(/^Gateway listener\/https \(ListenerSet app\/team\): fail medium/)]);
    expect(judge(istio('1.13.9') + httpOnly('')).legacy).toEqual([]);
  });
  it('another controller\'s class is not Istio\'s: no Istio verdict', () => {
    expect(judge(istio('1.14.6') + gatewayApi('', 'example.com/other')).legacy).toEqual([]);
  });
});
