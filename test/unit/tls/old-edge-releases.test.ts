// The TLS defaults of old Istio and Contour releases, read from the image tag of the gateway or
// `contour serve` workload, and the note when the tag names no version.
// - Istio: TLS_AUTO is Envoy's server default, TLS 1.0 before Envoy 1.23 (envoyproxy/envoy#19330),
//   and Istio 1.15 is the first release on Envoy 1.23 (istio/istio#42648).
// - Contour (projectcontour/contour): any minimum but "1.2"/"1.3" is TLS 1.1 before v1.10
//   (internal/annotation/annotations.go@v1.4.0 MinProtoVersion); v1.10 keeps "1.1" with a global
//   default of 1.1 (cmd/contour/serve.go@v1.10.0 ~356); v1.11 floors every virtual host at 1.2
//   (internal/xdscache/v3/listener.go@v1.11.0). Default ciphers: four ECDHE CBC-SHA suites through
//   v1.10 and at v1.12 (internal/envoy/auth.go@v1.10.0, @v1.12.0), the two ECDSA ones at v1.11
//   (@v1.11.0, #3154), none from v1.13 (pkg/config/ciphersuites.go@v1.13.0, #3304).
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
  return { snapshot: snapshotFromObjects(objs), config: defaultConfig(), now: new Date('2026-12-01T00:00:00Z') };
}

const istio = (proxyImage: string, pilotImage: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: istio-ingressgateway, namespace: istio-system}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  template:
    metadata: {labels: {istio: ingressgateway}}
    spec:
      containers: [{name: istio-proxy, image: "${proxyImage}"}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: istiod, namespace: istio-system}
spec:
  selector: {matchLabels: {app: istiod}}
  template:
    metadata: {labels: {app: istiod}}
    spec:
      containers: [{name: discovery, image: "${pilotImage}"}]
