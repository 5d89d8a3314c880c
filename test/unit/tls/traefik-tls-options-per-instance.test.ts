// Two Traefik installs in one cluster: each loads only the CRD objects its Kubernetes CRD provider
// watches, so its TLSOptions, its "default" TLSOption count and its TLS routers are its own.
// Upstream (traefik/traefik):
// - pkg/provider/kubernetes/crd/client.go@v3.3.4 lines 163-200 (newClientImpl/WatchAll): one
//   informer factory per namespace of providers.kubernetesCRD.namespaces, TLSOptions among the
//   informers, so an object of another namespace does not exist for that Traefik;
// - pkg/provider/kubernetes/crd/kubernetes.go@v3.3.4 lines 1023-1095 buildTLSOptions: the TLS
//   options come from those TLSOptions alone, and "Default TLS Options defined in multiple
//   namespaces" drops "default" only when the namespaces *it* read hold more than one;
// - kubernetes.go@v3.3.4 shouldProcessIngress (line 1205): a route is the Traefik's only when its
//   class matches providers.kubernetesCRD.ingressClass
//   (https://doc.traefik.io/traefik/v3.3/providers/kubernetes-crd/#ingressclass, #namespaces);
// - pkg/tls/tlsmanager.go DefaultTLSOptions: no MinVersion before v2.9.0 (commit c84378d649), Go's
//   cipher list at every release; a TLSOption without minVersion takes Go's default, TLS 1.0 before
//   Go 1.22 (Traefik before v2.11, go.mod go 1.20/1.21 at v2.10.7).
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import { legacyProtocolEnabled } from '../../../checks/tls/legacy-protocol-enabled.ts';
import { weakCiphers } from '../../../checks/tls/weak-ciphers.ts';
import { traefikLabelSelector } from '../../../src/analysis/tls/traefik.ts';
import { liveConfigMapRefs } from '../../../src/cli/source.ts';

