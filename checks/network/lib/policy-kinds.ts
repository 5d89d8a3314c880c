// The policy kinds of every API but NetworkPolicy feed the network model's verdicts only where the
// CNI enforces them (composition.ts): a kind it does not enforce decides no flow, read or not
// (Cilium's enable-policy never: "Policy enforcement is disabled on all endpoints, even if rules
// select specific endpoints", https://docs.cilium.io/en/stable/security/policy/intro/; an API the
// CNI does not implement, kubernetes-sigs/network-policy-api site-src/implementations.md). A check
// judging flows waits for an unreadable kind only when the CNI may enforce it (ReachModel.unreadKinds);
// one judging every policy, enforced or not (invalid-policy, policy-selects-nothing), reads them all.
import type { ConditionalRead } from '../../../src/engine/types.ts';
import type { KindKey } from '../../../src/snapshot/kinds.ts';
import type { LayerPolicy } from '../../../src/analysis/netpol/layers.ts';
import { EXTRA_POLICY_KINDS } from '../../../src/analysis/netpol/apis.ts';
import { buildReachability } from '../../../src/analysis/netpol/model.ts';
import { policyLabel } from '../../../src/analysis/netpol/engine.ts';

/**
 * Calico IPPools: where Calico IPAM gives pods their addresses, which settle a pod against an
 * ipBlock or Calico nets (src/analysis/netpol/calico/ip-pools.ts). Read by the model on a Calico
 * cluster, never a gate: unread, such a CIDR partly over the pods stays in doubt, as it was before
 * they were read, and the doubt says the IPPools could not be read. Declared so serve --watch
 * re-evaluates the flow-judging checks when a pool changes.
 */
export const CALICO_IP_POOLS_READ: ConditionalRead = {
  kinds: ['calico.ippools', 'calico-v3.ippools'],
  when: 'on a Calico cluster, when readable (never a gate): the IPPools pods draw their addresses from, which settle a pod against an ipBlock or nets; unread, such a match stays in doubt and says so',
  holds: () => undefined,
};

/**
 * CiliumCIDRGroups: the CIDRs a Cilium policy's cidrGroupRef/cidrGroupSelector selects
 * (src/analysis/netpol/cilium/parse.ts cidrGroupPeers). Never a gate: unread, such a peer
 * matches nothing, the flows it may decide are UNKNOWN in reach, and the checks that would pass
 * its policy say it cannot be judged (lib/unresolved-peers.ts).
 */
export const CILIUM_CIDR_GROUPS_READ: ConditionalRead = {
  kinds: ['cilium.cidrgroups'],
  when: 'on a Cilium cluster, when readable (never a gate): the CIDRs a cidrGroupRef or cidrGroupSelector selects; unread, such a peer is unresolved and says so',
  holds: () => undefined,
};

/**
 * Services and EndpointSlices: what a Cilium toServices rule names, a Service's pods (its
 * selector) or, for one without a selector, its backends' addresses
 * (src/analysis/netpol/cilium/adapter.ts servicePeers, cilium/service-backends.ts). Never a
 * gate: unread, the rule's peers are unresolved, the flows to outside addresses they may decide
 * are UNKNOWN in reach, and the notes say what could not be read. Declared so serve --watch
 * re-evaluates the checks reading the network model when a Service or a slice changes.
 */
export const CILIUM_TO_SERVICES_READ: ConditionalRead = {
  kinds: ['services', 'endpointslices'],
  when: 'on a Cilium cluster with toServices rules, when readable (never a gate): the Services they name, and the backends of those without a selector; unread, such a peer is unresolved and says so',
  holds: () => undefined,
};

/**
 * Antrea ClusterGroups and Groups, and the Services their serviceReference names: the members of a
 * `group` an Antrea-native policy names (src/analysis/netpol/antrea.ts resolveGroup), read only
 * when a policy names one. Never a gate: unread, such a policy stays in doubt over the pods it may
 * apply to and its error says the groups could not be read; a policy naming none is judged as before.
 */
export const ANTREA_GROUPS_READ: ConditionalRead = {
  kinds: ['antrea.clustergroups', 'antrea.groups', 'services'],
  when: 'on an Antrea cluster whose Antrea-native policies name a group, when readable (never a gate): the ClusterGroups and Groups they name, and the Services a group\'s serviceReference names; unread, such a policy is left in doubt and says so',
  holds: () => undefined,
};

/**
 * Antrea Tiers: the priority of a custom tier an Antrea-native policy names (src/analysis/netpol/antrea.ts
 * resolveTier); the static tiers have theirs built in ("Static tiers", docs/antrea-network-policy.md
 * v2.2.0). Never a gate: unread, only a policy naming another tier stays in doubt, its error saying
 * the Tiers could not be read; policies on static tiers are judged as before.
 */
export const ANTREA_TIERS_READ: ConditionalRead = {
  kinds: ['antrea.tiers'],
  when: 'on an Antrea cluster, when readable (never a gate): the custom Tiers Antrea-native policies name; unread, a policy naming one is left in doubt and says so',
  holds: () => undefined,
};

const CALICO_TIER_KINDS = ['calico.tiers', 'calico-v3.tiers'] as const;

