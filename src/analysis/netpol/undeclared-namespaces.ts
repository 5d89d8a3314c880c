// Namespaces a manifests directory uses but no manifest declares (from-objects.ts marks them
// IMPLICIT_NAMESPACE_ANNOTATION; implicitNamespaces in snapshot/types.ts): only their kubernetes.io/metadata.name label is known, so a
// namespaceSelector reading any other label cannot be judged against them. The engine says so
// per flow (engine.ts ruleMatchDoubt: reach UNKNOWN); this names the policies once per run,
// as the Gateway API and ALB readers do for their namespace selectors.

import { readsNamespaceLabels } from './engine.ts';
import type { CoverageNote, LayerPolicy, PodClass } from './layers.ts';

/**
 * One note per policy (of `counted`) whose peers select namespaces by labels other than the
 * name while pods run in namespaces no manifest declares.
 */
export function undeclaredNamespaceNotes(policies: readonly LayerPolicy[], counted: (p: LayerPolicy) => boolean, undeclared: ReadonlySet<string>, classesByNamespace: ReadonlyMap<string, readonly PodClass[]>): CoverageNote[] {
  const withPods = [...undeclared].filter((ns) => (classesByNamespace.get(ns)?.length ?? 0) > 0).sort();
  if (withPods.length === 0) return [];
  const named = withPods.length > 5 ? `${withPods.slice(0, 5).join(', ')} and ${withPods.length - 5} more` : withPods.join(', ');
  const out: CoverageNote[] = [];
  // Pods a policy's own selector may hold there (host-network pods are selected by none of them).
  const podsThere = withPods.some((ns) => (classesByNamespace.get(ns) ?? []).some((c) => !c.hostNetwork));
  for (const p of policies) {
    if (p.errors.length || !counted(p)) continue;
    const keys = new Set<string>();
    for (const r of [...(p.ingress ?? []), ...(p.egress ?? [])]) {
      for (const peer of [...(r.peers === 'any' ? [] : r.peers), ...(r.notPeers ?? [])]) {
        if (peer.kind === 'pods' && readsNamespaceLabels(peer.namespaces) && peer.namespaces.kind === 'selector') keys.add(peer.namespaces.selector.key);
        if (peer.kind === 'pods' && peer.where?.namespaceLabels) for (const k of peer.where.namespaceLabels.keys) keys.add(k);
      }
    }
    // Its own subject on namespace labels (a Calico namespaceSelector): it may or may not apply to those pods.
    const own = p.subject.where?.namespaceLabels;
    if (own && podsThere) {
      out.push({ object: p.ref, message: `its selector reads namespace labels (${own.keys.join('; ')}), but no manifest declares namespace(s) ${named}, whose pods it may select or not: only their kubernetes.io/metadata.name label is known, so reach answers UNKNOWN where its verdict on those pods decides a flow (the checks and the matrix count the name-only reading); add the Namespace manifests with their labels` });
    }
    if (keys.size === 0) continue;
    out.push({ object: p.ref, message: `its namespace selectors read labels (${[...keys].join('; ')}), but no manifest declares namespace(s) ${named}, whose pods it may admit or not: only their kubernetes.io/metadata.name label is known, so reach answers UNKNOWN where such a selector decides a flow for them (the checks and the matrix count the name-only reading); add the Namespace manifests with their labels` });
  }
  return out;
}