const ctx = (yaml: string): AuditContext => ({ snapshot: snapshotFromObjects(parseManifestText(yaml, 'case.yaml').objects), config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') });
const traefik = (name: string, image: string, args: string) => `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${name}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {containers: [{name: traefik, image: "${image}", args: ["--providers.kubernetescrd", "--entrypoints.websecure.address=:8443"${args}]}]}
`;
const option = (ns: string, name: string, spec: string, labels = '{}') => `---
apiVersion: traefik.io/v1alpha1
kind: TLSOption
metadata: {name: ${name}, namespace: ${ns}, labels: ${labels}}
spec: ${spec}
`;
const tlsRoute = (ns: string, name: string, annotations = '{}', group = 'traefik.io') => `---
apiVersion: ${group}/v1alpha1
kind: IngressRoute
metadata: {name: ${name}, namespace: ${ns}, annotations: ${annotations}}
spec:
  entryPoints: [websecure]
  routes: [{match: "Host(\`${name}.example.com\`)", kind: Rule, services: [{name: s, port: 80}]}]
  tls: {secretName: c}
`;
const results = (c: AuditContext) => [...legacyProtocolEnabled.evaluate(c), ...weakCiphers.evaluate(c)];
const line = (v: { status: string; resource: { kind: string; namespace?: string; name: string }; detailKey?: string }) => `${v.status} ${v.resource.kind} ${v.resource.namespace}/${v.resource.name}`;

describe('Traefik TLSOption verdicts are per Traefik instance', () => {
  it('a "default" TLSOption in each of two Traefiks\' namespaces: neither is dropped, each is judged (was: both "dropped", the TLS 1.0 one passed)', () => {
    const c = ctx(traefik('ta', 'traefik:v3.3.4', ', "--providers.kubernetescrd.namespaces=ta"') + traefik('tb', 'traefik:v3.3.4', ', "--providers.kubernetescrd.namespaces=tb"')
      + option('ta', 'default', '{minVersion: VersionTLS12, cipherSuites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]}')
      + option('tb', 'default', '{minVersion: VersionTLS10, cipherSuites: [TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA]}') + tlsRoute('ta', 'a') + tlsRoute('tb', 'b'));
    const legacy = [...legacyProtocolEnabled.evaluate(c)].filter((v) => v.resource.kind === 'TLSOption');
    expect(legacy.map(line)).toEqual(['pass TLSOption ta/default', 'fail TLSOption tb/default']);
    expect(legacy[1].message).toContain('TLSOption tb/default allows VersionTLS10, and as the default option it applies to every router without explicit TLS options');
    expect(legacy.some((v) => v.message.includes('dropped'))).toBe(false);
    const weak = [...weakCiphers.evaluate(c)].filter((v) => v.resource.kind === 'TLSOption');
    expect(weak.map(line)).toEqual(['pass TLSOption ta/default', 'fail TLSOption tb/default']);
    // Each Traefik reads its one "default": no built-in default finding for either.
    expect(results(c).filter((v) => v.detailKey === 'traefik-default-tls-options')).toEqual([]);
  });

  it('two "default" TLSOptions one Traefik reads are still dropped for it, and named as its', () => {
    const c = ctx(traefik('ta', 'traefik:v3.3.4', ', "--providers.kubernetescrd.namespaces=ta,x"') + traefik('tb', 'traefik:v3.3.4', ', "--providers.kubernetescrd.namespaces=tb"')
      + option('ta', 'default', '{minVersion: VersionTLS10}') + option('x', 'default', '{minVersion: VersionTLS12}') + option('tb', 'default', '{minVersion: VersionTLS12}'));
    const legacy = [...legacyProtocolEnabled.evaluate(c)].filter((v) => v.resource.kind === 'TLSOption');
    const by = new Map(legacy.map((v) => [v.resource.namespace, v]));
    expect(legacy.map(line).sort()).toEqual(['pass TLSOption ta/default', 'pass TLSOption tb/default', 'pass TLSOption x/default']);
    expect(by.get('ta')!.message).toContain('is dropped by Traefik (2 namespaces hold a TLSOption named "default")');
    expect(by.get('ta')!.evidence?.note).toBe('2 namespaces hold a TLSOption named "default" that Deployment ta/ta reads; Traefik drops them all');
    expect(by.get('tb')!.message).toBe('TLSOption tb/default requires TLS 1.2 or later.');
  });

  it('a TLSOption without minVersion is judged on the release of the Traefik reading it, not the oldest in the cluster', () => {
    const c = ctx(traefik('ta', 'traefik:v2.10.7', ', "--providers.kubernetescrd.namespaces=ta"') + traefik('tb', 'traefik:v3.3.4', ', "--providers.kubernetescrd.namespaces=tb"')
      + option('ta', 'strict', '{maxVersion: VersionTLS13}') + option('tb', 'strict', '{maxVersion: VersionTLS13}'));
    const legacy = [...legacyProtocolEnabled.evaluate(c)].filter((v) => v.resource.kind === 'TLSOption');
    expect(legacy.map(line)).toEqual(['fail TLSOption ta/strict', 'pass TLSOption tb/strict']);
    expect(legacy[0].message).toContain('Deployment ta/ta (traefik:v2.10.7) runs Traefik 2.10');
    expect(legacy[1].message).toContain('Deployment tb/tb (traefik:v3.3.4) runs Traefik 3.3, whose Go defaults to TLS 1.2');
    // Its cipher list: Go's before 1.22 (with the RSA key exchange suites) only for ta's.
    const weak = [...weakCiphers.evaluate(c)].filter((v) => v.resource.kind === 'TLSOption');
    expect(weak.map((v) => [v.resource.namespace, v.message.includes('RSA key exchange suites Go enabled by default before Go 1.22')])).toEqual([['ta', true], ['tb', false]]);
  });

  it('the built-in default finding names the Traefik whose own router terminates TLS, not another one', () => {
    // Both before v2.9 and reading no "default"; only tb serves a TLS router (by namespace here, by class below).
    const c = ctx(traefik('ta', 'traefik:v2.8.8', ', "--providers.kubernetescrd.namespaces=ta"') + traefik('tb', 'traefik:v2.8.8', ', "--providers.kubernetescrd.namespaces=tb"') + tlsRoute('tb', 'b', '{}', 'traefik.containo.us'));
    const found = results(c).filter((v) => v.detailKey === 'traefik-default-tls-options');
    expect(found.map(line)).toEqual(['fail Deployment tb/tb', 'fail Deployment tb/tb']);
    expect(found[0].evidence?.tlsRouter).toBe('IngressRoute tb/b (tls)');
  });

  it('by ingress class: the TLS router of class "b" counts for the Traefik taking that class only', () => {
    const c = ctx(traefik('ta', 'traefik:v2.8.8', ', "--providers.kubernetescrd.ingressclass=a"') + traefik('tb', 'traefik:v2.8.8', ', "--providers.kubernetescrd.ingressclass=b"') + tlsRoute('app', 'b', '{kubernetes.io/ingress.class: b}', 'traefik.containo.us'));
    expect(results(c).filter((v) => v.detailKey === 'traefik-default-tls-options').map(line)).toEqual(['fail Deployment tb/tb', 'fail Deployment tb/tb']);
  });

  it('one Traefik reading a "default" does not hide another that reads none (tls.weak-ciphers)', () => {
    const c = ctx(traefik('ta', 'traefik:v3.3.4', ', "--providers.kubernetescrd.namespaces=ta"') + traefik('tb', 'traefik:v3.3.4', ', "--providers.kubernetescrd.namespaces=tb"')
      + option('ta', 'default', '{minVersion: VersionTLS12, cipherSuites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]}') + tlsRoute('ta', 'a') + tlsRoute('tb', 'b'));
    const found = [...weakCiphers.evaluate(c)].filter((v) => v.detailKey === 'traefik-default-tls-options');
    expect(found.map(line)).toEqual(['fail Deployment tb/tb']);
    expect(found[0].message).toContain('Deployment tb/tb (traefik:v3.3.4) has no TLSOption named "default" in effect (it reads none of those that exist)');
  });

  // providers.kubernetesCRD.labelSelector: every CRD informer lists only the objects it selects
  // (traefik/traefik pkg/provider/kubernetes/crd/client.go@v3.3.4 lines 174-179 matchesLabelSelector,
  // @v2.11.0 lines 160-165; https://doc.traefik.io/traefik/v3.3/providers/kubernetes-crd/#labelselector).
  it('two Traefiks told apart by labelSelector: each reads its own "default" (was: both dropped, the TLS 1.0 one passed)', () => {
    const c = ctx(traefik('ta', 'traefik:v3.3.4', ', "--providers.kubernetescrd.labelselector=traefik=a"') + traefik('tb', 'traefik:v3.3.4', ', "--providers.kubernetescrd.labelSelector=traefik in (b)"')
      + option('la', 'default', '{minVersion: VersionTLS12}', '{traefik: a}') + option('lb', 'default', '{minVersion: VersionTLS10}', '{traefik: b}'));
    const legacy = [...legacyProtocolEnabled.evaluate(c)].filter((v) => v.resource.kind === 'TLSOption');
    expect(legacy.map(line)).toEqual(['pass TLSOption la/default', 'fail TLSOption lb/default']);
  });

  // A TLSOption no Traefik loads is dead configuration: buildTLSOptions builds options only from
  // the TLSOptions the provider's informers list (pkg/provider/kubernetes/crd/kubernetes.go@v3.3.4
  // lines 1023-1033; client.go@v3.3.4 lines 163-200 per watched namespace, 174-179 labelSelector),
  // and takes no ingress class into account, so no router of any Traefik can use it.
  it('a TLSOption no Traefik loads (namespace, labelSelector) is not judged, and the note says so (was: failed against every Traefik)', () => {
    const c = ctx(traefik('ta', 'traefik:v2.10.7', ', "--providers.kubernetescrd.namespaces=ta"') + traefik('tb', 'traefik:v2.10.7', ', "--providers.kubernetescrd.labelselector=traefik=b"')
      + option('elsewhere', 'old', '{minVersion: VersionTLS10, cipherSuites: [TLS_RSA_WITH_AES_128_CBC_SHA]}') + option('ta', 'strict', '{minVersion: VersionTLS10}'));
    const legacy = [...legacyProtocolEnabled.evaluate(c)].filter((v) => v.resource.kind === 'TLSOption');
    expect(legacy.map(line)).toEqual(['fail TLSOption ta/strict']);
    expect([...weakCiphers.evaluate(c)].filter((v) => v.resource.kind === 'TLSOption' && v.resource.namespace === 'elsewhere')).toEqual([]);
    const note = 'Traefik TLSOption(s) are loaded by no Traefik of the input, so no router uses them and they are not judged: TLSOption elsewhere/old (Deployment ta/ta watches only namespaces ta (providers.kubernetesCRD.namespaces), not elsewhere; Deployment tb/tb reads only the objects its providers.kubernetesCRD.labelSelector "traefik=b" selects, not this one)';
    expect(legacyProtocolEnabled.excluded!(c)).toContain(note);
    expect(weakCiphers.excluded!(c)).toContain(note);
  });

  it('a TLSOption "default" no Traefik loads is not judged either, nor counted as dropped', () => {
    const c = ctx(traefik('ta', 'traefik:v3.3.4', ', "--providers.kubernetescrd.namespaces=ta"') + option('x', 'default', '{minVersion: VersionTLS10}') + option('y', 'default', '{minVersion: VersionTLS10}'));
    expect([...legacyProtocolEnabled.evaluate(c)].filter((v) => v.resource.kind === 'TLSOption')).toEqual([]);
    expect(legacyProtocolEnabled.excluded!(c)).toContain('TLSOption x/default (Deployment ta/ta watches only namespaces ta');
  });

  it('a labelSelector in the Kubernetes text form is read; one it cannot parse is not known', () => {
    const f = traefikLabelSelector('app=traefik, tier in (a,b),!legacy,env!=dev')!;
    expect(f({ app: 'traefik', tier: 'a' })).toBe(true);
    expect(f({ app: 'traefik', tier: 'c' })).toBe(false);
    expect(f({ app: 'traefik', tier: 'b', legacy: '' })).toBe(false);
    expect(f({ app: 'traefik', tier: 'b', env: 'dev' })).toBe(false);
    expect(traefikLabelSelector('app = = x')).toBeUndefined();
    expect(traefikLabelSelector('tier in (a')).toBeUndefined();
  });
});

// providers.kubernetesCRD.labelSelector set in Traefik's configuration file: Traefik reads --configFile,
// else the first of /etc/traefik/traefik.toml, .yaml, .yml (pkg/cli/loader_file.go@v3.3.4 lines 65-83
// loadConfigFiles; https://doc.traefik.io/traefik/getting-started/configuration-overview/#configuration-file),
// and its CRD informers list only the objects the selector picks (client.go@v3.3.4 lines 174-179).
describe('providers.kubernetesCRD.labelSelector from a configuration file in a ConfigMap', () => {
  const withFile = (args: string, mountPath: string, items = '', key = 'traefik.yaml', cm = true) => `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: tf, namespace: tf}
spec:
  selector: {matchLabels: {app: tf}}
  template:
    metadata: {labels: {app: tf}}
    spec:
      containers: [{name: traefik, image: "traefik:v3.3.4", args: [${args}], volumeMounts: [{name: config, mountPath: ${mountPath}}]}]
      volumes: [{name: config, configMap: {name: traefik-config${items}}}]
${cm ? `---
apiVersion: v1
kind: ConfigMap
metadata: {name: traefik-config, namespace: tf}
data:
  ${key}: |
    providers:
      kubernetesCRD:
        labelSelector: "traefik=a"
` : ''}` + option('la', 'strict', '{minVersion: VersionTLS12}', '{traefik: a}') + option('other', 'old', '{minVersion: VersionTLS10}');
  const judged = (c: AuditContext) => [...legacyProtocolEnabled.evaluate(c)].filter((v) => v.resource.kind === 'TLSOption').map(line);

  it('--configFile on a ConfigMap volume: the TLSOption the selector leaves out is not judged (was: failed, the selector unread)', () => {
    const c = ctx(withFile('"--configFile=/config/traefik.yaml"', '/config'));
    expect(judged(c)).toEqual(['pass TLSOption la/strict']);
    expect(legacyProtocolEnabled.excluded!(c)).toContain('TLSOption other/old (Deployment tf/tf reads only the objects its providers.kubernetesCRD.labelSelector "traefik=a" selects, not this one)');
    expect(liveConfigMapRefs(defaultConfig())(c.snapshot)).toContainEqual({ namespace: 'tf', name: 'traefik-config' });
  });

  it('/etc/traefik/traefik.yml with no --configFile, a ConfigMap item renaming the key', () => {
    const c = ctx(withFile('"--log.level=INFO"', '/etc/traefik', ', items: [{key: static, path: traefik.yml}]', 'static'));
    expect(judged(c)).toEqual(['pass TLSOption la/strict']);
  });

  it('the ConfigMap not in the input, or a TOML file: the selector is not known, and both TLSOptions are judged as before', () => {
    expect(judged(ctx(withFile('"--configFile=/config/traefik.yaml"', '/config', '', 'traefik.yaml', false)))).toEqual(['pass TLSOption la/strict', 'fail TLSOption other/old']);
    expect(judged(ctx(withFile('"--configFile=/config/traefik.toml"', '/config', '', 'traefik.toml')))).toEqual(['pass TLSOption la/strict', 'fail TLSOption other/old']);
  });
});
