// An Istio Gateway server in SIMPLE, MUTUAL or OPTIONAL_MUTUAL mode that sets no
// minProtocolVersion takes meshConfig.tlsDefaults.minProtocolVersion
// (https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-TLSConfig; istio/istio
// pilot/pkg/networking/core/listener.go applyDownstreamTLSDefaults, then applyServerTLSSettings,
// so the server's own value wins). The field exists from Istio 1.18 (istio/api#2693, istio/istio#43823),
// and until istio/istio#58912 (release note: "Fixed incorrect mapping of
// meshConfig.tlsDefaults.minProtocolVersion to tls_minimum_protocol_version in downstream TLS
// context"; backports #58983/#58984/#58985: 1.27.6, 1.28.4, 1.29.1) istiod cast the mesh enum
// (TLSV1_2 = 1, TLSV1_3 = 2) straight to Envoy's (TLSv1_0 = 1, TLSv1_1 = 2): TLSV1_2 reached
// Envoy as TLS 1.0. Repro before the fix: /tmp/edgetls/istio (Istio 1.28.3, tlsDefaults TLSV1_2)
// read "Server on port 443 requires TLS 1.2 or later." and passed.
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { legacyProtocolEnabled } from '../../../checks/tls/legacy-protocol-enabled.ts';
import { weakCiphers } from '../../../checks/tls/weak-ciphers.ts';

const CASE = (release: string, tlsDefaults: string | undefined, serverTls = '{mode: SIMPLE, credentialName: wild}') => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: istio-ingressgateway, namespace: istio-system}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  template:
    metadata: {labels: {istio: ingressgateway}}
    spec:
      containers: [{name: istio-proxy, image: "docker.io/istio/proxyv2:${release}"}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: istiod, namespace: istio-system}
spec:
  selector: {matchLabels: {app: istiod}}
  template:
    metadata: {labels: {app: istiod}}
    spec:
      containers: [{name: discovery, image: "docker.io/istio/pilot:${release}"}]
