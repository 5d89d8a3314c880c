// The Cilium agent settings that change policy verdicts, read from the `cilium-config`
// ConfigMap (the agent's own configuration, in the namespace Cilium runs in) when the
// collector could read it; otherwise Cilium's defaults, said so in `source`. The enforcement
// switches are also read where the agent takes them first: its flags and CILIUM_ variables, and
// the CiliumNodeConfigs merged into its config directory (agentSwitches).

import type { ResourceRef } from '../../../base/vocabulary.ts';
import type { KubeObject, Snapshot } from '../../../snapshot/types.ts';
import type { KindKey } from '../../../snapshot/kinds.ts';
import { CNI_KINDS, ciliumCni, isCiliumAgent } from '../cni.ts';
import { configMapNotFound, configMapRead } from '../../configmaps.ts';
import { podTemplateOf } from '../../workloads.ts';
import { DEFAULT_PARSE_OPTIONS, type CiliumParseOptions } from './parse.ts';
import { boolSwitch, containerArgv, flagValue, flagValues, goParseBool } from '../../flags.ts';

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
  /**
   * The enforcement switches set elsewhere than cilium-config (an agent flag or variable, a
   * CiliumNodeConfig for every node), each as people read where: "cilium-agent (DaemonSet
   * kube-system/cilium) runs with --enable-policy=never".
   */
  setBy: Partial<Record<AgentKey, string>>;
  /**
   * The enforcement switches whose value cannot be told (a flag or variable from a value the spec
   * does not show, agents or nodes that differ, CiliumNodeConfigs not read), each with why: the
   * value below them is evaluated, and no verdict resting on it is vouched for.
   */
  unconfirmed: Partial<Record<AgentKey, string>>;
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
  setBy: {},
  unconfirmed: {},
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
  const namespace = cilium?.namespace ?? 'kube-system';
  // And the ConfigMaps the agent's CILIUM_ variables of the enforcement switches come from (envLayer).
  const names = new Set<string>();
  for (const { c } of ciliumAgents(snapshot)) {
    const switches = new Set(Object.keys(AGENT_KEYS).map(envName));
    for (const e of Array.isArray(c.env) ? c.env : []) {
      const ref = (e as { name?: unknown; valueFrom?: { configMapKeyRef?: { name?: unknown } } } | undefined);
      if (typeof ref?.name === 'string' && switches.has(ref.name) && typeof ref.valueFrom?.configMapKeyRef?.name === 'string') names.add(ref.valueFrom.configMapKeyRef.name);
    }
    for (const f of Array.isArray(c.envFrom) ? c.envFrom : []) {
      const name = (f as { configMapRef?: { name?: unknown } } | undefined)?.configMapRef?.name;
      if (typeof name === 'string') names.add(name);
    }
  }
  names.delete(CILIUM_CONFIG_MAP);
  return [{ namespace, name: CILIUM_CONFIG_MAP }, ...[...names].sort().map((name) => ({ namespace, name }))];
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

/** enable-policy: default, always or never (pkg/option/config.go@v1.20.2 lower-cases it). */
function enforcementSetting(data: Record<string, unknown>, problems: string[]): EnforcementMode {
  const ep = data['enable-policy'];
  if (typeof ep !== 'string' || ep === '') return 'default';
  const v = ep.trim().toLowerCase();
  if (v === 'default' || v === 'always' || v === 'never') return v;
  problems.push(`enable-policy: "${ep}" is not default, always or never; Cilium's default is assumed`);
  return 'default';
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
    const agent = agentSwitches(snapshot, {});
    const data = agent.data;
    return {
      ...DEFAULT_SETTINGS,
      enforcement: enforcementSetting(data, []),
      auditMode: boolSetting(data, 'policy-audit-mode', false, []),
      k8sNetworkPolicy: boolSetting(data, 'enable-k8s-networkpolicy', true, []),
      ciliumNetworkPolicy: boolSetting(data, 'enable-cilium-network-policy', true, []),
      ciliumClusterwideNetworkPolicy: boolSetting(data, 'enable-cilium-clusterwide-network-policy', true, []),
      k8sClusterNetworkPolicy: boolSetting(data, 'enable-k8s-cluster-network-policy', false, []),
      source: `Cilium defaults (${why})`,
      setBy: agent.setBy,
      unconfirmed: agent.unconfirmed,
      problems: [],
      notes: [],
    };
  }
  const cmNs = cm.metadata?.namespace ?? 'default';
  const cmData = cm.data && typeof cm.data === 'object' && !Array.isArray(cm.data) ? (cm.data as Record<string, unknown>) : {};
  const agent = agentSwitches(snapshot, cmData);
  const data = agent.data;
  const problems: string[] = [];
  const notes: string[] = [];
  const enforcement = enforcementSetting(data, problems);
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
    setBy: agent.setBy,
    unconfirmed: agent.unconfirmed,
    problems,
    notes,
  };
}

