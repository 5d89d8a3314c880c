// How the running CNI composes the policy APIs: which APIs it enforces and the ordered
// stages their policies form (docs/network-model.md, "Precedence per CNI"). The engine
// evaluates stages; this file only decides them.

import type { CniDetection } from './cni.ts';
import type { LayerPolicy, PolicyApi, PolicySettings, Stage, TierSpec } from './layers.ts';
import { ANTREA_BASELINE_TIER } from './antrea.ts';

export type CompositionName = 'kubernetes' | 'calico' | 'cilium';

export interface Composition {
  name: CompositionName;
  /** Why this composition: "calico (DaemonSet kube-system/calico-node)", "no CNI recognised; Calico policies present". */
  basis: string;
  /** Stages in evaluation order. */
  stages: Stage[];
  /** The stage index of an enforced policy, or undefined when the CNI does not enforce it. */
  stageOf(p: LayerPolicy): number | undefined;
  /** The order a policy takes within its stage (Kubernetes NetworkPolicies sit at 1000 in Calico's default tier). */
  orderOf(p: LayerPolicy): number | undefined;
  /** What breaks a tie of order within a stage (Calico: the key its release compares). */
  sortKeyOf(p: LayerPolicy): string;
  /** Calico only, when its release is unknown: ties are broken as the newest release does, and a tie across kinds is noted. */
  tieRuleAssumed?: string;
  fallback: 'allow' | 'deny';
  fallbackReason?: string;
  /**
   * Cilium: a host-network pod is no Cilium endpoint (it carries the node's identity), so neither
   * pod policies nor the fallback govern its own side of a flow. Per direction: open, or — the
   * host firewall on and a host policy (or enforcement 'always') governing that direction —
   * unknown, as host policies are not evaluated. Undefined elsewhere.
   */
  hostNetwork?: Record<'ingress' | 'egress', { unknown: boolean; reason: string }>;
  /**
   * Cilium with allow-localhost auto or always: a host-network pod on the destination's node
   * reaches it whatever its ingress policy says, and the model does not place pods on nodes; why
   * a denial of such a flow is uncertain.
   */
  localhostDoubt?: string;
  /**
   * Calico: the host's traffic to its own pods skips their ingress policy altogether, so a Deny
   * rule does not stop it either (Cilium's allow-localhost is an allow that a Deny beats): every
   * denial of a host-network source at a pod's ingress is in doubt, not only isolation's.
   */
  localhostBeatsDeny?: true;
  /** Why the CNI, able to enforce policy, is set to enforce none (Cilium's enable-policy never, policy-audit-mode; Felix's dropActionOverride Accept). */
  switchedOff?: string;
  /**
   * Why whether the CNI enforces any policy cannot be confirmed (Cilium's enable-policy or
   * policy-audit-mode, Felix's dropActionOverride, from a value not shown or differing by node):
   * no answer is vouched for.
   */
  switchUnconfirmed?: string;
  /** With `switchUnconfirmed`, how the model evaluates all the same, for people: "as cilium-config says". */
  switchAssumed?: string;
  /** APIs present in the snapshot that the CNI does not enforce, with the reason. */
  decorative: Map<PolicyApi, string>;
  /**
   * APIs present in the snapshot that the CNI is taken to enforce without it being confirmed
   * (CniPlugin.unconfirmed: a switch set from the environment, an image naming no release), with
   * why: their policies are evaluated, and no answer is vouched for (the model's `unread`).
   */
  unconfirmed: Map<PolicyApi, string>;
  /**
   * The same doubt for APIs of which no object is present: nothing rests on it yet, but a pass
   * must not claim their enforcement.
   */
  unconfirmedAbsent: Map<PolicyApi, string>;
  /** Why the CNI does not enforce an API, present or not (as `decorative` says it); undefined when it does. */
  notEnforced(api: PolicyApi): string | undefined;
}

