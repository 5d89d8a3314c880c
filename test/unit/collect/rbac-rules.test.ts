import { describe, expect, it } from 'vitest';
import { KINDS } from '../../../src/snapshot/kinds.ts';
import { auditorClusterRoleRules, KNOWN_CONFIGMAP_NAMES } from '../../../src/collect/rbac-rules.ts';
import { ALWAYS_READ_CONFIGMAPS } from '../../../src/collect/live.ts';
import { meshConfigMapRefs } from '../../../src/analysis/mesh/index.ts';
import { defaultConfig } from '../../../src/config/types.ts';

describe('auditorClusterRoleRules', () => {
  const rules = auditorClusterRoleRules();
  const grants = (group: string, resource: string) => rules.filter((r) => r.apiGroups?.includes(group) && r.resources?.includes(resource));

  it('grants get, list and watch (no writes) on every listed kind', () => {
    for (const k of KINDS) {
      if ('byNameOnly' in k) continue;
      const found = grants(k.group, k.resource);
      expect(found, k.key).toHaveLength(1);
      expect(found[0].verbs, k.key).toEqual(['get', 'list', 'watch']);
      expect(found[0].resourceNames, k.key).toBeUndefined();
    }
  });

  it('grants ConfigMaps by name only: the known names, plus extra names on request', () => {
    expect(grants('', 'configmaps')).toEqual([{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'], resourceNames: ['antrea-config', 'calico-config', 'cilium-config', 'cni-config', 'consul-server-config', 'consul-server-tmp-extra-config', 'contour', 'ingress-nginx-controller', 'istio', 'istio-sidecar-injector', 'kubernetes-services-endpoint', 'linkerd-config', 'nginx-configuration'] }]);
    const wider = auditorClusterRoleRules({ extraConfigMapNames: ['my-nginx', 'istio', 'my-nginx'] });
    expect(wider.find((r) => r.resources?.includes('configmaps'))?.resourceNames).toEqual(['antrea-config', 'calico-config', 'cilium-config', 'cni-config', 'consul-server-config', 'consul-server-tmp-extra-config', 'contour', 'ingress-nginx-controller', 'istio', 'istio-sidecar-injector', 'kubernetes-services-endpoint', 'linkerd-config', 'my-nginx', 'nginx-configuration']);
  });

  it('names every ConfigMap the collector reads by default', () => {
    const names = new Set(grants('', 'configmaps')[0]!.resourceNames);
    for (const ref of [...ALWAYS_READ_CONFIGMAPS, ...meshConfigMapRefs(defaultConfig())]) expect(names, `${ref.namespace}/${ref.name}`).toContain(ref.name);
    expect(KNOWN_CONFIGMAP_NAMES.every((n) => names.has(n))).toBe(true);
  });

  // Calico's API server lists projectcalico.org/v3 policies only for a caller that may also list
  // the tier pseudo-resources (https://docs.tigera.io/calico/latest/network-policy/policy-tiers/rbac-tiered-policies,
  // "User can read all policies across all tiers and namespaces": tiers get, and
  // tier.networkpolicies, tier.globalnetworkpolicies get/watch/list); the standard install refuses otherwise.
  it('grants the Calico tier pseudo-resources the v3 policy lists need, read-only, and get on tiers', () => {
    for (const r of ['tier.networkpolicies', 'tier.globalnetworkpolicies', 'tiers']) {
      expect(grants('projectcalico.org', r), r).toHaveLength(1);
      expect(grants('projectcalico.org', r)[0].verbs, r).toEqual(['get', 'list', 'watch']);
    }
    const without = auditorClusterRoleRules({ omitKinds: ['calico-v3.networkpolicies', 'calico-v3.globalnetworkpolicies'] });
    expect(JSON.stringify(without)).not.toContain('tier.');
  });

  it('never grants Secrets, wildcards or mutating verbs', () => {
    const text = JSON.stringify(rules);
    expect(text).not.toContain('secrets');
    expect(text).not.toContain('"*"');
    for (const r of rules) for (const v of r.verbs) expect(['get', 'list', 'watch']).toContain(v);
  });

  it('grants discovery and /version as non-resource URLs', () => {
    expect(rules.find((r) => r.nonResourceURLs)).toEqual({ nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/version'], verbs: ['get'] });
  });

  it('leaves out kinds on request (to prove a missing grant is reported)', () => {
    const narrow = auditorClusterRoleRules({ omitKinds: ['networkpolicies'] });
    expect(narrow.find((r) => r.apiGroups?.includes('networking.k8s.io'))?.resources).toEqual(['ingressclasses', 'ingresses']);
  });
});
