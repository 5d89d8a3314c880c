// The Services that select a workload's pods: which ports of an edge controller (ingress-nginx,
// Traefik) a LoadBalancer, NodePort or externalIPs Service publishes. A Service without a selector
// selects nothing here (its Endpoints are managed by hand).
import type { KubeObject, Snapshot } from '../../snapshot/types.ts';
import { memoize } from '../memo.ts';
import { selectorMatches } from '../mesh/istio.ts';
import { obj, stringMap } from '../mesh/util.ts';

const servicesByNamespace = memoize((snapshot: Snapshot): Map<string, KubeObject[]> => {
  const out = new Map<string, KubeObject[]>();
  for (const s of snapshot.resources.services ?? []) {
    const ns = s.metadata?.namespace ?? 'default';
    const list = out.get(ns);
    if (list) list.push(s);
    else out.set(ns, [s]);
  }
  return out;
}, ['network', 'tls']);

/** The Services of `namespace` whose selector selects pods labelled `labels`. */
export function servicesSelecting(snapshot: Snapshot, namespace: string, labels: Record<string, string>): KubeObject[] {
  return (servicesByNamespace(snapshot).get(namespace) ?? []).filter((s) => {
    const selector = stringMap(obj(s.spec)?.selector);
    return Object.keys(selector).length > 0 && selectorMatches(selector, labels);
  });
}