/**
 * Calico's built-in tiers (api/pkg/apis/projectcalico/v3/tier.go orders; names in
 * libcalico-go/lib/names/policy.go). Up to v3.31 AdminNetworkPolicies and the
 * BaselineAdminNetworkPolicy sit in the tiers adminnetworkpolicy and baselineadminnetworkpolicy;
 * v3.32 removes those tiers with those APIs and puts ClusterNetworkPolicies in kube-admin and
 * kube-baseline, of the same orders (release-notes/v3.32.0-release-notes.md, calico#11144 and
 * #10810; conversion/clusternetworkpolicy.go clusterNetworkPolicyTier). Each release enforces one
 * generation (cni.ts), so a policy's API names the tier of the release that enforces it.
 */
export const CALICO_ADMIN_TIER: TierSpec = { name: 'adminnetworkpolicy', order: 1_000, defaultAction: 'Pass' };
export const CALICO_DEFAULT_TIER: TierSpec = { name: 'default', order: 1_000_000, defaultAction: 'Deny' };
export const CALICO_BASELINE_TIER: TierSpec = { name: 'baselineadminnetworkpolicy', order: 10_000_000, defaultAction: 'Pass' };
export const CALICO_KUBE_ADMIN_TIER: TierSpec = { name: 'kube-admin', order: 1_000, defaultAction: 'Pass' };
export const CALICO_KUBE_BASELINE_TIER: TierSpec = { name: 'kube-baseline', order: 10_000_000, defaultAction: 'Pass' };
/** Calico places Kubernetes NetworkPolicies in the default tier at this order. */
export const CALICO_K8S_NP_ORDER = 1000;

/**
 * Felix's tie-break between policies of equal order in a tier (felix/calc/policy_sorter.go,
 * PolKVLess). From v3.32.0 it compares "name/namespace/kind", a Kubernetes NetworkPolicy
 * being kind KubernetesNetworkPolicy under its own name (libcalico-go/lib/backend/k8s/conversion
 * K8sNetworkPolicyToCalico). Up to v3.31 it compares the v1 key's Name alone: "namespace/name"
 * for a Calico NetworkPolicy and the name for a GlobalNetworkPolicy
 * (libcalico-go/lib/backend/syncersv1/updateprocessors), and a Kubernetes NetworkPolicy is the
 * NetworkPolicy "knp.default.<name>" (names.K8sNetworkPolicyNamePrefix), so "namespace/knp.default.<name>".
 * A ClusterNetworkPolicy is kind KubernetesClusterNetworkPolicy (model.KindKubernetesClusterNetworkPolicy).
 */
function calicoSortKey(p: LayerPolicy, legacy: boolean): string {
  // A ClusterNetworkPolicy (v3.32 on) is kind KubernetesClusterNetworkPolicy under its own name
  // (conversion/clusternetworkpolicy.go), ordered with the Calico policies of its tier.
  if (p.api === 'ClusterNetworkPolicy') return `${p.ref.name}//KubernetesClusterNetworkPolicy`;
  if (p.layer === 'networkpolicy') return legacy ? `${p.namespace ?? ''}/knp.default.${p.ref.name}` : `${p.ref.name}/${p.namespace ?? ''}/KubernetesNetworkPolicy`;
  if (p.layer === 'calico' && legacy) return p.displayName ?? p.id;
  return p.sortName;
}

/** Whether a Calico release ("v3.31.2") breaks ties the way releases before v3.32 do; undefined when unknown. */
function calicoLegacyTies(version: string | undefined): boolean | undefined {
  const m = version === undefined ? null : /^v(\d+)\.(\d+)\./.exec(version);
  return m ? Number(m[1]) < 3 || (Number(m[1]) === 3 && Number(m[2]) < 32) : undefined;
}

