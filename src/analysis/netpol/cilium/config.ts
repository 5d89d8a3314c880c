// The Cilium agent settings that change policy verdicts, read from the `cilium-config`
// ConfigMap (the agent's own configuration, in the namespace Cilium runs in) when the
// collector could read it; otherwise Cilium's defaults, said so in `source`.

import type { ResourceRef } from '../../../base/vocabulary.ts';
import type { Snapshot } from '../../../snapshot/types.ts';
import type { KindKey } from '../../../snapshot/kinds.ts';
import { CNI_KINDS, ciliumCni } from '../cni.ts';
import { configMapNotFound } from '../../configmaps.ts';
import { DEFAULT_PARSE_OPTIONS, type CiliumParseOptions } from './parse.ts';
import { goParseBool } from '../../flags.ts';

export const CILIUM_CONFIG_MAP = 'cilium-config';

/** enable-policy: default (isolate what a policy selects), always (isolate every endpoint), never (isolate nothing). */
export type EnforcementMode = 'default' | 'always' | 'never';

export type RoutingMode = 'tunnel' | 'native';

export interface CiliumSettings extends CiliumParseOptions {
  enforcement: EnforcementMode;
  /** enable-non-default-deny-policies (default true): `enableDefaultDeny: false` is honoured. */
  nonDefaultDenyPolicies: boolean;
  /** allow-localhost: the local host always reaches the pods of its node (auto means always under Kubernetes). */
  allowLocalhost: boolean;
  /** enable-ipv4 / enable-ipv6 (defaults true / false): with both, external addresses are world-ipv4 or world-ipv6. */
  ipv4: boolean;
  ipv6: boolean;
  /** enable-host-firewall (default false): host policies (nodeSelector) police the nodes, host-network pods included. */
  hostFirewall: boolean;
  /**
   * routing-mode (default tunnel; before Cilium 1.14 `tunnel: disabled` meant native). Under
   * native routing, a request from outside that a LoadBalancer/NodePort sends to another node
   * arrives with the remote-node identity, not world (docs.cilium.io/en/stable/security/policy/caveats/,
   * "Security Identity for N/S Service Traffic").
   */
  routingMode: RoutingMode;
  /**
   * policy-audit-mode (default false): Cilium computes verdicts but enforces none ("Network policy
   * will not be enforced", daemon/cmd/daemon_main.go; docs.cilium.io/en/stable/security/policy-creation/,
   * "Policy Audit Mode configures Cilium to allow all traffic while logging all connections that would otherwise be dropped by network policies").
   */
  auditMode: boolean;
  /**
   * The policy kinds the agent watches (pkg/policy/k8s/watcher.go registers a watch only when its
   * switch is on; pkg/option/config.go keys, pkg/defaults values): enable-k8s-networkpolicy,
   * enable-cilium-network-policy, enable-cilium-clusterwide-network-policy (default true) and
   * enable-k8s-cluster-network-policy (default false; Cilium 1.20 and later).
   */
  k8sNetworkPolicy: boolean;
  ciliumNetworkPolicy: boolean;
  ciliumClusterwideNetworkPolicy: boolean;
  k8sClusterNetworkPolicy: boolean;
  /**
   * policy-cidr-match-mode (default empty; Documentation/security/policy/layer3.rst@v1.20.2
   * "Selecting pods or nodes with CIDR / ipBlock"): CIDR selectors and ipBlock then also match
   * the pods (`pods`) or the nodes (`nodes`) whose addresses they hold. Read with
   * vp.GetStringSlice (whitespace-separated; pkg/option/config.go@v1.20.2).
   */
  cidrMatchPods: boolean;
  cidrMatchNodes: boolean;
  /** Where the settings came from: "ConfigMap kube-system/cilium-config" or why defaults were used. */
  source: string;
  resource?: ResourceRef;
  /** Values that could not be understood (each names the key); defaults were used for them. */
  problems: string[];
  /** Settings read but not evaluated (custom identity labels, CIDR matching of nodes/pods). */
  notes: string[];
}

export const DEFAULT_SETTINGS: CiliumSettings = {
  ...DEFAULT_PARSE_OPTIONS,
  enforcement: 'default',
  nonDefaultDenyPolicies: true,
  allowLocalhost: true,
  ipv4: true,
  ipv6: false,
  hostFirewall: false,
  routingMode: 'tunnel',
  auditMode: false,
  k8sNetworkPolicy: true,
  ciliumNetworkPolicy: true,
  ciliumClusterwideNetworkPolicy: true,
  k8sClusterNetworkPolicy: false,
  cidrMatchPods: false,
  cidrMatchNodes: false,
  source: 'Cilium defaults',
  problems: [],
  notes: [],
};

/**
 * The namespace Cilium runs in, when it is the CNI: where the object the CNI detection
 * recognised it by is (ciliumCni).
 */
export function ciliumNamespace(snapshot: Snapshot): string | undefined {
  return ciliumCni(snapshot)?.namespace;
}

