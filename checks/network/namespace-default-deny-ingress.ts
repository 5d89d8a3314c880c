import type { Check } from '../../src/engine/types.ts';
import { SEGMENTATION } from '../controls.ts';
import { evaluateDefaultDeny } from './lib/default-deny.ts';
import { CNI_SETTINGS_READS } from './lib/cni-settings.ts';
import { SERVICE_ACCOUNT_LABELS_READ } from './lib/service-account-labels.ts';
import { ENFORCED_POLICY_KINDS_READ_WEIGHING_UNEVALUATED } from './lib/policy-kinds.ts';

export const namespaceDefaultDenyIngress: Check = {
  id: 'network.namespace-default-deny-ingress',
  area: 'network',
  title: 'Every pod is isolated for ingress',
  protectsAgainst: 'pods that accept connections from anywhere because no policy of any enforced API (NetworkPolicy, AdminNetworkPolicy, ClusterNetworkPolicy, Calico, Cilium) isolates them for ingress',
  severity: 'high',
  controls: SEGMENTATION,
  remediation: 'Add a default-deny ingress NetworkPolicy to the namespace (spec: {podSelector: {}, policyTypes: [Ingress]}) and allow the needed flows explicitly.',
  needs: ['namespaces', 'pods', 'networkpolicies'],
  readsWhen: [...CNI_SETTINGS_READS, SERVICE_ACCOUNT_LABELS_READ, ...ENFORCED_POLICY_KINDS_READ_WEIGHING_UNEVALUATED],
  // Unread, a Calico policy naming a custom tier leaves its pods' isolation "cannot be confirmed".
  readsBestEffort: ['calico.tiers', 'calico-v3.tiers'],
  evaluate: (ctx) => evaluateDefaultDeny(ctx, 'ingress'),
};
