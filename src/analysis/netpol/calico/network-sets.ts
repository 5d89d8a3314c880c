// Calico GlobalNetworkSets and NetworkSets: labelled lists of CIDRs that a rule's selector
// matches as it matches pods. "When Calico is calculating the set of IPs that should match a
// source/destination selector within a global network policy rule, or within a network policy
// rule whose namespaceSelector includes global(), it includes the CIDRs from any network sets
// that match the selector" (docs.tigera.io/calico/latest/reference/resources/globalnetworkset);
// a namespaced NetworkSet is matched by the rules of its own namespace's policies
// (.../networkset). Both fall out of evaluating the rule's effective selector (./policy.ts)
// against the labels Calico gives the set (./labels.ts), as Felix does.

import type { ResourceRef } from '../../../base/vocabulary.ts';
import type { KubeObject, Snapshot } from '../../../snapshot/types.ts';
import type { IpRange } from '../../../base/ip.ts';
import type { CoverageNote, Labels } from '../layers.ts';
import { calicoNetworkSetLabels } from './labels.ts';
import { parseNets } from './policy.ts';
import type { CalicoSelector } from './selector.ts';

export interface CalicoNetworkSet {
  ref: ResourceRef;
  /** "GlobalNetworkSet internet", "NetworkSet app/partners": for evidence. */
  label: string;
  labels: Map<string, string>;
  ranges: IpRange[];
  /** spec.nets as written (the valid entries), for evidence. */
  nets: string[];
}

/** The addresses a selector matches through network sets: undefined when it matches none. */
export interface NetworkSetMatch {
  ranges: IpRange[];
  text: string;
}

export interface NetworkSetIndex {
  sets: readonly CalicoNetworkSet[];
  /** Once per distinct selector, however many rules and pods ask. */
  match(sel: CalicoSelector): NetworkSetMatch | undefined;
}

function stringLabels(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (v && typeof v === 'object' && !Array.isArray(v)) for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

/**
 * Every network set of the snapshot, the projectcalico.org/v3 view preferred over its
 * crd.projectcalico.org/v1 storage form when both are listed. CIDRs that do not parse are
 * left out with a note (the API server rejects them, so a stored one is unexpected).
 */
export function collectNetworkSets(snapshot: Snapshot, namespaceLabels: ReadonlyMap<string, Labels>): { index: NetworkSetIndex; notes: CoverageNote[] } {
  const r = snapshot.resources;
  const notes: CoverageNote[] = [];
  const byIdentity = new Map<string, CalicoNetworkSet>();
  const add = (objs: KubeObject[] | undefined, kind: 'GlobalNetworkSet' | 'NetworkSet') => {
    for (const o of objs ?? []) {
      const name = typeof o.metadata?.name === 'string' ? o.metadata.name : '';
      const namespace = kind === 'NetworkSet' && typeof o.metadata?.namespace === 'string' ? o.metadata.namespace : undefined;
      if (!name || (kind === 'NetworkSet' && namespace === undefined)) continue;
      const key = `${kind}\u0000${namespace ?? ''}\u0000${name}`;
      if (byIdentity.has(key)) continue;
      const ref: ResourceRef = namespace !== undefined ? { kind, namespace, name } : { kind, name };
      const label = `${kind} ${namespace !== undefined ? `${namespace}/` : ''}${name}`;
      const errors: string[] = [];
      const spec = o.spec && typeof o.spec === 'object' ? (o.spec as Record<string, unknown>) : {};
      const ranges = parseNets(spec.nets, 'spec.nets', errors) ?? [];
      const nets = Array.isArray(spec.nets) ? spec.nets.filter((n, i) => typeof n === 'string' && !errors.some((e) => e.startsWith(`spec.nets[${i}]`))) as string[] : [];
      if (errors.length) notes.push({ object: ref, message: `${label}: ${errors.join('; ')}; those entries are left out of the set` });
      const nsLabels = namespace !== undefined ? namespaceLabels.get(namespace) ?? { 'kubernetes.io/metadata.name': namespace } : {};
      byIdentity.set(key, { ref, label, labels: calicoNetworkSetLabels(stringLabels(o.metadata?.labels), namespace, nsLabels), ranges, nets });
    }
  };
  add(r['calico-v3.globalnetworksets'], 'GlobalNetworkSet');
  add(r['calico-v3.networksets'], 'NetworkSet');
  add(r['calico.globalnetworksets'], 'GlobalNetworkSet');
  add(r['calico.networksets'], 'NetworkSet');
  const sets = [...byIdentity.values()];
  const cache = new Map<string, NetworkSetMatch | undefined>();
  return {
    notes,
    index: {
      sets,
      match(sel) {
        if (sets.length === 0) return undefined;
        if (cache.has(sel.text)) return cache.get(sel.text);
        const hits = sets.filter((s) => s.ranges.length && sel.matches(s.labels));
        const m = hits.length ? { ranges: hits.flatMap((s) => s.ranges), text: hits.map((s) => `${s.label} (${s.nets.join(', ')})`).join('; ') } : undefined;
        cache.set(sel.text, m);
        return m;
      },
    },
  };
}