/** Each policy API as people name it in a message. */
export const API_NAMES: Record<PolicyApi, string> = {
  NetworkPolicy: 'NetworkPolicy',
  AdminNetworkPolicy: 'AdminNetworkPolicy',
  BaselineAdminNetworkPolicy: 'BaselineAdminNetworkPolicy',
  ClusterNetworkPolicy: 'ClusterNetworkPolicy',
  Calico: 'Calico policies',
  Cilium: 'CiliumNetworkPolicy',
  CiliumClusterwide: 'CiliumClusterwideNetworkPolicy',
  Antrea: 'Antrea-native policies (crd.antrea.io)',
};

const CILIUM_NEVER = (by = 'cilium-config enable-policy') => `Cilium's policy enforcement mode is 'never' (${by}): no policy is enforced`;
const CILIUM_AUDIT = (by = 'cilium-config policy-audit-mode') => `Cilium runs in policy audit mode (${by}): it logs the verdicts of every policy and enforces none, allowing all traffic`;
const CILIUM_LOCALHOST = "a host-network source on the destination's node is the host there, which Cilium's allow-localhost (cilium-config; auto means always under Kubernetes, daemon/cmd/daemon.go) lets reach the node's pods whatever their ingress policy says; from another node it is remote-node and the policy decides. The model does not place pods on nodes, so whether they share one is not known";
const CALICO_LOCALHOST = "a host-network source on the destination's node is the host there, and Felix does not apply a pod's ingress policy to traffic from its own host (felix/rules/static.go filterOutputChain, and the eBPF dataplane's felix/bpf-gpl/tc.c \"Host to workload traffic always allowed\", Calico v3.32.1): it reaches the node's pods whatever their policies say, Deny rules included; from another node the policy decides. The model does not place pods on nodes, so whether they share one is not known";
/**
 * Felix's dropActionOverride Accept or LogAndAccept (calico/felix.ts): "the packet will be still be
 * allowed through" (docs.tigera.io/calico-cloud/visibility/iptables), whatever policy denies it.
 */
const CALICO_DROP_ACCEPTED = (by: string) => `Calico's Felix accepts every packet policy denies (${by}; dropActionOverride Accept or LogAndAccept, a Calico Enterprise and Calico Cloud setting): no policy is enforced, allowing all traffic`;
const CILIUM_KCNP_OFF = "cilium-config does not set enable-k8s-cluster-network-policy to true (its default is false): the Cilium agent does not watch ClusterNetworkPolicies";

/**
 * What switches the Cilium agent off as a whole (enforcement 'never', audit mode), and the APIs
 * it does not watch (its cilium-config switches; ClusterNetworkPolicy is off unless turned on).
 */
function ciliumSwitches(settings: PolicySettings): { off?: string; apisOff: Partial<Record<PolicyApi, string>> } {
  const off = settings.ciliumEnforcement === 'never' ? CILIUM_NEVER(settings.ciliumSetBy?.enforcement) : settings.ciliumAuditMode ? CILIUM_AUDIT(settings.ciliumSetBy?.auditMode) : undefined;
  return { ...(off ? { off } : {}), apisOff: { ...(settings.ciliumClusterNetworkPolicy ? {} : { ClusterNetworkPolicy: CILIUM_KCNP_OFF }), ...settings.ciliumApisOff } };
}

/**
 * Cilium's tiers once it enforces ClusterNetworkPolicy: Admin, then the NetworkPolicy tier
 * (NetworkPolicy, CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy in one union), then
 * Baseline (Cilium v1.20.2 Documentation/network/kubernetes/policy.rst, "Tiers";
 * pkg/k8s/cluster_network_policy.go maps Deny, Pass and Accept and the two tiers): the stages
 * the Kubernetes composition has for the same tiers.
 */
function ciliumStages(withClusterPolicies: boolean): { stages: Stage[]; stageOf: (p: LayerPolicy) => number | undefined } {
  const union: Stage = { key: 'cilium', label: 'Cilium policies', mode: 'union', noMatch: 'next' };
  if (!withClusterPolicies) return { stages: [union], stageOf: (p) => (p.layer === 'networkpolicy' || p.layer === 'cilium' ? 0 : undefined) };
  const stages: Stage[] = [
    { key: 'admin', label: 'ClusterNetworkPolicy Admin tier', mode: 'first-match', noMatch: 'next' },
    union,
    { key: 'baseline', label: 'ClusterNetworkPolicy Baseline tier', mode: 'first-match', noMatch: 'next' },
  ];
  return { stages, stageOf: (p) => (p.layer === 'admin' ? 0 : p.layer === 'networkpolicy' || p.layer === 'cilium' ? 1 : p.layer === 'baseline' ? 2 : undefined) };
}

