import type { Check } from '../../src/engine/types.ts';
import { evaluateDefaultDeny } from './lib/default-deny.ts';
import { SEGMENTATION } from '../controls.ts';

export const namespaceDefaultDenyIngress: Check = {
  id: 'network.namespace-default-deny-ingress',
  area: 'network',
  title: 'Every pod is isolated for ingress',
  protectsAgainst: 'pods that accept connections from anywhere because no NetworkPolicy isolates them for ingress',
  severity: 'high',
  controls: SEGMENTATION,
  remediation: 'Add a default-deny ingress NetworkPolicy to the namespace (spec: {podSelector: {}, policyTypes: [Ingress]}) and allow the needed flows explicitly.',
  needs: ['namespaces', 'pods', 'networkpolicies'],
  evaluate: (ctx) => evaluateDefaultDeny(ctx, 'ingress'),
};
