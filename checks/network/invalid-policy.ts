import type { Check } from '../../src/engine/types.ts';
import { buildReachability } from '../../src/analysis/netpol/model.ts';
import { cis } from '../controls.ts';

export const invalidPolicy: Check = {
  id: 'network.invalid-policy',
  area: 'network',
  title: 'NetworkPolicies are valid',
  protectsAgainst: 'NetworkPolicies the API server would reject (bad CIDR, selector, port): they never take effect',
  severity: 'high',
  controls: [cis('5.3.2'), 'NSA-CISA:NS/network-policies', 'NIST-800-53:SC-7'],
  remediation: 'Fix the fields named in the evidence; the API server rejects such a policy, so the isolation it describes does not exist.',
  needs: ['networkpolicies'],
  evaluate(ctx) {
    return buildReachability(ctx.snapshot).policies.map((p) => {
      const resource = { kind: 'NetworkPolicy', namespace: p.namespace, name: p.name || '(unnamed)' };
      return p.errors.length
        ? { status: 'fail' as const, resource, message: `${p.id} is invalid and takes no effect: ${p.errors[0]}${p.errors.length > 1 ? ` (+${p.errors.length - 1} more)` : ''}`, evidence: { errors: p.errors } }
        : { status: 'pass' as const, resource, message: `${p.id} is valid` };
    });
  },
};
