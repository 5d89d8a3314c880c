// The Calico policies of a snapshot arranged for evaluation: valid policies that can apply to
// pods, grouped by tier, tiers in Felix's order and policies in each tier in Felix's order.
// Selecting the ones that apply to an endpoint is one selector evaluation per policy.

import type { Snapshot } from '../../../snapshot/types.ts';
import { memoize } from '../../memo.ts';
import { collectCalicoPolicies, comparePolicyOrder, policySortKey, sortTiers, type CalicoPolicy, type CalicoPolicySet, type CalicoTier } from './policy.ts';
import type { LabelSource } from './selector.ts';

export interface PlannedPolicy {
  policy: CalicoPolicy;
  order?: number;
  sortKey: string;
}

export interface CalicoPlan {
  set: CalicoPolicySet;
  /** Tiers in evaluation order, each with its enforceable policies in evaluation order. */
  tiers: Array<{ tier: CalicoTier; policies: PlannedPolicy[] }>;
}

export const calicoPlan = memoize((snapshot: Snapshot): CalicoPlan => {
  const set = collectCalicoPolicies(snapshot);
  const byTier = new Map<string, PlannedPolicy[]>();
  for (const p of set.policies) {
    if (p.errors.length || p.hostEndpointsOnly || !p.selector) continue;
    let list = byTier.get(p.tier);
    if (!list) byTier.set(p.tier, (list = []));
    list.push({ policy: p, order: p.order, sortKey: policySortKey(p.name, p.namespace, p.kind) });
  }
  const tiers = sortTiers(set.tiers.values()).map((tier) => ({ tier, policies: (byTier.get(tier.name) ?? []).sort(comparePolicyOrder) }));
  return { set, tiers };
}, ['network', 'tls']);

/** For an endpoint with Calico labels `labels`: per tier, the policies applying to it in `dir`. */
export function applyingTiers(plan: CalicoPlan, labels: LabelSource, dir: 'ingress' | 'egress'): Array<{ tier: CalicoTier; policies: CalicoPolicy[] }> {
  return plan.tiers.map(({ tier, policies }) => ({
    tier,
    policies: policies.filter((pp) => (dir === 'ingress' ? pp.policy.ingressType : pp.policy.egressType) && pp.policy.selector!.matches(labels)).map((pp) => pp.policy),
  }));
}