const ORDER: CompositionName[] = ['calico', 'cilium', 'kubernetes'];

function compositionFor(plugin: { name: string }): CompositionName {
  if (plugin.name === 'calico' || plugin.name === 'canal') return 'calico';
  if (plugin.name === 'cilium') return 'cilium';
  return 'kubernetes';
}

function kubernetesStages(): { stages: Stage[]; stageOf: (p: LayerPolicy) => number | undefined } {
  const stages: Stage[] = [
    { key: 'admin', label: 'AdminNetworkPolicy', mode: 'first-match', noMatch: 'next' },
    { key: 'networkpolicy', label: 'NetworkPolicy', mode: 'union', noMatch: 'next' },
    { key: 'baseline', label: 'BaselineAdminNetworkPolicy', mode: 'first-match', noMatch: 'next' },
  ];
  return { stages, stageOf: (p) => (p.layer === 'admin' ? 0 : p.layer === 'networkpolicy' ? 1 : p.layer === 'baseline' ? 2 : undefined) };
}

/**
 * Antrea's tier priorities of the admin APIs: "the AdminNetworkPolicy objects are associated with a
 * tier priority lower than Antrea-native policies, but higher than K8s NetworkPolicies. Similarly,
 * baseline-tier Antrea-native policies will have a higher precedence over the
 * BaselineAdminNetworkPolicy object" (antrea-io/antrea docs/admin-network-policy.md at v2.2.0);
 * pkg/controller/networkpolicy/adminnetworkpolicy.go:30-32 gives them tier priorities 251 and 254
 * (the BANP priority 1), beside Application's 250 and Baseline's 253.
 */
const ANTREA_ANP_TIER = 251;
const ANTREA_BANP_TIER = 254;
/** Policy priorities lie in 1.0-10000.0 (Antrea) and 0-1000 (ANP): one tier's span never reaches the next. */
const ANTREA_TIER_SPAN = 100_000;

/**
 * Under Antrea with Antrea-native policies present: every tier before the NetworkPolicies is one
 * first-match stage, ordered by tier priority then policy priority, because "A "Pass" rule [...]
 * skips this packet for further Antrea-native policy rule evaluations in regular Tiers, and
 * delegates the decision to K8s namespaced NetworkPolicies" (docs/antrea-network-policy.md at
 * v2.2.0, "Antrea ClusterNetworkPolicy", action): a Pass skips the rest of the stage, the
 * AdminNetworkPolicies (tier priority 251) with it. The agent puts every tier's rules but the
 * baseline's (253) and the BaselineAdminNetworkPolicy's (254) in one OVS table
 * (pkg/agent/controller/networkpolicy/pod_reconciler.go:370 at v2.2.0), and a Pass goes straight
 * to the NetworkPolicies' table (pkg/agent/openflow/pipeline.go:1861-1885, conjunctionActionPassFlow).
 * Then the NetworkPolicies; then the baseline tier and the BaselineAdminNetworkPolicy, tested "If no
 * K8s NetworkPolicy matches this traffic".
 */