---
apiVersion: networking.istio.io/v1beta1
kind: Gateway
metadata: {name: gw, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers:
    - port: {number: 443, name: https, protocol: HTTPS}
      hosts: ["*"]
      tls: ${serverTls}
${tlsDefaults === undefined ? '' : `---
apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data:
  mesh: |
    tlsDefaults:
${tlsDefaults.split('\n').map((l) => `      ${l}`).join('\n')}
`}`;

function judge(yaml: string) {
  const snapshot = snapshotFromObjects(parseManifestText(yaml, 'case.yaml').objects, {});
  const ctx = { snapshot, config: defaultConfig(), now: new Date('2026-12-01T00:00:00Z') };
  const [outcome] = runChecks([legacyProtocolEnabled], ctx);
  // The verdicts with their messages (a run keeps a pass's message out of its results).
  return { status: outcome.status, results: [...legacyProtocolEnabled.evaluate(ctx)].map((v) => `${v.status}${v.status === 'pass' ? '' : ` ${v.severity ?? legacyProtocolEnabled.severity}`} ${v.message}`) };
}

describe('meshConfig.tlsDefaults.minProtocolVersion on a Gateway server without its own', () => {
  it('Istio 1.28.3 with tlsDefaults TLSV1_2: Envoy gets TLS 1.0 (istio/istio#58912), a finding where it used to pass', () => {
    const { status, results } = judge(CASE('1.28.3', 'minProtocolVersion: TLSV1_2'));
    expect(status).toBe('fail');
    // Envoy 1.23+'s default list is AES-GCM and ChaCha20 only: no TLS 1.0 handshake completes, so low.
    expect(results).toEqual([expect.stringMatching(/^fail low Server on port 443 allows TLSV1_0 \(no minProtocolVersion, so it takes meshConfig\.tlsDefaults\.minProtocolVersion TLSV1_2, which Istio 1\.28\.3 .* writes to Envoy as TLS 1\.0 \(istio\/istio#58912.*Set minProtocolVersion TLSV1_2 on the server to say what the server accepts\.$/)]);
  });

  it('the same with a CBC suite in tlsDefaults.cipherSuites: high, TLS 1.0 handshakes complete', () => {
    const { results } = judge(CASE('1.28.3', 'minProtocolVersion: TLSV1_2\ncipherSuites: [ECDHE-RSA-AES128-SHA, ECDHE-RSA-AES128-GCM-SHA256]'));
    expect(results).toEqual([expect.stringMatching(/^fail high Server on port 443 allows TLSV1_0 .*tlsDefaults\.minProtocolVersion TLSV1_2.*ECDHE-RSA-AES128-SHA work below TLS 1\.2\. Set minProtocolVersion TLSV1_2 on the server, or upgrade istiod/)]);
  });

  it('a server\'s own minProtocolVersion still wins over the mesh default', () => {
    const { status, results } = judge(CASE('1.28.3', 'minProtocolVersion: TLSV1_2', '{mode: SIMPLE, credentialName: wild, minProtocolVersion: TLSV1_2}'));
    expect(status).toBe('pass');
    expect(results).toEqual(['pass Server on port 443 requires TLS 1.2 or later.']);
  });

  it.each(['1.28.4', '1.29.1', '1.30.0'])('Istio %s maps it right: TLSV1_2 passes, naming the mesh default', (release) => {
    const { status, results } = judge(CASE(release, 'minProtocolVersion: TLSV1_2'));
    expect(status).toBe('pass');
    expect(results).toEqual(['pass Server on port 443 requires TLS 1.2 or later (no minProtocolVersion: meshConfig.tlsDefaults.minProtocolVersion TLSV1_2).']);
  });

  it('Istio 1.30 with tlsDefaults TLSV1_3: the server requires TLS 1.3', () => {
    expect(judge(CASE('1.30.0', 'minProtocolVersion: TLSV1_3')).results).toEqual(['pass Server on port 443 requires TLS 1.3 (no minProtocolVersion: meshConfig.tlsDefaults.minProtocolVersion TLSV1_3).']);
  });

  it('Istio 1.13 does not read tlsDefaults (from 1.18): Envoy 1.21\'s TLS 1.0 default stays, and the finding says why', () => {
    const { results } = judge(CASE('1.13.9', 'minProtocolVersion: TLSV1_2'));
    expect(results).toEqual([expect.stringMatching(/^fail high Server on port 443 allows TLSV1_0 \(no minProtocolVersion, meshConfig\.tlsDefaults\.minProtocolVersion TLSV1_2 is not read by Istio 1\.13 .*tlsDefaults exists from Istio 1\.18: Istio 1\.13 .*ships Envoy 1\.21 or older, whose server-side default minimum is TLS 1\.0.* Set minProtocolVersion TLSV1_2\.$/)]);
  });

  // Envoy 1.22.0 set TLS 1.2 as the servers' default minimum (envoyproxy/envoy changelogs/1.22.0.yaml,
  // behavior_changes, area tls, envoyproxy/envoy#19330; source/extensions/transport_sockets/tls/
  // context_config_impl.cc ServerContextConfigImpl::DEFAULT_MIN_VERSION = TLS1_2_VERSION), and
  // Istio 1.14 ships Envoy 1.22 (istio/istio#42648): a server with no minimum of its own requires
  // TLS 1.2 there (was: fail high "allows TLSV1_0 ... ships Envoy 1.22 or older").
  it('Istio 1.14 (Envoy 1.22) without minProtocolVersion requires TLS 1.2: no false TLS 1.0 alarm', () => {
    expect(judge(CASE('1.14.6', undefined)).results).toEqual([expect.stringMatching(/^pass Server on port 443 requires TLS 1\.2 or later/)]);
    expect(judge(CASE('1.14.6', 'minProtocolVersion: TLSV1_2')).results).toEqual([expect.stringMatching(/^pass Server on port 443 requires TLS 1\.2 or later/)]);
  });

  it('TLSV1_0 is no value of the mesh enum (TLS_AUTO, TLSV1_2, TLSV1_3): it sets nothing, Envoy\'s default applies', () => {
    expect(judge(CASE('1.30.0', 'minProtocolVersion: TLSV1_0')).results).toEqual([expect.stringMatching(/^pass Server on port 443 requires TLS 1\.2 or later \(no minProtocolVersion: meshConfig\.tlsDefaults\.minProtocolVersion TLSV1_0 is not a value of MeshConfig\.TLSConfig\.TLSProtocol/)]);
  });
});

describe('the remediation of tls.legacy-protocol-enabled for Istio is version-aware', () => {
  // Before Istio 1.14 (Envoy 1.21) a server without minProtocolVersion accepts TLS 1.0
  // (envoyproxy/envoy#19330, changelogs/1.22.0.yaml; istio/istio#42648): omitting it is no fix there.
  it('says to set minProtocolVersion TLSV1_2 explicitly before Istio 1.14, never a bare "or omit it"', () => {
    expect(legacyProtocolEnabled.remediation).not.toContain('TLSV1_2 (or omit it)');
    expect(legacyProtocolEnabled.remediation).toMatch(/set Istio minProtocolVersion TLSV1_2 on each SIMPLE, MUTUAL or OPTIONAL_MUTUAL Gateway server: before Istio 1\.14 set it explicitly, as a server without it takes Envoy's default minimum there, TLS 1\.0 \(from 1\.14, on Envoy 1\.22, omitting it means TLS 1\.2\)/);
    expect(legacyProtocolEnabled.remediation).toMatch(/meshConfig\.tlsDefaults\.minProtocolVersion from Istio 1\.18, which istiod before 1\.27\.6, 1\.28\.4 and 1\.29\.1 writes to Envoy as TLS 1\.0/);
  });
});

// istiod, not the gateway's Envoy, reads meshConfig.tlsDefaults and maps it to Envoy's
// tls_minimum_protocol_version (istio/istio pilot/pkg/networking/core/listener.go,
// applyDownstreamTLSDefaults, run by istiod's listener builder): the mapping bug of
// istio/istio#58912 is istiod's, whatever release the gateway proxy runs (Istio supports a proxy
// one minor apart from its control plane, https://istio.io/latest/docs/releases/supported-releases/,
// "Control plane/data plane skew"). A revisioned istiod reads its mesh config from ConfigMap
// istio-<rev> (pilot/pkg/bootstrap/mesh.go getMeshConfigMapName: "istio-" + revision), so a
// gateway injected by istiod-canary takes tlsDefaults from istio-canary, not istio.
const SKEW = (o: { proxy: string; pilot: string; rev?: string; meshName?: string; tlsDefaults: string; other?: string }) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: istio-ingressgateway, namespace: istio-system}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  template:
    metadata: {labels: {istio: ingressgateway${o.rev ? `, istio.io/rev: ${o.rev}` : ''}}}
    spec:
      containers: [{name: istio-proxy, image: "${o.proxy}"}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: istiod${o.rev ? `-${o.rev}` : ''}, namespace: istio-system}
spec:
  selector: {matchLabels: {app: istiod}}
  template:
    metadata: {labels: {app: istiod${o.rev ? `, istio.io/rev: ${o.rev}` : ''}}}
    spec:
      containers: [{name: discovery, image: "${o.pilot}"}]
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
---
apiVersion: v1
kind: ConfigMap
metadata: {name: ${o.meshName ?? 'istio'}, namespace: istio-system}
data:
  mesh: |
    tlsDefaults:
${o.tlsDefaults.split('\n').map((l) => `      ${l}`).join('\n')}
${o.other ?? ''}`;

const CBC = 'minProtocolVersion: TLSV1_2\ncipherSuites: [ECDHE-RSA-AES128-SHA, ECDHE-RSA-AES128-GCM-SHA256]';

function judgeCiphers(yaml: string) {
  const snapshot = snapshotFromObjects(parseManifestText(yaml, 'case.yaml').objects, {});
  const ctx = { snapshot, config: defaultConfig(), now: new Date('2026-12-01T00:00:00Z') };
  const [outcome] = runChecks([weakCiphers], ctx);
  return { status: outcome.status, results: [...weakCiphers.evaluate(ctx)].map((v) => `${v.status} ${v.message}`) };
}

describe('the tlsDefaults mapping is decided by istiod\'s release, not the gateway proxy\'s', () => {
  it('istiod 1.28.3 (mapping bug) with a 1.28.4 gateway proxy: TLSV1_2 reaches Envoy as TLS 1.0, high with a CBC suite', () => {
    const { status, results } = judge(SKEW({ proxy: 'docker.io/istio/proxyv2:1.28.4', pilot: 'docker.io/istio/pilot:1.28.3', tlsDefaults: CBC }));
    expect(status).toBe('fail');
    expect(results).toEqual([expect.stringMatching(/^fail high Server on port 443 allows TLSV1_0 .*which Istio 1\.28\.3 \(istiod Deployment istio-system\/istiod, image docker\.io\/istio\/pilot:1\.28\.3\) writes to Envoy as TLS 1\.0 .*ECDHE-RSA-AES128-SHA work below TLS 1\.2\. Set minProtocolVersion TLSV1_2 on the server, or upgrade istiod/)]);
  });

  it('istiod 1.28.4 (fixed) with a 1.28.3 gateway proxy: TLS 1.2 as set, a pass without upgrade advice', () => {
    const { status, results } = judge(SKEW({ proxy: 'docker.io/istio/proxyv2:1.28.3', pilot: 'docker.io/istio/pilot:1.28.4', tlsDefaults: CBC }));
    expect(status).toBe('pass');
    expect(results).toEqual(['pass Server on port 443 requires TLS 1.2 or later (no minProtocolVersion: meshConfig.tlsDefaults.minProtocolVersion TLSV1_2).']);
    expect(results.join('\n')).not.toMatch(/upgrade istiod/);
  });

  it('with a revisioned and a default istiod, the gateway revision\'s istiod decides', () => {
    const other = `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: istiod, namespace: istio-system}
spec:
  selector: {matchLabels: {app: istiod}}
  template:
    metadata: {labels: {app: istiod}}
    spec:
      containers: [{name: discovery, image: "docker.io/istio/pilot:1.28.4"}]
`;
    const { results } = judge(SKEW({ proxy: 'docker.io/istio/proxyv2:1.28.4', pilot: 'docker.io/istio/pilot:1.28.3', rev: 'canary', meshName: 'istio-canary', tlsDefaults: CBC, other }));
    expect(results).toEqual([expect.stringMatching(/^fail high .*Istio 1\.28\.3 \(istiod Deployment istio-system\/istiod-canary/)]);
  });
});

describe('istiod\'s release unknown: the mesh minimum is taken as written, and the verdict says so', () => {
  it('an istiod image naming no version beside a 1.28.3 gateway proxy: a pass naming the unknown istiod, not decided by the proxy', () => {
    const { status, results } = judge(SKEW({ proxy: 'docker.io/istio/proxyv2:1.28.3', pilot: 'docker.io/istio/pilot:latest', tlsDefaults: 'minProtocolVersion: TLSV1_2' }));
    expect(status).toBe('pass');
    expect(results).toEqual(['pass Server on port 443 requires TLS 1.2 or later (no minProtocolVersion: meshConfig.tlsDefaults.minProtocolVersion TLSV1_2 (istiod\'s release is not known, its image naming no version: Deployment istio-system/istiod (docker.io/istio/pilot:latest): taken as written; istiod before 1.27.6, 1.28.4 and 1.29.1 writes it to Envoy as TLS 1.0, istio/istio#58912)).']);
  });
});

describe('a revisioned gateway takes tlsDefaults from its revision\'s ConfigMap istio-<rev>', () => {
  const rev = (meshName: string) => SKEW({ proxy: 'auto', pilot: 'docker.io/istio/pilot:1.28.3', rev: 'canary', meshName, tlsDefaults: CBC });

  it('istio-canary with TLSV1_2 and a CBC suite under istiod-canary 1.28.3: a high legacy-protocol finding and a weak-ciphers finding', () => {
    const legacy = judge(rev('istio-canary'));
    expect(legacy.status).toBe('fail');
    expect(legacy.results).toEqual([expect.stringMatching(/^fail high Server on port 443 allows TLSV1_0 .*ConfigMap istio-system\/istio-canary mesh\.tlsDefaults\.cipherSuites apply: ECDHE-RSA-AES128-SHA work below TLS 1\.2/)]);
    const ciphers = judgeCiphers(rev('istio-canary'));
    expect(ciphers.status).toBe('fail');
    expect(ciphers.results).toEqual(['fail Server on port 443 sets no cipherSuites, so ConfigMap istio-system/istio-canary mesh.tlsDefaults.cipherSuites enable weak suites: ECDHE-RSA-AES128-SHA (cbc).']);
  });

  it('the default revision\'s ConfigMap istio does not configure a canary gateway: istiod-canary never reads it', () => {
    expect(judge(rev('istio')).results).toEqual(['pass Server on port 443 requires TLS 1.2 or later.']);
    expect(judgeCiphers(rev('istio')).results).toEqual([]);
  });
});
