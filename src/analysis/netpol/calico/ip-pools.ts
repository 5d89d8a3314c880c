// Calico IPPools: where Calico IPAM gives pods their addresses. "An IP pool resource (IPPool)
// represents a collection of IP addresses from which Calico expects endpoint IPs to be assigned"
// (docs.tigera.io/calico/latest/reference/resources/ippool). A pool serves pods only when its
// spec.allowedUses holds Workload (default [Workload, Tunnel]; Tunnel and LoadBalancer pools give
// pods nothing); a disabled pool gives no new addresses, but pods keep the ones they have, so it
// still counts. The pools a pod may draw from can only be narrowed (spec.nodeSelector, the pod's
// or namespace's cni.projectcalico.org/ipv4pools|ipv6pools annotations, the CNI config's
// ipv4_pools: docs.tigera.io/calico/latest/networking/ipam/get-started-ip-addresses), so the union
// of every Workload pool holds every Calico pod's address: a CIDR list covering that union holds
// every pod, one disjoint from it none, and only a partial overlap leaves the pod in doubt.

import type { Snapshot, KubeObject } from '../../../snapshot/types.ts';
import { parseCidr, type IpRange } from '../../../base/ip.ts';
import type { PodPools } from '../engine.ts';

export type { PodPools };

const cache = new WeakMap<Snapshot, PodPools>();

function workloadUse(spec: Record<string, unknown>): boolean {
  const uses = spec.allowedUses;
  return !Array.isArray(uses) || uses.length === 0 || uses.includes('Workload');
}

/** The Workload pools of the snapshot (the projectcalico.org/v3 view and its crd.projectcalico.org/v1 storage form, by name), once per snapshot. */
export function podPools(snapshot: Snapshot): PodPools {
  const hit = cache.get(snapshot);
  if (hit) return hit;
  const out = readPools(snapshot);
  cache.set(snapshot, out);
  return out;
}

function readPools(snapshot: Snapshot): PodPools {
  const unread = (['calico-v3.ippools', 'calico.ippools'] as const).map((k) => ({ k, c: snapshot.coverage[k] })).filter(({ c }) => c && (c.status === 'forbidden' || c.status === 'error'));
  const byName = new Map<string, KubeObject>();
  for (const key of ['calico-v3.ippools', 'calico.ippools'] as const) {
    for (const o of snapshot.resources[key] ?? []) {
      const name = typeof o.metadata?.name === 'string' ? o.metadata.name : '';
      if (name && !byName.has(name)) byName.set(name, o);
    }
  }
  // One group refused while the other listed them: the listed one holds the same pools.
  if (byName.size === 0) {
    if (unread.length) return { kind: 'unknown', why: `Calico IPPools could not be read (${unread.map(({ k, c }) => `${k === 'calico.ippools' ? 'ippools.crd.projectcalico.org' : 'ippools.projectcalico.org'} ${c!.status}`).join(', ')})` };
    return { kind: 'unknown', why: 'no Calico IPPool was read' };
  }
  const ranges: IpRange[] = [];
  const texts: string[] = [];
  for (const [name, o] of byName) {
    const spec = o.spec && typeof o.spec === 'object' ? (o.spec as Record<string, unknown>) : {};
    if (!workloadUse(spec)) continue;
    const r = typeof spec.cidr === 'string' ? parseCidr(spec.cidr) : undefined;
    // A pool whose CIDR does not parse (the API server refuses one) leaves its pods' addresses unknown.
    if (!r) return { kind: 'unknown', why: `Calico IPPool ${name} has no valid spec.cidr` };
    ranges.push(r);
    texts.push(`IPPool ${name} (${spec.cidr as string}${spec.disabled === true ? ', disabled' : ''})`);
  }
  if (!ranges.length) return { kind: 'unknown', why: 'no Calico IPPool allows Workload use' };
  return { kind: 'known', ranges, text: texts.join(', ') };
}