/**
 * The switches that turn enforcement off or an API's watch off, with their defaults
 * (pkg/defaults/defaults.go@v1.20.2; enable-policy's is option.DefaultEnforcement). Each is a
 * cilium-agent flag bound to the variable CILIUM_ + the key upper-cased, '-' as '_'
 * (daemon/cmd/daemon_main.go flags.Bool/String + option.BindEnv; pkg/option/config.go getEnvName).
 */
const AGENT_KEYS = {
  'enable-policy': 'default',
  'policy-audit-mode': false,
  'enable-k8s-networkpolicy': true,
  'enable-cilium-network-policy': true,
  'enable-cilium-clusterwide-network-policy': true,
  'enable-k8s-cluster-network-policy': false,
} as const satisfies Record<string, string | boolean>;

export type AgentKey = keyof typeof AGENT_KEYS;

/** A switch's value as one layer gives it (`from` says where, for people), or why it cannot be told. */
type Layered = { value: string; from: string } | { unknown: string };

type AgentContainer = { name?: unknown; command?: unknown; args?: unknown; env?: unknown; envFrom?: unknown };

/** The Cilium agent DaemonSets of Cilium's namespace (isCiliumAgent), each with its cilium-agent container. */
function ciliumAgents(snapshot: Snapshot): Array<{ o: KubeObject; c: AgentContainer; who: string; init: AgentContainer[] }> {
  const ns = ciliumNamespace(snapshot);
  if (ns === undefined) return [];
  const out: Array<{ o: KubeObject; c: AgentContainer; who: string; init: AgentContainer[] }> = [];
  for (const o of snapshot.resources.daemonsets ?? []) {
    if ((o.metadata?.namespace ?? 'default') !== ns || !isCiliumAgent(o)) continue;
    const spec = podTemplateOf(o)?.spec as { containers?: unknown; initContainers?: unknown } | undefined;
    const list = (x: unknown) => (Array.isArray(x) ? x.filter((c): c is AgentContainer => !!c && typeof c === 'object') : []);
    // The chart's container runs `cilium-agent` (install/kubernetes/cilium/templates/cilium-agent/daemonset.yaml@v1.20.2).
    const c = list(spec?.containers).find((x) => x.name === 'cilium-agent' || /(?:^|\/)cilium-agent$/.test(String(Array.isArray(x.command) ? x.command[0] : '')));
    if (c) out.push({ o, c, who: `cilium-agent (DaemonSet ${ns}/${o.metadata?.name ?? ''})`, init: list(spec?.initContainers) });
  }
  return out;
}

/** The variable cilium-agent reads a key from (pkg/option/config.go@v1.20.2 getEnvName). */
const envName = (key: string) => `CILIUM_${key.toUpperCase().replaceAll('-', '_')}`;

/**
 * A key as the agent container's flags give it (pflag: the last one given; a boolean as flags.ts
 * boolSwitch reads it), expanded as the kubelet does; undefined when no flag sets it.
 */
function flagLayer(c: AgentContainer, key: AgentKey, who: string): Layered | undefined {
  const argv = containerArgv(c);
  const given = argv.filter((a) => new RegExp(`^--?${key}(?:=|$)`).test(a.arg));
  if (!given.length) return undefined;
  const byDefault = AGENT_KEYS[key];
  if (typeof byDefault === 'boolean') {
    const s = boolSwitch(c, key, byDefault, who);
    return s.state === 'unknown' ? { unknown: s.why } : { value: String(s.state === 'on'), from: s.why };
  }
  // A string flag: --key=value, or --key value (the next argument).
  const at = argv.lastIndexOf(given[given.length - 1]!);
  const holder = argv[at]!.arg.includes('=') ? argv[at]! : argv[at + 1];
  if (holder?.unresolved.length) return { unknown: `${who} sets --${key} from an environment variable (${JSON.stringify(holder.written)}) whose value is not read: its env does not write out a value for ${holder.unresolved.map((n) => JSON.stringify(n)).join(', ')}` };
  const value = flagValue(argv.map((a) => a.arg), key);
  return value === undefined ? undefined : { value, from: `${who} runs with --${key}=${value}` };
}