const CILIUM_POLICY_KINDS = ['cilium.networkpolicies', 'cilium.clusterwidenetworkpolicies'] as const satisfies readonly KindKey[];

/** The kinds ciliumConfigMapRefs reads: the CNI's (ciliumCni) and Cilium's policies. */
export const CILIUM_CONFIG_MAP_REF_KINDS: readonly KindKey[] = [...CNI_KINDS, ...CILIUM_POLICY_KINDS];

/**
 * The ConfigMap the live collector should `get` by name: `cilium-config` in Cilium's
 * namespace, asked for only when Cilium is the CNI (ciliumCni, as the network verdicts) or
 * Cilium policies exist.
 */
export function ciliumConfigMapRefs(snapshot: Snapshot): Array<{ namespace: string; name: string }> {
  const cilium = ciliumCni(snapshot);
  const hasPolicies = CILIUM_POLICY_KINDS.some((key) => (snapshot.resources[key] ?? []).length > 0);
  if (!cilium && !hasPolicies) return [];
  return [{ namespace: cilium?.namespace ?? 'kube-system', name: CILIUM_CONFIG_MAP }];
}

/**
 * A boolean agent setting as cilium-agent reads it. The agent loads each ConfigMap key as a file
 * and trims it (pkg/option/config.go ReadDirConfig, bytes.TrimSpace, cilium v1.20.2), then:
 *  - `viper`: DaemonConfig.Populate's vp.GetBool (pkg/option/config.go@v1.20.2), which is
 *    cast.ToBool = strconv.ParseBool with the error dropped: 1/t/T/TRUE/true/True are on, anything
 *    it refuses ("yes", "tRuE", "") is OFF, whatever the default;
 *  - `hive`: a cell's config struct (github.com/cilium/hive@v1.0.4 cell/config.go decodes with
 *    mapstructure WeaklyTypedInput): ParseBool too, "" is off, and anything else refused stops the
 *    agent starting ("failed to unmarshal config struct"). That agent enforces nothing we can
 *    model, so the default is kept and the value is reported.
 * A key absent from the ConfigMap takes the flag's default.
 */
function boolSetting(data: Record<string, unknown>, key: string, fallback: boolean, problems: string[], rule: 'viper' | 'hive' = 'viper'): boolean {
  const v = data[key];
  if (v === undefined || v === null) return fallback;
  const text = (typeof v === 'string' ? v : String(v)).trim();
  const parsed = text === '' ? false : goParseBool(text);
  if (parsed !== undefined) return parsed;
  if (rule === 'viper') {
    problems.push(`${key}: "${String(v)}" is not a Go boolean (1, t, true, 0, f, false...); Cilium reads it as false`);
    return false;
  }
  problems.push(`${key}: "${String(v)}" is not a Go boolean (1, t, true, 0, f, false...); the Cilium agent refuses to start with it, and Cilium's default is assumed`);
  return fallback;
}

/**
 * routing-mode (pkg/option/config.go: "native" or "tunnel", defaults.RoutingMode "tunnel"); when
 * unset, the key Cilium used before 1.14, `tunnel` (vxlan, geneve, or disabled = native routing).
 */
function routingModeSetting(data: Record<string, unknown>, problems: string[]): RoutingMode {
  const rm = data['routing-mode'];
  if (typeof rm === 'string' && rm.trim() !== '') {
    const v = rm.trim().toLowerCase();
    if (v === 'native' || v === 'tunnel') return v;
    problems.push(`routing-mode: "${rm}" is not native or tunnel; Cilium's default is assumed`);
    return 'tunnel';
  }
  const legacy = data.tunnel;
  if (typeof legacy === 'string' && legacy.trim() !== '') {
    const v = legacy.trim().toLowerCase();
    if (v === 'disabled') return 'native';
    if (v !== 'vxlan' && v !== 'geneve') problems.push(`tunnel: "${legacy}" is not vxlan, geneve or disabled; Cilium's default is assumed`);
  }
  return 'tunnel';
}

