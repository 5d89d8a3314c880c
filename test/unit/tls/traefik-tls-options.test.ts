// Which Traefik TLSOptions are in effect: Traefik v3 reads the traefik.io group only (v3.0 removed
// traefik.containo.us, https://doc.traefik.io/traefik/migration/v2-to-v3/), one namespace/name is
// one TLSOption, and "default" is dropped only when several namespaces define one
// (https://doc.traefik.io/traefik/reference/routing-configuration/http/tls/tls-options/;
// /work/shared/reference/checks.md 5.5: "more than one `default` across namespaces → all dropped").
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
apiVersion: apps/v1
kind: Deployment
metadata: {name: traefik, namespace: traefik}
spec:
  selector: {matchLabels: {app: traefik}}
  template:
    metadata: {labels: {app: traefik}}
    spec:
      containers: [{name: traefik, image: ${image}, args: [--providers.kubernetescrd]}]
---`;
const option = (group: string, ns: string) => `
apiVersion: ${group}/v1alpha1
kind: TLSOption
metadata: {name: default, namespace: ${ns}}
spec: {minVersion: VersionTLS10}
---`;
const tlsOptionResults = (y: string) => [...legacyProtocolEnabled.evaluate(ctx(y)), ...weakCiphers.evaluate(ctx(y))].filter((r) => r.resource.kind === 'TLSOption');

describe('Traefik TLSOptions in effect', () => {
  it('Traefik v3 with a leftover traefik.containo.us copy of traefik/default: the traefik.io one applies and fails, once per check', () => {
    const rs = tlsOptionResults(traefik('docker.io/traefik:v3.3.4') + option('traefik.io', 'traefik') + option('traefik.containo.us', 'traefik'));
    expect(rs.map((r) => [r.status, `${r.resource.namespace}/${r.resource.name}`])).toEqual([['fail', 'traefik/default'], ['fail', 'traefik/default']]);
    expect(rs[0].message).toContain('allows VersionTLS10, and as the default option it applies to every router');
  });
  it('Traefik v3 ignores a "default" of the legacy group in another namespace: the traefik.io default is not dropped', () => {
    const rs = tlsOptionResults(traefik('traefik:v3.1') + option('traefik.io', 'traefik') + option('traefik.containo.us', 'legacy'));
    expect(rs.map((r) => `${r.status} ${r.resource.namespace}`)).toEqual(['fail traefik', 'fail traefik']);
  });
  it('with the Traefik version unknown both groups are read, the same namespace/name counted once', () => {
    const same = tlsOptionResults(traefik('traefik:latest') + option('traefik.io', 'traefik') + option('traefik.containo.us', 'traefik'));
    expect(same.map((r) => r.status)).toEqual(['fail', 'fail']);
    const two = tlsOptionResults(traefik('traefik:latest') + option('traefik.io', 'traefik') + option('traefik.containo.us', 'legacy'));
    // tls.weak-ciphers passes both; tls.legacy-protocol-enabled leaves them to its note, as the
    // built-in default they fall back to depends on the release (TLS 1.0 before v2.9).
    expect(two.map((r) => `${r.status} ${r.resource.namespace}`)).toEqual(['pass traefik', 'pass legacy']);
    expect(two[0].message).toContain('2 namespaces hold a TLSOption named "default"');
    expect(legacyProtocolEnabled.excluded!(ctx(traefik('traefik:latest') + option('traefik.io', 'traefik') + option('traefik.containo.us', 'legacy')))).toContain('TLSOption traefik/default (dropped: routers take the built-in default), TLSOption legacy/default (dropped');
  });
  it('Traefik v2 reads the legacy group: defaults in two namespaces are dropped', () => {
    const rs = tlsOptionResults(traefik('traefik:v2.11.2') + option('traefik.io', 'a') + option('traefik.containo.us', 'b'));
    expect(rs.every((r) => r.status === 'pass' && r.message.includes('dropped by Traefik'))).toBe(true);
    expect(rs).toHaveLength(4);
  });
});

// Traefik's default minimum TLS version depends on its release. The built-in DefaultTLSOptions
// (pkg/tls/tlsmanager.go) gained MinVersion "VersionTLS12" in v2.9.0 (traefik/traefik commit
// c84378d649 "Change default TLS options for more security", issue traefik/traefik#6756); before,
// it set none. A TLSOption without minVersion leaves tls.Config.MinVersion unset at every release
// (buildTLSConfig; Options.SetDefaults sets only ALPN), so Go's server default applies: TLS 1.0
// until Go 1.22 raised it to 1.2 for modules whose go.mod says go 1.22 (https://go.dev/doc/godebug#go-122,
// tls10server; also tlsrsakex, the RSA key exchange suites leaving the default list). Traefik's
// go.mod: v2.8.8 go 1.19, v2.10.7 go 1.21, v2.11.0 go 1.22, v3.1.0 go 1.22.4.
describe('Traefik default minimum TLS version by release', () => {
  const route = `
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: {name: web, namespace: shop}
spec:
  entryPoints: [websecure]
  routes: [{match: Host(\`shop.example.com\`), kind: Rule, services: [{name: shop, port: 80}]}]
  tls: {secretName: shop-cert}
---`;
  const emptyDefault = `
apiVersion: traefik.io/v1alpha1
kind: TLSOption
metadata: {name: default, namespace: traefik}
spec: {sniStrict: true}
---`;
  // Traefik before v2.10 reads traefik.containo.us only (pkg/provider/kubernetes/crd/traefik/v1alpha1/register.go@v2.8.8, GroupName "traefik.containo.us").
  const containousRoute = route.replace('apiVersion: traefik.io/', 'apiVersion: traefik.containo.us/');
  const legacy = (y: string) => [...legacyProtocolEnabled.evaluate(ctx(y))];
  it('Traefik v2.8.8 with no TLSOption: routers take the built-in default, which sets no minimum before v2.9, so TLS 1.0 is accepted', () => {
    const rs = legacy(traefik('docker.io/traefik:v2.8.8') + containousRoute);
    expect(rs.map((r) => [r.status, `${r.resource.kind} ${r.resource.namespace}/${r.resource.name}`])).toEqual([['fail', 'Deployment traefik/traefik']]);
    expect(rs[0].message).toContain('no TLSOption named "default" exists');
    expect(rs[0].message).toContain('accept TLS 1.0 and 1.1');
  });
  it('Traefik v2.9 and later with no TLSOption: the built-in default requires TLS 1.2, nothing fails', () => {
    expect(legacy(traefik('docker.io/traefik:v2.9.10') + containousRoute).filter((r) => r.status === 'fail')).toEqual([]);
  });
  it('Traefik v2.10.7 with TLSOption default {} (no minVersion): Go 1.21\'s default, TLS 1.0, applies', () => {
    const rs = legacy(traefik('docker.io/traefik:v2.10.7') + route + emptyDefault);
    expect(rs.map((r) => [r.status, `${r.resource.kind} ${r.resource.namespace}/${r.resource.name}`])).toEqual([['fail', 'TLSOption traefik/default']]);
    expect(rs[0].message).toContain('sets no minVersion');
    expect(rs[0].message).toContain('it accepts TLS 1.0 and 1.1 on every router without explicit TLS options');
  });
  it.each(['docker.io/traefik:v2.11.0', 'traefik:v3.1'])('%s with TLSOption default {}: Go 1.22+ defaults to TLS 1.2, it passes', (image) => {
    const rs = legacy(traefik(image) + route + emptyDefault);
    expect(rs.map((r) => [r.status, r.resource.name])).toEqual([['pass', 'default']]);
    expect(rs[0].message).toContain('requires TLS 1.2 or later (no minVersion');
  });
  it('the oldest Traefik of the snapshot decides: a v3.1 beside a v2.10.7 still fails the empty default', () => {
    const second = traefik('traefik:v2.10.7').replace('name: traefik, namespace: traefik', 'name: old, namespace: edge');
    expect(legacy(traefik('traefik:v3.1') + second + emptyDefault).map((r) => r.status)).toEqual(['fail']);
  });
  it('an image naming no version: the default-dependent TLSOption is not judged, and the note says why and names the image', () => {
    const c = ctx(traefik('traefik@sha256:' + 'a'.repeat(64)) + route + emptyDefault);
    expect([...legacyProtocolEnabled.evaluate(c)]).toEqual([]);
    const note = legacyProtocolEnabled.excluded!(c);
    expect(note).toContain('Deployment traefik/traefik (traefik@sha256:');
    expect(note).toContain('an image whose tag names no version, so these are not judged: TLSOption traefik/default (no minVersion)');
    // Without any TLSOption the built-in default is the unjudged one.
    expect(legacyProtocolEnabled.excluded!(ctx(traefik('traefik:latest') + route))).toContain('routers without TLS options (Traefik\'s built-in default)');
  });
  it('an explicit minVersion needs no release: VersionTLS12 passes on an unversioned image, with no note', () => {
    const c = ctx(traefik('traefik:latest') + emptyDefault.replace('{sniStrict: true}', '{minVersion: VersionTLS12}'));
    expect([...legacyProtocolEnabled.evaluate(c)].map((r) => r.status)).toEqual(['pass']);
    expect(legacyProtocolEnabled.excluded!(c) ?? '').not.toContain('Traefik');
  });
  it('tls.weak-ciphers with no TLSOption default: the built-in default list (Go\'s, with the ECDHE CBC-SHA suites) fails on the Traefik workload', () => {
    const rs = [...weakCiphers.evaluate(ctx(traefik('traefik:v3.1') + route))];
    expect(rs.map((r) => [r.status, `${r.resource.kind} ${r.resource.namespace}/${r.resource.name}`])).toEqual([['fail', 'Deployment traefik/traefik']]);
    expect(rs[0].message).toContain('TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA (cbc)');
    expect([...weakCiphers.evaluate(ctx(traefik('traefik:v3.1') + route + emptyDefault))].map((r) => r.resource.kind)).toEqual(['TLSOption']);
  });
  it('tls.weak-ciphers names the RSA key exchange suites a Traefik before v2.11 (Go before 1.22) enables by default, and not on v3.1', () => {
    const [old] = [...weakCiphers.evaluate(ctx(traefik('docker.io/traefik:v2.10.7') + emptyDefault))];
    expect(old.status).toBe('fail');
    expect(old.message).toContain('TLS_RSA_WITH_AES_128_GCM_SHA256 (rsa-key-exchange)');
    expect(old.message).toContain('runs docker.io/traefik:v2.10.7');
    const [current] = [...weakCiphers.evaluate(ctx(traefik('traefik:v3.1') + emptyDefault))];
    expect(current.status).toBe('fail');
    expect(current.message).not.toContain('TLS_RSA_');
  });
});
