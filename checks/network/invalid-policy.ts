import type { Check } from '../../src/engine/types.ts';
import { cis } from '../controls.ts';
import { EXTRA_POLICY_KINDS } from '../../src/analysis/netpol/apis.ts';
import { policyLabel } from '../../src/analysis/netpol/engine.ts';
import { buildReachability } from '../../src/analysis/netpol/model.ts';
import { CNI_SETTINGS_READS } from './lib/cni-settings.ts';
import { ANTREA_GROUPS_READ, ANTREA_TIERS_READ, CALICO_TIERS_READ, CILIUM_CIDR_GROUPS_READ, CILIUM_TO_SERVICES_READ, NODES_READ } from './lib/policy-kinds.ts';

export const invalidPolicy: Check = {
  id: 'network.invalid-policy',
  area: 'network',
  title: 'Network policies are valid',
  protectsAgainst: 'policies (of every modelled API) the API server would reject or the CNI could not apply (bad CIDR, selector, port, priority): they never take effect',
  severity: 'high',
  controls: [cis('5.3.2'), 'NSA-CISA:NS/network-policies', 'NIST-800-53:SC-7'],
  remediation: 'Fix the fields named in the evidence; such a policy is rejected or ignored, so the isolation it describes does not exist.',
  needs: ['networkpolicies'],
  reads: EXTRA_POLICY_KINDS,
  readsWhen: [...CNI_SETTINGS_READS, CILIUM_CIDR_GROUPS_READ, CILIUM_TO_SERVICES_READ, ANTREA_GROUPS_READ, ANTREA_TIERS_READ, CALICO_TIERS_READ, NODES_READ],
  readsBestEffort: ['namespaces', 'pods', 'serviceaccounts', 'calico.tiers', 'calico-v3.tiers'],
  evaluate(ctx) {
    return buildReachability(ctx.snapshot).policies.map((p) => {
      const resource = p.ref.name ? p.ref : { ...p.ref, name: '(unnamed)' };
      const label = policyLabel(p);
      return p.errors.length
        ? { status: 'fail' as const, resource, message: `${label} ${p.unevaluated ? 'cannot be evaluated, so the network verdicts it could change cannot be confirmed' : 'is invalid and takes no effect'}: ${p.errors[0]}${p.errors.length > 1 ? ` (+${p.errors.length - 1} more)` : ''}`, evidence: { api: p.api, errors: p.errors, ...(p.unevaluated ? { unevaluated: true } : {}) } }
        : { status: 'pass' as const, resource, message: `${label} is valid` };
    });
  },
};
