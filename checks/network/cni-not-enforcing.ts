import type { Check } from '../../src/engine/types.ts';
import { detectCni } from '../../src/analysis/netpol/cni.ts';
import { cis } from '../controls.ts';

/**
 * When no known CNI is recognised (typical for a manifests directory, or a managed cluster
 * whose dataplane runs outside the API) the check returns no result rather than guess:
 * an unknown CNI is neither evidence of enforcement nor of its absence.
 */
export const cniNotEnforcing: Check = {
  id: 'network.cni-not-enforcing',
  area: 'network',
  title: 'The CNI enforces NetworkPolicy',
  protectsAgainst: 'NetworkPolicies that exist on paper only: a CNI without policy enforcement (flannel or kindnet alone) ignores them',
  severity: 'critical',
  controls: [cis('5.3.1'), 'NSA-CISA:NS/network-policies', 'NIST-800-53:SC-7', 'NIST-800-207:T6'],
  remediation: 'Run a CNI that enforces NetworkPolicy (Calico, Cilium, Antrea, or Calico alongside flannel as Canal); until then every NetworkPolicy is ignored.',
  needs: ['daemonsets', 'deployments'],
  evaluate(ctx) {
    const d = detectCni(ctx.snapshot);
    if (d.verdict === 'unknown') return [];
    const resource = { kind: 'Cluster', name: ctx.snapshot.cluster.name };
    const plugins = d.plugins.map((p) => ({ plugin: p.name, enforcesNetworkPolicy: p.enforces, seenIn: p.seenIn }));
    if (d.verdict === 'enforcing') {
      return [{ status: 'pass', resource, message: `NetworkPolicy is enforced by ${d.plugins.filter((p) => p.enforces).map((p) => p.name).join(', ')}`, evidence: { plugins } }];
    }
    return [{
      status: 'fail',
      resource,
      message: `the CNI (${d.plugins.map((p) => p.name).join(', ')}) does not enforce NetworkPolicy: ${(ctx.snapshot.resources.networkpolicies ?? []).length} NetworkPolicies have no effect`,
      evidence: { plugins },
    }];
  },
};