/**
 * A key as the agent container's variable CILIUM_<KEY> gives it: viper reads it before the config
 * directory, and an empty one as unset (viper@v1.21.0 getEnv, AllowEmptyEnv off). A value from a
 * ConfigMap key is read when the snapshot holds that ConfigMap; from anything else (a Secret, a
 * field, an envFrom source not read) it cannot be told.
 */
function envLayer(snapshot: Snapshot, namespace: string, c: AgentContainer, key: AgentKey, who: string): Layered | undefined {
  const name = envName(key);
  const entries = Array.isArray(c.env) ? c.env.filter((e): e is Record<string, unknown> => !!e && typeof e === 'object' && (e as { name?: unknown }).name === name) : [];
  const e = entries[entries.length - 1];
  const found = (value: string, how: string): Layered | undefined => (value === '' ? undefined : { value, from: `${who} has ${name}=${JSON.stringify(value)} in its env${how}` });
  if (!e) {
    // envFrom sources set any variable env does not (the kubelet applies envFrom first).
    for (const f of Array.isArray(c.envFrom) ? [...c.envFrom].reverse() : []) {
      const ref = (f as { configMapRef?: { name?: unknown } } | undefined)?.configMapRef;
      const prefix = typeof (f as { prefix?: unknown })?.prefix === 'string' ? (f as { prefix: string }).prefix : '';
      if (!name.startsWith(prefix)) continue;
      if (typeof ref?.name !== 'string') return { unknown: `${who} takes variables from a source ztaudit does not read (envFrom), which may set ${name}` };
      const cm = configMapRead(snapshot, { namespace, name: ref.name });
      if (!cm) return { unknown: `${who} takes variables from ConfigMap ${namespace}/${ref.name} (envFrom), which was not read and may set ${name}` };
      const v = (cm.data as Record<string, unknown> | undefined)?.[name.slice(prefix.length)];
      if (typeof v === 'string') return found(v, ` (from ConfigMap ${namespace}/${ref.name}, envFrom)`);
    }
    return undefined;
  }
  if (typeof e.value === 'string' && e.value !== '') {
    const [x] = containerArgv({ env: c.env, args: [`$(${name})`] });
    return x!.unresolved.length ? { unknown: `${who} sets ${name} from variables whose value is not read (${x!.unresolved.map((n) => JSON.stringify(n)).join(', ')})` } : found(x!.arg, '');
  }
  const from = e.valueFrom as { configMapKeyRef?: { name?: unknown; key?: unknown; optional?: unknown } } | undefined;
  if (!from) return undefined;
  const ref = from.configMapKeyRef;
  if (typeof ref?.name !== 'string' || typeof ref.key !== 'string') return { unknown: `${who} sets ${name} from a source ztaudit does not read (valueFrom)` };
  const cm = configMapRead(snapshot, { namespace, name: ref.name });
  const v = (cm?.data as Record<string, unknown> | undefined)?.[ref.key];
  if (typeof v === 'string') return found(v, ` (key ${ref.key} of ConfigMap ${namespace}/${ref.name})`);
  if (cm && ref.optional === true) return undefined;
  return { unknown: `${who} sets ${name} from key ${JSON.stringify(ref.key)} of ConfigMap ${namespace}/${ref.name}, which ${cm ? 'has no such key' : 'was not read'}` };
}

/** How strongly a value of a switch enforces: a lower value enforces less (never < default < always; audit mode on < off; an API unwatched < watched). */
function strength(key: AgentKey, value: string): number {
  if (key === 'enable-policy') return ['never', 'default', 'always'].indexOf(enforcementSetting({ 'enable-policy': value }, []));
  // DaemonConfig.Populate reads these with vp.GetBool: a value ParseBool refuses is false.
  const on = goParseBool(value.trim()) ?? false;
  return key === 'policy-audit-mode' ? (on ? 0 : 1) : on ? 1 : 0;
}

/** How an agent's build-config init container builds its config directory for a key: the CiliumNodeConfig sources that may set it, and whether a `node:` source may. */
interface BuildSources {
  nodeConfigs: { namespace: string; name?: string }[];
  node: boolean;
}

