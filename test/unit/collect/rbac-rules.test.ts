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
    expect(grants('', 'configmaps')).toEqual([{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'], resourceNames: ['cilium-config', 'consul-server-config', 'consul-server-tmp-extra-config', 'ingress-nginx-controller', 'istio', 'linkerd-config', 'nginx-configuration'] }]);
    const wider = auditorClusterRoleRules({ extraConfigMapNames: ['my-nginx', 'istio', 'my-nginx'] });
    expect(wider.find((r) => r.resources?.includes('configmaps'))?.resourceNames).toEqual(['cilium-config', 'consul-server-config', 'consul-server-tmp-extra-config', 'ingress-nginx-controller', 'istio', 'linkerd-config', 'my-nginx', 'nginx-configuration']);
  });

  it('names every ConfigMap the collector reads by default', () => {
    const names = new Set(grants('', 'configmaps')[0]!.resourceNames);
    for (const ref of [...ALWAYS_READ_CONFIGMAPS, ...meshConfigMapRefs(defaultConfig())]) expect(names, `${ref.namespace}/${ref.name}`).toContain(ref.name);
    expect(KNOWN_CONFIGMAP_NAMES.every((n) => names.has(n))).toBe(true);
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