---
apiVersion: networking.istio.io/v1beta1
kind: Gateway
metadata: {name: gw, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers:
    - port: {number: 443, name: https, protocol: HTTPS}
      hosts: ["*"]
      tls: {mode: SIMPLE, credentialName: wild}
`;

const contour = (image: string, proxies: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: contour, namespace: projectcontour}
spec:
  selector: {matchLabels: {app: contour}}
  template:
    metadata: {labels: {app: contour}}
    spec:
      containers: [{name: contour, image: "${image}", command: [contour], args: [serve, --incluster]}]
${proxies}`;
const proxy = (name: string, min?: string) => `---
apiVersion: projectcontour.io/v1
kind: HTTPProxy
metadata: {name: ${name}, namespace: app}
spec:
  virtualhost:
    fqdn: ${name}.example.com
    tls: {secretName: t${min === undefined ? '' : `, minimumProtocolVersion: "${min}"`}}
`;

const legacy = (y: string) => [...legacyProtocolEnabled.evaluate(ctx(y))];
const weak = (y: string) => [...weakCiphers.evaluate(ctx(y))];

describe('Istio gateways on releases before Envoy 1.23', () => {
  it('an unversioned gateway image (the injection template\'s auto) takes istiod\'s release', () => {
    const [r] = legacy(istio('auto', 'docker.io/istio/pilot:1.13.9'));
    expect(r.status).toBe('fail');
    expect(r.message).toContain('allows TLSV1_0 (no minProtocolVersion: Istio 1.13 (istiod Deployment istio-system/istiod');
  });

  // Canary upgrade (https://istio.io/latest/docs/setup/additional-setup/gateway/, "Canary upgrade"):
  // the gateway's pods are injected by the istiod of their istio.io/rev label, not the oldest one.
  // Reviewer repro /tmp/rev-mrevC/istio read high "allows TLSV1_0 ... Istio 1.14".
  const canary = (gatewayRev: string | undefined, namespaceRev?: string) => `
apiVersion: v1
kind: Namespace
metadata: {name: edge${namespaceRev ? `, labels: {istio.io/rev: ${namespaceRev}}` : ''}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: istiod-1-13, namespace: istio-system}
spec:
  template:
    metadata: {labels: {app: istiod, istio.io/rev: 1-13}}
    spec: {containers: [{name: discovery, image: docker.io/istio/pilot:1.13.9}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: istiod-1-22, namespace: istio-system}
spec:
  template:
    metadata: {labels: {app: istiod}}
    spec: {containers: [{name: discovery, image: docker.io/istio/pilot:1.22.3, env: [{name: REVISION, value: 1-22}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ingressgateway, namespace: edge}
spec:
  template:
    metadata: {labels: {istio: ingressgateway${gatewayRev ? `, istio.io/rev: ${gatewayRev}` : ''}}}
    spec: {containers: [{name: istio-proxy, image: auto}]}
---
apiVersion: networking.istio.io/v1beta1
kind: Gateway
metadata: {name: gw, namespace: edge}
spec:
  selector: {istio: ingressgateway}
  servers:
    - port: {number: 443, name: https, protocol: HTTPS}
      hosts: ["a.example.com"]
      tls: {mode: SIMPLE, credentialName: a-cert}
`;

  it('a gateway (image auto) labelled istio.io/rev of the new revision takes that istiod\'s release: pass beside an old istiod', () => {
    expect(legacy(canary('1-22')).map((r) => r.status)).toEqual(['pass']);
    expect(legacy(canary(undefined, '1-22')).map((r) => r.status)).toEqual(['pass']);
  });

  it('labelled with the old revision it still fails on Istio 1.13, naming that istiod', () => {
    const [r] = legacy(canary('1-13'));
    expect(r.status).toBe('fail');
    expect(r.message).toContain('Istio 1.13 (istiod Deployment istio-system/istiod-1-13');
  });

  it('with no image naming a version the server keeps today\'s verdict and the note says the release could not be read', () => {
    const y = istio('docker.io/istio/proxyv2:latest', 'docker.io/istio/pilot@sha256:0123');
    expect(legacy(y).map((r) => r.status)).toEqual(['pass']);
    expect(legacyProtocolEnabled.excluded?.(ctx(y))).toContain('the Istio release of 1 Gateway(s) could not be read');
    expect(legacyProtocolEnabled.excluded?.(ctx(istio('docker.io/istio/proxyv2:1.20.0', 'docker.io/istio/pilot:1.20.0'))) ?? '').not.toContain('Istio release');
  });
});

describe('Contour releases', () => {
  it('v1.10 keeps an explicit "1.1" and gives other virtual hosts 1.2', () => {
    const rs = legacy(contour('ghcr.io/projectcontour/contour:v1.10.1', proxy('a', '1.1') + proxy('b')));
    expect(rs.map((r) => `${r.resource.name} ${r.status}`)).toEqual(['a fail', 'b pass']);
  });

  it('the default ciphers follow the release: two CBC suites at v1.11, four again at v1.12, none from v1.13', () => {
    const status = (tag: string) => weak(contour(`ghcr.io/projectcontour/contour:${tag}`, proxy('a'))).map((r) => r.status);
    expect(status('v1.11.0')).toEqual(['fail']);
    expect(weak(contour('ghcr.io/projectcontour/contour:v1.11.0', proxy('a')))[0].message).toContain('ECDHE-ECDSA-AES128-SHA');
    expect(weak(contour('ghcr.io/projectcontour/contour:v1.11.0', proxy('a')))[0].message).not.toContain('ECDHE-RSA-AES128-SHA');
    expect(weak(contour('ghcr.io/projectcontour/contour:v1.12.0', proxy('a')))[0].message).toContain('ECDHE-RSA-AES128-SHA');
    expect(status('v1.13.0')).toEqual(['pass']);
  });

  it('an unversioned image keeps today\'s verdicts and both checks note that the release could not be read', () => {
    const y = contour('ghcr.io/projectcontour/contour:latest', proxy('a', '1.1'));
    expect(legacy(y).map((r) => r.status)).toEqual(['pass']);
    expect(legacyProtocolEnabled.excluded?.(ctx(y))).toContain('the Contour release of Deployment projectcontour/contour (ghcr.io/projectcontour/contour:latest) could not be read');
    expect(weak(y).map((r) => r.status)).toEqual(['pass']);
    expect(weakCiphers.excluded?.(ctx(y))).toContain('the Contour release of Deployment projectcontour/contour (ghcr.io/projectcontour/contour:latest) could not be read');
  });
});
