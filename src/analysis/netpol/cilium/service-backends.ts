// The backends of a Service without a selector, as Cilium's toServices reads them: the
// addresses of its EndpointSlices (pkg/policy/k8s/service.go processRule adds them to the rule's
// toCIDRSet; pkg/k8s/endpoints.go ParseEndpointSliceV1 reads a slice's endpoints[].addresses,
// IPv4 and IPv6 slices only). Such a Service's slices are written by hand or mirrored from a
// hand-written Endpoints (kubernetes.io/docs/concepts/services-networking/service/#services-without-selectors);
// the collector fetches only slices the built-in EndpointSlice controller does not manage
// (src/snapshot/kinds.ts), which are all a selector-less Service can have.

import type { KubeObject, Snapshot } from '../../../snapshot/types.ts';
import { parseIp, type IpRange } from '../../../base/ip.ts';

/** The label naming a slice's Service (discovery.k8s.io/v1 LabelServiceName). */
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export type ServiceBackends =
  /**
   * `addresses`: of endpoints ready or of unknown readiness, which every Cilium release counts.
   * `notReady`: addresses of endpoints marked `conditions.ready: false`, which some releases drop
   * (ParseEndpointSliceV1 skipped them before the load-balancer rewrite) and later ones keep.
   */
  | { known: true; addresses: Array<{ text: string; range: IpRange }>; notReady: string[]; slices: string[] }
  /** Why the backends are not known: "EndpointSlices could not be read: forbidden". */
  | { known: false; why: string };

const byService = new WeakMap<readonly KubeObject[], Map<string, KubeObject[]>>();

/** The snapshot's EndpointSlices by "namespace/service", indexed once per snapshot. */
function slicesByService(slices: readonly KubeObject[]): Map<string, KubeObject[]> {
  let index = byService.get(slices);
  if (index) return index;
  index = new Map();
  for (const s of slices) {
    const service = s.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (typeof service !== 'string' || service === '') continue;
    const id = `${s.metadata?.namespace ?? 'default'}/${service}`;
    let list = index.get(id);
    if (!list) index.set(id, (list = []));
    list.push(s);
  }
  byService.set(slices, index);
  return index;
}

/** The backends of Service `namespace/name` its EndpointSlices give, or why they are not known. */
export function serviceBackends(snapshot: Snapshot, namespace: string, name: string): ServiceBackends {
  const coverage = snapshot.coverage.endpointslices;
  const slices = snapshot.resources.endpointslices;
  if (!slices || !coverage) return { known: false, why: 'this snapshot holds no EndpointSlices: an older ztaudit collected it' };
  if (coverage.status !== 'ok') return { known: false, why: `EndpointSlices could not be read: ${coverage.status}` };
  const mine = slicesByService(slices).get(`${namespace}/${name}`) ?? [];
  if (mine.length === 0) return { known: false, why: snapshot.origin === 'live' ? 'no EndpointSlice for it was found in the cluster' : 'no EndpointSlice for it is in the manifests' };
  const addresses: Array<{ text: string; range: IpRange }> = [];
  const notReady: string[] = [];
  const seen = new Set<string>();
  for (const slice of mine) {
    const type = (slice as { addressType?: unknown }).addressType;
    if (type !== 'IPv4' && type !== 'IPv6') continue; // FQDN slices give Cilium no backend
    const endpoints = (slice as { endpoints?: unknown }).endpoints;
    for (const ep of Array.isArray(endpoints) ? endpoints : []) {
      if (!ep || typeof ep !== 'object') continue;
      const ready = (ep as { conditions?: { ready?: unknown } }).conditions?.ready;
      const list = (ep as { addresses?: unknown }).addresses;
      for (const a of Array.isArray(list) ? list : []) {
        const ip = typeof a === 'string' ? parseIp(a) : undefined;
        if (!ip || ip.family !== (type === 'IPv4' ? 4 : 6)) continue; // Cilium skips what does not parse
        if (ready === false) {
          notReady.push(a as string);
          continue;
        }
        if (seen.has(a as string)) continue;
        seen.add(a as string);
        addresses.push({ text: a as string, range: { family: ip.family, lo: ip.value, hi: ip.value } });
      }
    }
  }
  return { known: true, addresses, notReady: [...new Set(notReady)].filter((a) => !seen.has(a)), slices: mine.map((s) => `${namespace}/${s.metadata?.name ?? ''}`) };
}
