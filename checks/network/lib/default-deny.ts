// Shared evaluation of the two default-deny checks (ingress and egress are symmetric).
import type { AuditContext } from '../../../src/analysis/context.ts';
import type { Verdict } from '../../../src/base/vocabulary.ts';
import { buildReachability, type PodClass } from '../../../src/analysis/netpol/model.ts';
import { isDefaultDeny, isSystemNamespace } from '../../../src/analysis/netpol/rules.ts';
import { refString } from '../../../src/analysis/workloads.ts';

const MAX_LISTED = 20;

export function evaluateDefaultDeny(ctx: AuditContext, dir: 'ingress' | 'egress'): Verdict[] {
  const model = buildReachability(ctx.snapshot);
  const out: Verdict[] = [];
  const namespaces = [...model.namespaceLabels.keys()].filter((ns) => !isSystemNamespace(ns, ctx.config.systemNamespaces)).sort();
  for (const ns of namespaces) {
    const classes = model.classesByNamespace.get(ns) ?? [];
    const policies = (model.policiesByNamespace.get(ns) ?? []).filter((p) => !p.errors.length);
    const defaultDeny = policies.filter((p) => isDefaultDeny(p, dir)).map((p) => p.id);
    const isolating = (c: PodClass) => (dir === 'ingress' ? c.ingressPolicies : c.egressPolicies);
    const open = new Map<string, number>();
    const hostNet = new Map<string, number>();
    for (const c of classes) {
      const target = c.hostNetwork ? hostNet : isolating(c).length === 0 ? open : undefined;
      if (!target) continue;
      for (const wk of c.workloads) {
        const node = model.workloadByKey.get(wk);
        if (node) target.set(refString(node.ref), node.podCount);
      }
    }
    const resource = { kind: 'Namespace', name: ns };
    const list = (m: Map<string, number>) => [...m].sort().slice(0, MAX_LISTED).map(([workload, podCount]) => ({ workload, podCount }));
    const evidence: Record<string, unknown> = { defaultDenyPolicies: defaultDeny };
    if (dir === 'egress') {
      // A "deny all" written without policyTypes isolates ingress only (policyTypes defaulting).
      const misread = policies.filter((p) => p.podSelector.empty && p.typesDefaulted && !p.egressType && p.ingress.length === 0).map((p) => p.id);
      if (misread.length) evidence.hint = `${misread.join(', ')} has no policyTypes, so it denies ingress only; add policyTypes: [Ingress, Egress] to deny egress too`;
    }
    if (open.size > 0) {
      out.push({
        status: 'fail',
        resource,
        message: `${open.size} workload(s) in namespace ${ns} are not isolated for ${dir}: every ${dir === 'ingress' ? 'source may connect to them' : 'destination is reachable from them'}`,
        evidence: { ...evidence, unisolatedWorkloads: list(open), unisolatedCount: open.size },
      });
    } else {
      out.push({
        status: 'pass',
        resource,
        message: classes.length === 0 ? `namespace ${ns} runs no workloads` : `every workload in namespace ${ns} is isolated for ${dir}`,
        evidence,
      });
    }
    if (hostNet.size > 0) {
      out.push({
        status: 'fail',
        resource,
        detailKey: 'hostNetwork',
        severity: 'low',
        message: `${hostNet.size} hostNetwork workload(s) in namespace ${ns} are not reliably covered by NetworkPolicy (${dir}): they use the node's network identity`,
        evidence: { hostNetworkWorkloads: list(hostNet) },
      });
    }
  }
  return out;
}
