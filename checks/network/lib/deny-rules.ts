// Which Deny rules a rule open to everyone leaves in force: those the plan evaluates before it
// or, in a union stage, beside it. A Deny after a first-match Allow that matched decides nothing
// (docs.tigera.io/calico/latest/reference/resources/globalnetworkpolicy: the first matching Allow
// or Deny decides); in a union stage a Deny takes precedence wherever it is written
// (docs.cilium.io/en/stable/security/policy/language/#deny-policies), and what the stage allows
// no later stage sees.
import { subtractRanges } from '../../../src/base/ip.ts';
import { policyLabel } from '../../../src/analysis/netpol/engine.ts';
import type { Peer, Rule, StagePlan } from '../../../src/analysis/netpol/layers.ts';
import { NOT_PUBLIC_UNICAST } from '../../../src/analysis/netpol/rules.ts';

const cache = new WeakMap<readonly StagePlan[], Map<Rule | null, Array<{ label: string; rule: Rule }>>>();

function isAllowAll(r: Rule): boolean {
  return r.action === 'Allow' && r.peers === 'any' && r.ports === 'any' && !r.notPeers?.length && !r.notPorts?.length && !r.subject;
}

/**
 * Labels of the policies whose Deny rules come before `until` (default: the first rule that
 * allows everything), once per plan and rule; with `refuses`, only those with a Deny rule it keeps.
 */
export function denyRulesBefore(plan: readonly StagePlan[], dir: 'ingress' | 'egress', until?: Rule, refuses?: (r: Rule) => boolean): string[] {
  let byRule = cache.get(plan);
  if (!byRule) cache.set(plan, (byRule = new Map()));
  let list = byRule.get(until ?? null);
  if (!list) {
    const stop = (r: Rule) => (until ? r === until : isAllowAll(r));
    list = [];
    walk: for (const s of plan) {
      let stopAfterStage = false;
      for (const p of s.policies) {
        for (const r of p[dir] ?? []) {
          if (r.action === 'Deny') list.push({ label: policyLabel(p), rule: r });
          else if (stop(r)) {
            if (s.stage.mode === 'first-match') break walk;
            stopAfterStage = true;
          }
        }
      }
      if (stopAfterStage) break;
    }
    byRule.set(until ?? null, list);
  }
  return [...new Set(list.filter((d) => !refuses || refuses(d.rule)).map((d) => d.label))].sort();
}

/**
 * Whether a Deny rule's peers may match some of `scope`: a pod no selector singles out
 * (`pods`), or a public address of a family. Only peers that cannot are left out: pod and node
 * selectors hold no public address, an ipBlock of one family none of the other, entity world
 * no pod; what is not known to miss counts as matching.
 */
export function mayRefuse(rule: Rule, scope: { pods: boolean; families: ReadonlyArray<4 | 6> }): boolean {
  if (rule.peers === 'any') return true;
  const matches = (p: Peer): boolean => {
    if (p.kind === 'pods') return scope.pods;
    if (p.kind === 'ipBlock') return scope.pods || p.ranges.some((r) => scope.families.includes(r.family) && subtractRanges(r, NOT_PUBLIC_UNICAST).length > 0);
    if (p.kind === 'entity') {
      if (p.entity === 'world') return scope.families.length > 0;
      if (p.entity === 'world-ipv4' || p.entity === 'world-ipv6') return scope.families.includes(p.entity === 'world-ipv4' ? 4 : 6);
      if (p.entity === 'cluster') return scope.pods;
      return true;
    }
    if (p.kind === 'fqdn') return scope.families.length > 0;
    return true;
  };
  return rule.peers.some(matches);
}