/** Reads `cilium-config` (the agent namespace first, then any namespace). */
export function readCiliumSettings(snapshot: Snapshot): CiliumSettings {
  const all = (snapshot.resources.configmaps ?? []).filter((c) => c.metadata?.name === CILIUM_CONFIG_MAP);
  const ns = ciliumNamespace(snapshot);
  const cm = all.find((c) => (c.metadata?.namespace ?? 'default') === ns) ?? all.find((c) => c.metadata?.namespace === 'kube-system') ?? all[0];
  if (!cm) {
    const [asked] = ciliumConfigMapRefs(snapshot);
    const why = asked && configMapNotFound(snapshot, asked) ? `ConfigMap ${asked.namespace}/${asked.name} does not exist`
      : snapshot.coverage.configmaps?.status === 'ok' || snapshot.coverage.configmaps === undefined ? `no ConfigMap ${CILIUM_CONFIG_MAP} in the snapshot` : `ConfigMaps could not be read (${snapshot.coverage.configmaps.status})`;
    return { ...DEFAULT_SETTINGS, source: `Cilium defaults (${why})`, problems: [], notes: [] };
  }
  const cmNs = cm.metadata?.namespace ?? 'default';
  const data = cm.data && typeof cm.data === 'object' && !Array.isArray(cm.data) ? (cm.data as Record<string, unknown>) : {};
  const problems: string[] = [];
  const notes: string[] = [];
  let enforcement: EnforcementMode = 'default';
  const ep = data['enable-policy'];
  if (typeof ep === 'string' && ep !== '') {
    const v = ep.trim().toLowerCase();
    if (v === 'default' || v === 'always' || v === 'never') enforcement = v;
    else problems.push(`enable-policy: "${ep}" is not default, always or never; Cilium's default is assumed`);
  }
  const al = typeof data['allow-localhost'] === 'string' ? (data['allow-localhost'] as string).trim().toLowerCase() : '';
  if (al !== '' && al !== 'auto' && al !== 'always' && al !== 'policy') problems.push(`allow-localhost: "${al}" is not auto, always or policy; Cilium's default is assumed`);
  // Trimmed as ReadDirConfig does (pkg/option/config.go@v1.20.2 bytes.TrimSpace).
  const clusterName = typeof data['cluster-name'] === 'string' && data['cluster-name'].trim() !== '' ? data['cluster-name'].trim() : 'default';
  if (typeof data.labels === 'string' && data.labels.trim() !== '') notes.push(`labels: a custom identity-label filter ("${data.labels.trim().slice(0, 80)}") is not evaluated; Cilium's default filter is assumed`);
  const cidrModes = typeof data['policy-cidr-match-mode'] === 'string' ? (data['policy-cidr-match-mode'] as string).trim().split(/\s+/).filter((m) => m !== '') : [];
  const badMode = cidrModes.find((m) => m !== 'pods' && m !== 'nodes');
  // validatePolicyCIDRMatchMode (pkg/option/config.go@v1.20.2): "unknown CIDR match mode" stops the agent.
  if (badMode !== undefined) problems.push(`policy-cidr-match-mode: "${badMode}" is not pods or nodes (the Cilium agent refuses to start with it); Cilium's default (CIDRs match outside addresses only) is assumed`);
  const cidrMatchPods = badMode === undefined && cidrModes.includes('pods');
  const cidrMatchNodes = badMode === undefined && cidrModes.includes('nodes');
  const hostFirewall = boolSetting(data, 'enable-host-firewall', false, problems);
  if (hostFirewall) notes.push('enable-host-firewall: host policies (nodeSelector) police the nodes and their host-network pods; they are not evaluated, so `reach` answers unknown where they decide');
  if (cidrMatchPods) notes.push('policy-cidr-match-mode: pods: CIDR rules and ipBlock also match the pods whose addresses they hold; the model does not know pod addresses, so such a verdict on a pod is uncertain unless the CIDR covers every address or none a pod can have');
  if (cidrMatchNodes) notes.push('policy-cidr-match-mode: nodes: CIDR rules and ipBlock also match the nodes whose addresses they hold (host-network pods included); the model does not know node addresses, so verdicts on nodes and host-network pods that such a rule may decide are uncertain');
  return {
    clusterName,
    defaultLocalCluster: boolSetting(data, 'policy-default-local-cluster', true, problems, 'hive'),
    l7Proxy: boolSetting(data, 'enable-l7-proxy', true, problems),
    nodeSelectorLabels: boolSetting(data, 'enable-node-selector-labels', false, problems),
    nonDefaultDenyPolicies: boolSetting(data, 'enable-non-default-deny-policies', true, problems),
    allowLocalhost: al !== 'policy',
    ipv4: boolSetting(data, 'enable-ipv4', true, problems),
    ipv6: boolSetting(data, 'enable-ipv6', false, problems),
    hostFirewall,
    routingMode: routingModeSetting(data, problems),
    enforcement,
    auditMode: boolSetting(data, 'policy-audit-mode', false, problems),
    k8sNetworkPolicy: boolSetting(data, 'enable-k8s-networkpolicy', true, problems),
    ciliumNetworkPolicy: boolSetting(data, 'enable-cilium-network-policy', true, problems),
    ciliumClusterwideNetworkPolicy: boolSetting(data, 'enable-cilium-clusterwide-network-policy', true, problems),
    k8sClusterNetworkPolicy: boolSetting(data, 'enable-k8s-cluster-network-policy', false, problems),
    cidrMatchPods,
    cidrMatchNodes,
    source: `ConfigMap ${cmNs}/${CILIUM_CONFIG_MAP}`,
    resource: { kind: 'ConfigMap', namespace: cmNs, name: CILIUM_CONFIG_MAP },
    problems,
    notes,
  };
}