function antreaStages(): { stages: Stage[]; stageOf: (p: LayerPolicy) => number | undefined; orderOf: (p: LayerPolicy) => number | undefined } {
  const stages: Stage[] = [
    { key: 'antrea', label: 'Antrea-native policy tiers and AdminNetworkPolicy', mode: 'first-match', noMatch: 'next' },
    { key: 'networkpolicy', label: 'NetworkPolicy', mode: 'union', noMatch: 'next' },
    { key: 'baseline', label: 'Antrea baseline tier and BaselineAdminNetworkPolicy', mode: 'first-match', noMatch: 'next' },
  ];
  const baseline = (p: LayerPolicy) => p.layer === 'baseline' || (p.layer === 'antrea' && p.tier === ANTREA_BASELINE_TIER);
  const stageOf = (p: LayerPolicy) => (p.layer === 'networkpolicy' ? 1 : baseline(p) ? 2 : p.layer === 'admin' || p.layer === 'antrea' ? 0 : undefined);
  const tierOf = (p: LayerPolicy) => (p.layer === 'antrea' ? p.tierOrder : p.layer === 'admin' ? ANTREA_ANP_TIER : p.layer === 'baseline' ? ANTREA_BANP_TIER : undefined);
  // The BaselineAdminNetworkPolicy singleton has no priority: the last of its tier.
  const orderOf = (p: LayerPolicy) => { const t = tierOf(p); return t === undefined ? p.order : t * ANTREA_TIER_SPAN + (p.order ?? ANTREA_TIER_SPAN - 1); };
  return { stages, stageOf, orderOf };
}

