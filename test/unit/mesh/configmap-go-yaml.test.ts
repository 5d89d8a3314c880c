// Istio's mesh config and Linkerd's linkerd-config values, read as the Go controllers read them.
// Upstream:
// - istiod: istio/istio 1.29.6 pkg/config/mesh/mesh.go ApplyMeshConfig → pkg/util/protomarshal
//   ApplyYAML: sigs.k8s.io/yaml YAMLToJSON, then golang/protobuf jsonpb (v1.5.4 jsonpb/decode.go
//   unmarshalMessage looks a field up under fd.Name() and then fd.JSONName(), the JSON name
//   overriding; an enum is a quoted value name or a number);
// - sigs.k8s.io/yaml YAMLToJSON decodes with goyaml.v2's non-strict Unmarshal, whose setMapIndex
//   stores every occurrence of a key in turn, so the last one wins (kubernetes-sigs/yaml v1.4.0
//   goyaml.v2/decode.go; v1.6.0 imports the same decoder as go.yaml.in/yaml/v2);
// - Linkerd: linkerd/linkerd2 edge-26.8.3 pkg/charts/linkerd2/values.go ValuesFromConfigMap,
//   sigs.k8s.io/yaml.Unmarshal into the Values struct: "Decoding is case-insensitive"
//   (kubernetes-sigs/yaml v1.6.0 yaml.go), encoding/json matching a key to a field by its folded
//   name (go src/encoding/json/fold.go, Go 1.21 on);
// - enum numbers: istio/api 1.29.6 mesh/v1alpha1/config.proto, OutboundTrafficPolicy.Mode
//   REGISTRY_ONLY = 0, ALLOW_ANY = 1; TLSConfig.TLSProtocol TLS_AUTO = 0, TLSV1_2 = 1, TLSV1_3 = 2.
import { describe, expect, it } from 'vitest';
import { istioAutoMtls, meshOutbound, resolveIstioRoot, linkerdClusterDefault } from '../../../src/analysis/mesh/index.ts';
import { linkerdCniEnabled, linkerdTrustDomain } from '../../../src/analysis/mesh/linkerd.ts';
import { istioAuthzModel } from '../../../src/analysis/mesh/istio-authz.ts';
import { istioTlsDefaults } from '../../../src/analysis/tls/istio.ts';
import { autoMtlsDisabled } from '../../../checks/mtls/auto-mtls-disabled.ts';
import { goFoldName } from '../../../src/base/go-yaml.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { ctxOf, deployment, objects } from './helpers.ts';

const istioCm = (mesh: string, namespace = 'istio-system'): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio', namespace }, data: { mesh } });
const linkerdCm = (values: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'linkerd-config', namespace: 'linkerd' }, data: { values } });

