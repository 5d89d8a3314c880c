// ConfigMaps the mesh analysis reads when present (configmaps are collected by name only),
// and Istio's mesh config (ConfigMap `istio`, key `mesh`) read from them.
import { parse as parseYaml } from 'yaml';
import { YAML_QUIET, yamlMessage } from '../../base/yaml-message.ts';
import type { Config } from '../../config/types.ts';
import type { ResourceRef } from '../../base/vocabulary.ts';
import type { KubeObject } from '../../snapshot/types.ts';
import { obj, str } from './util.ts';
import { CONSUL_SERVER_CONFIGMAP } from './consul.ts';

/**
 * linkerd-config holds Linkerd's install-time proxy.defaultInboundPolicy; `istio` in the
 * Istio root namespace holds the mesh config (enableAutoMtls); consul-server-config the Consul
 * servers' ACL default policy (the default intention).
 */
export function meshConfigMapRefs(config: Config): Array<{ namespace: string; name: string }> {
  return [{ namespace: 'linkerd', name: 'linkerd-config' }, { namespace: config.mesh.istioRootNamespace || 'istio-system', name: 'istio' }, { ...CONSUL_SERVER_CONFIGMAP }];
}

export interface IstioAutoMtls {
  /** Where the answer came from (the ConfigMap, or nothing found). */
  resource: ResourceRef;
  source: string;
  /** true/false as configured; undefined when the mesh config cannot be read. */
  enabled: boolean | undefined;
  /** Why the setting could not be determined (unparseable YAML, a non-boolean value). */
  problem?: string;
}

/**
 * meshConfig.enableAutoMtls from ConfigMap `istio` (key `mesh`, YAML) in the root namespace
 * (istio-system as a fallback, where istiod keeps it by default). Absent ConfigMap, key or
 * field means Istio's default: true.
 */
export function istioAutoMtls(configmaps: KubeObject[], rootNamespace: string): IstioAutoMtls {
  const pick = (ns: string) => configmaps.find((c) => c.metadata?.name === 'istio' && (c.metadata?.namespace ?? 'default') === ns);
  const cm = pick(rootNamespace) ?? (rootNamespace !== 'istio-system' ? pick('istio-system') : undefined);
  if (!cm) {
    return { resource: { kind: 'ConfigMap', namespace: rootNamespace, name: 'istio' }, source: `no ConfigMap ${rootNamespace}/istio (Istio default)`, enabled: true };
  }
  const ns = cm.metadata?.namespace ?? 'default';
  const resource = { kind: 'ConfigMap', namespace: ns, name: 'istio' };
  const where = `ConfigMap ${ns}/istio`;
  const text = str(obj(cm.data)?.mesh);
  if (text === undefined) return { resource, source: `${where} has no mesh key (Istio default)`, enabled: true };
  let parsed: unknown;
  try {
    parsed = parseYaml(text, YAML_QUIET);
  } catch (error: unknown) {
    return { resource, source: `${where} key mesh`, enabled: undefined, problem: `key mesh is not valid YAML (${error instanceof Error ? yamlMessage(error) : String(error)})` };
  }
  if (parsed === null || parsed === undefined) return { resource, source: `${where} key mesh is empty (Istio default)`, enabled: true };
  const mesh = obj(parsed);
  if (!mesh) return { resource, source: `${where} key mesh`, enabled: undefined, problem: 'key mesh is not a YAML mapping' };
  const v = mesh.enableAutoMtls;
  if (v === undefined || v === null) return { resource, source: `${where} (enableAutoMtls not set, Istio default)`, enabled: true };
  if (typeof v !== 'boolean') return { resource, source: `${where} mesh.enableAutoMtls`, enabled: undefined, problem: `mesh.enableAutoMtls is ${JSON.stringify(v)}, not a boolean (istiod rejects this mesh config)` };
  return { resource, source: `${where} mesh.enableAutoMtls`, enabled: v };
}
