// A Traefik TLSOption whose minVersion is above its maxVersion accepts no TLS version at all, so it
// allows no legacy version and negotiates no cipher suite: Traefik copies both into Go's tls.Config
// unchecked (traefik/traefik pkg/tls/tlsmanager.go@v3.3.4 lines 374-380, buildTLSConfig: `if minConst,
// exists := MinVersion[tlsOption.MinVersion]; exists { conf.MinVersion = minConst }`, the same for
// MaxVersion), and Go's crypto/tls offers only the versions between them (golang/go
// src/crypto/tls/common.go Config.supportedVersions, go1.23 — Traefik v3.3.4's go.mod says go 1.23.0:
// `if c != nil && c.MinVersion != 0 && v < c.MinVersion { continue }`, `… v > c.MaxVersion { continue }`;
// with none left the server answers "tls: client offered only unsupported versions",
// handshake_server.go). Without a minVersion the minimum is Go's server default, TLS 1.2 from Go 1.22
// (Traefik v2.11 on): a maxVersion VersionTLS11 alone accepts nothing either there, but TLS 1.0 and
// 1.1 on an older Traefik.
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import type { Verdict } from '../../../src/base/vocabulary.ts';
import { legacyProtocolEnabled } from '../../../checks/tls/legacy-protocol-enabled.ts';
import { weakCiphers } from '../../../checks/tls/weak-ciphers.ts';

const ctx = (yaml: string): AuditContext => ({ snapshot: snapshotFromObjects(parseManifestText(yaml, 'case.yaml').objects), config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') });
const traefik = (image: string) => `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: traefik, namespace: traefik}
spec:
  selector: {matchLabels: {app: t}}
  template:
    metadata: {labels: {app: t}}
    spec: {containers: [{name: traefik, image: "${image}", args: ["--entrypoints.websecure.address=:8443", "--providers.kubernetescrd"]}]}
`;
const option = (spec: string) => `---
apiVersion: traefik.io/v1alpha1
kind: TLSOption
metadata: {name: modern, namespace: app}
spec: ${spec}
`;
const route = `---
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: {name: r, namespace: app}
spec:
  entryPoints: [websecure]
  routes: [{match: "Host(\`a.example.com\`)", kind: Rule, services: [{name: s, port: 80}]}]
  tls: {secretName: x, options: {name: modern}}
`;
/** The verdicts of legacy-protocol-enabled and weak-ciphers on TLSOption app/modern. */
const verdicts = (image: string, spec: string) => {
  const c = ctx(traefik(image) + option(spec) + route);
  const mine = (vs: Iterable<Verdict>) => {
    const found = [...vs].filter((v) => v.resource.kind === 'TLSOption' && v.resource.name === 'modern');
    expect(found).toHaveLength(1);
    return found[0];
  };
  return { legacy: mine(legacyProtocolEnabled.evaluate(c)), weak: mine(weakCiphers.evaluate(c)) };
};

describe('a Traefik TLSOption whose minimum is above its maximum accepts no TLS version', () => {
  it('minVersion VersionTLS12, maxVersion VersionTLS11: neither legacy versions nor weak suites, and the pass says it accepts no version', () => {
    const { legacy, weak } = verdicts('docker.io/traefik:v3.3.4', '{minVersion: VersionTLS12, maxVersion: VersionTLS11}');
    // Before: failed, "TLSOption app/modern allows VersionTLS11", and weak-ciphers failed on its default suites.
    expect(legacy.status).toBe('pass');
    expect(legacy.message).toBe('TLSOption app/modern accepts no TLS version: its minVersion VersionTLS12 is above its maxVersion VersionTLS11, so Go\'s crypto/tls offers none and every TLS handshake with it fails (no legacy version is accepted; set minVersion VersionTLS12 and maxVersion VersionTLS13 or none for its routers to serve TLS).');
    expect(weak.status).toBe('pass');
    expect(weak.message).toBe('TLSOption app/modern accepts no TLS version: its minVersion VersionTLS12 is above its maxVersion VersionTLS11, so every TLS handshake with it fails and none of its cipher suites is ever negotiated.');
  });

  it('maxVersion VersionTLS11 alone: nothing on Traefik v3.3.4 (Go 1.22+ minimum TLS 1.2), TLS 1.0 and 1.1 on v2.10.7 (Go before 1.22)', () => {
    const v3 = verdicts('docker.io/traefik:v3.3.4', '{maxVersion: VersionTLS11}');
    expect(v3.legacy.status).toBe('pass');
    expect(v3.legacy.message).toContain("its maxVersion VersionTLS11 is below TLS 1.2, Go's minimum when no minVersion is set");
    expect(v3.weak.status).toBe('pass');
    const v2 = verdicts('docker.io/traefik:v2.10.7', '{maxVersion: VersionTLS11}');
    expect(v2.legacy.status).toBe('fail');
    expect(v2.legacy.message).toContain('allows VersionTLS11');
    expect(v2.weak.status).toBe('fail');
  });

  it('a range that accepts a legacy version still fails (minVersion VersionTLS10, maxVersion VersionTLS11), and so does an unknown release with no minVersion', () => {
    const legacy = verdicts('docker.io/traefik:v3.3.4', '{minVersion: VersionTLS10, maxVersion: VersionTLS11}');
    expect(legacy.legacy.status).toBe('fail');
    expect(legacy.legacy.message).toContain('allows VersionTLS10/VersionTLS11');
    expect(legacy.weak.status).toBe('fail');
    // traefik:latest names no release: whether Go's default minimum is TLS 1.0 or 1.2 is not known, so the range is not taken for empty.
    expect(verdicts('docker.io/traefik:latest', '{maxVersion: VersionTLS11}').legacy.status).toBe('fail');
  });

  it('minVersion VersionTLS13 with maxVersion VersionTLS12 accepts nothing either', () => {
    const { legacy, weak } = verdicts('docker.io/traefik:v3.3.4', '{minVersion: VersionTLS13, maxVersion: VersionTLS12}');
    expect(legacy.status).toBe('pass');
    expect(weak.message).toContain('its minVersion VersionTLS13 is above its maxVersion VersionTLS12');
  });
});
