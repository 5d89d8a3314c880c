import type { Check } from '../../src/engine/types.ts';
import { evaluateDefaultDeny } from './lib/default-deny.ts';
import { SEGMENTATION } from '../controls.ts';

export const namespaceDefaultDenyEgress: Check = {
  id: 'network.namespace-default-deny-egress',
  area: 'network',
  title: 'Every pod is isolated for egress',
  protectsAgainst: 'pods that can connect anywhere (lateral movement, exfiltration) because no NetworkPolicy isolates their egress',
  severity: 'medium',
  controls: SEGMENTATION,
  remediation: 'Add a default-deny egress NetworkPolicy (spec: {podSelector: {}, policyTypes: [Egress]}); remember to allow DNS to kube-dns, then the flows each workload needs.',
  needs: ['namespaces', 'pods', 'networkpolicies'],
  evaluate: (ctx) => evaluateDefaultDeny(ctx, 'egress'),
};
