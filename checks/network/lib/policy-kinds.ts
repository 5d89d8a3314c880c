// The policy kinds of every API but NetworkPolicy feed the network model's verdicts only where the
// CNI enforces them (composition.ts): a kind it does not enforce decides no flow, read or not
// (Cilium's enable-policy never: "Policy enforcement is disabled on all endpoints, even if rules
// select specific endpoints", https://docs.cilium.io/en/stable/security/policy/intro/; an API the
// CNI does not implement, kubernetes-sigs/network-policy-api site-src/implementations.md). A check
// judging flows waits for an unreadable kind only when the CNI may enforce it (ReachModel.unreadKinds);
// one judging every policy, enforced or not (invalid-policy, policy-selects-nothing), reads them all.
import type { ConditionalRead } from '../../../src/engine/types.ts';
import { EXTRA_POLICY_KINDS } from '../../../src/analysis/netpol/apis.ts';
import { buildReachability } from '../../../src/analysis/netpol/model.ts';

export const ENFORCED_POLICY_KINDS_READ: readonly ConditionalRead[] = EXTRA_POLICY_KINDS.map((key) => ({
  kinds: [key],
  when: 'unless the CNI does not enforce its policies (an API it does not implement, or Cilium with enable-policy never): the policies that may decide a flow',
  holds(ctx) {
    const u = buildReachability(ctx.snapshot).unreadKinds.find((k) => k.key === key);
    return u && u.notEnforced === undefined ? `${u.api} policies, which the CNI may enforce` : undefined;
  },
}));