describe('Istio mesh config as istiod reads it', () => {
  it('a repeated key is read, its last occurrence winning, not called unreadable', () => {
    const dup = istioAutoMtls([istioCm('enableAutoMtls: true\naccessLogFile: /dev/stdout\naccessLogFile: /dev/stdout\n')], 'istio-system');
    expect(dup).toMatchObject({ enabled: true, source: 'ConfigMap istio-system/istio mesh.enableAutoMtls' });
    expect(dup.problem).toBeUndefined();
    expect(istioAutoMtls([istioCm('enableAutoMtls: true\nenableAutoMtls: false\n')], 'istio-system').enabled).toBe(false);
    expect(istioAutoMtls([istioCm('enableAutoMtls: false\nenableAutoMtls: true\n')], 'istio-system').enabled).toBe(true);
    const out = meshOutbound([istioCm('outboundTrafficPolicy: {mode: ALLOW_ANY}\noutboundTrafficPolicy: {mode: REGISTRY_ONLY}\n')], 'istio-system', 'default');
    expect(out).toMatchObject({ mode: 'REGISTRY_ONLY', source: 'ConfigMap istio-system/istio mesh.outboundTrafficPolicy.mode' });
    expect(out.problem).toBeUndefined();
  });

  it('the check passes a mesh config with a repeated key where it failed it as unreadable', () => {
    const ctx = ctxOf(`
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
`, undefined, [istioCm('enableAutoMtls: true\naccessLogFile: /dev/stdout\naccessLogFile: /dev/stdout\n'), deployment('shop', 'reviews')]);
    const verdicts = [...autoMtlsDisabled.evaluate(ctx)];
    expect(verdicts.filter((v) => v.status === 'fail')).toEqual([]);
    expect(verdicts.map((v) => v.message).join('\n')).not.toMatch(/cannot be read|not valid YAML/);
  });

  it('takes every field ztaudit reads under its proto name too, the JSON name winning when both are written', () => {
    expect(istioAutoMtls([istioCm('enable_auto_mtls: false')], 'istio-system')).toMatchObject({ enabled: false, source: 'ConfigMap istio-system/istio mesh.enableAutoMtls' });
    expect(istioAutoMtls([istioCm('enable_auto_mtls: false\nenableAutoMtls: true')], 'istio-system').enabled).toBe(true);
    expect(istioAutoMtls([istioCm('enableAutoMtls: false\nenable_auto_mtls: true')], 'istio-system').enabled).toBe(false);
    expect(meshOutbound([istioCm('outbound_traffic_policy: {mode: REGISTRY_ONLY}')], 'istio-system', 'default').mode).toBe('REGISTRY_ONLY');
    expect(resolveIstioRoot([istioCm('root_namespace: mesh-root')], 'istio-system')).toMatchObject({ namespace: 'mesh-root', configuredOtherwise: 'istio-system' });

    const ctx = ctxOf('', undefined, [istioCm('trust_domain: corp.example\ntrust_domain_aliases: [old.example]\ntls_defaults: {min_protocol_version: TLSV1_3, cipher_suites: [ECDHE-RSA-AES256-GCM-SHA384]}')]);
    const authz = istioAuthzModel(ctx.snapshot, ctx.config);
    expect([authz.trustDomain, authz.trustDomainAliases]).toEqual(['corp.example', ['old.example']]);
    expect(istioTlsDefaults(ctx.snapshot, ctx.config)).toMatchObject({ minProtocolVersion: 'TLSV1_3', cipherSuites: ['ECDHE-RSA-AES256-GCM-SHA384'] });
  });

  it('a key that is neither name of a field is not taken for it (jsonpb ignores an unknown field)', () => {
    expect(istioAutoMtls([istioCm('enable_autoMtls: false\nEnableAutoMtls: false')], 'istio-system')).toMatchObject({ enabled: true, source: 'ConfigMap istio-system/istio (enableAutoMtls not set, Istio default)' });
  });

  it('reads an enum given as its number as jsonpb does', () => {
    expect(meshOutbound([istioCm('outboundTrafficPolicy: {mode: 1}')], 'istio-system', 'default').mode).toBe('ALLOW_ANY');
    expect(meshOutbound([istioCm('outboundTrafficPolicy: {mode: 0}')], 'istio-system', 'default').mode).toBe('REGISTRY_ONLY');
    // A number outside the enum is kept by jsonpb, and istiod passes traffic through only on
    // ALLOW_ANY (outbound-empty-policy.test.ts): REGISTRY_ONLY. A fraction jsonpb refuses: unknown.
    expect(meshOutbound([istioCm('outboundTrafficPolicy: {mode: 7}')], 'istio-system', 'default').mode).toBe('REGISTRY_ONLY');
    const half = meshOutbound([istioCm('outboundTrafficPolicy: {mode: 0.5}')], 'istio-system', 'default');
    expect(half.mode).toBeUndefined();
    expect(half.problem).toMatch(/mode is 0.5, not ALLOW_ANY or REGISTRY_ONLY/);
    const ctx = ctxOf('', undefined, [istioCm('tlsDefaults: {minProtocolVersion: 2}')]);
    expect(istioTlsDefaults(ctx.snapshot, ctx.config)?.minProtocolVersion).toBe('TLSV1_3');
  });

  it('text that is no YAML at all stays unreadable, named', () => {
    expect(istioAutoMtls([istioCm('enableAutoMtls: [unclosed')], 'istio-system')).toMatchObject({ enabled: undefined, problem: expect.stringMatching(/^key mesh is not valid YAML \(/) });
  });
});

describe('linkerd-config values as Linkerd reads them', () => {
  it('a repeated key is read, not called unreadable, so the installed default is not assumed', () => {
    const cms = [linkerdCm('proxy:\n  defaultInboundPolicy: deny\nidentityTrustDomain: cluster.local\nidentityTrustDomain: cluster.local\n')];
    expect(linkerdClusterDefault(cms, undefined)).toEqual({ policy: 'deny', source: 'ConfigMap linkerd/linkerd-config (proxy.defaultInboundPolicy)' });
    expect(linkerdTrustDomain([linkerdCm('identityTrustDomain: a.example\nidentityTrustDomain: b.example\n')])).toBe('b.example');
  });

  it('matches keys to the Values struct fields case-insensitively, as encoding/json does', () => {
    expect(linkerdClusterDefault([linkerdCm('Proxy:\n  DefaultInboundPolicy: cluster-authenticated\n')], undefined).policy).toBe('cluster-authenticated');
    expect(linkerdTrustDomain([linkerdCm('IDENTITYTRUSTDOMAIN: corp.example\n')])).toBe('corp.example');
    expect(linkerdCniEnabled([linkerdCm('CniEnabled: true\n')])).toBe('ConfigMap linkerd/linkerd-config cniEnabled: true');
    // Two spellings of one struct field both fill it (json.Marshal sorts the keys: "Proxy" before "proxy").
    expect(linkerdClusterDefault([linkerdCm('Proxy: {defaultInboundPolicy: deny}\nproxy: {logLevel: info}\n')], undefined).policy).toBe('deny');
    expect(linkerdClusterDefault([linkerdCm('proxy: {defaultInboundPolicy: deny}\nProxy: {defaultInboundPolicy: all-authenticated}\n')], undefined).policy).toBe('deny');
  });

  it('folds a key as encoding/json does: the Kelvin sign, long s and dotless i fold to ASCII letters', () => {
    expect(goFoldName('cn\u0131Enabled')).toBe(goFoldName('cniEnabled'));
    expect(goFoldName('\u017fomething')).toBe('SOMETHING');
    expect(goFoldName('\u212aey')).toBe('KEY');
    expect(goFoldName('\u0130d')).not.toBe(goFoldName('id'));
  });
});

// The YAML itself is still YAML 1.1 as goyaml.v2 resolves it.
describe('YAML 1.1 scalars', () => {
  it('enableAutoMtls: no is false', () => {
    expect(istioAutoMtls(objects(`
apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data:
  mesh: "enableAutoMtls: no"
`), 'istio-system').enabled).toBe(false);
  });
});
