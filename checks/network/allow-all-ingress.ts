import type { Check } from '../../src/engine/types.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import { buildReachability } from '../../src/analysis/netpol/model.ts';
import { isDefaultDeny, openReason, portsText } from '../../src/analysis/netpol/rules.ts';
import { SEGMENTATION } from '../controls.ts';

export const allowAllIngress: Check = {
  id: 'network.allow-all-ingress',
  area: 'network',
  title: 'No policy admits ingress from everywhere',
  protectsAgainst: 'policies that admit every source (any peer, every namespace, 0.0.0.0/0), silently cancelling a default deny',
  severity: 'high',
  controls: SEGMENTATION,
  remediation: 'Replace the open rule with explicit peers (podSelector/namespaceSelector on kubernetes.io/metadata.name) and ports; list namespaces that are meant to be public under network.exposedNamespaces.',
  needs: ['namespaces', 'pods', 'networkpolicies'],
  evaluate(ctx) {
    const model = buildReachability(ctx.snapshot);
    const exposed = new Set(ctx.config.network.exposedNamespaces);
    const out: Verdict[] = [];
    for (const p of model.policies) {
      if (p.errors.length || !p.ingressType) continue;
      const resource = { kind: 'NetworkPolicy', namespace: p.namespace, name: p.name };
      const open = p.ingress
        .map((r) => ({ rule: r.index, reason: openReason(r), ports: portsText(r), anyPort: r.ports === 'any' }))
        .filter((r) => r.reason !== undefined);
      if (open.length === 0) {
        out.push({ status: 'pass', resource, message: `${p.id} admits ingress only from listed peers` });
        continue;
      }
      const selected = (model.selectedBy.get(p.id) ?? []).length;
      if (exposed.has(p.namespace)) {
        out.push({ status: 'pass', resource, message: `${p.id} admits ingress from everywhere; namespace ${p.namespace} is declared exposed`, evidence: { openRules: open } });
        continue;
      }
      const cancels = p.podSelector.empty && open.some((r) => r.anyPort)
        ? (model.policiesByNamespace.get(p.namespace) ?? []).filter((q) => isDefaultDeny(q, 'ingress')).map((q) => q.id)
        : [];
      const anyPort = open.some((r) => r.anyPort);
      out.push({
        status: 'fail',
        resource,
        // An open rule limited to some ports is a narrower, WARN-level exposure.
        severity: anyPort ? undefined : 'medium',
        message: `${p.id} admits ingress from ${open[0].reason} on ${anyPort ? 'every port' : open.map((r) => r.ports).join('; ')}${cancels.length ? `, cancelling the default deny ${cancels.join(', ')}` : ''}`,
        evidence: { openRules: open, selectsPodClasses: selected, ...(cancels.length ? { cancelsDefaultDeny: cancels } : {}) },
      });
    }
    return out;
  },
};
