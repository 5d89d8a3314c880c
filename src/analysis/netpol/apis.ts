// The policy APIs the network model reads, in a fixed order (explicit registry: no
// directory scanning). Each adapter translates its kinds into LayerPolicies (layers.ts);
// the CNI's composition (composition.ts) decides which of them are enforced and in which
// stage. To add an API: write a PolicyApiAdapter and append it here (docs/network-model.md).

import type { PolicyApiAdapter } from './layers.ts';
import { adminNetworkPolicyAdapter } from './anp.ts';
import { networkPolicyLayer, parsePolicy } from './policy.ts';
import { calicoAdapter } from './calico/adapter.ts';
import { ciliumAdapter } from './cilium/adapter.ts';

export const networkPolicyAdapter: PolicyApiAdapter = {
  api: 'NetworkPolicy',
  kinds: ['networkpolicies'],
  parse: ({ snapshot }) => ({ policies: (snapshot.resources.networkpolicies ?? []).map((o) => networkPolicyLayer(parsePolicy(o))), notes: [] }),
};

export const POLICY_APIS: readonly PolicyApiAdapter[] = [
  networkPolicyAdapter,
  adminNetworkPolicyAdapter,
  calicoAdapter,
  ciliumAdapter,
];

/** Snapshot keys of every policy API but NetworkPolicy: checks judging the combined model need them read (or absent). */
export const EXTRA_POLICY_KINDS = POLICY_APIS.flatMap((a) => a.kinds).filter((k) => k !== 'networkpolicies');
