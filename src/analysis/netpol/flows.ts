// Which (source, destination) class pairs of two sets are allowed, without testing every
// pair: candidates come from the destinations' ingress rules (and the sources' egress rules)
// through a per-namespace index, so cost follows the allowed flows, not |S| x |D|.

import { intersectConns, isEmptyConns, type ConnSet } from './conns.ts';
import { egressVerdict, ingressVerdict, type DirectionVerdict, type PodClass, type ReachModel } from './model.ts';
import type { Peer, PolicyRule } from './policy.ts';

export interface Flow {
  from: PodClass;
  to: PodClass;
  conns: ConnSet;
  egress: DirectionVerdict;
  ingress: DirectionVerdict;
}

export interface FlowSearch {
  flows: Flow[];
  /** Allowed pairs found; a lower bound when `truncated`. */
  count: number;
  truncated: boolean;
}

type Index = Map<string, PodClass[]>;

function indexByNamespace(classes: PodClass[]): Index {
  const m: Index = new Map();
  for (const c of classes) {
    let l = m.get(c.namespace);
    if (!l) m.set(c.namespace, (l = []));
    l.push(c);
  }
  return m;
}

const nsSelectorCache = new WeakMap<ReachModel, Map<string, string[]>>();

function namespacesMatching(model: ReachModel, peer: Peer & { kind: 'pods' }): string[] {
  const sel = peer.namespaceSelector!;
  let cache = nsSelectorCache.get(model);
  if (!cache) nsSelectorCache.set(model, (cache = new Map()));
  let list = cache.get(sel.key);
  if (!list) {
    list = [];
    for (const [ns, labels] of model.namespaceLabels) if (sel.matches(labels)) list.push(ns);
    cache.set(sel.key, list);
  }
  return list;
}

/** A rule whose peers admit every pod of every namespace. */
function openToAllPods(rule: PolicyRule): boolean {
  if (rule.peers === 'any') return true;
  return rule.peers.some((p) => p.kind === 'pods' && p.namespaceSelector?.empty === true && (!p.podSelector || p.podSelector.empty));
}

/** Classes of `index` a rule's peers can match (policy in `policyNs`). */
function enumeratePeers(model: ReachModel, rule: PolicyRule, policyNs: string, index: Index, out: Set<PodClass>): void {
  if (rule.peers === 'any') return;
  for (const peer of rule.peers) {
    if (peer.kind !== 'pods') continue;
    const namespaces = peer.namespaceSelector ? (peer.namespaceSelector.empty ? [...index.keys()] : namespacesMatching(model, peer)) : [policyNs];
    for (const ns of namespaces) {
      for (const c of index.get(ns) ?? []) if (!peer.podSelector || peer.podSelector.matches(c.labels)) out.add(c);
    }
  }
}

/**
 * Allowed flows from `sources` to `destinations`, restricted to `wanted` connections.
 * Stops after `limit` flows (then `truncated` is true and `count` a lower bound).
 */
export function findFlows(model: ReachModel, sources: PodClass[], destinations: PodClass[], wanted: ConnSet, limit = 20): FlowSearch {
  const result: FlowSearch = { flows: [], count: 0, truncated: false };
  if (sources.length === 0 || destinations.length === 0) return result;
  const srcIndex = indexByNamespace(sources);
  const dstIndex = indexByNamespace(destinations);

  // Sources whose egress admits every pod (unisolated or an open rule): candidates for every destination.
  const egressOpen: PodClass[] = [];
  const reverseEgress = new Map<PodClass, Set<PodClass>>();
  for (const s of sources) {
    if (s.egressPolicies.length === 0 || s.egressPolicies.some((p) => p.egress.some(openToAllPods))) {
      egressOpen.push(s);
      continue;
    }
    const reach = new Set<PodClass>();
    for (const p of s.egressPolicies) for (const r of p.egress) enumeratePeers(model, r, p.namespace, dstIndex, reach);
    for (const d of reach) {
      let l = reverseEgress.get(d);
      if (!l) reverseEgress.set(d, (l = new Set()));
      l.add(s);
    }
  }

  const check = (s: PodClass, d: PodClass): boolean => {
    const src = { kind: 'class', cls: s } as const;
    const dst = { kind: 'class', cls: d } as const;
    const egress = egressVerdict(model, src, dst);
    const eConns = intersectConns(egress.conns, wanted);
    if (isEmptyConns(eConns)) return false;
    const ingress = ingressVerdict(model, src, dst);
    const conns = intersectConns(eConns, ingress.conns);
    if (isEmptyConns(conns)) return false;
    result.count++;
    result.flows.push({ from: s, to: d, conns, egress, ingress });
    if (result.flows.length >= limit) result.truncated = true;
    return true;
  };

  for (const d of destinations) {
    const candidates = new Set<PodClass>();
    const ingressOpen = d.ingressPolicies.length === 0 || d.ingressPolicies.some((p) => p.ingress.some(openToAllPods));
    if (ingressOpen) {
      for (const s of egressOpen) candidates.add(s);
      for (const s of reverseEgress.get(d) ?? []) candidates.add(s);
    } else {
      for (const p of d.ingressPolicies) for (const r of p.ingress) enumeratePeers(model, r, p.namespace, srcIndex, candidates);
    }
    for (const s of candidates) {
      check(s, d);
      if (result.truncated) return result;
    }
  }
  return result;
}