/**
 * The CiliumNodeConfigs' layer for a key: the cilium-dbg build-config init container writes the
 * agent's config directory from cilium-config and then, over it, its sources in order
 * (pkg/option/resolver/resolver.go@v1.20.2 ResolveConfigurations, mergeConfig; default sources
 * config-map:cilium-config, cilium-node-config:<namespace>): a `cilium-node-config:<ns>` source
 * the `defaults` of every CiliumNodeConfig of that namespace whose nodeSelector matches the node
 * (an empty one matches every node; none, no node), the later by name winning; a
 * `cilium-node-config:<ns>/<name>` source that one config, whatever its nodeSelector
 * (readNodeConfigs); a `node:` source the Node's labels and annotations config.cilium.io/<key>
 * (readNodeOverrides), which the snapshot does not keep. The model does not place pods on nodes:
 * a value for some nodes only is unconfirmed. Without such an init container to show the
 * directory is built so (`built` undefined), a weakening value of a CiliumNodeConfig of Cilium's
 * namespace is unconfirmed and a strengthening one is not taken.
 */
function nodeConfigLayer(snapshot: Snapshot, namespace: string, key: AgentKey, below: string | undefined, built: BuildSources | undefined): Layered | undefined {
  if (built?.node) {
    const under = nodeConfigLayer(snapshot, namespace, key, below, { ...built, node: false });
    const over = under ? ` (below it, ${'value' in under ? under.from : 'CiliumNodeConfigs set it'})` : '';
    return { unknown: `the agent's cilium-dbg build-config init container takes a Node source (--source node:), where a Node's label or annotation config.cilium.io/${key} sets ${key} for that node${over}, and ztaudit does not keep Nodes' annotations` };
  }
  const coverage = snapshot.coverage['cilium.nodeconfigs'];
  const sources = built?.nodeConfigs ?? [{ namespace }];
  if (!sources.length) return undefined;
  if (coverage && (coverage.status === 'forbidden' || coverage.status === 'error')) return { unknown: `CiliumNodeConfigs (ciliumnodeconfigs.cilium.io) could not be read (${coverage.status}), and one may set ${key} for some or all nodes` };
  const objects = snapshot.resources['cilium.nodeconfigs'] ?? [];
  const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const everyNode = (sel: Record<string, unknown>) => Object.keys((sel.matchLabels as object | undefined) ?? {}).length === 0 && (!Array.isArray(sel.matchExpressions) || sel.matchExpressions.length === 0);
  const configs = sources.flatMap((src) => objects
    .filter((o) => (o.metadata?.namespace ?? 'default') === src.namespace && (src.name === undefined || o.metadata?.name === src.name))
    .map((o) => ({ namespace: src.namespace, name: o.metadata?.name ?? '', named: src.name !== undefined, spec: (o.spec ?? {}) as { nodeSelector?: unknown; defaults?: unknown } }))
    .filter((x) => x.spec.defaults && typeof x.spec.defaults === 'object' && typeof (x.spec.defaults as Record<string, unknown>)[key] === 'string' && (x.named || (x.spec.nodeSelector && typeof x.spec.nodeSelector === 'object')))
    .sort(byName));
  if (!configs.length) return undefined;
  const all = (x: (typeof configs)[number]) => x.named || everyNode(x.spec.nodeSelector as Record<string, unknown>);
  const where = (x: (typeof configs)[number], every: boolean) => `CiliumNodeConfig ${x.namespace}/${x.name} sets ${key} to ${JSON.stringify((x.spec.defaults as Record<string, string>)[key])} for ${every ? 'every node' : 'the nodes its nodeSelector picks'}${x.named ? ' (build-config names it as a source)' : ''}`;
  const valueOf = (x: (typeof configs)[number]) => (x.spec.defaults as Record<string, string>)[key]!;
  const lastAll = configs.map((x, i) => [x, i] as const).filter(([x]) => all(x)).pop();
  const base = built && lastAll ? valueOf(lastAll[0]) : below;
  const baseStrength = strength(key, base ?? String(AGENT_KEYS[key]));
  for (const [x, i] of configs.map((y, j) => [y, j] as const)) {
    const every = all(x);
    if (built && (every || (lastAll && i < lastAll[1]))) continue;
    const s = strength(key, valueOf(x));
    if (built ? s !== baseStrength : s < baseStrength) {
      return { unknown: built
        ? `${where(x, false)}, and ztaudit does not place pods on nodes`
        : `${where(x, every)}, and the agent DaemonSet shows no cilium-dbg build-config init container to tell whether its config directory takes CiliumNodeConfigs` };
    }
  }
  return built && lastAll ? { value: valueOf(lastAll[0]), from: where(lastAll[0], true) } : undefined;
}

