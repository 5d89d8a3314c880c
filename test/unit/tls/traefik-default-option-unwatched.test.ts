// A TLSOption named "default" counts as a Traefik's default only when that Traefik's Kubernetes CRD
// provider reads it. Traefik's informers list only the namespaces providers.kubernetesCRD.namespaces
// names (traefik/traefik pkg/provider/kubernetes/crd/client.go@v2.8.8 WatchAll, lines 145-194: one
// informer factory per listed namespace), so a TLSOption "default" in another namespace does not
// exist for it, and its routers without TLS options take the built-in default: before v2.9 that sets
// no MinVersion (pkg/tls/tlsmanager.go@v2.8.8 DefaultTLSOptions, ALPNProtocols only), so Go's server
// default applies, TLS 1.0 (v2.8.8's go.mod says go 1.19). Judged per Traefik workload.
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import { legacyProtocolEnabled } from '../../../checks/tls/legacy-protocol-enabled.ts';

const ctx = (yaml: string): AuditContext => ({ snapshot: snapshotFromObjects(parseManifestText(yaml, 'case.yaml').objects), config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') });
const traefik = (name: string, image: string, args: string) => `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: traefik}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {containers: [{name: traefik, image: "${image}", args: ["--providers.kubernetescrd", "--entrypoints.websecure.address=:8443"${args}]}]}
`;
const rest = `---
apiVersion: traefik.containo.us/v1alpha1
kind: TLSOption
metadata: {name: default, namespace: traefik}
spec: {minVersion: VersionTLS12}
---
apiVersion: traefik.containo.us/v1alpha1
kind: IngressRoute
metadata: {name: r, namespace: app}
spec:
  entryPoints: [websecure]
  routes: [{match: "Host(\`a.example.com\`)", kind: Rule, services: [{name: s, port: 80}]}]
  tls: {secretName: c}
`;
const builtin = (c: AuditContext) => [...legacyProtocolEnabled.evaluate(c)].filter((v) => v.detailKey === 'traefik-default-tls-options');

describe('a TLSOption "default" in a namespace a Traefik does not watch is not its default', () => {
  it('traefik:v2.8.8 watching only app, TLSOption default in traefik: the built-in default fails high', () => {
    const vs = builtin(ctx(traefik('traefik', 'traefik:v2.8.8', ', "--providers.kubernetescrd.namespaces=app"') + rest));
    // Before the fix: no such verdict; the TLSOption's pass stood alone.
    expect(vs.map((v) => [v.resource.name, v.status, v.severity ?? 'high'])).toEqual([['traefik', 'fail', 'high']]);
    expect(vs[0].message).toContain('Deployment traefik/traefik (traefik:v2.8.8) runs Traefik 2.8, and it reads no TLSOption named "default" (TLSOption traefik/default: Deployment traefik/traefik watches only namespaces app (providers.kubernetesCRD.namespaces), not traefik)');
    expect(vs[0].message).toContain('they accept TLS 1.0 and 1.1');
  });

  it('watching traefik too, or every namespace: the TLSOption is its default, no built-in default finding', () => {
    expect(builtin(ctx(traefik('traefik', 'traefik:v2.8.8', ', "--providers.kubernetescrd.namespaces=app,traefik"') + rest))).toEqual([]);
    expect(builtin(ctx(traefik('traefik', 'traefik:v2.8.8', '') + rest))).toEqual([]);
  });

  it('on v2.9 and later the built-in default is TLS 1.2: nothing to fail', () => {
    expect(builtin(ctx(traefik('traefik', 'traefik:v2.9.10', ', "--providers.kubernetescrd.namespaces=app"') + rest))).toEqual([]);
  });

  it('two Traefiks: only the one not watching traefik fails', () => {
    const vs = builtin(ctx(traefik('narrow', 'traefik:v2.8.8', ', "--providers.kubernetescrd.namespaces=app"') + traefik('wide', 'traefik:v2.8.8', '') + rest));
    expect(vs.map((v) => v.resource.name)).toEqual(['narrow']);
  });

  it('its namespaces not known (a configuration file): no verdict, and the note says why', () => {
    const c = ctx(traefik('traefik', 'traefik:v2.8.8', ', "--configFile=/config/traefik.yml"') + rest);
    expect(builtin(c)).toEqual([]);
    expect(legacyProtocolEnabled.excluded?.(c)).toContain('whether Deployment traefik/traefik (traefik:v2.8.8), Traefik 2.8, reads a TLSOption named "default" is not known');
  });
});
