// A Traefik TLSOption whose minVersion is not one of the names Traefik knows ("TLS12",
// "VersionTLS1.2") sets no minimum at all: buildTLSConfig sets tls.Config.MinVersion only for a name
// in its MinVersion map (traefik/traefik pkg/tls/tlsmanager.go@v2.10.7 line 365, `if minConst, exists
// := MinVersion[tlsOption.MinVersion]; exists { conf.MinVersion = minConst }`; the map,
// pkg/tls/certificate.go@v2.10.7, holds VersionTLS10 … VersionTLS13), and the CRD takes any string
// (docs/content/reference/dynamic-configuration/traefik.io_tlsoptions.yaml@v2.10.7 lines 84-88:
// `type: string`, "Default: VersionTLS10"). v2.10.7's go.mod says `go 1.21`, so Go's server default
// minimum, TLS 1.0, applies: the option accepts TLS 1.0 and 1.1. On an image naming no release the
// default is not known, so it is not judged and the check's note names it.
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import { legacyProtocolEnabled } from '../../../checks/tls/legacy-protocol-enabled.ts';

const ctx = (yaml: string): AuditContext => ({ snapshot: snapshotFromObjects(parseManifestText(yaml, 'case.yaml').objects), config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') });
const scene = (image: string, defaultMin: string, otherMin: string) => `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: traefik, namespace: traefik}
spec:
  selector: {matchLabels: {app: t}}
  template:
    metadata: {labels: {app: t}}
    spec: {containers: [{name: traefik, image: "${image}", args: ["--providers.kubernetescrd", "--entrypoints.websecure.address=:8443"]}]}
---
apiVersion: traefik.io/v1alpha1
kind: TLSOption
metadata: {name: default, namespace: traefik}
spec: {minVersion: ${defaultMin}}
---
apiVersion: traefik.io/v1alpha1
kind: TLSOption
metadata: {name: other, namespace: app}
spec: {minVersion: ${otherMin}}
---
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: {name: r, namespace: app}
spec:
  entryPoints: [websecure]
  routes: [{match: "Host(\`a.example.com\`)", kind: Rule, services: [{name: s, port: 80}]}]
  tls: {secretName: c, options: {name: other}}
`;
const options = (c: AuditContext) => [...legacyProtocolEnabled.evaluate(c)].filter((v) => v.resource.kind === 'TLSOption').sort((a, b) => a.resource.name.localeCompare(b.resource.name));

describe('a Traefik TLSOption minVersion that Traefik does not know is read as unset', () => {
  it('traefik:v2.10.7 (Go 1.21): "TLS12" and "VersionTLS1.2" fail high, accepting TLS 1.0 and 1.1', () => {
    const vs = options(ctx(scene('traefik:v2.10.7', 'TLS12', 'VersionTLS1.2')));
    // Before the fix both passed: "TLSOption traefik/default requires TLS 1.2 or later."
    expect(vs.map((v) => [v.resource.namespace, v.resource.name, v.status, v.severity ?? 'high'])).toEqual([
      ['traefik', 'default', 'fail', 'high'],
      ['app', 'other', 'fail', 'high'],
    ]);
    expect(vs[0].message).toContain('TLSOption traefik/default sets minVersion "TLS12", which is none of the names Traefik knows');
    expect(vs[0].message).toContain('it accepts TLS 1.0 and 1.1 on every router without explicit TLS options');
    expect(vs[1].message).toContain('TLSOption app/other sets minVersion "VersionTLS1.2"');
    expect(vs[1].message).toContain('Routers using it: IngressRoute app/r.');
    expect(vs[1].evidence).toMatchObject({ minVersionIgnored: 'VersionTLS1.2' });
  });

  it('traefik:v2.10.7: the known names keep their verdicts (VersionTLS12 passes, VersionTLS10 fails)', () => {
    const vs = options(ctx(scene('traefik:v2.10.7', 'VersionTLS12', 'VersionTLS10')));
    expect(vs.map((v) => [v.resource.name, v.status])).toEqual([['default', 'pass'], ['other', 'fail']]);
    expect(vs[1].message).toContain('allows VersionTLS10');
  });

  it('traefik:v3.1.2 (Go 1.22, default minimum TLS 1.2): an unknown name passes, saying it is unset', () => {
    const vs = options(ctx(scene('traefik:v3.1.2', 'TLS12', 'VersionTLS1.2')));
    expect(vs.map((v) => v.status)).toEqual(['pass', 'pass']);
    expect(vs[0].message).toContain('minVersion "TLS12" is a name Traefik does not know, so it is unset');
  });

  it('traefik:latest: neither is judged, and the note names both', () => {
    const c = ctx(scene('traefik:latest', 'TLS12', 'VersionTLS1.2'));
    // Before the fix both passed and no note named them.
    expect(options(c)).toEqual([]);
    const note = legacyProtocolEnabled.excluded?.(c);
    expect(note).toContain('TLSOption traefik/default (minVersion "TLS12", a name Traefik does not know, so none)');
    expect(note).toContain('TLSOption app/other (minVersion "VersionTLS1.2", a name Traefik does not know, so none)');
  });
});
