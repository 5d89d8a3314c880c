// Istio AuthorizationPolicy effect on one workload, at the granularity an auditor needs:
// does anything restrict who may call it? Order: CUSTOM, DENY, then "no ALLOW policy =>
// allow", ALLOW match => allow, else deny. `spec: {}` (ALLOW, no rules) allows nothing;
// a DENY policy without rules matches nothing. Root-namespace policies apply mesh-wide.

import type { KubeObject } from '../../snapshot/types.ts';
import { selectorMatches } from './istio.ts';
import { arr, obj, stringMap } from './util.ts';

export type AuthzEffect =
  | 'no-policy' // nothing applies: every caller allowed
  | 'deny-all' // ALLOW policies exist but none has a rule: nothing is allowed
  | 'allow-all' // an ALLOW policy has an empty rule
  | 'restricted'; // ALLOW rules (or effective DENY rules) narrow the callers

export function istioAuthorizationEffect(policies: KubeObject[], rootNamespace: string, namespace: string, labels: Record<string, string>): AuthzEffect {
  let allowPolicies = 0;
  let allowRules = 0;
  let allowAll = false;
  let denyRules = 0;
  for (const p of policies) {
    const ns = p.metadata?.namespace ?? 'default';
    if (ns !== namespace && ns !== rootNamespace) continue;
    const spec = obj(p.spec) ?? {};
    const sel = obj(spec.selector);
    if (sel && !selectorMatches(stringMap(sel.matchLabels), labels)) continue;
    const action = typeof spec.action === 'string' ? spec.action : 'ALLOW';
    const rules = arr(spec.rules);
    if (action === 'ALLOW') {
      allowPolicies++;
      allowRules += rules.length;
      if (rules.some((r) => { const o = obj(r); return !!o && Object.keys(o).length === 0; })) allowAll = true;
    } else if (action === 'DENY') {
      denyRules += rules.length;
    }
  }
  if (allowAll) return 'allow-all';
  if (allowPolicies > 0 && allowRules === 0) return 'deny-all';
  if (allowPolicies > 0 || denyRules > 0) return 'restricted';
  return 'no-policy';
}
