// Protects against pods that can connect anywhere (lateral movement, exfiltration) because no policy of any enforced API (NetworkPolicy, AdminNetworkPolicy, Calico, Cilium) isolates their egress.
// Controls: CIS-1.10:5.3.2, NSA-CISA:NS/network-policies, NIST-800-53:SC-7, NIST-800-207:T6.
import type { Check } from '../../src/engine/types.ts';
import { EXTRA_POLICY_KINDS } from '../../src/analysis/netpol/apis.ts';
import { SEGMENTATION_CONTROLS } from './lib/controls.ts';
import { evaluateDefaultDeny } from './lib/default-deny.ts';

export const namespaceDefaultDenyEgress: Check = {
  id: 'network.namespace-default-deny-egress',
  area: 'network',
  title: 'Every pod is isolated for egress',
  severity: 'medium',
  controls: SEGMENTATION_CONTROLS,
  remediation: 'Add a default-deny egress NetworkPolicy (spec: {podSelector: {}, policyTypes: [Egress]}); remember to allow DNS to kube-dns, then the flows each workload needs.',
  needs: ['namespaces', 'pods', 'networkpolicies'],
  needsIfInstalled: EXTRA_POLICY_KINDS,
  evaluate: (ctx) => evaluateDefaultDeny(ctx, 'egress'),
};
