// DestinationRule client TLS: where a rule overrides auto-mTLS, and whether its host is a
// service inside the mesh (a cluster-local name whose backing pods, when known, are meshed).

import type { KubeObject, Snapshot } from '../../snapshot/types.ts';
import type { MeshModel } from './model.ts';
import { memoize } from '../memo.ts';
import { selectorMatches } from './istio.ts';
import { arr, obj, str, stringMap, type Json } from './util.ts';

export interface TlsSetting {
  location: string;
  mode?: string;
  insecureSkipVerify: boolean;
}

function tlsOf(trafficPolicy: unknown, prefix: string, out: TlsSetting[]): void {
  const tp = obj(trafficPolicy);
  if (!tp) return;
  const push = (tlsRaw: unknown, location: string) => {
    const tls = obj(tlsRaw);
    if (!tls) return;
    out.push({ location, mode: typeof tls.mode === 'string' ? tls.mode : tls.mode === undefined ? undefined : String(tls.mode), insecureSkipVerify: tls.insecureSkipVerify === true });
  };
  push(tp.tls, `${prefix}trafficPolicy`);
  for (const [i, pls] of arr(tp.portLevelSettings).entries()) {
    const p = obj(pls);
    const port = obj(p?.port)?.number;
    push(p?.tls, `${prefix}trafficPolicy.portLevelSettings[${typeof port === 'number' ? `port ${port}` : i}]`);
  }
}

export function destinationRuleTlsSettings(dr: KubeObject): TlsSetting[] {
  const spec = obj(dr.spec) ?? {};
  const out: TlsSetting[] = [];
  tlsOf(spec.trafficPolicy, '', out);
  for (const [i, sub] of arr(spec.subsets).entries()) {
    const s = obj(sub);
    tlsOf(s?.trafficPolicy, `subsets[${str(s?.name) ?? i}].`, out);
  }
  return out;
}

const servicesByName = memoize((snapshot: Snapshot) => {
  const map = new Map<string, KubeObject>();
  for (const s of snapshot.resources.services ?? []) map.set(`${s.metadata?.namespace ?? 'default'}/${s.metadata?.name ?? ''}`, s);
  return map;
});

export interface HostVerdict {
  host: string;
  inMesh: boolean;
  reason: string;
}

/**
 * Whether a DestinationRule host is served inside the mesh. Cluster-local names
 * (short, name.ns, name.ns.svc, name.ns.svc.<domain>) and wildcards over them are;
 * other names are external (ServiceEntry) hosts. A Service found in the snapshot whose
 * selected workloads are all outside the mesh is not.
 */
export function inMeshHost(dr: KubeObject, snapshot: Snapshot, model: MeshModel): HostVerdict {
  const ns = dr.metadata?.namespace ?? 'default';
  const host = str(obj(dr.spec)?.host) ?? '';
  if (!host) return { host, inMesh: false, reason: 'no spec.host' };
  if (host === '*' || host === '*.local' || host === '*.cluster.local' || host === '*.svc.cluster.local') return { host, inMesh: true, reason: 'wildcard over in-cluster services' };
  const labels = host.split('.');
  let svcName: string | undefined;
  let svcNs = ns;
  if (labels.length === 1) svcName = labels[0];
  else if (labels.length === 2 && model.namespaces.has(labels[1])) [svcName, svcNs] = labels;
  else if (labels.length >= 3 && labels[2] === 'svc') [svcName, svcNs] = labels;
  if (!svcName) return { host, inMesh: false, reason: 'not a cluster-local service name' };
  if (svcName === '*') return { host, inMesh: true, reason: `wildcard over services in namespace ${svcNs}` };

  const svc = servicesByName(snapshot).get(`${svcNs}/${svcName}`);
  if (!svc) return { host, inMesh: true, reason: `cluster-local service ${svcNs}/${svcName} (not in snapshot; assumed meshed)` };
  const selector = stringMap((obj(svc.spec) as Json | undefined)?.selector);
  if (Object.keys(selector).length === 0) return { host, inMesh: true, reason: `service ${svcNs}/${svcName} has no selector` };
  const backends = (model.workloadsByNamespace.get(svcNs) ?? []).filter((w) => selectorMatches(selector, w.labels));
  if (backends.length === 0) return { host, inMesh: true, reason: `service ${svcNs}/${svcName} (no backing workloads found)` };
  const meshed = backends.filter((w) => w.mesh !== 'none');
  if (meshed.length === 0) return { host, inMesh: false, reason: `backing workloads of ${svcNs}/${svcName} run without a mesh proxy` };
  return { host, inMesh: true, reason: `${meshed.length} meshed backing workload(s) of ${svcNs}/${svcName}` };
}