/** `legacy`: the release is before v3.32 (true), from it (false), or unknown (undefined: both generations' admin tiers). */
function calicoStages(tiers: readonly TierSpec[], legacy: boolean | undefined): { stages: Stage[]; stageOf: (p: LayerPolicy) => number | undefined } {
  const byName = new Map<string, TierSpec>();
  const builtin = [...(legacy !== false ? [CALICO_ADMIN_TIER, CALICO_BASELINE_TIER] : []), ...(legacy !== true ? [CALICO_KUBE_ADMIN_TIER, CALICO_KUBE_BASELINE_TIER] : []), CALICO_DEFAULT_TIER];
  for (const t of [...builtin, ...tiers]) byName.set(t.name, t);
  const sorted = [...byName.values()].sort((a, b) => (a.order ?? Infinity) - (b.order ?? Infinity) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const index = new Map(sorted.map((t, i) => [t.name, i]));
  const stages: Stage[] = sorted.map((t) => ({ key: `tier:${t.name}`, label: `Calico tier ${t.name}`, mode: 'first-match', noMatch: t.defaultAction === 'Pass' ? 'next' : 'deny' }));
  const tierOf = (p: LayerPolicy): string | undefined => {
    switch (p.layer) {
      case 'admin': return (p.api === 'ClusterNetworkPolicy' ? CALICO_KUBE_ADMIN_TIER : CALICO_ADMIN_TIER).name;
      case 'baseline': return (p.api === 'ClusterNetworkPolicy' ? CALICO_KUBE_BASELINE_TIER : CALICO_BASELINE_TIER).name;
      case 'networkpolicy': return CALICO_DEFAULT_TIER.name;
      case 'calico': return p.tier ?? CALICO_DEFAULT_TIER.name;
      default: return undefined;
    }
  };
  return { stages, stageOf: (p) => { const t = tierOf(p); return t === undefined ? undefined : index.get(t); } };
}

/**
 * A host-network pod's own side under Cilium. Enforcement modes apply to endpoints
 * (docs.cilium.io/en/stable/security/policy/intro/#policy-enforcement-modes), and a host-network
 * pod is part of the host; host policies ("They apply only to the host namespace, including
 * host-networking pods", docs.cilium.io/en/stable/security/host-firewall/) are enforced only with
 * the host firewall on, and with no host policy selecting it the host stays open.
 */
function ciliumHostNetworkSide(settings: PolicySettings): NonNullable<Composition['hostNetwork']> {
  const always = settings.ciliumEnforcement === 'always';
  const side = (dir: 'ingress' | 'egress') => {
    const fw = settings.ciliumHostFirewall;
    if (!fw) return { unknown: false, reason: `host network: not a Cilium endpoint, so no pod policy${always ? " nor enforcement mode 'always'" : ''} applies, and the host firewall is off (cilium-config enable-host-firewall)` };
    const by = fw[dir];
    if (!always && by.length === 0) return { unknown: false, reason: `host network: not a Cilium endpoint, and no host policy (CiliumClusterwideNetworkPolicy with a nodeSelector) has ${dir} rules for the host firewall to enforce` };
    const why = [...(by.length ? [`host policies with ${dir} rules (${by.length > 3 ? `${by.slice(0, 3).join(', ')} and ${by.length - 3} more` : by.join(', ')})`] : []), ...(always ? ["enforcement mode 'always'"] : [])].join(' and ');
    return { unknown: true, reason: `host network: Cilium's host firewall (cilium-config enable-host-firewall) polices this pod's ${dir} on its node, under ${why}; ztaudit does not evaluate host policies` };
  };
  return { ingress: side('ingress'), egress: side('egress') };
}

/**
 * Decides the composition from the detected CNI (or, with none recognised, from the policy
 * kinds present), the tiers the Calico adapter found, and API settings.
 */
export function composeStages(cni: CniDetection, present: ReadonlySet<PolicyApi>, tiers: readonly TierSpec[], settings: PolicySettings): Composition {
  const enforcing = cni.plugins.filter((p) => p.enforces);
  // Of equal rank, an enforcer whose NetworkPolicy enforcement is confirmed first.
  const doubted = (p: { unconfirmed?: Partial<Record<PolicyApi, string>> }) => (p.unconfirmed?.NetworkPolicy !== undefined ? 1 : 0);
  const primary = enforcing.sort((a, b) => ORDER.indexOf(compositionFor(a)) - ORDER.indexOf(compositionFor(b)) || doubted(a) - doubted(b))[0];
  let name: CompositionName;
  let basis: string;
  let enforced: Set<PolicyApi>;
  let enforcer = 'the CNI';
  if (primary) {
    name = compositionFor(primary);
    basis = `${primary.name} (${primary.seenIn})`;
    enforced = new Set(primary.apis);
    enforcer = primary.name;
  } else if (cni.plugins.length) {
    // Only plugins that enforce no policy run (flannel alone, a plugin switched off): no API is enforced,
    // every policy present is decorative and traffic is allowed as if none existed.
    name = 'kubernetes';
    basis = cni.plugins.map((p) => `${p.name} (${p.seenIn})`).join(', ');
    enforced = new Set();
    enforcer = cni.plugins.map((p) => p.name).join(', ');
  } else if (present.has('Calico')) {
    name = 'calico';
    basis = 'no CNI recognised; Calico policies present';
    enforced = new Set(['NetworkPolicy', 'AdminNetworkPolicy', 'BaselineAdminNetworkPolicy', 'ClusterNetworkPolicy', 'Calico']);
  } else if (present.has('Cilium') || present.has('CiliumClusterwide')) {
    name = 'cilium';
    basis = 'no CNI recognised; Cilium policies present';
    enforced = new Set(['NetworkPolicy', 'Cilium', 'CiliumClusterwide', 'ClusterNetworkPolicy']);
  } else {
    name = 'kubernetes';
    basis = 'no CNI recognised';
    // Antrea-native policies present may be enforced by an Antrea not recognised: their doubt counts.
    enforced = new Set(['NetworkPolicy', 'AdminNetworkPolicy', 'BaselineAdminNetworkPolicy', 'ClusterNetworkPolicy', 'Antrea']);
  }

  let fallback: Composition['fallback'] = 'allow';
  let fallbackReason: string | undefined;
  const cilium = name === 'cilium' ? ciliumSwitches(settings) : undefined;
  const off = cilium?.off ?? (name === 'calico' && settings.calicoDropAccepted ? CALICO_DROP_ACCEPTED(settings.calicoDropAccepted) : undefined);
  if (off) enforced = new Set();
  else if (cilium) {
    // An API the agent implements but does not watch (a release too old names itself in `unimplemented` first).
    for (const api of Object.keys(cilium.apisOff) as PolicyApi[]) enforced.delete(api);
    if (settings.ciliumEnforcement === 'always') {
      fallback = 'deny';
      fallbackReason = "Cilium's policy enforcement mode 'always' (cilium-config enable-policy): endpoints no policy allows are denied";
    }
  }
  const hostNetwork = cilium && !off ? ciliumHostNetworkSide(settings) : undefined;
  // With no enforcer, a plugin switched off says why (kube-router's --run-firewall=false).
  const switchedOffWhy = (api: PolicyApi) => (primary ? undefined : cni.plugins.map((p) => p.unimplemented?.[api]).find((w) => w !== undefined));
  const notEnforced = (api: PolicyApi) => (enforced.has(api) ? undefined : off ?? primary?.unimplemented?.[api] ?? switchedOffWhy(api) ?? cilium?.apisOff[api] ?? `${enforcer} does not implement ${API_NAMES[api]}`);
  const decorative = new Map<PolicyApi, string>();
  for (const api of present) {
    const why = notEnforced(api);
    if (why) decorative.set(api, why);
  }
  // Cilium's own switches set from a value not shown join the plugin's doubts (cilium/config.ts agentSwitches).
  const doubts: Partial<Record<PolicyApi, string>> = { ...(cilium && !off ? settings.ciliumApisUnconfirmed : {}), ...primary?.unconfirmed };
  const unconfirmed = new Map<PolicyApi, string>();
  for (const api of present) {
    const why = enforced.has(api) ? doubts[api] : undefined;
    if (why) unconfirmed.set(api, why);
  }
  const unconfirmedAbsent = new Map<PolicyApi, string>();
  for (const [api, why] of Object.entries(doubts) as Array<[PolicyApi, string]>) {
    if (!present.has(api) && enforced.has(api)) unconfirmedAbsent.set(api, why);
  }
  const switchUnconfirmed = cilium ? settings.ciliumSwitchUnconfirmed : name === 'calico' && !off ? settings.calicoDropUnconfirmed : undefined;
  const switchAssumed = cilium ? 'as cilium-config says' : 'as if Felix drops what policy denies';

  const legacyTies = name === 'calico' ? calicoLegacyTies(primary?.version) : false;
  const antrea = name === 'kubernetes' && enforced.has('Antrea') && present.has('Antrea') ? antreaStages() : undefined;
  const { stages, stageOf } = name === 'calico' ? calicoStages(tiers, legacyTies) : name === 'cilium'
    ? ciliumStages(enforced.has('ClusterNetworkPolicy'))
    : antrea ?? kubernetesStages();
  return {
    name,
    basis,
    stages,
    stageOf: (p) => (enforced.has(p.api) ? stageOf(p) : undefined),
    orderOf: (p) => (name === 'calico' && p.layer === 'networkpolicy' ? CALICO_K8S_NP_ORDER : antrea ? antrea.orderOf(p) : p.order),
    sortKeyOf: name === 'calico' ? (p) => calicoSortKey(p, legacyTies === true) : (p) => p.sortName,
    ...(name === 'calico' && legacyTies === undefined ? { tieRuleAssumed: 'name/namespace/kind, as Calico v3.32 and later compare; earlier releases compare the stored name, "namespace/knp.default.<name>" for a Kubernetes NetworkPolicy' } : {}),
    fallback,
    ...(fallbackReason ? { fallbackReason } : {}),
    ...(hostNetwork ? { hostNetwork } : {}),
    ...(off ? { switchedOff: off } : {}),
    ...(switchUnconfirmed ? { switchUnconfirmed, switchAssumed } : {}),
    ...(cilium && !off && !settings.ciliumLocalhostByPolicy ? { localhostDoubt: CILIUM_LOCALHOST } : {}),
    ...(name === 'calico' && enforced.size ? { localhostDoubt: CALICO_LOCALHOST, localhostBeatsDeny: true as const } : {}),
    decorative,
    unconfirmed,
    unconfirmedAbsent,
    notEnforced,
  };
}