/**
 * Calico Tiers: the order and defaultAction of a custom tier a Calico policy names
 * (src/analysis/netpol/calico/policy.ts collectCalicoPolicies); the built-in tiers have theirs
 * fixed (default 1,000,000 Deny, kube-admin/adminnetworkpolicy 1,000 Pass,
 * kube-baseline/baselineadminnetworkpolicy 10,000,000 Pass: docs.tigera.io/calico/latest/network-policy/policy-tiers/tiered-policy).
 * Never a gate for a check that weighs a policy the model does not evaluate
 * (LayerPolicy.unevaluated: the default-deny checks, intent-violation) or judges policies
 * themselves: unread, only the policies naming a custom tier stay in doubt, over the pods they select.
 */
export const CALICO_TIERS_READ: ConditionalRead = {
  kinds: [...CALICO_TIER_KINDS],
  when: 'on a Calico cluster, when readable (never a gate): the custom Tiers Calico policies name; unread, a policy naming one is left in doubt over the pods it selects and says so',
  holds: () => undefined,
};

/**
 * For a check judging flows that weighs a policy the model does not evaluate only over the pods it
 * selects (allow-all-ingress, unrestricted-egress, …: lib/unevaluated.ts): where the `kinds` placing a custom tier were not read
 * and an enforced policy of `layer` names such a tier (`unplaced`), that tier's Allow may come before
 * any built-in tier's Deny, or its Deny before their Allow, so such a check is not evaluated rather
 * than pass what it could overturn. Elsewhere it is judged as before. One mechanism for every CNI
 * with custom tiers.
 */
function customTiersRead(layer: LayerPolicy['layer'], kinds: KindKey[], when: string, unplaced: (p: LayerPolicy) => boolean): ConditionalRead {
  return {
    kinds,
    when,
    holds(ctx) {
      const model = buildReachability(ctx.snapshot);
      const found = model.policies.filter((p) => p.layer === layer && p.unevaluated && unplaced(p) && model.composition.stageOf(p) !== undefined);
      if (!found.length) return undefined;
      const tiers = [...new Set(found.map((p) => p.tier ?? ''))].sort();
      const named = found.slice(0, 3).map(policyLabel).join(', ');
      return `the custom tier${tiers.length > 1 ? 's' : ''} ${tiers.join(', ')}, which ${named}${found.length > 3 ? ` and ${found.length - 3} more` : ''} name${found.length === 1 ? 's' : ''}`;
    },
  };
}

/** Calico: the adapter leaves unevaluated only the policies of a tier the Tiers could not place (calico/adapter.ts unplacedLayerPolicy). */
export const CALICO_CUSTOM_TIERS_READ = customTiersRead('calico', [...CALICO_TIER_KINDS],
  'when an enforced Calico policy names a custom tier (not default, kube-admin, kube-baseline, adminnetworkpolicy or baselineadminnetworkpolicy): its Tier places it',
  () => true);

/**
 * Antrea: a policy naming no static tier has no priority without its Tier (antrea.ts resolveTier),
 * and sits somewhere before the Kubernetes NetworkPolicies ("Tier CRDs", docs/antrea-network-policy.md v2.2.0).
 */
export const ANTREA_CUSTOM_TIERS_READ = customTiersRead('antrea', ['antrea.tiers'],
  'when an enforced Antrea-native policy names a custom tier (not one of the static tiers): its Tier places it',
  (p) => p.tierOrder === undefined);

const POLICY_KIND_READS: readonly ConditionalRead[] = EXTRA_POLICY_KINDS.map((key) => ({
  kinds: [key],
  when: 'unless the CNI does not enforce its policies (an API it does not implement, or Cilium with enable-policy never): the policies that may decide a flow',
  holds(ctx) {
    const u = buildReachability(ctx.snapshot).unreadKinds.find((k) => k.key === key);
    return u && u.notEnforced === undefined ? `${u.api} policies, which the CNI may enforce` : undefined;
  },
}));

/**
 * Nodes: the labels and status.addresses an AdminNetworkPolicy `nodes` peer selects by, which
 * settle such a peer against a host-network pod or a Node's address (src/analysis/netpol/model.ts
 * nodeSelection, addressNodesOf), on a live cluster only. Never a gate: unread, such a match stays
 * in doubt and says so. Declared so serve --watch re-evaluates the checks reading the network model
 * when a Node changes.
 */
export const NODES_READ: ConditionalRead = {
  kinds: ['nodes'],
  when: 'on a live cluster, when readable (never a gate): the Nodes an AdminNetworkPolicy nodes peer selects, by their labels and addresses; unread, such a match stays in doubt and says so',
  holds: () => undefined,
};

const WEIGHED_ELSEWHERE: readonly ConditionalRead[] = [...POLICY_KIND_READS, CALICO_IP_POOLS_READ, CILIUM_CIDR_GROUPS_READ, CILIUM_TO_SERVICES_READ, ANTREA_GROUPS_READ, NODES_READ];

/** What a check judging flows reads of the policy kinds. */
export const ENFORCED_POLICY_KINDS_READ: readonly ConditionalRead[] = [...WEIGHED_ELSEWHERE, CALICO_CUSTOM_TIERS_READ, ANTREA_CUSTOM_TIERS_READ];

/** The same for a check that weighs the policies the model does not evaluate (query.ts unevaluatedSelecting). */
export const ENFORCED_POLICY_KINDS_READ_WEIGHING_UNEVALUATED: readonly ConditionalRead[] = [...WEIGHED_ELSEWHERE, CALICO_TIERS_READ, ANTREA_TIERS_READ];
