// A CUSTOM AuthorizationPolicy whose provider meshConfig.extensionProviders does not define as an
// ext_authz provider: istiod builds its rules as DENY rules instead of calling an authorizer.
//
// Upstream (istio/istio at 1.30.0): pilot/pkg/security/authz/builder/builder.go buildHTTP/buildTCP:
// when getExtAuthz fails, "failed to process CUSTOM action for provider %s, will generate deny
// configs", getBadCustomDenyRules (action RBAC_DENY over the policy's enforced rules);
// builder/extauthz.go processExtensionProvider resolves only envoyExtAuthzHttp/envoyExtAuthzGrpc
// entries, and getExtAuthz fails for any other name ("available providers are %v but found %q").
import { describe, expect, it } from 'vitest';
import { meshFlowVerdict } from '../../../src/analysis/mesh/flow-verdict.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { ctxOf, deploymentYaml, namespaceYaml, serviceYaml } from './helpers.ts';

const app = (namespace: string, name: string) => `${deploymentYaml(namespace, name, { serviceAccount: name, ports: [8080] })}${serviceYaml(namespace, name, [8080])}`;
const scene = (provider: string, rules = '[{}]', annotations = '') => `${namespaceYaml('shop')}${app('shop', 'api')}${app('shop', 'web')}
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ext, namespace: shop${annotations}}
spec:
  selector: {matchLabels: {app: api}}
  action: CUSTOM
  provider: {name: ${provider}}
  rules: ${rules}
`;
const meshConfig = (mesh: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio', namespace: 'istio-system' }, data: { mesh } });
const PROVIDERS = meshConfig('extensionProviders:\n- name: my-authz\n  envoyExtAuthzGrpc: {service: authz.shop.svc.cluster.local, port: 9000}\n- name: zipkin\n  zipkin: {service: zipkin.istio-system.svc.cluster.local, port: 9411}\n');
const verdict = (yaml: string, extra: KubeObject[] = []) => {
  const ctx = ctxOf(yaml, undefined, extra);
  return meshFlowVerdict(ctx.snapshot, ctx.config, { kind: 'Deployment', namespace: 'shop', name: 'web' }, { kind: 'Deployment', namespace: 'shop', name: 'api' }, 8080, 'TCP');
};

describe('CUSTOM with a provider the mesh config does not define', () => {
  it('a provider not in extensionProviders: its matching rules DENY (was: the authorizer decides)', () => {
    const r = verdict(scene('no-such-provider'), [PROVIDERS]);
    expect(r).toMatchObject({ verdict: 'denied', policy: { name: 'ext' }, rule: 0 });
    expect(r.reason).toContain('CUSTOM AuthorizationPolicy shop/ext (provider no-such-provider is no ext_authz provider in meshConfig.extensionProviders: ConfigMap istio-system/istio mesh.extensionProviders; istiod builds its rules as DENY rules) rules[0] matches');
  });

  it('a provider of another kind (zipkin) is no authorizer either: denied', () => {
    expect(verdict(scene('zipkin'), [PROVIDERS]).verdict).toBe('denied');
  });

  it('a mesh config without extensionProviders defines no provider: denied; no ConfigMap in the input: left to the provider', () => {
    expect(verdict(scene('no-such-provider'), [meshConfig('rootNamespace: istio-system\n')]).verdict).toBe('denied');
    expect(verdict(scene('no-such-provider')).verdict).toBe('depends');
  });

  it('a defined ext_authz provider still decides per request', () => {
    const r = verdict(scene('my-authz'), [PROVIDERS]);
    expect(r.verdict).toBe('depends');
    expect(r.reason).toContain('the external authorizer my-authz (CUSTOM shop/ext) decides');
  });

  it('rules that do not match the call deny nothing', () => {
    expect(verdict(scene('no-such-provider', '[{to: [{operation: {ports: ["9999"]}}]}]'), [PROVIDERS]).verdict).toBe('allowed');
  });

  it('a mesh config that cannot be parsed: not denied, the authorizer is left to decide', () => {
    expect(verdict(scene('no-such-provider'), [meshConfig('extensionProviders: [')]).verdict).not.toBe('denied');
  });

  it('a dry-run CUSTOM with an undefined provider builds no deny rule', () => {
    expect(verdict(scene('no-such-provider', '[{}]', ', annotations: {istio.io/dry-run: "true"}'), [PROVIDERS]).verdict).toBe('allowed');
  });
});