/**
 * The sources an agent's build-config init container builds its config directory from that may
 * set `key` over cilium-config, or undefined when no build-config init container shows how the
 * directory is built. --source, --allow-config-keys and --deny-config-keys are pflag slices
 * (cilium-dbg/cmd/build-config.go@v1.20.2): every use adds to the list, each split on commas.
 * The allow or deny list keeps a key from every source but the first (resolver.go
 * ResolveConfigurations), which here is cilium-config's own.
 */
function buildSources(init: readonly AgentContainer[], key: AgentKey, namespace: string): BuildSources | undefined {
  const bc = init.find((c) => containerArgv(c).some((a) => a.arg === 'build-config'));
  if (!bc) return undefined;
  const argv = containerArgv(bc).map((a) => a.arg);
  const list = (flag: string) => flagValues(argv, flag).flatMap((v) => v.split(',')).map((x) => x.trim()).filter((x) => x !== '');
  const given = list('source');
  const sources = given.length ? given : ['config-map:cilium-config', `cilium-node-config:${namespace}`];
  const allow = list('allow-config-keys');
  const overridable = allow.length ? allow.includes(key) : !list('deny-config-keys').includes(key);
  const out: BuildSources = { nodeConfigs: [], node: false };
  sources.forEach((src, i) => {
    if (i > 0 && !overridable) return;
    const at = src.indexOf(':');
    const kind = at < 0 ? src : src.slice(0, at);
    const [ns, name] = (at < 0 ? '' : src.slice(at + 1)).split('/', 2) as [string, string | undefined];
    if (kind === 'node') out.node = true;
    else if (kind === 'cilium-node-config') out.nodeConfigs.push({ namespace: ns || namespace, ...(name ? { name } : {}) });
  });
  return out;
}

/**
 * The enforcement switches as cilium-agent resolves them, over cilium-config's data: viper takes a
 * changed flag first, then the variable, then the config directory (spf13/viper@v1.21.0 find;
 * pkg/option/config.go@v1.20.2 InitConfig merges the directory as the config layer), and the
 * CiliumNodeConfigs are part of that directory (nodeConfigLayer), below the flags and variables.
 * Agents of several DaemonSets that disagree leave a switch unconfirmed.
 */
function agentSwitches(snapshot: Snapshot, cmData: Record<string, unknown>): { data: Record<string, unknown>; setBy: Partial<Record<AgentKey, string>>; unconfirmed: Partial<Record<AgentKey, string>> } {
  const agents = ciliumAgents(snapshot);
  const namespace = ciliumNamespace(snapshot);
  const data = { ...cmData };
  const setBy: Partial<Record<AgentKey, string>> = {};
  const unconfirmed: Partial<Record<AgentKey, string>> = {};
  if (namespace === undefined) return { data, setBy, unconfirmed };
  for (const key of Object.keys(AGENT_KEYS) as AgentKey[]) {
    const below = typeof cmData[key] === 'string' ? (cmData[key] as string) : cmData[key] === undefined || cmData[key] === null ? undefined : String(cmData[key]);
    // One layer per way of building the directory: the agents of one DaemonSet share it.
    const dirs = new Map<string, Layered | undefined>();
    const dirOf = (built: BuildSources | undefined) => {
      const id = JSON.stringify(built ?? null);
      if (!dirs.has(id)) dirs.set(id, nodeConfigLayer(snapshot, namespace, key, below, built));
      return dirs.get(id);
    };
    const dir = agents.length ? undefined : dirOf(undefined);
    const layers = agents.map((a) => flagLayer(a.c, key, a.who) ?? envLayer(snapshot, namespace, a.c, key, a.who) ?? dirOf(buildSources(a.init, key, namespace)));
    const doubt = layers.find((l): l is { unknown: string } => l !== undefined && 'unknown' in l);
    const known = layers.map((l) => (l && 'value' in l ? l : undefined));
    const values = new Set(known.map((l) => (l ? strength(key, l.value) : strength(key, below ?? String(AGENT_KEYS[key])))));
    if (doubt) unconfirmed[key] = doubt.unknown;
    else if (values.size > 1) unconfirmed[key] = `the Cilium agents disagree on ${key}: ${agents.map((a, i) => `${a.who} ${known[i] ? `by ${known[i]!.from}` : 'by cilium-config or its default'}`).join('; ')}`;
    else if (known[0]) {
      data[key] = known[0].value;
      setBy[key] = known[0].from;
    }
    if (!agents.length && dir) {
      if ('unknown' in dir) unconfirmed[key] = dir.unknown;
    }
  }
  return { data, setBy, unconfirmed };
}
