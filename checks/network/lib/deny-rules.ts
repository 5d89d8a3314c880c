// Which Deny rules a rule open to everyone leaves in force: those the plan evaluates before it
// or, in a union stage, beside it. A Deny after a first-match Allow that matched decides nothing
// (docs.tigera.io/calico/latest/reference/resources/globalnetworkpolicy: the first matching Allow
// or Deny decides); in a union stage a Deny takes precedence wherever it is written
// (docs.cilium.io/en/stable/security/policy/language/#deny-policies), and what the stage allows
// no later stage sees.
import { policyLabel } from '../../../src/analysis/netpol/engine.ts';
import type { Rule, StagePlan } from '../../../src/analysis/netpol/layers.ts';

const cache = new WeakMap<readonly StagePlan[], Map<Rule | null, string[]>>();

function isAllowAll(r: Rule): boolean {
  return r.action === 'Allow' && r.peers === 'any' && r.ports === 'any' && !r.notPeers?.length && !r.notPorts?.length && !r.subject;
}

/**
 * Labels of the policies whose Deny rules come before `until` (default: the first rule that
 * allows everything), once per plan and rule.
 */
export function denyRulesBefore(plan: readonly StagePlan[], dir: 'ingress' | 'egress', until?: Rule): string[] {
  let byRule = cache.get(plan);
  if (!byRule) cache.set(plan, (byRule = new Map()));
  const hit = byRule.get(until ?? null);
  if (hit) return hit;
  const stop = (r: Rule) => (until ? r === until : isAllowAll(r));
  const out = new Set<string>();
  walk: for (const s of plan) {
    let stopAfterStage = false;
    for (const p of s.policies) {
      for (const r of p[dir] ?? []) {
        if (r.action === 'Deny') out.add(policyLabel(p));
        else if (stop(r)) {
          if (s.stage.mode === 'first-match') break walk;
          stopAfterStage = true;
        }
      }
    }
    if (stopAfterStage) break;
  }
  const list = [...out].sort();
  byRule.set(until ?? null, list);
  return list;
}
