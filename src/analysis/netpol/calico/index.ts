// Calico: selector language, policy parsing, endpoint labels and the tier walk.
export { parseCalicoSelector, selectorText, type CalicoSelector, type CalicoSelectorNode, type LabelSource } from './selector.ts';
export {
  collectCalicoPolicies, parseCalicoPolicy, parseCalicoTier, sortTiers, comparePolicyOrder, policySortKey, describeCalicoPolicy, storedPolicyName,
  DEFAULT_TIER, BUILTIN_TIERS, K8S_NETWORK_POLICY_ORDER,
  type CalicoPolicy, type CalicoTier, type CalicoRule, type CalicoEntityRule, type CalicoPolicySet, type CalicoAction, type CalicoKind, type CalicoApi,
} from './policy.ts';
export { calicoPodLabels, podServiceAccount, type CalicoPodIdentity } from './labels.ts';
export { ruleConns, ruleHits, walkTiers, entityMatches, type CalicoEndpoint, type CalicoEvalContext, type TierEntry, type RuleHit, type Decision, type TieredVerdict } from './evaluate.ts';
export { calicoPlan, applyingTiers, type CalicoPlan } from './plan.ts';
export { calicoAdapter, calicoLayerPolicy, CALICO_KINDS } from './adapter.ts';
