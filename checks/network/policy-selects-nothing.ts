import type { Check } from '../../src/engine/types.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import { buildReachability } from '../../src/analysis/netpol/model.ts';
import { cis } from '../controls.ts';

export const policySelectsNothing: Check = {
  id: 'network.policy-selects-nothing',
  area: 'network',
  title: 'Every NetworkPolicy selects some pods',
  protectsAgainst: 'policies whose podSelector matches no pod (a typo such as app: web vs app: webapp), leaving the intended pods unisolated',
  severity: 'medium',
  controls: [cis('5.3.2'), 'NSA-CISA:NS/network-policies', 'NIST-800-53:SC-7'],
  remediation: "Fix the policy's spec.podSelector to match the labels of the pods it is meant to protect (compare with the labels in the evidence), or delete the stale policy.",
  needs: ['namespaces', 'pods', 'networkpolicies'],
  evaluate(ctx) {
    const model = buildReachability(ctx.snapshot);
    const out: Verdict[] = [];
    for (const p of model.policies) {
      if (p.errors.length) continue;
      const resource = { kind: 'NetworkPolicy', namespace: p.namespace, name: p.name };
      const classes = model.classesByNamespace.get(p.namespace) ?? [];
      const selected = model.selectedBy.get(p.id) ?? [];
      if (selected.length > 0 || classes.length === 0) {
        out.push({ status: 'pass', resource, message: classes.length === 0 ? `${p.id}: namespace ${p.namespace} runs no workloads yet` : `${p.id} selects ${selected.reduce((n, c) => n + c.podCount, 0)} pod(s)` });
        continue;
      }
      // Show the values the selector's keys actually take, so a typo is visible at a glance.
      const keys = [...p.podSelector.key.matchAll(/(?:^|,)!?([^ ,=!()]+)/g)].map((m) => m[1]);
      const seen: Record<string, string[]> = {};
      for (const k of keys) seen[k] = [...new Set(classes.map((c) => c.labels[k]).filter((v): v is string => v !== undefined))].sort().slice(0, 10);
      out.push({
        status: 'fail',
        resource,
        message: `${p.id} selects no pod (podSelector ${p.podSelector.key}): it isolates nothing`,
        evidence: { podSelector: p.podSelector.key, labelValuesInNamespace: seen },
      });
    }
    return out;
  },
};
