import type { Check } from '../../src/engine/types.ts';
import { policyLabel } from '../../src/analysis/netpol/engine.ts';
import { buildReachability } from '../../src/analysis/netpol/model.ts';
import { isDefaultDeny, openReason, portsText, selectsWholeNamespaces } from '../../src/analysis/netpol/rules.ts';
import { SEGMENTATION } from '../controls.ts';
import { CILIUM_SETTINGS_READ } from './lib/cilium-settings.ts';
import { ENFORCED_POLICY_KINDS_READ } from './lib/policy-kinds.ts';

export const allowAllIngress: Check = {
  id: 'network.allow-all-ingress',
  area: 'network',
  title: 'No policy admits ingress from everywhere',
  protectsAgainst: 'policies that admit every source (any peer, every namespace, 0.0.0.0/0, Cilium entity world/all), silently cancelling a default deny',
  severity: 'high',
  controls: SEGMENTATION,
  remediation: 'Replace the open rule with explicit peers (podSelector/namespaceSelector on kubernetes.io/metadata.name, or the API\'s equivalent) and ports; list namespaces that are meant to be public under network.exposedNamespaces.',
  needs: ['namespaces', 'pods', 'networkpolicies'],
  readsWhen: [CILIUM_SETTINGS_READ, ...ENFORCED_POLICY_KINDS_READ],
  readsBestEffort: ['serviceaccounts'],
  *evaluate(ctx) {
    const model = buildReachability(ctx.snapshot);
    const exposed = new Set(ctx.config.network.exposedNamespaces);
    for (const p of model.policies) {
      if (p.errors.length || !p.ingress || !model.enforced(p)) continue;
      const resource = p.ref;
      const label = policyLabel(p);
      const open = p.ingress
        .map((r) => ({ rule: r.index, ...(r.name ? { name: r.name } : {}), reason: openReason(r), ports: portsText(r), anyPort: r.ports === 'any' && !r.notPorts?.length }))
        .filter((r) => r.reason !== undefined);
      if (open.length === 0) {
        yield { status: 'pass', resource, message: `${label} admits ingress only from listed peers` };
        continue;
      }
      const selected = (model.selectedBy.get(p.id) ?? []).length;
      if (p.namespace !== undefined && exposed.has(p.namespace)) {
        yield { status: 'pass', resource, message: `${label} admits ingress from everywhere; namespace ${p.namespace} is declared exposed`, evidence: { openRules: open } };
        continue;
      }
      const cancels = p.namespace !== undefined && selectsWholeNamespaces(p) && open.some((r) => r.anyPort)
        ? (model.policiesByNamespace.get(p.namespace) ?? []).filter((q) => q !== p && isDefaultDeny(q, 'ingress')).map((q) => q.id)
        : [];
      const anyPort = open.some((r) => r.anyPort);
      yield {
        status: 'fail',
        resource,
        // An open rule limited to some ports is a narrower, WARN-level exposure.
        severity: anyPort ? undefined : 'medium',
        message: `${label} admits ingress from ${open[0].reason} on ${anyPort ? 'every port' : open.map((r) => r.ports).join('; ')}${cancels.length ? `, cancelling the default deny ${cancels.join(', ')}` : ''}`,
        evidence: { api: p.api, openRules: open, selectsPodClasses: selected, ...(cancels.length ? { cancelsDefaultDeny: cancels } : {}) },
      };
    }
  },
};
