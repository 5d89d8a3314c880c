// Calico selects by a pod's ServiceAccount labels (serviceAccountSelector, serviceAccounts.selector:
// pcsa.* labels, libcalico-go updateprocessors/rules.go parseServiceAccounts). Where an enforced
// policy does, the ServiceAccounts are an input of every flow verdict: unread, its selectors
// cannot be judged, so a check judging flows is not evaluated rather than judged on labels it
// never saw. Elsewhere they only feed the shared model, best effort.
import type { ConditionalRead } from '../../../src/engine/types.ts';
import { policyLabel } from '../../../src/analysis/netpol/engine.ts';
import type { LayerPolicy, Peer } from '../../../src/analysis/netpol/layers.ts';
import { buildReachability } from '../../../src/analysis/netpol/model.ts';

/** A predicate that can be in doubt reads facts that may be unknown: for Calico, ServiceAccount labels. */
function readsServiceAccountLabels(p: LayerPolicy): boolean {
  const peers = (list: readonly Peer[] | 'any' | undefined) => list !== undefined && list !== 'any' && list.some((x) => x.kind === 'pods' && x.where?.doubt !== undefined);
  return p.subject.where?.doubt !== undefined
    || [...(p.ingress ?? []), ...(p.egress ?? [])].some((r) => peers(r.peers) || peers(r.notPeers) || r.subject?.where?.doubt !== undefined);
}

export const SERVICE_ACCOUNT_LABELS_READ: ConditionalRead = {
  kinds: ['serviceaccounts'],
  when: 'when an enforced Calico policy selects by ServiceAccount labels (serviceAccountSelector, serviceAccounts.selector)',
  holds(ctx) {
    const model = buildReachability(ctx.snapshot);
    const readers = model.policies.filter((p) => !p.errors.length && model.composition.stageOf(p) !== undefined && readsServiceAccountLabels(p));
    if (!readers.length) return undefined;
    const named = readers.slice(0, 3).map(policyLabel).join(', ');
    return `the ServiceAccount labels ${named}${readers.length > 3 ? ` and ${readers.length - 3} more` : ''} select${readers.length === 1 ? 's' : ''} by`;
  },
};
